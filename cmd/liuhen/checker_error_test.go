package main

import (
	"errors"
	"fmt"
	"testing"

	"github.com/liuhen/liuhen/storage"
	"github.com/liuhen/liuhen/verify"
)

// TestCheckerErrorOfRefusedCredentials: MinIO refusing the credentials
// mid-run stops verify as a store that cannot be used for now (503, a
// sweep without RECORDING_TAMPERED), not as a failure of the server (500,
// no sweep at all).
func TestCheckerErrorOfRefusedCredentials(t *testing.T) {
	for _, cause := range []error{storage.ErrInvalidConfig, storage.ErrUnavailable} {
		err := checkerError("k", fmt.Errorf("rehash object k: %w: denied", cause))
		if !errors.Is(err, verify.ErrStoreUnavailable) || !errors.Is(err, cause) {
			t.Errorf("%v: got %v, want verify.ErrStoreUnavailable keeping the cause", cause, err)
		}
	}
	if err := checkerError("k", storage.ErrNotFound); !errors.Is(err, verify.ErrObjectMissing) {
		t.Errorf("not found: got %v, want verify.ErrObjectMissing", err)
	}
	// A damaged object is a finding about it, not a store to try later.
	err := checkerError("k", fmt.Errorf("rehash object k: %w: SlowDownRead", storage.ErrUnreadable))
	if !errors.Is(err, verify.ErrObjectUnreadable) || errors.Is(err, verify.ErrStoreUnavailable) {
		t.Errorf("unreadable: got %v, want verify.ErrObjectUnreadable alone", err)
	}
}
