package evidence

import (
	"crypto/ed25519"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestGenerateAndLoadKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys", "signing.key")
	pub, err := GenerateKeyFile(path)
	if err != nil {
		t.Fatalf("generate: %v", err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("key file: got %v, %v; want mode 0600", st.Mode(), err)
	}
	key, err := LoadKeyFile(path)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if !pub.Equal(key.Public()) {
		t.Errorf("the loaded key's public key is not the one generated")
	}
	before, _ := os.ReadFile(path)
	_, err = GenerateKeyFile(path)
	after, _ := os.ReadFile(path)
	if !errors.Is(err, ErrKeyExists) || !strings.Contains(err.Error(), "never replaces") ||
		string(before) != string(after) {
		t.Errorf("generate over a key: got %v, want ErrKeyExists and the key unchanged", err)
	}
	again, created, err := LoadOrCreateKeyFile(path)
	if err != nil || created || !again.Equal(key) {
		t.Errorf("load or create an existing key: got created %v, %v; want the same key", created, err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("got %d files beside the key, want none", len(entries)-1)
	}
}

func TestLoadOrCreateKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "signing.key")
	key, created, err := LoadOrCreateKeyFile(path)
	if err != nil || !created || len(key) != ed25519.PrivateKeySize {
		t.Fatalf("got created %v, err %v; want a new key", created, err)
	}
}

func TestLoadKeyRefuses(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct {
		name string
		path string
		want error
		says string
	}{
		{"no file", filepath.Join(dir, "none.key"), ErrNoKey, "liuhen keygen"},
		{"not PEM", write("text.key", "hello"), ErrBadKey, `no PEM block "PRIVATE KEY"`},
		{"PEM of garbage", write("bad.key", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"),
			ErrBadKey, "bad.key"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := LoadKeyFile(c.path)
			if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.says) {
				t.Errorf("got %v, want %v saying %q", err, c.want, c.says)
			}
		})
	}
}

func TestParsePublicKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "signing.key")
	pub, err := GenerateKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b64 := EncodePublicKey(pub)
	pemText, err := PublicKeyPEM(pub)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	b64File, pemFile := filepath.Join(dir, "liuhen.pub"), filepath.Join(dir, "liuhen.pem")
	_ = os.WriteFile(b64File, []byte(b64+"\n"), 0o644)
	_ = os.WriteFile(pemFile, []byte(pemText), 0o644)
	good := []struct{ name, arg string }{
		{"base64", b64}, {"base64 file", b64File}, {"PEM file", pemFile},
	}
	for _, c := range good {
		t.Run(c.name, func(t *testing.T) {
			got, err := ReadPublicKey(c.arg)
			if err != nil || !got.Equal(pub) {
				t.Errorf("ReadPublicKey(%q): got %v, %v; want the key", c.arg, got, err)
			}
		})
	}
	bad := []struct{ name, arg, says string }{
		{"not base64", "not a key!", "is no file and no key"},
		{"too short", "AAAA", "base64 of 3 bytes, not of 32"},
		{"private key file", path, "no PEM block \"PUBLIC KEY\""},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadPublicKey(c.arg)
			if !errors.Is(err, ErrBadKey) || !strings.Contains(err.Error(), c.says) {
				t.Errorf("ReadPublicKey(%q): got %v, want ErrBadKey saying %q", c.arg, err, c.says)
			}
		})
	}
}
