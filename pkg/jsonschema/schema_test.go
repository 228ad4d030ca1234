package jsonschema

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	// want is "" for a value that matches, else the whole error.
	cases := []struct {
		name, schema, value, want string
	}{
		{"empty schema", `{}`, `[1,"a",{"b":null}]`, ""},
		{"unknown keywords are ignored", `{"const":1,"x-extra":{"type":"string"}}`, `2`, ""},
		{"$ref siblings are ignored", `{"$ref":"#/definitions/s","type":"number","definitions":{"s":{"type":"string"}}}`, `"a"`, ""},

		// type
		{"type string", `{"type":"string"}`, `"a"`, ""},
		{"type mismatch", `{"type":"string"}`, `7`, `want string, got number 7`},
		{"type of object", `{"type":"object"}`, `[]`, `want object, got array`},
		{"type null", `{"type":"null"}`, `null`, ""},
		{"type null mismatch", `{"type":"null"}`, `false`, `want null, got boolean false`},
		{"type array of types", `{"type":["string","null"]}`, `null`, ""},
		{"type array mismatch", `{"type":["string","null"]}`, `{}`, `want null or string, got object`},
		{"integer", `{"type":"integer"}`, `12`, ""},
		{"integer with .0", `{"type":"integer"}`, `12.0`, ""},
		{"integer with exponent", `{"type":"integer"}`, `1.2e3`, ""},
		{"integer big", `{"type":"integer"}`, `123456789012345678901234567890`, ""},
		{"integer fraction", `{"type":"integer"}`, `3.5`, `want integer, got number 3.5`},
		{"number takes integers", `{"type":"number"}`, `3`, ""},
		{"integer is not a string", `{"type":"integer"}`, `"3"`, `want integer, got string "3"`},

		// enum
		{"enum", `{"enum":["free","pro"]}`, `"pro"`, ""},
		{"enum mismatch", `{"enum":["free","pro"]}`, `"gold"`, `value must be one of "free", "pro" (got "gold")`},
		{"enum numbers by value", `{"enum":[1,"1"]}`, `1.0`, ""},
		{"enum of objects", `{"enum":[{"a":[1,2]}]}`, `{"a":[1,2]}`, ""},
		{"enum of objects mismatch", `{"enum":[{"a":[1,2]}]}`, `{"a":[2,1]}`, `value must be one of object (got object)`},
		{"enum null", `{"enum":[null]}`, `null`, ""},

		// objects
		{"properties", `{"properties":{"a":{"type":"string"},"b":{"type":"integer"}}}`, `{"a":"x","b":1,"c":true}`, ""},
		{"property mismatch", `{"properties":{"a":{"type":"string"}}}`, `{"a":1}`, `at /a: want string, got number 1`},
		{"properties on a non-object", `{"properties":{"a":{"type":"string"}}}`, `"a"`, ""},
		{"required", `{"required":["team","plan"]}`, `{"plan":1}`, `missing property "team" (required)`},
		{"required several", `{"required":["team","plan"]}`, `{}`, `missing properties "team", "plan" (required)`},
		{"nested required", `{"properties":{"a":{"required":["b"]}}}`, `{"a":{}}`, `at /a: missing property "b" (required)`},
		{"pointer escaping", `{"properties":{"a/b~c":{"type":"string"}}}`, `{"a/b~c":1}`, `at /a~1b~0c: want string, got number 1`},
		{"additionalProperties false", `{"properties":{"a":{}},"additionalProperties":false}`, `{"a":1,"q":2}`, `property "q" is not allowed (additionalProperties is false)`},
		{"additionalProperties false several", `{"additionalProperties":false}`, `{"r":1,"q":2}`, `properties "q", "r" are not allowed (additionalProperties is false)`},
		{"additionalProperties schema", `{"properties":{"a":{}},"additionalProperties":{"type":"string"}}`, `{"a":1,"q":2}`, `at /q: want string, got number 2`},
		{"patternProperties", `{"patternProperties":{"^x-":{"type":"string"}},"additionalProperties":false}`, `{"x-a":"s"}`, ""},
		{"patternProperties mismatch", `{"patternProperties":{"^x-":{"type":"string"}},"additionalProperties":false}`, `{"x-a":1,"y":1}`, `at /x-a: want string, got number 1; property "y" is not allowed (additionalProperties is false)`},
		{"min/maxProperties", `{"minProperties":2,"maxProperties":3}`, `{"a":1,"b":2}`, ""},
		{"minProperties", `{"minProperties":2}`, `{"a":1}`, `must have at least 2 properties, got 1`},
		{"maxProperties", `{"maxProperties":0}`, `{"a":1}`, `must have at most 0 properties, got 1`},
		{"dependencies list", `{"dependencies":{"card":["billing"]}}`, `{"card":1}`, `property "card" needs property "billing" too (dependencies)`},
		{"dependencies list met", `{"dependencies":{"card":["billing"]}}`, `{"card":1,"billing":2}`, ""},
		{"dependencies schema", `{"dependencies":{"card":{"required":["billing"]}}}`, `{"card":1}`, `missing property "billing" (required)`},
		{"dependencies absent", `{"dependencies":{"card":{"required":["billing"]}}}`, `{}`, ""},

		// arrays
		{"items", `{"items":{"type":"string"}}`, `["a","b"]`, ""},
		{"items mismatch", `{"items":{"type":"string"}}`, `["a",1]`, `at /1: want string, got number 1`},
		{"tuple", `{"items":[{"type":"string"},{"type":"integer"}]}`, `["a",1,null]`, ""},
		{"tuple mismatch", `{"items":[{"type":"string"},{"type":"integer"}]}`, `[1]`, `at /0: want string, got number 1`},
		{"additionalItems false", `{"items":[{}],"additionalItems":false}`, `[1,2,3]`, `has 3 items, but the schema allows at most 1 (additionalItems is false)`},
		{"additionalItems schema", `{"items":[{}],"additionalItems":{"type":"string"}}`, `[1,"a",2]`, `at /2: want string, got number 2`},
		{"additionalItems without item list", `{"additionalItems":false}`, `[1,2]`, ""},
		{"minItems", `{"minItems":2}`, `[1]`, `must have at least 2 items, got 1`},
		{"maxItems", `{"maxItems":1}`, `[1,2]`, `must have at most 1 items, got 2`},
		{"uniqueItems", `{"uniqueItems":true}`, `[1,"1",[1],{"a":1}]`, ""},
		{"uniqueItems by value", `{"uniqueItems":true}`, `[{"a":1,"b":[true,null]},{"b":[true,null],"a":10e-1}]`, `items must be unique, but #0 and #1 are equal`},
		{"uniqueItems strings and numbers", `{"uniqueItems":true}`, `["1",1,"null",null,"true",true]`, ""},
		{"uniqueItems mismatch", `{"uniqueItems":true}`, `[{"a":1},2,{"a":1.0}]`, `items must be unique, but #0 and #2 are equal`},

		// strings
		{"length in runes", `{"minLength":2,"maxLength":3}`, `"héé"`, ""},
		{"minLength", `{"minLength":3}`, `"ab"`, `must be at least 3 characters long, got 2`},
		{"maxLength", `{"maxLength":2}`, `"日本語"`, `must be at most 2 characters long, got 3`},
		{"pattern is a search", `{"pattern":"[0-9]"}`, `"ab1"`, ""},
		{"pattern mismatch", `{"pattern":"^[a-z]+$"}`, `"B1"`, `"B1" does not match the pattern ^[a-z]+$`},
		{"string keywords skip numbers", `{"minLength":3,"pattern":"x"}`, `1`, ""},

		// numbers
		{"minimum", `{"minimum":1}`, `1`, ""},
		{"minimum mismatch", `{"minimum":1}`, `0.5`, `must be at least 1, got 0.5`},
		{"exclusiveMinimum", `{"minimum":1,"exclusiveMinimum":true}`, `1`, `must be greater than 1, got 1`},
		{"maximum", `{"maximum":10}`, `11`, `must be at most 10, got 11`},
		{"exclusiveMaximum", `{"maximum":1e1,"exclusiveMaximum":true}`, `10`, `must be less than 1e1, got 10`},
		{"exclusiveMaximum false", `{"maximum":10,"exclusiveMaximum":false}`, `10`, ""},
		{"big numbers exactly", `{"maximum":9007199254740993}`, `9007199254740994`, `must be at most 9007199254740993, got 9007199254740994`},
		{"huge exponent", `{"maximum":1}`, `1e999999999`, `must be at most 1, got 1e999999999`},
		{"multipleOf decimal", `{"multipleOf":0.1}`, `0.3`, ""},
		{"multipleOf", `{"multipleOf":2}`, `11`, `must be a multiple of 2, got 11`},
		{"number keywords skip strings", `{"minimum":3}`, `"1"`, ""},

		// combinators
		{"allOf", `{"allOf":[{"type":"string"},{"minLength":2}]}`, `"a"`, `must be at least 2 characters long, got 1`},
		{"anyOf", `{"anyOf":[{"type":"string"},{"type":"number"}]}`, `1`, ""},
		{"anyOf mismatch", `{"anyOf":[{"type":"string"},{"type":"number"}]}`, `true`, `matches no schema of anyOf (#0: want string, got boolean true | #1: want number, got boolean true)`},
		{"anyOf nested paths", `{"properties":{"x":{"anyOf":[{"required":["a"]},{"properties":{"b":{"type":"string"}}}]}}}`, `{"x":{"b":1}}`,
			`at /x: matches no schema of anyOf (#0: missing property "a" (required) | #1: at /x/b: want string, got number 1)`},
		{"oneOf", `{"oneOf":[{"type":"string"},{"minLength":3}]}`, `"ab"`, ""},
		{"oneOf several", `{"oneOf":[{"type":"string"},{"minLength":3}]}`, `"abc"`, `must match exactly one schema of oneOf, but matches #0 and #1`},
		{"oneOf none", `{"oneOf":[{"type":"string"},{"type":"null"}]}`, `1`, `matches no schema of oneOf (#0: want string, got number 1 | #1: want null, got number 1)`},
		{"not", `{"not":{"type":"string"}}`, `1`, ""},
		{"not mismatch", `{"not":{"type":"string"}}`, `"a"`, `must not match the schema of "not"`},

		// $ref
		{"ref to definitions", `{"properties":{"a":{"$ref":"#/definitions/pos"}},"definitions":{"pos":{"minimum":0}}}`, `{"a":-1}`, `at /a: must be at least 0, got -1`},
		{"recursive ref", `{"properties":{"name":{"type":"string"},"children":{"type":"array","items":{"$ref":"#"}}}}`,
			`{"name":"a","children":[{"name":"b","children":[{"name":3}]}]}`, `at /children/0/children/0/name: want string, got number 3`},
		{"ref to a property's schema", `{"properties":{"a":{"type":"string"},"b":{"$ref":"#/properties/a"}}}`, `{"b":1}`, `at /b: want string, got number 1`},
		{"ref percent-encoded", `{"properties":{"a":{"$ref":"#/definitions/a%20b"}},"definitions":{"a b":{"type":"string"}}}`, `{"a":1}`, `at /a: want string, got number 1`},
		{"ref chain", `{"$ref":"#/definitions/a","definitions":{"a":{"$ref":"#/definitions/b"},"b":{"type":"string"}}}`, `1`, `want string, got number 1`},

		// format
		{"email", `{"format":"email"}`, `"a@b.example"`, ""},
		{"email mismatch", `{"format":"email"}`, `"ab.example"`, `"ab.example" is not a valid email: want name@domain`},
		{"date-time", `{"format":"date-time"}`, `"2024-01-31t09:30:00.5+01:00"`, ""},
		{"date-time mismatch", `{"format":"date-time"}`, `"2024-01-31"`, `"2024-01-31" is not a valid date-time: want RFC 3339, such as 2024-01-31T09:30:00Z`},
		{"uri", `{"format":"uri"}`, `"urn:isbn:0451450523"`, ""},
		{"uri mismatch", `{"format":"uri"}`, `"/relative"`, `"/relative" is not a valid uri: want an absolute URI, such as https://example.com/path`},
		{"ipv4", `{"format":"ipv4"}`, `"192.0.2.1"`, ""},
		{"ipv4 mismatch", `{"format":"ipv4"}`, `"::1"`, `"::1" is not a valid ipv4: want four decimal numbers, such as 192.0.2.1`},
		{"ipv6", `{"format":"ipv6"}`, `"2001:db8::1"`, ""},
		{"hostname", `{"format":"hostname"}`, `"api.example.com"`, ""},
		{"hostname mismatch", `{"format":"hostname"}`, `"-a.example"`, `"-a.example" is not a valid hostname: want dot-separated labels of 1 to 63 characters, not starting or ending with -`},
		{"unknown format", `{"format":"color"}`, `"x"`, ""},
		{"format skips numbers", `{"format":"email"}`, `1`, ""},

		// several problems, in a stable order
		{"several", `{"type":"object","required":["plan"],"properties":{"team":{"minLength":3},"seats":{"maximum":10,"multipleOf":2}}}`,
			`{"team":"b","seats":11}`, `missing property "plan" (required); at /seats: must be at most 10, got 11; at /seats: must be a multiple of 2, got 11; at /team: must be at least 3 characters long, got 1`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Compile([]byte(tc.schema))
			if err != nil {
				t.Fatalf("compile: %v", err)
			}
			v, err := Decode([]byte(tc.value))
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			err = s.Validate(v)
			if got := errText(err); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestInvalidSchemas(t *testing.T) {
	cases := []struct{ schema, want string }{
		{`[]`, `a schema must be a JSON object, not array`},
		{`{"type":5}`, `at /type: must be a type name or an array of them, not 5`},
		{`{"type":"nonsense"}`, `at /type: "nonsense" is not a JSON type (want one of array, boolean, integer, null, number, object, string)`},
		{`{"type":[]}`, `at /type: must not be an empty array`},
		{`{"type":["string","string"]}`, `at /type: names "string" twice`},
		{`{"type":["string",1]}`, `at /type/1: 1 is not a JSON type (want one of array, boolean, integer, null, number, object, string)`},
		{`{"properties":{"a":{"type":"strin"}}}`, `at /properties/a/type: "strin" is not a JSON type (want one of array, boolean, integer, null, number, object, string)`},
		{`{"properties":[]}`, `at /properties: must be an object of schemas, not array`},
		{`{"properties":{"a":true}}`, `at /properties/a: a schema must be a JSON object, not boolean`},
		{`{"required":"x"}`, `at /required: must be a non-empty array of property names, not "x"`},
		{`{"required":[]}`, `at /required: must be a non-empty array of property names, not array`},
		{`{"required":["a",1,"a"]}`, `at /required/1: must be a property name (a string), not number; at /required: names "a" twice`},
		{`{"required":null}`, `at /required: must be a non-empty array of property names, not null`},
		{`{"enum":[]}`, `at /enum: must not be empty`},
		{`{"enum":[1,1.0]}`, `at /enum: values #0 and #1 are equal; they must be unique`},
		{`{"minLength":-1}`, `at /minLength: must be a whole number, 0 or more, not -1`},
		{`{"maxItems":1.5}`, `at /maxItems: must be a whole number, 0 or more, not 1.5`},
		{`{"minProperties":"2"}`, `at /minProperties: must be a number, not string`},
		{`{"minimum":"0"}`, `at /minimum: must be a number, not string`},
		{`{"exclusiveMinimum":true}`, `at /exclusiveMinimum: needs "minimum" beside it`},
		{`{"maximum":1,"exclusiveMaximum":1}`, `at /exclusiveMaximum: must be true or false, not number`},
		{`{"multipleOf":0}`, `at /multipleOf: must be greater than 0, not 0`},
		{`{"pattern":"("}`, "at /pattern: \"(\" is not a valid regular expression (Go RE2 syntax): error parsing regexp: missing closing ): `(`"},
		{`{"pattern":"(?=a)"}`, "at /pattern: \"(?=a)\" is not a valid regular expression (Go RE2 syntax): error parsing regexp: invalid or unsupported Perl syntax: `(?=`"},
		{`{"patternProperties":{"[":{}}}`, "at /patternProperties/[: \"[\" is not a valid regular expression (Go RE2 syntax): error parsing regexp: missing closing ]: `[`"},
		{`{"additionalProperties":"no"}`, `at /additionalProperties: a schema must be a JSON object, not string`},
		{`{"additionalItems":null}`, `at /additionalItems: must be a boolean or a schema, not null`},
		{`{"items":[{"type":1}]}`, `at /items/0/type: must be a type name or an array of them, not 1`},
		{`{"items":null}`, `at /items: must be a schema or an array of schemas, not null`},
		{`{"uniqueItems":"yes"}`, `at /uniqueItems: must be true or false, not string`},
		{`{"allOf":[]}`, `at /allOf: must not be empty`},
		{`{"anyOf":{}}`, `at /anyOf: must be an array, not object`},
		{`{"oneOf":[{"minimum":"1"}]}`, `at /oneOf/0/minimum: must be a number, not string`},
		{`{"not":[]}`, `at /not: a schema must be a JSON object, not array`},
		{`{"dependencies":{"a":"b"}}`, `at /dependencies/a: a schema must be a JSON object, not string`},
		{`{"dependencies":{"a":[]}}`, `at /dependencies/a: must be a non-empty array of property names, not array`},
		{`{"definitions":{"x":{"type":"foo"}}}`, `at /definitions/x/type: "foo" is not a JSON type (want one of array, boolean, integer, null, number, object, string)`},
		{`{"format":1}`, `at /format: must be a string, not number`},
		{`{"title":{},"description":[]}`, `at /title: must be a string, not object; at /description: must be a string, not array`},
		{`{"$schema":"http://json-schema.org/draft-07/schema#"}`, `at /$schema: "http://json-schema.org/draft-07/schema#": only draft-04 (http://json-schema.org/draft-04/schema#) is supported`},
		{`{"$ref":"http://127.0.0.1:1/x.json"}`, `at /$ref: "http://127.0.0.1:1/x.json" is outside this schema: only references within it ("#" or "#/definitions/...") are supported, and nothing is fetched`},
		{`{"$ref":"other.json#/definitions/a"}`, `at /$ref: "other.json#/definitions/a" is outside this schema: only references within it ("#" or "#/definitions/...") are supported, and nothing is fetched`},
		{`{"$ref":"#foo"}`, `at /$ref: "#foo" names a location by id; only JSON pointers ("#/definitions/...") are supported`},
		{`{"$ref":"#/definitions/nope"}`, `at /$ref: "#/definitions/nope" points to nothing in this schema`},
		{`{"$ref":"#/definitions/a%zz"}`, `at /$ref: "#/definitions/a%zz" is not a valid reference: invalid URL escape "%zz"`},
		{`{"$ref":5}`, `at /$ref: must be a string, not number`},
		{`{"allOf":[{"$ref":"#"}]}`, `the schema refers to itself through $ref without descending into the value, so it can never be checked`},
		{`{"definitions":{"a":{"$ref":"#/definitions/b"},"b":{"not":{"$ref":"#/definitions/a"}}}}`, `at /definitions/a: the schema refers to itself through $ref without descending into the value, so it can never be checked`},
		{`{"$ref":"#/definitions/a","definitions":{"a":{"$ref":"#/enum"}},"enum":[1]}`, `at /enum: a schema must be a JSON object, not array`},
		{`{"properties":{"a":5},"$ref":"#/properties/a"}`, `at /properties/a: a schema must be a JSON object, not number`},
	}
	for _, tc := range cases {
		_, err := Compile([]byte(tc.schema))
		if got := errText(err); got != tc.want {
			t.Errorf("%s\ngot  %s\nwant %s", tc.schema, got, tc.want)
		}
	}
	for _, doc := range []string{`{"type":`, `{} {}`, ``, `{"a":1}x`} {
		if _, err := Compile([]byte(doc)); err == nil {
			t.Errorf("%q compiled", doc)
		}
	}
}

// Recursion through properties is fine: each step descends into the value.
func TestRecursiveSchemaCompiles(t *testing.T) {
	for _, schema := range []string{
		`{"properties":{"next":{"$ref":"#"}}}`,
		`{"anyOf":[{"type":"null"},{"properties":{"a":{"$ref":"#"}}}]}`,
		`{"definitions":{"list":{"items":{"$ref":"#/definitions/list"}}},"$ref":"#/definitions/list"}`,
	} {
		if _, err := Compile([]byte(schema)); err != nil {
			t.Errorf("%s: %v", schema, err)
		}
	}
}

func TestErrorListIsBounded(t *testing.T) {
	s, err := Compile([]byte(`{"additionalProperties":{"type":"string"}}`))
	if err != nil {
		t.Fatal(err)
	}
	v := map[string]any{}
	for _, k := range strings.Split("a b c d e f g h i j k l m n o", " ") {
		v[k] = json.Number("1")
	}
	msg := s.Validate(v).Error()
	if strings.Count(msg, "want string") != maxShown || !strings.HasSuffix(msg, "; and 3 more") {
		t.Errorf("message: %s", msg)
	}
	// encoding/json's own numbers are taken too.
	if err := s.Validate(map[string]any{"a": 1.5}); err == nil || err.Error() != "at /a: want string, got number 1.5" {
		t.Errorf("float64: %v", err)
	}
}

// A schema that branches at every level of a deeply nested value would take
// exponential time; the work is bounded instead.
func TestWorkIsBounded(t *testing.T) {
	s, err := Compile([]byte(`{"anyOf":[{"items":{"$ref":"#"}},{"items":{"$ref":"#"}}],"type":["array","string"]}`))
	if err != nil {
		t.Fatal(err)
	}
	deep := strings.Repeat("[", 40) + "1" + strings.Repeat("]", 40)
	v, err := Decode([]byte(deep))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(v); err == nil || !strings.Contains(err.Error(), "too large or too deeply nested") {
		t.Errorf("got %v", err)
	}
	// Below the bound, the nested reasons are cut short.
	v, _ = Decode([]byte(strings.Repeat("[", 12) + "1" + strings.Repeat("]", 12)))
	if err := s.Validate(v); err == nil || len(err.Error()) > 700 || !strings.HasSuffix(err.Error(), "...)") {
		t.Errorf("got %v", err)
	}
	shallow, _ := Decode([]byte(`[["a"],[["b"]]]`))
	if err := s.Validate(shallow); err != nil {
		t.Errorf("a shallow value: %v", err)
	}
}

func TestConcurrentUse(t *testing.T) {
	s, err := Compile([]byte(`{"properties":{"a":{"pattern":"^x","$ref":"#/definitions/s"}},"definitions":{"s":{"type":"string"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	for range 4 {
		go func() {
			var err error
			for range 100 {
				if err = s.Validate(map[string]any{"a": 1.0}); err == nil {
					break
				}
			}
			done <- err
		}()
	}
	for range 4 {
		if err := <-done; err == nil {
			t.Error("a mismatch passed")
		}
	}
}

// FuzzValidate checks that no schema or value makes Compile or Validate
// panic or loop: go test -fuzz FuzzValidate ./pkg/jsonschema
func FuzzValidate(f *testing.F) {
	f.Add(`{"properties":{"a":{"$ref":"#/definitions/x"}},"definitions":{"x":{"anyOf":[{"type":"string"},{"items":{"$ref":"#"}}]}}}`, `{"a":[{"a":1}]}`)
	f.Add(`{"oneOf":[{"enum":[1,"a",null]},{"not":{"minimum":0}}],"uniqueItems":true}`, `[1,1.0]`)
	f.Add(`{"patternProperties":{"^x":{"maxLength":1}},"dependencies":{"a":["b"],"c":{"required":["d"]}}}`, `{"x1":"ab","a":1,"c":2}`)
	f.Add(`{"items":[{"multipleOf":0.5}],"additionalItems":{"format":"email"}}`, `[1.5,"x"]`)
	f.Fuzz(func(t *testing.T, schema, value string) {
		s, err := Compile([]byte(schema))
		if err != nil {
			return
		}
		v, err := Decode([]byte(value))
		if err != nil {
			return
		}
		_ = s.Validate(v)
	})
}
