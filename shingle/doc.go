// Package shingle turns article text into word n-gram shingles hashed to
// stable uint64 values, ignoring how a copy was segmented and typed.
//
// Text is split into tokens: runs of letters and combining marks. Everything
// else separates tokens: whitespace of any kind, '_' (the joiner of
// Vietnamese word segmenters), punctuation, symbols and digits. Runs of
// digits are reported as separate number tokens, which never enter shingles,
// so a copy whose numbers were masked ("4 7") shingles like the original
// ("12/9 ,"). Each letter token is keyed so that these spellings are equal:
//
//   - NFC and NFD, and any order of combining marks (a letter keeps at most
//     16 marks besides its tone, the smallest code points);
//   - old and new tone-mark placement (hòa/hoà, khỏe/khoẻ, thủy/thuỷ): the
//     five Vietnamese tone marks (U+0300, U+0301, U+0303, U+0309, U+0323) are
//     moved to the end of their token;
//   - letter case;
//   - format characters (U+200B, U+00AD, U+FEFF, U+200E, ...), which are
//     deleted rather than treated as separators;
//   - the look-alikes Ð U+00D0 and ð U+00F0, read as Đ and đ;
//   - camelCase splits by segmenters: a capital letter after a small one
//     starts a new token, so "iPhone" and "i Phone" both give "i phone".
//
// With [Normalizer.FoldDiacritics] set, all diacritics are dropped too and
// đ becomes d, so an accent-free copy keys like its original.
//
// Han, Hiragana and Katakana characters are one token each, as those
// scripts do not separate words with spaces. Thai, Lao, Khmer and Burmese
// are not segmented: a run of them is one token. Hangul is compared in the
// form it arrives in (precomposed syllables and conjoining jamo differ).
//
// Invalid UTF-8 bytes separate tokens, like spaces; they never stop the scan.
//
// # Stable hashes
//
// Token and shingle hashes are a stored format, identified by [Version]:
//
//	token hash   = XXH64(key, seed 0), key = the token's normalized UTF-8 bytes
//	shingle hash = XXH64(LE64(t1) || LE64(t2) || ... || LE64(tn), seed 0)
//
// where t1..tn are consecutive token hashes and LE64 is the 8-byte
// little-endian encoding. Known-answer tests freeze them; any change to
// normalization or hashing bumps [Version].
//
// All functions and methods of the package's value types (Normalizer,
// Shingler) are safe for concurrent use. A [Scanner] is not.
package shingle

// Version identifies the normalization rules and hash functions. Hashes
// produced under different versions must not be compared.
const Version = 1
