package importer

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/liuhen/liuhen/agenda"
)

// cleanText trims white space, including the ideographic space (U+3000),
// no-break spaces and zero-width characters, from both ends of a cell.
func cleanText(s string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || r == '\u200B' || r == '\uFEFF' || r == '\u00A0'
	})
}

// fold is the form of a cell used to read numbers, dates, codes and
// choices: NFKC turns full-width digits, letters, punctuation and spaces
// into their plain forms (１２３ → 123, ＱＳ－０１ → QS-01, ￥ → ¥).
func fold(s string) string {
	if ascii(s) { // NFKC leaves ASCII as it is
		return strings.TrimSpace(s)
	}
	return cleanText(norm.NFKC.String(s))
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// squeeze is fold without any white space and in lower case, for
// comparing choices and headers.
func squeeze(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '\u200B' || r == '\uFEFF' {
			return -1
		}
		return unicode.ToLower(r)
	}, norm.NFKC.String(s))
}

// excelErrors are the values Excel shows for a formula that failed.
var excelErrors = []string{"#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!"}

// excelError reports the Excel error a cell holds, or "".
func excelError(v string) string {
	if !strings.HasPrefix(v, "#") && !strings.HasPrefix(v, "＃") {
		return ""
	}
	for _, e := range excelErrors {
		if strings.EqualFold(fold(v), e) {
			return e
		}
	}
	return ""
}

const amountHelp = "write a number of yuan such as 50000, 50,000.00, 5万元, 5.5万 or ￥80000"

var errNegative = errors.New("must not be negative")

// parseAmount reads a sum of money: plain or grouped digits, a currency
// sign or 元, 万 (10,000) or 亿 (100,000,000), and, for numbers a workbook
// stores as binary floating point, the artefacts of that (0.30000000000000004).
// scale multiplies a plain number, for a column headed "金额（万元）".
func parseAmount(v string, scale int64) (agenda.Amount, error) {
	s := strings.ReplaceAll(fold(v), " ", "")
	for _, p := range []string{"¥", "RMB", "rmb", "CNY", "cny", "人民币"} {
		s = strings.TrimPrefix(s, p)
	}
	s = strings.TrimSuffix(strings.TrimSuffix(s, "整"), "元")
	switch {
	case strings.HasSuffix(s, "万"):
		s, scale = strings.TrimSuffix(s, "万"), 10_000
	case strings.HasSuffix(s, "亿"):
		s, scale = strings.TrimSuffix(s, "亿"), 100_000_000
	}
	if strings.HasPrefix(s, "-") || (strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")")) {
		return 0, errNegative
	}
	s = strings.ReplaceAll(s, ",", "")
	if strings.ContainsAny(s, "eE") || fracDigits(s) > 6 {
		s = roundFloat(s)
	}
	return shiftAmount(s, scale)
}

func fracDigits(s string) int {
	_, frac, ok := strings.Cut(s, ".")
	if !ok {
		return 0
	}
	return len(frac)
}

// roundFloat rounds a number a workbook stored as a double to whole fen
// when it lies within a rounding error of it; anything else is left as it
// is, to be refused.
func roundFloat(s string) string {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f > 1e15 {
		return s
	}
	fen := math.Round(f * 100)
	if math.Abs(f*100-fen) > 1e-6*math.Max(1, fen) {
		return s
	}
	return strconv.FormatFloat(fen/100, 'f', 2, 64)
}

// shiftAmount multiplies a decimal string by scale and returns it in fen,
// refusing anything finer than a fen or larger than numeric(18, 2).
func shiftAmount(s string, scale int64) (agenda.Amount, error) {
	whole, frac, dot := strings.Cut(s, ".")
	if !digits(whole) || (dot && !digits(frac)) {
		return 0, fmt.Errorf("is not an amount: %s", amountHelp)
	}
	shift := 2 + len(strconv.FormatInt(scale, 10)) - 1 // 100·scale is a power of ten
	for len(frac) < shift {
		frac += "0"
	}
	if strings.Trim(frac[shift:], "0") != "" {
		return 0, fmt.Errorf("has more decimals than a fen (0.01 yuan): round it to 2 " +
			"decimal places of yuan")
	}
	fenDigits := strings.TrimLeft(whole+frac[:shift], "0")
	if len(fenDigits) > 18 {
		return 0, fmt.Errorf("is too large: at most 16 digits of yuan")
	}
	if fenDigits == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(fenDigits, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("is too large: at most 16 digits of yuan")
	}
	return agenda.Amount(n), nil
}

func digits(s string) bool {
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

// parseCount reads a whole number of at least zero, such as a vote count
// or an item's order ("3", "３", "3.0" as a workbook stores it, "第3项").
func parseCount(v string) (int, error) {
	s := strings.TrimSuffix(strings.TrimPrefix(fold(v), "第"), "项")
	s = strings.TrimSuffix(strings.TrimSuffix(s, "票"), "人")
	if f, err := strconv.ParseFloat(s, 64); err == nil && f == math.Trunc(f) &&
		f >= 0 && f < 1e9 && !strings.ContainsAny(s, "eE+-") {
		return int(f), nil
	}
	return 0, errors.New("is not a whole number: write digits such as 3")
}

// boolWords are the ways offices write yes and no.
var boolWords = map[string]bool{
	"是": true, "否": false, "√": true, "✓": true, "✔": true, "×": false, "✗": false,
	"✘": false, "y": true, "n": false, "yes": true, "no": false, "true": true,
	"false": false, "1": true, "0": false, "需要": true, "不需要": false, "要": true,
	"不要": false, "须": true, "必须": true, "有": true, "无": false, "应": true,
	"不适用": false, "-": false, "/": false,
}

// parseBool reads 是/否, √/×, Y/N and their kin.
func parseBool(v string) (bool, error) {
	b, ok := boolWords[squeeze(v)]
	if !ok {
		return false, errors.New("is not yes or no: write 是 or 否 (also √, ×, Y, N)")
	}
	return b, nil
}
