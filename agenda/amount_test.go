package agenda

import (
	"encoding/json"
	"testing"
)

func TestAmountJSON(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Amount
		out  string
	}{
		{"whole yuan", "50000", 5000000, "50000"},
		{"one decimal", "1234.5", 123450, "1234.5"},
		{"two decimals", "0.05", 5, "0.05"},
		{"trailing zero", "7.10", 710, "7.1"},
		{"zero", "0", 0, "0"},
		{"sixteen digits", "9999999999999999.99", 999999999999999999, "9999999999999999.99"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a Amount
			if err := json.Unmarshal([]byte(tt.in), &a); err != nil {
				t.Fatalf("unmarshal %s: %v", tt.in, err)
			}
			if a != tt.want {
				t.Errorf("got %d fen, want %d", a, tt.want)
			}
			b, err := json.Marshal(a)
			if err != nil {
				t.Fatalf("marshal: %v", err)
			}
			if string(b) != tt.out {
				t.Errorf("got %s, want %s", b, tt.out)
			}
		})
	}
}

func TestAmountJSONRefuses(t *testing.T) {
	for _, in := range []string{
		`-1`, `1.234`, `1e5`, `"50000"`, `1.`, `true`, `{}`, `12345678901234567`,
	} {
		t.Run(in, func(t *testing.T) {
			var a Amount
			if err := json.Unmarshal([]byte(in), &a); err == nil {
				t.Errorf("got %d fen and no error, want an error", a)
			}
		})
	}
}

func TestAmountString(t *testing.T) {
	if got, want := Amount(-150).String(), "-1.5"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if got, want := Yuan(3).String(), "3"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
