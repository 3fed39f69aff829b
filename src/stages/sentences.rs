//! Sentence splitter.
//!
//! Reads `Doc::tokens` and `Doc::hard_wrapped` (which the tokenizer sets,
//! by the rule of [`LineTally`]); writes `Doc::sentences`.
//!
//! A sentence ends at `.`, `!` or `?` (with any closing quotes and brackets
//! after it) when the next token starts a sentence, at a blank line, and at
//! a single line break unless the text is hard-wrapped at a fixed width
//! (as old wire copy is), where a line break is just a space. A period does
//! not end a sentence after a title or month abbreviation (`Gen.`,
//! `Lt. Col.`, `Dec.`, `No.`), after an initial (`John F. Kennedy`), after
//! an abbreviation written with periods unless a new line or paragraph
//! follows (`U.S. officials`), or when the next word is lowercase.

use crate::doc::{Doc, Sentence, Span, Token, TokenKind};

/// Abbreviations after which a period does not end a sentence.
/// Lowercase and sorted (binary search); compared case-insensitively.
const ABBREVIATIONS: &[&str] = &[
    "adm", "apr", "aug", "brig", "capt", "cdr", "cmdr", "co", "col", "corp", "cpl", "dec", "dept",
    "dr", "feb", "fig", "gen", "gov", "hon", "inc", "jan", "jr", "jul", "jun", "lt", "ltd", "maj",
    "mar", "messrs", "mr", "mrs", "ms", "mt", "no", "nov", "oct", "pres", "prof", "pvt", "rep",
    "rev", "sen", "sep", "sept", "sgt", "sr", "st", "supt", "vs",
];

/// Splits `doc.tokens` into sentences.
pub fn run(doc: &mut Doc) {
    doc.sentences = split(doc);
}

/// Are most lines of a text wrapped near one width (so that a line break
/// inside a paragraph is not a sentence end)? The tally of its lines that
/// answers it: the tokenizer, which passes every line break, adds each
/// line that is not blank.
///
/// A line counts as wrapped when it is 55 to 90 characters long (after
/// trailing white space) and does not end like a sentence; a text is
/// hard-wrapped when it has at least four lines and two in five are.
#[derive(Clone, Copy, Debug, Default)]
pub struct LineTally {
    lines: usize,
    wrapped: usize,
}

impl LineTally {
    /// Adds `line`, UTF-8 without its line break and trailing white space,
    /// and not empty. `ascii` says that the line is all ASCII (the
    /// tokenizer knows it, having read it), so that its characters are its
    /// bytes; when false it may still be.
    pub fn add(&mut self, line: &[u8], ascii: bool) {
        self.lines += 1;
        // A character takes one to four bytes.
        if !(55..=90 * 4).contains(&line.len()) || ends_like_sentence(line) {
            return;
        }
        // Characters are the bytes that do not continue one.
        let chars = match ascii {
            true => line.len(),
            false => line.iter().filter(|&&b| b & 0xC0 != 0x80).count(),
        };
        if (55..=90).contains(&chars) {
            self.wrapped += 1;
        }
    }

    /// Is the text hard-wrapped?
    pub fn hard_wrapped(&self) -> bool {
        self.lines >= 4 && self.wrapped * 10 >= self.lines * 4
    }
}

/// Does a (trimmed, non-empty) line end with sentence-final punctuation,
/// a closing double quote or a colon?
fn ends_like_sentence(line: &[u8]) -> bool {
    matches!(line.last(), Some(b'.' | b'!' | b'?' | b'"' | b':')) || line.ends_with("”".as_bytes())
}

/// The text of a token, as bytes (no char-boundary checks).
fn bytes_of<'t>(text: &'t [u8], t: &Token) -> &'t [u8] {
    &text[t.start as usize..t.end as usize]
}

/// Is the token a closing quote or bracket (which stays with the sentence
/// before it)? Straight quotes, `)`, `]`, `”` and `’`.
fn is_closing(text: &[u8], t: &Token) -> bool {
    t.kind == TokenKind::Punct
        && matches!(
            bytes_of(text, t),
            b"\"" | b"'" | b")" | b"]" | b"\xE2\x80\x9D" | b"\xE2\x80\x99"
        )
}

/// Is `word` in [`ABBREVIATIONS`], ignoring ASCII case?
fn is_abbreviation(word: &[u8]) -> bool {
    let mut lower = [0u8; 6];
    let Some(lower) = lower.get_mut(..word.len()) else {
        return false;
    };
    lower.copy_from_slice(word);
    lower.make_ascii_lowercase();
    ABBREVIATIONS
        .binary_search_by(|a| a.as_bytes().cmp(lower))
        .is_ok()
}

fn split(doc: &Doc) -> Vec<Sentence> {
    let toks = &doc.tokens;
    let text = doc.text.as_bytes();
    // Wire copy averages about thirty tokens a sentence.
    let mut out = Vec::with_capacity(toks.len() / 16 + 1);
    let breaks = hard_breaks(doc);
    let mut begin = 0usize;
    let mut i = 0usize;
    loop {
        // Most tokens neither follow a hard break nor end like a sentence.
        i = next_flagged(toks, i, breaks | Token::STOP);
        let Some(t) = toks.get(i) else {
            break;
        };
        // Hard breaks before token i: blank line, or a line break in text
        // that is not hard-wrapped.
        if i > begin && t.flags & breaks != 0 {
            push(&mut out, doc, begin, i);
            begin = i;
        }
        // `.`, `!`, `?`, or a word that ends with a period ("U.S.").
        let is_end_punct = t.is(Token::STOP)
            && match t.kind {
                TokenKind::Punct => true,
                TokenKind::Word => ends_at_break(doc, i),
                TokenKind::Number => false,
            };
        if is_end_punct && ends_sentence(doc, i) {
            let mut j = i + 1;
            // Closing quotes and brackets belong to the sentence.
            while j < toks.len() && is_closing(text, &toks[j]) && toks[j].start == toks[j - 1].end {
                j += 1;
            }
            push(&mut out, doc, begin, j);
            begin = j;
            i = j;
            continue;
        }
        i += 1;
    }
    if begin < toks.len() {
        push(&mut out, doc, begin, toks.len());
    }
    out
}

/// The first token from `i` on that has any of the flags in `mask`, or
/// `toks.len()`. Four tokens are tested a step, their flags OR-ed, since
/// most tokens have none; the first of four with a flag is then found by
/// `trailing_zeros` of a mask of their tests.
#[inline]
fn next_flagged(toks: &[Token], mut i: usize, mask: u8) -> usize {
    while let Some([a, b, c, d]) = toks.get(i..).and_then(|t| t.first_chunk::<4>()) {
        if (a.flags | b.flags | c.flags | d.flags) & mask != 0 {
            // Which of the four it is, found without a branch per token
            // (an exit at a varying token would mispredict).
            let hit = |t: &Token, k: u32| u32::from(t.flags & mask != 0) << k;
            let hits = hit(a, 0) | hit(b, 1) | hit(c, 2) | hit(d, 3);
            return i + hits.trailing_zeros() as usize;
        }
        i += 4;
    }
    while toks.get(i).is_some_and(|t| t.flags & mask == 0) {
        i += 1;
    }
    i
}

/// The token flags that mark a hard break before a token: a blank line,
/// or a line break in text that is not hard-wrapped.
fn hard_breaks(doc: &Doc) -> u8 {
    if doc.hard_wrapped {
        Token::PARA_START
    } else {
        Token::PARA_START | Token::LINE_START
    }
}

/// Is token `i` followed by a hard break (or the end of the text)?
fn ends_at_break(doc: &Doc, i: usize) -> bool {
    doc.tokens
        .get(i + 1)
        .is_none_or(|n| n.flags & hard_breaks(doc) != 0)
}

/// Does the sentence-final punctuation at token `i` end the sentence?
fn ends_sentence(doc: &Doc, i: usize) -> bool {
    let toks = &doc.tokens;
    let text = doc.text.as_bytes();
    let t = &toks[i];
    let s = bytes_of(text, t);
    // Next real token (after closing quotes/brackets).
    let mut j = i + 1;
    while j < toks.len() && is_closing(text, &toks[j]) {
        j += 1;
    }
    let Some(next) = toks.get(j) else {
        return true;
    };
    if s == b"." {
        if let Some(prev) = i.checked_sub(1).map(|p| &toks[p]) {
            let adjacent = prev.end == t.start;
            let p = bytes_of(text, prev);
            if adjacent && prev.kind == TokenKind::Word {
                if is_abbreviation(p) && !next.is(Token::PARA_START) {
                    return false;
                }
                // An initial: a single capital letter.
                if p.len() == 1 && prev.is(Token::CAP) && !doc.all_caps {
                    return false;
                }
            }
        }
    }
    if s.len() > 1 {
        // Abbreviation with periods ("U.S.") ends a sentence only at a line break.
        return ends_at_break(doc, i);
    }
    // The next sentence starts with a capital, a digit, a quote or a bracket.
    if next.is(Token::LOWER) && next.kind == TokenKind::Word {
        return false;
    }
    true
}

fn push(out: &mut Vec<Sentence>, doc: &Doc, a: usize, b: usize) {
    if a < b {
        out.push(Sentence {
            tokens: a..b,
            span: Span::new(doc.tokens[a].start as usize, doc.tokens[b - 1].end as usize),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stages::tokenize;

    fn sentences(text: &str) -> Vec<String> {
        let mut doc = Doc::new("t", text);
        tokenize::run(&mut doc);
        run(&mut doc);
        doc.sentences
            .iter()
            .map(|s| doc.slice(s.span).to_string())
            .collect()
    }

    #[test]
    fn abbreviation_list_is_sorted_lowercase() {
        assert!(ABBREVIATIONS.windows(2).all(|w| w[0] < w[1]));
        assert!(ABBREVIATIONS
            .iter()
            .all(|a| a.len() <= 6 && *a == a.to_ascii_lowercase()));
        assert!(is_abbreviation(b"Gen") && is_abbreviation(b"SEPT") && !is_abbreviation(b"Kabul"));
    }

    #[test]
    fn abbreviations_and_initials() {
        assert_eq!(
            sentences("Lt. Col. John F. Smith arrived on Dec. 5 in the U.S. capital. He left."),
            [
                "Lt. Col. John F. Smith arrived on Dec. 5 in the U.S. capital.",
                "He left."
            ]
        );
    }

    #[test]
    fn quotes_close_sentences() {
        assert_eq!(
            sentences("He said: “We will go.” Then he left. “Why?” she asked."),
            [
                "He said: “We will go.”",
                "Then he left.",
                "“Why?” she asked."
            ]
        );
    }

    #[test]
    fn line_breaks() {
        // Not hard-wrapped: each line is a sentence (headlines, datelines).
        assert_eq!(
            sentences("CRICKET - LEICESTERSHIRE WIN\nLONDON 1996-08-30\nSimmons took four."),
            [
                "CRICKET - LEICESTERSHIRE WIN",
                "LONDON 1996-08-30",
                "Simmons took four."
            ]
        );
        let wrapped = "   THE NATIONAL POLICE REPORTED TODAY THAT OVER 15,000 PEOPLE HAVE BEEN\nARRESTED IN LIMA OVER THE PAST FEW HOURS IN A DRAGNET AIMED AT FINDING\nTHE ASSASSINS OF A FORMER DEFENSE MINISTER, WHO WAS MURDERED IN AN\nATTACK YESTERDAY.  THE POLICE ALSO STOPPED 8,000 CARS IN THE SEARCH FOR\nTHE ASSASSINS.\n\n   HE WAS DRIVING WITHOUT AN ESCORT.\n";
        let s = sentences(wrapped);
        assert_eq!(s.len(), 3, "{s:?}");
        assert!(s[0].ends_with("YESTERDAY."));
    }
}
