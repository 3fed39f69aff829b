//! The phrase automaton: one Aho-Corasick automaton over every curated
//! phrase list (organizations, titles, triggers, weapons, actors, targets),
//! run once per story over its lowercased text.
//!
//! The lists hold a few thousand phrases. A contiguous NFA builds in about
//! a millisecond (a DFA took about 8 ms, most of the start-up budget) and
//! scans fast enough for these short texts; it is built once per process
//! and shared by every thread. Matching is leftmost-longest; a match
//! counts only when it starts and ends on token boundaries (`arm` does not
//! match inside `unarmed`). Case is checked by the
//! stages that need it (proper names in mixed-case text).

use crate::doc::{Doc, Span};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

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

/// The automaton and what each pattern means.
pub struct PhraseIndex {
    ac: Option<AhoCorasick>,
    /// Per pattern: every (list, row) that has this phrase.
    meanings: Vec<Vec<(ListKind, usize)>>,
}

impl PhraseIndex {
    /// Builds the automaton from `(list, phrases)`; each phrase's position
    /// in its slice is the row index reported in hits.
    pub fn build(lists: &[(ListKind, Vec<String>)]) -> PhraseIndex {
        let mut patterns: Vec<String> = Vec::new();
        let mut meanings: Vec<Vec<(ListKind, usize)>> = Vec::new();
        let mut seen: std::collections::HashMap<String, usize> = Default::default();
        for (list, phrases) in lists {
            for (row, p) in phrases.iter().enumerate() {
                let key = p.trim().to_ascii_lowercase();
                if key.is_empty() {
                    continue;
                }
                match seen.get(&key) {
                    Some(&ix) => meanings[ix].push((*list, row)),
                    None => {
                        seen.insert(key.clone(), patterns.len());
                        patterns.push(key);
                        meanings.push(vec![(*list, row)]);
                    }
                }
            }
        }
        let ac = (!patterns.is_empty()).then(|| {
            AhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostLongest)
                .kind(Some(AhoCorasickKind::ContiguousNFA))
                .build(&patterns)
                .expect("phrase automaton")
        });
        PhraseIndex { ac, meanings }
    }

    /// Every phrase in `doc.lower` that lies on token boundaries.
    pub fn find(&self, doc: &Doc) -> Vec<PhraseHit> {
        let mut hits = Vec::new();
        let Some(ac) = &self.ac else {
            return hits;
        };
        let text = doc.lower.as_str();
        for m in ac.find_iter(text) {
            let (s, e) = (m.start(), m.end());
            let before_ok = !text[..s].chars().next_back().is_some_and(is_word_char)
                || !text[s..].chars().next().is_some_and(is_word_char);
            let after_ok = !text[e..].chars().next().is_some_and(is_word_char)
                || !text[..e].chars().next_back().is_some_and(is_word_char);
            if !(before_ok && after_ok) {
                continue;
            }
            for &(list, row) in &self.meanings[m.pattern().as_usize()] {
                hits.push(PhraseHit {
                    span: Span::new(s, e),
                    list,
                    row,
                });
            }
        }
        hits
    }
}

/// Characters that continue a word.
#[inline]
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}
