package fielderr

import (
	"errors"
	"fmt"
	"testing"
)

var errBad = errors.New("bad value")

func TestAll(t *testing.T) {
	a, b, c := New(errBad, "limit", "too big"), New(errBad, "offset", "negative"),
		New(nil, "unit", "unknown")
	err := fmt.Errorf("list: %w", errors.Join(a, fmt.Errorf("page: %w", errors.Join(b, c)),
		errors.New("not a field error")))
	got := All(err)
	if len(got) != 3 || got[0] != a || got[1] != b || got[2] != c {
		t.Fatalf("got %v, want the three field errors in order", got)
	}
	if !errors.Is(a, errBad) || a.Error() != "limit: too big" {
		t.Errorf("got %q, Is %v; want \"limit: too big\" wrapping the sentinel", a,
			errors.Is(a, errBad))
	}
	if p := Problems(err); len(p) != 3 || p[1].Field != "offset" || p[1].Reason != "negative" {
		t.Errorf("Problems: got %+v", p)
	}
	if All(nil) != nil || All(errors.New("x")) != nil {
		t.Error("All of no field error: got some")
	}
}
