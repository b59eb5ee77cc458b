package agenda

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/liuhen/liuhen/internal/access"
)

var _ access.TokenLookup = (*Store)(nil)

// tokenBytes is the size of a publish token's random secret.
const tokenBytes = 32

// CreatePublishToken issues a token that lets a meeting room publish meeting
// meetingID and mark its agenda items for ttl. Only the token's SHA-256 is
// stored. An unknown meeting is ErrNotFound.
func (s *Store) CreatePublishToken(ctx context.Context, meetingID int64, ttl time.Duration) (
	string, error) {
	if ttl <= 0 {
		var fe fieldErrors
		fe.add("ttl", "must be positive")
		return "", fmt.Errorf("create publish token: %w", fe.err())
	}
	secret := make([]byte, tokenBytes)
	if _, err := rand.Read(secret); err != nil {
		return "", fmt.Errorf("create publish token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(secret)
	hash := sha256.Sum256([]byte(token))
	_, err := s.pool.Exec(ctx, `INSERT INTO publish_tokens (meeting_id, token_hash, expires_at)
		VALUES ($1, $2, now() + $3::bigint * interval '1 microsecond')`,
		meetingID, hash[:], ttl.Microseconds())
	if isForeignKeyViolation(err) {
		return "", fmt.Errorf("create publish token: meeting %d: %w", meetingID, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("create publish token: %w", err)
	}
	return token, nil
}

// TODO(token-revoke): a token lives until it expires. A revoked_at column
// and an admin endpoint would let a lost token be withdrawn early.

// PublishTokenMeeting returns the meeting a publish token was issued for. An
// unknown or expired token is ErrUnknownToken.
func (s *Store) PublishTokenMeeting(ctx context.Context, token string) (int64, error) {
	hash := sha256.Sum256([]byte(token))
	var id int64
	err := s.pool.QueryRow(ctx, `SELECT meeting_id FROM publish_tokens
		WHERE token_hash = $1 AND expires_at > now()`, hash[:]).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, ErrUnknownToken
	}
	if err != nil {
		return 0, fmt.Errorf("look up publish token: %w", err)
	}
	return id, nil
}
