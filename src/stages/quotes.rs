//! Direct quotations and who said them.
//!
//! Reads `Doc::text`, `Doc::tokens`, `Doc::sentences`, `Doc::people`,
//! `Doc::organizations`; writes `Doc::quotes`.
//!
//! A quotation is text between “ and ” (or a pair of straight double
//! quotes), possibly over several sentences. Its speaker is looked for in
//! the sentences it touches, outside the quotation marks: a person named
//! there (the nearest one), else "he"/"she" (the last person named before
//! the quote), else an organization named there (also "the committee").
//! A quote with no attribution keeps `speaker: null`.

use crate::doc::{Doc, Quote, Span, Speaker};
use crate::gazetteer::Gazetteer;

pub fn run(doc: &mut Doc, _gaz: &Gazetteer) {
    let spans = quote_spans(doc.text);
    let mut quotes = Vec::with_capacity(spans.len());
    for (open, close) in spans {
        let inner = Span::new(open + open_len(doc.text, open), close);
        if inner.is_empty() {
            continue;
        }
        let speaker = speaker(doc, Span::new(open, close + open_len(doc.text, close)));
        quotes.push(Quote {
            span: inner,
            speaker,
        });
    }
    doc.quotes = quotes;
}

fn open_len(text: &str, at: usize) -> usize {
    text[at..].chars().next().map_or(1, char::len_utf8)
}

/// (byte of the opening mark, byte of the closing mark).
///
/// `memchr` finds the two bytes that can start a mark, `"` and 0xE2 (the
/// first byte of `“` and `”`, and of a few other punctuation marks), so
/// the text is not decoded. Paragraph breaks matter only while a quote is
/// open, so only then is the text between two such bytes searched for one.
fn quote_spans(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut open: Option<usize> = None;
    let mut straight: Option<usize> = None;
    let mut from = 0;
    for i in memchr::memchr2_iter(b'"', 0xE2, bytes) {
        // A paragraph break closes nothing: drop unbalanced marks, unless
        // the next paragraph continues the quote. The gap holds no quote
        // marks, so its first paragraph break decides.
        if open.is_some() || straight.is_some() {
            let gap = &bytes[from..i];
            let para = memchr::memchr_iter(b'\n', gap).find(|&k| gap.get(k + 1) == Some(&b'\n'));
            if para.is_some_and(|k| !text[from + k..].trim_start().starts_with(['“', '"'])) {
                open = None;
                straight = None;
            }
        }
        from = i + 1;
        if bytes[i] == b'"' {
            match straight.take() {
                Some(o) => out.push((o, i)),
                None => straight = Some(i),
            }
            continue;
        }
        match &bytes[i + 1..i + 3] {
            b"\x80\x9C" => open = Some(i), // “
            b"\x80\x9D" => {
                // ”
                if let Some(o) = open.take() {
                    out.push((o, i));
                }
            }
            _ => {}
        }
    }
    out.sort();
    out
}

fn speaker(doc: &Doc, quote: Span) -> Option<Speaker> {
    let first = doc.sentence_of(quote.start)?;
    let last = doc
        .sentence_of(quote.end.saturating_sub(1))
        .unwrap_or(first);
    let region = Span::new(
        doc.sentences[first].span.start,
        doc.sentences[last].span.end,
    );
    let outside = |s: Span| region.contains(s) && !quote.contains(s);
    // A named person around the quote: the nearest one.
    let mut best: Option<(usize, usize)> = None;
    for (i, p) in doc.people.iter().enumerate() {
        for m in p.mentions.iter().filter(|m| outside(m.span)) {
            let d = if m.span.start >= quote.end {
                m.span.start - quote.end
            } else {
                quote.start - m.span.end
            };
            if best.is_none_or(|(bd, _)| d < bd) {
                best = Some((d, i));
            }
        }
    }
    if let Some((_, i)) = best {
        return Some(Speaker::Person(i));
    }
    // "he said": the last person named before the quote. When there is
    // none, the text need not be read for a pronoun.
    let last = doc
        .people
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            p.mentions
                .iter()
                .filter(|m| m.span.end <= quote.start)
                .map(|m| m.span.end)
                .max()
                .map(|e| (e, i))
        })
        .max();
    if let Some((_, i)) = last {
        let before = &doc.lower[region.start..quote.start];
        let after = &doc.lower[quote.end.min(region.end)..region.end];
        if has_pronoun(before) || has_pronoun(after) {
            return Some(Speaker::Person(i));
        }
    }
    // An organization (or "the committee") around the quote.
    doc.organizations
        .iter()
        .enumerate()
        .filter_map(|(i, o)| {
            o.mentions
                .iter()
                .filter(|m| outside(m.span))
                .map(|m| (m.span.start, i))
                .next()
        })
        .map(|(_, i)| Speaker::Organization(i))
        .next()
}

/// Is "he" or "she" a word of `s` (a word being a run of alphabetic
/// characters)? Each `h` followed by `e` is a candidate; only the
/// characters either side of it are decoded, so that a non-ASCII letter
/// still joins a word.
fn has_pronoun(s: &str) -> bool {
    let b = s.as_bytes();
    let letter_before = |k: usize| s[..k].chars().next_back().is_some_and(char::is_alphabetic);
    memchr::memchr_iter(b'h', b).any(|k| {
        b.get(k + 1) == Some(&b'e')
            && !s[k + 2..].chars().next().is_some_and(char::is_alphabetic)
            && (!letter_before(k) || (k > 0 && b[k - 1] == b's' && !letter_before(k - 1)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pronouns_are_whole_words() {
        for s in [
            "he said", "she said", "said he.", "(she)", "é he", "x,she", "s he",
        ] {
            assert!(has_pronoun(s), "{s}");
        }
        for s in ["the", "then", "shed", "ashe", "éhe", "heé", "hé", ""] {
            assert!(!has_pronoun(s), "{s}");
        }
    }
}
