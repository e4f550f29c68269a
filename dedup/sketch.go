package dedup

import (
	"cmp"
	"math"
	"slices"
	"sync"

	"github.com/cespare/xxhash/v2"

	"github.com/neardup/neardup/shingle"
)

// Sketch is what neardup keeps of a document to compare it with others:
// the MinHash signature of its content shingles at 16 bits a hash, its
// counts of shingles, words and boilerplate words, the hashes of its lead
// and headline, a sample of its numbers in their contexts, and its chunks
// for alignment (stage.Inspect shows them). A Sketch is immutable once
// made and safe to share between goroutines; the zero Sketch has no
// content and matches nothing.
//
// Its counts are int32, not int: a million sketches take 136 MB instead
// of 168, in the batch path's flat array and in the pages it is gathered
// in. A count saturates at math.MaxInt32 (see sat32), which only a text
// of several gigabytes could reach. A sketch of Cluster or ClusterReader
// run with Config.SpillDir keeps its chunks and number sample in a file
// (see spill) and reads them from it when they are needed.
type Sketch struct {
	// sig is the MinHash signature of the document's content shingles, in
	// compact form.
	sig compact
	// shingles is the number of distinct content shingles.
	shingles int32
	// headline identifies the document's first line with words, when it
	// is short enough to be a headline (shortLineWords): a 16-bit hash of
	// its words (high half) and a 16-bit hash of its numbers in order (low
	// half, 0 when it has none). Boilerplate or not, it is the line that
	// names a report's edition ("MIDWEST GRAIN FUTURES 11:10 EDT",
	// "BANGKOK TAPIOCA - APRIL 7").
	headline uint32
	// lead is a hash of the first leadWords words of the first content
	// line that has that many, or 0 if none has. Truncated copies keep
	// their article's lead; menus, breadcrumbs and date lines, which a
	// page may carry above it, are shorter lines and do not shift it.
	lead uint64
	// words is the number of content words; marked of them carried
	// diacritics, and retyped of them were read through a typing accident
	// (shingle.Token.Retyped: a ligature, a full-width form, a look-alike
	// letter, a line-end hyphen).
	words, marked, retyped int32
	// boilerplateWords is the number of words on boilerplate lines, which
	// are left out of everything else.
	boilerplateWords int32
	// numbers summarizes the numbers of the text.
	numbers numberSketch
	// chunks are the content's pieces in text order, for alignment (see
	// Chunk); at most maxChunks.
	chunks []chunk
	// cold, when not nil, holds the chunks in a spill file instead, at
	// coldAt (see spill and Config.SpillDir), and the number sample with
	// them when coldAt counts it; chunks, and numbers.Sample then, are
	// nil.
	cold   *spill
	coldAt uint64
}

// leadWords is how many words make a document's lead: about a Vietnamese
// headline's first half, or an English headline; too few to be shared by
// different articles except by a common opening formula, long enough that
// two copies of one article share it whatever their boilerplate, once
// that is removed.
const leadWords = 8

// numberSketchSize is how many number contexts a sketch keeps (a bottom-k
// sample by context hash): all of them up to 32, a uniform sample beyond.
const numberSketchSize = 32

// numberSketch summarizes the numbers of a document: its number tokens and
// its number words (see numberWords). Its contexts and sample come from
// every line, boilerplate included (a report's figures may stand on lines
// that recur across its family); Count and Real from the content's number
// tokens.
type numberSketch struct {
	// Count is the number of number tokens; Real of them are written as
	// only real numbers are: with two different digits ("2016", "12"), or
	// joined to the number before them by one of . , / : - (a decimal, a
	// fraction, a date, a time, a range) with another value on each side
	// ("1.5", "6-1/4", "12/9").
	Count, Real int32
	// Contexts is the number of distinct number contexts: the two words
	// before a number, the word after it and its place in a run of numbers
	// ("họp ngày 12/9 tại" gives 12 and 9 the context "họp ngày … tại" at
	// places 0 and 1). Number words (numberWord) have contexts too; they
	// do not count in Count or Real.
	Contexts int32
	// Sample holds the numbers of the numberSketchSize smallest context
	// hashes, sorted by context then value.
	Sample []numberInContext
}

// numberInContext is a number and the hash of its context, each the high
// 16 bits of a 64-bit hash: 4 bytes an entry. Two different numbers (or
// contexts) share 16 bits with probability 1/65536, so a false agreement
// or a spurious shared context is rare, and the number check needs several
// disagreeing contexts before it acts.
type numberInContext struct {
	Context, Value uint16
}

// kind is what a stored sketch keeps of Count and Real: whether the
// content has numbers, and whether they are real.
func (n numberSketch) kind() uint8 {
	switch {
	case n.Real > 0:
		return 1
	case n.Count > 0:
		return 2
	}
	return 0
}

// setKind sets Count and Real from a stored kind.
func (n *numberSketch) setKind(k uint8) {
	n.Count, n.Real = min(int32(k), 1), int32(k&1)
}

// hasReal reports whether the text shows its numbers to be real ones
// rather than masks: a masking tool writes a number, or each of its
// digits, as one placeholder digit ("ngày 4 7", "1/1", "4444"), so a
// number with two different digits, or a decimal, fraction, date or time
// with different values on its two sides, can only be real. How many
// different digits the whole text uses says nothing: a short report
// ("March 3 ... 1.5 ... 6-1/4") may use few, and the placeholders of a
// masked copy may be several.
func (n numberSketch) hasReal() bool { return n.Real > 0 }

// masked reports whether the document has number tokens that are not real
// numbers.
func (n numberSketch) masked() bool { return n.Count > 0 && !n.hasReal() }

// lineFilter decides which lines are boilerplate, by line hash (see
// lineHash). A nil lineFilter keeps every line.
type lineFilter interface {
	isBoilerplate(lineHash uint64) bool
}

// headlineFilter is a lineFilter that knows links: lines that are
// boilerplate where a page links to an article, and content as the
// article's own headline, its first content line.
type headlineFilter interface {
	keepHeadline(lineHash uint64) bool
}

// scratch buffers for sketching, pooled.
type scratch struct {
	sc       shingle.Scanner
	runs     runCache
	toks     tokenReader // and the document's words and numbers
	shingles []uint64
	set      []uint64 // for distinct
	sig      signature
	chunks   []chunk
	seen     []ctxSeen
	packed   []uint32
	ents     []numberInContext
}

// tokenReader takes a document's tokens in text order, line by line, and
// keeps what sketch makes of them: its word hashes, its numbers in their
// contexts, and the counts of the line being read.
type tokenReader struct {
	words []uint64
	nums  []uint64 // (context, value) pairs
	// the digit values of the first line with words, for its headline
	// (number words are not among them: see numberWords)
	headValues []uint64
	prev1      uint64 // the last word
	prev2      uint64 // the one before it
	run        uint64 // numbers since the last word
	pending    int    // nums[pending:] still lack the word after them
	headSeen   bool   // the first line with words has been seen
	// the line being read
	line                              []byte
	marked, retyped, digits, realNums int
	numEnd                            int // end of the number just before, -1 after a word
	numHash                           uint64
}

// startDoc starts reading a document, reusing the slices of the last.
func (t *tokenReader) startDoc() {
	t.words, t.nums, t.headValues = t.words[:0], t.nums[:0], t.headValues[:0]
	t.prev1, t.prev2, t.run, t.pending, t.headSeen = 0, 0, 0, 0, false
}

// startLine starts reading the tokens of line.
func (t *tokenReader) startLine(line []byte) {
	t.line = line
	t.marked, t.retyped, t.digits, t.realNums = 0, 0, 0, 0
	t.headValues = t.headValues[:0]
	t.numEnd, t.numHash = -1, 0
}

// readLine reads the tokens of line with sc, run by run, from runs
// where it holds them (see runCache).
func (t *tokenReader) readLine(sc *shingle.Scanner, runs *runCache, line []byte, n shingle.Normalizer) {
	t.startLine(line)
	if runCacheOff {
		t.scanRest(sc, line, 0, n)
		return
	}
	for p := 0; p < len(line); {
		if shingle.IsDelimiter(line[p]) {
			p++
			continue
		}
		q := shingle.RunEnd(line, p)
		slot, key := runs.lookup(line, p, q)
		if slot != nil {
			// The bytes of a run read alone before.
			if slot.word {
				t.word(slot.hash, slot.marked, slot.retyp)
			}
			p = q
			continue
		}
		if !shingle.RunAlone(line[p:q]) {
			t.scanRest(sc, line, p, n)
			return
		}
		// Read it alone, and keep it if it is no token or one word.
		sc.Reset(line[p:q], n)
		switch {
		case !sc.Scan():
			runs.keep(key, runSlot{})
		case sc.Kind() != shingle.Word:
			t.scanned(sc, p)
		default:
			w := runSlot{word: true, hash: shingle.TokenHash(sc.Key()), marked: sc.Marked(), retyp: sc.Retyped()}
			more := sc.Scan()
			t.word(w.hash, w.marked, w.retyp)
			if more {
				t.scanned(sc, p)
			} else {
				runs.keep(key, w)
			}
		}
		p = q
	}
}

// word takes a word with token hash h.
func (t *tokenReader) word(h uint64, marked, retyped bool) {
	t.numEnd = -1
	for k := t.pending; k < len(t.nums); k += 2 {
		t.nums[k] = mix(t.nums[k] ^ h)
	}
	t.pending = len(t.nums)
	if !marked {
		if v := numberWord(h); v != 0 {
			// The context a figure written in digits here would have,
			// the word after it still to come (pending); in text order
			// among the digits, which summarizeNumbers numbers repeated
			// contexts by.
			t.nums = append(t.nums, numberContext(t.prev1, t.prev2, t.run), v)
		}
	}
	t.prev2, t.prev1, t.run = t.prev1, h, 0
	t.words = append(t.words, h)
	if marked {
		t.marked++
	}
	if retyped {
		t.retyped++
	}
}

// number takes a number with digits key that lies at line[start:end].
func (t *tokenReader) number(key []byte, start, end int) {
	ctx := numberContext(t.prev1, t.prev2, t.run)
	t.run++
	h := numberHash(key)
	t.nums = append(t.nums, ctx, h)
	t.digits++
	if !t.headSeen {
		t.headValues = append(t.headValues, h)
	}
	if twoDigits(key) || t.numEnd >= 0 && start == t.numEnd+1 && isNumberJoiner(t.line[t.numEnd]) && h != t.numHash {
		t.realNums++
	}
	t.numEnd, t.numHash = end, h
}

// scanned takes the token sc has just scanned and the ones after it, of
// a text that starts at line[off].
func (t *tokenReader) scanned(sc *shingle.Scanner, off int) {
	for ok := true; ok; ok = sc.Scan() {
		if sc.Kind() == shingle.Number {
			tok := sc.Token()
			t.number(tok.Key, off+tok.Start, off+tok.End)
			continue
		}
		t.word(shingle.TokenHash(sc.Key()), sc.Marked(), sc.Retyped())
	}
}

// scanRest takes the tokens of line[p:], read by sc.
func (t *tokenReader) scanRest(sc *shingle.Scanner, line []byte, p int, n shingle.Normalizer) {
	sc.Reset(line[p:], n)
	if sc.Scan() {
		t.scanned(sc, p)
	}
}

// sketchBuf holds the slices of a batch's sketches one after another, so
// that sketching a batch allocates a few times, not a few times a
// document. What it hands out stays valid when it grows; it is reused
// once they are copied out (see sketchPass).
type sketchBuf struct {
	sig     compact
	chunks  []chunk
	numbers []numberInContext
}

func (b *sketchBuf) reset() {
	b.sig, b.chunks, b.numbers = b.sig[:0], b.chunks[:0], b.numbers[:0]
}

// keepIn appends l to *dst and returns the appended part, with no room
// to grow into what follows.
func keepIn[S ~[]E, E any](dst *S, l S) S {
	n := len(*dst)
	*dst = append(*dst, l...)
	return (*dst)[n:len(*dst):len(*dst)]
}

var scratches = sync.Pool{New: func() any { return new(scratch) }}

// Sketch computes what is kept of text to compare it with other
// documents: its signature, counts, lead, headline, number sample and
// chunks (see Sketch). No line is left out as boilerplate: a Stream, a
// Store and Cluster learn boilerplate from the documents they see. An
// invalid Config (see Validate) gives the zero Sketch, which has no
// content and matches nothing. It is safe for concurrent use.
func (c Config) Sketch(text []byte) Sketch { return c.sketchFiltered(text, nil) }

// sketchFiltered is Sketch leaving out the lines that filter (which may
// be nil) calls boilerplate.
func (c Config) sketchFiltered(text []byte, filter lineFilter) Sketch {
	if c.Validate() != nil {
		return Sketch{}
	}
	s, _ := c.sketch(text, filter, nil, nil)
	return s
}

// sketch also appends the document's distinct lines to lines, when lines
// is not nil, and keeps the sketch's slices in buf (see sketchBuf), or in
// memory of their own when buf is nil.
func (c Config) sketch(text []byte, filter lineFilter, lines []docLine, buf *sketchBuf) (Sketch, []docLine) {
	c = c.withDefaults()
	if buf == nil {
		buf = new(sketchBuf)
	}
	sc := scratches.Get().(*scratch)
	defer scratches.Put(sc)
	t := &sc.toks
	t.startDoc()
	var out Sketch
	norm := shingle.Normalizer{FoldDiacritics: !c.KeepDiacritics}
	sc.runs.reset(norm.FoldDiacritics)
	links, _ := filter.(headlineFilter)
	lineStart := len(lines)
	// The counts, in int until they are stored (sat32).
	var nWords, nMarked, nRetyped, nBoiler, nCount, nReal int
	for len(text) > 0 {
		var line []byte
		// Lines as the scanner reads them: a word hyphenated at a line
		// end stays whole.
		n, line, _ := shingle.ScanLines(text, true)
		text = text[n:]
		w0 := len(t.words)
		t.readLine(&sc.sc, &sc.runs, line, norm)
		marked, retyped, digits, realNums := t.marked, t.retyped, t.digits, t.realNums
		nw := len(t.words) - w0
		if nw == 0 {
			nReal += realNums
			nCount += digits
			continue
		}
		lh := shingle.HashTokens(t.words[w0:])
		if !t.headSeen {
			t.headSeen = true
			if nw <= shortLineWords {
				out.headline = headline(lh, t.headValues)
			}
		}
		if lines != nil {
			lines = append(lines, docLine{Hash: lh, Words: int32(nw), Pos: int32(len(lines) - lineStart)})
		}
		if filter != nil && filter.isBoilerplate(lh) && (links == nil || nWords > 0 || !links.keepHeadline(lh)) {
			nBoiler += nw
			// The line's numbers stay: a line that recurs across a
			// family of reports (a row of a daily price table, "MAY7 UP")
			// is boilerplate by its words, but its figures are the
			// report's own, and they tell one day's report from the next.
			t.words = t.words[:w0]
			continue
		}
		if out.lead == 0 && nw >= leadWords {
			out.lead = mix(bandKey(signature(t.words[w0:w0+leadWords]))) | 1
		}
		nWords += nw
		nMarked += marked
		nRetyped += retyped
		nReal += realNums
		nCount += digits
	}
	out.words, out.marked, out.retyped, out.boilerplateWords = sat32(nWords), sat32(nMarked), sat32(nRetyped), sat32(nBoiler)
	out.numbers.Count, out.numbers.Real = sat32(nCount), sat32(nReal)
	if lines != nil {
		l := lines[lineStart:]
		slices.SortFunc(l, func(a, b docLine) int {
			if c := cmp.Compare(a.Hash, b.Hash); c != 0 {
				return c
			}
			return cmp.Compare(a.Pos, b.Pos)
		})
		l = slices.CompactFunc(l, func(a, b docLine) bool { return a.Hash == b.Hash }) // keeps the first place
		lines = lines[:lineStart+len(l)]
	}
	words, nums := t.words, t.nums
	shingles := shingle.AppendShingles(sc.shingles[:0], words, c.ShingleSize)
	sc.chunks = appendChunks(sc.chunks[:0], words, shingles, c.ShingleSize)
	if len(sc.chunks) > 0 {
		out.chunks = keepIn(&buf.chunks, sc.chunks)
	}
	shingles, sc.set = distinct(shingles, sc.set)
	out.shingles = sat32(len(shingles))
	sc.sig = appendSignature(sc.sig[:0], shingles, c.Hashes)
	n := len(buf.sig)
	buf.sig = sc.sig.appendCompact(slices.Grow(buf.sig, c.Hashes))
	out.sig = buf.sig[n:len(buf.sig):len(buf.sig)]
	sc.summarizeNumbers(&out.numbers, nums, &buf.numbers)
	sc.shingles = shingles
	t.line = nil // not to keep the text from the collector
	return out, lines
}

// headline returns Sketch.Headline for a line with word hash lh whose
// numbers written in digits have the value hashes values (numberHash): a
// headline's number words are words (numberWords).
func headline(lh uint64, values []uint64) uint32 {
	h := uint32(lh>>48) << 16
	if len(values) == 0 {
		return h
	}
	v := uint64(0x9e3779b97f4a7c15)
	for _, x := range values {
		v = mix(v ^ x)
	}
	return h | max(uint32(v>>48), 1)
}

// twoDigits reports whether a number is written with two different
// digits, which no placeholder is.
func twoDigits(digits []byte) bool {
	for _, d := range digits[1:] {
		if d != digits[0] {
			return true
		}
	}
	return false
}

// isNumberJoiner reports whether b joins two numbers into one figure:
// 1.5, 2,5, 12/9, 10:30, 6-3/16.
func isNumberJoiner(b byte) bool {
	switch b {
	case '.', ',', '/', ':', '-':
		return true
	}
	return false
}

// numberContext is the context of a number, before the word after it is
// mixed in: prev1 and prev2 are the token hashes of the two words before
// it, run its place in a run of numbers. A number word's is a figure's in
// digits at its place (numberWords).
func numberContext(prev1, prev2, run uint64) uint64 {
	return mix(prev1 ^ mix(prev2^0x9e3779b97f4a7c15) ^ run*0xc2b2ae3d27d4eb4f)
}

// numberHash keys a number by its digits without leading zeros, so that
// 05/09 and 5/9 agree.
func numberHash(digits []byte) uint64 {
	for len(digits) > 1 && digits[0] == '0' {
		digits = digits[1:]
	}
	return xxhash.Sum64(digits)
}

// numberWords are the English words for zero to twenty and the tens to
// ninety, with the digits of the figure each names. Wire and report
// styles spell small figures out ("two billion dlrs", "six pct"), so the
// editions of a daily report alternate between a word and digits: "two
// billion" one day, "1.5 billion" the next. Read as figures, each in the
// context a figure in digits would have in its place and in text order
// among them, the words let the number check see those changed amounts
// and rates, and a copy that writes "2" where its original wrote "two"
// agrees with it. They stay words for everything else: shingles, lines,
// the counts (a masked copy keeps its number words, and is still told
// masked by its digits) and the headline's numbers (see headline). To the
// figures next to it a number word is a word too: the one before it takes
// it as the word after, the one after it as one of the two before, so
// "six pct, 7" and "6 pct, 7" share the six's context but not the 7's,
// which goes unshared rather than contradicted. Only English: other
// languages' number words are ordinary words as well (Vietnamese năm is
// five and year, ba three and father). A word written with a diacritic is
// never one, so that the Vietnamese tên (a name), which an accent-free
// copy writes ten, is not ten in the original. The cost is a table lookup
// a word.
var numberWords = [...]struct{ word, digits string }{
	{"zero", "0"}, {"one", "1"}, {"two", "2"}, {"three", "3"}, {"four", "4"},
	{"five", "5"}, {"six", "6"}, {"seven", "7"}, {"eight", "8"}, {"nine", "9"},
	{"ten", "10"}, {"eleven", "11"}, {"twelve", "12"}, {"thirteen", "13"},
	{"fourteen", "14"}, {"fifteen", "15"}, {"sixteen", "16"}, {"seventeen", "17"},
	{"eighteen", "18"}, {"nineteen", "19"}, {"twenty", "20"}, {"thirty", "30"},
	{"forty", "40"}, {"fifty", "50"}, {"sixty", "60"}, {"seventy", "70"},
	{"eighty", "80"}, {"ninety", "90"},
}

// numberWordTable is an open-addressing table of numberWords by token
// hash, placed by the hash's top byte: with 28 words in 256 slots, nine
// words in ten that are not number words find an empty slot at once.
var numberWordTable = func() (t [256]struct{ hash, value uint64 }) {
	for _, w := range numberWords {
		h := shingle.TokenHash([]byte(w.word))
		i := h >> 56
		for t[i].value != 0 {
			i = (i + 1) % uint64(len(t))
		}
		t[i].hash, t[i].value = h, numberHash([]byte(w.digits))
	}
	return t
}()

// numberWord returns the numberHash of the figure that the word with
// token hash h names, or 0 if it is not a number word (numberWords).
func numberWord(h uint64) uint64 {
	for i := h >> 56; ; i = (i + 1) % uint64(len(numberWordTable)) {
		e := &numberWordTable[i]
		if e.value == 0 || e.hash == h {
			return e.value
		}
	}
}

// summarizeNumbers fills in the context sample of n from the text's
// numbers, given as (context, value) hash pairs in nums.
//
// A context that recurs in the text (the same words around a number on
// each row of a table: "5.00 pct 5.00 pct 30-87 days") is told apart by
// its occurrence, counted in text order: the k-th row's figures are
// compared with the k-th row's. Without that, every row's figures would
// fall in one context, where any two tables of a series share some value.
func (sc *scratch) summarizeNumbers(n *numberSketch, nums []uint64, sample *[]numberInContext) {
	// Each context's occurrences counted in text order, in an
	// open-addressing table by context (a sort by context, then place,
	// did the same at several times the cost).
	size := 16
	for size < len(nums) { // twice the numbers
		size *= 2
	}
	if cap(sc.seen) < size {
		sc.seen = make([]ctxSeen, size)
	}
	seen := sc.seen[:size]
	clear(seen)
	mask := uint64(size - 1)
	for i := 0; i+1 < len(nums); i += 2 {
		ctx := nums[i]
		for j := ctx & mask; ; j = (j + 1) & mask {
			e := &seen[j]
			if e.times == 0 {
				e.ctx, e.times = ctx, 1
				break
			}
			if e.ctx == ctx {
				nums[i] = mix(ctx + uint64(e.times)*0x9e3779b97f4a7c15)
				e.times++
				break
			}
		}
	}
	// The entries as numbers, Context in the high half, sort as the
	// pairs do.
	packed := sc.packed[:0]
	for i := 0; i+1 < len(nums); i += 2 {
		packed = append(packed, uint32(nums[i]>>48)<<16|uint32(nums[i+1]>>48))
	}
	slices.Sort(packed)
	packed = slices.Compact(packed)
	ents := sc.ents[:0]
	for _, p := range packed {
		ents = append(ents, numberInContext{uint16(p >> 16), uint16(p)})
	}
	cut := len(ents) // ents[:cut] holds the numberSketchSize smallest contexts
	for i := range ents {
		if i == 0 || ents[i].Context != ents[i-1].Context {
			n.Contexts++
			if n.Contexts == numberSketchSize+1 {
				cut = i
			}
		}
	}
	if cut > 0 {
		n.Sample = keepIn(sample, ents[:cut]) // a copy: ents is scratch
	}
	sc.packed, sc.ents = packed, ents
}

// sat32 returns n as an int32, math.MaxInt32 if it is larger: the
// counts of a Sketch (see Sketch).
func sat32(n int) int32 { return int32(min(n, math.MaxInt32)) }

// ctxSeen counts the occurrences of a number context, for
// summarizeNumbers; times 0 is an empty slot.
type ctxSeen struct {
	ctx   uint64
	times uint32
}

// lineHash returns the hash by which boilerplate lines are learned and
// filtered: XXH64 over the 8-byte little-endian token hashes of the line's
// words (diacritics folded unless Config.KeepDiacritics). Lines without
// words have no hash. Text without a newline is one line.
func (c Config) lineHash(line []byte) (uint64, bool) {
	words := shingle.Normalizer{FoldDiacritics: !c.KeepDiacritics}.AppendTokenHashes(nil, line)
	return shingle.HashTokens(words), len(words) > 0
}

// distinct moves the distinct values of v to its front, in order of first
// occurrence, and returns them, using tab (grown as needed and returned)
// as an open-addressing set. The values are uniform hashes, so their low
// bits index the set; zero, the empty slot, is tracked apart. It costs a
// few nanoseconds a value where sorting would cost tens.
func distinct(v, tab []uint64) ([]uint64, []uint64) {
	size := 64
	for size < 2*len(v) {
		size *= 2
	}
	if cap(tab) < size {
		tab = make([]uint64, size)
	}
	tab = tab[:size]
	clear(tab)
	mask := uint64(size - 1)
	n, zero := 0, false
	for _, x := range v {
		if x == 0 {
			if !zero {
				zero = true
				v[n] = 0
				n++
			}
			continue
		}
		for i := x & mask; ; i = (i + 1) & mask {
			if tab[i] == x {
				break
			}
			if tab[i] == 0 {
				tab[i] = x
				v[n] = x
				n++
				break
			}
		}
	}
	return v[:n], tab
}

// exactKey hashes what Compare reads of a sketch: two sketches with the
// same content (exact copies, whatever their boilerplate) have the same
// key.
func (s *Sketch) exactKey() uint64 {
	// Four chains of mixes, each word going to the next chain in turn:
	// one chain, a mix waiting on the one before, took 0.6 s of CPU a
	// grouping at 10^6 documents (a sketch has about a hundred words,
	// most of them alignment chunks); four run side by side. Equal
	// sketches still get equal keys, which is all firstOfKey needs (it
	// checks sameAs).
	h := [4]uint64{
		mix(uint64(s.shingles) ^ 0x9e3779b97f4a7c15),
		mix(s.lead ^ 0xc2b2ae3d27d4eb4f),
		mix(uint64(s.headline)<<8 ^ uint64(s.numbers.kind()) ^ 0x165667b19e3779f9),
		mix(uint64(s.numbers.Contexts) ^ 0x85ebca77c2b2ae63),
	}
	k := 0
	add := func(v uint64) {
		h[k&3] = mix(h[k&3] ^ v)
		k++
	}
	for i := 0; i < len(s.sig); i += 4 {
		var v uint64
		for j, c := range s.sig[i:min(i+4, len(s.sig))] {
			v |= uint64(c) << (16 * j)
		}
		add(v)
	}
	rest := func(chunks []chunk, sample []numberInContext) {
		for _, e := range sample {
			add(uint64(e.Context)<<16 ^ uint64(e.Value))
		}
		for _, c := range chunks {
			add(uint64(c))
		}
	}
	if s.cold == nil {
		rest(s.chunks, s.numbers.Sample)
	} else {
		withChunkBufs(func(bufs *[2]chunkBuf) { rest(s.coldIn(&bufs[0], true, true)) })
	}
	return mix(h[0] ^ mix(h[1]^mix(h[2]^mix(h[3]^uint64(k)))))
}

// sameAs reports whether s and t hold the same of what Compare reads.
func (s *Sketch) sameAs(t *Sketch) bool {
	if !(s.shingles == t.shingles && s.lead == t.lead && s.headline == t.headline &&
		s.numbers.kind() == t.numbers.kind() && s.numbers.Contexts == t.numbers.Contexts &&
		slices.Equal(s.sig, t.sig) && s.chunkCount() == t.chunkCount()) {
		return false
	}
	if s.cold == nil && t.cold == nil {
		return slices.Equal(s.numbers.Sample, t.numbers.Sample) && slices.Equal(s.chunks, t.chunks)
	}
	same := false
	withChunkBufs(func(bufs *[2]chunkBuf) {
		sc, sn := s.coldIn(&bufs[0], true, true)
		tc, tn := t.coldIn(&bufs[1], true, true)
		same = slices.Equal(sn, tn) && slices.Equal(sc, tc)
	})
	return same
}
