package agenda

import (
	"errors"
	"strconv"
	"strings"
)

// Amount is a sum of money in fen (分, 1/100 CNY), the precision of the
// numeric(18, 2) columns. In JSON it is a number of yuan such as 50000 or
// 1234.5.
type Amount int64

// maxAmountDigits is the number of integer digits numeric(18, 2) holds.
const maxAmountDigits = 16

// Yuan returns an amount of whole yuan.
func Yuan(y int64) Amount { return Amount(y * 100) }

// String formats a as yuan with at most two decimals.
func (a Amount) String() string {
	sign := ""
	if a < 0 {
		sign, a = "-", -a
	}
	whole, fen := int64(a)/100, int64(a)%100
	if fen == 0 {
		return sign + strconv.FormatInt(whole, 10)
	}
	frac := strings.TrimSuffix(strconv.FormatInt(100+fen, 10)[1:], "0")
	return sign + strconv.FormatInt(whole, 10) + "." + frac
}

// MarshalJSON writes a as a JSON number of yuan.
func (a Amount) MarshalJSON() ([]byte, error) {
	return []byte(a.String()), nil
}

// errAmountFormat is the reason given for any amount that is not a plain
// number of yuan.
var errAmountFormat = errors.New("must be a number of yuan, not negative, " +
	"with at most 2 decimal places and 16 integer digits, such as 50000 or 1234.50")

// UnmarshalJSON reads a JSON number of yuan. It refuses negative numbers,
// exponents, more than two decimals and more than 16 integer digits rather
// than rounding.
func (a *Amount) UnmarshalJSON(b []byte) error {
	s := string(b)
	whole, frac, _ := strings.Cut(s, ".")
	if !allDigits(whole) || len(whole) > maxAmountDigits || len(frac) > 2 ||
		(strings.Contains(s, ".") && (frac == "" || !allDigits(frac))) {
		return errAmountFormat
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return errAmountFormat
	}
	for len(frac) < 2 {
		frac += "0"
	}
	f, _ := strconv.ParseInt(frac, 10, 64)
	*a = Amount(w*100 + f)
	return nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
