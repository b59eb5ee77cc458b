// Package pgtext tells whether a string can be a value of PostgreSQL's text
// type, which holds UTF-8 without NUL: such a value in a query parameter
// fails the whole query, so callers refuse it first, naming the field.
package pgtext

import (
	"strings"
	"unicode/utf8"
)

// Valid reports whether s is valid UTF-8 and holds no NUL byte.
func Valid(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }
