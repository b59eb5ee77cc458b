// Package evidence makes evidence bundles, files that hold the recorded
// evidence of one decision or agenda item, signed by the server, and
// verifies them offline. It uses the standard library only, so that an
// inspector can build the verifier alone, with no Liuhen service.
//
// # Container
//
// A bundle is a ZIP archive (APPNOTE 6.3; ZIP64 when large), which every
// desktop system opens without extra software. Segments are stored
// uncompressed (method 0), byte for byte as they are in the evidence
// store; the JSON files are deflated. The archive holds:
//
//	segments/recording-{r}/track-{t}/{seq:06}.webm  master segments (.mkv for H.264)
//	records/{kind}-{id}.json                        database records (see Record)
//	manifest.json                                   what the bundle holds
//	manifest.sig                                    Ed25519 signature of manifest.json
//
// The segments are those, of every track of the recording, whose media
// range overlaps a stretch in which the agenda item was discussed (its
// index points); the records are the meeting and its body, the agenda
// item, the decisions linked to it, their procedure-list matters and the
// item's, and the recordings.
//
// # Manifest
//
// manifest.json (see Manifest) names the format, the subject, the signer's
// public key and the index points; it lists the segments in recording,
// track and sequence order, each with its media start and end and the
// SHA-256 Liuhen catalogued while recording it; the MerkleRoot over those
// digests in that order; and every other file of the archive, segments
// first, with its size and SHA-256. Digests are lowercase hex.
//
// # Signature
//
// manifest.sig is the 64-byte Ed25519 signature (RFC 8032) of the bytes of
// manifest.json exactly as stored, with no canonical form to recompute.
// The server's public key is standard base64 of its 32 bytes (see
// EncodePublicKey). OpenSSL 3 checks the signature too:
//
//	openssl pkeyutl -verify -pubin -inkey liuhen.pub.pem -rawin \
//	    -in manifest.json -sigfile manifest.sig
//
// and sha256sum checks each extracted file against the manifest.
//
// # Verification
//
// VerifyFile checks the signature under the key the inspector trusts, the
// manifest's own consistency, and every file's size and SHA-256, and lists
// every problem: a changed, missing or extra file, a segment holding
// another segment's bytes (reordered), an edited manifest, another key.
package evidence
