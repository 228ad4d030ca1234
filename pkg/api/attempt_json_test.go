package api

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"
)

func attemptSamples() []Attempt {
	at := Time{time.Date(2026, 11, 23, 5, 25, 48, 123e6, time.UTC)}
	return []Attempt{
		{},
		{Number: 1, Trigger: TriggerScheduled, StartedAt: at, DurationMs: 3, StatusCode: 204,
			ResponseHeaders: map[string]string{"Date": "Mon, 23 Nov 2026 05:25:48 GMT", "Content-Length": "0"}},
		{Number: 7, Trigger: TriggerManual, StartedAt: at, DurationMs: 30000, ErrorClass: ErrorTimeout,
			Error: `Post "http://127.0.0.1:1/x?a=1&b=<2>": context deadline exceeded`, Note: "no auth secret"},
		{Number: -1, StatusCode: -1, DurationMs: -1},
		{Number: 2, Trigger: TriggerTest, StartedAt: at, StatusCode: 500, ErrorClass: ErrorHTTP, Error: "HTTP 500",
			ResponseHeaders: map[string]string{"X-\"Odd\"": "tab\there\r\nnew", "Ctl": "\x00\x01\x1f\x7f"},
			ResponseBody:    "not UTF-8: \xff\xfe, a line separator \u2028 and \u2029, emoji 🙂, quote \" backslash \\"},
	}
}

// decodesAlike checks that a's AppendJSON is valid JSON and decodes to
// what json.Marshal's encoding of it decodes to; it returns both.
func decodesAlike(t *testing.T, a Attempt) (ours, std []byte) {
	t.Helper()
	ours = a.AppendJSON(nil)
	if !json.Valid(ours) {
		t.Fatalf("invalid JSON %q", ours)
	}
	std, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	var fromOurs, fromStd Attempt
	if err := json.Unmarshal(ours, &fromOurs); err != nil {
		t.Fatalf("%q: %v", ours, err)
	}
	if err := json.Unmarshal(std, &fromStd); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fromOurs, fromStd) {
		t.Errorf("decoded apart:\n ours %s\n std  %s", ours, std)
	}
	return ours, std
}

// TestAttemptAppendJSON keeps the hand-written encoding decoding to what
// encoding/json's encoding decodes to, and byte for byte the same where
// no string holds <, > or &.
func TestAttemptAppendJSON(t *testing.T) {
	for i, a := range attemptSamples() {
		t.Run(fmt.Sprint("sample ", i), func(t *testing.T) {
			ours, std := decodesAlike(t, a)
			if i != 2 && string(ours) != string(std) { // 2 has <, > and &, which json.Marshal escapes
				t.Errorf("ours %s, std %s", ours, std)
			}
		})
	}
}

// TestAttemptAppendJSONHasEveryField fails when Attempt gains a field that
// AppendJSON does not write: every field is set, and must come back.
func TestAttemptAppendJSONHasEveryField(t *testing.T) {
	var a Attempt
	v := reflect.ValueOf(&a).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		switch f.Interface().(type) {
		case string, AttemptTrigger, ErrorClass:
			f.SetString("x")
		case int, int64:
			f.SetInt(int64(i + 1))
		case Time:
			f.Set(reflect.ValueOf(Time{time.Date(2026, 1, 2, 3, 4, 5, 6e6, time.UTC)}))
		case map[string]string:
			f.Set(reflect.ValueOf(map[string]string{"k": "v"}))
		default:
			t.Fatalf("field %s: teach this test and AppendJSON its type %s", v.Type().Field(i).Name, f.Type())
		}
	}
	var back Attempt
	if err := json.Unmarshal(a.AppendJSON(nil), &back); err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(back)
	want, _ := json.Marshal(a)
	if string(got) != string(want) {
		t.Fatalf("AppendJSON leaves a field out:\n got  %s\n want %s", got, want)
	}
}

func FuzzAttemptAppendJSON(f *testing.F) {
	f.Add(1, int64(3), 204, "scheduled", "", "error", "note", "body", "key", "value")
	f.Add(-1, int64(-5), -2, "\x7f", "http", "\xff", "\b\f", "\u2028<&>", "\x00", "\"\\")
	f.Fuzz(func(t *testing.T, number int, dur int64, status int, trigger, class, errText, note, body, k, v string) {
		a := Attempt{Number: number, Trigger: AttemptTrigger(trigger), DurationMs: dur, StatusCode: status,
			ErrorClass: ErrorClass(class), Error: errText, Note: note, ResponseBody: body,
			ResponseHeaders: map[string]string{k: v, k + "2": v}}
		decodesAlike(t, a)
	})
}

func BenchmarkAttemptJSON(b *testing.B) {
	a := attemptSamples()[1]
	b.Run("encoding/json", func(b *testing.B) {
		for b.Loop() {
			_, _ = json.Marshal(a)
		}
	})
	b.Run("AppendJSON", func(b *testing.B) {
		for b.Loop() {
			_ = a.AppendJSON(nil)
		}
	})
}
