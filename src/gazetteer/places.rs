//! The place index: every place name in the world gazetteer, looked up at
//! candidate tokens by walking a finite-state transducer over the text.
//!
//! Why not an `AhoCorasick` over all names? With ~300k names it takes
//! hundreds of milliseconds to build, at every start, and it cannot be
//! serialized. The FST is built once by `build.rs`, included in the binary
//! and used in place: start-up costs nothing. Only tokens a stage names as
//! candidates (capitalized words, in all-caps copy every word) start a
//! walk; the walk reads the text lowercased, character by character, and
//! records a match wherever a token ends in a final state, so the longest
//! name that ends on a token boundary wins (leftmost-longest, like the
//! phrase index). Names repeat, within a story and across stories: where
//! the built-in names stand after a word, and after each further word of
//! a walk, is kept for the thread, so a name met again is walked by a
//! hash probe a word rather than by decoding FST nodes a byte. Names a
//! user adds with `--gazetteers DIR` go into a second, small FST built at
//! load time and walked the same way.

use super::lexicon::{after_space_bit, pair_bit, short_key_in, with_lexeme, AfterFirst, FirstWalk};
use super::normalize::{normalize_key, push_normalized};
use super::table::{Check, GazetteerError, Table};
use crate::doc::{Form, Place, Token};
use fst::raw::{Fst, Node, Output};
use rustc_hash::FxHashMap;
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::hash::Hash;

static PLACES_TSV: &str = include_str!("../../gazetteers/places.tsv");
static NAMES_FST: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/place_names.fst"));
static POSTINGS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/place_postings.bin"));
static RECORDS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/place_records.bin"));
static BY_LATITUDE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/place_by_lat.bin"));

/// Bytes per record in `place_records.bin` (layout in `build.rs`).
const RECORD_LEN: usize = 40;

include!("kinds.rs");

/// What the place rules ask of all the entries a name may refer to, as
/// bits (see [`Candidates::flags`]).
pub mod candidate_flags {
    include!("candidate_flags.rs");
}
use candidate_flags::candidate_flags;

/// Columns of `places.tsv`.
pub const PLACE_COLUMNS: &[(&str, Check)] = &[
    ("id", Check::Required),
    ("name", Check::Required),
    ("kind", Check::OneOf(PLACE_KINDS)),
    ("country_code", Check::CountryCode),
    ("admin1", Check::Any),
    ("lat", Check::Number),
    ("lon", Check::Number),
    ("population", Check::Number),
];

/// Columns of `place_names.tsv`.
pub const PLACE_NAME_COLUMNS: &[(&str, Check)] = &[
    ("name", Check::Required),
    ("id", Check::Required),
    (
        "form",
        Check::OneOf(&["name", "alias", "acronym", "demonym"]),
    ),
];

/// One gazetteer entry, borrowed from the index.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PlaceEntry<'g> {
    pub id: &'g str,
    pub name: &'g str,
    pub kind: &'g str,
    pub country_code: &'g str,
    pub admin1: &'g str,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub population: u64,
}

impl<'g> PlaceEntry<'g> {
    fn from_line(line: &'g str) -> PlaceEntry<'g> {
        let mut f = line.trim_end_matches(['\n', '\r']).split('\t');
        let mut next = || f.next().unwrap_or("");
        let id = next();
        let name = next();
        let kind = next();
        let country_code = next();
        let admin1 = next();
        let lat = next().parse().ok();
        let lon = next().parse().ok();
        let population = next().parse::<f64>().map_or(0, |p| p as u64);
        PlaceEntry {
            id,
            name,
            kind,
            country_code,
            admin1,
            lat,
            lon,
            population,
        }
    }
}

/// A reference to an entry: in the built-in table or in the overlay.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PlaceRef {
    Builtin(u32),
    Overlay(u32),
}

/// A name found in the text and the entries it may refer to.
#[derive(Clone, Debug, PartialEq)]
pub struct PlaceMatch {
    /// Token index one past the last token of the name.
    pub end_token: usize,
    pub candidates: Candidates,
}

/// The longest built-in name at a token, as its first token's walk leads
/// to it (see [`PlaceIndex::at_first`]).
#[derive(Clone, Debug, PartialEq)]
pub enum AtFirst {
    /// No name starts there.
    NoName,
    /// The longest name starting there.
    Found(PlaceMatch),
    /// Not known from the first token's walk: ask [`PlaceIndex::longest_at`].
    Walk,
}

/// The entries a name may refer to, in the index's order. A built-in
/// name's are read in place from the compiled posting lists: a walk finds
/// a name at most capitalized words, and some names have hundreds of
/// entries ("San", "Santa"), so copying them out would allocate for
/// nearly every candidate word.
#[derive(Clone, Debug, PartialEq)]
pub enum Candidates {
    /// The posting list of a built-in name (its offset).
    Builtin(u32),
    /// A list made at run time: names a user added, alone or merged with
    /// a built-in name's entries.
    List(Vec<(PlaceRef, Form)>),
}

impl Default for Candidates {
    fn default() -> Candidates {
        Candidates::List(Vec::new())
    }
}

impl Candidates {
    /// The candidates, in order.
    pub fn iter(&self) -> CandidateIter<'_> {
        match self {
            Candidates::Builtin(o) => CandidateIter {
                list: [].iter(),
                postings: builtin_posting_bytes(*o).chunks_exact(POSTING_LEN),
            },
            Candidates::List(v) => CandidateIter {
                list: v.iter(),
                postings: [].chunks_exact(POSTING_LEN),
            },
        }
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        match self {
            Candidates::Builtin(o) => builtin_posting_bytes(*o).len() / POSTING_LEN,
            Candidates::List(v) => v.len(),
        }
    }

    /// What the place rules ask of all of them (`candidate_flags` bits):
    /// stored with a built-in name's list, so that the rules need not read
    /// the records of hundreds of entries. (A built-in name's flags are
    /// read inline, a byte, by the filters of every name found; a list's,
    /// rare, are worked out in a call.)
    #[inline]
    pub fn flags(&self, places: &PlaceIndex) -> u8 {
        match self {
            Candidates::Builtin(o) => POSTINGS[*o as usize + 2],
            Candidates::List(v) => list_flags(places, v),
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The one candidate, if there is exactly one.
    pub fn only(&self) -> Option<(PlaceRef, Form)> {
        let mut it = self.iter();
        let first = it.next()?;
        it.next().is_none().then_some(first)
    }
}

/// [`Candidates::flags`] of a list made at run time.
#[inline(never)]
fn list_flags(places: &PlaceIndex, v: &[(PlaceRef, Form)]) -> u8 {
    candidate_flags(v.iter().map(|&(r, form)| {
        let (kind, population) = places.kind_population(r);
        (
            kind,
            population,
            form == Form::Demonym,
            form == Form::Acronym,
        )
    }))
}

/// Iterator over [`Candidates`].
#[derive(Clone, Debug)]
pub struct CandidateIter<'a> {
    list: std::slice::Iter<'a, (PlaceRef, Form)>,
    postings: std::slice::ChunksExact<'static, u8>,
}

impl Iterator for CandidateIter<'_> {
    type Item = (PlaceRef, Form);

    #[inline]
    fn next(&mut self) -> Option<(PlaceRef, Form)> {
        if let Some(&c) = self.list.next() {
            return Some(c);
        }
        self.postings.next().map(decode_posting)
    }
}

/// The world place index (built-in) plus places added at run time.
pub struct PlaceIndex {
    names: Fst<&'static [u8]>,
    /// Where the built-in names stand after two lowercase letters (see
    /// [`TwoLetters`]).
    two_letters: TwoLetters,
    overlay_names: Option<Fst<Vec<u8>>>,
    overlay_postings: Vec<Vec<(PlaceRef, Form)>>,
    overlay_lines: Vec<String>,
}

fn form_of(code: u8) -> Form {
    match code {
        1 => Form::Alias,
        2 => Form::Acronym,
        3 => Form::Demonym,
        _ => Form::Name,
    }
}

impl PlaceIndex {
    /// The index compiled into the binary.
    pub fn builtin() -> PlaceIndex {
        let names = Fst::new(NAMES_FST).expect("place_names.fst built by build.rs");
        PlaceIndex {
            two_letters: TwoLetters::new(&names),
            names,
            overlay_names: None,
            overlay_postings: Vec::new(),
            overlay_lines: Vec::new(),
        }
    }

    /// Number of built-in entries.
    pub fn builtin_len(&self) -> usize {
        RECORDS.len() / RECORD_LEN
    }

    /// Adds the places and names of user files (`places.tsv`,
    /// `place_names.tsv`). A name may point at a built-in id or a new one.
    pub fn add(&mut self, places: &Table, names: &Table) -> Result<(), GazetteerError> {
        let mut ids: HashMap<String, PlaceRef> = HashMap::new();
        for row in &places.rows {
            let r = PlaceRef::Overlay(self.overlay_lines.len() as u32);
            self.overlay_lines.push(row.fields.join("\t"));
            ids.insert(row.get(0).to_string(), r);
        }
        let mut keys: BTreeMap<String, Vec<(PlaceRef, Form)>> = BTreeMap::new();
        // Re-add earlier overlay names so several calls accumulate.
        if let Some(fst) = &self.overlay_names {
            let mut stream = fst.stream();
            use fst::Streamer;
            while let Some((k, v)) = stream.next() {
                keys.insert(
                    String::from_utf8_lossy(k).into_owned(),
                    self.overlay_postings[v.value() as usize].clone(),
                );
            }
        }
        for row in &names.rows {
            let id = row.get(1);
            let r = match ids.get(id) {
                Some(&r) => r,
                None => match self.find_builtin_id(id) {
                    Some(r) => r,
                    None => {
                        return Err(GazetteerError {
                            file: names.file.clone(),
                            line: row.line,
                            message: format!("unknown place id {id:?}"),
                        })
                    }
                },
            };
            let form = Form::parse(row.get(2)).unwrap_or(Form::Name);
            let key = normalize_key(row.get(0));
            let list = keys.entry(key).or_default();
            list.retain(|(x, _)| *x != r);
            // A user's name is looked at before the built-in candidates.
            list.insert(0, (r, form));
        }
        let mut builder = fst::raw::Builder::memory();
        self.overlay_postings.clear();
        for (k, list) in keys {
            builder
                .insert(k.as_bytes(), self.overlay_postings.len() as u64)
                .expect("sorted keys");
            self.overlay_postings.push(list);
        }
        self.overlay_names = Some(builder.into_fst());
        Ok(())
    }

    fn find_builtin_id(&self, id: &str) -> Option<PlaceRef> {
        (0..self.builtin_len() as u32)
            .find(|&i| self.entry(PlaceRef::Builtin(i)).id == id)
            .map(PlaceRef::Builtin)
    }

    /// The entry behind a reference.
    pub fn entry(&self, r: PlaceRef) -> PlaceEntry<'_> {
        match r {
            PlaceRef::Builtin(i) => builtin_entry(i as usize),
            PlaceRef::Overlay(i) => PlaceEntry::from_line(&self.overlay_lines[i as usize]),
        }
    }

    /// A document's place for entry `r`, without mentions yet. A built-in
    /// entry's text is borrowed from the data compiled into the binary,
    /// not copied; an entry added at run time is copied.
    pub fn place(&self, r: PlaceRef) -> Place {
        match r {
            PlaceRef::Builtin(i) => place_of(builtin_entry(i as usize), Cow::Borrowed),
            PlaceRef::Overlay(_) => place_of(self.entry(r), |s| Cow::Owned(s.to_string())),
        }
    }

    /// The entry's kind and population, as in [`PlaceIndex::entry`]. A
    /// built-in entry's are read from its record alone: the filters ask
    /// them of every candidate of a name (hundreds for "San" or "Santa"),
    /// and slicing the text fields out of `places.tsv` for each costs a
    /// cache miss or two apiece.
    pub fn kind_population(&self, r: PlaceRef) -> (&str, u64) {
        match r {
            PlaceRef::Builtin(i) => {
                let r = builtin_record(i as usize);
                (
                    PLACE_KINDS[r[8] as usize],
                    u64::from_le_bytes(r[32..40].try_into().expect("8 bytes")),
                )
            }
            PlaceRef::Overlay(_) => {
                let e = self.entry(r);
                (e.kind, e.population)
            }
        }
    }

    /// The entry's kind as its index in [`PLACE_KINDS`] (`PLACE_KINDS.len()`
    /// for a kind not in the list, which the overlay's checks rule out),
    /// and its population: [`PlaceIndex::kind_population`] for code that
    /// looks the kind up in a table rather than comparing its name, as the
    /// scoring of every candidate of a name does.
    pub fn kind_index_population(&self, r: PlaceRef) -> (usize, u64) {
        match r {
            PlaceRef::Builtin(i) => {
                let r = builtin_record(i as usize);
                (
                    r[8] as usize,
                    u64::from_le_bytes(r[32..40].try_into().expect("8 bytes")),
                )
            }
            PlaceRef::Overlay(_) => {
                let e = self.entry(r);
                let kind = PLACE_KINDS
                    .iter()
                    .position(|&k| k == e.kind)
                    .unwrap_or(PLACE_KINDS.len());
                (kind, e.population)
            }
        }
    }

    /// The entry's country code (as in [`PlaceIndex::entry`]) as its two
    /// bytes, [`NO_COUNTRY`] for none (codes are two capital letters or
    /// empty, so nothing is lost). Read from a built-in entry's record
    /// alone: the rules ask it of every candidate of every name found, and
    /// the text fields of `places.tsv` are a second trip to memory apiece;
    /// and compared and counted as bytes, without making a string of it.
    pub fn country_key(&self, r: PlaceRef) -> CountryKey {
        if let PlaceRef::Builtin(i) = r {
            let r = builtin_record(i as usize);
            if r[9] == 2 {
                return [r[13], r[14]];
            }
        }
        country_key(self.entry(r).country_code)
    }
}

/// A country code's two bytes (see [`PlaceIndex::country_key`]).
pub type CountryKey = [u8; 2];

/// The key of no country code.
pub const NO_COUNTRY: CountryKey = [0, 0];

/// The key of a country code as written ("SV"), [`NO_COUNTRY`] for one
/// that is not two bytes (the empty code).
pub fn country_key(code: &str) -> CountryKey {
    match code.as_bytes() {
        &[a, b] => [a, b],
        _ => NO_COUNTRY,
    }
}

impl PlaceIndex {
    /// Every normalized name in the built-in index (for baselines and tools).
    pub fn all_keys(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut stream = self.names.stream();
        use fst::Streamer;
        while let Some((k, _)) = stream.next() {
            out.push(String::from_utf8_lossy(k).into_owned());
        }
        out
    }

    /// Exact lookup of one name (any case).
    pub fn lookup(&self, name: &str) -> Vec<(PlaceRef, Form)> {
        let key = normalize_key(name);
        let mut out = Vec::new();
        if let Some(fst) = &self.overlay_names {
            if let Some(o) = fst.get(key.as_bytes()) {
                out.extend(self.overlay_postings[o.value() as usize].iter().copied());
            }
        }
        if let Some(o) = self.names.get(key.as_bytes()) {
            for c in builtin_postings(o.value()) {
                if !out.iter().any(|(r, _)| *r == c.0) {
                    out.push(c);
                }
            }
        }
        out
    }

    /// The posting list of built-in name `name` (any case), as
    /// [`Candidates::Builtin`] holds it.
    #[cfg(test)]
    pub(crate) fn builtin_list(&self, name: &str) -> Option<u32> {
        let o = self.names.get(normalize_key(name).as_bytes())?;
        Some(u32::try_from(o.value()).expect("posting offsets fit 32 bits"))
    }

    /// Were place names added at run time?
    pub fn has_added_names(&self) -> bool {
        self.overlay_names.is_some()
    }

    /// The longest name that starts at token `i` and ends at a token end.
    /// The walk over the built-in names' first token is taken from (or
    /// kept in) the thread's memo of first tokens: stories repeat their
    /// words, and most walks end inside their first token. The steps past
    /// it, a token each, come from the thread's memo of steps.
    /// `first` is token `i`'s [`Lexeme`](super::Lexeme) walk if the caller
    /// has it (`FirstWalk::UNKNOWN` if not).
    #[inline]
    pub fn longest_at(
        &self,
        text: &str,
        tokens: &[Token],
        i: usize,
        first: &FirstWalk,
    ) -> Option<PlaceMatch> {
        if self.overlay_names.is_some() {
            return self.longest_with_overlay(text, tokens, i, first);
        }
        let (end, v) = self.builtin_longest_at(text, tokens, i, first)?;
        Some(PlaceMatch {
            end_token: end,
            candidates: builtin_candidates(v),
        })
    }

    /// The longest name at token `i` as [`PlaceIndex::longest_at`] finds
    /// it, from token `i`'s first walk `first` as the caller holds it.
    /// In capitals copy every word is a candidate, and most start no name
    /// or a name that cannot go on past them (the summary of where the
    /// walk stands says that the next token cannot go on with one, what
    /// `PlaceIndex::walk_from` tests first): those are answered here, in
    /// the caller's loop, without a call, and a walk that goes on steps
    /// at once. [`AtFirst::Walk`] when the first walk is `Unknown`.
    ///
    /// Built-in names only: where names were added at run time
    /// ([`PlaceIndex::has_added_names`]), ask [`PlaceIndex::longest_at`].
    /// The caller tells that once for all its tokens, not here per token.
    #[inline]
    pub fn at_first(&self, text: &str, tokens: &[Token], i: usize, first: &FirstWalk) -> AtFirst {
        debug_assert!(!self.has_added_names());
        match first.at() {
            Some(a) => match self.walk_from(text, tokens, i + 1, a) {
                None => AtFirst::NoName,
                Some((end, v)) => AtFirst::Found(PlaceMatch {
                    end_token: end,
                    candidates: builtin_candidates(v),
                }),
            },
            None if first.is_unknown() => AtFirst::Walk,
            None => AtFirst::NoName,
        }
    }

    /// [`PlaceIndex::longest_at`] where a user has added names: the
    /// longer of the two indexes' names wins, and where both end on the
    /// same token their candidates are merged, the user's first.
    fn longest_with_overlay(
        &self,
        text: &str,
        tokens: &[Token],
        i: usize,
        first: &FirstWalk,
    ) -> Option<PlaceMatch> {
        let mut best: Option<PlaceMatch> = None;
        if let Some(fst) = &self.overlay_names {
            if let Some((end, v)) = walk(fst, text, tokens, i) {
                best = Some(PlaceMatch {
                    end_token: end,
                    candidates: Candidates::List(self.overlay_postings[v as usize].clone()),
                });
            }
        }
        if let Some((end, v)) = self.builtin_longest_at(text, tokens, i, first) {
            match &mut best {
                Some(b) if b.end_token > end => {}
                Some(b) if b.end_token == end => {
                    if let Candidates::List(list) = &mut b.candidates {
                        for c in builtin_postings(v) {
                            if !list.iter().any(|(r, _)| *r == c.0) {
                                list.push(c);
                            }
                        }
                    }
                }
                _ => {
                    best = Some(PlaceMatch {
                        end_token: end,
                        candidates: builtin_candidates(v),
                    })
                }
            }
        }
        best
    }

    /// The longest built-in name that starts at token `i` and ends at a
    /// token end: its end token (exclusive) and its posting list's offset.
    #[inline]
    fn builtin_longest_at(
        &self,
        text: &str,
        tokens: &[Token],
        i: usize,
        first: &FirstWalk,
    ) -> Option<(usize, u64)> {
        let walked;
        let first = if first.is_unknown() {
            walked = self.first_walk(text, &tokens[i]);
            &walked
        } else {
            first
        };
        match first.at() {
            Some(a) => self.walk_from(text, tokens, i + 1, a),
            None if first.is_unknown() => walk(&self.names, text, tokens, i),
            None => None,
        }
    }
}

/// The candidates of the built-in name whose output is `v`.
fn builtin_candidates(v: u64) -> Candidates {
    Candidates::Builtin(u32::try_from(v).expect("posting offsets fit 32 bits"))
}

impl PlaceIndex {
    /// Where the built-in names' FST stands after token `tok`, from the
    /// thread's [`lexicon`](super::lexicon) or by a walk (then kept there).
    /// `Unknown` for words the lexicon does not keep (over 15 bytes) and
    /// states it cannot hold: the caller walks.
    fn first_walk(&self, text: &str, tok: &Token) -> FirstWalk {
        let Some(short) = short_key_in(text, tok.start as usize, tok.end as usize) else {
            return FirstWalk::UNKNOWN;
        };
        with_lexeme(short, |lex| {
            if lex.first.is_unknown() {
                lex.first = self.walk_first(text, tok);
            }
            lex.first
        })
    }

    /// Walks the built-in names over token `tok` as a first token: from
    /// the state its first two letters lead to, where [`TwoLetters`] has
    /// it.
    pub(crate) fn walk_first(&self, text: &str, tok: &Token) -> FirstWalk {
        let word = &text.as_bytes()[tok.start as usize..tok.end as usize];
        let fed = match word {
            [b1, b2, rest @ ..] if tok.is(Token::ASCII) => match self.two_letters.get(*b1, *b2) {
                Some(None) => None,
                Some(Some((addr, out))) => {
                    feed_ascii(&self.names, self.names.node(addr), out, rest)
                }
                None => feed(&self.names, self.names.root(), Output::zero(), text, tok),
            },
            _ => feed(&self.names, self.names.root(), Output::zero(), text, tok),
        };
        match fed {
            None => FirstWalk::NO_NAME,
            Some((node, out)) => summarize(&self.names, node, out),
        }
    }
}

impl PlaceIndex {
    /// Goes on with a walk of the built-in names that stands at `a` before
    /// token `k`, a token at a time: each step is taken from (or kept in)
    /// the thread's memo of steps (see [`StepKey`]), so the same name met
    /// again ("New York", "South Korea") costs a hash probe per word, not
    /// a decoding of FST nodes per byte. Returns what [`walk_on`] would.
    ///
    /// Most walks end at the first token, told by its summary `first`
    /// (read in place, not copied) without a call: the steps are taken
    /// by [`PlaceIndex::walk_past`].
    #[inline]
    fn walk_from(
        &self,
        text: &str,
        tokens: &[Token],
        k: usize,
        first: &AfterFirst,
    ) -> Option<(usize, u64)> {
        if may_go_on(first, text, tokens, k) {
            self.walk_past(text, tokens, k, first)
        } else {
            (first.fin != u32::MAX).then(|| (k, u64::from(first.fin)))
        }
    }

    /// [`PlaceIndex::walk_from`] where a name may go on into token `k`.
    fn walk_past(
        &self,
        text: &str,
        tokens: &[Token],
        mut k: usize,
        first: &AfterFirst,
    ) -> Option<(usize, u64)> {
        let mut best = (first.fin != u32::MAX).then(|| (k, u64::from(first.fin)));
        let mut stepped;
        let mut a = first;
        loop {
            let step = self.step(a, text, tokens, k);
            match step.at() {
                None if !step.is_unknown() => return best,
                Some(&next) => {
                    stepped = next;
                    a = &stepped;
                    k += 1;
                    if a.fin != u32::MAX {
                        best = Some((k, u64::from(a.fin)));
                    }
                    if !may_go_on(a, text, tokens, k) {
                        return best;
                    }
                }
                // A state the memo cannot hold: walked the slow way.
                None => {
                    let node = self.names.node(a.addr as usize);
                    return walk_on(
                        &self.names,
                        text,
                        tokens,
                        k,
                        node,
                        Output::new(u64::from(a.out)),
                    )
                    .or(best);
                }
            }
        }
    }

    /// Where the built-in names stand after token `k` (and the white space
    /// before it), from the state `a` the tokens before it left: from the
    /// thread's memo, or fed and summarized (then kept there).
    fn step(&self, a: &AfterFirst, text: &str, tokens: &[Token], k: usize) -> FirstWalk {
        let tok = &tokens[k];
        let spaced = tokens[k - 1].end != tok.start;
        let step = match short_key_in(text, tok.start as usize, tok.end as usize) {
            None => self.take_step(a.addr, spaced, text, tok),
            Some(word) => {
                let key = StepKey {
                    addr: a.addr,
                    spaced,
                    word,
                };
                // One borrow and one probe: a step found is copied out once,
                // one not found is taken and kept in the slot probed.
                STEPS.with_borrow_mut(|m| {
                    *memo_entry(m, MAX_STEPS, key, || {
                        self.take_step(a.addr, spaced, text, tok)
                    })
                })
            }
        };
        // The memo's outputs start from zero: the outputs of the walk so
        // far are added here.
        match step.at() {
            Some(s) => after_output(a.out, s),
            None => step,
        }
    }

    /// Feeds the FST from the node at `addr` (output zero) over a space if
    /// `spaced`, then token `tok`, and summarizes where it stands.
    fn take_step(&self, addr: u32, spaced: bool, text: &str, tok: &Token) -> FirstWalk {
        let mut node = self.names.node(addr as usize);
        let mut out = Output::zero();
        if spaced {
            let Some(t) = node.find_input(b' ') else {
                return FirstWalk::NO_NAME;
            };
            let tr = node.transition(t);
            out = out.cat(tr.out);
            node = self.names.node(tr.addr);
        }
        match feed(&self.names, node, out, text, tok) {
            None => FirstWalk::NO_NAME,
            Some((node, out)) => summarize(&self.names, node, out),
        }
    }
}

/// Step summary `s`, whose outputs start from zero, after a walk whose
/// output was `out`: as [`summarize`] would give it (`FirstWalk::UNKNOWN`
/// where a number does not fit).
fn after_output(out: u32, s: &AfterFirst) -> FirstWalk {
    let fin = match s.fin {
        u32::MAX => Some(u32::MAX),
        f => out.checked_add(f).filter(|&f| f != u32::MAX),
    };
    let (Some(fin), Some(out)) = (fin, out.checked_add(s.out)) else {
        return FirstWalk::UNKNOWN;
    };
    FirstWalk::at_state(AfterFirst { out, fin, ..*s }).unwrap_or(FirstWalk::UNKNOWN)
}

/// A step of a walk of the built-in names: from the node at `addr`, over
/// white space if `spaced`, then the word whose [`short_word_key`](super::lexicon::short_word_key) is
/// `word`. What a step gives depends on nothing else, so a thread keeps
/// the steps it has taken: stories repeat their names, and in a walk past
/// a first token most steps have been taken before. (A step's
/// outputs are kept from zero: a node is reached by many paths, each with
/// its own output so far.)
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct StepKey {
    addr: u32,
    spaced: bool,
    word: u128,
}

/// The value of `key` in a thread's memo `m`, made by `make` and kept
/// if it is not there yet. A memo holds at most `cap` entries: when full,
/// it starts over (its entries are a cache, so only time is lost), which
/// keeps a thread's memory flat however many stories it reads. (Every
/// thread memo of the place stages goes through here.)
#[inline]
pub(crate) fn memo_entry<K: Hash + Eq, V>(
    m: &mut FxHashMap<K, V>,
    cap: usize,
    key: K,
    make: impl FnOnce() -> V,
) -> &mut V {
    if m.len() >= cap {
        m.clear();
    }
    m.entry(key).or_insert_with(make)
}

/// Most steps the memo keeps (then it starts over).
const MAX_STEPS: usize = 1 << 16;

thread_local! {
    static STEPS: RefCell<FxHashMap<StepKey, FirstWalk>> = RefCell::new(FxHashMap::default());
}

/// The lexicon's summary of the node a first token leads to
/// (`FirstWalk::UNKNOWN` if a number does not fit its 32 bits).
fn summarize(fst: &Fst<&[u8]>, node: Node<'_>, out: Output) -> FirstWalk {
    summary(fst, node, out)
        .and_then(FirstWalk::at_state)
        .unwrap_or(FirstWalk::UNKNOWN)
}

/// [`summarize`]'s summary, `None` if a number does not fit.
fn summary(fst: &Fst<&[u8]>, node: Node<'_>, out: Output) -> Option<AfterFirst> {
    let fin = if node.is_final() {
        u32::try_from(out.cat(node.final_output()).value())
            .ok()
            .filter(|&f| f != u32::MAX)?
    } else {
        u32::MAX
    };
    let next = node
        .transitions()
        .fold(0u32, |bits, t| bits | 1 << (t.inp & 31));
    let (mut after_space, mut pairs_after_space) = (0u64, 0u64);
    if let Some(t) = node.find_input(b' ') {
        let second = fst.node(node.transition(t).addr);
        for t1 in second.transitions() {
            after_space |= after_space_bit(t1.inp);
            for t2 in fst.node(t1.addr).transitions() {
                pairs_after_space |= pair_bit(t1.inp, t2.inp);
            }
        }
    }
    Some(AfterFirst {
        addr: u32::try_from(node.addr()).ok()?,
        out: u32::try_from(out.value()).ok()?,
        fin,
        next,
        after_space,
        pairs_after_space,
    })
}

/// May a walk that a first token left at `a` go on into token `k`? Asked
/// of the bytes [`walk_on`] would feed next, as far as `a` knows them: a
/// space for white space, then a word's first two letters (ASCII words
/// only: other text is normalized as it is fed, so it is walked).
///
/// The main pass of the places stage asks this of most candidate words
/// (see [`PlaceIndex::at_first`]), and the answer goes either way from one
/// word to the next: so the tests are worked out whole, with `&` and `|`
/// and no branch between them (each was a branch the processor guessed
/// wrong about as often as not), and only a name that may go on over white
/// space of more than one byte has that space read for a blank line. A
/// word's second letter is read from the text even for a one-letter word
/// (its first, then), so that the read is no branch either.
#[inline(always)]
fn may_go_on(a: &AfterFirst, text: &str, tokens: &[Token], k: usize) -> bool {
    let Some([prev, tok]) = tokens.get(k - 1..k + 1) else {
        return false;
    };
    let (gap_start, start) = (prev.end as usize, tok.start as usize);
    let spaced = gap_start != start;
    let bytes = text.as_bytes();
    // (Either case: the summary's bits take both.)
    let first = bytes[start];
    let long = tok.end as usize - start > 1;
    let second = bytes[start + usize::from(long)];
    // Other text than ASCII is normalized as it is fed: it is walked.
    let other = !tok.is(Token::ASCII);
    let joined_ok = other | a.may_go_on(first);
    let spaced_ok = a.may_go_on(b' ') & (other | a.may_go_on_after_space(first, second, long));
    let ok = (spaced & spaced_ok) | (!spaced & joined_ok);
    if ok & (start - gap_start > 1) {
        return !is_paragraph_break(&bytes[gap_start..start]);
    }
    ok
}

/// Does white space `gap` hold a blank line? Names never run across one.
#[inline]
fn is_paragraph_break(gap: &[u8]) -> bool {
    gap.len() > 1 && memchr::memchr_iter(b'\n', gap).nth(1).is_some()
}

/// Decodes built-in record `i`: numbers as parsed by `build.rs`, text
/// sliced out of `places.tsv`.
fn builtin_entry(i: usize) -> PlaceEntry<'static> {
    let r = builtin_record(i);
    let u16_at = |k: usize| u16::from_le_bytes([r[k], r[k + 1]]) as usize;
    let f64_at = |k: usize| f64::from_le_bytes(r[k..k + 8].try_into().expect("8 bytes"));
    let off = u32::from_le_bytes(r[0..4].try_into().expect("4 bytes")) as usize;
    let kind = PLACE_KINDS[r[8] as usize];
    let lens = [u16_at(4), u16_at(6), kind.len(), r[9] as usize, u16_at(10)];
    let mut fields = [""; 5];
    let mut p = off;
    for (f, len) in fields.iter_mut().zip(lens) {
        *f = PLACES_TSV.get(p..p + len).unwrap_or("");
        p += len + 1;
    }
    let flags = r[12];
    PlaceEntry {
        id: fields[0],
        name: fields[1],
        kind,
        country_code: fields[3],
        admin1: fields[4],
        lat: (flags & 1 != 0).then(|| f64_at(16)),
        lon: (flags & 2 != 0).then(|| f64_at(24)),
        population: u64::from_le_bytes(r[32..40].try_into().expect("8 bytes")),
    }
}

/// The place of entry `e`, its text kept by `keep` (an empty country code
/// or division is none).
fn place_of<'g>(e: PlaceEntry<'g>, keep: impl Fn(&'g str) -> Cow<'static, str>) -> Place {
    let keep_some = |s: &'g str| (!s.is_empty()).then(|| keep(s));
    Place {
        name: keep(e.name),
        kind: keep(e.kind),
        country_code: keep_some(e.country_code),
        admin1: keep_some(e.admin1),
        lat: e.lat,
        lon: e.lon,
        source: keep(e.id),
        mentions: Vec::new(),
    }
}

/// The bytes of built-in record `i`.
#[inline]
fn builtin_record(i: usize) -> &'static [u8] {
    &RECORDS[i * RECORD_LEN..(i + 1) * RECORD_LEN]
}

/// Bytes per posting: a record index (u32) and a form code.
const POSTING_LEN: usize = 5;

/// The postings of the list at `offset` (after its u16 count and flags).
fn builtin_posting_bytes(offset: u32) -> &'static [u8] {
    let o = offset as usize;
    let count = u16::from_le_bytes([POSTINGS[o], POSTINGS[o + 1]]) as usize;
    &POSTINGS[o + 3..o + 3 + count * POSTING_LEN]
}

#[inline]
fn decode_posting(p: &[u8]) -> (PlaceRef, Form) {
    let ix = u32::from_le_bytes([p[0], p[1], p[2], p[3]]);
    (PlaceRef::Builtin(ix), form_of(p[4]))
}

fn builtin_postings(offset: u64) -> impl Iterator<Item = (PlaceRef, Form)> {
    let offset = u32::try_from(offset).expect("posting offsets fit 32 bits");
    builtin_posting_bytes(offset)
        .chunks_exact(POSTING_LEN)
        .map(decode_posting)
}

/// Feeds one token's normalized text to the FST from `node`; `None` when
/// the FST has no key going on that way.
#[inline]
fn feed<'f, D: AsRef<[u8]>>(
    fst: &'f Fst<D>,
    mut node: Node<'f>,
    mut out: Output,
    text: &str,
    tok: &Token,
) -> Option<(Node<'f>, Output)> {
    let word = &text[tok.start as usize..tok.end as usize];
    if tok.is(Token::ASCII) {
        return feed_ascii(fst, node, out, word.as_bytes());
    }
    let mut buf = String::with_capacity(8);
    for c in word.chars() {
        buf.clear();
        push_normalized(c, &mut buf);
        for &b in buf.as_bytes() {
            let t = node.find_input(b)?;
            let tr = node.transition(t);
            out = out.cat(tr.out);
            node = fst.node(tr.addr);
        }
    }
    Some((node, out))
}

/// [`feed`] of ASCII `word`: tokens hold no white space, so the key is the
/// word in lowercase.
#[inline]
fn feed_ascii<'f, D: AsRef<[u8]>>(
    fst: &'f Fst<D>,
    mut node: Node<'f>,
    mut out: Output,
    word: &[u8],
) -> Option<(Node<'f>, Output)> {
    for &b in word {
        let t = node.find_input(b.to_ascii_lowercase())?;
        let tr = node.transition(t);
        out = out.cat(tr.out);
        node = fst.node(tr.addr);
    }
    Some((node, out))
}

/// Where the built-in names' FST stands after each two letters `a`-`z`
/// (either case), made once per process: the first walk of a word not
/// met before starts there, not at the root. Most of a walk's cost is
/// decoding a node a byte, and the root and the nodes below it are the
/// largest (a transition for every letter); the table is 676 entries of
/// 8 bytes, made by decoding 27 nodes.
struct TwoLetters {
    /// For letters `a`, `b`: the node address and output after them, or
    /// [`TwoLetters::NONE`] if no name starts with them. (Output and
    /// address fit 32 bits: outputs are posting offsets, and the output
    /// of a prefix is at most that of any name it begins.)
    states: Box<[(u32, u32)]>,
}

impl TwoLetters {
    /// No name starts with the two letters.
    const NONE: (u32, u32) = (u32::MAX, u32::MAX);

    fn new(fst: &Fst<&[u8]>) -> TwoLetters {
        let mut states = vec![TwoLetters::NONE; 26 * 26].into_boxed_slice();
        let root = fst.root();
        for (i, b1) in (b'a'..=b'z').enumerate() {
            let Some(t1) = root.find_input(b1) else {
                continue;
            };
            let tr1 = root.transition(t1);
            let node = fst.node(tr1.addr);
            for (j, b2) in (b'a'..=b'z').enumerate() {
                let Some(t2) = node.find_input(b2) else {
                    continue;
                };
                let tr2 = node.transition(t2);
                let fits = |n: u64| u32::try_from(n).ok().filter(|&n| n != u32::MAX);
                states[i * 26 + j] = (
                    fits(tr2.addr as u64).expect("FST addresses fit 32 bits"),
                    fits(tr1.out.cat(tr2.out).value()).expect("posting offsets fit 32 bits"),
                );
            }
        }
        TwoLetters { states }
    }

    /// The node address and output after letters `b1`, `b2` (either
    /// case): `Some(None)` if no name starts with them, `None` if they
    /// are not two letters (the caller walks).
    #[inline]
    fn get(&self, b1: u8, b2: u8) -> Option<Option<(usize, Output)>> {
        let letter = |b: u8| {
            let l = b.to_ascii_lowercase().wrapping_sub(b'a');
            (l < 26).then_some(l as usize)
        };
        let (addr, out) = self.states[letter(b1)? * 26 + letter(b2)?];
        Some((addr != u32::MAX).then(|| (addr as usize, Output::new(u64::from(out)))))
    }
}

/// Walks `fst` over the normalized text from token `i`; returns the end
/// token (exclusive) and output of the longest key ending at a token end.
fn walk<D: AsRef<[u8]>>(
    fst: &Fst<D>,
    text: &str,
    tokens: &[Token],
    i: usize,
) -> Option<(usize, u64)> {
    let (node, out) = feed(fst, fst.root(), Output::zero(), text, &tokens[i])?;
    walk_on(fst, text, tokens, i + 1, node, out)
}

/// Goes on with a walk whose first token, ending before token `k`, left
/// the FST at `node` with output `out`.
fn walk_on<'f, D: AsRef<[u8]>>(
    fst: &'f Fst<D>,
    text: &str,
    tokens: &[Token],
    mut k: usize,
    mut node: Node<'f>,
    mut out: Output,
) -> Option<(usize, u64)> {
    let mut best = node
        .is_final()
        .then(|| (k, out.cat(node.final_output()).value()));
    let mut pos = tokens[k - 1].end as usize;
    while k < tokens.len() {
        let tok = &tokens[k];
        // Feed the gap before token k (one space for any white space).
        let gap = &text.as_bytes()[pos..tok.start as usize];
        if !gap.is_empty() {
            if is_paragraph_break(gap) {
                break;
            }
            let Some(t) = node.find_input(b' ') else {
                return best;
            };
            let tr = node.transition(t);
            out = out.cat(tr.out);
            node = fst.node(tr.addr);
        }
        let Some((n, o)) = feed(fst, node, out, text, tok) else {
            return best;
        };
        (node, out) = (n, o);
        if node.is_final() {
            best = Some((k + 1, out.cat(node.final_output()).value()));
        }
        pos = tok.end as usize;
        k += 1;
    }
    best
}

impl PlaceIndex {
    /// The populated place (city, town or village) nearest to a point, by
    /// great-circle distance, with that distance in kilometres: reverse
    /// geocoding for coordinates written in a story.
    ///
    /// The places are searched outwards from the point's latitude in the
    /// latitude-ordered index `build.rs` writes, the nearer latitude
    /// first, until the latitude difference alone puts every place left
    /// more than a kilometre beyond the nearest so far: a great circle is
    /// never shorter than its latitude difference, and the computed
    /// distance errs by far less than a kilometre, so no place left could
    /// be nearer. Ties go to the first place in the gazetteer, as a pass
    /// over every record in order would give.
    pub fn nearest(&self, lat: f64, lon: f64) -> Option<(PlaceRef, f64)> {
        const EARTH_KM: f64 = 6371.0;
        let (p1, l1) = (lat.to_radians(), lon.to_radians());
        let cos_p1 = p1.cos();
        let n = BY_LATITUDE.len() / 4;
        let record_at = |k: usize| {
            u32::from_le_bytes(BY_LATITUDE[4 * k..4 * k + 4].try_into().expect("4 bytes")) as usize
        };
        let f64_at = |i: usize, k: usize| {
            f64::from_le_bytes(builtin_record(i)[k..k + 8].try_into().expect("8 bytes"))
        };
        let phi = |k: usize| f64_at(record_at(k), 16).to_radians();
        // The first place at or north of the point's latitude.
        let start = {
            let (mut lo, mut hi) = (0, n);
            while lo < hi {
                let mid = (lo + hi) / 2;
                if phi(mid) < p1 {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            lo
        };
        // Places south of `south` and from `north` on are still to see.
        let (mut south, mut north) = (start, start);
        let mut best: Option<(usize, f64)> = None;
        while south > 0 || north < n {
            let gap = |k: usize| (phi(k) - p1).abs() * EARTH_KM;
            let down = if south > 0 {
                gap(south - 1)
            } else {
                f64::INFINITY
            };
            let up = if north < n { gap(north) } else { f64::INFINITY };
            let nearer = down.min(up);
            if best.is_some_and(|(_, d)| nearer > d + 1.0) {
                break;
            }
            let k = if down <= up {
                south -= 1;
                south
            } else {
                north += 1;
                north - 1
            };
            let i = record_at(k);
            let (p2, l2) = (f64_at(i, 16).to_radians(), f64_at(i, 24).to_radians());
            // Haversine, on a sphere of the Earth's mean radius.
            let h = ((p2 - p1) / 2.0).sin().powi(2)
                + cos_p1 * p2.cos() * ((l2 - l1) / 2.0).sin().powi(2);
            let km = 2.0 * EARTH_KM * h.sqrt().min(1.0).asin();
            if best.is_none_or(|(j, d)| km < d || km == d && i < j) {
                best = Some((i, km));
            }
        }
        best.map(|(i, km)| (PlaceRef::Builtin(i as u32), km))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What [`PlaceIndex::nearest`] must give: a pass over every record,
    /// the first of equally near places winning.
    fn nearest_by_full_pass(lat: f64, lon: f64) -> Option<(PlaceRef, f64)> {
        const EARTH_KM: f64 = 6371.0;
        let (p1, l1) = (lat.to_radians(), lon.to_radians());
        let mut best: Option<(PlaceRef, f64)> = None;
        for i in 0..RECORDS.len() / RECORD_LEN {
            let r = builtin_record(i);
            if r[12] & 3 != 3 || !matches!(PLACE_KINDS[r[8] as usize], "city" | "town" | "village")
            {
                continue;
            }
            let f64_at = |k: usize| f64::from_le_bytes(r[k..k + 8].try_into().unwrap());
            let (p2, l2) = (f64_at(16).to_radians(), f64_at(24).to_radians());
            let h = ((p2 - p1) / 2.0).sin().powi(2)
                + p1.cos() * p2.cos() * ((l2 - l1) / 2.0).sin().powi(2);
            let km = 2.0 * EARTH_KM * h.sqrt().min(1.0).asin();
            if best.is_none_or(|(_, d)| km < d) {
                best = Some((PlaceRef::Builtin(i as u32), km));
            }
        }
        best
    }

    #[test]
    fn nearest_agrees_with_a_full_pass() {
        let index = PlaceIndex::builtin();
        // Cities, open sea, poles, the date line, and a place's own point.
        let mut points = vec![
            (33.3152, 44.3661),
            (34.5281, 69.1723),
            (0.0, -160.0),
            (89.9, 0.0),
            (-89.9, 45.0),
            (12.0, 179.99),
            (-33.87, 151.21),
            (51.5, -0.12),
        ];
        for i in (0..40).map(|k| k * 7919 % 90) {
            points.push((i as f64 * 2.0 - 89.0, (i as f64 * 37.0) % 360.0 - 180.0));
        }
        for (lat, lon) in points {
            assert_eq!(
                index.nearest(lat, lon),
                nearest_by_full_pass(lat, lon),
                "at {lat}, {lon}"
            );
        }
    }
}
