package signature

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// pythonHMAC is an independent implementation of the signature, written from
// the spec rather than from this package. It reads a JSON list of vectors on
// stdin (key and body base64-encoded, so arbitrary bytes pass intact) and
// prints one signature per line; one process for all vectors keeps the test
// fast. -I isolates the interpreter from PYTHONPATH and user site packages.
const pythonHMAC = `
import base64, hashlib, hmac, json, sys
for v in json.load(sys.stdin):
    content = v["id"].encode() + b"." + str(v["ts"]).encode() + b"." + base64.b64decode(v["body"] or "")
    mac = hmac.new(base64.b64decode(v["key"]), content, hashlib.sha256).digest()
    print("v1," + base64.b64encode(mac).decode())
`

// vector is one message to sign; []byte fields marshal as base64, and a
// nil body as null, which the script reads as empty.
type vector struct {
	Key   []byte `json:"key"`
	MsgID string `json:"id"`
	TS    int64  `json:"ts"`
	Body  []byte `json:"body"`
}

// signWithPython fails the test, rather than skipping it, when python3 is
// missing: a cross-check that silently does not run proves nothing, and
// python3 is part of both the development machine and CI.
func signWithPython(t *testing.T, vectors ...vector) []string {
	t.Helper()
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Fatalf("python3 is required for the independent cross-check: %v", err)
	}
	in, err := json.Marshal(vectors)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), python, "-I", "-c", pythonHMAC)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v: %s", err, stderr.Bytes())
	}
	sigs := strings.Fields(string(out))
	if len(sigs) != len(vectors) {
		t.Fatalf("python3 printed %d signatures for %d vectors: %q", len(sigs), len(vectors), out)
	}
	return sigs
}

func randomBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func randomInt(t *testing.T, lo, hi int64) int64 {
	t.Helper()
	n, err := rand.Int(rand.Reader, big.NewInt(hi-lo+1))
	if err != nil {
		t.Fatal(err)
	}
	return lo + n.Int64()
}

func TestSignMatchesPython(t *testing.T) {
	vectors := []vector{
		{mustParse(t, specSecret), specMsgID, specTimestamp, []byte(specBody)},
		{randomBytes(t, 32), "msg_empty", 1700000000, nil},
		{randomBytes(t, 64), "msg_ü", 1, []byte("{\"name\": \"Zoë\"}\r\n\n")},
		{randomBytes(t, 24), "msg_bin", 4102444800, randomBytes(t, 4096)},
	}
	for range 16 {
		vectors = append(vectors, vector{
			Key:   randomBytes(t, int(randomInt(t, MinSecretBytes, MaxSecretBytes))),
			MsgID: "msg_" + base64.RawURLEncoding.EncodeToString(randomBytes(t, 12)),
			TS:    randomInt(t, 0, 1<<40),
			Body:  randomBytes(t, int(randomInt(t, 0, 2048))),
		})
	}
	want := signWithPython(t, vectors...)
	if want[0] != specSignature {
		t.Fatalf("python3 gives %s for the spec vector, want %s", want[0], specSignature)
	}
	for i, v := range vectors {
		if got := Sign(v.Key, v.MsgID, time.Unix(v.TS, 0), v.Body); got != want[i] {
			t.Errorf("vector %d (%d-byte key, id %q, ts %d, %d-byte body): Sign = %s, python3 = %s",
				i, len(v.Key), v.MsgID, v.TS, len(v.Body), got, want[i])
		}
	}
}

// TestVerifyAcceptsPython checks the other direction: a signature made by
// the independent implementation passes Verify.
func TestVerifyAcceptsPython(t *testing.T) {
	key := randomBytes(t, 32)
	now := time.Now()
	body := []byte(`{"type":"resource.created","data":{"name":"petstore"}}`)
	sig := signWithPython(t, vector{key, "msg_py", now.Unix(), body})[0]

	h := specHeaders(sig)
	h.Set(HeaderID, "msg_py")
	h.Set(HeaderTimestamp, strconv.FormatInt(now.Unix(), 10))
	secret := SecretPrefix + base64.StdEncoding.EncodeToString(key)
	if err := Verify([]string{secret}, h, body, now, 0); err != nil {
		t.Fatal(err)
	}
}
