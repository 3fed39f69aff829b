//! The thread's lexicon: what the built-in gazetteers say of a word as it
//! is written, kept across the stories a thread reads.
//!
//! Two stages ask the gazetteers about nearly every capitalized word (every
//! word of all-capitals copy): the places stage walks the place index from
//! it, the people rules ask whether it is a given name or a common word.
//! Stories share most of their words, and finding a word in a hash table
//! keyed by its bytes is much cheaper than either question answered afresh
//! (lowercasing it and probing a 1.5 MB perfect-hash table; decoding FST
//! nodes byte by byte). What costs now is the table itself: it outgrows
//! the processor's caches, so a probe for a rarer word is a trip to memory.
//! One table holds both answers, and the lookup stage probes it once per
//! candidate word (`Doc::lexemes`), so that trip is made once per word;
//! the stages fall back on it only for words the lookup stage skipped.

use rustc_hash::FxHashSet;
use std::borrow::Borrow;
use std::cell::{Cell, RefCell};
use std::hash::{Hash, Hasher};

/// What the built-in gazetteers say of one word as written: its word-list
/// bits, its key in the filter of listed people's first words, and where a
/// walk of the place names stands after it. The lookup
/// stage reads it for each word that may start a name
/// ([`Doc::lexemes`](crate::Doc::lexemes)), the places and people stages
/// read it there. In the thread's lexicon each answer is filled in when
/// first asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lexeme {
    /// The word list bits (`WORD_INFO`), or [`Lexeme::UNKNOWN_BITS`].
    pub(crate) bits: u8,
    /// The word's key in the filter of listed people's first words (see
    /// `Gazetteer::may_start_person`), filled in with `bits` (meaningless
    /// while they are unknown). The key, not the filter's answer: the
    /// answer depends on the people lists a gazetteer was loaded with, and
    /// the lexicon is the thread's, whatever gazetteer asks. (The field
    /// lies in padding: entries stay 64 bytes.)
    pub(crate) person_key: u16,
    /// The built-in place index after this word as a name's first token.
    pub(crate) first: FirstWalk,
}

impl Lexeme {
    /// `bits` not asked for yet (real bits use the low three).
    pub(crate) const UNKNOWN_BITS: u8 = u8::MAX;
    /// Nothing known: every question goes to the gazetteers.
    pub const UNKNOWN: Lexeme = Lexeme {
        bits: Lexeme::UNKNOWN_BITS,
        person_key: 0,
        first: FirstWalk::Unknown,
    };

    /// Which answers are not asked for yet (bits and person key, walk).
    #[inline]
    fn unknown(&self) -> (bool, bool) {
        (
            self.bits == Lexeme::UNKNOWN_BITS,
            matches!(self.first, FirstWalk::Unknown),
        )
    }
}

/// Where a walk of the built-in place names stands after a first token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FirstWalk {
    /// Not asked for yet.
    Unknown,
    /// No name starts with this token.
    NoName,
    /// Some name does: see [`AfterFirst`].
    At(AfterFirst),
}

/// The FST state after a first token, and a summary of the node there so
/// that most walks end without decoding it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AfterFirst {
    /// Node address.
    pub(crate) addr: u32,
    /// Output so far.
    pub(crate) out: u32,
    /// Output of the name that ends here, if one does (`u32::MAX`: none).
    pub(crate) fin: u32,
    /// Bit `b & 31` set for every input byte `b` the node goes on with: a
    /// byte whose bit is clear cannot continue any name.
    pub(crate) next: u32,
    /// Bit `b & 63` set for every byte that may follow a space here: the
    /// first letters a second word may start with.
    pub(crate) after_space: u64,
    /// [`pair_bit`] set for every two bytes that may follow a space here:
    /// the first two letters of a second word. Most walks that go on past
    /// a first token end in the second word's first two letters.
    pub(crate) pairs_after_space: u64,
}

impl AfterFirst {
    /// May a name go on with byte `b` after the first token?
    #[inline]
    pub(crate) fn may_go_on(&self, b: u8) -> bool {
        self.next & 1 << (b & 31) != 0
    }

    /// May a name go on with a space and then a word whose first letters
    /// (lowercase) are `b1` and, if it has a second, `b2`?
    #[inline]
    pub(crate) fn may_go_on_after_space(&self, b1: u8, b2: Option<u8>) -> bool {
        self.after_space & 1 << (b1 & 63) != 0
            && b2.is_none_or(|b2| self.pairs_after_space & pair_bit(b1, b2) != 0)
    }
}

/// The bit of two bytes in [`AfterFirst::pairs_after_space`].
#[inline]
pub(crate) fn pair_bit(b1: u8, b2: u8) -> u64 {
    let h = (u32::from(b1) << 8 | u32::from(b2)).wrapping_mul(0x9E37_79B9);
    1 << (h >> 26)
}

/// Most distinct words the lexicon keeps (then it starts over).
const MAX_WORDS: usize = 1 << 17;

/// One word of the lexicon: its [`short_word_key`] and its lexeme, 64
/// bytes aligned to 64, so that an entry is one cache line. A map from key
/// to lexeme keeps its 64-byte pairs aligned to 16 bytes only: an entry
/// may lie across two lines (in profiles most did), and a probe for a word
/// not in cache then waits for both.
#[derive(Debug)]
#[repr(align(64))]
struct Entry {
    key: u128,
    lexeme: Cell<Lexeme>,
}

const _: () = assert!(std::mem::size_of::<Entry>() == 64);

impl Hash for Entry {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key.hash(state);
    }
}

impl PartialEq for Entry {
    fn eq(&self, other: &Entry) -> bool {
        self.key == other.key
    }
}

impl Eq for Entry {}

/// Entries are found by key (hashed alike, as `Hash` requires).
impl Borrow<u128> for Entry {
    fn borrow(&self) -> &u128 {
        &self.key
    }
}

thread_local! {
    static LEXICON: RefCell<FxHashSet<Entry>> = RefCell::new(FxHashSet::default());
}

/// Runs `f` on the thread's lexeme for the word whose [`short_word_key`]
/// is `key`. `f` may fill in answers not asked for yet, and change nothing
/// else; it must not use the lexicon itself.
pub(crate) fn with_lexeme<R>(key: u128, f: impl FnOnce(&mut Lexeme) -> R) -> R {
    LEXICON.with_borrow_mut(|m| with_entry(m, key, f))
}

/// The thread's lexeme for the word whose [`short_word_key`] is `key`,
/// complete: `fill` fills in the answers it lacks (it must not use the
/// lexicon itself). The lookup stage's probe: most find a complete entry
/// and only copy it out.
pub(crate) fn complete_lexeme(key: u128, fill: impl FnOnce(&mut Lexeme)) -> Lexeme {
    LEXICON.with_borrow_mut(|m| {
        if let Some(e) = m.get(&key) {
            let lexeme = e.lexeme.get();
            if lexeme.unknown() == (false, false) {
                return lexeme;
            }
        }
        with_entry(m, key, |lex| {
            fill(lex);
            *lex
        })
    })
}

/// [`with_lexeme`] on lexicon `m`.
// An entry's hash and equality are its key's, which never changes: the
// lexeme in its `Cell` is not part of either.
#[allow(clippy::mutable_key_type)]
// Out of line: the lookup stage's probe (`complete_lexeme`) comes here only
// for a word not seen yet or not complete, and kept small it stays inline
// where it is hot. (Left to itself, whether this was inlined moved with
// unrelated changes, and the probe with it: 16M instructions over the dev
// sets.)
#[inline(never)]
fn with_entry<R>(m: &mut FxHashSet<Entry>, key: u128, f: impl FnOnce(&mut Lexeme) -> R) -> R {
    if let Some(e) = m.get(&key) {
        let mut lexeme = e.lexeme.get();
        let unknown = lexeme.unknown();
        let r = f(&mut lexeme);
        // Most probes only read: leave their cache line clean.
        if lexeme.unknown() != unknown {
            e.lexeme.set(lexeme);
        }
        return r;
    }
    if m.len() >= MAX_WORDS {
        m.clear();
    }
    let mut lexeme = Lexeme::UNKNOWN;
    let r = f(&mut lexeme);
    m.insert(Entry {
        key,
        lexeme: Cell::new(lexeme),
    });
    r
}

/// A word of at most 15 bytes as one number (its bytes, then its length
/// in the last byte), the lexicon's key: the key sits in the hash table
/// itself, so finding it reads no string elsewhere in memory. `None` for
/// longer words, which are not kept.
pub(crate) fn short_word_key(word: &str) -> Option<u128> {
    let b = word.as_bytes();
    if b.len() > 15 {
        return None;
    }
    let mut key = [0u8; 16];
    key[..b.len()].copy_from_slice(b);
    key[15] = b.len() as u8;
    Some(u128::from_le_bytes(key))
}

/// [`short_word_key`] of `text[start..end]`, read as one 16-byte load
/// where the text goes on that far (a copy of a few bytes costs a call).
#[inline]
pub(crate) fn short_key_in(text: &str, start: usize, end: usize) -> Option<u128> {
    let len = end - start;
    if len > 15 {
        return None;
    }
    match text.as_bytes().get(start..start + 16) {
        Some(b) => {
            let bytes = u128::from_le_bytes(b.try_into().expect("16 bytes"));
            Some(bytes & ((1 << (8 * len)) - 1) | (len as u128) << 120)
        }
        None => short_word_key(&text[start..end]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_in_text_are_the_words_keys() {
        let text = "Kraków, Bādghīs and Ouagadougou-Nord (Burkina Faso)";
        let mut words = vec![(0, 0)];
        for (i, c) in text.char_indices() {
            for (j, _) in text[i..]
                .char_indices()
                .skip(1)
                .chain([(text.len() - i, c)])
            {
                words.push((i, i + j));
            }
        }
        for (start, end) in words {
            assert_eq!(
                short_key_in(text, start, end),
                short_word_key(&text[start..end]),
                "{:?}",
                &text[start..end]
            );
        }
    }
}
