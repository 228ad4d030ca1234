package rsql

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// parseCases map accepted queries to their canonical String.
var parseCases = []struct{ query, want string }{
	{"", ""},
	{" \t\n", ""},
	{"name==foo", "name==foo"},
	{"payload.spec.production == true", "payload.spec.production==true"},
	{"  name==foo  ", "name==foo"},
	{"a!=b", "a!=b"},
	{"a===b", "a===b"},
	{"a=eq=b", "a===b"},
	{"a!==b", "a!==b"},
	{"a=neq=b", "a!==b"},
	{"a<1", "a<1"},
	{"a=lt=1", "a<1"},
	{"a<=1", "a<=1"},
	{"a=le=1", "a<=1"},
	{"a>1", "a>1"},
	{"a=gt=1", "a>1"},
	{"a>=1", "a>=1"},
	{"a=GE=1", "a>=1"},
	{`a=in=(x, 'y z' ,"q")`, `a=in=(x,"y z",q)`},
	{"a =in= ( x )", "a=in=(x)"},
	{"a=out=x", "a=out=(x)"},
	{"a=in=(null,x)", "a=in=(null,x)"},
	{"a==1;b==2,c==3", "a==1;b==2,c==3"},
	{"a==1;(b==2,c==3)", "a==1;(b==2,c==3)"},
	{"(a==1,b==2);(c==3,d==4)", "(a==1,b==2);(c==3,d==4)"},
	{"(a==1;b==2);c==3", "a==1;b==2;c==3"},
	{"a==1,(b==2,c==3)", "a==1,b==2,c==3"},
	{"((a==1))", "a==1"},
	{"a==1 and b==2 or c==3", "a==1;b==2,c==3"},
	{"a==1 AND ( b==2 Or c==3 )", "a==1;(b==2,c==3)"},
	{"(a==1)and(b==2)", "a==1;b==2"},
	{"a=='x'and b==y", "a==x;b==y"},
	{"and==1 or or==2", "and==1,or==2"},
	{"title=='*t*'", "title==*t*"},
	{`a=="it's"`, `a=="it's"`},
	{`a=='say \"hi\"'`, `a=="say \"hi\""`},
	{`a=='x\\y'`, `a==x\y`},
	{`a==x\y`, `a==x\y`},
	{`a=='\\'`, `a==\`},
	{`a=='x\"y z'`, `a=="x\"y z"`},
	{`a=='\\ '`, `a=="\\ "`},
	{`a=='\n'`, `a==n`},
	{"a==null", "a==null"},
	{`a=="null"`, `a=="null"`},
	{"a==NULL", "a==NULL"},
	{`a==""`, `a==""`},
	{`a=="=x"`, `a=="=x"`},
	{`a=="a;b"`, `a=="a;b"`},
	{"a==b=c", "a==b=c"},
	{`a=="!x"`, `a=="!x"`},
	{"name==café", "name==café"},
	{"metadata.audit.createTimestamp>2024-01-01T00:00:00.000+0000", "metadata.audit.createTimestamp>2024-01-01T00:00:00.000+0000"},
	{"attributes.team==x", "attributes.team==x"},

	// The query of =with= is printed canonically inside single quotes, or
	// double ones when it holds a single quote.
	{"metadata.references=with='kind==Secret;name==github'", "metadata.references=with='kind==Secret;name==github'"},
	{`refs =WITH= " kind == Secret "`, "refs=with='kind==Secret'"},
	{"refs=without='kind=eq=Secret'", "refs=without='kind===Secret'"},
	{"refs=with='(a==1 or b==2) and c==3'", "refs=with='(a==1,b==2);c==3'"},
	{"refs=with='((a==1))'", "refs=with='a==1'"},
	{"refs=with=''", "refs=with=''"},
	{`refs=with=" "`, "refs=with=''"},
	{"tags=with='@==dev*'", "tags=with='@==dev*'"},
	{"tags=with=' @ =in= ( a , b ) '", "tags=with='@=in=(a,b)'"},
	{`refs=with='name=="a b"'`, `refs=with='name=="a b"'`},
	{`refs=with='name==\'a b\''`, `refs=with='name=="a b"'`},
	{`refs=with='name=="it\'s"'`, `refs=with="name==\"it's\""`},
	{`refs=with='x\\y==1'`, `refs=with='x\\y==1'`},
	{`refs=with='name=="a\\\\"'`, `refs=with='name==a\\'`},
	{`a=with='b=with=\'c==1\''`, `a=with="b=with='c==1'"`},
	{`a=with="b=with='c=with=\"d==1\"'"`, `a=with="b=with=\"c=with='d==1'\""`},
	{`a=with='@=with=\'@==1\''`, `a=with="@=with='@==1'"`},
	{"a==1;b=with='c==1',d==2", "a==1;b=with='c==1',d==2"},
	{"a=with='c==1'and b==2", "a=with='c==1';b==2"},
	{"(a=with='c==1')", "a=with='c==1'"},
	{"a@b==1", "a@b==1"},
}

func TestParse(t *testing.T) {
	for _, tc := range parseCases {
		e, err := Parse(tc.query)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.query, err)
			continue
		}
		if got := e.String(); got != tc.want {
			t.Errorf("Parse(%q).String() = %q, want %q", tc.query, got, tc.want)
		}
	}
}

// TestRoundTrip checks that the canonical form parses to an equal Expr,
// the property the fuzzer checks more loosely on arbitrary input.
func TestRoundTrip(t *testing.T) {
	for _, tc := range parseCases {
		e, err := Parse(tc.query)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tc.query, err)
		}
		again, err := Parse(e.String())
		if err != nil {
			t.Errorf("Parse(%q) (from %q): %v", e.String(), tc.query, err)
			continue
		}
		if !reflect.DeepEqual(e, again) {
			t.Errorf("Parse(%q) = %#v, want %#v", e.String(), again, e)
		}
	}
}

var parseErrorCases = []struct{ query, want string }{
	{"name==", `a value is expected after "==" at character 7`},
	{"title==*" + strings.Repeat("a", 1024), `a value with wildcards (* or _) is at most 1024 characters, not 1025; === compares longer text exactly at character 8`},
	{"name== ", `a value is expected after "==" at character 8`},
	{"==x", `a selector is expected at character 1`},
	{"'a'==x", `a selector is expected at character 1`},
	{"name", `an operator is expected after "name" at character 5`},
	{"name=x", `an operator is expected after "name" at character 5`},
	{"first name==x", `an operator is expected after "first" at character 7`},
	{"name=foo=x", `unknown operator "=foo=" at character 5`},
	{"a==1;", `a selector is expected after ";" at character 6`},
	{"a==1,", `a selector is expected after "," at character 6`},
	{"a==1 and ", `a selector is expected after "and" at character 10`},
	{"a==1 OR", `a selector is expected after "OR" at character 8`},
	{"a==1 b==2", `";", ",", "and" or "or" is expected at character 6`},
	{"a==1 andb==2", `";", ",", "and" or "or" is expected at character 6`},
	{"a=='x'y", `";", ",", "and" or "or" is expected at character 7`},
	{"(a==1", `")" is expected at character 6`},
	{"(a==1 b", `";", ",", "and", "or" or ")" is expected at character 7`},
	{"a==1)", `")" has no matching "(" at character 5`},
	{"()", `a selector is expected after "(" at character 2`},
	{"a;;b", `an operator is expected after "a" at character 2`},
	{"a==x;;b==y", `a selector is expected after ";" at character 6`},
	{"a=='x", `a closing single quote is expected at character 6`},
	{`a=="x\`, `a closing double quote is expected at character 7`},
	{"a==(x)", `a single value, not a list, is expected after "==" at character 4`},
	{"a=in=()", `a value is expected after "(" at character 7`},
	{"a=in=(x,", `a value is expected after "," at character 9`},
	{"a=in=(x y)", `"," or ")" is expected at character 9`},
	{"a=in=(x", `"," or ")" is expected at character 8`},
	{"a=in=", `a value is expected after "=in=" at character 6`},
	{"a<null", `a value other than null is expected after "<" at character 3`},
	{"a=ge=null", `a value other than null is expected after "=ge=" at character 6`},
	{"a==<x", `a value that starts with "<" must be quoted at character 4`},
	{"a== =x", `a value that starts with "=" must be quoted at character 5`},
	{".a==1", `a selector cannot start with "." at character 1`},
	{"a..b==1", `a name is expected after "." at character 3`},
	{"a.==1", `a name is expected after "." at character 3`},
	{"café=x", `an operator is expected after "café" at character 5`},
	{"é==x;", `a selector is expected after ";" at character 6`},
	{"a==!x", `a value that starts with "!" must be quoted at character 4`},
	{strings.Repeat("(", 101) + "a==1" + strings.Repeat(")", 101), `at most 100 nested groups are allowed at character 101`},

	// =with= and =without=. An error in the quoted query is placed at the
	// character of the whole query it stands at, counting its escapes, or
	// at the closing quote when something is missing at its end.
	{"a=with=x", `a query in quotes is expected after "=with=", as in =with='name==x' at character 8`},
	{"a=WITHOUT=", `a query in quotes is expected after "=WITHOUT=", as in =WITHOUT='name==x' at character 11`},
	{"a=with=(b==1)", `a query in quotes is expected after "=with=", as in =with='name==x' at character 8`},
	{"a=with='b==1", `a closing single quote is expected at character 13`},
	{"a=without='kind=='", `a value is expected after "==" at character 18`},
	{"a=with='kind==Secret name==x'", `";", ",", "and" or "or" is expected at character 22`},
	{`a=with='name=="a\\"'`, `a closing double quote is expected at character 20`},
	{`a=with='n==\'x y\' z'`, `";", ",", "and" or "or" is expected at character 20`},
	{"é=with='a==1 b'", `";", ",", "and" or "or" is expected at character 14`},
	{"a=with='b==1)'", `")" has no matching "(" at character 13`},
	{"a=with='==1'", `a selector is expected at character 9`},
	{`a=with="b=with='c=='"`, `a value is expected after "==" at character 20`},
	{"refs=with='kind=='Secret''", `the query after "=with=" ends at this quote; escape a quote inside it with "\" or use the other kind at character 18`},
	{"a=with=''x", `the query after "=with=" ends at this quote; escape a quote inside it with "\" or use the other kind at character 9`},
	{"a=with='' b", `";", ",", "and" or "or" is expected at character 11`},
	{"@==x", `"@" stands for an entry and is only allowed in the quoted query of =with= or =without= at character 1`},
	{"a==1;@=with=''", `"@" stands for an entry and is only allowed in the quoted query of =with= or =without= at character 6`},
	{"a=with='b.@==x'", `"@" stands for the whole entry and cannot be part of a longer selector at character 11`},
	{"a.@=with='b==1'", `"@" stands for the whole entry and cannot be part of a longer selector at character 3`},
	{"a=with='@'", `an operator is expected after "@" at character 10`},
	{strings.Repeat("(", 100) + "a=with='b==1'" + strings.Repeat(")", 100), `at most 100 nested groups are allowed at character 108`},
	{"a=with='" + strings.Repeat("(", 100) + "b==1" + strings.Repeat(")", 100) + "'", `at most 100 nested groups are allowed at character 108`},
}

func TestParseErrors(t *testing.T) {
	for _, tc := range parseErrorCases {
		e, err := Parse(tc.query)
		if err == nil {
			t.Errorf("Parse(%q) = %q, want an error", tc.query, e)
			continue
		}
		want := "invalid query " + strconv.Quote(tc.query) + ": " + tc.want
		if err.Error() != want {
			t.Errorf("Parse(%q) error:\n got %s\nwant %s", tc.query, err, want)
		}
		var syntax *SyntaxError
		if !errors.As(err, &syntax) || syntax.Query != tc.query {
			t.Errorf("Parse(%q) error %#v is not a *SyntaxError for the query", tc.query, err)
		}
	}
}

func TestSyntaxErrorExample(t *testing.T) {
	_, err := Parse("name==")
	var syntax *SyntaxError
	if !errors.As(err, &syntax) {
		t.Fatalf("error %v is not a *SyntaxError", err)
	}
	want := SyntaxError{Query: "name==", Pos: 7, Msg: `a value is expected after "=="`}
	if *syntax != want {
		t.Errorf("error = %#v, want %#v", *syntax, want)
	}
}
