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
//   - format characters (U+200B, U+00AD, U+FEFF, U+200E, ...), variation
//     selectors and the combining grapheme joiner (U+034F), which are
//     deleted rather than treated as separators;
//   - compatibility forms: every letter is read by its compatibility
//     decomposition (NFKD), so ligatures from PDF extraction (ﬁ, ﬀ), the
//     full-width and half-width forms of CJK-sourced pages (ＡＳＥＡＮ, ｶﾞ)
//     and compatibility jamo key as the letters they stand for. NFKD only
//     maps characters to the letters they are drawn as; what else a
//     decomposition holds (the space of U+037A) is dropped;
//   - look-alike letters: Ð U+00D0 and ð U+00F0 are read as Đ and đ, and
//     Greek or Cyrillic letters that look like Latin ones inside an
//     otherwise Latin word ("pаypal" with a Cyrillic а, "ΝEWS" with a Greek
//     Ν), as typed by spammers and by copy-paste from other keyboard
//     layouts, are read as the Latin letters. A word with a Greek or
//     Cyrillic letter that looks like no Latin one, or without a Latin
//     letter, is left as it is: Москва stays Москва;
//   - camelCase splits by segmenters: a capital letter after a small one
//     starts a new token, so "iPhone" and "i Phone" both give "i phone";
//   - hyphens: a hyphen between two letters does not split a word, on one
//     line (well-known keys as wellknown) or at the end of a line
//     (inte-⏎gration keys as integration, as PDF and OCR text has it; a
//     soft hyphen at a line end too). Joining every hyphenated word is what
//     makes the line-end rule safe: no rule can tell a word hyphenated by
//     typesetting from a compound that happens to break at its own hyphen,
//     and both now key the same whichever line they fall on. A hyphen with
//     a space on either side, or before a blank line, still separates.
//     [ScanLines] splits lines so that a joined word stays whole.
//
// Tokens never cross a delimiter (an ASCII byte other than a letter, a
// digit or '-') but in those two places and in the spaceless runs below,
// so a text is also read run by run: [RunEnd] finds a run's end, and
// [RunAlone] says whether a Scanner reading the run alone gives the
// tokens it has in the text. A caller that sees the same runs again and
// again (package dedup, on a corpus) keeps what a Scanner made of each.
//
// With [Normalizer.FoldDiacritics] set, all diacritics are dropped too and
// đ becomes d, so an accent-free copy keys like its original. Diacritics
// are the marks of the Combining Diacritical Marks blocks (every mark of
// Vietnamese, and Greek and Cyrillic accents), Hebrew points and Arabic
// vowel signs: marks that sit on a letter without making it another one.
// The marks of Thai, Lao, Khmer, Myanmar and the Indic scripts are vowels
// and parts of letters, and the Kana voicing marks tell か from が; they are
// kept, as folding them would merge unrelated words.
//
// # Scripts written without spaces
//
// Han, Hiragana and Katakana characters are one token each, with the
// marks that follow them (the voicing marks of NFD text), as those scripts
// do not separate words with spaces and one character carries about as
// much as a Vietnamese syllable. Hangul syllables are one token each too,
// composed from whatever form they arrive in (precomposed, the conjoining
// jamo of NFD text, compatibility jamo), so that NFC and NFD copies key
// alike and so do copies that space Korean words differently (할 수 있다,
// 할수있다), a difference common between outlets.
//
// Thai, Lao, Khmer, Myanmar and the Tai scripts also go without spaces
// between words, and their segmenters insert spaces or zero-width spaces
// at places that differ from tool to tool. Their letters are not words or
// syllables on their own, so one letter is too small a token. A run of
// such a script is read as a stream of letters (each with its marks, in
// code point order, so that every typing order of a vowel sign and a tone
// mark keys alike), skipping the spaces, '_' and punctuation inside it,
// which cannot be told from a segmenter's; a letter of another script, a
// digit or a line break ends it. The stream is cut into tokens by content:
// between two letters whose pair hashes to 0 modulo 3. Tokens then average
// three letters, about a syllable, so DefaultSize tokens span about five
// syllables and are as distinctive as a Vietnamese shingle, whatever a
// segmenter did, and an edit changes only the tokens around it.
//
// Invalid UTF-8 bytes separate tokens, like spaces; they never stop the
// scan (inside a run of a script without spaces they are skipped like
// punctuation).
//
// # Stable hashes
//
// Token and shingle hashes are a stored format, identified by [Version]:
//
//	token hash   = XXH64(key, seed 0), key = the token's normalized UTF-8 bytes
//	shingle hash = XXH64(LE64(t1) || LE64(t2) || ... || LE64(tn), seed 0)
//
// where t1..tn are consecutive token hashes and LE64 is the 8-byte
// little-endian encoding; a run of a script without spaces is cut between
// two letters when XXH64 of their keys' bytes is 0 modulo 3. Known-answer tests freeze them; any change to
// normalization or hashing bumps [Version].
//
// [AppendShingles], and so [Shingler.AppendHashes], hashes eight windows
// at once with AVX-512 where the CPU has it (amd64, unless built with the
// purego tag): the same XXH64, one window a vector lane, about six times
// the portable loop's speed (BenchmarkAppendShingles). Tests hold both to
// [HashTokens].
//
// All functions and methods of the package's value types (Normalizer,
// Shingler) are safe for concurrent use. A [Scanner] is not.
package shingle

// Version identifies the normalization rules and hash functions. Hashes
// produced under different versions must not be compared. Version 3
// deletes the combining grapheme joiner, which version 2 kept as a mark.
const Version = 3
