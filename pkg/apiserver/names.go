package apiserver

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"strings"

	"github.com/centralhq/central/pkg/api"
	"github.com/centralhq/central/pkg/store"
)

// checkName enforces the Amplify name rule (api.CheckName) on a name a
// request gives.
func checkName(name string) error {
	if err := api.CheckName(name); err != nil {
		return invalid("/name", "%s", err.Error())
	}
	return nil
}

// slug turns a title into a name: "Webhook.site listener" -> "webhook-site-listener".
func slug(title string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(title) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			continue
		}
		dash = true
	}
	s := b.String()
	if len(s) > api.MaxNameLength-4 { // room for a "-NNN" suffix
		s = strings.TrimRight(s[:api.MaxNameLength-4], "-")
	}
	return s
}

var (
	adjectives = []string{"agile", "bold", "brave", "calm", "eager", "edgy", "fancy", "giant", "happy", "jolly", "keen", "lucky", "mellow", "nimble", "proud", "quick", "shiny", "swift", "witty", "zippy"}
	animals    = []string{"badger", "bison", "chicken", "crane", "dolphin", "falcon", "gecko", "heron", "koala", "lynx", "marmot", "otter", "panda", "puffin", "rhino", "salmon", "tiger", "walrus", "warrior", "yak"}
)

func pick(words []string) string {
	n, _ := rand.Int(rand.Reader, big.NewInt(int64(len(words))))
	return words[n.Int64()]
}

// generateName names a resource that came without one: from its title, or
// adjective-animal, with a numeric suffix while the name is taken.
func generateName(ctx context.Context, tx store.Tx, key store.Key, title string) (string, error) {
	base := slug(title)
	if base == "" {
		base = pick(adjectives) + "-" + pick(animals)
	}
	for i := 1; ; i++ {
		key.Name = base
		if i > 1 {
			key.Name = fmt.Sprintf("%s-%d", base, i)
		}
		_, err := tx.ResourceGet(ctx, key)
		if err == store.ErrNotFound {
			return key.Name, nil
		}
		if err != nil {
			return "", err
		}
	}
}
