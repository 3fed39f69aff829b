//! The phrase index: every curated phrase list (organizations, titles,
//! triggers, weapons, actors, targets), looked up at word starts in the
//! story's lowercased text.
//!
//! A phrase counts only when it starts and ends on word boundaries (`arm`
//! does not match inside `unarmed`), so only word starts need a lookup, and
//! a phrase on word boundaries begins with the whole word found there. Most
//! words begin no phrase: a 65,536-bit filter of the phrases' first words
//! (hashed) rejects them with one memory read; the rest find the phrases
//! that begin with their word in a hash map, longest first, and compare
//! them with the text. The result is what a leftmost-longest Aho-Corasick
//! scan of the whole text, filtered to word boundaries, gives — this module
//! was one, until the scan (stepping through every byte, reporting the many
//! phrases found inside words) was 7 % of the pipeline and its automaton a
//! sixth of the start-up — except that a match starting inside a word can
//! no longer hide a phrase at the next word start ("attack" in
//! "narcoterrorist attack" was hidden by "terrorist attack"). Building the
//! index is a sort and a hash map of a few thousand phrases, the user's
//! lists (`--gazetteers`) included.
//!
//! Case is checked by the stages that need it (proper names in mixed-case
//! text).

use crate::doc::{Doc, Span};
use rustc_hash::FxHashMap;

/// Which list a phrase comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ListKind {
    Organization,
    Title,
    Trigger,
    Weapon,
    Actor,
    Target,
}

/// A phrase found in a story.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PhraseHit {
    pub span: Span,
    pub list: ListKind,
    /// Row index in that list's table.
    pub row: usize,
}

/// The phrases and what each means.
pub struct PhraseIndex {
    /// Lowercased phrases; a phrase's index is its index in `meanings`.
    phrases: Vec<String>,
    /// Per phrase: every (list, row) that has it.
    meanings: Vec<Vec<(ListKind, usize)>>,
    /// First word -> a range of `by_length`.
    by_first_word: FxHashMap<String, (u32, u32)>,
    /// Phrase indexes grouped by first word, longest phrase first; the
    /// phrases that begin with a non-word character ("-led", from a user's
    /// list) come last, as one group.
    by_length: Vec<u32>,
    /// Where that last group starts in `by_length`.
    nonword_from: usize,
    /// Filter of the first words' hashes.
    first_words: Vec<u64>,
}

impl PhraseIndex {
    /// Builds the index from `(list, phrases)`; each phrase's position in
    /// its slice is the row index reported in hits.
    pub fn build(lists: &[(ListKind, Vec<String>)]) -> PhraseIndex {
        let mut phrases: Vec<String> = Vec::new();
        let mut meanings: Vec<Vec<(ListKind, usize)>> = Vec::new();
        let mut seen: FxHashMap<String, usize> = Default::default();
        for (list, rows) in lists {
            for (row, p) in rows.iter().enumerate() {
                let key = p.trim().to_ascii_lowercase();
                if key.is_empty() {
                    continue;
                }
                match seen.get(&key) {
                    Some(&ix) => meanings[ix].push((*list, row)),
                    None => {
                        seen.insert(key.clone(), phrases.len());
                        phrases.push(key);
                        meanings.push(vec![(*list, row)]);
                    }
                }
            }
        }
        // Group by first word (the non-word group, with an empty first
        // word, sorts first and is moved last), longest phrase first.
        let first: Vec<&str> = phrases.iter().map(|p| first_word(p)).collect();
        let mut order: Vec<u32> = (0..phrases.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| {
            let (a, b) = (a as usize, b as usize);
            first[a]
                .cmp(first[b])
                .then(phrases[b].len().cmp(&phrases[a].len()))
                .then(a.cmp(&b))
        });
        let nonword = order
            .iter()
            .take_while(|&&ix| first[ix as usize].is_empty())
            .count();
        order.rotate_left(nonword);
        let nonword_from = order.len() - nonword;
        let mut by_first_word: FxHashMap<String, (u32, u32)> = FxHashMap::default();
        let mut first_words = vec![0u64; 1024];
        for (at, &ix) in order[..nonword_from].iter().enumerate() {
            let word = first[ix as usize];
            let group = by_first_word
                .entry(word.to_string())
                .or_insert((at as u32, 0));
            group.1 += 1;
            super::set_bit(&mut first_words, first_word_key(word).1);
        }
        PhraseIndex {
            phrases,
            meanings,
            by_first_word,
            by_length: order,
            nonword_from,
            first_words,
        }
    }

    /// Every phrase in `doc.lower` that lies on word boundaries, in text
    /// order.
    pub fn find(&self, doc: &Doc) -> Vec<PhraseHit> {
        let mut hits = Vec::new();
        let text = doc.lower.as_str();
        let nonword_phrases = self.nonword_from < self.by_length.len();
        let mut i = 0;
        while i < text.len() {
            let (word, len) = char_at(text, i);
            // Here the previous character, if any, is not a word character.
            let found = if word {
                let (run, key) = first_word_key(&text[i..]);
                let found = if super::bit(&self.first_words, key) {
                    self.by_first_word
                        .get(run)
                        .and_then(|&(from, n)| self.longest(text, i, from as usize, n as usize))
                } else {
                    None
                };
                if found.is_none() {
                    i += run.len();
                    continue;
                }
                found
            } else if nonword_phrases {
                self.longest(
                    text,
                    i,
                    self.nonword_from,
                    self.by_length.len() - self.nonword_from,
                )
            } else {
                None
            };
            let Some((e, ix)) = found else {
                i += len;
                continue;
            };
            let ends_word = !text[e..].chars().next().is_some_and(is_word_char);
            if ends_word || !text[..e].chars().next_back().is_some_and(is_word_char) {
                for &(list, row) in &self.meanings[ix] {
                    hits.push(PhraseHit {
                        span: Span::new(i, e),
                        list,
                        row,
                    });
                }
            }
            // Matches do not overlap: the next lookup is at or after `e`,
            // whether this one counted or not, and at a word start.
            i = e;
            if !ends_word && text[..e].chars().next_back().is_some_and(is_word_char) {
                i += first_word(&text[e..]).len();
            }
        }
        hits
    }

    /// The first phrase of `by_length[from..from + n]` (so the longest)
    /// that `text[at..]` begins with: its end and index.
    fn longest(&self, text: &str, at: usize, from: usize, n: usize) -> Option<(usize, usize)> {
        let rest = &text.as_bytes()[at..];
        self.by_length[from..from + n].iter().find_map(|&ix| {
            let p = self.phrases[ix as usize].as_bytes();
            rest.starts_with(p).then(|| (at + p.len(), ix as usize))
        })
    }
}

/// Is the character at byte `i` of `text` a word character, and its length.
#[inline(always)]
fn char_at(text: &str, i: usize) -> (bool, usize) {
    let b = text.as_bytes()[i];
    if b.is_ascii() {
        (b.is_ascii_alphanumeric(), 1)
    } else {
        let c = text[i..].chars().next().expect("char boundary");
        (is_word_char(c), c.len_utf8())
    }
}

/// The leading run of word characters of `s` (empty if `s` begins with
/// another character).
fn first_word(s: &str) -> &str {
    first_word_key(s).0
}

/// [`first_word`] and its hash for the first-word filter. The hash reads
/// the word's first and last eight bytes and its length, a few loads
/// instead of a step per byte.
#[inline]
fn first_word_key(s: &str) -> (&str, u64) {
    let b = s.as_bytes();
    let mut end = 0;
    while end < b.len() {
        if ASCII_WORD[b[end] as usize] {
            end += 1;
            continue;
        }
        let (word, len) = char_at(s, end);
        if !word {
            break;
        }
        end += len;
    }
    let w = &b[..end];
    let (head, tail) = match w.first_chunk::<8>() {
        Some(&first) => (
            u64::from_le_bytes(first),
            u64::from_le_bytes(*w.last_chunk::<8>().expect("8 bytes")),
        ),
        None => {
            let short = w.iter().rev().fold(0u64, |h, &b| (h << 8) | u64::from(b));
            (short, short)
        }
    };
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let h = (head.wrapping_mul(K) ^ tail.rotate_left(29) ^ w.len() as u64).wrapping_mul(K);
    (&s[..end], h ^ (h >> 29))
}

/// ASCII letters and digits, by byte.
static ASCII_WORD: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 128 {
        t[b] = (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    t
};

/// Characters that continue a word.
#[inline]
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(phrases: &[&str]) -> PhraseIndex {
        PhraseIndex::build(&[(
            ListKind::Trigger,
            phrases.iter().map(|p| p.to_string()).collect(),
        )])
    }

    fn found(ix: &PhraseIndex, text: &str) -> Vec<(String, usize)> {
        let doc = Doc::new("t", text);
        ix.find(&doc)
            .iter()
            .map(|h| (text[h.span.start..h.span.end].to_string(), h.row))
            .collect()
    }

    #[test]
    fn whole_words_longest_first() {
        let ix = index(&["arm", "armed forces", "attack", "terrorist attack", "u.n."]);
        assert_eq!(found(&ix, "Unarmed men"), vec![]);
        assert_eq!(
            found(&ix, "The Armed Forces attack, and the U.N. arm."),
            vec![
                ("Armed Forces".to_string(), 1),
                ("attack".to_string(), 2),
                ("U.N.".to_string(), 4),
                ("arm".to_string(), 0),
            ]
        );
        // A phrase inside a word neither counts nor hides the next word's.
        assert_eq!(
            found(&ix, "a narcoterrorist attack"),
            vec![("attack".to_string(), 2)]
        );
        // The longest phrase at a word start is the one tried: "armed
        // forces" running into "forcesx" does not count, and hides "arm".
        assert_eq!(found(&ix, "armed forcesx"), vec![]);
    }

    #[test]
    fn phrases_in_several_lists_and_non_word_starts() {
        let ix = PhraseIndex::build(&[
            (ListKind::Trigger, vec!["bomb".into()]),
            (ListKind::Weapon, vec!["Bomb".into(), "-led".into()]),
        ]);
        let doc = Doc::new("t", "A bomb; US-led forces");
        let hits: Vec<_> = ix
            .find(&doc)
            .iter()
            .map(|h| (h.span, h.list, h.row))
            .collect();
        assert_eq!(
            hits,
            vec![
                (Span::new(2, 6), ListKind::Trigger, 0),
                (Span::new(2, 6), ListKind::Weapon, 0),
                (Span::new(10, 14), ListKind::Weapon, 1),
            ]
        );
    }
}
