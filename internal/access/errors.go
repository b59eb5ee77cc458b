package access

import "errors"

var (
	// ErrNoToken means the request carries no bearer token.
	ErrNoToken = errors.New("no bearer token: send the header Authorization: Bearer <token>")

	// ErrUnknownToken means the token is neither the admin token nor a
	// publish token that is still valid. A TokenLookup returns an error that
	// matches it (errors.Is) for a token it does not know or that expired.
	ErrUnknownToken = errors.New("unknown or expired token")
)
