package storage

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/s3utils"
	"github.com/minio/minio-go/v7/pkg/signer"
)

// emptyPayloadSHA256 is the SHA-256 of no bytes, the signed payload hash
// of a request without a body.
const emptyPayloadSHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// getAttempts is how many times a GET is sent when MinIO answers that it
// is busy or failed inside (500, 502, 503, 504); getBackoff is the wait
// before the second attempt, four times longer before each next one.
const (
	getAttempts = 3
	getBackoff  = 100 * time.Millisecond
)

// getObject sends one signed GET of the object under key, path-style, and
// returns MinIO's answer when it is 200 OK; the caller reads and closes
// its body. An S3 error document comes back as a minio.ErrorResponse,
// which translate understands; one saying MinIO is busy or failed inside
// is asked again, getAttempts times in all, and then is ErrUnreadable when
// MinIO says it cannot read the object's data (SlowDownRead), else
// ErrUnavailable. An answer MinIO never gives (a redirect, a 200 without
// its headers, an error without S3's document) is ErrUnavailable at once.
//
// This is the read path of Rehash, kept lean on purpose: with 1 MiB
// segments, minio-go's GetObject (its request metadata, name checks, retry
// and trace bookkeeping) took 4% of the client's CPU, against 5% for the
// socket reads of the bytes (BENCHMARKS.md, "Rehash against raw SHA-256").
func (s *Store) getObject(ctx context.Context, key string) (*http.Response, error) {
	location, err := s.location(ctx)
	if err != nil {
		return nil, err
	}
	scheme := "http"
	if s.cfg.Secure {
		scheme = "https"
	}
	path := "/" + s.cfg.Bucket + "/" + key
	// RawPath is the path as sent and as signed: the signer encodes Path
	// the same way to build the canonical request.
	u := url.URL{Scheme: scheme, Host: s.cfg.Endpoint, Path: path,
		RawPath: s3utils.EncodePath(path)}
	backoff := getBackoff
	for attempt := 1; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalidArgument, err)
		}
		req.Header.Set("User-Agent", "Liuhen (rehash)")
		req.Header.Set("X-Amz-Content-Sha256", emptyPayloadSHA256)
		req = signer.SignV4(*req, s.cfg.AccessKey, s.cfg.SecretKey, "", location)
		resp, err := s.reads.RoundTrip(req)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode == http.StatusOK {
			if err := objectAnswer(resp); err != nil {
				resp.Body.Close()
				return nil, s.notMinIO(key, "200 OK %v", err)
			}
			return resp, nil
		}
		if resp.StatusCode >= 300 && resp.StatusCode < 400 {
			resp.Body.Close()
			return nil, s.notMinIO(key, "%s to %q", resp.Status, resp.Header.Get("Location"))
		}
		answer, fromS3 := errorAnswer(resp, s.cfg.Bucket, key)
		if !fromS3 && !busy(resp.StatusCode) {
			// A 204, a 206, a proxy's 403 or 404 page: not MinIO, which
			// answers every error of a GET with its XML document. A 404
			// without one says nothing of the object: taking it as missing
			// would report every segment of a misrouted endpoint as lost.
			return nil, s.notMinIO(key, "%s and no S3 error document", resp.Status)
		}
		if !busy(resp.StatusCode) {
			return nil, answer
		}
		if attempt == getAttempts && fromS3 && answer.Code == codeSlowDownRead {
			return nil, fmt.Errorf("%w: MinIO at %s answered %d times %q (%s, %s): the "+
				"object's data on its drives is damaged beyond what it can rebuild",
				ErrUnreadable, s.cfg.Endpoint, attempt, resp.Status, answer.Code,
				answer.Message)
		}
		if attempt == getAttempts {
			return nil, fmt.Errorf("%w: MinIO at %s answered %d times %q (%s)",
				ErrUnavailable, s.cfg.Endpoint, attempt, resp.Status, answer.Message)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(backoff):
		}
		backoff *= 4
	}
}

// notMinIO is the error of an answer to the GET of key that MinIO never
// gives, described by format and args: something else answers at the
// endpoint, so the store counts as unavailable rather than the object as
// changed.
func (s *Store) notMinIO(key, format string, args ...any) error {
	return fmt.Errorf("%w: the server at %s answered the GET of %s with %s, which MinIO "+
		"never does (a proxy or another server in between?); point LIUHEN_MINIO_ENDPOINT "+
		"at MinIO itself", ErrUnavailable, s.cfg.Endpoint, key, fmt.Sprintf(format, args...))
}

// location is the region requests are signed for: the configured one, or
// the bucket's as MinIO tells it, asked once.
func (s *Store) location(ctx context.Context) (string, error) {
	if s.cfg.Region != "" {
		return s.cfg.Region, nil
	}
	if region := s.region.Load(); region != nil {
		return *region, nil
	}
	region, err := s.client.GetBucketLocation(ctx, s.cfg.Bucket)
	if err != nil {
		return "", err
	}
	s.region.Store(&region)
	return region, nil
}

// objectAnswer checks that a 200 OK answer to a GET is an S3 object as
// MinIO sends one: with its length, which tells a cut-off answer from a
// short object, and its Last-Modified time. An answer without them (a
// proxy's page, a stream cut off with its connection) would otherwise be
// hashed as the object and reported as tampering.
func objectAnswer(resp *http.Response) error {
	if resp.ContentLength < 0 {
		return errors.New("without a Content-Length")
	}
	if _, err := http.ParseTime(resp.Header.Get("Last-Modified")); err != nil {
		return errors.New("without a Last-Modified time")
	}
	return nil
}

// busy tells the statuses worth asking again after a pause.
func busy(status int) bool {
	switch status {
	case http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// errorAnswer reads MinIO's error document from a response that is not
// 200 OK and closes the body; fromS3 tells whether it was one. A body that
// is not S3's XML (a proxy's page, say) still gives the status and names
// the object.
func errorAnswer(resp *http.Response, bucket, key string) (answer minio.ErrorResponse,
	fromS3 bool) {
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	fromS3 = xml.Unmarshal(body, &answer) == nil && answer.Code != ""
	if !fromS3 {
		answer = minio.ErrorResponse{Code: resp.Status,
			Message: "without an S3 error document: a proxy's answer, or MinIO's cut short"}
	}
	answer.StatusCode = resp.StatusCode
	if answer.BucketName == "" {
		answer.BucketName = bucket
	}
	if answer.Key == "" {
		answer.Key = key
	}
	return answer, fromS3
}
