package evidence

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Key files. The private key is PEM of PKCS #8 ("PRIVATE KEY", RFC 8410
// §7), which OpenSSL reads too (openssl pkey -in signing.key -pubout).
// A public key is written as standard base64 (RFC 4648 §4) of its 32
// bytes (RFC 8032 §5.1.5), 44 characters that fit on a command line;
// ParsePublicKey also reads PEM of SubjectPublicKeyInfo ("PUBLIC KEY",
// RFC 8410 §4), the form OpenSSL writes.
const (
	pemPrivateKey = "PRIVATE KEY"
	pemPublicKey  = "PUBLIC KEY"
	// maxKeyFile bounds what is read from a key file.
	maxKeyFile = 64 << 10
)

// GenerateKeyFile writes a new Ed25519 signing key to path, readable only
// by its owner, and returns its public key. It never replaces a file:
// when path exists it returns an error matching ErrKeyExists. The key is
// written to a temporary file beside path first, so that path holds a
// whole key or nothing.
func GenerateKeyFile(path string) (ed25519.PublicKey, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate signing key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("encode signing key: %w", err)
	}
	data := pem.EncodeToMemory(&pem.Block{Type: pemPrivateKey, Bytes: der})
	if err := writeNewFile(path, data); err != nil {
		return nil, err
	}
	return pub, nil
}

func writeNewFile(path string, data []byte) error {
	if _, err := os.Lstat(path); err == nil {
		return keyExists(path)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create directory of signing key %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(dir, ".signing-key-*")
	if err != nil {
		return fmt.Errorf("write signing key %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write signing key %s: %w", path, err)
	}
	// A hard link fails when path exists, even if it appeared just now.
	if err := os.Link(tmp.Name(), path); errors.Is(err, fs.ErrExist) {
		return keyExists(path)
	} else if err != nil {
		return fmt.Errorf("write signing key %s: %w", path, err)
	}
	return nil
}

func keyExists(path string) error {
	return fmt.Errorf("%w: %s; Liuhen never replaces a signing key, since bundles "+
		"signed with it would no longer verify against the published public key; "+
		"move it away first, or set LIUHEN_SIGNING_KEY_FILE to another path", ErrKeyExists, path)
}

// LoadKeyFile reads the signing key at path. A missing file is an error
// matching ErrNoKey, one that holds no Ed25519 key in PKCS #8 PEM one
// matching ErrBadKey.
func LoadKeyFile(path string) (ed25519.PrivateKey, error) {
	data, err := readBounded(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w at %s: create one with `liuhen keygen` (or start "+
			"`liuhen serve`, which creates it), or set LIUHEN_SIGNING_KEY_FILE", ErrNoKey, path)
	} else if err != nil {
		return nil, fmt.Errorf("read signing key: %w", err)
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != pemPrivateKey {
		return nil, fmt.Errorf("read signing key %s: %w: it holds no PEM block %q",
			path, ErrBadKey, pemPrivateKey)
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("read signing key %s: %w: %v", path, ErrBadKey, err)
	}
	priv, ok := key.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("read signing key %s: %w: it holds a %T", path, ErrBadKey, key)
	}
	return priv, nil
}

// LoadOrCreateKeyFile reads the signing key at path, generating it first
// when there is none; created tells which.
func LoadOrCreateKeyFile(path string) (key ed25519.PrivateKey, created bool, err error) {
	key, err = LoadKeyFile(path)
	if !errors.Is(err, ErrNoKey) {
		return key, false, err
	}
	if _, err := GenerateKeyFile(path); err != nil && !errors.Is(err, ErrKeyExists) {
		return nil, false, err
	}
	key, err = LoadKeyFile(path) // another process may have won the race
	return key, err == nil, err
}

// EncodePublicKey writes pub as standard base64 of its 32 bytes.
func EncodePublicKey(pub ed25519.PublicKey) string {
	return base64.StdEncoding.EncodeToString(pub)
}

// PublicKeyPEM writes pub as PEM of SubjectPublicKeyInfo.
func PublicKeyPEM(pub ed25519.PublicKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", fmt.Errorf("encode public key: %w", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: pemPublicKey, Bytes: der})), nil
}

// ParsePublicKey reads an Ed25519 public key written as base64 of its 32
// bytes, or as PEM of SubjectPublicKeyInfo.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "-----BEGIN") {
		return parsePublicPEM(s)
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %q is neither base64 nor PEM", ErrBadKey, abbreviate(s))
	}
	if len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("%w: base64 of %d bytes, not of %d", ErrBadKey, len(b),
			ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(b), nil
}

func parsePublicPEM(s string) (ed25519.PublicKey, error) {
	block, _ := pem.Decode([]byte(s))
	if block == nil || block.Type != pemPublicKey {
		return nil, fmt.Errorf("%w: no PEM block %q", ErrBadKey, pemPublicKey)
	}
	key, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadKey, err)
	}
	pub, ok := key.(ed25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("%w: the PEM holds a %T", ErrBadKey, key)
	}
	return pub, nil
}

// ReadPublicKey reads the public key arg names: the path of a file that
// holds one (base64 or PEM), or the base64 key itself.
func ReadPublicKey(arg string) (ed25519.PublicKey, error) {
	if st, err := os.Stat(arg); err == nil && st.Mode().IsRegular() {
		data, err := readBounded(arg)
		if err != nil {
			return nil, fmt.Errorf("read public key: %w", err)
		}
		pub, err := ParsePublicKey(string(data))
		if err != nil {
			return nil, fmt.Errorf("read public key file %s: %w", arg, err)
		}
		return pub, nil
	}
	pub, err := ParsePublicKey(arg)
	if err != nil {
		return nil, fmt.Errorf("public key %q is no file and no key: %w", abbreviate(arg), err)
	}
	return pub, nil
}

func readBounded(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err == nil && len(data) > maxKeyFile {
		err = fmt.Errorf("%s is larger than a key file can be (%d bytes)", path, maxKeyFile)
	}
	return data, err
}

func abbreviate(s string) string {
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}
