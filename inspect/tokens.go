package inspect

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/liuhen/liuhen/internal/access"
)

// Lifetimes of an inspector token.
const (
	DefaultTokenTTL = 30 * 24 * time.Hour
	MinTokenTTL     = time.Hour
	MaxTokenTTL     = 366 * 24 * time.Hour
)

// tokenBytes is the size of an inspector token's random secret.
const tokenBytes = 32

// Inspector is an inspector token as the administrator sees it: never the
// token itself, which only its holder has.
type Inspector struct {
	ID        int64      `json:"id"`
	Name      string     `json:"name"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt time.Time  `json:"expires_at"`
	RevokedAt *time.Time `json:"revoked_at"`
}

// Tokens issues and checks inspector tokens. Only a token's SHA-256 is
// stored.
type Tokens struct{ pool *pgxpool.Pool }

var _ access.InspectorLookup = (*Tokens)(nil)

// NewTokens returns the inspector tokens kept in pool's database.
func NewTokens(pool *pgxpool.Pool) *Tokens { return &Tokens{pool: pool} }

// CheckName says what is wrong with an inspector's name, or "" when
// nothing is.
func CheckName(name string) string {
	switch {
	case strings.TrimSpace(name) == "":
		return "give the inspector's name, such as 王明 (县纪委监委第二监督检查室)"
	case utf8.RuneCountInString(name) > 200:
		return "give at most 200 characters"
	case strings.ContainsFunc(name, unicode.IsControl):
		return "must not contain control characters such as line breaks"
	}
	return ""
}

// Create issues a token to the inspector name, valid for ttl, and returns
// it with its record. Bad input is an *InputError.
func (t *Tokens) Create(ctx context.Context, name string, ttl time.Duration) (Inspector,
	string, error) {
	name = strings.TrimSpace(name)
	var fe fieldErrors
	if reason := CheckName(name); reason != "" {
		fe.add("name", reason)
	}
	if ttl < MinTokenTTL || ttl > MaxTokenTTL {
		fe.add("ttl_hours", fmt.Sprintf("give from %d to %d hours",
			int(MinTokenTTL.Hours()), int(MaxTokenTTL.Hours())))
	}
	if err := fe.err(); err != nil {
		return Inspector{}, "", fmt.Errorf("create inspector token: %w", err)
	}
	secret := make([]byte, tokenBytes)
	if _, err := rand.Read(secret); err != nil {
		return Inspector{}, "", fmt.Errorf("create inspector token: %w", err)
	}
	token := access.InspectorPrefix + base64.RawURLEncoding.EncodeToString(secret)
	hash := sha256.Sum256([]byte(token))
	row := t.pool.QueryRow(ctx, `INSERT INTO inspector_tokens (name, token_hash, expires_at)
		VALUES ($1, $2, now() + $3::bigint * interval '1 microsecond')
		RETURNING `+inspectorColumns, name, hash[:], ttl.Microseconds())
	in, err := scanInspector(row)
	if err != nil {
		return Inspector{}, "", fmt.Errorf("create inspector token: %w", err)
	}
	return in, token, nil
}

const inspectorColumns = `id, name, created_at, expires_at, revoked_at`

func scanInspector(row pgx.Row) (Inspector, error) {
	var in Inspector
	err := row.Scan(&in.ID, &in.Name, &in.CreatedAt, &in.ExpiresAt, &in.RevokedAt)
	return in, err
}

// InspectorToken returns the id and inspector of a token that is neither
// expired nor revoked; any other token is ErrUnknownToken.
func (t *Tokens) InspectorToken(ctx context.Context, token string) (int64, string, error) {
	hash := sha256.Sum256([]byte(token))
	var id int64
	var name string
	err := t.pool.QueryRow(ctx, `SELECT id, name FROM inspector_tokens
		WHERE token_hash = $1 AND expires_at > now() AND revoked_at IS NULL`,
		hash[:]).Scan(&id, &name)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, "", ErrUnknownToken
	}
	if err != nil {
		return 0, "", fmt.Errorf("look up inspector token: %w", err)
	}
	return id, name, nil
}

// List returns every inspector token, newest first.
func (t *Tokens) List(ctx context.Context) ([]Inspector, error) {
	rows, err := t.pool.Query(ctx, `SELECT `+inspectorColumns+` FROM inspector_tokens
		ORDER BY id DESC`)
	if err != nil {
		return nil, fmt.Errorf("list inspector tokens: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Inspector, error) {
		return scanInspector(r)
	})
	if err != nil {
		return nil, fmt.Errorf("list inspector tokens: %w", err)
	}
	return append(make([]Inspector, 0, len(out)), out...), nil
}

// Get returns token id; an unknown id is ErrNotFound.
func (t *Tokens) Get(ctx context.Context, id int64) (Inspector, error) {
	in, err := scanInspector(t.pool.QueryRow(ctx, `SELECT `+inspectorColumns+`
		FROM inspector_tokens WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return Inspector{}, fmt.Errorf("inspector token %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Inspector{}, fmt.Errorf("read inspector token %d: %w", id, err)
	}
	return in, nil
}

// Revoke withdraws token id at once; revoking it again keeps the first
// time. An unknown id is ErrNotFound.
func (t *Tokens) Revoke(ctx context.Context, id int64) (Inspector, error) {
	in, err := scanInspector(t.pool.QueryRow(ctx, `UPDATE inspector_tokens
		SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1
		RETURNING `+inspectorColumns, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return Inspector{}, fmt.Errorf("revoke inspector token %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Inspector{}, fmt.Errorf("revoke inspector token %d: %w", id, err)
	}
	return in, nil
}
