//! Places: gazetteer matches resolved to world entries.
//!
//! Reads `Doc::tokens`, `Doc::sentences`, `Doc::dateline`; writes
//! `Doc::places` (one per entry, mentions in text order, places in order of
//! first mention) and `Dateline::place`.
//!
//! 1. **Candidates.** A walk of the place FST starts only at candidate
//!    tokens: capitalized words in mixed-case text, every word in
//!    all-capitals text. The longest name ending on a token boundary wins.
//! 2. **Filters.** A name must look like a name: capitalized words (with
//!    the lowercase particles of place names: "de", "al", "of", ...). A
//!    single word that is also an ordinary English word ("Split", "Nice",
//!    "Reading", "Mobile") is kept only with place context (a locative
//!    preposition before it, or ", Country" after it), unless it names a
//!    country. A given name followed by a capitalized word, or a word after
//!    a given name, is a person ("Jordan Henderson", "Israel Epstein").
//!    Capitals-only text (old wire copy, headlines) has no case to go by, so
//!    there only countries, first-level divisions, regions and towns of
//!    10,000 people or more that are not ordinary words count, and smaller
//!    places only after a locative preposition.
//! 3. **Disambiguation.** Each candidate entry of a name is scored: a prior
//!    by kind (country > region > first-level division > city > town >
//!    village), the size of the place, and the story's focus: the dateline's
//!    country, the countries the story names without ambiguity, and the
//!    country or division written right after the name ("Paris, Texas",
//!    "Tripoli, Lebanon"). The best score wins; ties go to the larger place.

use crate::doc::{Doc, Form, Mention, Place, Span, Token, TokenKind};
use crate::gazetteer::places::candidate_flags as flag;
use crate::gazetteer::places::{
    country_key, memo_entry, AtFirst, CountryKey, PlaceIndex, NO_COUNTRY, PLACE_KINDS,
};
use crate::gazetteer::{
    Candidates, FirstWalk, Gazetteer, Lexeme, PlaceMatch, PlaceRef, COMMON_BIT, GENDER_BITS,
};
use crate::stages::{keep_indices, keep_indices_twice};
use regex::Regex;
use rustc_hash::FxHashMap;
use std::cell::{Cell, OnceCell, RefCell};
use std::sync::LazyLock;

/// A set of words as a test, `fn $test(w: &str) -> bool`, written as a
/// `match` on them: each arm compiles to a length test and a compare of a
/// machine word or two, where `<[&str]>::contains` calls `memcmp` for every
/// word of the same length. The filters ask these of every candidate name
/// (and in capitals copy every word is one). The list itself, `$list`,
/// serves the tests and the tables built from it ([`PLACE_WORD_SHAPES`]).
macro_rules! word_set {
    ($(#[$doc:meta])* fn $test:ident / $list:ident = [$($w:literal),+ $(,)?];) => {
        $(#[$doc])*
        fn $test(w: &str) -> bool {
            matches!(w, $($w)|+)
        }

        #[allow(dead_code)]
        const $list: &[&str] = &[$($w),+];
    };
}

/// Gazetteer walks from the tokens of one story. The main pass walks from
/// each candidate token once; the filters also ask what the name right
/// after a candidate is (", Texas" after a name, "Henderson" after
/// "Jordan"), a few times a story, and the same name twice in a row, so
/// the last answer is kept.
struct Walks<'a> {
    doc: &'a Doc<'a>,
    gaz: &'a Gazetteer,
    /// The lexemes `Walks::at_first` reads: the story's, or none where
    /// place names were added at run time (`PlaceIndex::at_first` knows
    /// the built-in names only): told once a story, not per token.
    first_lexemes: &'a [Lexeme],
    /// The last name asked for after a candidate: its start token and the
    /// flags of its candidates (`None`: no name starts there).
    ahead: Cell<Option<(usize, Option<u8>)>>,
}

impl<'a> Walks<'a> {
    fn new(doc: &'a Doc<'a>, gaz: &'a Gazetteer) -> Walks<'a> {
        Walks {
            doc,
            gaz,
            first_lexemes: match gaz.places.has_added_names() {
                true => &[],
                false => &doc.lexemes,
            },
            ahead: Cell::new(None),
        }
    }

    /// The longest name starting at token `i` (see `PlaceIndex::longest_at`),
    /// its first token's walk as the lookup stage found it.
    #[inline]
    fn longest_at(&self, i: usize) -> Option<PlaceMatch> {
        let first = self
            .doc
            .lexemes
            .get(i)
            .map_or(&FirstWalk::UNKNOWN, |l| &l.first);
        self.gaz
            .places
            .longest_at(self.doc.text, &self.doc.tokens, i, first)
    }

    /// The longest name at token `i` from its lexeme's walk (see
    /// `PlaceIndex::at_first`). The main pass asks this of every token
    /// its first pass kept (see [`find`]): the lookup stage walked from its
    /// candidates only, so a walk here says it was one. In capitals copy
    /// every word is a candidate, and most start no name or a name of one
    /// word, answered without a call.
    #[inline]
    fn at_first(&self, i: usize) -> AtFirst {
        match self.first_lexemes.get(i) {
            Some(l) => self
                .gaz
                .places
                .at_first(self.doc.text, &self.doc.tokens, i, &l.first),
            None => AtFirst::Walk,
        }
    }

    /// The flags (`candidate_flags`) of the candidates of the longest name
    /// starting at token `k`, `None` if no name starts there.
    fn flags_at(&self, k: usize) -> Option<u8> {
        if let Some((at, flags)) = self.ahead.get() {
            if at == k {
                return flags;
            }
        }
        let flags = self
            .longest_at(k)
            .map(|m| m.candidates.flags(&self.gaz.places));
        self.ahead.set(Some((k, flags)));
        flags
    }
}

word_set! {
    /// Lowercase words allowed inside a multi-word place name: the particles
    /// of European names and the transliterated Arabic article in its
    /// assimilated forms ("Dayr az Zawr", "Ras al Khaimah", "Umm ar Rizam").
    fn is_particle / PARTICLES = [
        "de", "del", "la", "las", "los", "el", "al", "of", "the", "upon", "on", "da", "do",
        "dos", "das", "di", "du", "le", "les", "y", "and", "en", "sur", "am", "an", "der", "i",
        "ad", "ar", "as", "ash", "at", "az", "adh", "ath", "ed", "er", "es", "ez", "et",
    ];
}

word_set! {
    /// Division words written in lowercase after a name ("Badakhshan province").
    fn is_division_word / DIVISION_WORDS = [
        "province", "region", "district", "governorate", "state", "department", "oblast",
        "county", "prefecture", "division", "territory", "municipality", "parish",
    ];
}

word_set! {
    /// Month abbreviations (full month names are in `dateline::MONTH_NAMES`).
    fn is_month_abbreviation / MONTH_ABBREVIATIONS = [
        "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    ];
}

word_set! {
    /// Feasts and holy months, which gazetteers also list as alternate names
    /// of small places.
    fn is_holiday / HOLIDAYS = [
        "ramadan", "ramazan", "eid", "easter", "christmas", "passover", "hanukkah", "diwali",
        "ashura", "nowruz", "muharram", "lent", "advent", "pentecost", "thanksgiving",
    ];
}

word_set! {
    /// Words before a name that make it a place.
    fn is_locative / LOCATIVES = [
        "in", "at", "from", "to", "near", "into", "outside", "inside", "across", "toward",
        "towards", "through", "via", "around", "of", "between", "and", "province", "department",
        "town", "city", "village", "capital",
    ];
}

/// A name found in the text with its candidate entries.
struct Found {
    /// A lone word naming only small places, with no place context
    /// around it: kept only when the story is about one of its countries.
    weak: bool,
    span: Span,
    first_token: usize,
    end_token: usize,
    candidates: Candidates,
}

/// What one story's names need while they are found and resolved, kept
/// for the thread and cleared before each story: every story finds names
/// and picks their entries, and growing these afresh (a vector regrown a
/// few times, two maps rehashed a few times) cost more than the reads
/// they serve.
#[derive(Default)]
struct Scratch {
    found: Vec<Found>,
    /// Entry -> its place in the story's list (see [`resolve`]).
    index: FxHashMap<PlaceRef, usize>,
    /// Posting list -> its winner's place in the story's list, and the
    /// form of the name (see [`resolve`]).
    chosen: FxHashMap<u32, Option<(usize, Form)>>,
    /// The tokens where names may start (see [`find`]). Only ever grown:
    /// each pass writes every token's index into it, so it is never
    /// zeroed.
    starts: Vec<u32>,
    /// The capitalized words of mixed-case copy (see [`features`]),
    /// gathered by the same pass as `starts` (the first as many as
    /// [`find`] returns; as `starts`, only ever grown).
    caps: Vec<u32>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

pub fn run(doc: &mut Doc, gaz: &Gazetteer) {
    let n_caps = SCRATCH.with_borrow_mut(|s| {
        // Cleared before use, not after: a story that panicked here (the
        // batch command catches it and goes on) must leave nothing for the
        // next one on this thread.
        s.found.clear();
        s.index.clear();
        s.chosen.clear();
        let n_caps = find(doc, gaz, &mut s.found, &mut s.starts, &mut s.caps);
        if s.found.is_empty() {
            return n_caps;
        }
        let focus = focus(doc, gaz, &s.found);
        s.found.retain(|f| {
            !f.weak
                || f.candidates.iter().any(|(r, _)| {
                    focus
                        .weight(gaz.places.country_key(r))
                        .is_some_and(|w| w >= 4.0)
                })
        });
        resolve(doc, gaz, s, &focus);
        n_caps
    });
    coordinates(doc, gaz);
    SCRATCH.with_borrow(|s| features(doc, gaz, &s.caps[..n_caps]));
}

/// Coordinates in degrees, minutes and seconds or decimal degrees with
/// their hemispheres: "33°47′N 44°30′E", "35.0325°N 43.6463889°E",
/// "36° 16' 11\" N, 43° 8' E".
static DEGREES: LazyLock<Regex> = LazyLock::new(|| {
    let part = |deg: &str, hemi: &str| {
        format!(
            r#"({deg}(?:\.\d+)?)\s?°\s?(?:(\d{{1,2}}(?:\.\d+)?)\s?['′’]\s?(?:(\d{{1,2}}(?:\.\d+)?)\s?(?:["″”]|'')\s?)?)?([{hemi}])\b"#
        )
    };
    Regex::new(&format!(
        r"{}[,;/]?\s{{0,2}}{}",
        part(r"\d{1,2}", "NS"),
        part(r"\d{1,3}", "EW")
    ))
    .expect("coordinate pattern")
});

/// A bare pair of signed decimal degrees with three decimals or more, as
/// maps and geotags write them ("33.783; 44.500", "34.5553, 69.2075").
static DECIMAL_PAIR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(-?\d{1,2}\.\d{3,})\s?[;,]\s?(-?\d{1,3}\.\d{3,})").expect("pair pattern")
});

/// Words that say a bare pair of numbers after them is coordinates.
const COORDINATE_WORDS: &[&str] = &[
    "coordinate",
    "gps",
    "latitude",
    "lat/lon",
    "located at",
    "geolocat",
    "grid",
];

/// The stretches of `text` that hold every match of [`DEGREES`], as byte
/// ranges in order: around each "°", from the digits (and white space)
/// before it to the letter after its minutes and seconds (the
/// hemisphere) and the character after that (its word boundary), joined
/// where a latitude's stretch and a longitude's may meet. The pattern's
/// Unicode `\b` makes the regex's fast engine give up on the "°" (a byte
/// past ASCII) and fall back to a slow one over the whole story: searched
/// in these stretches only, it reads a few dozen bytes a point. (Each
/// stretch is a superset: a match holds a "°", and only digits, periods,
/// white space and the marks of minutes and seconds stand between it and
/// the digits before it or the hemisphere after it; between a latitude's
/// hemisphere and its longitude's digits stand at most a separator and
/// two spaces, well within the slack of the join.)
fn degree_windows(text: &str) -> Vec<(usize, usize)> {
    const JOIN_SLACK: usize = 16;
    let mut windows: Vec<(usize, usize)> = Vec::new();
    for p in memchr::memmem::find_iter(text.as_bytes(), "°".as_bytes()) {
        let start = text[..p]
            .char_indices()
            .rev()
            .take_while(|&(_, c)| c.is_numeric() || c == '.' || c.is_whitespace())
            .last()
            .map_or(p, |(i, _)| i);
        let after = p + '°'.len_utf8();
        let end = text[after..]
            .char_indices()
            .skip_while(|&(_, c)| {
                c.is_numeric()
                    || c.is_whitespace()
                    || matches!(c, '.' | '\'' | '′' | '’' | '"' | '″' | '”')
            })
            .nth(2)
            .map_or(text.len(), |(i, _)| after + i);
        match windows.last_mut() {
            Some(last) if start <= last.1 + JOIN_SLACK => last.1 = last.1.max(end),
            _ => windows.push((start, end)),
        }
    }
    windows
}

/// Degrees, minutes and seconds (any may be absent) as decimal degrees,
/// negative in the southern and western hemispheres.
fn degrees(d: Option<&str>, m: Option<&str>, s: Option<&str>, hemi: &str) -> Option<f64> {
    let num = |x: Option<&str>| x.map_or(Ok(0.0), str::parse::<f64>);
    let (d, m, s) = (num(d).ok()?, num(m).ok()?, num(s).ok()?);
    if m >= 60.0 || s >= 60.0 {
        return None;
    }
    let v = d + m / 60.0 + s / 3600.0;
    Some(if matches!(hemi, "S" | "W") { -v } else { v })
}

/// Coordinates written in the story become places of kind `point`, with
/// the point itself as `lat`/`lon` and the country and first-level
/// division of the nearest populated place (reverse geocoding; none past
/// 100 km, at sea or in the wilderness). The same point written several
/// ways (within about a kilometre) is one place.
fn coordinates(doc: &mut Doc, gaz: &Gazetteer) {
    let text = doc.text;
    let mut points: Vec<(Span, f64, f64)> = Vec::new();
    for (a, b) in degree_windows(text) {
        for c in DEGREES.captures_iter(&text[a..b]) {
            let g = |k: usize| c.get(k).map(|m| m.as_str());
            let lat = degrees(g(1), g(2), g(3), g(4).unwrap_or("N"));
            let lon = degrees(g(5), g(6), g(7), g(8).unwrap_or("E"));
            if let (Some(lat), Some(lon)) = (lat, lon) {
                let m = c.get(0).expect("whole match");
                points.push((Span::new(a + m.start(), a + m.end()), lat, lon));
            }
        }
    }
    // A bare pair counts only where coordinates are being given: right
    // after a pair in degrees (a geotag's "33.783°N 44.500°E / 33.783;
    // 44.500"), or after a word that says so ("GPS coordinates 34.5553,
    // 69.2075"). Most stories have neither, and skip the pattern.
    let said_at = |at: usize| {
        let lead = &doc.lower.as_bytes()[at.saturating_sub(40)..at];
        COORDINATE_WORDS
            .iter()
            .any(|w| memchr::memmem::find(lead, w.as_bytes()).is_some())
    };
    let bytes = text.as_bytes();
    // The pattern needs a number with three decimals ("1.234"): looking for
    // one first spares most stories the search for the words.
    let decimals = memchr::memchr_iter(b'.', bytes).any(|k| {
        k > 0
            && bytes[k - 1].is_ascii_digit()
            && bytes
                .get(k + 1..k + 4)
                .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
    });
    let pairs_possible = decimals
        && (!points.is_empty()
            || COORDINATE_WORDS
                .iter()
                .any(|w| memchr::memmem::find(doc.lower.as_bytes(), w.as_bytes()).is_some()));
    // (Not even over an empty text: a regex search sets up its captures
    // and cache whatever the haystack.)
    let pairs = pairs_possible.then(|| DECIMAL_PAIR.captures_iter(text));
    for c in pairs.into_iter().flatten() {
        let m = c.get(0).expect("whole match");
        // Not part of a longer run of numbers ("1.234, 5.678, 9.012").
        let before = m.start().checked_sub(1).map(|k| bytes[k]);
        let after = bytes.get(m.end()).copied();
        let digitish = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'.');
        // A list goes on: ", 9.012" after the pair.
        let listed = |b: Option<u8>| {
            b.is_some_and(|b| matches!(b, b',' | b';'))
                && bytes[m.end() + 1..]
                    .iter()
                    .find(|b| **b != b' ')
                    .is_some_and(|b| b.is_ascii_digit() || *b == b'-')
        };
        let decimal_after =
            after == Some(b'.') && bytes.get(m.end() + 1).is_some_and(|b| b.is_ascii_digit());
        let word_after = after.is_some_and(|b| b.is_ascii_alphanumeric());
        if digitish(before) || word_after || decimal_after || listed(after) {
            continue;
        }
        let after_degrees = points
            .iter()
            .any(|(s, _, _)| s.end <= m.start() && m.start() - s.end <= 8);
        if !(after_degrees || said_at(m.start())) {
            continue;
        }
        let (Ok(lat), Ok(lon)) = (c[1].parse::<f64>(), c[2].parse::<f64>()) else {
            continue;
        };
        if points
            .iter()
            .any(|(s, _, _)| s.overlaps(Span::new(m.start(), m.end())))
        {
            continue;
        }
        points.push((Span::new(m.start(), m.end()), lat, lon));
    }
    for (span, lat, lon) in points {
        if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
            continue;
        }
        // Inside a place already found ("... 44°30′E" never is, but a
        // number run inside a name could be).
        if doc
            .places
            .iter()
            .any(|p| p.mentions.iter().any(|m| m.span.overlaps(span)))
        {
            continue;
        }
        let mention = Mention {
            span,
            form: Form::Name,
        };
        let close = |p: &Place| {
            p.kind == "point"
                && p.lat.is_some_and(|a| (a - lat).abs() < 0.01)
                && p.lon.is_some_and(|o| (o - lon).abs() < 0.01)
        };
        if let Some(p) = doc.places.iter_mut().find(|p| close(p)) {
            p.mentions.push(mention);
            continue;
        }
        let near = gaz
            .places
            .nearest(lat, lon)
            .filter(|&(_, km)| km <= 100.0)
            .map(|(r, _)| gaz.places.place(r));
        let (country_code, admin1) = near.map_or((None, None), |p| (p.country_code, p.admin1));
        doc.places.push(Place {
            name: doc.slice(span).to_string().into(),
            kind: "point".into(),
            country_code,
            admin1,
            lat: Some((lat * 1e6).round() / 1e6),
            lon: Some((lon * 1e6).round() / 1e6),
            source: "text".into(),
            mentions: vec![mention],
        });
    }
}

word_set! {
    /// Head words of named natural features, written after the name ("Tigris
    /// River", "Hamrin Mountains").
    fn is_feature_head / FEATURE_HEADS = [
        "Sea", "Ocean", "River", "Lake", "Mountains", "Mountain", "Hills", "Valley", "Desert",
        "Island", "Islands", "Peninsula", "Gulf", "Bay", "Strait", "Straits", "Canal",
        "Plateau", "Basin", "Delta", "Coast", "Pass", "Reservoir", "Glacier", "Volcano",
    ];
}

word_set! {
    /// Head words of natural features written in lowercase after a name the
    /// gazetteer lacks ("the Hamrin mountains", "the Khabur river").
    fn is_lower_feature_head / LOWER_FEATURE_HEADS = [
        "river", "mountains", "mountain", "hills", "valley", "desert", "lake", "island",
        "islands", "peninsula", "plateau", "plain", "plains", "gorge", "reservoir",
    ];
}

word_set! {
    /// Head words of structures written in lowercase after a name the
    /// gazetteer lacks ("the Haditha dam", "the Kerem Shalom crossing").
    fn is_lower_facility_head / LOWER_FACILITY_HEADS = [
        "dam", "airport", "airbase", "airfield", "bridge", "mosque", "refinery", "prison",
        "crossing", "checkpoint",
    ];
}

word_set! {
    /// Head words of named structures ("Incirlik Air Base", "Mosul Dam").
    fn is_facility_head / FACILITY_HEADS = [
        "Airport", "Airfield", "Airbase", "Base", "Dam", "Barrage", "Mosque", "Shrine",
        "Cathedral", "Temple", "Square", "Street", "Avenue", "Road", "Highway", "Bridge",
        "Prison", "Stadium", "Crossing", "Checkpoint", "Refinery",
    ];
}

word_set! {
    /// Head words written before the name ("Lake Tharthar", "Mount Sinjar",
    /// "Gulf of Aden").
    fn is_feature_prefix / FEATURE_PREFIXES = [
        "Lake", "Mount", "Mt.", "Cape", "Gulf", "Bay", "Strait", "Sea", "Isle", "Camp", "Fort",
        "Wadi", "Jebel", "Jabal",
    ];
}

word_set! {
    /// Head words of administrative areas and gatherings named after a place
    /// ("Diyala Province", "UK-France Summit").
    fn is_area_head / AREA_HEADS = [
        "Province", "Governorate", "District", "Region", "County", "Prefecture", "Municipality",
        "Oblast", "Summit",
    ];
}

/// Is `w` (as written) a word that heads or opens a place's name, so no
/// part of a person's name ("Din Province", "Wadi Barada")? (Inline, so
/// that the people rules' callers test most words without a call.)
#[inline]
pub fn is_place_word(w: &str) -> bool {
    may_be_place_word(w)
        && (is_feature_head(w) || is_facility_head(w) || is_feature_prefix(w) || is_area_head(w))
}

/// A test every word of the lists above passes (a capital, then a
/// lowercase letter or a period, and a first letter and length that some
/// listed word has: see [`PLACE_WORD_SHAPES`]): the people rules ask
/// about every capitalized word, every word of capitals copy, and most
/// fail here without a string compare.
fn may_be_place_word(w: &str) -> bool {
    let b = w.as_bytes();
    b.len() >= 2
        && b[0].is_ascii_uppercase()
        && (b[1].is_ascii_lowercase() || b[1] == b'.')
        && PLACE_WORD_SHAPES[usize::from(b[0] - b'A')] >> b.len().min(15) & 1 != 0
}

/// By a word's first letter (`A` to `Z`), the lengths (bit `n` for `n`
/// bytes) of the words of the lists [`is_place_word`] reads that start
/// with it: a capitalized word of a given length starting with a given
/// letter is one of them about one time in five or less, and four lists
/// of string compares cost more than a table read. (No listed word is
/// 15 bytes or longer, so bit 15 says nothing and longer words are read
/// as 15.)
const PLACE_WORD_SHAPES: [u16; 26] = {
    let lists = [FEATURE_HEADS, FACILITY_HEADS, FEATURE_PREFIXES, AREA_HEADS];
    let mut shapes = [0u16; 26];
    let mut i = 0;
    while i < lists.len() {
        let mut j = 0;
        while j < lists[i].len() {
            let b = lists[i][j].as_bytes();
            assert!(b[0].is_ascii_uppercase() && b.len() < 15);
            shapes[(b[0] - b'A') as usize] |= 1 << b.len();
            j += 1;
        }
        i += 1;
    }
    shapes
};

#[cfg(test)]
#[test]
fn place_words_pass_the_quick_test() {
    for w in [FEATURE_HEADS, FACILITY_HEADS, FEATURE_PREFIXES, AREA_HEADS].concat() {
        assert!(may_be_place_word(w), "{w}");
    }
}

/// Named features and structures that no gazetteer entry covers: a run of
/// capitalized words with a head word ("the Tigris River", "Mount Sinjar",
/// "Qayyarah Airfield West"). They become places of kind `feature` or
/// `facility` without coordinates (their source is the text), with the
/// country of a place named inside them ("Samarra Barrage" is in Iraq);
/// a gazetteer place inside the name is part of it, not a mention.
///
/// Whether a token is a capitalized word goes either way from one word to
/// the next: so the capitalized words (`caps`) were gathered by a pass
/// without a branch per token, [`find`]'s, and the loops here and in
/// [`context_names`] visit those only.
fn features(doc: &mut Doc, gaz: &Gazetteer, caps: &[u32]) {
    if doc.all_caps {
        return;
    }
    let toks = &doc.tokens;
    let cap = |k: usize| name_cap(doc, k);
    let spaced = |a: usize, b: usize| doc.single_space_between(a, b);
    let word = |k: usize| toks[k].text(doc.text);
    let of = |k: usize| is_of(doc, k);
    let mut found: Vec<(Span, &'static str, bool)> = Vec::new();
    // The token after the last run: runs do not overlap.
    let mut next = 0;
    for &k in caps {
        let k = k as usize;
        if k < next {
            continue;
        }
        // A run of capitalized words, with "of" inside ("Gulf of Aden").
        let mut e = k + 1;
        while e < toks.len() {
            if cap(e) && spaced(e - 1, e) {
                e += 1;
            } else if e + 1 < toks.len()
                && of(e)
                && spaced(e - 1, e)
                && spaced(e, e + 1)
                && cap(e + 1)
            {
                e += 2;
            } else {
                break;
            }
        }
        // (Its words read in place: a vector a run would allocate for
        // every capitalized word of mixed-case copy.)
        let words = |j: usize| word(k + j);
        let n = e - k;
        // "Air Base", "Military Airfield West": the head is the last word or
        // the one before a compass word.
        let head_at = if n >= 2 && matches!(words(n - 1), "West" | "East" | "North" | "South") {
            n - 2
        } else {
            n - 1
        };
        let kind = if n >= 2 && is_feature_head(words(head_at)) && head_at > 0 {
            Some("feature")
        } else if n >= 2 && is_facility_head(words(head_at)) && head_at > 0 {
            Some("facility")
        } else if n >= 2 && words(head_at) == "Village" && head_at > 0 {
            Some("village")
        } else if n >= 2 && is_feature_prefix(words(0)) && !words(1).is_empty() {
            Some(if matches!(words(0), "Camp" | "Fort") {
                "facility"
            } else {
                "feature"
            })
        } else {
            None
        };
        // Sentence-initial articles and titles are no part of the name.
        // (Looked for only once the run makes a name: most runs do not.)
        let start = || {
            let mut s = k;
            while s < e && matches!(word(s), "The" | "A" | "An") {
                s += 1;
            }
            s
        };
        if let Some(kind) = kind {
            let s = start();
            if e - s >= 2 {
                found.push((doc.tokens_span(s..e), kind, false));
            }
        } else if e < toks.len() && toks[e].is_word() && spaced(e - 1, e) {
            // A head in lowercase ("the Zagros mountains", "Haditha dam"):
            // a name of its own only where no place is named inside it
            // (news writes "Baghdad airport" for the city's airport).
            let head = lower_word(doc, e);
            let kind = if is_lower_feature_head(head) {
                Some("feature")
            } else if is_lower_facility_head(head) {
                Some("facility")
            } else {
                None
            };
            // ("the Arctic island of Spitzbergen": the name comes after.)
            let of_after = e + 1 < toks.len() && of(e + 1);
            if let Some(kind) = kind.filter(|_| !of_after) {
                let s = start();
                if s < e {
                    found.push((doc.tokens_span(s..e + 1), kind, true));
                }
            }
        }
        next = e;
    }
    // "the village of Hibhib", "the Kuwaiti island of Failaka": a name the
    // gazetteer lacks, placed by the noun before it.
    for &k in caps {
        let k = k as usize;
        if !(k >= 2 && of(k - 1) && spaced(k - 2, k - 1) && spaced(k - 1, k)) {
            continue;
        }
        let kind = match lower_word(doc, k - 2) {
            "village" | "hamlet" => "village",
            "town" | "port" => "town",
            "city" => "city",
            "island" | "islands" | "river" | "mount" | "lake" => "feature",
            _ => continue,
        };
        let mut e = k + 1;
        while e < toks.len() && cap(e) && spaced(e - 1, e) {
            e += 1;
        }
        found.push((doc.tokens_span(k..e), kind, true));
    }
    context_names(doc, gaz, caps, &mut found);
    for (span, kind, unnamed) in found {
        // Already a gazetteer name ("Tigris River", "Mount Sinjar").
        if doc
            .places
            .iter()
            .any(|p| p.mentions.iter().any(|m| m.span == span))
        {
            continue;
        }
        // Inside an organization's or a longer place's name? Places found
        // so far that overlap it must lie inside it (and a name known only
        // from its context must hold none).
        if doc.places.iter().any(|p| {
            p.mentions
                .iter()
                .any(|m| m.span.overlaps(span) && (unnamed || !span.contains(m.span)))
        }) {
            continue;
        }
        let inner = doc.places.iter().find(|p| {
            p.mentions
                .iter()
                // (A division named after the feature, as Egypt's Red Sea
                // governorate, does not place the sea.)
                .any(|m| span.contains(m.span) && m.span != span && m.form != Form::Demonym)
        });
        let country_code = inner.and_then(|p| p.country_code.clone());
        for p in &mut doc.places {
            p.mentions
                .retain(|m| !span.contains(m.span) || m.form == Form::Demonym);
        }
        let name = doc.slice(span).to_string();
        let mention = Mention {
            span,
            form: Form::Name,
        };
        if let Some(p) = doc
            .places
            .iter_mut()
            .find(|p| p.name == name && p.source == "text")
        {
            p.mentions.push(mention);
            continue;
        }
        doc.places.push(Place {
            name: name.into(),
            kind: kind.into(),
            country_code,
            admin1: None,
            lat: None,
            lon: None,
            source: "text".into(),
            mentions: vec![mention],
        });
    }
    // Places in order of first mention; the dateline's place follows.
    let dateline_place = doc
        .dateline
        .as_ref()
        .and_then(|d| d.place)
        .and_then(|i| doc.places.get(i))
        .map(|p| p.source.clone());
    doc.places.retain(|p| !p.mentions.is_empty());
    for p in &mut doc.places {
        p.mentions.sort_by_key(|m| m.span.start);
    }
    doc.places
        .sort_by_key(|p| p.mentions.first().map_or(usize::MAX, |m| m.span.start));
    if let Some(d) = doc.dateline.as_mut() {
        d.place = dateline_place.and_then(|s| doc.places.iter().position(|p| p.source == s));
    }
}

word_set! {
    /// Prepositions that only places follow when the name after them is no
    /// known organization, person or ordinary word.
    fn is_place_preposition / PLACE_PREPOSITIONS = [
        "near", "in", "outside", "around",
    ];
}

word_set! {
    /// Words before "in" that make what follows a company or a market, not a
    /// place ("a stake in Ruch", "$200 million in Ruch", "a drop in
    /// Treasuries").
    fn is_market_word / MARKET_WORDS = [
        "stake", "stakes", "share", "shares", "interest", "invest", "invested", "investing",
        "investment", "investments", "million", "billion", "percent", "holding", "holdings",
        "drop", "rise", "fall", "gain", "gains", "loss", "losses", "decline", "slump", "rally",
        "trading",
    ];
}

word_set! {
    /// Languages whose names are no demonym in the gazetteer ("in Hebrew").
    fn is_language / LANGUAGES = [
        "hebrew", "arabic", "kurdish", "pashto", "dari", "farsi", "persian", "urdu", "hindi",
        "bengali", "punjabi", "tamil", "swahili", "latin", "yiddish", "aramaic", "sanskrit",
        "mandarin", "cantonese", "tagalog", "creole", "esperanto", "english", "french",
        "spanish", "german", "russian", "portuguese", "italian", "chinese", "japanese",
        "korean", "turkish", "berber", "amharic", "somali", "hausa", "yoruba", "igbo", "zulu",
        "xhosa", "afrikaans", "catalan", "basque", "gaelic", "welsh", "flemish",
    ];
}

/// Names the gazetteer lacks, read as places from their context: a
/// capitalized name that is no ordinary word, given name, listed person,
/// organization or title, after "near", "in", "outside" or "around", with
/// the names listed along with it ("in Qamenas, Sarmin and Talamenes");
/// then, one sense per story, the same name wherever else it stands
/// capitalized. They are places of kind `village` (the gazetteer holds
/// every town of 1,000 people or more) from the text.
/// `caps` are the capitalized words (see [`features`]).
fn context_names(
    doc: &Doc,
    gaz: &Gazetteer,
    caps: &[u32],
    found: &mut Vec<(Span, &'static str, bool)>,
) {
    let toks = &doc.tokens;
    let cap = |k: usize| name_cap(doc, k);
    let spaced = |a: usize, b: usize| doc.single_space_between(a, b);
    let known = |span: Span| {
        doc.places
            .iter()
            .any(|p| p.mentions.iter().any(|m| m.span.overlaps(span)))
            || doc.phrases.iter().any(|h| h.span.overlaps(span))
    };
    // The run of capitalized words starting at `k` (Arabic articles and
    // hyphens inside: "Al Huwayjah", "Al-Karabla"), up to five tokens:
    // the token after it.
    let run_at = |k: usize| -> Option<usize> {
        if !cap(k) {
            return None;
        }
        let mut e = k + 1;
        while e < toks.len() && e - k < 5 {
            let joined = toks[e - 1].end == toks[e].start;
            if cap(e) && spaced(e - 1, e) {
                e += 1;
            } else if e + 1 < toks.len()
                && toks[e].text(doc.text) == "-"
                && joined
                && toks[e].end == toks[e + 1].start
                && cap(e + 1)
            {
                e += 2;
            } else {
                break;
            }
        }
        Some(e)
    };
    // Is the run `k..e` a name: one to three words, none of them ordinary,
    // and no language, lone article or person? (The tests are all asked
    // of it, cheapest first: the last ones look the name up.)
    let is_name = |k: usize, e: usize| -> bool {
        let words = || (k..e).filter(|&j| toks[j].is_word());
        let n_words = words().count();
        if n_words > 3 {
            return false;
        }
        let ordinary = words().any(|j| {
            let w = toks[j].text(doc.text);
            let lw = lower_word(doc, j);
            gaz.is_common_word(w)
                || gaz.org_noun_kind(w).is_some()
                || is_place_word(w)
                || crate::stages::dateline::MONTH_NAMES.contains(&lw)
                || crate::stages::dateline::WEEKDAYS.contains(&lw)
                || is_month_abbreviation(lw)
                || is_holiday(lw)
        });
        if ordinary {
            return false;
        }
        // ("Al" before a capitalized word is the Arabic article; alone it
        // is no name.)
        let article = is_particle(lower_word(doc, k));
        if n_words == 1 && article {
            return false;
        }
        let first = toks[k].text(doc.text);
        // A language ("in Hebrew"), or a people's name ("in Kurdish").
        let language = n_words == 1
            && (is_language(lower_word(doc, k))
                || gaz
                    .lookup_place(first)
                    .iter()
                    .any(|(_, f)| *f == Form::Demonym));
        if language {
            return false;
        }
        let text = doc.slice(doc.tokens_span(k..e));
        let person = (!article && gaz.given_name(first).is_some())
            || gaz.people_named(text).next().is_some();
        !person
    };
    let mut names: Vec<Span> = Vec::new();
    for &k in caps {
        let k = k as usize;
        // (A name starts with a capitalized word: only those are visited.)
        if !(k >= 1
            && toks[k - 1].is_word()
            && is_place_preposition(lower_word(doc, k - 1))
            && spaced(k - 1, k))
        {
            continue;
        }
        if lower_word(doc, k - 1) == "in"
            && (k.saturating_sub(4)..k - 1)
                .any(|j| toks[j].is_word() && is_market_word(lower_word(doc, j)))
        {
            continue;
        }
        // The name and those listed with it ("X, Y and Z").
        let mut at = k;
        while let Some(e) = run_at(at) {
            let span = doc.tokens_span(at..e);
            // A list goes on after ", " or " and ".
            let goes_on = e + 1 < toks.len()
                && (toks[e].text(doc.text) == "," || lower_word(doc, e) == "and")
                && spaced(e, e + 1);
            let fresh = !known(span) && !names.contains(&span);
            // Whether the run is a name matters only where it is a new
            // one or the list goes on (a known place is most often what
            // follows "in"): asked only then.
            if (fresh || goes_on) && !is_name(at, e) {
                break;
            }
            if fresh {
                names.push(span);
            }
            if goes_on {
                at = e + 1;
                if at + 1 < toks.len() && lower_word(doc, at) == "and" && spaced(at, at + 1) {
                    at += 1;
                }
            } else {
                break;
            }
        }
    }
    if names.is_empty() {
        return;
    }
    // One sense per story.
    let texts: Vec<&str> = names.iter().map(|&s| doc.slice(s)).collect();
    for &k in caps {
        let k = k as usize;
        for t in &texts {
            let start = toks[k].start as usize;
            let end = start + t.len();
            if doc.text.get(start..end) != Some(*t) {
                continue;
            }
            let Some(e) = doc.token_ending_at(end) else {
                continue;
            };
            // The whole name, not the start of a longer one.
            if e + 1 < toks.len() && cap(e + 1) && spaced(e, e + 1) {
                continue;
            }
            let span = Span::new(start, end);
            if !known(span) && !names.contains(&span) {
                names.push(span);
            }
        }
    }
    for span in names {
        found.push((span, "village", true));
    }
}

/// Is token `k` a capitalized word that is no acronym ("Sinjar", not
/// "ISIL")?
fn name_cap(doc: &Doc, k: usize) -> bool {
    let t = &doc.tokens[k];
    // (`&`, not `&&`: evaluated whole, without a branch.)
    t.is_word() & t.is(Token::CAP) & !(t.is(Token::UPPER) & (t.end - t.start > 1))
}

/// Is token `k` the word "of" (as written)? Read as two bytes, not as a
/// slice of text.
fn is_of(doc: &Doc, k: usize) -> bool {
    let t = &doc.tokens[k];
    t.end - t.start == 2 && doc.text.as_bytes()[t.start as usize..t.end as usize] == *b"of"
}

fn is_sentence_start(doc: &Doc, i: usize) -> bool {
    let Some(s) = doc.sentence_of(doc.tokens[i].start as usize) else {
        return true;
    };
    let mut j = doc.sentences[s].tokens.start;
    while j < i && doc.tokens[j].kind == TokenKind::Punct {
        j += 1;
    }
    j == i
}

fn lower_word<'d>(doc: &'d Doc, i: usize) -> &'d str {
    let t = &doc.tokens[i];
    &doc.lower[t.start as usize..t.end as usize]
}

fn preceded_by_locative(doc: &Doc, i: usize) -> bool {
    i > 0 && {
        let p = &doc.tokens[i - 1];
        p.is_word() && is_locative(lower_word(doc, i - 1)) || {
            // "in the X", "of northern X"
            i > 1
                && matches!(
                    lower_word(doc, i - 1),
                    "the" | "northern" | "southern" | "eastern" | "western" | "central"
                )
                && is_locative(lower_word(doc, i - 2))
        }
    }
}

/// A locative preposition right before token `i` that only places follow.
fn strong_locative(doc: &Doc, i: usize) -> bool {
    i > 0
        && doc.tokens[i - 1].is_word()
        && matches!(
            lower_word(doc, i - 1),
            "in" | "at"
                | "from"
                | "near"
                | "into"
                | "outside"
                | "inside"
                | "across"
                | "toward"
                | "towards"
                | "via"
                | "around"
                | "town"
                | "city"
                | "village"
                | "capital"
        )
}

/// Is the token after `end` a ", Place" continuation?
fn followed_by_place(doc: &Doc, walks: &Walks, end: usize) -> bool {
    end + 1 < doc.tokens.len()
        && doc.tokens[end].text(doc.text) == ","
        && doc.tokens[end + 1].is(Token::CAP)
        && walks
            .flags_at(end + 1)
            .is_some_and(|f| f & flag::COUNTRY_OR_ADMIN1 != 0)
}

/// The names found in the story, into `out` (empty). `starts` is
/// scratch room for the tokens where names may start; in mixed-case copy
/// the capitalized words [`features`] reads are gathered into `caps` by
/// the same pass over the tokens (their count is returned; 0 in capitals
/// copy).
///
/// Whether a token's lexeme holds a walk (a word the lookup stage walked
/// from) or says that no name starts there goes either way from one word
/// to the next, a branch no predictor learns: so a first pass over every
/// token keeps those with a walk, or with none asked for that may start a
/// name, without a branch on the answer ([`keep_indices`]). The names are
/// then looked for at the kept tokens only.
fn find(
    doc: &Doc,
    gaz: &Gazetteer,
    out: &mut Vec<Found>,
    starts: &mut Vec<u32>,
    caps: &mut Vec<u32>,
) -> usize {
    let toks = &doc.tokens;
    let walks = Walks::new(doc, gaz);
    let candidate = |t: &Token| crate::stages::lookup::may_start_name(t, doc.all_caps);
    let lexemes = walks.first_lexemes;
    let walked_start = |k: usize| {
        let lex = &lexemes[k];
        let walked = lex.first.at().is_some();
        walked | (lex.first.is_unknown() & candidate(&toks[k]))
    };
    let cap = |k: usize| name_cap(doc, k);
    let len = toks.len();
    let (n, n_caps) = match (doc.all_caps, lexemes.len() == len) {
        (true, true) => (keep_indices(starts, len, walked_start), 0),
        (true, false) => (keep_indices(starts, len, |k| candidate(&toks[k])), 0),
        (false, true) => keep_indices_twice(starts, caps, len, |k| (walked_start(k), cap(k))),
        (false, false) => keep_indices_twice(starts, caps, len, |k| (candidate(&toks[k]), cap(k))),
    };
    // The token after the last name found: names do not overlap.
    let mut next = 0;
    for &i in &starts[..n] {
        let i = i as usize;
        if i < next {
            continue;
        }
        let m = match walks.at_first(i) {
            AtFirst::NoName => None,
            AtFirst::Found(m) => Some(m),
            AtFirst::Walk => walks.longest_at(i),
        };
        let Some(m) = m else {
            continue;
        };
        let end = m.end_token;
        if accept(doc, gaz, &walks, i, end, &m.candidates) {
            let weak = weak(doc, gaz, &walks, i, end, &m.candidates);
            out.push(Found {
                weak,
                span: doc.tokens_span(i..end),
                first_token: i,
                end_token: end,
                candidates: m.candidates,
            });
            next = end;
        }
    }
    n_caps
}

/// A single word naming only villages and small towns, with nothing
/// around it that says "place" ("Croft", "Bicknell", "Silva" are far more
/// often people than hamlets).
fn weak(
    doc: &Doc,
    gaz: &Gazetteer,
    walks: &Walks,
    i: usize,
    end: usize,
    cands: &Candidates,
) -> bool {
    let words = (i..end).filter(|&k| doc.tokens[k].is_word()).count();
    words == 1
        && cands.flags(&gaz.places) & flag::ALL_SMALL != 0
        && !preceded_by_locative(doc, i)
        && !followed_by_place(doc, walks, end)
}

/// Is word `k` of a name ending before token `end` one half of a word
/// split at an apostrophe ("Qa'im", "d'Ivoire")? Its case is the other
/// half's business.
fn joined_by_apostrophe(doc: &Doc, k: usize, end: usize) -> bool {
    let toks = &doc.tokens;
    let apostrophe = |j: usize| matches!(toks[j].text(doc.text), "'" | "’");
    (k > 0 && toks[k - 1].end == toks[k].start && apostrophe(k - 1))
        || (k + 2 < end && toks[k].end == toks[k + 1].start && apostrophe(k + 1))
}

/// Does the name on tokens `i..end` read as a place here?
fn accept(
    doc: &Doc,
    gaz: &Gazetteer,
    walks: &Walks,
    i: usize,
    end: usize,
    cands: &Candidates,
) -> bool {
    let toks = &doc.tokens;
    // The name's words (no vector: names are a few tokens long).
    let words = || (i..end).filter(|&k| toks[k].is_word());
    // Most names are one token, a word (names start at one): no count.
    let (last, n_words) = if end == i + 1 && toks[i].is_word() {
        (i, 1)
    } else {
        let Some(last) = words().next_back() else {
            return false;
        };
        (last, words().count())
    };
    let single = n_words == 1;
    // (The name's text is sliced only where a word list reads it: every
    // word of capitals copy is a candidate, and most names end before.)
    let span = doc.tokens_span(i..end);
    // Acronyms without periods ("US", "IS") are words in capitals text:
    // see the verdict below. In capitals copy these are most names, so
    // they are turned away before anything else is asked.
    let bare_acronym =
        single && span.len() <= 3 && !doc.text.as_bytes()[span.range()].contains(&b'.');
    if doc.all_caps && bare_acronym {
        return false;
    }
    let caps_text = doc.all_caps
        || words().all(|k| toks[k].is(Token::UPPER) && toks[k].end - toks[k].start > 1);
    // Capitalization: every word capitalized or a particle.
    if !doc.all_caps {
        for k in words() {
            let t = toks[k];
            let lw = lower_word(doc, k);
            if k > i && joined_by_apostrophe(doc, k, end) {
                continue;
            }
            if !(t.is(Token::CAP)
                || t.is(Token::DIGIT)
                || is_particle(lw)
                || is_division_word(lw)
                || is_lower_feature_head(lw))
                || (k == i && !t.is(Token::CAP))
            {
                return false;
            }
        }
        // The last word must be capitalized too ("Bank of" is no name),
        // or be the division word of "Badakhshan province".
        if !(toks[last].is(Token::CAP)
            || last > i && joined_by_apostrophe(doc, last, end)
            || n_words > 1
                && (is_division_word(lower_word(doc, last))
                    || is_lower_feature_head(lower_word(doc, last))))
        {
            return false;
        }
    }
    // What the rules below ask of the candidates (see `candidate_flags`).
    let flags = cands.flags(&gaz.places);
    let has_country = flags & flag::HAS_COUNTRY != 0;
    let demonym = flags & flag::ALL_DEMONYM != 0;
    // A country, division, region or city: one that speaks.
    let speaks = flags & flag::SPEAKS != 0;
    let country_acronym = flags & flag::COUNTRY_ACRONYM != 0;
    // A division, region, or city or town of 10,000 people or more.
    let big = flags & flag::BIG != 0;
    // What the word lists say of the name (asked of single words only),
    // and whether a locative or ", Country" stands around it: each looked
    // up at most once, and only when a rule below gets to ask.
    // (A one-token name's bits are mostly in the lexeme the lookup stage
    // read.)
    let bits = OnceCell::new();
    let bits = || {
        *bits.get_or_init(|| match doc.lexemes.get(i) {
            Some(lex) if end == i + 1 => gaz.token_word_bits(doc.text, &toks[i], lex),
            _ => gaz.word_bits(doc.slice(span)),
        })
    };
    // A lone lowercase-able word that is an ordinary English word.
    let common = || single && bits() & COMMON_BIT != 0;
    let given_name = || bits() & GENDER_BITS != 0;
    let locative = OnceCell::new();
    let locative = || {
        *locative.get_or_init(|| preceded_by_locative(doc, i) || followed_by_place(doc, walks, end))
    };
    // A name in capitals is judged by what it names and the word lists,
    // and by a locative where the name is neither.
    let caps_verdict = || {
        // In mixed-case text a country's own acronym ("UK", "US", "UAE")
        // is the country; airport codes and other short aliases are not.
        // (In capitals copy they were turned away above.)
        if bare_acronym {
            return country_acronym;
        }
        if demonym {
            return !common() || !given_name();
        }
        if has_country {
            return true;
        }
        if common() {
            return false;
        }
        big || locative()
    };
    // The rules below only turn names down, so a name in capitals that
    // its verdict turns down needs none of them: in capitals copy every
    // word is a candidate, and most (short words, ordinary words) end
    // here.
    if caps_text && !caps_verdict() {
        return false;
    }
    // The first word in lowercase (the name itself when single), read
    // by the rules below only.
    let lw = lower_word(doc, i);

    // A particle alone is no name ("Al-Karabla", "Al bu Nimr"), whatever
    // village folds to its letters ("Ål").
    if single && !has_country && is_particle(lw) {
        return false;
    }
    // "in English", "in Hebrew": a language, whatever town shares its name.
    if single && i > 0 && lower_word(doc, i - 1) == "in" && is_language(lw) {
        return false;
    }
    // Months and weekdays are dates ("May", "August"), whatever towns
    // share their names.
    if single && !has_country && crate::stages::dateline::MONTH_NAMES.contains(&lw) {
        return false;
    }
    if single && crate::stages::dateline::WEEKDAYS.contains(&lw) {
        return false;
    }
    // Month abbreviations ("Dec. 5", "Nov 2016") and feasts ("Ramadan",
    // "Easter") are dates too.
    if single && !has_country && (is_month_abbreviation(lw) || is_holiday(lw)) {
        return false;
    }
    // A title's abbreviation ("Spc. Lorraine Walsh", "Maj. Gen.") is no
    // place, whatever town shares its letters.
    if single
        && !has_country
        && end < toks.len()
        && doc.tokens[end].text(doc.text) == "."
        && doc.phrases.iter().any(|h| {
            h.list == crate::gazetteer::ListKind::Title
                && h.span.start == toks[i].start as usize
                && h.span.end >= toks[end].end as usize
        })
    {
        return false;
    }
    // A small place followed by a reporting verb is a person speaking
    // ("Clinton said"); countries and cities speak for governments.
    if single && !demonym && end < toks.len() {
        let next = lower_word(doc, end);
        if !speaks
            && matches!(
                next,
                "said" | "says" | "told" | "added" | "asked" | "replied" | "wrote"
            )
        {
            return false;
        }
    }
    // People whose names contain place names.
    if single && !demonym && !doc.all_caps {
        let next_cap = end < toks.len()
            && toks[end].is_word()
            && toks[end].is(Token::CAP)
            && !toks[end].is(Token::UPPER);
        let next_is_country = next_cap
            && walks
                .flags_at(end)
                .is_some_and(|f| f & flag::COUNTRY_ADMIN1_OR_REGION != 0);
        if next_cap && !next_is_country && given_name() {
            return false;
        }
        // (A capitalized preposition opening the sentence is no given
        // name: "In Tokyo, ...".)
        if i > 0
            && toks[i - 1].is_word()
            && toks[i - 1].is(Token::CAP)
            && gaz.given_name(toks[i - 1].text(doc.text)).is_some()
            && !is_locative(lower_word(doc, i - 1))
            && !has_country
        {
            return false;
        }
    }
    // "West Indian", "East German": a compass word makes another name.
    if demonym
        && i > 0
        && toks[i - 1].is(Token::CAP)
        && matches!(
            lower_word(doc, i - 1),
            "west" | "east" | "north" | "south" | "northern" | "southern" | "eastern" | "western"
        )
    {
        return false;
    }
    // In capitals, a given name followed by a word that is neither
    // ordinary nor a place begins a person's name ("DOLORES HINOSTROZA").
    if doc.all_caps
        && single
        && !demonym
        && given_name()
        && end < toks.len()
        && toks[end].is_word()
        && doc.text[toks[end - 1].end as usize..toks[end].start as usize] == *" "
        && !locative()
        && !gaz.is_common_word(toks[end].text(doc.text))
        && walks.flags_at(end).is_none()
    {
        return false;
    }
    if caps_text {
        // (Its verdict, above, said yes.)
        return true;
    }
    if demonym || has_country {
        return true;
    }
    if common() {
        // "of" and "and" say nothing about an ordinary word ("the nature
        // of God"); "in", "near", "outside" do ("outside Reading").
        return strong_locative(doc, i) && !is_sentence_start(doc, i);
    }
    if single && is_sentence_start(doc, i) && given_name() && !locative() {
        return false;
    }
    true
}

/// Countries (and first-level divisions) the story is about.
struct Focus<'g> {
    /// Each country with its weight, in a list: a story names few
    /// countries (and no key twice, so the list is never longer than the
    /// world's countries), and a map rehashed as it grew cost more than
    /// the few reads.
    countries: Vec<(CountryKey, f64)>,
    /// What each of `countries` adds to the score of a place in it (see
    /// [`score`]), in a list: a story names few countries, and every
    /// candidate of every name looks itself up here.
    bonus: Vec<(CountryKey, f64)>,
    /// The most any of `bonus` adds (0 for none): how far a built-in
    /// name's [`Ranked`] list need be read.
    max_bonus: f64,
    /// Name start -> the country or division written right after it.
    after: FxHashMap<usize, (CountryKey, &'g str)>,
}

fn focus<'g>(doc: &Doc, gaz: &'g Gazetteer, found: &[Found]) -> Focus<'g> {
    let places = &gaz.places;
    let kind = |r: PlaceRef| places.kind_population(r).0;
    let mut countries: Vec<(CountryKey, f64)> = Vec::new();
    let mut add = |cc: CountryKey, w: f64| match countries.iter_mut().find(|(c, _)| *c == cc) {
        Some((_, sum)) => *sum += w,
        None => countries.push((cc, w)),
    };
    for f in found {
        let said = match f.candidates {
            Candidates::Builtin(o) => SAYS.with_borrow_mut(|says| {
                *memo_entry(says, MAX_SAYS, o, || country_said(places, &f.candidates))
            }),
            Candidates::List(_) => country_said(places, &f.candidates),
        };
        if let Some((cc, w)) = said {
            add(cc, w);
        }
    }
    if let Some(d) = &doc.dateline {
        if let Some(ps) = d.place_span {
            for f in found.iter().filter(|f| ps.contains(f.span)) {
                for (r, _) in f.candidates.iter() {
                    if kind(r) == "country" {
                        add(places.country_key(r), 3.0);
                    }
                }
            }
        }
    }
    let mut after = FxHashMap::default();
    for w in found.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        if b.first_token == a.end_token + 1 && doc.tokens[a.end_token].text(doc.text) == "," {
            if let Some(r) = b
                .candidates
                .iter()
                .map(|(r, _)| r)
                .find(|&r| matches!(kind(r), "country" | "admin1"))
            {
                let e = places.entry(r);
                after.insert(a.span.start, (country_key(e.country_code), e.admin1));
            }
        }
    }
    let bonus: Vec<(CountryKey, f64)> = countries
        .iter()
        .map(|&(cc, w)| (cc, 2.0 + 1.5 * w.min(4.0)))
        .collect();
    let max_bonus = bonus.iter().fold(0.0, |m: f64, &(_, b)| m.max(b));
    Focus {
        countries,
        bonus,
        max_bonus,
        after,
    }
}

impl Focus<'_> {
    /// How much the story is about country `cc`, if at all.
    fn weight(&self, cc: CountryKey) -> Option<f64> {
        self.countries
            .iter()
            .find(|&&(c, _)| c == cc)
            .map(|&(_, w)| w)
    }

    /// What the story's focus adds to the score of a place in country
    /// `cc`.
    #[inline]
    fn bonus(&self, cc: CountryKey) -> Option<f64> {
        self.bonus.iter().find(|&&(c, _)| c == cc).map(|&(_, b)| b)
    }
}

/// Most built-in names [`SAYS`] keeps (then it starts over).
const MAX_SAYS: usize = 1 << 16;

thread_local! {
    /// What each built-in name says ([`country_said`]), by posting list,
    /// kept for the thread: it depends on the name's entries alone, names
    /// repeat within and across stories, and some have hundreds of
    /// candidates to read.
    static SAYS: RefCell<FxHashMap<u32, Option<(CountryKey, f64)>>> =
        RefCell::new(FxHashMap::default());
}

/// The country a name found points at, and how much it counts toward
/// what the story is about (see [`focus`]): `None` for a name that points
/// at no one country.
fn country_said(places: &PlaceIndex, candidates: &Candidates) -> Option<(CountryKey, f64)> {
    let kind = |r: PlaceRef| places.kind_population(r).0;
    let small = |r: PlaceRef| matches!(kind(r), "town" | "village");
    let refs = || candidates.iter().map(|(r, _)| r);
    // Only names that point at one country say what the story is about
    // ("Georgia" alone, country or state, says nothing).
    // ("Lebanon" counts although small towns share its name.)
    if let Some(c) = refs().find(|&r| kind(r) == "country") {
        let cc = places.country_key(c);
        let rival =
            refs().any(|r| matches!(kind(r), "country" | "admin1") && places.country_key(r) != cc);
        return (!rival).then_some((cc, 1.0));
    }
    // Villages and towns that share a division's or city's name
    // ("England, Arkansas") do not blur what the name points at.
    let major = refs().any(|r| !small(r));
    let mut codes = refs()
        .filter(|&r| !major || !small(r))
        .map(|r| places.country_key(r))
        .filter(|&c| c != NO_COUNTRY);
    let cc = codes.next()?;
    codes.all(|c| c == cc).then_some((cc, 0.5))
}

/// What a place's kind says of its score (see [`score`]): the prior, and
/// whether its size counts.
#[derive(Clone, Copy)]
struct KindScore {
    prior: f64,
    sized: bool,
}

/// [`KindScore`] by kind index ([`PlaceIndex::kind_index_population`]),
/// one more for a kind not in [`PLACE_KINDS`]: every candidate of a name
/// is scored, and a table read costs less than matching the kind's name.
static KIND_SCORES: LazyLock<[KindScore; PLACE_KINDS.len() + 1]> = LazyLock::new(|| {
    std::array::from_fn(|i| match PLACE_KINDS.get(i) {
        Some(&kind) => KindScore {
            prior: kind_prior(kind),
            sized: matches!(kind, "city" | "town" | "village"),
        },
        None => KindScore {
            prior: 0.0,
            sized: false,
        },
    })
});

fn kind_prior(kind: &str) -> f64 {
    match kind {
        "country" => 6.0,
        "region" => 4.5,
        // The curated natural features are the prominent ones, which news
        // means over a division or town named after them ("Red Sea").
        "feature" => 4.0,
        "admin1" => 3.5,
        "admin2" => 3.0,
        "city" => 2.0,
        "town" => 1.0,
        _ => 0.0,
    }
}

/// The score of entry `r`, of kind `kind` and population `population`, of
/// a name written as `form`, with `after` the country and division written
/// right after the name. Reads the entry's record fields only (its
/// division only when `after` gives one): every candidate of a name is
/// scored, and only the winner's text is read.
///
/// The size term is the only costly one (a logarithm): [`best_candidate`]
/// passes over candidates whose [`score_bound`] cannot win.
#[inline]
fn score(
    gaz: &Gazetteer,
    (r, kind, population): (PlaceRef, KindScore, u64),
    form: Form,
    country: (CountryKey, Option<f64>),
    after: Option<&(CountryKey, &str)>,
) -> f64 {
    let (country_code, bonus) = country;
    // Size counts among populated places; for countries and divisions the
    // kind prior says it.
    let size = if kind.sized {
        ((population + 1) as f64).log10() * 0.5
    } else {
        0.0
    };
    let mut s = kind.prior + size;
    if form == Form::Alias {
        s -= 1.0;
    }
    if let Some(b) = bonus {
        s += b;
    }
    if let Some(&(cc, a1)) = after {
        if !a1.is_empty() && gaz.places.entry(r).admin1 == a1 {
            s += 20.0;
        } else if cc == country_code {
            s += 12.0;
        }
    }
    s
}

/// At least [`score`] for the same place and name, without the
/// logarithm: the size term is bounded by the population's bit length
/// (`p + 1 <= 2^bits(p)`, with a margin for rounding), and a country or
/// division written after the name (`after`) by the most it can add. Kept
/// beside `score`, term for term: a term added to one must be added to
/// the other, or [`best_candidate`] would pass over a winner (a test
/// holds the two together).
#[inline]
fn score_bound(
    (kind, population): (KindScore, u64),
    form: Form,
    bonus: Option<f64>,
    after: bool,
) -> f64 {
    let size = if kind.sized {
        let bits = u64::BITS - population.leading_zeros();
        0.5 * std::f64::consts::LOG10_2 * f64::from(bits) + 1e-9
    } else {
        0.0
    };
    let alias = if form == Form::Alias { 1.0 } else { 0.0 };
    let after = if after { 20.0 } else { 0.0 };
    kind.prior - alias + bonus.unwrap_or(0.0) + after + size
}

fn resolve(doc: &mut Doc, gaz: &Gazetteer, scratch: &mut Scratch, focus: &Focus) {
    let Scratch {
        found,
        index,
        chosen,
        ..
    } = scratch;
    // (At most one place a name.)
    let mut places: Vec<Place> = Vec::with_capacity(found.len());
    // The winner among a built-in name's candidates, by posting list
    // (`chosen`), and where it stands in `places`: stories repeat their
    // names, and some names have hundreds of candidates, each scored; a
    // name met again costs one probe. Only names with no country or
    // division written after them are kept: their scores depend on
    // nothing else (`focus` is the story's).
    for f in found.iter() {
        let after = focus.after.get(&f.span.start);
        let mut winner = || {
            // (A name with one entry needs no scores.)
            let best = match (f.candidates.only(), &f.candidates, after) {
                (Some(only), ..) => Some(only),
                (None, &Candidates::Builtin(o), None) => best_ranked(gaz, o, focus),
                (None, ..) => best_candidate(gaz, &f.candidates, focus, after),
            };
            let (r, form) = best?;
            let ix = *index.entry(r).or_insert_with(|| {
                places.push(gaz.places.place(r));
                places.len() - 1
            });
            Some((ix, form))
        };
        let won = match (&f.candidates, after) {
            (&Candidates::Builtin(o), None) => *chosen.entry(o).or_insert_with(winner),
            _ => winner(),
        };
        let Some((ix, form)) = won else {
            continue;
        };
        places[ix].mentions.push(Mention { span: f.span, form });
    }
    if let Some(d) = doc.dateline.as_mut() {
        if let Some(ps) = d.place_span {
            d.place = places.iter().position(|p| {
                p.mentions
                    .iter()
                    .any(|m| m.span.start == ps.start && m.form != Form::Demonym)
            });
        }
    }
    doc.places = places;
}

/// The best-scoring of `candidates` (see [`score`]), with `after` the
/// country and division written right after the name: ties go to the
/// larger population, then to the entry first in the index.
fn best_candidate(
    gaz: &Gazetteer,
    candidates: &Candidates,
    focus: &Focus,
    after: Option<&(CountryKey, &str)>,
) -> Option<(PlaceRef, Form)> {
    let kinds = &*KIND_SCORES;
    let mut best: Option<(f64, PlaceRef, Form, u64)> = None;
    for (r, form) in candidates.iter() {
        let (kind, population) = gaz.places.kind_index_population(r);
        let kind = kinds[kind];
        let cc = gaz.places.country_key(r);
        let bonus = focus.bonus(cc);
        if let Some((best_score, ..)) = best {
            // A candidate that cannot reach the best score so far loses
            // to it whatever its population (ties need equal scores).
            if score_bound((kind, population), form, bonus, after.is_some()) < best_score {
                continue;
            }
        }
        let s = score(gaz, (r, kind, population), form, (cc, bonus), after);
        let c = (s, r, form, population);
        if best.is_none_or(|b| beats(c, b)) {
            best = Some(c);
        }
    }
    best.map(|(_, r, form, _)| (r, form))
}

/// Does candidate `c` (score, entry, form, population) win over `b`? The
/// higher score, then the larger population, then the entry first in the
/// index; the last of equals wins, as with `Iterator::max_by` (equals are
/// the same entry).
#[inline]
fn beats(c: (f64, PlaceRef, Form, u64), b: (f64, PlaceRef, Form, u64)) -> bool {
    c.0.total_cmp(&b.0)
        .then(c.3.cmp(&b.3))
        .then(b.1.cmp_key().cmp(&c.1.cmp_key()))
        .is_ge()
}

/// A candidate of a built-in name, scored with no story's focus and no
/// country written after the name (see [`score`]).
#[derive(Clone, Copy)]
struct Ranked {
    score: f64,
    population: u64,
    r: PlaceRef,
    form: Form,
    cc: CountryKey,
}

/// Most built-in names [`RANKED`] keeps (then it starts over).
const MAX_RANKED: usize = 1 << 14;

thread_local! {
    /// Each built-in name's [`ranked`] candidates, by posting list, kept
    /// for the thread: a story's focus adds the same to every candidate
    /// of a country, so what a name's candidates score before it decides
    /// all but the last steps of [`best_candidate`], and names with
    /// dozens or hundreds of candidates ("San Miguel", "Santa Ana") come
    /// back story after story.
    static RANKED: RefCell<FxHashMap<u32, Box<[Ranked]>>> =
        RefCell::new(FxHashMap::default());
}

/// The candidates of built-in posting list `o` that a story's focus can
/// make win, best score first: in each country, those that score the
/// country's best (within rounding: a bonus added to two scores further
/// apart cannot make them equal, so cannot hand the tie to the larger
/// population). Every other candidate loses to its country's best
/// whatever the story.
fn ranked(gaz: &Gazetteer, o: u32) -> Box<[Ranked]> {
    let kinds = &*KIND_SCORES;
    let cands = Candidates::Builtin(o);
    let mut all: Vec<Ranked> = cands
        .iter()
        .map(|(r, form)| {
            let (kind, population) = gaz.places.kind_index_population(r);
            let cc = gaz.places.country_key(r);
            let score = score(gaz, (r, kinds[kind], population), form, (cc, None), None);
            Ranked {
                score,
                population,
                r,
                form,
                cc,
            }
        })
        .collect();
    let mut tops: Vec<(CountryKey, f64)> = Vec::new();
    for c in &all {
        match tops.iter_mut().find(|(cc, _)| *cc == c.cc) {
            Some((_, top)) => *top = top.max(c.score),
            None => tops.push((c.cc, c.score)),
        }
    }
    all.retain(|c| {
        tops.iter()
            .any(|&(cc, top)| cc == c.cc && c.score >= top - 1e-9)
    });
    all.sort_by(|a, b| b.score.total_cmp(&a.score));
    all.into_boxed_slice()
}

/// [`best_candidate`] of built-in posting list `o` with no country or
/// division written after the name, from its [`ranked`] candidates: read
/// best first, until even the story's largest bonus could not lift the
/// next one to the best so far.
fn best_ranked(gaz: &Gazetteer, o: u32, focus: &Focus) -> Option<(PlaceRef, Form)> {
    RANKED.with_borrow_mut(|memo| {
        let list = memo_entry(memo, MAX_RANKED, o, || ranked(gaz, o));
        let mut best: Option<(f64, PlaceRef, Form, u64)> = None;
        for c in list.iter() {
            if let Some((best_score, ..)) = best {
                // (The margin covers the rounding of the sums.)
                if c.score + focus.max_bonus < best_score - 1e-9 {
                    break;
                }
            }
            // As in `score`: the bonus is added last.
            let s = match focus.bonus(c.cc) {
                Some(b) => c.score + b,
                None => c.score,
            };
            let c = (s, c.r, c.form, c.population);
            if best.is_none_or(|b| beats(c, b)) {
                best = Some(c);
            }
        }
        best.map(|(_, r, form, _)| (r, form))
    })
}

trait CmpKey {
    fn cmp_key(&self) -> (u8, u32);
}

impl CmpKey for PlaceRef {
    fn cmp_key(&self) -> (u8, u32) {
        match *self {
            PlaceRef::Builtin(i) => (0, i),
            PlaceRef::Overlay(i) => (1, i),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn degree_windows_hold_every_match() {
        let texts = [
            "At 33°47′N 44°30′E, and 35.0325°N 43.6463889°E.",
            "Near 36° 16' 11\" N, 43° 8' E the hills; 12 °C at 36°16'11''N/43°8'E.",
            "It is 20° warm, 5°Né, 33°47′N\u{3000}\u{3000}44°30′Eé and 1°S;  2°W",
            "°N 4° 5°",
            "Points: 33.1°N\n\n44.2°E, then 9°",
        ];
        for text in texts {
            let whole: Vec<(usize, usize)> = DEGREES
                .find_iter(text)
                .map(|m| (m.start(), m.end()))
                .collect();
            let windowed: Vec<(usize, usize)> = degree_windows(text)
                .into_iter()
                .flat_map(|(a, b)| {
                    DEGREES
                        .find_iter(&text[a..b])
                        .map(move |m| (a + m.start(), a + m.end()))
                })
                .collect();
            assert_eq!(windowed, whole, "{text}");
        }
    }

    /// Built-in names with candidates of several kinds, sizes, forms and
    /// countries, some with hundreds.
    const AMBIGUOUS: [&str; 8] = [
        "Paris",
        "Georgia",
        "Springfield",
        "San Jose",
        "San Miguel",
        "Santa Ana",
        "Lebanon",
        "Victoria",
    ];

    /// `best_candidate` passes over a candidate whose `score_bound` is
    /// below the best score so far: the bound must hold for every
    /// candidate, whatever the story's focus and whatever is written after
    /// the name.
    #[test]
    fn score_bound_is_at_least_the_score() {
        let gaz = Gazetteer::builtin().expect("built-in gazetteer");
        let mut checked = 0;
        for name in AMBIGUOUS {
            for (r, form) in gaz.lookup_place(name) {
                let (kind, population) = gaz.places.kind_index_population(r);
                let kind = KIND_SCORES[kind];
                let cc = gaz.places.country_key(r);
                let admin1 = gaz.places.entry(r).admin1.to_string();
                let afters = [
                    None,
                    Some((cc, admin1.as_str())),
                    Some((cc, "")),
                    Some((NO_COUNTRY, "")),
                ];
                for bonus in [None, Some(2.0), Some(8.0)] {
                    for after in &afters {
                        let s = score(
                            &gaz,
                            (r, kind, population),
                            form,
                            (cc, bonus),
                            after.as_ref(),
                        );
                        let bound = score_bound((kind, population), form, bonus, after.is_some());
                        assert!(s <= bound, "{name}: {s} > {bound}");
                        checked += 1;
                    }
                }
            }
        }
        // Names with candidates of several kinds, sizes and forms.
        assert!(checked > 100, "only {checked} scores checked");
    }

    /// `best_ranked` reads a name's ranked candidates where
    /// `best_candidate` scores them all: both must pick the same entry
    /// whatever countries the story is about.
    #[test]
    fn ranked_candidates_pick_the_best() {
        let gaz = Gazetteer::builtin().expect("built-in gazetteer");
        let mut checked = 0;
        for name in AMBIGUOUS {
            let o = gaz.places.builtin_list(name).expect("a built-in name");
            let cands = Candidates::Builtin(o);
            let mut codes: Vec<CountryKey> = Vec::new();
            for (r, _) in cands.iter() {
                let cc = gaz.places.country_key(r);
                if !codes.contains(&cc) {
                    codes.push(cc);
                }
            }
            let mut bonuses = vec![Vec::new()];
            for (k, &cc) in codes.iter().enumerate() {
                for b in [2.0, 3.5, 8.0] {
                    bonuses.push(vec![(cc, b)]);
                    if let Some(&other) = codes.get(k + 1) {
                        bonuses.push(vec![(cc, b), (other, 8.0 - b)]);
                    }
                }
            }
            for bonus in bonuses {
                let focus = Focus {
                    countries: Vec::new(),
                    max_bonus: bonus.iter().fold(0.0, |m: f64, &(_, b)| m.max(b)),
                    bonus,
                    after: FxHashMap::default(),
                };
                assert_eq!(
                    best_ranked(&gaz, o, &focus),
                    best_candidate(&gaz, &cands, &focus, None),
                    "{name}"
                );
                checked += 1;
            }
        }
        assert!(checked > 50, "only {checked} focuses checked");
    }
}
