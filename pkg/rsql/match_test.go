package rsql

import (
	"bytes"
	"encoding/json"
	"testing"
)

// testDoc is shaped like an API Server resource, plus a few odd corners.
const testDoc = `{
  "name": "Petstore",
  "title": "Pet Store API",
  "tags": ["prod", "Public"],
  "attributes": {"team": "Payments", "tier": "gold"},
  "owner": null,
  "sequenceID": 17,
  "metadata": {
    "id": "8a2e_01",
    "resourceVersion": "42",
    "audit": {"createTimestamp": "2024-03-01T10:00:00.000+0000"},
    "scope": {"kind": "Environment", "name": "env-prod"},
    "references": [
      {"kind": "APIService", "name": "petstore"},
      {"kind": "Secret", "name": "key", "id": "s1"}
    ]
  },
  "spec": {
    "count": 3, "ratio": 0.5, "negative": -2.5, "tiny": 1e-7,
    "word": "apple", "greek": "ΣΊΣΥΦΟΣ",
    "deep": {"list": [[1, 2], [3]]},
    "empty": [], "nothing": null, "object": {"a": 1},
    "groups": [{"name": "a", "members": ["x", "y"]}, {"name": "b", "members": ["z"]}]
  },
  "payload": {"spec": {"production": true}}
}`

// decode reads testDoc as callers do: plain, or with UseNumber.
func decode(t testing.TB, useNumber bool) map[string]any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader([]byte(testDoc)))
	if useNumber {
		d.UseNumber()
	}
	var doc map[string]any
	if err := d.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

var matchCases = []struct {
	query string
	want  bool
}{
	// == folds case and takes wildcards; === and =eq= do neither.
	{"name==petstore", true},
	{"name==PET*", true},
	{"name==pet_tore", true},
	{"name==pet_store", false},
	{"name==*", true},
	{"title=='*store*'", true},
	{"title==*store", false},
	{"title=='pet store api'", true},
	{"spec.greek==σίσυφος", true},
	{"spec.greek==σί_υφ*", true},
	{"metadata.id==8a2e_01", true},
	{"metadata.id===8a2e_01", true},
	{"metadata.id===8a2e*", false},
	{"name===petstore", false},
	{"name===Petstore", true},
	{"name=eq=Petstore", true},
	{"name!=petstore", false},
	{"name!=dog*", true},
	{"name!==petstore", true},
	{"name=neq=Petstore", false},

	// Arrays fan out; negations mean "no element".
	{"tags==prod", true},
	{"tags==PUBLIC", true},
	{"tags===public", false},
	{"tags!=prod", false},
	{"tags!=dev", true},
	{"tags=in=(dev,prod)", true},
	{"tags=in=(dev,public)", false},
	{"tags=out=(dev,prod)", false},
	{"tags=out=(dev)", true},
	{"metadata.references.kind==APIService", true},
	{"metadata.references.name==key", true},
	{"metadata.references.kind!=Secret", false},
	{"spec.deep.list==2", true},
	{"spec.deep.list>2", true},
	{"spec.deep.list>3", false},

	// null is missing or JSON null.
	{"owner.id==null", true},
	{"owner.id!=null", false},
	{"owner==null", true},
	{"name!=null", true},
	{"name==null", false},
	{`name=="null"`, false},
	{"spec.nothing==null", true},
	{"spec.empty==null", true},
	{"spec.empty!=null", false},
	{"name.first==null", true},
	{"metadata.references.id==null", true},
	{"metadata.references.id!=null", false},
	{"metadata.references.id==s1", true},
	{"missing.path==x", false},
	{"missing.path!=x", true},
	{"missing.path=out=(x)", true},
	{"missing.path=in=(null,x)", true},
	{"missing.path<x", false},
	{"spec.object==null", false},
	{"spec.object!=null", true},
	{"spec.object==*", false},
	{"spec.object>a", false},

	// Numbers and booleans compare by their string form for equality,
	// numerically when the query value is a number.
	{"spec.count==3", true},
	{"spec.count==3.0", true},
	{"spec.count==3e0", true},
	{"spec.count===3.0", true},
	{"spec.count==3*", true},
	{"spec.count=in=(1,3.0)", true},
	{"spec.count=out=(1,3.0)", false},
	{"spec.count!=3", false},
	{"spec.ratio==0.5", true},
	{"spec.ratio==.5", false},
	{"spec.ratio==0.*", true},
	{"spec.tiny==1e-7", true},
	{"spec.tiny==1e-07", true},
	{"sequenceID==17", true},
	{"sequenceID===17", true},
	{"metadata.resourceVersion==42", true},
	{"metadata.resourceVersion==42.0", false},
	{"payload.spec.production==true", true},
	{"payload.spec.production==TRUE", true},
	{"payload.spec.production===TRUE", false},
	{"payload.spec.production===true", true},
	{"payload.spec.production==false", false},
	{"payload.spec.production!=true", false},
	{"payload.spec.production==tr*", true},

	// Order: numbers, then timestamps, then strings.
	{"spec.count>2", true},
	{"spec.count>=3", true},
	{"spec.count<=3", true},
	{"spec.count<3", false},
	{"spec.count=lt=10", true}, // not as strings, where "3" > "10"
	{"spec.count>=3.5", false},
	{"spec.negative<-2", true},
	{"spec.negative>-3", true},
	{"sequenceID>1e1", true},
	{"metadata.resourceVersion>9", true}, // a numeric string is a number here
	{"metadata.resourceVersion<100", true},
	{"spec.count>abc", false},
	{"metadata.audit.createTimestamp>2024-01-01T00:00:00Z", true},
	{"metadata.audit.createTimestamp<2024-03-01T10:00:00.001+00:00", true},
	{"metadata.audit.createTimestamp>=2024-03-01T11:00:00.000+0100", true},
	{"metadata.audit.createTimestamp>2024-03-01T11:00:00.000+0100", false},
	{"metadata.audit.createTimestamp=ge=2024-03-01T10:00:00+00:00", true},
	{"metadata.audit.createTimestamp<2024-03-01T05:00:00-05:00", false},
	{"metadata.audit.createTimestamp<=2024-03-01T05:00:00-05:00", true},
	{"metadata.audit.createTimestamp>1709287200000", false},
	{"metadata.audit.createTimestamp>=1709287200000", true},
	{"metadata.audit.createTimestamp<1709287200001", true},
	{"metadata.audit.createTimestamp>2024-02", true}, // neither parses: strings
	{"name>Pet", true},
	{"name<Q", true},
	{"name<pet", true}, // byte order: upper case first
	{"spec.word>=apple", true},
	{"spec.word>apple", false},
	{"payload.spec.production>false", true},

	// and binds tighter than or; parentheses and words group the same.
	{"name==x;tags==prod,sequenceID==17", true},
	{"name==x;(tags==prod,sequenceID==17)", false},
	{"name==Petstore,name==x;tags==dev", true},
	{"(name==Petstore,name==x);tags==dev", false},
	{"name==x and tags==prod or sequenceID==17", true},
	{"name==x and (tags==prod or sequenceID==17)", false},
	{"payload.spec.production == true and name != x", true},
	{" ( name == Petstore ) ; ( tags =in= ( dev , prod ) ) ", true},
	{"attributes.team==payments;attributes.tier=in=(gold,silver)", true},
	{"metadata.scope.name==env-*;metadata.scope.kind===Environment", true},

	// =with= needs one entry to satisfy the whole query, where a dotted
	// path lets each comparison pick its own.
	{"metadata.references=with='kind==Secret;name==key'", true},
	{"metadata.references=with='kind==Secret;name==petstore'", false},
	{"metadata.references.kind==Secret;metadata.references.name==petstore", true},
	{"metadata.references=without='kind==Secret;name==petstore'", true},
	{"metadata.references=without='kind==Secret'", false},
	{"metadata.references=with='kind==secret'", true},
	{"metadata.references=with='kind===secret'", false},
	{"metadata.references=with='id==null'", true},
	{"metadata.references=with='id!=null;kind==APIService'", false},
	{"metadata.references=with='(kind==APIService,kind==Secret);name==k*'", true},
	{`metadata.references=with='kind=in=(Secret,Other) and name=="key"'`, true},
	{"metadata.references=with='@!=null'", true},
	{"metadata.references=with='@==*'", false},
	{"name==petstore;metadata.references=with='kind==Secret'", true},
	{"name==x,metadata.references=without='kind==APIService'", false},

	// An entry that is not an object is @; it has no fields.
	{"tags=with='@==prod'", true},
	{"tags=with='@==PUB*'", true},
	{"tags=with='@===public'", false},
	{"tags=with='@==prod;@==public'", false},
	{"tags=with='@==p*;@!=prod'", true},
	{"tags=without='@==dev'", true},
	{"tags=without='@==prod'", false},
	{"tags=with='name==null'", true},
	{"tags=with='name==prod'", false},

	// No entries: a missing property, null, an empty array; a single value
	// is one entry, whatever it is.
	{"tags=with=''", true},
	{"spec.empty=with=''", false},
	{"spec.empty=without=''", true},
	{"spec.nothing=with=''", false},
	{"owner=without='a==1'", true},
	{"missing.path=with=''", false},
	{"missing.path=with='@==null'", false},
	{"missing.path=without='a==1'", true},
	{"name.first=with=''", false},
	{"metadata.scope=with='kind==Environment;name==env-*'", true},
	{"metadata.scope=with='kind==Secret'", false},
	{"name=with='@==petstore'", true},
	{"spec.count=with='@>2'", true},

	// Arrays crossed on the way fan out; the entries of an array of arrays
	// are arrays, which @ fans out over.
	{"spec.groups.members=with='@==z'", true},
	{"spec.groups.members=without='@==q'", true},
	{"spec.groups=with='name==a;members==y'", true},
	{"spec.groups=with='name==b;members==y'", false},
	{"spec.groups.name==b;spec.groups.members==y", true},
	{"spec.deep.list=with='@==1;@==2'", true},
	{"spec.deep.list=with='@==1;@==3'", false},
	{"spec.deep.list=with='@>2'", true},

	// Nested.
	{`spec.groups=with='name==a;members=with=\'@==x\''`, true},
	{`spec.groups=with='name==b;members=with=\'@==x\''`, false},
	{`spec.groups=with='members=without="@==x"'`, true},
	{`spec.groups=without='members=with="@==q"'`, true},
	{`spec.deep.list=with='@=with="@==3"'`, true},
	{`spec.deep.list=with='@=without="@<3"'`, true},
	{`spec.deep.list=with='@=without="@<4"'`, false},

	{"", true},
}

func TestMatch(t *testing.T) {
	for _, useNumber := range []bool{false, true} {
		doc := decode(t, useNumber)
		for _, tc := range matchCases {
			e, err := Parse(tc.query)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.query, err)
			}
			if got := e.Match(doc); got != tc.want {
				t.Errorf("UseNumber=%v: %q matched %v, want %v", useNumber, tc.query, got, tc.want)
			}
		}
	}
}

// TestMatchExactIntegers shows why numbers are not all float64: an ID past
// 2^53 still compares exactly when the document keeps it as json.Number.
func TestMatchExactIntegers(t *testing.T) {
	doc := map[string]any{"id": json.Number("9007199254740993"), "n": 9007199254740992.0, "i": 7, "j": int64(8)}
	for _, tc := range []struct {
		query string
		want  bool
	}{
		{"id==9007199254740993", true},
		{"id==9007199254740992", false},
		{"id>9007199254740992", true},
		{"n==9007199254740992", true},
		{"i==7", true},
		{"j>7.5", true},
	} {
		e, err := Parse(tc.query)
		if err != nil {
			t.Fatal(err)
		}
		if got := e.Match(doc); got != tc.want {
			t.Errorf("%q matched %v, want %v", tc.query, got, tc.want)
		}
	}
}

func TestMatchEmptyDocument(t *testing.T) {
	for query, want := range map[string]bool{"": true, "a==null": true, "a!=null": false, "a!=x": true, "a==*": false, "a=with=''": false, "a=without=''": true} {
		e, err := Parse(query)
		if err != nil {
			t.Fatal(err)
		}
		if got := e.Match(nil); got != want {
			t.Errorf("%q matched a nil document: %v, want %v", query, got, want)
		}
	}
}
