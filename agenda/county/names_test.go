package county

import (
	"strings"
	"testing"
)

func TestNameFor(t *testing.T) {
	if got := NameFor("linxi"); got != "临溪县" {
		t.Errorf("NameFor(linxi): got %s, want 临溪县", got)
	}
	seen := map[string]string{}
	for _, code := range []string{"hexi", "hexi2", "clitest", "shanbei", "a"} {
		got := NameFor(code)
		if !strings.HasSuffix(got, "县") || got == "临溪县" || len([]rune(got)) != 3 {
			t.Errorf("NameFor(%s): got %s, want a made-up name of three characters ending in 县",
				code, got)
		}
		if again := NameFor(code); again != got {
			t.Errorf("NameFor(%s): got %s, then %s; want the same name each time", code, got,
				again)
		}
		if other, ok := seen[got]; ok {
			t.Errorf("NameFor(%s) and NameFor(%s): both %s, want names of their own", code,
				other, got)
		}
		seen[got] = code
	}
	o := DefaultOptions()
	o.Code, o.Name = "hexi", NameFor("hexi")
	if err := o.Validate(); err != nil {
		t.Errorf("options with a derived name: %v", err)
	}
}
