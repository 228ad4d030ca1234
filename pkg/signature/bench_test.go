package signature_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/centralhq/central/pkg/signature"
)

// BenchmarkSign is the price of signing one 1 KiB webhook body, the size
// `central bench` sends, with one secret and during a rotation with two.
func BenchmarkSign(b *testing.B) {
	body := bytes.Repeat([]byte("x"), 1024)
	now := time.Unix(1700000000, 0)
	for _, n := range []int{1, 2} {
		b.Run(map[int]string{1: "secrets=1", 2: "secrets=2"}[n], func(b *testing.B) {
			var secrets []string
			for range n {
				s, err := signature.GenerateSecret()
				if err != nil {
					b.Fatal(err)
				}
				secrets = append(secrets, s)
			}
			// The dispatcher builds a signer when it reads the webhook's
			// secrets, and signs every attempt with it.
			s, err := signature.NewSigner(secrets...)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				s.Headers("msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", now, body)
			}
		})
	}
}

// BenchmarkVerify is a receiver checking that signature.
func BenchmarkVerify(b *testing.B) {
	body := bytes.Repeat([]byte("x"), 1024)
	now := time.Now()
	secret, err := signature.GenerateSecret()
	if err != nil {
		b.Fatal(err)
	}
	s, err := signature.NewSigner(secret)
	if err != nil {
		b.Fatal(err)
	}
	h := s.Headers("msg_1", now, body)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if err := signature.Verify([]string{secret}, h, body, now, 5*time.Minute); err != nil {
			b.Fatal(err)
		}
	}
}
