//! Sentence splitter.
//!
//! Reads `Doc::tokens`; writes `Doc::sentences` and `Doc::hard_wrapped`.
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
/// Lowercase; compared case-insensitively.
const ABBREVIATIONS: &[&str] = &[
    "adm", "apr", "aug", "brig", "capt", "cdr", "cmdr", "co", "col", "corp", "cpl", "dec", "dept",
    "dr", "feb", "fig", "gen", "gov", "hon", "inc", "jan", "jr", "jul", "jun", "lt", "ltd", "maj",
    "mar", "messrs", "mr", "mrs", "ms", "mt", "no", "nov", "oct", "pres", "prof", "pvt", "rep",
    "rev", "sen", "sep", "sept", "sgt", "sr", "st", "supt", "vs",
];

/// Splits `doc.tokens` into sentences.
pub fn run(doc: &mut Doc) {
    doc.hard_wrapped = is_hard_wrapped(doc.text);
    doc.sentences = split(doc);
}

/// Are most lines of `text` wrapped near one width (so that a line break
/// inside a paragraph is not a sentence end)?
pub fn is_hard_wrapped(text: &str) -> bool {
    let mut lines = 0usize;
    let mut wrapped = 0usize;
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            continue;
        }
        lines += 1;
        let len = line.chars().count();
        let ends_sentence = line.ends_with(['.', '!', '?', '"', '”', ':']);
        if (55..=90).contains(&len) && !ends_sentence {
            wrapped += 1;
        }
    }
    lines >= 4 && wrapped * 10 >= lines * 4
}

fn is_abbreviation(word: &str) -> bool {
    word.len() <= 6 && ABBREVIATIONS.iter().any(|a| a.eq_ignore_ascii_case(word))
}

fn split(doc: &Doc) -> Vec<Sentence> {
    let toks = &doc.tokens;
    let text = doc.text;
    let mut out = Vec::new();
    let mut begin = 0usize;
    let mut i = 0usize;
    while i < toks.len() {
        // Hard breaks before token i: blank line, or a line break in text
        // that is not hard-wrapped.
        if i > begin {
            let t = &toks[i];
            let hard = t.is(Token::PARA_START) || (t.is(Token::LINE_START) && !doc.hard_wrapped);
            if hard {
                push(&mut out, doc, begin, i);
                begin = i;
            }
        }
        let t = &toks[i];
        let s = t.text(text);
        let is_end_punct = matches!(s, "." | "!" | "?")
            || (t.kind == TokenKind::Word
                && s.len() > 2
                && s.ends_with('.')
                && ends_at_break(doc, i));
        if is_end_punct && ends_sentence(doc, i) {
            let mut j = i + 1;
            // Closing quotes and brackets belong to the sentence.
            while j < toks.len()
                && matches!(toks[j].text(text), "\"" | "”" | "’" | "'" | ")" | "]")
                && toks[j].start == toks[j - 1].end
            {
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

/// Is token `i` followed by a line break (or the end of the text)?
fn ends_at_break(doc: &Doc, i: usize) -> bool {
    doc.tokens
        .get(i + 1)
        .is_none_or(|n| n.is(Token::PARA_START) || (n.is(Token::LINE_START) && !doc.hard_wrapped))
}

/// Does the sentence-final punctuation at token `i` end the sentence?
fn ends_sentence(doc: &Doc, i: usize) -> bool {
    let toks = &doc.tokens;
    let text = doc.text;
    let t = &toks[i];
    let s = t.text(text);
    // Next real token (after closing quotes/brackets).
    let mut j = i + 1;
    while j < toks.len() && matches!(toks[j].text(text), "\"" | "”" | "’" | "'" | ")" | "]") {
        j += 1;
    }
    let Some(next) = toks.get(j) else {
        return true;
    };
    if s == "." {
        if let Some(prev) = i.checked_sub(1).map(|p| &toks[p]) {
            let adjacent = prev.end == t.start;
            let p = prev.text(text);
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
