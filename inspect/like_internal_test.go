package inspect

import (
	"context"
	"fmt"
	"testing"

	"github.com/liuhen/liuhen/internal/testenv"
)

// TestLikeEscapesWildcards checks that a text's % and _ and \ match only
// themselves, and that case is ignored.
func TestLikeEscapesWildcards(t *testing.T) {
	pool := testenv.Database(t)
	tests := []struct {
		doc, text string
		want      bool
	}{
		{"repair under", "r_u", false},
		{"repair r_u", "r_u", true},
		{"rate 50 per cent", "50%", false},
		{"rate 50% of", "50%", true},
		{`path a\b`, `a\b`, true},
		{"path ab", `a\b`, false},
		{"ppp项目合作", "PPP项目", true},
		{"村道路硬化工程", "道路", true},
	}
	for _, tt := range tests {
		var got bool
		sql := "SELECT " + fmt.Sprintf(likeSQL, "$2") + " FROM (SELECT $1::text AS doc) s"
		if err := pool.QueryRow(context.Background(), sql, tt.doc, tt.text).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != tt.want {
			t.Errorf("%q contains %q: got %v, want %v", tt.doc, tt.text, got, tt.want)
		}
	}
}
