package viewing

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"time"

	"github.com/liuhen/liuhen/storage"
)

// Objects is the evidence store as viewing copies use it; *storage.Store
// is one.
type Objects interface {
	// PutFile uploads the file at path under key, never replacing another
	// object; the store checks the bytes against sum on receipt.
	PutFile(ctx context.Context, key, path string, sum [32]byte, contentType string) error
	// PresignGet returns a URL that reads key for ttl, and an error
	// matching storage.ErrNotFound when there is no such object.
	PresignGet(ctx context.Context, key string, ttl time.Duration) (*url.URL, error)
}

var _ Objects = (*storage.Store)(nil)

// fetchTTL is how long a worker's link to a master segment stays valid.
const fetchTTL = 15 * time.Minute

// fetchSegment downloads a master segment into dir, hashing it on the way,
// and checks its size and SHA-256 against the catalogue: a copy is made
// only from the bytes the evidence record names.
func fetchSegment(ctx context.Context, objects Objects, client *http.Client, dir string,
	g sourceSegment) (string, error) {
	u, err := objects.PresignGet(ctx, g.key, fetchTTL)
	if errors.Is(err, storage.ErrNotFound) {
		return "", fmt.Errorf("master segment %s is missing from the evidence store: %w",
			g.key, err)
	}
	if err != nil {
		return "", fmt.Errorf("fetch master segment %s: %w", g.key, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return "", fmt.Errorf("fetch master segment %s: %w", g.key, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("fetch master segment %s: %w", g.key, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("fetch master segment %s: the evidence store answered %s",
			g.key, resp.Status)
	}
	dst := filepath.Join(dir, fmt.Sprintf("%06d%s", g.seq, path.Ext(g.key)))
	if err := saveChecked(resp.Body, dst, g); err != nil {
		return "", err
	}
	return dst, nil
}

// saveChecked writes r to dst and compares what it wrote with g.
func saveChecked(r io.Reader, dst string, g sourceSegment) error {
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("save master segment %s: %w", g.key, err)
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("save master segment %s: %w", g.key, err)
	}
	var sum [32]byte
	copy(sum[:], h.Sum(nil))
	if n != g.size || sum != g.sum {
		return fmt.Errorf("master segment %s: read %d bytes with SHA-256 %x, catalogued %d "+
			"bytes with %x: %w", g.key, n, sum, g.size, g.sum, ErrSourceChanged)
	}
	return nil
}

// hashFile returns the SHA-256 and size of a file.
//
// The copy is hashed in one pass after the muxer finishes rather than while
// it writes: faststart rewrites the file at the end to put the index in
// front, so the bytes written first are not the bytes stored. The object
// store then checks the upload against this hash.
func hashFile(p string) ([32]byte, int64, error) {
	var sum [32]byte
	f, err := os.Open(p)
	if err != nil {
		return sum, 0, fmt.Errorf("hash viewing copy: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return sum, 0, fmt.Errorf("hash viewing copy: %w", err)
	}
	copy(sum[:], h.Sum(nil))
	return sum, n, nil
}
