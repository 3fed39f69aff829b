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

use rustc_hash::FxHashMap;
use std::cell::RefCell;

/// What the built-in gazetteers say of one word as written: its word-list
/// bits and where a walk of the place names stands after it. The lookup
/// stage reads it for each word that may start a name
/// ([`Doc::lexemes`](crate::Doc::lexemes)), the places and people stages
/// read it there. In the thread's lexicon each answer is filled in when
/// first asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lexeme {
    /// The word list bits (`WORD_INFO`), or [`Lexeme::UNKNOWN_BITS`].
    pub(crate) bits: u8,
    /// The built-in place index after this word as a name's first token.
    pub(crate) first: FirstWalk,
}

impl Lexeme {
    /// `bits` not asked for yet (real bits use the low three).
    pub(crate) const UNKNOWN_BITS: u8 = u8::MAX;
    /// Nothing known: every question goes to the gazetteers.
    pub const UNKNOWN: Lexeme = Lexeme {
        bits: Lexeme::UNKNOWN_BITS,
        first: FirstWalk::Unknown,
    };
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

thread_local! {
    static LEXICON: RefCell<FxHashMap<u128, Lexeme>> = RefCell::new(FxHashMap::default());
}

/// Runs `f` on the thread's lexeme for the word whose [`short_word_key`]
/// is `key`. `f` must not use the lexicon itself.
pub(crate) fn with_lexeme<R>(key: u128, f: impl FnOnce(&mut Lexeme) -> R) -> R {
    LEXICON.with_borrow_mut(|m| {
        if m.len() >= MAX_WORDS && !m.contains_key(&key) {
            m.clear();
        }
        f(m.entry(key).or_insert(Lexeme::UNKNOWN))
    })
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
