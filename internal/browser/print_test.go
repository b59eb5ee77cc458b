package browser

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

func TestPrintPDF(t *testing.T) {
	pdf, err := Printer{}.PrintPDF(context.Background(),
		[]byte(`<!doctype html><meta charset="utf-8"><p>决策程序合规报告</p>`))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Errorf("got %q…, want a PDF", pdf[:min(len(pdf), 16)])
	}
}

func TestPrintPDFTooLongSaysWhatToDo(t *testing.T) {
	old := printTimeout
	printTimeout = time.Nanosecond
	t.Cleanup(func() { printTimeout = old })
	_, err := Printer{}.PrintPDF(context.Background(), []byte(`<p>report</p>`))
	if err == nil {
		t.Fatal("printed within a nanosecond")
	}
	for _, want := range []string{"within 1ns", "print a smaller report", "HTML or CSV"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("got %q, want it to contain %q", err, want)
		}
	}
}
