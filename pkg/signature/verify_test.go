package signature

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

var specTime = time.Unix(specTimestamp, 0)

func specHeaders(sig string) http.Header {
	h := http.Header{}
	h.Set(HeaderID, specMsgID)
	h.Set(HeaderTimestamp, "1614265330")
	h.Set(HeaderSignature, sig)
	return h
}

func TestVerify(t *testing.T) {
	other, _ := GenerateSecret()
	tests := []struct {
		name    string
		secrets []string
		h       http.Header
		body    string
		now     time.Time
		tol     time.Duration
		want    error // nil: accepted
	}{
		{"spec vector", []string{specSecret}, specHeaders(specSignature), specBody, specTime, 0, nil},
		{"old secret first during rotation", []string{other, specSecret}, specHeaders(specSignature), specBody, specTime, 0, nil},
		{"several signatures, last matches", []string{specSecret},
			specHeaders("v1a,aGVsbG8= v1,Zm9vYmFy v1,not-base64!! " + specSignature), specBody, specTime, 0, nil},
		{"signature split over header lines", []string{specSecret},
			http.Header{"Webhook-Id": {specMsgID}, "Webhook-Timestamp": {"1614265330"}, "Webhook-Signature": {"v1,Zm9v", specSignature}},
			specBody, specTime, 0, nil},
		{"lower-case map keys", []string{specSecret},
			http.Header{HeaderID: {specMsgID}, HeaderTimestamp: {"1614265330"}, HeaderSignature: {specSignature}},
			specBody, specTime, 0, nil},
		{"tampered body", []string{specSecret}, specHeaders(specSignature), `{"test":2432232314}`, specTime, 0, ErrNoMatchingSignature},
		{"tampered id", []string{specSecret}, func() http.Header { h := specHeaders(specSignature); h.Set(HeaderID, "msg_other"); return h }(),
			specBody, specTime, 0, ErrNoMatchingSignature},
		{"wrong secret", []string{other}, specHeaders(specSignature), specBody, specTime, 0, ErrNoMatchingSignature},
		{"only v1a signatures", []string{specSecret}, specHeaders("v1a,aGVsbG8="), specBody, specTime, 0, ErrNoMatchingSignature},
		{"at the old edge", []string{specSecret}, specHeaders(specSignature), specBody, specTime.Add(DefaultTolerance), 0, nil},
		{"too old", []string{specSecret}, specHeaders(specSignature), specBody, specTime.Add(DefaultTolerance + time.Second), 0, ErrTimestampTooOld},
		{"at the new edge", []string{specSecret}, specHeaders(specSignature), specBody, specTime.Add(-DefaultTolerance), 0, nil},
		{"too new", []string{specSecret}, specHeaders(specSignature), specBody, specTime.Add(-DefaultTolerance - time.Second), 0, ErrTimestampTooNew},
		{"custom tolerance", []string{specSecret}, specHeaders(specSignature), specBody, specTime.Add(2 * time.Second), time.Second, ErrTimestampTooOld},
		{"forged and stale reports forgery", []string{other}, specHeaders(specSignature), specBody, specTime.Add(time.Hour), 0, ErrNoMatchingSignature},
		{"missing signature", []string{specSecret}, func() http.Header { h := specHeaders(""); h.Del(HeaderSignature); return h }(),
			specBody, specTime, 0, ErrMissingHeaders},
		{"no headers", []string{specSecret}, http.Header{}, specBody, specTime, 0, ErrMissingHeaders},
		{"timestamp in ms", []string{specSecret}, func() http.Header { h := specHeaders(specSignature); h.Set(HeaderTimestamp, "1614265330.5"); return h }(),
			specBody, specTime, 0, ErrInvalidTimestamp},
		{"no secrets", nil, specHeaders(specSignature), specBody, specTime, 0, ErrInvalidSecret},
		{"one bad secret", []string{specSecret, "whsec_x"}, specHeaders(specSignature), specBody, specTime, 0, ErrInvalidSecret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Verify(tt.secrets, tt.h, []byte(tt.body), tt.now, tt.tol)
			if !errors.Is(err, tt.want) { // errors.Is(err, nil) holds only for a nil err
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestVerifyMissingHeadersNamesThem(t *testing.T) {
	h := http.Header{}
	h.Set(HeaderID, "msg_1")
	err := Verify([]string{specSecret}, h, nil, specTime, 0)
	if msg := err.Error(); !strings.Contains(msg, HeaderTimestamp+", "+HeaderSignature) || strings.Contains(msg, HeaderID+",") {
		t.Fatalf("message should name exactly the missing headers: %v", err)
	}
}

func TestVerifySignerOutputAcrossRotation(t *testing.T) {
	old, _ := GenerateSecret()
	next, _ := GenerateSecret()
	now := time.Date(2026, 8, 24, 12, 0, 0, 0, time.UTC)
	body := []byte(`{"type":"resource.updated"}`)
	for _, phase := range []struct {
		name          string
		signing       []string
		oldOK, nextOK bool
	}{
		{"before", []string{old}, true, false},
		{"overlap", []string{next, old}, true, true},
		{"after", []string{next}, false, true},
	} {
		s, err := NewSigner(phase.signing...)
		if err != nil {
			t.Fatal(err)
		}
		h := s.Headers("msg_rot", now, body)
		if err := Verify([]string{old}, h, body, now, 0); (err == nil) != phase.oldOK {
			t.Errorf("%s: receiver with old secret: %v", phase.name, err)
		}
		if err := Verify([]string{next}, h, body, now, 0); (err == nil) != phase.nextOK {
			t.Errorf("%s: receiver with new secret: %v", phase.name, err)
		}
	}
}

func TestVerifyRequestRestoresBody(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "/hook", strings.NewReader(specBody))
	r.Header = specHeaders(specSignature)
	if err := VerifyRequest([]string{specSecret}, r, specTime); err != nil {
		t.Fatal(err)
	}
	if got, _ := io.ReadAll(r.Body); string(got) != specBody {
		t.Fatalf("body after verification = %q", got)
	}
}

func TestVerifyRequestCapsBody(t *testing.T) {
	big := bytes.Repeat([]byte("x"), MaxBodyBytes+10)
	r := httptest.NewRequest(http.MethodPost, "/hook", bytes.NewReader(big))
	r.Header = specHeaders(specSignature)
	if err := VerifyRequest([]string{specSecret}, r, specTime); !errors.Is(err, ErrBodyTooLarge) {
		t.Fatalf("err = %v, want ErrBodyTooLarge", err)
	}
	if got, _ := io.ReadAll(r.Body); len(got) != len(big) {
		t.Fatalf("restored body has %d bytes, want %d", len(got), len(big))
	}
}

func TestVerifyRequestWithoutBody(t *testing.T) {
	s, _ := NewSigner(specSecret)
	r := httptest.NewRequest(http.MethodPost, "/hook", nil)
	r.Header = s.Headers("msg_empty", specTime, nil)
	if err := VerifyRequest([]string{specSecret}, r, specTime); err != nil {
		t.Fatal(err)
	}
}

// A time.Duration saturates about 292 years out; timestamps beyond that once
// slipped past the future check.
func TestVerifyFarFutureTimestamp(t *testing.T) {
	s, _ := NewSigner(specSecret)
	body := []byte(specBody)
	for _, tt := range []struct {
		name string
		sent int64
		want error
		says string // in the message
	}{
		{"within tolerance", specTimestamp + 60, nil, ""},
		{"an hour ahead", specTimestamp + 3600, ErrTimestampTooNew, "1h0m0s after now"},
		{"year 2426", 14409854765, ErrTimestampTooNew, "signed at 2426-08-18T17:26:05Z, more than 100 years after now"},
		{"2^40 seconds", 1 << 40, ErrTimestampTooNew, "signed at unix time 1099511627776, more than 100 years after now"},
		{"2^62 seconds", 1 << 62, ErrTimestampTooNew, "more than 100 years after now"},
		{"-2^62 seconds", -1 << 62, ErrTimestampTooOld, "more than 100 years before now"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := s.Headers("msg_future", time.Unix(tt.sent, 0), body)
			err := Verify([]string{specSecret}, h, body, specTime, 0)
			if !errors.Is(err, tt.want) || err != nil && !strings.Contains(err.Error(), tt.says) {
				t.Fatalf("Verify = %v, want %v saying %q", err, tt.want, tt.says)
			}
		})
	}
}
