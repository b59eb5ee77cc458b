// Package viewing makes viewing copies: one H.264/AAC MP4 per recording,
// transcoded from its master segments by a background job, stored apart
// from the evidence, and served through the API.
package viewing
