package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/liuhen/liuhen/internal/testenv"
)

// runCaptured runs liuhen with args and returns its exit status, standard
// output and standard error.
func runCaptured(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	dir := t.TempDir()
	outF, _ := os.Create(filepath.Join(dir, "out"))
	errF, _ := os.Create(filepath.Join(dir, "err"))
	oldOut, oldErr := os.Stdout, os.Stderr
	os.Stdout, os.Stderr = outF, errF
	code := run(args)
	os.Stdout, os.Stderr = oldOut, oldErr
	outF.Close()
	errF.Close()
	out, _ := os.ReadFile(outF.Name())
	errOut, _ := os.ReadFile(errF.Name())
	return code, string(out), string(errOut)
}

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestImportCommand runs `liuhen import` on the real PostgreSQL: a good
// file, the same again, a dry run, and each kind of bad input with its
// exit status and message.
func TestImportCommand(t *testing.T) {
	t.Setenv("LIUHEN_DATABASE_URL", testenv.DatabaseURL(t))
	units := filepath.Join("..", "..", "testdata", "import", "units.csv")
	bodies := filepath.Join("..", "..", "testdata", "import", "bodies.xlsx")

	steps := []struct {
		name   string
		args   []string
		env    map[string]string
		want   int
		stdout []string
		stderr []string
	}{
		{"dry run", []string{"import", "units", units, "--dry-run"}, nil, exitOK,
			[]string{"dry run: nothing was written", "org_units  5        0        0"}, nil},
		{"units", []string{"import", "units", units}, nil, exitOK,
			[]string{"units.csv: 5 rows of units read", "org_units  5        0        0",
				"columns not read: units: 序号"}, nil},
		{"units again", []string{"import", "units", units}, nil, exitOK,
			[]string{"org_units  0        0        5"}, nil},
		{"bodies from a workbook", []string{"import", "bodies", bodies}, nil, exitOK,
			[]string{"members         6"}, nil},
		{"bad rows", []string{"import", "units", writeTemp(t, "bad.csv",
			"单位编码,单位名称,层级,上级单位编码\nN1,新村,小组,QSZ\nN2,,村,NOWHERE\n")}, nil,
			exitUsage, nil, []string{"the file has 3 errors; nothing was imported",
				"sheet bad, row 2, column 层级: 「小组」 is not a level",
				"sheet bad, row 3, column 单位名称: is empty",
				"sheet bad, row 3, column 上级单位编码: 「NOWHERE」 is no unit"}},
		{"not a spreadsheet", []string{"import", "units", writeTemp(t, "list.pdf",
			"%PDF-1.4\n")}, nil, exitUsage, nil, []string{"not a spreadsheet", "PDF"}},
		{"empty file", []string{"import", "units", writeTemp(t, "empty.csv", "")}, nil,
			exitUsage, nil, []string{"the file is empty"}},
		{"too large", []string{"import", "units", units},
			map[string]string{"LIUHEN_IMPORT_MAX_BYTES": "100"}, exitUsage, nil,
			[]string{"larger than 100 bytes", "LIUHEN_IMPORT_MAX_BYTES"}},
		{"unknown kind", []string{"import", "people", units}, nil, exitUsage, nil,
			[]string{"unknown import kind \"people\": use one of units, bodies"}},
		{"missing file", []string{"import", "units", "no-such.csv"}, nil, exitUsage, nil,
			[]string{"open no-such.csv"}},
		{"no file given", []string{"import", "units"}, nil, exitUsage, nil,
			[]string{"give KIND and FILE"}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			for k, v := range s.env {
				t.Setenv(k, v)
			}
			code, out, errOut := runCaptured(t, s.args...)
			if code != s.want {
				t.Errorf("exit status: got %d, want %d\nstdout: %s\nstderr: %s", code, s.want,
					out, errOut)
			}
			for _, w := range s.stdout {
				if !strings.Contains(out, w) {
					t.Errorf("stdout: got %q, want it to contain %q", out, w)
				}
			}
			for _, w := range s.stderr {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr: got %q, want it to contain %q", errOut, w)
				}
			}
		})
	}
}

// TestImportProgressLines checks the plain progress written when standard
// error is not a terminal: a line every progressEvery rows of a long
// import, none for a short one.
func TestImportProgressLines(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "progress"))
	if err != nil {
		t.Fatal(err)
	}
	p := newProgress(f)
	for done := 1000; done <= 25_000; done += 1000 {
		p("writing decisions", done, 25_000)
	}
	p("reading", 5, 5)
	f.Close()
	got, _ := os.ReadFile(f.Name())
	want := "import: writing decisions 10000 of 25000 rows\n" +
		"import: writing decisions 20000 of 25000 rows\n" +
		"import: writing decisions 25000 of 25000 rows\n"
	if string(got) != want {
		t.Errorf("progress lines: got %q, want %q", got, want)
	}
}
