package rsql

import "testing"

// benchQuery is what a console list filter sends: a wildcard, a membership
// test over an array, a timestamp bound and a null check.
const benchQuery = "title=='*store*';tags=in=(dev,prod);metadata.audit.createTimestamp>2024-01-01T00:00:00.000+0000;owner.id==null"

func BenchmarkMatch(b *testing.B) {
	doc := decode(b, false)
	e, err := Parse(benchQuery)
	if err != nil {
		b.Fatal(err)
	}
	if !e.Match(doc) {
		b.Fatal("the benchmark query does not match the document")
	}
	b.ReportAllocs()
	for b.Loop() {
		e.Match(doc)
	}
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(benchQuery); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMatchWith matches a =with= over the references and one over the
// tags: Match only walks the document, the quoted queries having been
// parsed by Parse.
func BenchmarkMatchWith(b *testing.B) {
	doc := decode(b, false)
	e, err := Parse("metadata.references=with='kind==Secret;name==k*';tags=without='@==dev'")
	if err != nil {
		b.Fatal(err)
	}
	if !e.Match(doc) {
		b.Fatal("the benchmark query does not match the document")
	}
	b.ReportAllocs()
	for b.Loop() {
		e.Match(doc)
	}
}
