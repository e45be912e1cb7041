package cli

import "testing"

func TestParseBytes(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true},
		{"1073741824", 1 << 30, true},
		{"512M", 512 << 20, true},
		{"4G", 4 << 30, true},
		{"4g", 4 << 30, true},
		{"1.5GiB", 3 << 29, true},
		{"2TB", 2 << 40, true},
		{"64K", 64 << 10, true},
		{"", 0, false},
		{"4X", 0, false},
		{"-1G", 0, false},
		{"NaN", 0, false},
		{"1e30G", 0, false},
		{"G", 0, false},
	} {
		got, err := parseBytes(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseBytes(%q) = %d, %v; want %d, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
	if d := defaultMemory(); d <= 0 {
		t.Errorf("defaultMemory() = %d, want a positive limit", d)
	}
}
