package evidence

import "crypto/sha256"

// Domain-separation prefixes of the Merkle tree (RFC 6962 §2.1).
const (
	leafPrefix = 0x00
	nodePrefix = 0x01
)

// MerkleRoot returns the root of the Merkle tree over the segments'
// SHA-256 digests, in the order the manifest lists the segments. The tree
// is the Merkle Tree Hash of RFC 6962 §2.1 with SHA-256, where the input
// of each leaf is one segment's 32-byte digest d[i]:
//
//	leaf(d)        = SHA-256(0x00 || d)
//	node(l, r)     = SHA-256(0x01 || l || r)
//	MTH(d[0:1])    = leaf(d[0])
//	MTH(d[0:n])    = node(MTH(d[0:k]), MTH(d[k:n])), n > 1,
//	                 k the largest power of two smaller than n
//	MTH(d[0:0])    = SHA-256("") (a bundle always holds a segment)
//
// The one-byte prefixes keep a leaf from ever hashing like a node, so no
// list of digests can be passed off as another one with the same root
// (a second preimage made of inner nodes). Built level by level, the same
// tree pairs nodes left to right and carries an odd node at the end of a
// level up unchanged: it is never paired with a copy of itself, which
// would give [a b c] and [a b c c] the same root.
func MerkleRoot(digests [][32]byte) [32]byte {
	leaves := make([][]byte, len(digests))
	for i := range digests {
		leaves[i] = digests[i][:]
	}
	return merkleTreeHash(leaves)
}

// merkleTreeHash is RFC 6962's MTH over leaves of any length.
func merkleTreeHash(leaves [][]byte) [32]byte {
	if len(leaves) == 0 {
		return sha256.Sum256(nil)
	}
	level := make([][32]byte, len(leaves))
	for i, d := range leaves {
		level[i] = hashWithPrefix(leafPrefix, d)
	}
	for len(level) > 1 {
		next := level[:0:0]
		for i := 0; i+1 < len(level); i += 2 {
			next = append(next, hashWithPrefix(nodePrefix, level[i][:], level[i+1][:]))
		}
		if len(level)%2 == 1 {
			next = append(next, level[len(level)-1])
		}
		level = next
	}
	return level[0]
}

func hashWithPrefix(prefix byte, parts ...[]byte) [32]byte {
	h := sha256.New()
	h.Write([]byte{prefix})
	for _, p := range parts {
		h.Write(p)
	}
	var sum [32]byte
	h.Sum(sum[:0])
	return sum
}
