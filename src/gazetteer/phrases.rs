//! The phrase index: every curated phrase list (organizations, titles,
//! triggers, weapons, actors, targets), looked up at word starts in the
//! story's lowercased text.
//!
//! A phrase counts only when it starts and ends on word boundaries (`arm`
//! does not match inside `unarmed`), so only word starts need a lookup, and
//! a phrase on word boundaries begins with the whole word found there. The
//! words are found in a bitmap of the text's word bytes (`WordBytes`,
//! computed 64 ASCII bytes at a time), not by stepping through bytes:
//! the word starts of 64 bytes are a few operations on one of its words.
//! Most words begin no phrase: a 65,536-bit filter of the phrases' first
//! words (hashed) rejects them with one memory read. A second filter, of
//! each first word with the first bytes of what may follow it, rejects
//! most of the rest ("the" not followed by any phrase's next word). The
//! rest look their word up in a table of first words, open-addressed by
//! that hash, and compare what follows the word with the tails of the
//! phrases that begin with it, longest first, eight bytes at a time (so a
//! frequent first word like "the", with several phrases, costs a few
//! integer compares).
//!
//! The result is what a leftmost-longest Aho-Corasick scan of the whole
//! text, filtered to word boundaries, gives — this module was one, until
//! the scan (stepping through every byte, reporting the many phrases found
//! inside words) was 7 % of the pipeline and its automaton a sixth of the
//! start-up — except that a match starting inside a word can no longer
//! hide a phrase at the next word start ("attack" in "narcoterrorist
//! attack" was hidden by "terrorist attack"). Building the index is a sort
//! and a table of a few thousand phrases, the user's lists
//! (`--gazetteers`) included.
//!
//! Case is checked by the stages that need it (proper names in mixed-case
//! text).

use super::{load, word_hash, word_head_in, GOLDEN, MASKS};
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
    /// The groups of `tails`, open-addressed by their first word's hash
    /// ([`word_key`]): a power of two of slots, at most half full, a free
    /// slot's first word empty. A probe reads the first word from the
    /// slot itself, so a table of its own costs fewer steps than a hash
    /// map of hashes (hashing the hash again, matching control bytes).
    by_first_word: Box<[Group]>,
    /// `64 - log2(by_first_word.len())`: a hash's top bits pick the slot.
    shift: u32,
    /// The phrases that begin with a non-word character ("-led", from a
    /// user's list), as a group with an empty first word.
    nonword: Option<Group>,
    /// The phrases' tails (what follows the first word), grouped by first
    /// word, longest phrase first.
    tails: Vec<Tail>,
    /// Filter of the first words' hashes ([`filter_bit`]).
    first_words: Box<[u64; 1024]>,
    /// Filter of what may follow a first word ([`follow_hash`]): the
    /// [`PREFIX_LEN`]-byte prefix of each tail at least that long, and 0
    /// for a group with shorter tails (which any text may follow). Most
    /// first words the first filter lets through ("the", "national")
    /// begin only longer phrases, and the bytes after them rule all of
    /// those out: the word is then passed over without a probe of the
    /// table.
    follows: Box<[u64; 1024]>,
}

/// The phrases that begin with one first word.
#[derive(Clone, Copy, Debug)]
struct Group {
    /// The first word's bytes, zero-padded ([`load`]).
    head: u64,
    /// The first word's length in bytes.
    word_len: u32,
    /// The group is `tails[from..from + n]`.
    from: u32,
    n: u32,
    /// The group's tails shorter than [`PREFIX_LEN`] are
    /// `tails[short_from..from + n]` (tails are longest first).
    short_from: u32,
    /// [`prefix_bit`] of every longer tail: when the text after the first
    /// word has none of them, only the short tails can match. A first word
    /// such as "national" or "the" begins dozens of phrases, and most are
    /// ruled out by the bytes right after it (" guard", " ta").
    prefixes: u64,
}

/// What a phrase has after its first word.
#[derive(Clone, Copy, Debug)]
struct Tail {
    /// The tail's first eight bytes, zero-padded ([`load`]).
    head: u64,
    /// The tail's length in bytes.
    len: u32,
    /// The phrase.
    phrase: u32,
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
        // word, sorts first), longest phrase first.
        let first: Vec<&str> = phrases.iter().map(|p| first_word(p)).collect();
        let mut order: Vec<u32> = (0..phrases.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| {
            let (a, b) = (a as usize, b as usize);
            first[a]
                .cmp(first[b])
                .then(phrases[b].len().cmp(&phrases[a].len()))
                .then(a.cmp(&b))
        });
        let tails: Vec<Tail> = order
            .iter()
            .map(|&ix| {
                let (p, word) = (phrases[ix as usize].as_bytes(), first[ix as usize].len());
                let len = p.len() - word;
                Tail {
                    head: load(p, word, len.min(8)),
                    len: len as u32,
                    phrase: ix,
                }
            })
            .collect();
        let mut groups: Vec<(&str, Group)> = Vec::new();
        for (at, &ix) in order.iter().enumerate() {
            let word = first[ix as usize];
            match groups.last_mut() {
                Some((w, g)) if *w == word => g.n += 1,
                _ => groups.push((
                    word,
                    Group {
                        head: word_head_in(word.as_bytes(), 0, word.len()),
                        word_len: word.len() as u32,
                        from: at as u32,
                        n: 1,
                        short_from: at as u32,
                        prefixes: 0,
                    },
                )),
            }
            let (_, g) = groups.last_mut().expect("a group");
            let tail = &tails[at];
            if tail.len as usize >= PREFIX_LEN {
                g.prefixes |= prefix_bit(tail.head);
                g.short_from = at as u32 + 1;
            }
        }
        let nonword = match groups.first() {
            Some(&("", g)) => {
                groups.remove(0);
                Some(g)
            }
            _ => None,
        };
        let slots = (2 * groups.len()).next_power_of_two().max(2);
        let shift = 64 - slots.trailing_zeros();
        let free = Group {
            head: 0,
            word_len: 0,
            from: 0,
            n: 0,
            short_from: 0,
            prefixes: 0,
        };
        let mut by_first_word = vec![free; slots].into_boxed_slice();
        let mut first_words = Box::new([0u64; 1024]);
        let mut follows = Box::new([0u64; 1024]);
        for (w, g) in &groups {
            let h = word_key(w.as_bytes(), 0, w.len()).0;
            let (word, bit) = filter_bit(h);
            first_words[word] |= bit;
            let long = &tails[g.from as usize..g.short_from as usize];
            let short = g.short_from < g.from + g.n;
            let prefixes = long.iter().map(|t| t.head & MASKS[PREFIX_LEN]);
            for prefix in prefixes.chain(short.then_some(0)) {
                let (word, bit) = filter_bit(follow_hash(h, prefix));
                follows[word] |= bit;
            }
            let mut i = (h >> shift) as usize;
            while by_first_word[i].word_len != 0 {
                i = (i + 1) & (slots - 1);
            }
            by_first_word[i] = *g;
        }
        PhraseIndex {
            phrases,
            meanings,
            by_first_word,
            shift,
            nonword,
            tails,
            first_words,
            follows,
        }
    }

    /// Every phrase in `doc.lower` that lies on word boundaries, in text
    /// order.
    pub fn find(&self, doc: &Doc) -> Vec<PhraseHit> {
        let text = doc.lower.as_str();
        // Wire copy has a phrase every hundred bytes or so: room for about
        // that many spares the vector's regrowing.
        let mut hits = Vec::with_capacity(text.len() / 64);
        let words = WordBytes::new(text);
        match &self.nonword {
            None => self.find_at_word_starts(text, &words, &mut hits),
            Some(group) => self.find_with_nonword(text, &words, group, &mut hits),
        }
        hits
    }

    /// [`PhraseIndex::find`] when every phrase begins with a word
    /// character (the built-in lists): lookups are made at word starts
    /// only, taken a 64-byte block at a time from the word-start bits.
    /// The blocks the text goes on past by eight bytes (all but the last
    /// one or two) are scanned by a loop of their own, which reads a
    /// word's first eight bytes from the block's bytes without a bounds
    /// check or a test per word and tests the filters of all the block's
    /// words before it looks any up: most words are rejected by the
    /// filters, so these few steps are most of the cost.
    fn find_at_word_starts(&self, text: &str, words: &WordBytes, hits: &mut Vec<PhraseHit>) {
        let bytes = text.as_bytes();
        let mut block = 0;
        let mut starts = words.starts(0);
        loop {
            while starts == 0 {
                block += 1;
                if block == words.blocks() {
                    return;
                }
                starts = words.starts(block);
            }
            let base = block * 64;
            let next = match bytes.get(base..base + 72) {
                Some(c) => {
                    let chunk: &[u8; 72] = c.try_into().expect("72 bytes");
                    self.filtered_block_words(bytes, words, block, starts, chunk, hits)
                }
                None => self.last_block_words(bytes, words, block, starts, hits),
            };
            starts = match next {
                Some(next) => {
                    block = next / 64;
                    words.starts(block) & (u64::MAX << (next % 64))
                }
                None => 0,
            };
        }
    }

    /// [`PhraseIndex::last_block_words`] of a block the text goes on past
    /// by eight bytes (`chunk`: its bytes and those eight), in three passes
    /// over its word starts, each over the starts the one before let
    /// through: the first-word filter, then the filter of what follows,
    /// then the table. Whether a word passes a filter goes either way from
    /// one word to the next, so a filter's answers are gathered into a
    /// mask of the block's starts without a branch per word (a word's
    /// first eight bytes and its hash are computed again in each pass: a
    /// few operations, less than a mispredicted branch).
    #[inline(always)]
    fn filtered_block_words(
        &self,
        bytes: &[u8],
        words: &WordBytes,
        block: usize,
        starts: u64,
        chunk: &[u8; 72],
        hits: &mut Vec<PhraseHit>,
    ) -> Option<usize> {
        let base = block * 64;
        let not_word = !words.bits[block];
        // The first eight bytes of the word at `base + k`: its length (up
        // to eight) is read from the non-word bits from `k` on, the next
        // block's first ones included (there is always a next block).
        let not_word_on = !words.bits[block + 1];
        let head = |k: usize| {
            let from_k = not_word >> k | (not_word_on << 1) << (63 - k);
            let len = (from_k | 1 << 8).trailing_zeros() as usize;
            let eight: [u8; 8] = chunk[k..k + 8].try_into().expect("8 bytes");
            u64::from_le_bytes(eight) & MASKS[len]
        };
        let end = |k: usize| match not_word & (u64::MAX << k) {
            0 => words.next_non_word(base + k),
            ends => base + ends.trailing_zeros() as usize,
        };
        let mut first = 0u64;
        let mut s = starts;
        while s != 0 {
            let k = s.trailing_zeros() as usize & 63;
            s &= s - 1;
            first |= u64::from(self.may_be_first_word(word_hash(head(k)))) << k;
        }
        let mut follow = 0u64;
        let mut s = first;
        while s != 0 {
            let k = s.trailing_zeros() as usize & 63;
            s &= s - 1;
            let h = word_hash(head(k));
            let end = end(k);
            // The bytes after the word, read from the block's bytes when
            // the word ends inside the block (then eight more follow).
            let after = match end - base < 64 {
                true => {
                    let at = end - base;
                    let eight: [u8; 8] = chunk[at..at + 8].try_into().expect("8 bytes");
                    u64::from_le_bytes(eight) & MASKS[PREFIX_LEN]
                }
                false => load(bytes, end, (bytes.len() - end).min(PREFIX_LEN)),
            };
            let may = self.may_follow_anything(h) | self.may_follow(h, after);
            follow |= u64::from(may) << k;
        }
        while follow != 0 {
            let k = follow.trailing_zeros() as usize & 63;
            follow &= follow - 1;
            let (i, head) = (base + k, head(k));
            if let Some((e, ix)) = self.probe(bytes, i, end(k), word_hash(head), head) {
                let next = self.hit(words, i, e, ix, hits);
                if next - base >= 64 {
                    return Some(next);
                }
                follow &= u64::MAX << (next - base);
            }
        }
        None
    }

    /// The word starts `starts` of block `block`, looked up in turn
    /// ([`PhraseIndex::find_at_word_starts`]) until a phrase is found:
    /// then where the next lookup may be ([`PhraseIndex::hit`]). For the
    /// last block or two, which the text does not go on past by eight
    /// bytes ([`PhraseIndex::filtered_block_words`] takes the others).
    fn last_block_words(
        &self,
        bytes: &[u8],
        words: &WordBytes,
        block: usize,
        mut starts: u64,
        hits: &mut Vec<PhraseHit>,
    ) -> Option<usize> {
        while starts != 0 {
            let i = block * 64 + starts.trailing_zeros() as usize;
            starts &= starts - 1;
            if let Some((e, ix)) = self.at_word(bytes, i, words.next_non_word(i)) {
                return Some(self.hit(words, i, e, ix, hits));
            }
        }
        None
    }

    /// [`PhraseIndex::find`] when some phrases (`nonword`) begin with a
    /// non-word character: lookups are made at word starts and at every
    /// non-word character.
    fn find_with_nonword(
        &self,
        text: &str,
        words: &WordBytes,
        nonword: &Group,
        hits: &mut Vec<PhraseHit>,
    ) {
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let (e, ix) = if words.is_word(i) {
                // Here the previous character, if any, is not a word
                // character.
                let end = words.next_non_word(i);
                match self.at_word(bytes, i, end) {
                    Some(found) => found,
                    None => {
                        i = end;
                        continue;
                    }
                }
            } else {
                match self.longest(nonword, bytes, i) {
                    Some(found) => found,
                    None => {
                        i += text[i..].chars().next().map_or(1, char::len_utf8);
                        continue;
                    }
                }
            };
            i = self.hit(words, i, e, ix, hits);
        }
    }

    /// Records the hits of phrase `ix`, found at `start..e`, if it counts
    /// (ends on a word boundary), and returns where the next lookup may
    /// be: at or after `e`, whether this one counted or not, and at a word
    /// start (matches do not overlap).
    fn hit(
        &self,
        words: &WordBytes,
        start: usize,
        e: usize,
        ix: usize,
        hits: &mut Vec<PhraseHit>,
    ) -> usize {
        let ends_word = !words.is_word(e);
        let after_word = words.is_word(e - 1);
        if ends_word || !after_word {
            for &(list, row) in &self.meanings[ix] {
                hits.push(PhraseHit {
                    span: Span::new(start, e),
                    list,
                    row,
                });
            }
        }
        if !ends_word && after_word {
            words.next_non_word(e)
        } else {
            e
        }
    }

    /// The longest phrase that `bytes[start..]` begins with, given that
    /// `start..end` is a whole word: its end and index.
    #[inline(always)]
    fn at_word(&self, bytes: &[u8], start: usize, end: usize) -> Option<(usize, usize)> {
        let (h, head) = word_key(bytes, start, end);
        if !self.may_be_first_word(h) {
            return None;
        }
        self.probe(bytes, start, end, h, head)
    }

    /// Does the filter of first words let the word of [`word_key`] hash
    /// `h` through?
    #[inline(always)]
    fn may_be_first_word(&self, h: u64) -> bool {
        let (word, bit) = filter_bit(h);
        self.first_words[word] & bit != 0
    }

    /// May any text follow the word of [`word_key`] hash `h` in a phrase
    /// (has it a phrase with a tail shorter than [`PREFIX_LEN`], by the
    /// filter of what follows first words)? Tested first: it needs no
    /// bytes of the text.
    #[inline(always)]
    fn may_follow_anything(&self, h: u64) -> bool {
        self.may_follow(h, 0)
    }

    /// Does the filter of what follows first words let `after`, the
    /// [`PREFIX_LEN`] bytes after the word of hash `h` (as loaded by
    /// [`load`]; 0 for any text), through: may a phrase that begins with
    /// that word, if any, match here?
    #[inline(always)]
    fn may_follow(&self, h: u64, after: u64) -> bool {
        let (word, bit) = filter_bit(follow_hash(h, after));
        self.follows[word] & bit != 0
    }

    /// [`PhraseIndex::at_word`] past the filter: the word's group in the
    /// table of first words (by its [`word_key`] `h` and `head`), and the
    /// longest phrase of it that `bytes[start..]` begins with.
    #[inline]
    fn probe(
        &self,
        bytes: &[u8],
        start: usize,
        end: usize,
        h: u64,
        head: u64,
    ) -> Option<(usize, usize)> {
        let len = end - start;
        let mask = self.by_first_word.len() - 1;
        let mut i = (h >> self.shift) as usize;
        loop {
            let group = &self.by_first_word[i];
            if group.word_len == 0 {
                return None;
            }
            if group.word_len as usize == len
                && group.head == head
                && (len <= 8 || bytes[start..end] == self.tails_phrase(group).as_bytes()[..len])
            {
                return self.longest(group, bytes, start);
            }
            i = (i + 1) & mask;
        }
    }

    /// A phrase of `group`.
    fn tails_phrase(&self, group: &Group) -> &str {
        &self.phrases[self.tails[group.from as usize].phrase as usize]
    }

    /// The first phrase of `group` (so the longest) that `bytes[start..]`
    /// begins with, given that it begins with the group's first word: its
    /// end and index.
    #[inline]
    fn longest(&self, group: &Group, bytes: &[u8], start: usize) -> Option<(usize, usize)> {
        let at = start + group.word_len as usize;
        let room = bytes.len() - at;
        let next = load(bytes, at, room.min(8));
        // Tails at least `PREFIX_LEN` long match only if `next` begins
        // with one of their prefixes.
        let from = match group.prefixes & prefix_bit(next) {
            0 => group.short_from,
            _ => group.from,
        };
        let tails = &self.tails[from as usize..(group.from + group.n) as usize];
        tails.iter().find_map(|t| {
            let len = t.len as usize;
            let fits = len <= room
                && next & MASKS[len.min(8)] == t.head
                && (len <= 8
                    || bytes[at + 8..at + len]
                        == self.phrases[t.phrase as usize].as_bytes()
                            [group.word_len as usize + 8..]);
            fits.then_some((at + len, t.phrase as usize))
        })
    }
}

/// The leading run of word characters of `s` (empty if `s` begins with
/// another character).
fn first_word(s: &str) -> &str {
    let end = s
        .char_indices()
        .find(|&(_, c)| !is_word_char(c))
        .map_or(s.len(), |(i, _)| i);
    &s[..end]
}

/// Which bytes of a text belong to word characters, one bit a byte: word
/// starts and ends are then found a 64-byte block at a time, and the bits
/// of ASCII text are computed 64 bytes at a time (a block by SSE2
/// compares on x86_64: [`ascii_block`]).
struct WordBytes {
    bits: Vec<u64>,
}

impl WordBytes {
    fn new(text: &str) -> WordBytes {
        let bytes = text.as_bytes();
        // A spare block past the end: bits may be set across a block
        // boundary, and `next_non_word` always finds a clear bit.
        let mut bits = vec![0u64; bytes.len() / 64 + 2];
        // Sets bits `at..at + 8` to the low byte of `m`.
        fn set(bits: &mut [u64], at: usize, m: u64) {
            let wide = u128::from(m) << (at % 64);
            bits[at / 64] |= wide as u64;
            bits[at / 64 + 1] |= (wide >> 64) as u64;
        }
        let mut i = 0;
        while i < bytes.len() {
            let block = i / 64;
            if i % 64 == 0 {
                if let Some(block_bits) = bytes[i..].first_chunk::<64>().and_then(ascii_block) {
                    bits[block] = block_bits;
                    i += 64;
                    continue;
                }
            }
            // A block with non-ASCII characters, or the text's last: ASCII
            // runs eight bytes at a time, other characters one by one.
            let stop = bytes.len().min(64 * (block + 1));
            while i < stop {
                if let Some(eight) = bytes.get(i..i + 8) {
                    let x = u64::from_le_bytes(eight.try_into().expect("8 bytes"));
                    // The ASCII bytes before the first non-ASCII one, if any.
                    let ascii = ((x & HIGH).trailing_zeros() as usize / 8).min(stop - i);
                    if ascii > 0 {
                        set(&mut bits, i, high_bits(ascii_word(x)) & ((1 << ascii) - 1));
                        i += ascii;
                        continue;
                    }
                }
                let c = text[i..].chars().next().expect("char boundary");
                if is_word_char(c) {
                    set(&mut bits, i, (1 << c.len_utf8()) - 1);
                }
                i += c.len_utf8();
            }
        }
        WordBytes { bits }
    }

    /// Blocks of 64 bytes (and bits), the spare one past the end included.
    #[inline]
    fn blocks(&self) -> usize {
        self.bits.len()
    }

    /// The word starts in block `block`: bit `k` set if byte `64 * block +
    /// k` is a word byte and the byte before it is not.
    #[inline]
    fn starts(&self, block: usize) -> u64 {
        let before = match block {
            0 => 0,
            _ => self.bits[block - 1] >> 63,
        };
        let b = self.bits[block];
        b & !(b << 1 | before)
    }

    /// Is byte `i` (at most the text's length) part of a word character?
    #[inline]
    fn is_word(&self, i: usize) -> bool {
        self.bits[i / 64] >> (i % 64) & 1 != 0
    }

    /// The first byte at or after `i` that is not a word byte (the text's
    /// length at the latest).
    #[inline]
    fn next_non_word(&self, i: usize) -> usize {
        let mut block = i / 64;
        let mut x = !self.bits[block] & (u64::MAX << (i % 64));
        while x == 0 {
            block += 1;
            x = !self.bits[block];
        }
        block * 64 + x.trailing_zeros() as usize
    }
}

/// The word bytes of 64 bytes, one bit a byte, if they are all ASCII
/// (most blocks of wire copy): on x86_64 by SSE2 compares, 16 bytes at a
/// time ([`ascii_block_sse2`]), elsewhere eight at a time
/// ([`ascii_block_eights`]).
#[inline(always)]
fn ascii_block(chunk: &[u8; 64]) -> Option<u64> {
    #[cfg(target_arch = "x86_64")]
    let bits = ascii_block_sse2(chunk);
    #[cfg(not(target_arch = "x86_64"))]
    let bits = ascii_block_eights(chunk);
    bits
}

/// [`ascii_block`] eight bytes at a time, by [`ascii_word_of_ascii`].
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
#[inline(always)]
fn ascii_block_eights(chunk: &[u8; 64]) -> Option<u64> {
    let eights: [u64; 8] = std::array::from_fn(|k| {
        u64::from_le_bytes(chunk[8 * k..8 * k + 8].try_into().expect("8 bytes"))
    });
    // Checked first, so that the bits are computed by the shorter formula
    // for ASCII bytes only.
    if eights.iter().fold(0, |any, x| any | x) & HIGH != 0 {
        return None;
    }
    Some(eights.iter().enumerate().fold(0, |word, (k, &x)| {
        word | high_bits(ascii_word_of_ascii(x)) << (8 * k)
    }))
}

/// [`ascii_block`] by SSE2 compares: the class bits the tokenizer's
/// block walk reads ([`tokenize::sse2::window`]), letters and digits as
/// word bytes; the block is all ASCII when the window's readable bytes are
/// all 64.
///
/// [`tokenize::sse2::window`]: crate::stages::tokenize::sse2::window
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn ascii_block_sse2(chunk: &[u8; 64]) -> Option<u64> {
    let w = crate::stages::tokenize::sse2::window(chunk, 0);
    (w.len == 64).then_some(w.upper | w.lower | w.digit)
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = ONES * 0x80;

/// The high bit of each byte of `x` that is an ASCII letter or digit.
#[inline(always)]
fn ascii_word(x: u64) -> u64 {
    // The high bit of each byte of `v` (all below 0x80) that is >= `lo`;
    // no byte's sum carries into the next.
    let at_least = |v: u64, lo: u8| v.wrapping_add(ONES * u64::from(0x80 - lo));
    let low7 = x & !HIGH;
    // Setting 0x20 maps capitals, and only them, onto small letters.
    let folded = low7 | (ONES * 0x20);
    let letter = at_least(folded, b'a') & !at_least(folded, b'z' + 1);
    let digit = at_least(low7, b'0') & !at_least(low7, b'9' + 1);
    (letter | digit) & !x & HIGH
}

/// [`ascii_word`] of eight ASCII bytes: a few operations fewer, as no
/// byte's high bit needs clearing first (nor a non-ASCII byte ruling out).
#[inline(always)]
fn ascii_word_of_ascii(x: u64) -> u64 {
    debug_assert_eq!(x & HIGH, 0);
    // Every byte is below 0x80, so no byte's sum carries into the next.
    let at_least = |v: u64, lo: u8| v.wrapping_add(ONES * u64::from(0x80 - lo));
    let folded = x | (ONES * 0x20);
    let letter = at_least(folded, b'a') & !at_least(folded, b'z' + 1);
    let digit = at_least(x, b'0') & !at_least(x, b'9' + 1);
    (letter | digit) & HIGH
}

/// The high bits of the bytes of `x`, as the low 8 bits of the result.
#[inline(always)]
fn high_bits(x: u64) -> u64 {
    ((x >> 7) & ONES).wrapping_mul(0x0102_0408_1020_4080) >> 56
}

/// The hash of the word `bytes[start..end]` for the first-word filter and
/// table ([`word_hash`]: its top bits pick the filter's bit, see
/// [`filter_bit`], and the table's slot), and the word's first eight
/// bytes, zero-padded. It is taken at every word start; the words it
/// confuses (long words that differ only past their eighth byte) are told
/// apart in the table, by the whole word.
#[inline]
fn word_key(bytes: &[u8], start: usize, end: usize) -> (u64, u64) {
    let head = word_head_in(bytes, start, end);
    (word_hash(head), head)
}

/// The word of the first-word filter (1,024 words of 64 bits) and the bit
/// in it of a [`word_key`] hash: its top 16 bits.
#[inline(always)]
fn filter_bit(h: u64) -> (usize, u64) {
    ((h >> 54) as usize, 1 << (h >> 48 & 63))
}

/// The hash in [`PhraseIndex::follows`] of a first word's [`word_key`]
/// hash `h` and `prefix`, the [`PREFIX_LEN`] bytes after the word (as
/// loaded by [`load`]; 0 stands for a short tail).
#[inline(always)]
fn follow_hash(h: u64, prefix: u64) -> u64 {
    (h ^ prefix).wrapping_mul(GOLDEN)
}

/// Bytes of a tail's prefix in [`Group::prefixes`].
const PREFIX_LEN: usize = 3;

/// The bit in [`Group::prefixes`] of the first [`PREFIX_LEN`] bytes of
/// `x` (a tail's or the text's, as loaded by [`load`]).
#[inline(always)]
fn prefix_bit(x: u64) -> u64 {
    let prefix = x & MASKS[PREFIX_LEN];
    1 << (prefix.wrapping_mul(GOLDEN) >> 58)
}

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

    #[test]
    fn long_words_and_tails() {
        let ix = index(&[
            "internationally",
            "internationally recognized government",
            "counterinsurgency",
        ]);
        assert_eq!(
            found(
                &ix,
                "Internationally, internationally recognized government, \
                 counterinsurgency"
            ),
            vec![
                ("Internationally".to_string(), 0),
                ("internationally recognized government".to_string(), 1),
                ("counterinsurgency".to_string(), 2),
            ]
        );
        // The longest phrase runs into a longer word: nothing counts.
        assert_eq!(
            found(
                &ix,
                "counterinsurgencies; internationally recognized governments"
            ),
            vec![]
        );
    }

    #[test]
    fn the_ascii_only_formula_agrees_with_the_general_one() {
        // Every ASCII byte, at every place among eight, between neighbours
        // that are and are not word bytes.
        for b in 0..0x80u8 {
            for k in 0..8 {
                for fill in [b'a', b' ', b'9', b'_'] {
                    let mut eight = [fill; 8];
                    eight[k] = b;
                    let x = u64::from_le_bytes(eight);
                    assert_eq!(ascii_word_of_ascii(x), ascii_word(x), "{b:#x} at {k}");
                }
            }
        }
    }

    #[test]
    fn ascii_blocks_agree_with_the_eight_byte_formula() {
        // Every byte, at every place among 64, between neighbours that are
        // and are not word bytes.
        for b in 0..=0xffu8 {
            for k in 0..64 {
                for fill in [b'a', b' ', b'9', b'_', b'Z'] {
                    let mut chunk = [fill; 64];
                    chunk[k] = b;
                    assert_eq!(
                        ascii_block(&chunk),
                        ascii_block_eights(&chunk),
                        "{b:#x} at {k}"
                    );
                }
            }
        }
    }

    #[test]
    fn word_bytes_are_the_word_characters() {
        let text = format!(
            "{}{}…z’s e\u{301}x",
            "Kraków — Bādghīs, 1996-08-30; ".repeat(5),
            "abcdefghij".repeat(13)
        );
        let words = WordBytes::new(&text);
        let is_word = |i: usize| text[i..].chars().next().is_some_and(is_word_char);
        for (i, c) in text.char_indices() {
            for byte in i..i + c.len_utf8() {
                assert_eq!(words.is_word(byte), is_word(i), "byte {byte}");
            }
            let next_non_word = text
                .char_indices()
                .map(|(j, _)| j)
                .chain([text.len()])
                .find(|&j| j >= i && (j == text.len() || !is_word(j)))
                .unwrap();
            assert_eq!(words.next_non_word(i), next_non_word, "from {i}");
        }
        assert!(!words.is_word(text.len()));
        let starts: Vec<usize> = (0..words.blocks())
            .flat_map(|block| {
                let bits = words.starts(block);
                (0..64)
                    .filter(move |k| bits >> k & 1 != 0)
                    .map(move |k| 64 * block + k)
            })
            .collect();
        let mut expected = Vec::new();
        let mut before = None;
        for (i, c) in text.char_indices() {
            if is_word_char(c) && !before.is_some_and(is_word_char) {
                expected.push(i);
            }
            before = Some(c);
        }
        assert_eq!(starts, expected);
    }
}
