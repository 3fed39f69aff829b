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
//! The lookup stage borrows the thread's table once for all the words of
//! a story: per word, a thread-local access and a `RefCell` borrow cost as
//! much as the probe itself.

use std::cell::RefCell;

/// What the built-in gazetteers say of one word as written: its word-list
/// bits, its key in the filter of listed people's first words, and where a
/// walk of the place names stands after it. The lookup
/// stage reads it for each word that may start a name
/// ([`Doc::lexemes`](crate::Doc::lexemes)), the places and people stages
/// read it there. In the thread's lexicon each answer is filled in when
/// first asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lexeme {
    /// The word list bits (`WORD_INFO`, and whether the word is never a
    /// name or is a sports word: `lookup_word_bits`), or
    /// [`Lexeme::UNKNOWN_BITS`].
    pub(crate) bits: u8,
    /// The word's key in the filter of listed people's first words (see
    /// `Gazetteer::may_start_person`), filled in with `bits` (meaningless
    /// while they are unknown). The key as well as the filter's answer
    /// (`may_start_person`): the answer depends on the people lists a
    /// gazetteer was loaded with, and the lexicon is the thread's, whatever
    /// gazetteer asks. (The field lies in padding: a lexeme is 40 bytes.)
    pub(crate) person_key: u32,
    /// The built-in place index after this word as a name's first token.
    pub(crate) first: FirstWalk,
    /// The filter's answer for `person_key`: can a listed person's name
    /// start with this word? Filled in by the lookup stage with the
    /// others, by the filter of the gazetteer the lexicon answers for
    /// ([`Lexicon::answer_for`]); meaningless until `complete`. Asked once
    /// per word, not once per token. (Also in padding.)
    pub(crate) may_start_person: bool,
    /// Are all the answers in? Set by [`Lexicon::complete`] once it has
    /// filled in what was missing (the other fillers fill in one answer
    /// and leave it): one test a probe, not one an answer.
    complete: bool,
}

impl Lexeme {
    /// `bits` not asked for yet (real bits use the low seven).
    pub(crate) const UNKNOWN_BITS: u8 = u8::MAX;
    /// Nothing known: every question goes to the gazetteers.
    pub const UNKNOWN: Lexeme = Lexeme {
        bits: Lexeme::UNKNOWN_BITS,
        person_key: 0,
        first: FirstWalk::UNKNOWN,
        may_start_person: false,
        complete: false,
    };

    /// The built-in word bits, if known: the answer for the lists no
    /// gazetteer extends at run time (such as the sports words); the
    /// others go by [`Gazetteer::lexeme_word_bits`](super::Gazetteer::lexeme_word_bits).
    #[inline]
    pub(crate) fn builtin_bits(&self) -> Option<u8> {
        (self.bits != Lexeme::UNKNOWN_BITS).then_some(self.bits)
    }
}

/// Where a walk of the built-in place names stands after a first token:
/// not asked for yet ([`FirstWalk::UNKNOWN`]), no name starts with the
/// token ([`FirstWalk::NO_NAME`]), or some name does ([`FirstWalk::at`]).
///
/// The two answers without a state are kept as node addresses no state
/// has (the top two: the index is far smaller), not as an enum's tag: the
/// tag would take a word of its own, and every candidate word's lexeme is
/// copied into `Doc::lexemes`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FirstWalk(AfterFirst);

impl FirstWalk {
    /// The address of [`FirstWalk::UNKNOWN`].
    const UNKNOWN_ADDR: u32 = u32::MAX;
    /// The address of [`FirstWalk::NO_NAME`]; real addresses lie below.
    const NO_NAME_ADDR: u32 = u32::MAX - 1;

    /// Not asked for yet.
    pub const UNKNOWN: FirstWalk = FirstWalk::without_state(FirstWalk::UNKNOWN_ADDR);
    /// No name starts with this token.
    pub const NO_NAME: FirstWalk = FirstWalk::without_state(FirstWalk::NO_NAME_ADDR);

    const fn without_state(addr: u32) -> FirstWalk {
        FirstWalk(AfterFirst {
            addr,
            out: 0,
            fin: u32::MAX,
            next: 0,
            after_space: 0,
            pairs_after_space: 0,
        })
    }

    /// Some name starts with this token, and the walk stands at `a`
    /// (`None` if its node's address is one of the two kept for the
    /// answers without a state).
    #[inline]
    pub(crate) fn at_state(a: AfterFirst) -> Option<FirstWalk> {
        (a.addr < FirstWalk::NO_NAME_ADDR).then_some(FirstWalk(a))
    }

    /// Where the walk stands, if some name starts with this token.
    #[inline]
    pub fn at(&self) -> Option<&AfterFirst> {
        (self.0.addr < FirstWalk::NO_NAME_ADDR).then_some(&self.0)
    }

    /// Not asked for yet?
    #[inline]
    pub fn is_unknown(&self) -> bool {
        self.0.addr == FirstWalk::UNKNOWN_ADDR
    }
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
    /// [`after_space_bit`] set for every byte that may follow a space
    /// here: the first letters a second word may start with.
    pub(crate) after_space: u64,
    /// [`pair_bit`] set for every two bytes that may follow a space here:
    /// the first two letters of a second word. Most walks that go on past
    /// a first token end in the second word's first two letters.
    pub(crate) pairs_after_space: u64,
}

impl AfterFirst {
    /// May a name go on with byte `b` (either case: the bit of a letter
    /// is its capital's too) after the first token?
    #[inline]
    pub(crate) fn may_go_on(&self, b: u8) -> bool {
        self.next & 1 << (b & 31) != 0
    }

    /// May a name go on with a space and then a word whose first letters
    /// (either case) are `b1` and, if `long` (the word has a second), `b2`?
    /// (Without a branch: see `places::may_go_on`.)
    #[inline]
    pub(crate) fn may_go_on_after_space(&self, b1: u8, b2: u8, long: bool) -> bool {
        (self.after_space & after_space_bit(b1) != 0)
            & (!long | (self.pairs_after_space & pair_bit(b1, b2) != 0))
    }
}

/// Byte `b` as the summary's bits of what follows a space know it: with
/// bit `0x20` set, which maps an ASCII capital onto its small letter (the
/// walk feeds a word lowercased) in one instruction, where
/// `to_ascii_lowercase` takes five. Other bytes that differ in that bit
/// only (`[` and `{`) share their bits: a filter lets a walk or two more
/// through, and lets none fewer.
#[inline(always)]
fn fold_case(b: u8) -> u8 {
    b | 0x20
}

/// The bit of byte `b` (either case) in [`AfterFirst::after_space`].
#[inline]
pub(crate) fn after_space_bit(b: u8) -> u64 {
    1 << (fold_case(b) & 63)
}

/// The bit of two bytes (either case) in
/// [`AfterFirst::pairs_after_space`].
#[inline]
pub(crate) fn pair_bit(b1: u8, b2: u8) -> u64 {
    let pair = u32::from(fold_case(b1)) << 8 | u32::from(fold_case(b2));
    1 << (pair.wrapping_mul(0x9E37_79B9) >> 26)
}

/// Most distinct words the lexicon keeps (then it starts over).
const MAX_WORDS: usize = 1 << 17;

/// Slots of a new lexicon (it doubles as it fills, up to twice
/// [`MAX_WORDS`]).
const FIRST_SLOTS: usize = 1 << 12;

/// The thread's lexicon: a table of [`short_word_key`]s and their
/// lexemes, open-addressed, one cache line a slot.
///
/// Not a general hash map: keys are 16-byte numbers, nothing is ever
/// removed (the table starts over when [`MAX_WORDS`] are in), and what
/// costs is the trip to memory of a probe for a word not in cache. A probe
/// in a map of key-lexeme pairs reads a line of control bytes and then the
/// pair; here the key lies in the slot itself, so a probe reads the one
/// line of the slot the key hashes to (and now and then the next ones,
/// beside it: the table is kept at most three quarters full, a load at
/// which it grows less often and touches fewer lines in all than at half
/// full). A word found past its home slot is moved there
/// ([`Lexicon::move_home`]), so the words asked for most probe one slot.
pub(crate) struct Lexicon {
    /// A power of two of slots; a free slot has key 0.
    slots: Box<[Slot]>,
    /// Filled slots.
    len: usize,
    /// `64 - log2(slots.len())`: a hash's top bits pick the slot.
    shift: u32,
    /// The people filter the complete lexemes' `may_start_person` answers
    /// come from (its gazetteer's number), if any.
    answers_for: Option<u64>,
}

/// One slot of the lexicon: a word's key (its [`short_word_key`], 0 when
/// free) and its lexeme, 64 bytes aligned to 64, so that a slot is one
/// cache line.
#[derive(Clone, Copy, Debug)]
#[repr(align(64))]
struct Slot {
    key: u128,
    lexeme: Lexeme,
}

const _: () = assert!(std::mem::size_of::<Slot>() == 64);
const _: () = assert!(std::mem::size_of::<Lexeme>() == 40);

impl Slot {
    const FREE: Slot = Slot {
        key: 0,
        lexeme: Lexeme::UNKNOWN,
    };
}

impl Lexicon {
    fn new() -> Lexicon {
        Lexicon::with_slots(FIRST_SLOTS)
    }

    fn with_slots(n: usize) -> Lexicon {
        debug_assert!(n.is_power_of_two());
        Lexicon {
            slots: vec![Slot::FREE; n].into_boxed_slice(),
            len: 0,
            shift: 64 - n.trailing_zeros(),
            answers_for: None,
        }
    }

    /// The first slot to look at for key `key`: the top bits of a
    /// multiplicative hash of its two halves' exclusive or. Words of up to
    /// seven bytes (most) keep their bytes and length apart in it; longer
    /// words that share it only share a probe.
    #[inline(always)]
    fn home(&self, key: u128) -> usize {
        const K: u64 = 0xf135_7aea_2e62_a9c5;
        let (lo, hi) = (key as u64, (key >> 64) as u64);
        ((lo ^ hi).wrapping_mul(K) >> self.shift) as usize
    }

    /// The lexeme of the word whose [`short_word_key`] is `key`, entered
    /// (unknown) if it is not in yet.
    #[inline]
    pub(crate) fn entry(&mut self, key: u128) -> &mut Lexeme {
        let mask = self.slots.len() - 1;
        let home = self.home(key);
        if self.slots[home].key == key {
            return &mut self.slots[home].lexeme;
        }
        let mut i = home;
        loop {
            let k = self.slots[i].key;
            if k == key {
                return self.move_home(home, i);
            }
            if k == 0 {
                return self.enter(key, i);
            }
            i = (i + 1) & mask;
        }
    }

    /// The lexeme in slot `i`, of a key whose home slot `home` holds
    /// another key: the two slots are swapped, so that the next probe for
    /// this key ends at its home. A probe that goes on past the home slot
    /// is a branch the processor mispredicts, and often a second cache
    /// line; the words a story asks for again and again (asked for since
    /// they went in) thus soon sit at home. Linear probing allows the
    /// swap: the other key's probe, from its home at or before `home`,
    /// goes on through the full slots up to `i`, and finds it there.
    #[cold]
    #[inline(never)]
    fn move_home(&mut self, home: usize, i: usize) -> &mut Lexeme {
        self.slots.swap(home, i);
        &mut self.slots[home].lexeme
    }

    /// Enters key `key`, not in the table, whose probe ended at
    /// free slot `i`.
    #[cold]
    #[inline(never)]
    fn enter(&mut self, key: u128, mut i: usize) -> &mut Lexeme {
        if self.len >= MAX_WORDS {
            self.slots.fill(Slot::FREE);
            self.len = 0;
            i = self.free_slot(key);
        } else if 4 * (self.len + 1) > 3 * self.slots.len() {
            self.grow();
            i = self.free_slot(key);
        }
        self.len += 1;
        self.slots[i] = Slot {
            key,
            lexeme: Lexeme::UNKNOWN,
        };
        &mut self.slots[i].lexeme
    }

    /// The free slot where a probe for key `key`, not in the table,
    /// ends.
    fn free_slot(&self, key: u128) -> usize {
        let mask = self.slots.len() - 1;
        let mut i = self.home(key);
        while self.slots[i].key != 0 {
            i = (i + 1) & mask;
        }
        i
    }

    /// Doubles the slots (the words stay).
    fn grow(&mut self) {
        let mut grown = Lexicon::with_slots(2 * self.slots.len());
        for slot in self.slots.iter().filter(|s| s.key != 0) {
            let i = grown.free_slot(slot.key);
            grown.slots[i] = *slot;
        }
        grown.len = self.len;
        grown.answers_for = self.answers_for;
        *self = grown;
    }

    /// Makes the lexicon answer for the people filter numbered `id` (a
    /// gazetteer's): if it answered for another, no lexeme is complete
    /// any more, so that [`Lexicon::complete`] asks each word's answer
    /// again (the other answers stay: they are the built-in lists').
    pub(crate) fn answer_for(&mut self, id: u64) {
        if self.answers_for != Some(id) {
            for slot in self.slots.iter_mut() {
                slot.lexeme.complete = false;
            }
            self.answers_for = Some(id);
        }
    }

    /// Asks the processor to bring in the home slot of key `key` (a
    /// [`short_word_key`]), which a probe will read soon. The lookup stage
    /// calls it eight tokens ahead of its probes, so that a rarer word's
    /// trip past the core's caches overlaps the work on the words before
    /// it. Only a hint: it changes nothing, and costs a hash and one
    /// instruction. In paired runs it made no difference in the hours the
    /// machine ran at full speed (0.5 % slower) and gained 2.5 % in the
    /// slowest runs, when other work crowds the shared cache and a probe
    /// that misses waits longest.
    #[inline(always)]
    pub(crate) fn prefetch(&self, key: u128) {
        // (The home slot is always in the table: no bounds check.)
        let slot: *const Slot = self.slots.as_ptr().wrapping_add(self.home(key));
        #[cfg(target_arch = "x86_64")]
        // SAFETY: a prefetch is a hint that never faults, and `slot`
        // points into the table anyway.
        unsafe {
            use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
            _mm_prefetch::<_MM_HINT_T0>(slot.cast());
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = slot;
    }

    /// The lexeme of the word whose [`short_word_key`] is `key`, complete:
    /// `fill` fills in the answers it lacks (it is given a lexeme not
    /// filled by this function before, which may hold some answers). Most
    /// probes find a complete lexeme. A reference, not a copy: the caller
    /// copies it once, to where it keeps it (a lexeme returned by value
    /// goes by way of the stack).
    #[inline]
    pub(crate) fn complete(&mut self, key: u128, fill: impl FnOnce(&mut Lexeme)) -> &Lexeme {
        let lexeme = self.entry(key);
        if !lexeme.complete {
            fill(lexeme);
            lexeme.complete = true;
        }
        lexeme
    }
}

thread_local! {
    static LEXICON: RefCell<Lexicon> = RefCell::new(Lexicon::new());
}

/// Runs `f` on the thread's lexicon: a caller with many words to look up
/// borrows it once for all of them. `f` must not use the lexicon again
/// (through [`with_lexeme`]).
pub(crate) fn with_lexicon<R>(f: impl FnOnce(&mut Lexicon) -> R) -> R {
    LEXICON.with_borrow_mut(f)
}

/// Runs `f` on the thread's lexeme for the word whose [`short_word_key`]
/// is `key`. `f` may fill in answers not asked for yet, and change nothing
/// else; it must not use the lexicon itself.
pub(crate) fn with_lexeme<R>(key: u128, f: impl FnOnce(&mut Lexeme) -> R) -> R {
    with_lexicon(|lexicon| f(lexicon.entry(key)))
}

/// A word of at most 15 bytes as one number (its bytes, then its length
/// in the last byte, with [`KEY_TAG`] set), the lexicon's key: the key
/// sits in the hash table itself, so finding it reads no string elsewhere
/// in memory. `None` for longer words, which are not kept.
pub(crate) fn short_word_key(word: &str) -> Option<u128> {
    let b = word.as_bytes();
    if b.len() > 15 {
        return None;
    }
    let mut key = [0u8; 16];
    key[..b.len()].copy_from_slice(b);
    key[15] = b.len() as u8 | KEY_TAG;
    Some(u128::from_le_bytes(key))
}

/// Set in the last byte of every word's key: the length there, at most
/// 15, leaves the top bit free, and with it set no key is 0, the key of a
/// free slot of the lexicon (not even the empty word's).
const KEY_TAG: u8 = 0x80;

/// [`short_word_key`] of `text[start..end]`, read as one 16-byte load
/// where the text goes on that far (a copy of a few bytes costs a call),
/// and cut to the word by a mask from a table (a shift of a `u128` by a
/// variable amount costs a dozen instructions and branches).
#[inline]
pub(crate) fn short_key_in(text: &str, start: usize, end: usize) -> Option<u128> {
    if end - start > 15 {
        return None;
    }
    match hint_key_in(text, start, end) {
        Some(key) => Some(key),
        None => short_word_key(&text[start..end]),
    }
}

/// [`short_key_in`] where the text goes on 16 bytes past `start` (`None`
/// elsewhere), for a [`Lexicon::prefetch`], which a wrong key only makes
/// a wasted hint: a word too long to be kept gets a key (from its length
/// modulo 16) no word is kept under, a test fewer a word.
#[inline]
pub(crate) fn hint_key_in(text: &str, start: usize, end: usize) -> Option<u128> {
    let (mask, last) = KEY_PARTS[(end - start) % 16];
    let b = text.as_bytes().get(start..start + 16)?;
    let bytes = u128::from_le_bytes(b.try_into().expect("16 bytes"));
    Some(bytes & mask | last)
}

/// `KEY_PARTS[n]`, for `n` up to 15: the low `n` bytes of a `u128` set
/// (the mask of an `n`-byte word), and the last byte of an `n`-byte
/// word's key in place (read from a table, it costs one instruction;
/// made, four). One table, so that both are found from one address.
const KEY_PARTS: [(u128, u128); 16] = {
    let mut t = [(0, 0); 16];
    let mut n = 0;
    while n < 16 {
        t[n] = ((1 << (8 * n)) - 1, ((n as u8 | KEY_TAG) as u128) << 120);
        n += 1;
    }
    t
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_moved_home_are_still_found() {
        // 40 words in 64 slots: many probes go past their home slot, and
        // each one found there moves home.
        let mut lexicon = Lexicon::with_slots(64);
        let keys: Vec<u128> = (1..=40u32)
            .map(|n| short_word_key(&format!("w{n}")).expect("a short word"))
            .collect();
        for (n, &key) in keys.iter().enumerate() {
            lexicon.entry(key).person_key = n as u32;
        }
        for round in 0..3 {
            for (n, &key) in keys.iter().enumerate().rev().skip(round) {
                assert_eq!(lexicon.entry(key).person_key, n as u32);
            }
        }
        assert_eq!(lexicon.len, keys.len());
    }

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
