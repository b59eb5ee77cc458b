package evidence

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

// TestMerkleTreeHashRFC6962 checks the tree against the published test
// vectors of RFC 6962's reference implementation (certificate-transparency
// merkle tree tests): the roots over the first n of eight leaves.
func TestMerkleTreeHashRFC6962(t *testing.T) {
	leaves := []string{"", "00", "10", "2021", "3031", "40414243",
		"5051525354555657", "606162636465666768696a6b6c6d6e6f"}
	roots := []string{
		"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
		"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
		"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
		"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
		"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
		"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
		"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
		"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
	}
	data := make([][]byte, len(leaves))
	for i, l := range leaves {
		data[i], _ = hex.DecodeString(l)
	}
	for n := 1; n <= len(leaves); n++ {
		got := merkleTreeHash(data[:n])
		if hex.EncodeToString(got[:]) != roots[n-1] {
			t.Errorf("root of %d leaves: got %x, want %s", n, got, roots[n-1])
		}
	}
}

// TestMerkleRoot spells the tree out by hand for small counts, so that the
// leaf and node prefixes and the odd-node rule are checked one by one.
func TestMerkleRoot(t *testing.T) {
	d := make([][32]byte, 7)
	for i := range d {
		d[i] = sha256.Sum256([]byte{byte(i)})
	}
	leaf := func(i int) [32]byte { return sum(append([]byte{0}, d[i][:]...)) }
	node := func(l, r [32]byte) [32]byte {
		return sum(append(append([]byte{1}, l[:]...), r[:]...))
	}
	n01, n23, n45 := node(leaf(0), leaf(1)), node(leaf(2), leaf(3)), node(leaf(4), leaf(5))
	cases := []struct {
		name string
		n    int
		want [32]byte
	}{
		{"none", 0, sha256.Sum256(nil)},
		{"one leaf is its leaf hash", 1, leaf(0)},
		{"two", 2, n01},
		{"three: the odd leaf goes up unchanged", 3, node(n01, leaf(2))},
		{"four", 4, node(n01, n23)},
		{"five", 5, node(node(n01, n23), leaf(4))},
		{"six", 6, node(node(n01, n23), n45)},
		{"seven", 7, node(node(n01, n23), node(n45, leaf(6)))},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := MerkleRoot(d[:c.n]); got != c.want {
				t.Errorf("MerkleRoot of %d: got %x, want %x", c.n, got, c.want)
			}
		})
	}
}

// TestMerkleRootDistinguishes checks that lists an attacker might swap in
// do not share a root: a reordering, a duplicated last segment, and the
// two inner nodes of a tree passed off as leaves.
func TestMerkleRootDistinguishes(t *testing.T) {
	a, b, c := sha256.Sum256([]byte("a")), sha256.Sum256([]byte("b")), sha256.Sum256([]byte("c"))
	abc := MerkleRoot([][32]byte{a, b, c})
	inner := [][32]byte{hashWithPrefix(leafPrefix, a[:]), hashWithPrefix(leafPrefix, b[:])}
	cases := []struct {
		name  string
		other [][32]byte
		base  [32]byte
	}{
		{"reordered", [][32]byte{b, a, c}, abc},
		{"last duplicated", [][32]byte{a, b, c, c}, abc},
		{"inner nodes as leaves", inner, MerkleRoot([][32]byte{a, b})},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if MerkleRoot(tc.other) == tc.base {
				t.Errorf("got the same root %x for a different list", tc.base)
			}
		})
	}
}

func sum(b []byte) [32]byte { return sha256.Sum256(b) }
