//! Gazetteers: the plain-text lists dateline knows, loaded, validated and
//! turned into the structures the stages match with.
//!
//! - [`table`]: the TSV format every list uses, with `file:line` errors.
//! - [`places`]: the world place index, an FST compiled by `build.rs`.
//! - [`phrases`]: the curated phrase lists, looked up at word starts.
//!
//! The default lists live in `gazetteers/` and are compiled into the
//! binary. `--gazetteers DIR` adds lists at run time: a file in DIR with the
//! name of a default list adds its rows, and a row whose first column equals
//! a default row's replaces it. `gazetteers/README.md` documents every file
//! and column.

mod lexicon;
pub mod normalize;
pub mod phrases;
pub mod places;
pub mod table;

use crate::doc::{Form, Spare, Token};
pub(crate) use lexicon::{short_key_in, short_word_key};
pub use lexicon::{AfterFirst, FirstWalk, Lexeme};
pub use phrases::{ListKind, PhraseHit, PhraseIndex};
pub use places::{CandidateIter, Candidates, PlaceEntry, PlaceIndex, PlaceMatch, PlaceRef};
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::LazyLock;
pub use table::{Check, GazetteerError, Row, Table};

include!(concat!(env!("OUT_DIR"), "/word_info.rs"));

/// [`Gazetteer::word_bits`]: the given name's gender code (0 if none).
pub const GENDER_BITS: u8 = 3;
/// [`Gazetteer::word_bits`]: a common English word.
pub const COMMON_BIT: u8 = 4;
/// [`Gazetteer::word_bits`]: the word, as written, is one of `NOT_NAMES`
/// (never a person's name in mixed-case text).
pub const NOT_NAME_BIT: u8 = 8;
/// [`Gazetteer::word_bits`]: the word in ASCII lowercase is one of
/// `NOT_NAMES` or `FUNCTION_WORDS` in ASCII lowercase (never a
/// person's name in capitals copy: "SAID", "THE").
pub const CAPS_NOT_NAME_BIT: u8 = 16;
/// [`Gazetteer::word_bits`]: the word in ASCII lowercase is one of
/// `SPORTS_WORDS` (built in, whatever lists a gazetteer adds).
pub const SPORTS_BIT: u8 = 32;
/// [`Gazetteer::word_bits`]: the word in ASCII lowercase is one of
/// `STRONG_SPORTS_WORDS` (built in).
pub const STRONG_SPORTS_BIT: u8 = 64;

/// Words that are never the start of a person's name.
const NOT_NAMES: &[&str] = &[
    "The",
    "A",
    "An",
    "He",
    "She",
    "It",
    "They",
    "We",
    "I",
    "In",
    "On",
    "At",
    "But",
    "And",
    "If",
    "This",
    "That",
    "These",
    "Those",
    "When",
    "While",
    "After",
    "Before",
    "Mr",
    "Mrs",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "God",
    "Allah",
];

/// Words too common in news copy to be names in capitals text.
const FUNCTION_WORDS: &[&str] = &[
    "said",
    "says",
    "will",
    "to",
    "of",
    "for",
    "by",
    "with",
    "from",
    "as",
    "was",
    "were",
    "is",
    "are",
    "be",
    "has",
    "have",
    "had",
    "not",
    "no",
    "or",
    "so",
    "who",
    "whom",
    "which",
    "what",
    "where",
    "why",
    "how",
    "all",
    "also",
    "other",
    "another",
    "its",
    "his",
    "her",
    "their",
    "our",
    "my",
    "your",
    "one",
    "two",
    "three",
    "four",
    "five",
    "there",
    "here",
    "today",
    "yesterday",
    "tomorrow",
    "may",
    "can",
    "should",
    "would",
    "could",
    "must",
    "shall",
    "did",
    "do",
    "does",
    "up",
    "down",
    "out",
    "over",
    "under",
    "than",
    "then",
    "now",
    "new",
    "more",
    "most",
    "some",
    "any",
    "many",
    "much",
    "such",
    "only",
    "very",
    "just",
    "about",
    "against",
    "between",
    "during",
    "without",
    "within",
    "into",
    "near",
    "report",
    "reported",
    "reports",
];

/// Words that mark a sports report.
pub(crate) const SPORTS_WORDS: &[&str] = &[
    "match",
    "matches",
    "league",
    "cup",
    "championship",
    "innings",
    "wickets",
    "goals",
    "goal",
    "scored",
    "halftime",
    "half-time",
    "tournament",
    "season",
    "soccer",
    "football",
    "cricket",
    "baseball",
    "basketball",
    "hockey",
    "rugby",
    "standings",
    "points",
    "played",
    "win",
    "draw",
];

/// Words that only sports reports use.
pub(crate) const STRONG_SPORTS_WORDS: &[&str] = &[
    "soccer",
    "cricket",
    "baseball",
    "basketball",
    "hockey",
    "rugby",
    "innings",
    "wickets",
    "wicket",
    "halftime",
    "half-time",
    "goals",
    "goalkeeper",
    "striker",
    "midfielder",
    "standings",
    "batsman",
    "bowler",
    "pitcher",
    "inning",
    "touchdown",
    "quarterback",
    "playoff",
    "playoffs",
    "league",
];

/// The [`NOT_NAME_BIT`], [`CAPS_NOT_NAME_BIT`], [`SPORTS_BIT`] and
/// [`STRONG_SPORTS_BIT`] of the words that have any, by the text that must
/// match (the word as written for the first, its ASCII lowercase for the
/// others). Asked once per distinct word, when its bits are filled in:
/// the names stage then reads the answers with the word's other bits,
/// from its lexeme.
static LIST_WORD_BITS: LazyLock<FxHashMap<String, u8>> = LazyLock::new(|| {
    let mut words: FxHashMap<String, u8> = FxHashMap::default();
    for w in NOT_NAMES {
        *words.entry(w.to_string()).or_default() |= NOT_NAME_BIT;
    }
    for w in NOT_NAMES.iter().chain(FUNCTION_WORDS) {
        *words.entry(w.to_ascii_lowercase()).or_default() |= CAPS_NOT_NAME_BIT;
    }
    for w in SPORTS_WORDS {
        *words.entry(w.to_string()).or_default() |= SPORTS_BIT;
    }
    for w in STRONG_SPORTS_WORDS {
        *words.entry(w.to_string()).or_default() |= STRONG_SPORTS_BIT;
    }
    words
});

const ORG_KINDS: &[&str] = &[
    "government",
    "military",
    "security",
    "police",
    "armed_group",
    "political_party",
    "international",
    "media",
    "company",
    "ngo",
    "religious",
    "other",
];
const INCIDENT_TYPES: &[&str] = &[
    "armed_clash",
    "attack",
    "bombing",
    "air_drone_strike",
    "shelling",
    "abduction",
    "assassination",
    "arson",
    "robbery",
    "hijacking",
    "arrest",
    "protest",
    "riot",
    "accident",
    "disaster",
    "other",
];

/// A curated list: its file name, columns and compiled-in contents.
pub struct ListSpec {
    pub file: &'static str,
    pub columns: &'static [(&'static str, Check)],
    pub builtin: &'static str,
}

/// Every curated list, in the order of [`Lists`]' fields.
pub const LISTS: &[ListSpec] = &[
    ListSpec {
        file: "organizations.tsv",
        columns: &[
            ("name", Check::Required),
            ("canonical", Check::Required),
            ("kind", Check::OneOf(ORG_KINDS)),
            ("country_code", Check::CountryCode),
            ("form", Check::OneOf(&["name", "alias", "acronym"])),
        ],
        builtin: include_str!("../../gazetteers/organizations.tsv"),
    },
    ListSpec {
        file: "org_nouns.tsv",
        columns: &[("word", Check::Required), ("kind", Check::OneOf(ORG_KINDS))],
        builtin: include_str!("../../gazetteers/org_nouns.tsv"),
    },
    ListSpec {
        file: "titles.tsv",
        columns: &[
            ("title", Check::Required),
            ("canonical", Check::Required),
            ("official", Check::OneOf(&["true", "false"])),
            ("category", Check::Required),
        ],
        builtin: include_str!("../../gazetteers/titles.tsv"),
    },
    ListSpec {
        file: "title_modifiers.tsv",
        columns: &[
            ("word", Check::Required),
            ("kind", Check::OneOf(&["rank", "temporal", "portfolio"])),
        ],
        builtin: include_str!("../../gazetteers/title_modifiers.tsv"),
    },
    ListSpec {
        file: "triggers.tsv",
        columns: &[
            ("expression", Check::Required),
            ("type", Check::OneOf(INCIDENT_TYPES)),
            ("acled_event_type", Check::Any),
            ("acled_sub_event_type", Check::Any),
            ("strength", Check::OneOf(&["strong", "weak"])),
        ],
        builtin: include_str!("../../gazetteers/triggers.tsv"),
    },
    ListSpec {
        file: "weapons.tsv",
        columns: &[
            ("expression", Check::Required),
            ("canonical", Check::Required),
            ("category", Check::Required),
        ],
        builtin: include_str!("../../gazetteers/weapons.tsv"),
    },
    ListSpec {
        file: "actors.tsv",
        columns: &[
            ("noun", Check::Required),
            (
                "role",
                Check::OneOf(&["perpetrator", "security", "victim", "generic"]),
            ),
            ("plural", Check::OneOf(&["true", "false"])),
        ],
        builtin: include_str!("../../gazetteers/actors.tsv"),
    },
    ListSpec {
        file: "targets.tsv",
        columns: &[("noun", Check::Required), ("category", Check::Required)],
        builtin: include_str!("../../gazetteers/targets.tsv"),
    },
    ListSpec {
        file: "people.tsv",
        columns: &[
            ("name", Check::Required),
            ("canonical", Check::Required),
            ("title", Check::Any),
            ("country_code", Check::CountryCode),
            ("form", Check::OneOf(&["name", "alias"])),
        ],
        builtin: include_str!("../../gazetteers/people.tsv"),
    },
];

/// The curated lists, parsed.
pub struct Lists {
    pub organizations: Table,
    pub org_nouns: Table,
    pub titles: Table,
    pub title_modifiers: Table,
    pub triggers: Table,
    pub weapons: Table,
    pub actors: Table,
    pub targets: Table,
    pub people: Table,
}

/// Everything the stages look things up in. Built once; `Sync`.
pub struct Gazetteer {
    pub places: PlaceIndex,
    pub lists: Lists,
    pub phrases: PhraseIndex,
    extra_given_names: HashMap<String, u8>,
    extra_common_words: HashSet<String>,
    /// Either of the two above has a word: a lexeme's bits are then not
    /// the whole answer. (One flag: it is asked about nearly every
    /// capitalized word.)
    has_extra_words: bool,
    /// `org_nouns.tsv`: word as written -> its first row.
    org_nouns: FxHashMap<String, usize>,
    /// `organizations.tsv` rows of kind `media`: name as written -> its
    /// first row. Asked for the agency of nearly every dateline; a scan of
    /// the whole table per story touched every row's heap fields.
    media: FxHashMap<String, usize>,
    /// `title_modifiers.tsv` words.
    title_modifiers: FxHashSet<String>,
    /// `people.tsv`: (hash of the ASCII-lowercased name, row), sorted. People are looked up at
    /// capitalized tokens only, not with the phrase lists: they must match
    /// their case, and each is a whole name.
    people: Vec<(u64, u32)>,
    /// Bytes of the longest name in `people.tsv`.
    people_max_len: usize,
    /// Hashes of the first words of those names ([`first_word_key`]) as a
    /// 262,144-bit filter ([`FIRST_WORDS`]): one memory read rejects most
    /// capitalized words, which start no listed name. (A false pass only
    /// costs lookups that then fail.)
    people_first_bits: Box<FirstWordFilter>,
    /// Filter of the whole names' hashes, likewise ([`NAME_WORDS`]).
    people_bits: Vec<u64>,
    /// Hashes of every byte prefix of those names (as [`NameKey`] grows
    /// them) as a 1,048,576-bit filter: the search for the longest name
    /// from a word stops at the first span no listed name begins with,
    /// instead of hashing and looking up every span up to the longest
    /// name's length. Every byte prefix, not only word prefixes, so the
    /// filter does not depend on where tokens end: a listed name's prefix
    /// always passes, and a false pass only costs lookups that then fail.
    people_prefix_bits: Vec<u64>,
}

/// The filter of listed people's first words ([`FIRST_WORDS`] `u64`s:
/// its length known where it is read, a masked index needs no bounds
/// check), and a number no other gazetteer's filter has: the thread's
/// lexicon keeps each word's answer from the filter of the gazetteer it
/// last answered for ([`Lexicon::answer_for`](lexicon::Lexicon::answer_for)),
/// and asks it again of another's.
struct FirstWordFilter {
    bits: [u64; FIRST_WORDS],
    id: u64,
}

/// The next [`FirstWordFilter::id`].
static NEXT_FILTER_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// What the lookup stage tallied of a story's words as it read their
/// lexemes ([`Gazetteer::lexemes`]), so that the rules that would walk
/// every token for a rare kind of word read the few tokens here instead.
#[derive(Clone, Debug, Default)]
pub struct WordTally {
    /// The word tokens (indices, in order) the tally leaves open: those
    /// without a lexeme (not read, or too long to keep), whose answers
    /// must be asked afresh, and those whose lexeme's key passes the
    /// filter of listed people's first words: every word a listed
    /// person's name may start with is here.
    pub open_words: Vec<u32>,
    /// For each token, in which case of story it may be a word of a
    /// person's name, by its word bits (the names stage's table of them):
    /// bit 0 in mixed-case copy, bit 1 in capitals copy. Every bit for a
    /// capitalized word without a lexeme, whose bits are not known here,
    /// and for every token when lists added at run time may change the
    /// bits; none for the other tokens without a lexeme. Then 0 bytes up
    /// to a multiple of eight, to be read eight at a time. Every token the
    /// people rules take for a name word has its case's bit here, and few
    /// others (in capitals copy most words have neither: "SAID", "THE"):
    /// the rules test these few instead of reading every token's lexeme.
    /// The names stage starts its marks of the name words from a copy.
    pub name_cases: Vec<u8>,
    /// Tokens with a lexeme that are sports words ([`SPORTS_BIT`]), the
    /// first token included.
    pub sports: u32,
    /// Tokens with a lexeme that are words only sport uses
    /// ([`STRONG_SPORTS_BIT`]).
    pub strong_sports: u32,
}

/// `SPORTS_COUNTS[bits]`: what a word with word bits `bits` adds to the
/// sports counts of [`Gazetteer::lexemes`]: 1 for [`SPORTS_BIT`], 1 << 32
/// for [`STRONG_SPORTS_BIT`] (one addition a word counts both; a story has
/// fewer than 2^32 tokens, so the low half never carries into the high).
/// `Lexeme::UNKNOWN_BITS` (255) counts nothing: a read lexeme never has it.
const SPORTS_COUNTS: [u64; 256] = {
    let mut t = [0; 256];
    let mut b = 0;
    while b < 255 {
        t[b] =
            (b as u8 & SPORTS_BIT != 0) as u64 | ((b as u8 & STRONG_SPORTS_BIT != 0) as u64) << 32;
        b += 1;
    }
    t
};

/// A name word ([`NAME_FLAGS_BY_BITS`]).
pub(crate) const NAME_WORD: u8 = 1;
/// A name word that may start a name with no title before it.
pub(crate) const NAME_START: u8 = 2;

/// What a word's bits alone say of it as a word of a person's name, by
/// its bits: `[mixed case, capitals]`; [`NAME_WORD`], with [`NAME_START`]
/// if it may start a name untitled, else 0. The names stage reads it for
/// each token the lookup stage marks, and [`NAME_CASES`] is made from it. (One
/// load a word in place of a test of each bit.)
pub(crate) const NAME_FLAGS_BY_BITS: [[u8; 256]; 2] = {
    let both = NAME_WORD | NAME_START;
    let mut by_bits = [[0; 256]; 2];
    let mut i = 0;
    while i < 256 {
        let bits = i as u8;
        // Some words are never names in the story's case, given names or
        // not: in capitals the commonest ones ("SAID", "WILL", "TO").
        if bits & NOT_NAME_BIT == 0 {
            by_bits[0][i] = both;
        }
        // In capitals an ordinary word ("OF", "STATISTICS") is no name
        // unless it is also a given name, and a name starts (untitled) only
        // at a given name that is no ordinary word ("DOLORES HINOSTROZA",
        // not "SAID").
        if bits & CAPS_NOT_NAME_BIT == 0 && bits & (COMMON_BIT | GENDER_BITS) != COMMON_BIT {
            by_bits[1][i] = if bits & GENDER_BITS == 0 || bits & COMMON_BIT != 0 {
                NAME_WORD
            } else {
                both
            };
        }
        i += 1;
    }
    by_bits
};

/// `NAME_CASES[bits]`: in which case of story a word with word bits
/// `bits` may be a name word ([`NAME_FLAGS_BY_BITS`]): [`WordTally::name_cases`].
const NAME_CASES: [u8; 256] = {
    let mut t = [0; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = (NAME_FLAGS_BY_BITS[0][i] != 0) as u8 | ((NAME_FLAGS_BY_BITS[1][i] != 0) as u8) << 1;
        i += 1;
    }
    t
};

/// Gender of a given name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gender {
    Male,
    Female,
    Unisex,
}

impl Gazetteer {
    /// The lists compiled into the binary.
    pub fn builtin() -> Result<Gazetteer, GazetteerError> {
        Gazetteer::load(None)
    }

    /// The built-in lists plus those in `dir` (see the module docs).
    pub fn load(dir: Option<&Path>) -> Result<Gazetteer, GazetteerError> {
        let mut tables = Vec::with_capacity(LISTS.len());
        for spec in LISTS {
            let mut t = Table::parse_static(spec.file, spec.builtin, spec.columns)?;
            if let Some(dir) = dir {
                if let Some(extra) = read_table(dir, spec.file, spec.columns)? {
                    t.merge(extra);
                }
            }
            tables.push(t);
        }
        let mut it = tables.into_iter();
        let mut next = || it.next().expect("one table per list");
        let lists = Lists {
            organizations: next(),
            org_nouns: next(),
            titles: next(),
            title_modifiers: next(),
            triggers: next(),
            weapons: next(),
            actors: next(),
            targets: next(),
            people: next(),
        };
        let mut places = PlaceIndex::builtin();
        let mut extra_given_names = HashMap::new();
        let mut extra_common_words = HashSet::new();
        if let Some(dir) = dir {
            if !dir.is_dir() {
                return Err(GazetteerError {
                    file: dir.display().to_string(),
                    line: 0,
                    message: "not a readable folder".into(),
                });
            }
            let p = read_table(dir, "places.tsv", places::PLACE_COLUMNS)?;
            let n = read_table(dir, "place_names.tsv", places::PLACE_NAME_COLUMNS)?;
            if p.is_some() || n.is_some() {
                let p = p.unwrap_or_else(|| empty_table("places.tsv", places::PLACE_COLUMNS));
                let n =
                    n.unwrap_or_else(|| empty_table("place_names.tsv", places::PLACE_NAME_COLUMNS));
                places.add(&p, &n)?;
            }
            if let Some(t) = read_table(dir, "given_names.tsv", GIVEN_NAME_COLUMNS)? {
                for r in &t.rows {
                    let g = match r.get(1) {
                        "M" => 1,
                        "F" => 2,
                        _ => 3,
                    };
                    extra_given_names.insert(normalize::normalize_key(r.get(0)), g);
                }
            }
            if let Some(t) = read_table(dir, "common_words.tsv", &[("word", Check::Required)])? {
                for r in &t.rows {
                    extra_common_words.insert(normalize::normalize_key(r.get(0)));
                }
            }
        }
        let phrase_lists = vec![
            (ListKind::Organization, column(&lists.organizations, 0)),
            (ListKind::Title, column(&lists.titles, 0)),
            (ListKind::Trigger, column(&lists.triggers, 0)),
            (ListKind::Weapon, column(&lists.weapons, 0)),
            (ListKind::Actor, column(&lists.actors, 0)),
            (ListKind::Target, column(&lists.targets, 0)),
        ];
        let phrases = PhraseIndex::build(&phrase_lists);
        let mut org_nouns = FxHashMap::default();
        for (ix, r) in lists.org_nouns.rows.iter().enumerate() {
            org_nouns.entry(r.get(0).to_string()).or_insert(ix);
        }
        let mut media = FxHashMap::default();
        for (ix, r) in lists.organizations.rows.iter().enumerate() {
            if r.get(2) == "media" {
                media.entry(r.get(0).to_string()).or_insert(ix);
            }
        }
        let title_modifiers = lists
            .title_modifiers
            .rows
            .iter()
            .map(|r| r.get(0).to_string())
            .collect();
        let mut people: Vec<(u64, u32)> = Vec::with_capacity(lists.people.rows.len());
        let mut people_max_len = 0;
        let mut people_first_bits = Box::new(FirstWordFilter {
            bits: [0u64; FIRST_WORDS],
            id: NEXT_FILTER_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        });
        let mut people_prefix_bits = vec![0u64; PREFIX_WORDS];
        for (ix, r) in lists.people.rows.iter().enumerate() {
            let name = r.get(0).trim();
            people_max_len = people_max_len.max(name.len());
            people.push((name_key(name), ix as u32));
            normalize::with_ascii_lowercase(name, |lower| {
                let mut prefix = NameKey::at(0);
                for end in 1..=lower.len() {
                    prefix.grow_to(lower.as_bytes(), end);
                    set_filter_bit::<PREFIX_WORDS>(&mut people_prefix_bits, prefix.key());
                }
            });
            let first = name
                .split(|c: char| !c.is_alphanumeric())
                .next()
                .unwrap_or(name);
            normalize::with_ascii_lowercase(first, |first| {
                let key = first_word_key(word_head_in(first.as_bytes(), 0, first.len()));
                set_filter_bit::<FIRST_WORDS>(&mut people_first_bits.bits, key)
            });
        }
        people.sort_unstable();
        let mut people_bits = vec![0u64; NAME_WORDS];
        for &(h, _) in &people {
            set_filter_bit::<NAME_WORDS>(&mut people_bits, h);
        }
        Ok(Gazetteer {
            people,
            people_max_len,
            people_first_bits,
            people_bits,
            people_prefix_bits,
            org_nouns,
            media,
            title_modifiers,
            places,
            lists,
            phrases,
            has_extra_words: !(extra_given_names.is_empty() && extra_common_words.is_empty()),
            extra_given_names,
            extra_common_words,
        })
    }

    /// The table behind a phrase list.
    pub fn table(&self, list: ListKind) -> &Table {
        match list {
            ListKind::Organization => &self.lists.organizations,
            ListKind::Title => &self.lists.titles,
            ListKind::Trigger => &self.lists.triggers,
            ListKind::Weapon => &self.lists.weapons,
            ListKind::Actor => &self.lists.actors,
            ListKind::Target => &self.lists.targets,
        }
    }

    /// The row a phrase hit points at.
    pub fn row(&self, hit: &PhraseHit) -> &Row {
        &self.table(hit.list).rows[hit.row]
    }

    /// What the built-in lists say of each word token of `tokens` (of
    /// `text`) that `wanted` picks, from the thread's lexicon (what it
    /// lacks is looked up and kept there); [`Lexeme::UNKNOWN`] for the
    /// other tokens. The lexicon is borrowed once for all the tokens. With
    /// them, the [`WordTally`] of the words: the people and sports rules
    /// read it instead of walking every token's lexeme again.
    pub fn lexemes(
        &self,
        text: &str,
        tokens: &[Token],
        wanted: impl Fn(&Token) -> bool,
    ) -> (Vec<Lexeme>, WordTally) {
        lexicon::with_lexicon(|lexicon| {
            lexicon.answer_for(self.people_first_bits.id);
            // Every token's lexeme is written once, as unknown, and a wanted
            // word's copied over it from the table: a lexeme chosen between
            // the two and then pushed is copied twice, by way of the stack.
            let mut lexemes = Spare::take(|s| &mut s.lexemes);
            lexemes.resize(tokens.len(), Lexeme::UNKNOWN);
            // The open words are written at `open[n]` for every token, and
            // `n` moves on past the open ones: no branch a token.
            let mut open = Spare::take(|s| &mut s.open_words);
            open.resize(tokens.len(), 0);
            let mut n = 0;
            // The cases each word may be a name word in, one byte a token
            // (and 0 up to a multiple of eight).
            let mut cases = Spare::take(|s| &mut s.name_cases);
            cases.resize(tokens.len().next_multiple_of(8), 0);
            // Sports words, counted by [`SPORTS_COUNTS`]: sports in the low
            // half, strong in the high.
            let mut sports = 0u64;
            let words = tokens.iter().zip(&mut lexemes).zip(&mut cases);
            for (k, ((tok, out), case)) in words.enumerate() {
                if let Some(ahead) = tokens.get(k + PREFETCH_AHEAD).filter(|t| wanted(t)) {
                    if let Some(key) =
                        lexicon::hint_key_in(text, ahead.start as usize, ahead.end as usize)
                    {
                        lexicon.prefetch(key);
                    }
                }
                let short = match wanted(tok) {
                    true => lexicon::short_key_in(text, tok.start as usize, tok.end as usize),
                    false => None,
                };
                let is_open = match short {
                    None => {
                        *case = u8::MAX * u8::from(tok.is_word() && tok.is(Token::CAP));
                        tok.is_word()
                    }
                    Some(short) => {
                        *out = *lexicon.complete(short, |lex| self.fill_lexeme(lex, text, tok));
                        sports += SPORTS_COUNTS[usize::from(out.bits)];
                        *case = NAME_CASES[usize::from(out.bits)];
                        out.may_start_person
                    }
                };
                if let Some(slot) = open.get_mut(n) {
                    *slot = k as u32;
                }
                n += usize::from(is_open);
            }
            open.truncate(n);
            // With lists added at run time a word's given-name and common
            // bits may differ from its lexeme's: every token is kept.
            if self.has_extra_words {
                cases.fill(u8::MAX);
            }
            let tally = WordTally {
                open_words: open,
                name_cases: cases,
                sports: sports as u32,
                strong_sports: (sports >> 32) as u32,
            };
            (lexemes, tally)
        })
    }

    /// Fills in the answers lexeme `lex` of word token `tok` of `text`
    /// lacks ([`Gazetteer::lexemes`]). Out of line: most probes find a
    /// complete lexeme, and the loop over the words keeps more of its
    /// values in registers without this code in it.
    #[cold]
    #[inline(never)]
    fn fill_lexeme(&self, lex: &mut Lexeme, text: &str, tok: &Token) {
        if lex.bits == Lexeme::UNKNOWN_BITS {
            fill_word_bits(lex, tok.text(text));
        }
        if lex.first.is_unknown() {
            lex.first = self.places.walk_first(text, tok);
        }
        lex.may_start_person =
            filter_bit::<FIRST_WORDS>(&self.people_first_bits.bits, u64::from(lex.person_key));
    }

    /// What `word` (any case) is, user lists included: a given name's
    /// gender code under [`GENDER_BITS`], [`COMMON_BIT`] for a common word,
    /// and (built in only) [`NOT_NAME_BIT`], [`CAPS_NOT_NAME_BIT`],
    /// [`SPORTS_BIT`] and [`STRONG_SPORTS_BIT`].
    pub fn word_bits(&self, word: &str) -> u8 {
        let bits = builtin_word_bits(lexicon::short_word_key(word), word);
        self.with_extra_words(word, bits)
    }

    /// [`Gazetteer::word_bits`] of word token `tok` of `text`, whose
    /// [`Lexeme`] is `lex`. The people rules ask this of nearly every
    /// capitalized word, and most have their bits in the lexeme the lookup
    /// stage read: then, without lists added at run time, the answer is
    /// there, and the word is not even sliced out of the text.
    #[inline]
    pub fn token_word_bits(&self, text: &str, tok: &Token, lex: &Lexeme) -> u8 {
        match self.lexeme_word_bits(lex) {
            Some(bits) => bits,
            None => self.token_word_bits_slow(text, tok, lex),
        }
    }

    /// [`Gazetteer::word_bits`] of the word whose [`Lexeme`] is `lex`,
    /// when the lexeme holds the answer: its bits are known and no lists
    /// were added at run time. Otherwise `None`: ask
    /// [`Gazetteer::token_word_bits`].
    #[inline]
    pub fn lexeme_word_bits(&self, lex: &Lexeme) -> Option<u8> {
        (lex.bits != Lexeme::UNKNOWN_BITS && !self.has_extra_words).then_some(lex.bits)
    }

    #[inline(never)]
    fn token_word_bits_slow(&self, text: &str, tok: &Token, lex: &Lexeme) -> u8 {
        let (start, end) = (tok.start as usize, tok.end as usize);
        let bits = match lex.bits {
            Lexeme::UNKNOWN_BITS => {
                builtin_word_bits(lexicon::short_key_in(text, start, end), &text[start..end])
            }
            bits => bits,
        };
        self.with_extra_words(&text[start..end], bits)
    }

    /// `bits`, the built-in bits of `word`, amended by the lists added at
    /// run time.
    fn with_extra_words(&self, word: &str, bits: u8) -> u8 {
        if !self.has_extra_words {
            return bits;
        }
        normalize::with_key(word, |key| {
            let mut bits = bits;
            if !self.extra_given_names.is_empty() {
                if let Some(&g) = self.extra_given_names.get(key) {
                    bits = (bits & !GENDER_BITS) | g;
                }
            }
            if !self.extra_common_words.is_empty() && self.extra_common_words.contains(key) {
                bits |= COMMON_BIT;
            }
            bits
        })
    }

    /// Is `word` (any case) a given name, and of which gender?
    pub fn given_name(&self, word: &str) -> Option<Gender> {
        match self.word_bits(word) & GENDER_BITS {
            0 => None,
            1 => Some(Gender::Male),
            2 => Some(Gender::Female),
            _ => Some(Gender::Unisex),
        }
    }

    /// Is `word` (any case) a common English word?
    pub fn is_common_word(&self, word: &str) -> bool {
        self.word_bits(word) & COMMON_BIT != 0
    }

    /// The kind of the organization noun `word` (as written: "Ministry").
    pub fn org_noun_kind(&self, word: &str) -> Option<&str> {
        self.org_nouns
            .get(word)
            .map(|&ix| self.lists.org_nouns.rows[ix].get(1))
    }

    /// The first `organizations.tsv` row of kind `media` named `name`
    /// exactly ("AP").
    pub fn media_organization(&self, name: &str) -> Option<&Row> {
        self.media
            .get(name)
            .map(|&ix| &self.lists.organizations.rows[ix])
    }

    /// Is `word`, in ASCII lowercase, a title modifier ("deputy")?
    pub fn is_title_modifier(&self, word: &str) -> bool {
        normalize::with_ascii_lowercase(word, |w| self.title_modifiers.contains(w))
    }

    /// Rows of `people.tsv` whose name may be `name` in any ASCII case
    /// (rows are found by a hash: compare the name before use).
    pub fn people_named(&self, name: &str) -> impl Iterator<Item = usize> + '_ {
        self.people_with_key(name_key(name))
    }

    /// [`Gazetteer::people_named`] by the name's [`NameKey`].
    pub fn people_with_key(&self, key: u64) -> impl Iterator<Item = usize> + '_ {
        let from = if filter_bit::<NAME_WORDS>(&self.people_bits, key) {
            self.people.partition_point(|(k, _)| *k < key)
        } else {
            self.people.len()
        };
        self.people[from..]
            .iter()
            .take_while(move |(k, _)| *k == key)
            .map(|(_, r)| *r as usize)
    }

    /// Can a listed person's name start with the text whose [`NameKey`]
    /// is `key` (any ASCII case)? False means no listed name begins with
    /// those bytes, so no longer span from the same start can be one.
    pub fn may_continue_person(&self, key: u64) -> bool {
        filter_bit::<PREFIX_WORDS>(&self.people_prefix_bits, key)
    }

    /// Can a listed person's name start with word token `tok` of `lower`,
    /// a text in ASCII lowercase (`Doc::lower`), whose [`Lexeme`] is `lex`?
    /// Most words have their key in the lexeme the lookup stage read.
    #[inline]
    pub fn may_start_person(&self, lower: &str, tok: &Token, lex: &Lexeme) -> bool {
        let key = if lex.bits != Lexeme::UNKNOWN_BITS {
            u64::from(lex.person_key)
        } else {
            let (start, end) = (tok.start as usize, tok.end as usize);
            debug_assert!(!lower.as_bytes()[start..end]
                .iter()
                .any(|b| b.is_ascii_uppercase()));
            first_word_key(word_head_in(lower.as_bytes(), start, end))
        };
        filter_bit::<FIRST_WORDS>(&self.people_first_bits.bits, key)
    }

    /// Bytes of the longest listed person's name.
    pub fn people_max_len(&self) -> usize {
        self.people_max_len
    }

    /// Place lookup of one whole name (any case).
    pub fn lookup_place(&self, name: &str) -> Vec<(PlaceRef, Form)> {
        self.places.lookup(name)
    }
}

/// How many tokens ahead of its probes the lookup stage asks for a
/// word's slot of the lexicon ([`Lexicon::prefetch`](lexicon::Lexicon::prefetch)).
const PREFETCH_AHEAD: usize = 8;

/// [`WORD_INFO`]'s bits for `word` (any case), whose
/// [`lexicon::short_word_key`] is `short`, by way of the thread's
/// [`lexicon`].
fn builtin_word_bits(short: Option<u128>, word: &str) -> u8 {
    let Some(short) = short else {
        return lookup_word_bits(word);
    };
    lexicon::with_lexeme(short, |lex| {
        if lex.bits == Lexeme::UNKNOWN_BITS {
            fill_word_bits(lex, word);
        }
        lex.bits
    })
}

/// Fills in the word bits of `lex`, the lexeme of `word`, and the key that
/// comes with them.
fn fill_word_bits(lex: &mut Lexeme, word: &str) {
    lex.bits = lookup_word_bits(word);
    let head = ascii_lowercase_bytes(word_head_in(word.as_bytes(), 0, word.len()));
    lex.person_key = first_word_key(head) as u32;
}

/// The eight bytes of `x` with ASCII capitals lowercased, all at once (a
/// loop over them costs about a hundred instructions).
fn ascii_lowercase_bytes(x: u64) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let low7 = x & LOW7;
    // The high bit of each byte: its low seven bits are at least b'A', ...
    let from_a = low7 + 0x3f3f_3f3f_3f3f_3f3f;
    // ... past b'Z', and the byte is ASCII.
    let past_z = low7 + 0x2525_2525_2525_2525;
    let capitals = from_a & !past_z & !x & HIGH;
    x | capitals >> 2
}

/// [`WORD_INFO`]'s bits for `word` (any case), looked up, with its
/// [`NOT_NAME_BIT`], [`CAPS_NOT_NAME_BIT`] and sports bits.
fn lookup_word_bits(word: &str) -> u8 {
    let info = normalize::with_key(word, |key| WORD_INFO.get(key).copied().unwrap_or(0));
    let words = &*LIST_WORD_BITS;
    let as_written = words.get(word).map_or(0, |b| b & NOT_NAME_BIT);
    let lower = normalize::with_ascii_lowercase(word, |w| {
        words.get(w).map_or(0, |b| {
            b & (CAPS_NOT_NAME_BIT | SPORTS_BIT | STRONG_SPORTS_BIT)
        })
    });
    info | as_written | lower
}

/// Columns of `given_names.tsv`.
pub const GIVEN_NAME_COLUMNS: &[(&str, Check)] = &[
    ("name", Check::Required),
    ("gender", Check::OneOf(&["M", "F", "U"])),
    ("regions", Check::Any),
];

fn column(t: &Table, i: usize) -> Vec<String> {
    t.rows.iter().map(|r| r.get(i).to_string()).collect()
}

fn empty_table(file: &str, columns: &[(&str, Check)]) -> Table {
    Table {
        file: file.to_string(),
        header: columns.iter().map(|c| c.0.to_string()).collect(),
        rows: Vec::new(),
    }
}

/// Reads `dir/file` if it exists; errors name the file and line.
fn read_table(
    dir: &Path,
    file: &str,
    columns: &[(&str, Check)],
) -> Result<Option<Table>, GazetteerError> {
    let path = dir.join(file);
    if !path.exists() {
        return Ok(None);
    }
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(&path).map_err(|e| GazetteerError {
        file: shown.clone(),
        line: 0,
        message: format!("cannot read: {e}"),
    })?;
    Table::parse(&shown, &text, columns).map(Some)
}

/// [`NameKey`] of a name with ASCII letters lowercased (in a copy, on the
/// stack for names of up to 32 bytes).
fn name_key(name: &str) -> u64 {
    normalize::with_ascii_lowercase(name, |lower| {
        let mut k = NameKey::at(0);
        k.grow_to(lower.as_bytes(), lower.len());
        k.key()
    })
}

/// Hash of an ASCII-lowercase word for [`Gazetteer::may_start_person`],
/// given its [`word_head_in`]: the top 18 bits of its [`word_hash`].
/// Every capitalized word of a story is asked about (every word of
/// capitals copy). (A [`NameKey`] takes a span's bytes eight by eight to
/// grow with a name.)
#[inline]
fn first_word_key(head: u64) -> u64 {
    word_hash(head) >> 46
}

/// A word's hash from its first eight bytes ([`word_head_in`]), for the
/// filters and tables of first words (people's here, phrases' in
/// [`phrases`]): the word is read with one load and hashed with one
/// multiplication. The top bits of the result are the well-mixed ones,
/// which every input bit reaches. Its length is left out: a word's bytes
/// are never 0, so the zero padding tells the lengths of words of up to
/// eight bytes apart. Longer words that share their first 8 bytes share a
/// hash: a filter lets more of them pass, and a table tells them apart by
/// the whole word.
#[inline(always)]
pub(super) fn word_hash(head: u64) -> u64 {
    head.wrapping_mul(GOLDEN)
}

/// The multiplier of the multiplicative hashes of words in the gazetteer
/// modules: 2^64 divided by the golden ratio.
pub(super) const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// The first (up to) 8 bytes of the word `bytes[start..end]` as a
/// little-endian number, zero above the word's end: one 8-byte load where
/// the bytes go on that far.
#[inline]
pub(super) fn word_head_in(bytes: &[u8], start: usize, end: usize) -> u64 {
    load(bytes, start, (end - start).min(8))
}

/// `bytes[at..at + n]` (`n` at most 8) as a little-endian number, zero-padded.
#[inline(always)]
pub(super) fn load(bytes: &[u8], at: usize, n: usize) -> u64 {
    match bytes.get(at..at + 8) {
        Some(chunk) => u64::from_le_bytes(chunk.try_into().expect("8 bytes")) & MASKS[n],
        None => bytes[at..at + n]
            .iter()
            .rev()
            .fold(0, |h, &b| (h << 8) | u64::from(b)),
    }
}

/// `MASKS[n]`: the low `n` bytes of a u64 set.
pub(super) const MASKS: [u64; 9] = {
    let mut t = [u64::MAX; 9];
    let mut n = 0;
    while n < 8 {
        t[n] = (1 << (8 * n)) - 1;
        n += 1;
    }
    t
};

/// The hash [`Gazetteer::people_with_key`] looks names up by, of a span
/// of an ASCII-lowercase text (`Doc::lower`) from a fixed start, taken as
/// the span grows at its end: a search for the longest listed name from a
/// word hashes each longer span by its new bytes alone.
///
/// The span is read in blocks of eight bytes from its start, whatever its
/// tokens: each whole block is mixed into `blocks` once (as `FxHasher`
/// mixes a `u64`), and the key is `blocks` mixed with the last (fewer than
/// eight) bytes and the length. So a span's key depends on its bytes
/// alone, however it was grown, and growing it by a word costs one or two
/// multiplications: not one per byte. (Adding each byte in turn, each
/// waited on the last one's multiply; adding a word's bytes eight at a
/// time to such a byte-by-byte hash still cost one multiplication a byte.)
#[derive(Clone)]
pub struct NameKey {
    /// Where the span starts (its length is counted from here).
    start: usize,
    /// The first byte of the span not mixed into `blocks`.
    block: usize,
    /// The span's whole eight-byte blocks, mixed.
    blocks: u64,
    /// The key of the whole span.
    key: u64,
}

/// `FxHasher`'s multiplier.
const NAME_K: u64 = 0xf135_7aea_2e62_a9c5;

impl NameKey {
    /// The key of the empty span at `start`.
    pub fn at(start: usize) -> NameKey {
        let mut k = NameKey {
            start,
            block: start,
            blocks: 0,
            key: 0,
        };
        k.key = k.finish(0, 0);
        k
    }

    /// Grows the span to end at `end` (not before its present end) in
    /// `text`, which has no ASCII capitals (as `Doc::lower`).
    #[inline]
    pub fn grow_to(&mut self, text: &[u8], end: usize) {
        debug_assert!(!text[self.block..end].iter().any(|b| b.is_ascii_uppercase()));
        while end - self.block >= 8 {
            self.blocks = Self::mix(self.blocks, load(text, self.block, 8));
            self.block += 8;
        }
        let rest = load(text, self.block, end - self.block);
        self.key = self.finish(rest, end - self.start);
    }

    /// `FxHasher`'s step for one `u64`.
    #[inline(always)]
    fn mix(h: u64, word: u64) -> u64 {
        (h.rotate_left(5) ^ word).wrapping_mul(NAME_K)
    }

    /// The key of `blocks` and the last bytes `rest` (fewer than eight,
    /// so its top byte is free for the length: text may hold 0 bytes) of
    /// a span of `len` bytes: its top bits, which mix the most, moved down
    /// (rustc-hash's `FxHasher::finish`).
    #[inline(always)]
    fn finish(&self, rest: u64, len: usize) -> u64 {
        Self::mix(self.blocks, rest | (len as u64) << 56).rotate_left(26)
    }

    /// The key of the span as it is.
    pub fn key(&self) -> u64 {
        self.key
    }
}

/// `u64` words of the people prefix filter: 2^20 bits for the ~56,000
/// prefixes of `people.tsv`, so about one in twenty spans no name begins
/// with still passes.
const PREFIX_WORDS: usize = 1 << 14;

/// `u64` words of the filter of listed people's first words: 2^18 bits
/// for their ~2,500 distinct first words, so that about one word in a hundred
/// that starts no listed name passes (at 2^16 bits, one in twenty-six did,
/// and each went on to look names up).
const FIRST_WORDS: usize = 1 << 12;

/// `u64` words of the filter of listed people's whole names: 65,536 bits.
const NAME_WORDS: usize = 1 << 10;

/// Sets the bit of hash `h` in a filter of `WORDS` `u64` words (a power
/// of two: the people filters above).
fn set_filter_bit<const WORDS: usize>(bits: &mut [u64], h: u64) {
    bits[(h as usize >> 6) & (WORDS - 1)] |= 1 << (h & 63);
}

/// Is the bit of hash `h` set in a filter of `WORDS` `u64` words?
fn filter_bit<const WORDS: usize>(bits: &[u64], h: u64) -> bool {
    bits[(h as usize >> 6) & (WORDS - 1)] & (1 << (h & 63)) != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_keys_grown_in_pieces_are_the_key_of_the_whole() {
        let text = "jose napoleon duarte, president of el salvador (1984-89), and members of the fmln\t\u{e9}t\u{e9}";
        let text = text.as_bytes();
        for start in 0..text.len() {
            for cut in start..=text.len() {
                for end in cut..=text.len().min(cut + 20) {
                    // Two pieces, as the people search adds a token and
                    // the white space before it ...
                    let mut grown = NameKey::at(start);
                    grown.grow_to(text, cut);
                    grown.grow_to(text, end);
                    // ... against the whole at once, and the key of a copy.
                    let mut whole = NameKey::at(start);
                    whole.grow_to(text, end);
                    assert_eq!(grown.key(), whole.key(), "{start}..{cut}..{end}");
                    if let Ok(s) = std::str::from_utf8(&text[start..end]) {
                        assert_eq!(grown.key(), name_key(s), "{start}..{cut}..{end}");
                        assert_eq!(name_key(&s.to_ascii_uppercase()), name_key(s), "{s}");
                    }
                }
            }
        }
    }

    #[test]
    fn sports_counts_hold_past_a_half_word() {
        // More sports words than 16 bits count, strong ones among them:
        // each count stays its own.
        let n = 70_000;
        let text = "SOCCER GOAL ".repeat(n);
        let (tokens, all_caps, _) = crate::stages::tokenize::tokenize(&text);
        assert!(all_caps);
        let gaz = Gazetteer::builtin().expect("gazetteers");
        let (_, tally) = gaz.lexemes(&text, &tokens, Token::is_word);
        assert_eq!(tally.sports as usize, 2 * n);
        assert_eq!(tally.strong_sports as usize, n);
    }

    #[test]
    fn lexemes_answer_for_the_gazetteer_asked() {
        // The thread's lexicon keeps each word's answer from the people
        // filter: a gazetteer with other people lists gets its own.
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(
            dir.path().join("people.tsv"),
            "name\tcanonical\ttitle\tcountry_code\tform\n\
             Zorblax Quintavius\tZorblax Quintavius\t\tUS\tname\n",
        )
        .expect("people.tsv");
        let builtin = Gazetteer::builtin().expect("gazetteers");
        let extra = Gazetteer::load(Some(dir.path())).expect("gazetteers");
        let text = "ZORBLAX QUINTAVIUS SPOKE";
        let (tokens, all_caps, _) = crate::stages::tokenize::tokenize(text);
        assert!(all_caps);
        let opens_zorblax = |gaz: &Gazetteer| {
            let (_, tally) = gaz.lexemes(text, &tokens, Token::is_word);
            tally.open_words.contains(&0)
        };
        assert!(!opens_zorblax(&builtin));
        assert!(opens_zorblax(&extra));
        assert!(!opens_zorblax(&builtin));
    }

    #[test]
    fn bytes_lowercase_as_ascii_lowercase() {
        for b in 0..=255u8 {
            let x = u64::from_le_bytes([b, b'Q', 0xC3, b, b'@', b'[', b'z', b]);
            let want = u64::from_le_bytes(x.to_le_bytes().map(|b| b.to_ascii_lowercase()));
            assert_eq!(ascii_lowercase_bytes(x), want, "{b}");
        }
    }
}
