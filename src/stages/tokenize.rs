//! Tokenizer: text → [`Token`]s with byte offsets and shape flags.
//!
//! Reads `Doc::text`; writes `Doc::tokens`, `Doc::all_caps` and
//! `Doc::hard_wrapped`. Whether the text is hard-wrapped is a question
//! about the lengths of its lines ([`LineTally`]); the tokenizer passes
//! every line break, and the last token before one ends the line, so the
//! lines are measured here instead of by another scan of the text.
//!
//! Why not run everything through `unicode-segmentation`'s word-boundary
//! iterator? On this project's corpus it runs at about 48 MB/s, slower than
//! the whole pipeline's budget, and its UAX #29 rules keep `Tajikistan’s`
//! as one word, which would hide the place name from token-boundary
//! matching. So ASCII bytes, almost all of wire copy, take a byte-class fast
//! path; a non-ASCII character is classified by `char` methods, and a word
//! character pulls in its whole grapheme cluster (`unicode-segmentation`),
//! so combining marks stay inside the word they belong to.
//!
//! The fast path (`ascii_tokens`) runs until a token needs the general
//! one (`general_token`), which takes that one token and hands back; the
//! fast loop calls nothing but `Vec::push`, so its state stays in
//! registers rather than being saved around the general path's calls.
//!
//! On x86_64 the fast path first walks the text 64 bytes at a time
//! (`window_tokens`): SSE2 compares give, for each class (capitals, small
//! letters, digits, white space, line feeds, non-ASCII), one bit a byte,
//! and each token is taken from the bits by bit counts and masks, with no
//! branch on its kind or on the white space before it (a branch that goes
//! either way from token to token is mispredicted several times a line).
//! It leaves to the byte-class code below the words that may go on past
//! their run of letters and digits (abbreviations with periods, numbers
//! with separators), a token that does not fit in the block's ASCII bytes
//! and the end of the text.
//!
//! The byte-class code classifies bytes by a 256-entry class table: one
//! lookup says whether a byte is white space, a letter of either case, a
//! digit, other ASCII or the start of a non-ASCII character, and the
//! classes of a word's bytes, OR-ed together as it is scanned, are its
//! shape. A word's run of letters and digits is scanned a chunk of bytes
//! at a time, with no branch per byte (on x86_64 16 bytes by SSE2
//! compares, elsewhere eight by table lookups; see `alnum_run`), since a
//! loop leaving at a different byte in every word costs a mispredicted
//! branch a word. A word made of ASCII bytes only leaves the fast path
//! when a non-ASCII character follows it (a combining mark, or a letter
//! that continues the word); it is then scanned again by the general path.
//!
//! Tokens: a word is a run of letters and digits (`Kabul`, `30th`), an
//! abbreviation written with periods keeps them (`U.S.`, `a.m.`); a number
//! is digits with inner separators (`15,000`, `1996-08-30`, `3.5`); every
//! other non-space character is a one-character punctuation token.

use crate::doc::{Doc, Spare, Token, TokenKind};
use crate::stages::sentences::LineTally;
use unicode_segmentation::UnicodeSegmentation;

/// Byte classes of the fast path; ASCII punctuation is class 0, except
/// the `STOP` bytes.
mod class {
    use crate::doc::Token;

    /// ASCII white space (as `u8::is_ascii_whitespace`).
    pub const SPACE: u8 = 1;
    /// The space character, the usual separator: it is also `SPACE`.
    pub const BLANK: u8 = 32;
    pub const UPPER: u8 = 2;
    pub const LOWER: u8 = 4;
    pub const DIGIT: u8 = 8;
    pub const ALNUM: u8 = UPPER | LOWER | DIGIT;
    /// A byte of a non-ASCII character.
    pub const NON_ASCII: u8 = 16;
    /// `.`, `!` and `?`, which may end a sentence. The value is the token
    /// flag, so a punctuation token takes its class as a flag as it is.
    pub const STOP: u8 = Token::STOP;

    /// The class of every byte.
    pub static TABLE: [u8; 256] = {
        let mut table = [0u8; 256];
        let mut b = 0;
        while b < 256 {
            let byte = b as u8;
            table[b] = if !byte.is_ascii() {
                NON_ASCII
            } else if byte == b' ' {
                SPACE | BLANK
            } else if byte.is_ascii_whitespace() {
                SPACE
            } else if byte.is_ascii_uppercase() {
                UPPER
            } else if byte.is_ascii_lowercase() {
                LOWER
            } else if byte.is_ascii_digit() {
                DIGIT
            } else if matches!(byte, b'.' | b'!' | b'?') {
                STOP
            } else {
                0
            };
            b += 1;
        }
        table
    };

    #[inline]
    pub fn of(b: u8) -> u8 {
        TABLE[b as usize]
    }

    /// The class of the byte at `i`, or 0 at the end of the text.
    #[inline]
    pub fn next(bytes: &[u8], i: usize) -> u8 {
        bytes.get(i).map_or(0, |&b| of(b))
    }
}

/// Tokenizes `doc.text` into `doc.tokens` and sets `doc.all_caps` and
/// `doc.hard_wrapped`.
pub fn run(doc: &mut Doc) {
    let (tokens, all_caps, hard_wrapped) = tokenize(doc.text);
    doc.tokens = tokens;
    doc.all_caps = all_caps;
    doc.hard_wrapped = hard_wrapped;
}

/// Tokenizes `text`; also says whether its letters are mostly capitals,
/// and whether it is hard-wrapped ([`LineTally`]).
pub fn tokenize(text: &str) -> (Vec<Token>, bool, bool) {
    // Wire copy averages a little over five bytes a token.
    let mut tokens = Spare::take(|s| &mut s.tokens);
    tokens.reserve(text.len() / 4 + 1);
    // The start of the text counts as a paragraph start.
    let mut at = Cursor::start(Token::LINE_START | Token::PARA_START);
    while at.i < text.len() {
        at = ascii_tokens(text, &mut tokens, at);
        if at.i < text.len() {
            at = general_token(text, &mut tokens, at);
        }
    }
    if at.breaks == 0 {
        // The last line, without a line break after it, is not blank.
        at = at.end_line(text, &tokens);
    }
    let letters = at.upper_letters + at.lower_letters;
    let all_caps = letters >= 20 && at.upper_letters * 10 >= letters * 8;
    (tokens, all_caps, at.lines.hard_wrapped())
}

/// Where the tokenizer stands, handed between the fast and general paths.
#[derive(Clone, Copy)]
struct Cursor {
    /// The next byte to look at.
    i: usize,
    /// Line-break flags for the next token.
    breaks: u8,
    /// Letters in tokens of capitals, and in other tokens with letters.
    upper_letters: usize,
    lower_letters: usize,
    /// Where the current line starts (after the last line break).
    line_start: usize,
    /// No token or white space of the current line has taken the general
    /// path, so the line is ASCII (the fast path reads ASCII bytes only).
    line_ascii: bool,
    /// The lines ended so far.
    lines: LineTally,
}

impl Cursor {
    /// At the start of a text, the next token taking `breaks`.
    fn start(breaks: u8) -> Cursor {
        Cursor {
            i: 0,
            breaks,
            upper_letters: 0,
            lower_letters: 0,
            line_start: 0,
            line_ascii: true,
            lines: LineTally::default(),
        }
    }

    /// Notes the line break at `self.i`; a second one makes a paragraph
    /// start. A token since the last line break (no break flags pending)
    /// means that the line ending here is not blank: it is tallied.
    #[inline]
    fn line_break(&mut self, text: &str, tokens: &[Token]) {
        self.breaks = if self.breaks == 0 {
            *self = self.end_line(text, tokens);
            Token::LINE_START
        } else {
            Token::LINE_START | Token::PARA_START
        };
        self.line_start = self.i + 1;
        self.line_ascii = true;
    }

    /// Tallies the line from `self.line_start` to the end of the last
    /// token (its trailing white space trimmed), which is on that line.
    ///
    /// It takes and returns the cursor by value: a `&mut self` would pin
    /// the cursor to memory in the fast loop, which calls this once a line.
    #[inline(never)]
    fn end_line(mut self, text: &str, tokens: &[Token]) -> Self {
        let end = tokens.last().map_or(0, |t| t.end as usize);
        let mut line = &text[self.line_start..end];
        // A vertical tab is a punctuation token, but white space to the
        // line rule (as to `str::trim_end`).
        if line.ends_with('\x0B') {
            line = line.trim_end();
            if line.is_empty() {
                return self;
            }
        }
        self.lines.add(line.as_bytes(), self.line_ascii);
        self
    }

    /// Appends the token `start..self.i` to `tokens`, with the line-break
    /// flags, and counts its letters.
    #[inline]
    fn push(&mut self, tokens: &mut Vec<Token>, start: usize, kind: TokenKind, flags: u8) {
        let flags = flags | self.breaks;
        self.breaks = 0;
        // Counted without a branch on the token's shape.
        let letters = if kind == TokenKind::Punct {
            0
        } else {
            self.i - start
        };
        let upper = usize::from(flags & Token::UPPER != 0);
        let lower = usize::from(flags & (Token::LOWER | Token::CAP) != 0) & (upper ^ 1);
        self.upper_letters += letters * upper;
        self.lower_letters += letters * lower;
        tokens.push(Token {
            start: start as u32,
            end: self.i as u32,
            kind,
            flags,
        });
    }
}

/// The fast path: tokenizes from `at.i` while the text is ASCII, and stops
/// at the end of the text or at a token that needs [`general_token`] (one
/// that starts with a non-ASCII byte, or a word a non-ASCII byte follows).
///
/// It calls nothing but `Vec::push` (and, once a line, the line tally), so
/// its state stays in registers. That takes a cursor of its own: were it
/// inlined, its cursor would be the caller's, whose address the calls of
/// `general_token` take, and that would keep the cursor in memory.
#[inline(never)]
fn ascii_tokens(text: &str, tokens: &mut Vec<Token>, at: Cursor) -> Cursor {
    let mut at = at;
    let bytes = text.as_bytes();
    loop {
        #[cfg(target_arch = "x86_64")]
        {
            at = window_tokens(text, tokens, at);
        }
        // One token (or white space character) the block walk left.
        let Some(&b) = bytes.get(at.i) else {
            break;
        };
        let cls = class::of(b);
        let start = at.i;
        let (kind, flags, next);
        // A letter or digit is tested first: it is what usually follows
        // the single space passed over below.
        if cls & class::ALNUM != 0 {
            let Some((end, k, f, n)) = scan_ascii_word(bytes, start, cls) else {
                break;
            };
            (at.i, kind, flags, next) = (end, k, f, n);
        } else if cls & class::SPACE != 0 {
            if b == b'\n' {
                at.line_break(text, tokens);
            }
            at.i += 1;
            continue;
        } else if cls & class::NON_ASCII == 0 {
            // ASCII punctuation: its class is 0 or `STOP`.
            at.i += 1;
            kind = TokenKind::Punct;
            flags = Token::ASCII | cls;
            next = class::next(bytes, at.i);
        } else {
            break;
        }
        at.push(tokens, start, kind, flags);
        // A single space, the usual separator, is passed over here rather
        // than by a trip round the loop.
        if next & class::BLANK != 0 {
            at.i += 1;
        }
    }
    at
}

/// The block walk of the fast path: takes the tokens from `at.i` by the
/// class bits of 64 bytes at a time ([`sse2::window`]), and stops at a
/// token it leaves to the byte-class code: one that does not end, with the
/// byte after it, within the block's ASCII bytes (when it starts the
/// block), or an ASCII word that may go on past its run of letters and
/// digits (a single letter or digit before a stop: an abbreviation with
/// periods, or a number; digits before other punctuation: a number with
/// inner separators).
///
/// Per token it takes bit counts and masks, with no branch on the kind of
/// token or the length of the white space before it: a loop that tests
/// each byte's class, or each token's, takes a branch the processor
/// mispredicts several times a line. White space is passed by a bit
/// count; the tests left are rare or regular: a line break in the white
/// space, a token the block does not hold (once a block), the words above.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn window_tokens(text: &str, tokens: &mut Vec<Token>, mut at: Cursor) -> Cursor {
    /// A token's kind by whether it is a run of letters and digits plus
    /// whether it has letters.
    const KINDS: [TokenKind; 3] = [TokenKind::Punct, TokenKind::Number, TokenKind::Word];
    let bytes = text.as_bytes();
    loop {
        let base = at.i;
        let w = sse2::window(bytes, base);
        let alnum = w.upper | w.lower | w.digit;
        // Bits at and above `w.len` are not white space, so the white
        // space before a token stops there.
        let space = w.space & !(u64::MAX).checked_shl(w.len).unwrap_or(0);
        let mut p = 0;
        loop {
            let gap = (!(space >> p)).trailing_zeros();
            if (w.newline >> p).trailing_zeros() < gap {
                for k in p..p + gap {
                    if bytes[base + k as usize] == b'\n' {
                        at.i = base + k as usize;
                        at.line_break(text, tokens);
                    }
                }
            }
            p += gap;
            if p >= w.len {
                break;
            }
            let start = base + p as usize;
            let first = class::of(bytes[start]);
            let is_run = (alnum >> p) as u8 & 1;
            // The run of letters and digits (0 bytes for punctuation).
            let run = (!(alnum >> p)).trailing_zeros();
            let end = p + run.max(1);
            if end >= w.len {
                break;
            }
            let next = class::of(bytes[base + end as usize]);
            let bytes_of = ((1u64 << (end - p)) - 1) << p;
            let has = |mask: u64, cls: u8| u8::from(mask & bytes_of != 0) * cls;
            let bits = has(w.upper, class::UPPER)
                | has(w.lower, class::LOWER)
                | has(w.digit, class::DIGIT);
            let letters = u8::from(bits & (class::UPPER | class::LOWER) != 0);
            let may_go_on = is_run
                & (u8::from(run == 1 && next == class::STOP)
                    | (letters ^ 1) & u8::from(next & (class::SPACE | class::ALNUM) == 0));
            if may_go_on != 0 {
                at.i = start;
                return at;
            }
            // Punctuation's class is 0 or `STOP`, its flag.
            let word = 0u8.wrapping_sub(is_run);
            let flags = shape_of_classes(bits, first) & word | (Token::ASCII | first) & !word;
            at.i = base + end as usize;
            at.push(tokens, start, KINDS[usize::from(is_run + letters)], flags);
            p = end;
        }
        at.i = base + p as usize;
        if p == 0 {
            return at;
        }
    }
}

/// The general path: takes the token, or the white space character, at
/// `at.i`, which starts with a non-ASCII character or is an ASCII word that
/// a non-ASCII character follows.
#[inline(never)]
fn general_token(text: &str, tokens: &mut Vec<Token>, mut at: Cursor) -> Cursor {
    // A non-ASCII character is at `at.i` or right after the word there.
    at.line_ascii = false;
    let bytes = text.as_bytes();
    let start = at.i;
    let (kind, flags);
    if bytes[start].is_ascii_alphanumeric() {
        let (end, k) = scan_word(text, start);
        at.i = end;
        kind = k;
        flags = shape(&text[start..end]) | period_end(bytes, k, end);
    } else {
        let c = text[start..].chars().next().unwrap_or(' ');
        if c.is_whitespace() {
            at.i += c.len_utf8();
            return at;
        }
        if c.is_alphanumeric() {
            let (end, k) = scan_word(text, start);
            at.i = end;
            kind = k;
        } else {
            at.i += c.len_utf8();
            kind = TokenKind::Punct;
        }
        flags = shape(&text[start..at.i]);
    }
    at.push(tokens, start, kind, flags);
    if bytes.get(at.i) == Some(&b' ') {
        at.i += 1;
    }
    at
}

/// The fast path of [`scan_word`] for a word or number that starts with an
/// ASCII letter or digit (of class `first`) at `start`: returns its end,
/// kind, flags and the class of the byte at its end (0 at the end of the
/// text), or `None` when a non-ASCII character follows the run of ASCII
/// letters and digits (it may belong to the word).
#[inline]
fn scan_ascii_word(bytes: &[u8], start: usize, first: u8) -> Option<(usize, TokenKind, u8, u8)> {
    let (i, bits, next) = alnum_run(bytes, start + 1, first);
    // The usual case, tested first: a word with letters that white space
    // or punctuation other than a period ends.
    if next & (class::NON_ASCII | class::STOP) == 0 && bits & (class::UPPER | class::LOWER) != 0 {
        return Some((i, TokenKind::Word, shape_of_classes(bits, first), next));
    }
    if next & class::NON_ASCII != 0 {
        return None;
    }
    if bits & (class::UPPER | class::LOWER) == 0 {
        let flags = shape_of_classes(bits, first);
        let end = number_end(bytes, i);
        return Some((end, TokenKind::Number, flags, class::next(bytes, end)));
    }
    // An abbreviation's first letter is followed by a period.
    if next == class::STOP {
        if let Some(end) = abbreviation_end(bytes, start, i) {
            let bits = bytes[start..end].iter().fold(0, |b, &c| b | class::of(c));
            let flags = shape_of_classes(bits, first) | period_end(bytes, TokenKind::Word, end);
            return Some((end, TokenKind::Word, flags, class::next(bytes, end)));
        }
    }
    // The class of the byte that ended the run is already known.
    Some((i, TokenKind::Word, shape_of_classes(bits, first), next))
}

/// Scans the run of ASCII letters and digits from `i`: returns its end,
/// the OR of its bytes' classes with `bits`, and the class of the byte
/// that ends it (0 at the end of the text). The classes OR-ed into `bits`
/// include the ending byte's; [`shape_of_classes`] ignores the classes
/// that are not letters or digits.
///
/// The run is tested a chunk of bytes at a time, without a branch per
/// byte: the run's end is the first byte of a chunk that is not a letter
/// or digit, found by a bit count. A byte loop would leave the loop at a
/// different byte from word to word, a branch the processor mispredicts
/// about once a word; this way the one branch is whether the run ends in
/// this chunk, which it almost always does. (It takes more instructions
/// than the byte loop, and less time: the stage ran a fifth faster, 430 ->
/// 512 MB/s in the benchmark, with chunks of eight bytes.) On x86_64 the
/// chunks are 16 bytes classified by SSE2 compares ([`sse2`]), which every
/// x86_64 processor has; the last bytes of the text, and other
/// processors, take [`alnum_run_chunks8`].
#[inline(always)]
fn alnum_run(bytes: &[u8], i: usize, bits: u8) -> (usize, u8, u8) {
    #[cfg(target_arch = "x86_64")]
    let (i, bits) = match sse2::alnum_run(bytes, i, bits) {
        Ok(run) => return run,
        Err(at) => at,
    };
    alnum_run_chunks8(bytes, i, bits)
}

/// [`alnum_run`] and the block walk by SSE2 compares, 16 bytes at a
/// time; the phrase scan reads its word bytes from [`sse2::window`] too.
#[cfg(target_arch = "x86_64")]
pub(crate) mod sse2 {
    use super::class;
    use std::arch::x86_64::*;

    /// The bits (one a byte, from bit 0) of a 16-byte chunk's bytes of
    /// each class the fast path tells apart by position.
    #[derive(Clone, Copy)]
    struct Masks {
        upper: u32,
        lower: u32,
        digit: u32,
        /// ASCII white space (as `u8::is_ascii_whitespace`).
        space: u32,
        newline: u32,
        non_ascii: u32,
    }

    /// The class bits of the 16 bytes of `chunk` (a caller's unused ones
    /// cost nothing once inlined).
    #[inline(always)]
    fn masks(chunk: &[u8; 16]) -> Masks {
        // SAFETY: SSE2 is part of the x86_64 baseline, so every x86_64
        // processor runs these instructions; the unaligned load reads the
        // 16 bytes of `chunk` and no others.
        unsafe {
            let v = _mm_loadu_si128(chunk.as_ptr().cast());
            // The bytes in `lo..lo + n`: moved so that the range starts at
            // -128, a byte is in it when, as a signed byte, it is less than
            // -128 + `n`.
            let within = |lo: u8, n: u8| {
                let moved = _mm_add_epi8(v, _mm_set1_epi8(0x80u8.wrapping_sub(lo) as i8));
                let below = _mm_cmplt_epi8(moved, _mm_set1_epi8((0x80 + n) as i8));
                _mm_movemask_epi8(below) as u32
            };
            let is = |b: u8| _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(b as i8))) as u32;
            Masks {
                upper: within(b'A', 26),
                lower: within(b'a', 26),
                digit: within(b'0', 10),
                // Tab, line feed, form feed and carriage return, not the
                // vertical tab between them, and the space.
                space: within(b'\t', 5) & !is(0x0B) | is(b' '),
                newline: is(b'\n'),
                non_ascii: _mm_movemask_epi8(v) as u32,
            }
        }
    }

    /// The class bits of the 64 bytes from `at` (bit `k` for byte
    /// `at + k`), and how many of them the fast path may read: those
    /// before the text's end and its first non-ASCII byte.
    pub struct Window {
        pub upper: u64,
        pub lower: u64,
        pub digit: u64,
        pub space: u64,
        pub newline: u64,
        pub len: u32,
    }

    /// The [`Window`] of the 64 bytes from `at` (fewer at the text's end).
    #[inline(always)]
    pub fn window(bytes: &[u8], at: usize) -> Window {
        let rest = &bytes[at..];
        let mut padded = [0u8; 64];
        let block = match rest.first_chunk::<64>() {
            Some(block) => block,
            None => {
                padded[..rest.len()].copy_from_slice(rest);
                &padded
            }
        };
        let mut w = Window {
            upper: 0,
            lower: 0,
            digit: 0,
            space: 0,
            newline: 0,
            len: 0,
        };
        let mut non_ascii = 0u64;
        for q in 0..4 {
            let chunk = block[16 * q..16 * q + 16].try_into().expect("16 bytes");
            let m = masks(chunk);
            let at = |bits: u32| u64::from(bits) << (16 * q);
            w.upper |= at(m.upper);
            w.lower |= at(m.lower);
            w.digit |= at(m.digit);
            w.space |= at(m.space);
            w.newline |= at(m.newline);
            non_ascii |= at(m.non_ascii);
        }
        w.len = non_ascii.trailing_zeros().min(rest.len().min(64) as u32);
        w
    }

    /// [`super::alnum_run`] while 16 bytes are left from `i`; `Err` with
    /// where the run goes on, and the classes so far, when fewer are.
    #[inline(always)]
    pub fn alnum_run(
        bytes: &[u8],
        mut i: usize,
        mut bits: u8,
    ) -> Result<(usize, u8, u8), (usize, u8)> {
        while let Some(chunk) = bytes[i..].first_chunk::<16>() {
            let Masks {
                upper,
                lower,
                digit,
                ..
            } = masks(chunk);
            // One bit a byte, from bit 0; the bit above the 16 bytes'
            // stops the count when the run goes on.
            let ends = !(upper | lower | digit) | 1 << 16;
            let k = ends.trailing_zeros();
            // The bytes of the run in this chunk.
            let run = (1u32 << k) - 1;
            let has = |mask: u32, cls: u8| u8::from(mask & run != 0) * cls;
            bits |= has(upper, class::UPPER) | has(lower, class::LOWER) | has(digit, class::DIGIT);
            if k < 16 {
                let next = class::of(chunk[k as usize]);
                return Ok((i + k as usize, bits | next, next));
            }
            i += 16;
        }
        Err((i, bits))
    }
}

/// [`alnum_run`] eight bytes at a time: the eight bytes' classes are
/// gathered into one number, and the run's end is the first byte whose
/// class is not a letter or digit.
#[inline(always)]
fn alnum_run_chunks8(bytes: &[u8], mut i: usize, mut bits: u8) -> (usize, u8, u8) {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const ALNUMS: u64 = class::ALNUM as u64 * 0x0101_0101_0101_0101;
    while let Some(chunk) = bytes[i..].first_chunk::<8>() {
        // The eight bytes' classes, one a byte.
        let c = |k: usize| u64::from(class::of(chunk[k])) << (8 * k);
        let classes = c(0) | c(1) | c(2) | c(3) | c(4) | c(5) | c(6) | c(7);
        // The top bit of each byte whose class is not a letter or digit.
        let ends = !((classes & ALNUMS) + LOW7) & HIGH;
        // The classes up to and including the one that ends the run (all
        // eight if it goes on): the bits up to the lowest bit of `ends`.
        let mut seen = classes & (ends ^ ends.wrapping_sub(1));
        seen |= seen >> 32;
        seen |= seen >> 16;
        seen |= seen >> 8;
        bits |= seen as u8;
        if ends != 0 {
            let k = (ends.trailing_zeros() / 8) as usize;
            return (i + k, bits, (classes >> (8 * k)) as u8);
        }
        i += 8;
    }
    while let Some(&b) = bytes.get(i) {
        let cls = class::of(b);
        if cls & class::ALNUM == 0 {
            return (i, bits, cls);
        }
        bits |= cls;
        i += 1;
    }
    (i, bits, 0)
}

/// [`Token::STOP`] for a word that ends with a period at `end` (only an
/// abbreviation written with periods does), else 0.
#[inline]
fn period_end(bytes: &[u8], kind: TokenKind, end: usize) -> u8 {
    if kind == TokenKind::Word && bytes[end - 1] == b'.' {
        Token::STOP
    } else {
        0
    }
}

/// Is `c` (at byte `i` of `text`) a word character? Returns the byte length
/// to consume: the whole grapheme cluster for non-ASCII letters.
#[inline]
fn word_char_len(text: &str, i: usize) -> Option<usize> {
    let b = *text.as_bytes().get(i)?;
    let rest = &text[i..];
    if b < 0x80 {
        if !b.is_ascii_alphanumeric() {
            return None;
        }
        // A combining mark may follow: take the whole grapheme cluster.
        if text.as_bytes().get(i + 1).is_some_and(|&n| n >= 0x80) {
            return Some(rest.graphemes(true).next().map_or(1, str::len));
        }
        return Some(1);
    }
    let c = rest.chars().next()?;
    if !c.is_alphanumeric() {
        return None;
    }
    Some(rest.graphemes(true).next().map_or(c.len_utf8(), str::len))
}

/// Scans a word or number starting at `i`; returns its end and kind.
fn scan_word(text: &str, start: usize) -> (usize, TokenKind) {
    let bytes = text.as_bytes();
    let mut i = start;
    let mut all_digits = true;
    loop {
        // ASCII letters and digits not followed by a combining mark: one
        // byte each, no grapheme segmentation needed.
        while i < bytes.len()
            && bytes[i].is_ascii_alphanumeric()
            && bytes.get(i + 1).is_none_or(|&n| n < 0x80)
        {
            all_digits &= bytes[i].is_ascii_digit();
            i += 1;
        }
        let Some(n) = word_char_len(text, i) else {
            break;
        };
        if !bytes[i].is_ascii_digit() {
            all_digits = false;
        }
        i += n;
    }
    if all_digits {
        return (number_end(bytes, i), TokenKind::Number);
    }
    (
        abbreviation_end(bytes, start, i).unwrap_or(i),
        TokenKind::Word,
    )
}

/// The end of a number whose digits run to `i`, taking in inner
/// separators: 15,000  3.5  1996-08-30  10:30  1/2
#[inline]
fn number_end(bytes: &[u8], mut i: usize) -> usize {
    while i + 1 < bytes.len()
        && matches!(bytes[i], b',' | b'.' | b':' | b'/' | b'-')
        && bytes[i + 1].is_ascii_digit()
    {
        i += 1;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
    }
    i
}

/// The end of an abbreviation with periods ("U.S.", "a.m.") whose first
/// letter is the word `start..i`, if that is what it is: a single letter
/// followed by ".X." runs.
#[inline]
fn abbreviation_end(bytes: &[u8], start: usize, i: usize) -> Option<usize> {
    if i - start != 1 || bytes.get(i) != Some(&b'.') {
        return None;
    }
    let mut j = i;
    let mut pieces = 1;
    while bytes.get(j) == Some(&b'.')
        && bytes.get(j + 1).is_some_and(|b| b.is_ascii_alphabetic())
        && !bytes.get(j + 2).is_some_and(|b| b.is_ascii_alphanumeric())
    {
        j += 2;
        pieces += 1;
    }
    if pieces == 1 {
        return None;
    }
    // Keep the final period: "U.S." is one token.
    if bytes.get(j) == Some(&b'.') {
        j += 1;
    }
    Some(j)
}

/// Shape flags of an ASCII token from the OR of its bytes' classes and the
/// class of its first byte.
#[inline]
fn shape_of_classes(bits: u8, first: u8) -> u8 {
    /// Indexed by the first byte's class times 32 OR the classes present
    /// (`u8` arithmetic, so the index needs no bounds check). The first
    /// byte is a letter or digit, and only its `UPPER` bit matters: it
    /// lands on bit 6, which no class uses, so the classes present may
    /// include any others (the byte after a word, an abbreviation's
    /// periods), which the table ignores.
    static SHAPES: [u8; 256] = {
        let mut table = [0u8; 256];
        let mut ix = 0;
        while ix < table.len() {
            let bits = ix as u8 & class::ALNUM;
            let mut flags = Token::ASCII;
            if (ix >> 5) as u8 & class::UPPER != 0 {
                flags |= Token::CAP;
            }
            let (has_upper, has_lower) = (bits & class::UPPER != 0, bits & class::LOWER != 0);
            if has_upper && !has_lower {
                flags |= Token::UPPER;
            }
            if has_lower && !has_upper {
                flags |= Token::LOWER;
            }
            if bits & class::DIGIT != 0 {
                flags |= Token::DIGIT;
            }
            table[ix] = flags;
            ix += 1;
        }
        table
    };
    SHAPES[(first << 5 | bits) as usize]
}

/// Shape flags of a token's text.
fn shape(s: &str) -> u8 {
    if s.is_ascii() {
        let bits = s.bytes().fold(0, |b, c| b | class::of(c));
        return shape_of_classes(bits, class::of(s.as_bytes()[0]));
    }
    let mut flags = 0u8;
    let (mut has_upper, mut has_lower, mut has_digit) = (false, false, false);
    for c in s.chars() {
        has_upper |= c.is_uppercase();
        has_lower |= c.is_lowercase();
        has_digit |= c.is_ascii_digit();
    }
    if s.chars().next().is_some_and(char::is_uppercase) {
        flags |= Token::CAP;
    }
    if has_upper && !has_lower {
        flags |= Token::UPPER;
    }
    if has_lower && !has_upper {
        flags |= Token::LOWER;
    }
    if has_digit {
        flags |= Token::DIGIT;
    }
    flags
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<&str> {
        tokenize(text)
            .0
            .iter()
            .map(|t| &text[t.start as usize..t.end as usize])
            .collect()
    }

    #[test]
    fn splits_possessives_and_keeps_abbreviations() {
        assert_eq!(
            words("Tajikistan’s U.S.-led forces, 15,000 men."),
            [
                "Tajikistan",
                "’",
                "s",
                "U.S.",
                "-",
                "led",
                "forces",
                ",",
                "15,000",
                "men",
                "."
            ]
        );
    }

    #[test]
    fn numbers_dates_and_unicode() {
        assert_eq!(words("LONDON 1996-08-30"), ["LONDON", "1996-08-30"]);
        assert_eq!(words("Kraków — Bādghīs"), ["Kraków", "—", "Bādghīs"]);
        // A combining mark stays in its word.
        assert_eq!(words("Cafe\u{301} x"), ["Cafe\u{301}", "x"]);
        assert_eq!(words("at 10:30 a.m. on"), ["at", "10:30", "a.m.", "on"]);
    }

    #[test]
    fn general_path_hands_back_to_the_fast_path() {
        // Non-ASCII words, white space and punctuation between ASCII
        // tokens, and line breaks on either side of a non-ASCII space.
        let text = "Kraków\u{a0}police\nsaid\n\u{2003}\nnothing—x. Cafe\u{301}";
        assert_eq!(
            words(text),
            [
                "Kraków",
                "police",
                "said",
                "nothing",
                "—",
                "x",
                ".",
                "Cafe\u{301}"
            ]
        );
        let (t, _, _) = tokenize(text);
        let breaks = |t: &Token| t.flags & (Token::LINE_START | Token::PARA_START);
        assert_eq!(breaks(&t[0]), Token::LINE_START | Token::PARA_START);
        assert_eq!(breaks(&t[1]), 0);
        assert_eq!(breaks(&t[2]), Token::LINE_START);
        assert_eq!(breaks(&t[3]), Token::LINE_START | Token::PARA_START);
        assert!(t[0].is(Token::CAP) && !t[0].is(Token::ASCII));
        assert!(t[1].is(Token::LOWER) && t[1].is(Token::ASCII));
        assert!(t[6].is(Token::STOP));
        assert_eq!(t[7].end as usize, text.len());
    }

    #[test]
    fn shapes_and_caps() {
        let (t, caps, _) = tokenize("THE POLICE REPORTED TODAY THAT 8,000 CARS WERE STOPPED");
        assert!(caps);
        assert!(t[0].is(Token::UPPER) && t[0].is(Token::CAP));
        let (t, caps, _) = tokenize("The police reported today that cars were stopped.");
        assert!(!caps);
        assert!(t[1].is(Token::LOWER));
        assert!(t[0].is(Token::PARA_START));
    }

    #[test]
    fn alnum_run_chunk_sizes_agree() {
        // Runs that end in every place of a chunk, or go on past it, or
        // reach the end of the text, ended by every kind of byte.
        let mut text = String::new();
        for n in 0..40 {
            for (k, end) in [" ", ".", "\n", "é", ",", "-", "Z", "9"].iter().enumerate() {
                let word: String = (0..n).map(|j| ["a", "Q", "7", "x"][(j + k) % 4]).collect();
                text.push_str(&word);
                text.push_str(end);
            }
        }
        let bytes = text.as_bytes();
        for i in 0..bytes.len() {
            for bits in [0, class::UPPER, class::DIGIT] {
                assert_eq!(
                    alnum_run(bytes, i, bits),
                    alnum_run_chunks8(bytes, i, bits),
                    "at {i}"
                );
            }
        }
    }

    #[test]
    fn fast_path_agrees_with_the_general_path() {
        // Tokens of every kind, abbreviations, numbers with separators,
        // line breaks and non-ASCII characters at every place of a
        // 64-byte block, and tokens that cross blocks.
        let pieces = [
            "U.S.",
            "a.m.",
            "J.",
            "15,000",
            "3.5",
            "1996-08-30",
            "10:30",
            "7.",
            "x",
            "Kabul",
            "LONDON",
            "30th",
            "\n",
            "\n\n",
            "  ",
            "\t",
            "\r\n",
            "é",
            "Café",
            ",",
            "?",
            "!",
            "(",
            "\"",
            "-",
            "word-",
            "supercalifragilisticexpialidociousandsoforthlonger",
        ];
        let mut text = String::new();
        for n in 0..600 {
            text.push_str(pieces[(n * 11 + n / 27) % pieces.len()]);
            text.push_str(["", " ", "  ", "\n"][n % 4]);
        }
        let (fast, _, _) = tokenize(&text);
        let mut general = Vec::new();
        let mut at = Cursor::start(0);
        while at.i < text.len() {
            at = general_token(&text, &mut general, at);
        }
        // The general path does not note line breaks, nor a punctuation
        // token's `STOP`.
        let key = |t: &Token| {
            let mut ignored = Token::LINE_START | Token::PARA_START | Token::ASCII;
            if t.kind == TokenKind::Punct {
                ignored |= Token::STOP;
            }
            (t.start, t.end, t.kind, t.flags & !ignored)
        };
        for (f, g) in fast.iter().zip(&general) {
            assert_eq!(
                key(f),
                key(g),
                "{:?}",
                &text[f.start as usize..f.end as usize]
            );
        }
        assert_eq!(fast.len(), general.len());
    }
}
