//! Organizations and people.
//!
//! Reads `Doc::tokens`, `Doc::phrases` (organization and title hits),
//! `Doc::places`, `Doc::dateline`; writes `Doc::organizations`,
//! `Doc::people`, and removes place mentions that turn out to lie inside
//! an organization or person name ("University of Texas", "Jordan
//! Henderson").
//!
//! Organizations come from the curated list (case must match in mixed-case
//! text, so "AP" is not "ap"), from capitalized sequences headed by an
//! organization noun ("National Security Committee", "Afghan Foreign
//! Ministry", "Ministry of Defense"), from acronyms the story defines
//! ("Farabundo Marti National Liberation Front (FMLN)") and reuses, and from
//! the dateline's agency. "the committee" is a nominal mention of the last
//! organization headed by "Committee". The country comes from a leading
//! demonym ("Afghan"), a possessive country ("Tajikistan's"), or the list.
//!
//! People come from titles followed by a capitalized name ("spokesman
//! Zabihullah Mujahid", "Gen. Rolando Cabezas"), from appositions ("Hafiz
//! Zia Ahmad Takal, the Afghan Foreign Ministry deputy spokesman"), and
//! from given names (real name lists of many cultures) followed by
//! capitalized words. A later surname alone ("Mujahid") is a mention of the
//! full name. Title, role (the descriptor as written), organization and
//! country are read from the descriptor.

use crate::doc::{
    one_space, Doc, Form, Mention, Organization, Person, Span, Spare, Token, TokenKind,
};
use crate::gazetteer::table::Row;
use crate::gazetteer::{
    short_key_in, short_word_key, Gazetteer, Lexeme, ListKind, NameKey, COMMON_BIT, GENDER_BITS,
    NAME_FLAGS_BY_BITS, NAME_START, SPORTS_BIT, SPORTS_WORDS, STRONG_SPORTS_WORDS,
};
use crate::stages::keep_indices;
use rustc_hash::FxHashSet;
use std::borrow::Cow;
use std::cell::Cell;
use std::ops::Range;
use std::sync::LazyLock;

/// Lowercase words that may join the capitalized words of a name.
const JOINERS: &[&str] = &[
    "of", "for", "and", "de", "del", "la", "el", "al", "the", "on", "&",
];

/// The longest of the [`JOINERS`]: a longer word is passed over without a
/// compare.
const JOINER_MAX_LEN: u32 = 3;

#[cfg(test)]
#[test]
fn joiners_are_short() {
    assert!(JOINERS.iter().all(|j| j.len() <= JOINER_MAX_LEN as usize));
}

/// Lowercase particles inside personal names. (A `match`, not a slice to
/// search: the people rules ask about every lowercase word of the text.)
fn is_name_particle(w: &str) -> bool {
    matches!(
        w,
        "al" | "el"
            | "bin"
            | "ibn"
            | "bint"
            | "van"
            | "von"
            | "der"
            | "den"
            | "de"
            | "da"
            | "dos"
            | "das"
            | "du"
            | "la"
            | "le"
            | "di"
            | "del"
            | "ul"
            | "ud"
            | "ben"
            | "ter"
    )
}

/// A set of words asked about every word of a story (every capitalized
/// word, every word of capitals copy). Most words are in no such set, and
/// most of those have a length and first and last bytes that no word of
/// the set has: a look at two bit masks passes them over without hashing.
/// The rest are looked up by their [`short_word_key`], read from the text
/// with one load: no word is sliced out (which would check character
/// boundaries), and the set is probed with a number, not a string.
struct WordSet {
    /// The words' [`short_word_key`]s.
    words: FxHashSet<u128>,
    /// By length: bit `b & 31` for the first byte `b` of a word of the set
    /// (so an ASCII letter's bit is the same in either case).
    first: [u32; Self::MAX_LEN + 1],
    /// The same for the last byte.
    last: [u32; Self::MAX_LEN + 1],
}

impl WordSet {
    /// Longest word a set may hold.
    const MAX_LEN: usize = 15;

    fn new(words: impl Iterator<Item = String>) -> WordSet {
        let mut set = WordSet {
            words: FxHashSet::default(),
            first: [0; Self::MAX_LEN + 1],
            last: [0; Self::MAX_LEN + 1],
        };
        for w in words {
            let b = w.as_bytes();
            assert!((1..=Self::MAX_LEN).contains(&b.len()), "{w}");
            set.first[b.len()] |= Self::bit(b[0]);
            set.last[b.len()] |= Self::bit(b[b.len() - 1]);
            set.words.insert(short_word_key(&w).expect("a short word"));
        }
        set
    }

    fn bit(b: u8) -> u32 {
        1 << (b & 31)
    }

    /// Is `text[start..end]` in the set? (Inline, so that the masks turn
    /// most words away without a call.)
    #[inline]
    fn contains(&self, text: &str, start: usize, end: usize) -> bool {
        let (b, n) = (text.as_bytes(), end - start);
        (1..=Self::MAX_LEN).contains(&n)
            && self.first[n] & Self::bit(b[start]) != 0
            && self.last[n] & Self::bit(b[end - 1]) != 0
            && self.holds(text, start, end)
    }

    /// [`WordSet::contains`] without the masks.
    #[inline(never)]
    fn holds(&self, text: &str, start: usize, end: usize) -> bool {
        short_key_in(text, start, end).is_some_and(|k| self.words.contains(&k))
    }
}

/// The namespace of an organization's key: the names of the list and of
/// the rules share one ("Foreign Ministry" found by both is one
/// organization); the others key what their rule found.
#[derive(Clone, Copy, PartialEq, Eq)]
enum OrgKey {
    Name,
    National,
    Acronym,
    Noun,
    Team,
}

/// The story's organizations as they are found, each with its key.
///
/// The keys are looked up by a linear search: a story names few
/// organizations, and the key's text is borrowed from the story, the lists
/// or the places, so a mention builds no string to look up (where a map
/// of owned keys built one per mention and kept one per organization).
struct Orgs<'d> {
    list: Vec<Organization>,
    /// `list[i]`'s key.
    keys: Vec<(OrgKey, Cow<'d, str>)>,
}

impl<'d> Orgs<'d> {
    /// The organization of key `(ns, key)`, made of `name` and `kind` if
    /// it is new (`name` is called only then: the name of one found in the
    /// text is copied once), given mention `m` unless one of its mentions
    /// overlaps it. A country fills a missing one.
    fn add(
        &mut self,
        (ns, key): (OrgKey, Cow<'d, str>),
        name: impl FnOnce() -> Cow<'static, str>,
        kind: Cow<'static, str>,
        cc: Option<Cow<'static, str>>,
        m: Mention,
    ) -> usize {
        let ix = match self.keys.iter().position(|(n, k)| *n == ns && *k == key) {
            Some(ix) => ix,
            None => {
                self.list.push(Organization {
                    name: name(),
                    canonical: None,
                    kind,
                    country_code: cc.clone(),
                    mentions: Vec::new(),
                });
                self.keys.push((ns, key));
                self.list.len() - 1
            }
        };
        let o = &mut self.list[ix];
        if o.country_code.is_none() {
            o.country_code = cc;
        }
        if !o.mentions.iter().any(|x| x.span.overlaps(m.span)) {
            o.mentions.push(m);
        }
        ix
    }
}

/// Text of the story as a field of its own.
fn owned(s: &str) -> Cow<'static, str> {
    Cow::Owned(s.to_string())
}

pub fn run(doc: &mut Doc, gaz: &Gazetteer) {
    let mut orgs = Orgs {
        list: Vec::new(),
        keys: Vec::new(),
    };
    let mut taken = Spare::take(|s| &mut s.org_spans);
    {
        let doc: &Doc = doc;
        list_organizations(doc, gaz, &mut orgs, &mut taken);
        rule_organizations(doc, gaz, &mut orgs, &mut taken);
        acronyms(doc, &mut orgs, &mut taken);
        national_forces(doc, &mut orgs, &mut taken);
        agency(doc, gaz, &mut orgs);
        bare_acronyms(doc, gaz, &mut orgs, &mut taken);
        bare_org_nouns(doc, gaz, &mut orgs, &mut taken);
        sports_teams(doc, &mut orgs, &mut taken);
        nominals(doc, gaz, &mut orgs);
    }
    // The keys borrow the story: only the list goes on.
    let mut list = orgs.list;
    for o in &mut list {
        o.mentions.sort_by_key(|m| m.span.start);
        story_name(doc, &mut o.name, o.canonical.as_deref(), &o.mentions);
    }
    // Order organizations by first mention.
    list.sort_by_key(|o| o.mentions.first().map_or(usize::MAX, |m| m.span.start));
    doc.organizations = list;
    // The spans taken by the organization rules are done with: their
    // buffer holds the organizations' spans.
    let mut org_spans = taken;
    org_spans.clear();
    org_spans.extend(doc.organizations.iter().flat_map(|o| {
        o.mentions
            .iter()
            .filter(|m| m.form != Form::Nominal)
            .map(|m| m.span)
    }));
    people(doc, gaz, &org_spans);
    let mut covered: Vec<Span> = org_spans;
    covered.extend(
        doc.people
            .iter()
            .flat_map(|p| p.mentions.iter().map(|m| m.span)),
    );
    drop_covered_places(doc, &mut covered);
    Spare::give(|s| &mut s.org_spans, covered);
}

fn country_of_demonym(doc: &Doc, span: Span) -> Option<Cow<'static, str>> {
    doc.places.iter().find_map(|p| {
        p.mentions
            .iter()
            .any(|m| m.form == Form::Demonym && span.contains(m.span) && m.span.start == span.start)
            .then(|| p.country_code.clone())
            .flatten()
    })
}

fn place_at<'d>(doc: &'d Doc, span: Span) -> Option<&'d crate::doc::Place> {
    doc.places
        .iter()
        .find(|p| p.mentions.iter().any(|m| m.span == span))
}

/// A country named in the possessive right before token `i` ("Tajikistan’s").
fn possessive_country(doc: &Doc, i: usize) -> Option<Cow<'static, str>> {
    if i < 3 {
        return None;
    }
    let t = &doc.tokens;
    let apos = t[i - 2].text(doc.text);
    if !(t[i - 1].text(doc.text).eq_ignore_ascii_case("s") && (apos == "'" || apos == "’")) {
        return None;
    }
    let p = place_at(doc, t[i - 3].span())?;
    (p.kind == "country")
        .then(|| p.country_code.clone())
        .flatten()
}

fn list_organizations<'d>(
    doc: &'d Doc,
    gaz: &'d Gazetteer,
    orgs: &mut Orgs<'d>,
    taken: &mut Vec<Span>,
) {
    for hit in doc
        .phrases
        .iter()
        .filter(|h| h.list == ListKind::Organization)
    {
        let row = gaz.row(hit);
        let (name, canonical, cc, form) = (row.get(0), row.get(1), row.get(3), row.get(4));
        let text = doc.slice(hit.span);
        // "the Associated Press" for the listed "The Associated Press".
        let mut span = hit.span;
        let mut text = text;
        if text != name && text.starts_with("the ") && name.starts_with("The ") {
            span = Span::new(hit.span.start + 4, hit.span.end);
            text = doc.slice(span);
        }
        let name = name
            .strip_prefix("The ")
            .filter(|_| span != hit.span)
            .unwrap_or(name);
        let ok = if doc.all_caps {
            (name.contains(' ') || (text.len() >= 3 && form == "acronym"))
                && !gaz.is_common_word(text)
        } else {
            text == name
        };
        if !ok || taken.iter().any(|s| s.overlaps(hit.span)) {
            continue;
        }
        let form = Form::parse(form).unwrap_or(Form::Name);
        let cc = (!cc.is_empty()).then(|| row.field(3));
        let ix = orgs.add(
            (OrgKey::Name, Cow::Borrowed(canonical)),
            || row.field(1),
            row.field(2),
            cc,
            Mention {
                span: hit.span,
                form,
            },
        );
        orgs.list[ix].canonical = Some(row.field(1));
        taken.push(hit.span);
    }
}

/// A country's forces named by its demonym, as wire copy and conflict data
/// name armed actors: "Iraqi security forces", "Afghan troops", "Turkish
/// police". The country comes from the demonym; words in capitals are left
/// to the name rules. "The Afghan government" stays a reference to the
/// country, as in the founding fixture and CoNLL.
fn national_forces<'d>(doc: &'d Doc, orgs: &mut Orgs<'d>, taken: &mut Vec<Span>) {
    let t = &doc.tokens;
    for p in &doc.places {
        if p.kind != "country" {
            continue;
        }
        for m in p.mentions.iter().filter(|m| m.form == Form::Demonym) {
            let Some(k) = doc.token_ending_at(m.span.end) else {
                continue;
            };
            // Up to two lowercase words after the demonym: a modifier and
            // the head, or the head alone.
            let word = |j: usize| {
                (j < t.len()
                    && t[j].is_word()
                    && (doc.all_caps || t[j].is(Token::LOWER))
                    && one_space(&doc.text[t[j - 1].end as usize..t[j].start as usize]))
                .then(|| &doc.lower[t[j].start as usize..t[j].end as usize])
            };
            let mut found = None;
            for j in [k + 1, k + 2] {
                let Some(w) = word(j) else {
                    break;
                };
                if let Some(kind) = NATIONAL_HEADS
                    .iter()
                    .find(|(h, _)| *h == w)
                    .map(|(_, kind)| *kind)
                {
                    // "security forces", "armed forces".
                    let mut end = j;
                    if let Some(w2) = word(j + 1) {
                        if matches!((w, w2), ("security" | "armed", "forces")) {
                            end = j + 1;
                        }
                    }
                    if matches!(w, "security" | "armed") && end == j {
                        break;
                    }
                    // "Afghan government spokesman", "army officials": the
                    // words describe a person or a thing, not the body.
                    let describes = word(end + 1).is_some_and(|n| {
                        matches!(
                            n,
                            "official"
                                | "officials"
                                | "source"
                                | "sources"
                                | "statement"
                                | "spokesman"
                                | "spokeswoman"
                                | "spokesperson"
                        ) || doc.phrases.iter().any(|h| {
                            h.list == ListKind::Title && h.span.start == t[end + 1].start as usize
                        })
                    });
                    if !describes {
                        found = Some((end, kind));
                    }
                    break;
                }
                if !matches!(
                    w,
                    "government" | "special" | "federal" | "national" | "regular" | "allied"
                ) {
                    break;
                }
            }
            let Some((end, kind)) = found else {
                continue;
            };
            let span = Span::new(m.span.start, t[end].end as usize);
            if taken.iter().any(|s| s.overlaps(span)) {
                continue;
            }
            let text = doc.slice(span);
            // The key is the name in lowercase: `doc.lower` holds it for
            // ASCII text.
            let key = if text.is_ascii() {
                Cow::Borrowed(&doc.lower[span.range()])
            } else {
                Cow::Owned(text.to_lowercase())
            };
            orgs.add(
                (OrgKey::National, key),
                || owned(text),
                Cow::Borrowed(kind),
                p.country_code.clone(),
                Mention {
                    span,
                    form: Form::Name,
                },
            );
            taken.push(span);
        }
    }
}

/// Head words of a country's forces, and their kind.
const NATIONAL_HEADS: &[(&str, &str)] = &[
    ("forces", "military"),
    ("troops", "military"),
    ("army", "military"),
    ("military", "military"),
    ("navy", "military"),
    ("security", "security"),
    ("armed", "military"),
    ("police", "police"),
];

fn org_noun_kind<'g>(gaz: &'g Gazetteer, word: &str) -> Option<&'g str> {
    gaz.org_noun_kind(word)
}

/// Capitalized sequences headed by an organization noun.
///
/// A run of capitalized words and joiners is split where "and" or "&"
/// joins two names that each have a head ("the Syrian Democratic Forces and
/// the Iraqi Security Forces"); a part without a head stays with the name
/// before it ("Ministry of Foreign Affairs and Trade", "Islamic State of
/// Iraq and the Levant") or, before "and the", is not part of any name
/// ("Tunisia and the Palestinian Authority"). A name ends at its head noun
/// or runs on through "of"/"for" ("Bank of England"), never into a date
/// ("Treasury Department on Wednesday").
fn rule_organizations<'d>(
    doc: &'d Doc,
    gaz: &'d Gazetteer,
    orgs: &mut Orgs<'d>,
    taken: &mut Vec<Span>,
) {
    if doc.all_caps {
        return;
    }
    let t = &doc.tokens;
    let is_head = |k: usize| t[k].is_word() && org_noun_kind(gaz, t[k].text(doc.text)).is_some();
    // A run's parts, (start, end, after "and the"), and its names, (start,
    // end, head): kept from run to run, not allocated for each.
    let mut parts: Vec<(usize, usize, bool)> = Vec::new();
    let mut names: Vec<(usize, usize, Option<usize>)> = Vec::new();
    let mut i = 0;
    while i < t.len() {
        if !(t[i].is_word() && t[i].is(Token::CAP))
            || t[i].is(Token::UPPER) && t[i].end - t[i].start > 1 && !is_acronym_like(doc, i)
        {
            i += 1;
            continue;
        }
        // The run of capitalized words and joiners.
        let mut j = i;
        let mut last_cap = i;
        while j < t.len() {
            let tok = &t[j];
            let gap_ok = j == i
                || doc.text.as_bytes()[t[j - 1].end as usize..tok.start as usize]
                    .iter()
                    .all(|&c| c == b' ');
            if !gap_ok {
                break;
            }
            if tok.is_word() && tok.is(Token::CAP) {
                if j > i && is_date_word(doc, j) {
                    break;
                }
                last_cap = j;
                j += 1;
            } else if j > i
                && (tok.is_word()
                    && tok.end - tok.start <= JOINER_MAX_LEN
                    && JOINERS.contains(&tok.text(doc.text))
                    || tok.text(doc.text) == "-")
            {
                j += 1;
            } else {
                break;
            }
        }
        let end = last_cap + 1;
        // A name has two capitalized words or more: a run of one word (most
        // runs: "He", "Reuters") names nothing, and its words are not
        // looked up.
        if end - i < 2 {
            i += 1;
            continue;
        }
        // Skip a leading sentence-initial "The", and a sentence-initial
        // common word with its joiners ("Rebels of the Popular Front").
        let mut start = i;
        if t[start].text(doc.text) == "The" && end - start > 1 {
            start += 1;
        }
        if sentence_initial(doc, start)
            && gaz.is_common_word(t[start].text(doc.text))
            && org_noun_kind(gaz, t[start].text(doc.text)).is_none()
        {
            let mut k = start + 1;
            while k < end && !t[k].is(Token::CAP) {
                k += 1;
            }
            if k < end {
                start = k;
            }
        }
        // Parts joined by "and" / "&" (optionally "and the").
        parts.clear();
        let mut ps = start;
        let mut after_the = false;
        let mut k = start;
        while k < end {
            let w = t[k].text(doc.text);
            if (w == "and" || w == "&") && k > ps {
                parts.push((ps, k, after_the));
                let mut n = k + 1;
                after_the = n < end && t[n].text(doc.text) == "the";
                if after_the {
                    n += 1;
                }
                ps = n;
                k = n;
                continue;
            }
            k += 1;
        }
        if ps < end {
            parts.push((ps, end, after_the));
        }
        // Group parts into names, each with its head: the last
        // organization noun (each part's words are looked up once, from
        // its end, and a merged name's head is its last part's own or
        // else the one before).
        names.clear();
        for &(a, b, after_the) in &parts {
            let head = (a..b).rev().find(|&k| is_head(k));
            match names.last_mut() {
                Some(last) if head.is_none() || last.2.is_none() && !after_the => {
                    last.1 = b;
                    last.2 = head.or(last.2);
                }
                _ => names.push((a, b, head)),
            }
        }
        for &(a, b, head) in &names {
            // The name runs on past its head only through "of"/"for" and
            // the like.
            let Some(h) = head else {
                continue;
            };
            let mut e = h + 1;
            if e < b
                && matches!(
                    t[e].text(doc.text),
                    "of" | "for" | "on" | "de" | "del" | "des" | "du" | "al"
                )
            {
                e = b;
            }
            while e > a && !t[e - 1].is(Token::CAP) {
                e -= 1;
            }
            let span = doc.tokens_span(a..e);
            let words = (a..e)
                .filter(|&k| t[k].is_word() && t[k].is(Token::CAP))
                .count();
            // A place's own name ("West Bank") is the place.
            let is_place = doc.places.iter().any(|p| {
                !matches!(&*p.kind, "town" | "village")
                    && p.mentions
                        .iter()
                        .any(|m| m.span == span && m.form != Form::Demonym)
            });
            if words < 2 || is_place || taken.iter().any(|s| s.overlaps(span)) {
                continue;
            }
            let kind = org_noun_kind(gaz, t[h].text(doc.text)).unwrap_or("other");
            let name = doc.slice(span);
            // "National Security Committee", "Intelligence Directorate":
            // a government body named for security is a security service.
            let kind = if kind == "government"
                && !name.contains("Council")
                && (name.contains("Security") || name.contains("Intelligence"))
            {
                Cow::Borrowed("security")
            } else {
                owned(kind)
            };
            let cc = country_of_demonym(doc, span).or_else(|| possessive_country(doc, a));
            orgs.add(
                (OrgKey::Name, Cow::Borrowed(name)),
                || owned(name),
                kind,
                cc,
                Mention {
                    span,
                    form: Form::Name,
                },
            );
            taken.push(span);
        }
        i = end.max(i + 1);
    }
}

/// Weekday and month names end a name ("the Treasury Department on
/// Wednesday").
fn is_date_word(doc: &Doc, k: usize) -> bool {
    let t = &doc.tokens[k];
    let w = &doc.lower[t.start as usize..t.end as usize];
    crate::stages::dateline::MONTH_NAMES.contains(&w)
        || crate::stages::dateline::WEEKDAYS.contains(&w)
}

fn sentence_initial(doc: &Doc, k: usize) -> bool {
    doc.sentence_of(doc.tokens[k].start as usize)
        .is_some_and(|s| {
            let first = doc.sentences[s].tokens.start;
            (first..k).all(|j| doc.tokens[j].kind == TokenKind::Punct)
        })
}

fn is_acronym_like(doc: &Doc, i: usize) -> bool {
    let s = doc.tokens[i].text(doc.text);
    s.len() <= 5
}

/// "Long Name (ACR)" or "[ACR]" after an organization: the acronym
/// becomes a mention wherever it appears.
fn acronyms(doc: &Doc, orgs: &mut Orgs, taken: &mut Vec<Span>) {
    let t = &doc.tokens;
    let mut defs: Vec<(&str, usize)> = Vec::new();
    for ix in 0..orgs.list.len() {
        for m in &orgs.list[ix].mentions {
            let Some(e) = doc.token_ending_at(m.span.end) else {
                continue;
            };
            if e + 3 < t.len()
                && matches!(t[e + 1].text(doc.text), "(" | "[")
                && matches!(t[e + 3].text(doc.text), ")" | "]")
                && t[e + 2].is(Token::UPPER)
                && t[e + 2].kind == TokenKind::Word
            {
                let acr = t[e + 2].text(doc.text);
                let first = doc.slice(m.span).chars().next().unwrap_or(' ');
                if acr.len() >= 2 && acr.starts_with(first.to_ascii_uppercase()) {
                    defs.push((acr, ix));
                }
            }
        }
    }
    for (acr, ix) in defs {
        // A token of the acronym's text is in capitals, and of its length.
        for tok in t {
            if tok.is(Token::UPPER)
                && (tok.end - tok.start) as usize == acr.len()
                && tok.text(doc.text) == acr
            {
                let span = tok.span();
                if taken.iter().any(|s| s.overlaps(span)) {
                    continue;
                }
                let o = &mut orgs.list[ix];
                o.mentions.push(Mention {
                    span,
                    form: Form::Acronym,
                });
                taken.push(span);
            }
        }
    }
}

/// Capital-letter abbreviations that do not name an organization: time
/// zones, units, currencies, offices, diseases, statistics, roman numerals.
/// (A `match`, not a slice to search: asked of every short word in
/// capitals.)
fn not_org_acronym(w: &str) -> bool {
    matches!(
        w,
        "AD" | "AIDS"
            | "AM"
            | "ASAP"
            | "ATM"
            | "BC"
            | "BPD"
            | "BST"
            | "CD"
            | "CDT"
            | "CEO"
            | "CET"
            | "CFO"
            | "COO"
            | "CPI"
            | "CST"
            | "DNA"
            | "DVD"
            | "EDT"
            | "ERA"
            | "EST"
            | "ET"
            | "EUR"
            | "FYI"
            | "GBP"
            | "GDP"
            | "GMT"
            | "GNP"
            | "HIV"
            | "HMS"
            | "HQ"
            | "ID"
            | "IDP"
            | "II"
            | "III"
            | "IPO"
            | "IQ"
            | "IV"
            | "IX"
            | "JPY"
            | "KG"
            | "KM"
            | "LNG"
            | "LPG"
            | "MB"
            | "MP"
            | "MPH"
            | "MPS"
            | "MW"
            | "NB"
            | "NO"
            | "OK"
            | "PC"
            | "PDT"
            | "PM"
            | "POW"
            | "PPI"
            | "PR"
            | "PS"
            | "PST"
            | "QB"
            | "RBI"
            | "SARS"
            | "SMS"
            | "SUV"
            | "TV"
            | "UFO"
            | "USD"
            | "UTC"
            | "VI"
            | "VII"
            | "VIII"
            | "USS"
            | "VIP"
            | "XI"
            | "XII"
    )
}

/// An unknown abbreviation in capitals inside running text ("the KDP",
/// "LIFFE", "the EOE") is an organization far more often than anything
/// else: weapons, titles, places and the words above excepted. Lines set in
/// capitals (headlines, tables) say nothing.
fn bare_acronyms<'d>(doc: &'d Doc, gaz: &'d Gazetteer, orgs: &mut Orgs<'d>, taken: &mut Vec<Span>) {
    if doc.all_caps {
        return;
    }
    let t = &doc.tokens;
    let mut prose = ProseLines::default();
    for (k, tok) in t.iter().enumerate() {
        if !(tok.is_word() && tok.is(Token::UPPER) && tok.is(Token::ASCII)) {
            continue;
        }
        let w = tok.text(doc.text);
        if !(2..=6).contains(&w.len())
            || !w.bytes().all(|b| b.is_ascii_uppercase())
            || not_org_acronym(w)
        {
            continue;
        }
        let span = tok.span();
        // "AK-47", "F-16": a designation.
        if t.get(k + 1)
            .is_some_and(|n| n.start == tok.end && matches!(n.text(doc.text), "-" | "/"))
        {
            continue;
        }
        if taken.iter().any(|s| s.overlaps(span))
            || gaz.is_common_word(w) && w.len() > 3
            || doc
                .places
                .iter()
                .any(|p| p.mentions.iter().any(|m| m.span.overlaps(span)))
            || doc.phrases.iter().any(|h| {
                matches!(h.list, ListKind::Weapon | ListKind::Title) && h.span.overlaps(span)
            })
            || !prose.at(doc, span.start)
        {
            continue;
        }
        orgs.add(
            (OrgKey::Acronym, Cow::Borrowed(w)),
            || owned(w),
            Cow::Borrowed("other"),
            None,
            Mention {
                span,
                form: Form::Acronym,
            },
        );
        taken.push(span);
    }
}

/// "the Coalition", "the Army": a capitalized organization noun alone
/// after "the", in running text, names an organization the story does not
/// spell out. When the story names one with that head ("the Afghan
/// Army"), it is that one.
fn bare_org_nouns<'d>(
    doc: &'d Doc,
    gaz: &'d Gazetteer,
    orgs: &mut Orgs<'d>,
    taken: &mut Vec<Span>,
) {
    if doc.all_caps {
        return;
    }
    let t = &doc.tokens;
    // Head nouns the story capitalizes inside a sentence ("said the
    // Coalition", "as Coalition aircraft struck", "In Syria, Coalition
    // forces") name an organization
    // wherever they stand, sentence starts too ("Coalition forces ...").
    // Only these words can be such nouns: the story is read for them the
    // first time one stands without "the" (in most stories, never).
    let proper_noun = |w: &str| matches!(w, "Coalition" | "Alliance" | "Junta");
    let find_proper = || -> Vec<&str> {
        (1..t.len())
            .filter(|&k| {
                t[k].is_word()
                    && t[k].is(Token::CAP)
                    && !t[k].is(Token::UPPER)
                    && proper_noun(t[k].text(doc.text))
                    && !sentence_initial(doc, k)
                    && !t[k - 1].is(Token::CAP)
                    && (t[k - 1].is_word() || t[k - 1].text(doc.text) == ",")
                    && !t.get(k + 1).is_some_and(|n| n.is(Token::CAP))
            })
            .map(|k| t[k].text(doc.text))
            .collect()
    };
    let mut proper: Option<Vec<&str>> = None;
    let mut prose = ProseLines::default();
    for k in 0..t.len() {
        let tok = &t[k];
        if !(tok.is_word() && tok.is(Token::CAP) && !tok.is(Token::UPPER)) {
            continue;
        }
        let the = k > 0 && is_the(doc, k - 1);
        let w = tok.text(doc.text);
        if !(the || proper_noun(w) && proper.get_or_insert_with(find_proper).contains(&w)) {
            continue;
        }
        let Some(kind) = org_noun_kind(gaz, w) else {
            continue;
        };
        // Not the start of a longer name ("the Army Corps"), not a plural.
        let next_cap = t.get(k + 1).is_some_and(|n| {
            n.is_word() && n.is(Token::CAP) && doc.text[tok.end as usize..n.start as usize] == *" "
        });
        let span = tok.span();
        if next_cap
            || w.ends_with('s')
            || matches!(
                w,
                "Government" | "Office" | "Post" | "Times" | "News" | "Watch"
            )
            || taken.iter().any(|s| s.overlaps(span))
            || !prose.at(doc, span.start)
        {
            continue;
        }
        let named = orgs
            .list
            .iter()
            .position(|o| o.name.split_whitespace().last() == Some(w));
        let m = Mention {
            span,
            form: Form::Name,
        };
        match named {
            // "the Coalition" refers back to the "Counter-Daesh Coalition";
            // a capitalized "Coalition" alone is its short name.
            Some(ix) if the => {
                let o = &mut orgs.list[ix];
                o.mentions.push(Mention {
                    span: Span::new(t[k - 1].start as usize, span.end),
                    form: Form::Nominal,
                });
            }
            Some(ix) => {
                orgs.list[ix].mentions.push(Mention {
                    span,
                    form: Form::Alias,
                });
            }
            None => {
                orgs.add(
                    (OrgKey::Noun, Cow::Borrowed(w)),
                    || owned(w),
                    owned(kind),
                    None,
                    m,
                );
            }
        }
        taken.push(span);
    }
}

/// Is token `k` "the" (any case)?
/// (Inline, and the bytes compared: the nominals ask it of the token
/// before every lowercase word.)
#[inline]
fn is_the(doc: &Doc, k: usize) -> bool {
    let t = &doc.tokens[k];
    // `doc.lower` is the text ASCII-lowercased, byte for byte.
    t.end - t.start == 3 && doc.lower.as_bytes()[t.start as usize..t.end as usize] == *b"the"
}

/// Whether lines are running text (mostly lowercase letters), asked by a
/// rule of its words in order: the last line read and its answer are
/// kept, as several words are often on one line (a paragraph is one line
/// in much copy, and reading it is the cost).
#[derive(Default)]
struct ProseLines {
    /// The last line read, `start..=end` (`end` its newline or the
    /// text's end: every byte in it is on that line), if any.
    line: Option<(usize, usize)>,
    prose: bool,
}

impl ProseLines {
    /// Is the line holding byte `pos` running text?
    fn at(&mut self, doc: &Doc, pos: usize) -> bool {
        if self.line.is_some_and(|(s, e)| s <= pos && pos <= e) {
            return self.prose;
        }
        let b = doc.text.as_bytes();
        let start = memchr::memrchr(b'\n', &b[..pos]).map_or(0, |i| i + 1);
        let end = memchr::memchr(b'\n', &b[pos..]).map_or(b.len(), |i| pos + i);
        let line = &doc.text[start..end];
        let (mut lower, mut letters) = (0usize, 0usize);
        for c in line.chars().filter(|c| c.is_alphabetic()) {
            letters += 1;
            if c.is_lowercase() {
                lower += 1;
            }
        }
        self.line = Some((start, end));
        self.prose = letters > 0 && lower * 10 >= letters * 5;
        self.prose
    }
}

static SPORTS_SET: LazyLock<WordSet> =
    LazyLock::new(|| WordSet::new(SPORTS_WORDS.iter().map(|w| w.to_string())));

static STRONG_SPORTS_SET: LazyLock<WordSet> =
    LazyLock::new(|| WordSet::new(STRONG_SPORTS_WORDS.iter().map(|w| w.to_string())));

/// Words of either sports list.
static ANY_SPORTS_SET: LazyLock<WordSet> = LazyLock::new(|| {
    WordSet::new(
        SPORTS_WORDS
            .iter()
            .chain(STRONG_SPORTS_WORDS)
            .map(|w| w.to_string()),
    )
});

/// Words around a team name in results: "Essex beat Kent", "Milan 2 Roma 1".
const RESULT_WORDS: &[&str] = &[
    "beat", "beats", "drew", "draw", "v", "vs", "lost", "won", "defeated", "edged", "routed",
    "thrashed", "held", "at", "host", "hosts", "visit", "visiting",
];

/// In a sports report, a town or city named next to a score or a result
/// word is a team ("Leicestershire beat Somerset", "Milan 2 Roma 1"): an
/// organization, not a place. Countries stay places (national sides are
/// reported as countries).
fn sports_teams<'d>(doc: &'d Doc, orgs: &mut Orgs<'d>, taken: &mut Vec<Span>) {
    // National sides are reported as their countries, the home nations of
    // the United Kingdom included. Named features and structures ("Mount
    // Sinjar at the hands of") never play.
    let never_plays = |p: &crate::doc::Place| {
        matches!(&*p.kind, "country" | "region" | "feature" | "facility")
            || p.kind == "admin1"
                && p.admin1
                    .as_deref()
                    .is_some_and(|a| matches!(a, "GB-ENG" | "GB-SCT" | "GB-WLS" | "GB-NIR"))
    };
    // Without a place that could play (most stories), the words need not
    // be read at all.
    let may_play = doc
        .places
        .iter()
        .any(|p| !never_plays(p) && p.mentions.iter().any(|m| m.form != Form::Demonym));
    if !may_play {
        return;
    }
    // Two sports words after the first token make a story sporty; two
    // words only sport uses (anywhere) make it plainly a sports report:
    // there a town or county is a team wherever it is not a venue ("at
    // Headingley", "in Milan"). The lookup stage counted the words with a
    // lexeme (every word of capitals copy), the first token's included;
    // the words without one are among the open words, and looked up.
    let tally = &doc.word_tally;
    let first_sports = doc
        .lexemes
        .first()
        .and_then(Lexeme::builtin_bits)
        .is_some_and(|bits| bits & SPORTS_BIT != 0);
    let mut sports = tally.sports as usize - usize::from(first_sports);
    let mut strong = tally.strong_sports as usize;
    let (any_set, sports_set, strong_set) = (&*ANY_SPORTS_SET, &*SPORTS_SET, &*STRONG_SPORTS_SET);
    let lower = &doc.lower;
    for &k in &tally.open_words {
        let k = k as usize;
        if sports >= 2 && strong >= 2 {
            break;
        }
        if doc.lexemes.get(k).and_then(Lexeme::builtin_bits).is_some() {
            continue;
        }
        let t = &doc.tokens[k];
        let (start, end) = (t.start as usize, t.end as usize);
        if !any_set.contains(lower, start, end) {
            continue;
        }
        sports += usize::from(k > 0 && sports_set.holds(lower, start, end));
        strong += usize::from(strong_set.holds(lower, start, end));
    }
    if sports < 2 {
        return;
    }
    let strong = strong >= 2;
    let lower = |k: usize| {
        let t = &doc.tokens[k];
        &doc.lower[t.start as usize..t.end as usize]
    };
    let dateline = doc.dateline.as_ref().map(|d| d.span);
    // A score: a number that is not a date ("1996-08-30").
    let is_score = |k: usize| {
        doc.tokens
            .get(k)
            .is_some_and(|t| t.kind == TokenKind::Number && doc.slice(t.span()).len() <= 5)
    };
    for p in &doc.places {
        if never_plays(p) {
            continue;
        }
        // (span, plays as a team here for sure)
        let mut mentions: Vec<(Span, bool)> = Vec::new();
        for m in p.mentions.iter().filter(|m| m.form != Form::Demonym) {
            if dateline.is_some_and(|d| d.contains(m.span)) {
                continue;
            }
            let (Some(s), Some(e)) = (
                doc.token_starting_at(m.span.start),
                doc.token_ending_at(m.span.end),
            ) else {
                continue;
            };
            let score_after = is_score(e + 1);
            let word_after = e + 1 < doc.tokens.len() && RESULT_WORDS.contains(&lower(e + 1));
            let word_before = s > 0
                && matches!(
                    lower(s - 1),
                    "v" | "vs" | "beat" | "against" | "drew" | "with"
                );
            let line_start = doc.tokens[s].is(Token::LINE_START);
            let sure = (score_after && (line_start || word_before))
                || word_after
                || (word_before && lower(s - 1) != "with" && lower(s - 1) != "against");
            let venue = s > 0 && matches!(lower(s - 1), "in" | "at" | "from" | "near" | "to");
            if sure || !venue {
                mentions.push((m.span, sure || strong));
            }
        }
        // One sense per story: once a place plays as a team, its other
        // mentions (not after "in", "at", ...) are the team too.
        if !mentions.iter().any(|&(_, sure)| sure) {
            continue;
        }
        for (sp, _) in mentions {
            if taken.iter().any(|t| t.overlaps(sp)) {
                continue;
            }
            let name = doc.slice(sp);
            orgs.add(
                (OrgKey::Team, Cow::Borrowed(&p.name)),
                || owned(name),
                Cow::Borrowed("other"),
                p.country_code.clone(),
                Mention {
                    span: sp,
                    form: Form::Name,
                },
            );
            taken.push(sp);
        }
    }
}

/// The dateline's agency ("(AP)") as a media organization.
fn agency<'d>(doc: &'d Doc, gaz: &'d Gazetteer, orgs: &mut Orgs<'d>) {
    let Some(d) = &doc.dateline else { return };
    let (Some(a), Some(span)) = (&d.agency, d.agency_span) else {
        return;
    };
    // Agencies joined with '-' ("ACAN-EFE"): take the last known part.
    let row = gaz.media_organization(a);
    let span = Span::new(
        span.start + (doc.slice(span).len() - doc.slice(span).trim_start().len()),
        span.end,
    );
    match row {
        Some(r) => {
            let form = Form::parse(r.get(4)).unwrap_or(Form::Name);
            let cc = (!r.get(3).is_empty()).then(|| r.field(3));
            orgs.add(
                (OrgKey::Name, Cow::Borrowed(r.get(1))),
                || r.field(1),
                Cow::Borrowed("media"),
                cc,
                Mention { span, form },
            );
        }
        None => {
            orgs.add(
                (OrgKey::Name, Cow::Borrowed(a)),
                || owned(a),
                Cow::Borrowed("media"),
                None,
                Mention {
                    span,
                    form: Form::Name,
                },
            );
        }
    }
}

/// "the committee" → the last organization headed by "Committee".
fn nominals(doc: &Doc, gaz: &Gazetteer, orgs: &mut Orgs) {
    // Only an organization already named, and whose head ("Committee") is
    // a listed organization noun, is referred to by it: those are found
    // once, and each "the" + lowercase word compared with their heads.
    let heads: Vec<(usize, &[u8])> = orgs
        .list
        .iter()
        .enumerate()
        .filter_map(|(ix, o)| {
            let head = o.name.split_whitespace().last()?;
            org_noun_kind(gaz, head)?;
            Some((ix, head.as_bytes()))
        })
        .collect();
    if heads.is_empty() {
        return;
    }
    // The head `h` is `word` capitalized, as the nouns are listed (they
    // are ASCII words: a word opening with another letter, "über", is none).
    let names = |h: &[u8], word: &[u8]| {
        h.len() == word.len()
            && word[0].is_ascii()
            && h[0] == word[0].to_ascii_uppercase()
            && h[1..] == word[1..]
    };
    // Pushed after the loop, as `heads` borrows the names (the search
    // passes over nominal mentions, so none pushed earlier changes it).
    let mut nominal: Vec<(usize, Span)> = Vec::new();
    let t = &doc.tokens;
    for k in 1..t.len() {
        if !t[k].is(Token::LOWER) || !is_the(doc, k - 1) {
            continue;
        }
        let word = t[k].text(doc.text);
        if matches!(
            word,
            "government" | "office" | "group" | "party" | "service" | "services" | "authorities"
        ) {
            continue;
        }
        let here = t[k].start as usize;
        let best = heads
            .iter()
            .filter(|(_, h)| names(h, word.as_bytes()))
            .filter_map(|&(ix, _)| {
                let last = orgs.list[ix]
                    .mentions
                    .iter()
                    .filter(|m| m.span.end <= here && m.form != Form::Nominal)
                    .map(|m| m.span.end)
                    .max()?;
                Some((last, ix))
            })
            .max();
        if let Some((_, ix)) = best {
            nominal.push((ix, Span::new(t[k - 1].start as usize, t[k].end as usize)));
        }
    }
    for (ix, span) in nominal {
        orgs.list[ix].mentions.push(Mention {
            span,
            form: Form::Nominal,
        });
    }
}

/// A title's row of the list, read in place: most titles found are only
/// tested, and a person's title is copied when it is filled in.
struct TitleInfo<'g> {
    canonical: &'g Cow<'static, str>,
    official: bool,
}

/// The title hits ending at byte `end`, read in one pass: the span of the
/// one that starts first (the first of those on ties), and the title of
/// the one with the longest listed name (the last of those on ties).
fn titles_ending_at<'g>(
    doc: &Doc,
    gaz: &'g Gazetteer,
    end: usize,
) -> Option<(Span, TitleInfo<'g>)> {
    let mut first: Option<Span> = None;
    let mut longest: Option<&Row> = None;
    for h in doc
        .phrases
        .iter()
        .filter(|h| (h.list == ListKind::Title) & (h.span.end == end))
    {
        if first.is_none_or(|f| h.span.start < f.start) {
            first = Some(h.span);
        }
        let r = gaz.row(h);
        if longest.is_none_or(|l| r.get(0).len() >= l.get(0).len()) {
            longest = Some(r);
        }
    }
    Some((
        first?,
        longest.map(|r| TitleInfo {
            canonical: &r.fields[1],
            official: r.get(2) == "true",
        })?,
    ))
}

/// Is token `k` a capitalized word that can be part of a person's name
/// (blocked spans aside)? [`NAME_WORD`](crate::gazetteer::NAME_WORD),
/// with [`NAME_START`] if it may also start one without a title before it;
/// else 0.
///
/// Asked only of the tokens the lookup stage marked for the story's case
/// (`WordTally::name_cases`): its test of the word bits turned away most
/// of capitals copy's ordinary words ("SAID", "THE"). The tests are pure,
/// so they run cheapest first.
///
/// `by_bits` is [`NAME_FLAGS_BY_BITS`] for the story's case, chosen once by
/// the caller rather than for every token.
fn name_word(doc: &Doc, words: &TokenWords, by_bits: &[u8; 256], k: usize) -> u8 {
    let t = &doc.tokens[k];
    if !(t.is_word() && t.is(Token::CAP)) {
        return 0;
    }
    if !doc.all_caps && t.is(Token::UPPER) && t.end - t.start > 1 {
        return 0;
    }
    let flags = by_bits[usize::from(words.bits(k))];
    if flags == 0 {
        return 0;
    }
    let (start, end) = (t.start as usize, t.end as usize);
    // Tokens are never empty; a final '.' is one byte.
    if doc.text.as_bytes()[end - 1] == b'.' {
        return 0;
    }
    // Asked last: many words are in those sets (every sentence-initial
    // "The" and "He"), few are place words.
    if crate::stages::places::is_place_word(&doc.text[start..end]) {
        0
    } else {
        flags
    }
}

/// Which tokens can be part of a person's name: [`name_word`] and outside
/// every blocked span, decided once per story. The people rules ask about
/// every word of the text (every word of capitals copy), several times
/// over, and most are no name word.
struct NameWords {
    /// Each token's [`name_word`] flags (0 in a blocked span), and 0 bytes
    /// up to a multiple of eight.
    marks: Vec<u8>,
    /// The tokens marked by the lookup stage (see [`NameWords::new`]), in
    /// order, then room: the surnames are looked for at these.
    marked: Vec<u32>,
    /// How many of `marked` are set.
    n_marked: usize,
    /// The name words (tokens with `marks` not 0), in order, then room.
    words: Vec<u32>,
    /// How many of `words` are set.
    n_words: usize,
}

impl NameWords {
    /// The marks start as zeros; only the tokens the lookup stage marked
    /// (`WordTally::name_cases`) are asked. `blocked` is sorted by start.
    fn new(doc: &Doc, words: &TokenWords, blocked: &[Span]) -> NameWords {
        let t = &doc.tokens;
        // Only the tokens the lookup stage marked for the story's case can
        // be name words (see `WordTally::name_cases`). (Without the lookup
        // stage's marks, every token is asked.) Whether a token is marked
        // goes either way from one to the next: the marked ones are
        // gathered first, without a branch per token ([`keep_indices`]),
        // and the name words among them gathered the same way.
        let mut marked_ix = Spare::take(|s| &mut s.name_marked);
        let mut words_ix = Spare::take(|s| &mut s.name_words);
        let cases = &doc.word_tally.name_cases;
        let n_marked = if cases.len() == t.len().next_multiple_of(8) {
            // The padding past the last token is marked too where lists
            // added at run time mark every byte.
            let n = gather_marked(&mut marked_ix, cases, u8::from(doc.all_caps));
            marked_ix[..n].partition_point(|&k| (k as usize) < t.len())
        } else {
            keep_indices(&mut marked_ix, t.len(), |_| true)
        };
        let mut marks = Spare::take(|s| &mut s.name_marks);
        marks.resize(t.len().next_multiple_of(8), 0);
        if words_ix.len() < n_marked {
            words_ix.resize(n_marked, 0);
        }
        let by_bits = &NAME_FLAGS_BY_BITS[usize::from(doc.all_caps)];
        let mut covered = Covered::new(blocked);
        let mut n_words = 0;
        for &k in &marked_ix[..n_marked] {
            let k = k as usize;
            // Only name words need be tested against the blocked spans.
            let mut flags = name_word(doc, words, by_bits, k);
            if flags != 0 && covered.covers(t[k].span()) {
                flags = 0;
            }
            marks[k] = flags;
            words_ix[n_words] = k as u32;
            n_words += usize::from(flags != 0);
        }
        NameWords {
            marks,
            marked: marked_ix,
            n_marked,
            words: words_ix,
            n_words,
        }
    }

    fn at(&self, k: usize) -> bool {
        self.marks[k] != 0
    }

    /// The name words, in order.
    fn words(&self) -> &[u32] {
        &self.words[..self.n_words]
    }

    /// A name word that may start a name with no title before it.
    fn starts(&self, k: usize) -> bool {
        self.marks[k] & NAME_START != 0
    }

    /// Gives the buffers back for the next story.
    fn give(self) {
        Spare::give(|s| &mut s.name_marks, self.marks);
        Spare::give(|s| &mut s.name_marked, self.marked);
        Spare::give(|s| &mut s.name_words, self.words);
    }
}

/// For each set of bits of a byte, the positions of its set bits, in
/// order (0 after them), and their number. (Positions as `u32`, the
/// indices' type: [`gather_marked`] adds a chunk's first index to all
/// eight at once.)
static BIT_POSITIONS: [([u32; 8], u32); 256] = {
    let mut t = [([0u32; 8], 0u32); 256];
    let mut m = 0;
    while m < 256 {
        let (mut j, mut n) = (0, 0);
        while j < 8 {
            if m & (1 << j) != 0 {
                t[m].0[n] = j as u32;
                n += 1;
            }
            j += 1;
        }
        t[m].1 = n as u32;
        m += 1;
    }
    t
};

/// Puts in `buf` (in place of what it held) the indices of the marks (one
/// byte a token, a multiple of eight bytes: `WordTally::name_cases`) with
/// bit `bit` set, in order, and returns how many. Like [`keep_indices`],
/// without a branch on the marks; but as the marks are bytes eight to a
/// word, eight are read at once, their bits gathered into one byte, and
/// the indices of the set ones appended from [`BIT_POSITIONS`] (all
/// eight, then the list cut back to the set ones): a fraction of the work
/// of testing each token. The list grows into room reserved once, never
/// zeroed first.
fn gather_marked(buf: &mut Vec<u32>, marks: &[u8], bit: u8) -> usize {
    buf.clear();
    // Eight entries are appended at each step, past the kept ones.
    buf.reserve(marks.len() + 8);
    for (i, chunk) in marks.chunks_exact(8).enumerate() {
        let m = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        // Bit `bit` of byte `j` to bit `j` of the top byte.
        let ones = (m >> bit) & 0x0101_0101_0101_0101;
        let set = (ones.wrapping_mul(0x0102_0408_1020_4080) >> 56) as usize;
        let (positions, count) = &BIT_POSITIONS[set];
        let base = (i * 8) as u32;
        let n = buf.len();
        buf.extend_from_slice(&positions.map(|p| base + p));
        buf.truncate(n + *count as usize);
    }
    buf.len()
}

/// Whether spans lie inside any of a list of spans sorted by start, asked
/// of spans in order (none starting before the last one asked): the list
/// is walked once along with them. `reach` is the furthest end of the
/// spans that start before the asked span ends, and the asked span
/// overlaps one of them if and only if it reaches past its start.
struct Covered<'a> {
    spans: &'a [Span],
    passed: usize,
    reach: usize,
}

impl<'a> Covered<'a> {
    fn new(spans: &'a [Span]) -> Covered<'a> {
        Covered {
            spans,
            passed: 0,
            reach: 0,
        }
    }

    /// Does `sp` overlap one of the spans?
    fn covers(&mut self, sp: Span) -> bool {
        while let Some(s) = self.spans.get(self.passed).filter(|s| s.start < sp.end) {
            self.reach = self.reach.max(s.end);
            self.passed += 1;
        }
        self.reach > sp.start
    }
}

/// Given-name and common-word bits of each token. Most capitalized words
/// have them in their lexeme (read by the lookup stage); the others are
/// looked up once and kept: the person rules ask about the same tokens
/// many times over.
struct TokenWords<'a> {
    doc: &'a Doc<'a>,
    gaz: &'a Gazetteer,
    /// Bits looked up for tokens whose lexeme lacks the answer.
    bits: &'a [Cell<u8>],
}

impl TokenWords<'_> {
    const UNKNOWN: u8 = u8::MAX;

    #[inline]
    fn bits(&self, k: usize) -> u8 {
        let lex = self.doc.lexemes.get(k).unwrap_or(&Lexeme::UNKNOWN);
        match self.gaz.lexeme_word_bits(lex) {
            Some(bits) => bits,
            None => self.looked_up_bits(k, lex),
        }
    }

    /// [`TokenWords::bits`] of a token whose lexeme lacks them.
    #[inline(never)]
    fn looked_up_bits(&self, k: usize, lex: &Lexeme) -> u8 {
        let c = &self.bits[k];
        if c.get() == Self::UNKNOWN {
            c.set(
                self.gaz
                    .token_word_bits(self.doc.text, &self.doc.tokens[k], lex),
            );
        }
        c.get()
    }
    fn given(&self, k: usize) -> bool {
        self.bits(k) & GENDER_BITS != 0
    }
    fn common(&self, k: usize) -> bool {
        self.bits(k) & COMMON_BIT != 0
    }
}

/// The last bytes of a text (up to eight, the last one lowest) and its
/// length: whether a text may end with another is mostly told by these
/// alone, without reading the texts.
#[derive(Clone, Copy)]
struct Tail {
    bytes: u64,
    len: usize,
}

impl Tail {
    fn of(text: &[u8]) -> Tail {
        let n = text.len();
        let bytes = if n >= 8 {
            u64::from_be_bytes(text[n - 8..].try_into().expect("eight bytes"))
        } else {
            // Four, two and one bytes, as the length has them.
            let mut v = 0u64;
            let mut i = 0;
            if n & 4 != 0 {
                v = u64::from(u32::from_be_bytes(
                    text[..4].try_into().expect("four bytes"),
                ));
                i = 4;
            }
            if n & 2 != 0 {
                let two = u16::from_be_bytes(text[i..i + 2].try_into().expect("two bytes"));
                v = v << 16 | u64::from(two);
                i += 2;
            }
            if n & 1 != 0 {
                v = v << 8 | u64::from(text[i]);
            }
            v
        };
        Tail {
            bytes,
            len: text.len(),
        }
    }

    /// Whether the texts may be the same: their lengths and last bytes
    /// are (and then so are the texts if they have eight bytes or fewer).
    fn is(self, other: Tail) -> bool {
        (self.len == other.len) & (self.bytes == other.bytes)
    }

    /// Whether the text may end with `other`'s: its last bytes do (and
    /// then so does the text if `other` has eight bytes or fewer).
    fn may_end_with(self, other: Tail) -> bool {
        // (No bytes to compare for an empty `other`: every text ends with it.)
        let mask = u64::MAX
            .checked_shr(64 - 8 * other.len.min(8) as u32)
            .unwrap_or(0);
        (self.len >= other.len) & ((self.bytes ^ other.bytes) & mask == 0)
    }
}

fn people(doc: &mut Doc, gaz: &Gazetteer, org_spans: &[Span]) {
    let persons = find_people(doc, gaz, org_spans);
    doc.people = persons;
}

fn find_people(doc: &Doc, gaz: &Gazetteer, org_spans: &[Span]) -> Vec<Person> {
    // The stage's per-token scratch is the thread's spare (given back
    // below): a story's worth of it, allocated and freed for every story,
    // costs more than filling it.
    let mut bits = Spare::take(|s| &mut s.word_bits);
    bits.resize(doc.tokens.len(), TokenWords::UNKNOWN);
    let tw = TokenWords {
        doc,
        gaz,
        bits: Cell::from_mut(&mut bits[..]).as_slice_of_cells(),
    };
    let t = &doc.tokens;
    // Countries and demonyms never start or extend a name.
    let blocking_places = || {
        doc.places
            .iter()
            .filter(|p| matches!(&*p.kind, "country" | "region" | "feature" | "facility"))
    };
    let mut blocked = Spare::take(|s| &mut s.blocked);
    blocked.extend_from_slice(org_spans);
    for p in blocking_places() {
        blocked.extend(p.mentions.iter().map(|m| m.span));
    }
    // Well-known people from the list, by full name or short form
    // ("Bashar al-Assad", "Assad"). They are settled first and kept out of
    // the rules below.
    let listed = listed_people(doc, gaz, &tw, &blocked);
    blocked.extend(listed.iter().map(|(s, _)| *s));
    // Sorted by start: the name words and the surnames below are tested
    // against them in one walk (`Covered`).
    blocked.sort_unstable_by_key(|s| s.start);
    let mut name_words = NameWords::new(doc, &tw, &blocked);
    // Ends of title hits, in order: most words have none right before
    // them, and `title_before` reads every phrase hit to say so.
    let mut title_ends: Vec<usize> = doc
        .phrases
        .iter()
        .filter(|h| h.list == ListKind::Title)
        .map(|h| h.span.end)
        .collect();
    title_ends.sort_unstable();
    // The loop below asks about tokens in order (`k` never goes back): the
    // ends before token `k - 1`'s are passed over once, not searched anew.
    let mut ends_passed = 0;
    let mut title_may_end_before = |k: usize| {
        if k == 0 {
            return false;
        }
        let end = t[k - 1].end as usize;
        while title_ends.get(ends_passed).is_some_and(|&e| e < end) {
            ends_passed += 1;
        }
        title_ends.get(ends_passed) == Some(&end)
    };
    // Room for a story's people at the first push, not grown push by push.
    let mut found: Vec<(Span, Option<(TitleInfo, Span)>)> = Vec::with_capacity(listed.len() + 16);
    found.extend(listed.iter().map(|(s, _)| {
        let k = doc.token_starting_at(s.start).unwrap_or(0);
        (*s, title_before_info(doc, gaz, k))
    }));
    // The token after the last name found: names do not overlap. Most
    // tokens are no name word: only the name words are visited.
    let mut next = 0;
    for &k in name_words.words() {
        let k = k as usize;
        if k < next {
            continue;
        }
        // In capitals a name needs a title before it, or a given name
        // that is no ordinary word (see `name_word`). (The title is read
        // once, here, for this test and for the person.)
        let titled = if title_may_end_before(k) {
            title_before_info(doc, gaz, k)
        } else {
            None
        };
        if !(name_words.starts(k) || titled.is_some()) {
            continue;
        }
        // Extend over following name words (up to 5), middle initials
        // ("Stephen J. Townsend") and particles ("Bashar al-Assad",
        // "Staffan de Mistura", "Osama bin Laden").
        let mut e = k + 1;
        let mut words = 1;
        while e < t.len() && words < 5 {
            let spaced = |a: usize, b: usize| doc.single_space_between(a, b);
            let joined = |a: usize, b: usize| t[a].end == t[b].start;
            // "J." before another name word. (The word is sliced out of the
            // text only where its text is asked: most are name words.)
            let w = || t[e].text(doc.text);
            if e + 2 < t.len()
                && spaced(e - 1, e)
                && t[e].end - t[e].start == 1
                && t[e].is(Token::UPPER)
                && t[e + 1].text(doc.text) == "."
                && joined(e, e + 1)
                && spaced(e + 1, e + 2)
                && name_words.at(e + 2)
            {
                e += 3;
                words += 1;
                continue;
            }
            // A nickname in quotes: Richard "Tex" Coe.
            if e + 3 < t.len()
                && spaced(e - 1, e)
                && matches!(w(), "\"" | "\u{201c}")
                && joined(e, e + 1)
                && t[e + 1].is(Token::CAP)
                && joined(e + 1, e + 2)
                && matches!(t[e + 2].text(doc.text), "\"" | "\u{201d}")
                && spaced(e + 2, e + 3)
                && name_words.at(e + 3)
            {
                e += 4;
                words += 1;
                continue;
            }
            // In capitals a later word of a name is never an ordinary word
            // ("SAID", "TO"), even one that is somewhere a given name.
            // (Asked only of a name word: most words after a name are none.)
            let plain = || doc.all_caps && tw.common(e);
            if name_words.at(e) && !plain() && spaced(e - 1, e) {
                e += 1;
                words += 1;
                continue;
            }
            // "al-Assad", "bin Laden", "de Mistura".
            if spaced(e - 1, e) && t[e].is(Token::LOWER) && is_name_particle(w()) {
                let n = if e + 2 < t.len()
                    && t[e + 1].text(doc.text) == "-"
                    && joined(e, e + 1)
                    && joined(e + 1, e + 2)
                {
                    e + 2
                } else if e + 1 < t.len() && spaced(e, e + 1) {
                    e + 1
                } else {
                    break;
                };
                if name_words.at(n) {
                    e = n + 1;
                    words += 1;
                    continue;
                }
            }
            break;
        }
        let first = t[k].text(doc.text);
        let span = doc.tokens_span(k..e);
        // A title makes a person, even of a place's name ("Gen. Coe").
        // Else a name needs two words or more, and the tests below are
        // asked in that order, cheapest first (each reads the places).
        let accept = titled.is_some()
            || e - k >= 2
                // Right after "in", "near", "outside" comes a place, and
                // "Al" before a name is the Arabic article ("Al Anbar",
                // "Al Huwayjah") unless a title says it is a person.
                && !(k > 0
                    && matches!(
                        doc.lower[t[k - 1].start as usize..t[k - 1].end as usize].as_ref(),
                        "in" | "near"
                            | "outside"
                            | "inside"
                            | "around"
                            | "into"
                            | "across"
                            | "toward"
                            | "towards"
                    )
                    || matches!(first, "Al" | "El")
                    || k > 0 && matches!(t[k - 1].text(doc.text), "Al" | "El" | "al" | "el"))
                // A given name that is also a common word ("Will", "Mark")
                // only counts away from the start of a sentence.
                && tw.given(k)
                && !(tw.common(k) && sentence_initial(doc, k) && tw.common(k + 1))
                // In capitals, a place's name is the place ("SAN
                // SALVADOR"). An alternate name of a small place does not
                // count: "LUIS CARLOS GALAN" is no mention of Lewes.
                && !(doc.all_caps
                    && doc.places.iter().any(|p| {
                        p.mentions.iter().any(|m| {
                            m.span.overlaps(span)
                                && (m.form != Form::Alias
                                    || matches!(&*p.kind, "country" | "admin1" | "city"))
                        })
                    }));
        if accept {
            found.push((span, titled));
            next = e;
        }
    }
    // One word alone is a person where only a person fits: "the Assad
    // regime", "Assad's regime", "the regime of Assad", "said Russell.",
    // "Qanbar said". Its other mentions follow below.
    let mut single_names: Vec<&str> = Vec::new();
    if !doc.all_caps {
        let lw = |k: usize| &doc.lower[t[k].start as usize..t[k].end as usize];
        // The words are asked in order: the names found, sorted by start,
        // are walked along with them (`Covered`) rather than searched for
        // each word. (A stable sort: the one below, after the single names
        // are pushed, gives the same order.)
        found.sort_by_key(|(s, _)| s.start);
        let found_spans: Vec<Span> = found.iter().map(|(s, _)| *s).collect();
        let mut in_found = Covered::new(&found_spans);
        // Each name's text ends in `Tail`: most words end unlike every
        // name, and are told so without comparing the texts.
        let mut tails: Vec<(Tail, Span)> = found
            .iter()
            .map(|(f, _)| (Tail::of(doc.slice(*f).as_bytes()), *f))
            .collect();
        // Only the name words (most tokens are none).
        for &k in name_words.words() {
            let k = k as usize;
            let sp = t[k].span();
            let word = t[k].text(doc.text).as_bytes();
            let tail = Tail::of(word);
            if tw.common(k)
                || in_found.covers(sp)
                || is_date_word(doc, k)
                || tails.iter().any(|&(f, span)| {
                    f.may_end_with(tail) && doc.slice(span).as_bytes().ends_with(word)
                })
            {
                continue;
            }
            let next = |d: usize| (k + d < t.len()).then(|| lw(k + d));
            let prev = |d: usize| (k >= d).then(|| lw(k - d));
            let apostrophe = |x: Option<&str>| matches!(x, Some("'") | Some("\u{2019}"));
            let cap_next = k + 1 < t.len() && t[k + 1].is(Token::CAP);
            let regime = next(1) == Some("regime")
                || apostrophe(next(1)) && next(2) == Some("s") && next(3) == Some("regime")
                || prev(1) == Some("of") && prev(2) == Some("regime");
            let said_after = prev(1) == Some("said")
                && matches!(next(1), Some(".") | Some(",") | Some(";"))
                && !cap_next;
            let said_before = matches!(next(1), Some("said") | Some("says") | Some("told"))
                && (k == 0 || !t[k - 1].is_word() || sentence_initial(doc, k))
                && !(k > 0 && t[k - 1].is(Token::CAP));
            let according = prev(1) == Some("to") && prev(2) == Some("according");
            // "Qanbar was a commander in the navy", "X is an Iraqi general".
            let copula = matches!(next(1), Some("is") | Some("was"))
                && matches!(next(2), Some("a") | Some("an"))
                && (k + 3..(k + 6).min(t.len())).any(|j| {
                    (k + 3..j).all(|m| t[m].is_word())
                        && doc.phrases.iter().any(|h| {
                            h.list == ListKind::Title
                                && h.span.start == t[j].start as usize
                                && doc.text[h.span.range()].starts_with(|c: char| c.is_lowercase())
                        })
                });
            // A place's word is none (asked last, of the few words left).
            if (regime
                || said_after
                || said_before
                || according && !cap_next
                || copula
                || apposition(doc, gaz, &title_ends, k).is_some())
                && !doc
                    .places
                    .iter()
                    .any(|p| p.mentions.iter().any(|m| m.span.overlaps(sp)))
            {
                let name = t[k].text(doc.text);
                if !single_names.contains(&name) {
                    single_names.push(name);
                }
                found.push((sp, None));
                tails.push((tail, sp));
            }
        }
        found.sort_by_key(|(s, _)| s.start);
    }
    // Appositions: "NAME, the ... TITLE," give the role.
    let mut persons: Vec<Person> = Vec::with_capacity(found.len());
    for (span, titled) in found {
        let row = listed
            .iter()
            .find(|(s, _)| *s == span)
            .map(|(_, r)| &gaz.lists.people.rows[*r]);
        let name = row.map_or_else(|| doc.slice(span), |r| r.get(1));
        let form = match row {
            Some(r) if r.get(4) == "alias" && !is_surname(r.get(0), r.get(1)) => Form::Alias,
            _ => Form::Name,
        };
        let mention = Mention { span, form };
        // The same name again, or a family name alone after the full
        // name ("Gen. Coe" after "Richard Coe"): one person. Its role is
        // read only if the person has no title yet.
        let one_word = !name.contains(' ');
        let same =
            |q: &Person| q.name == name || one_word && q.name.rsplit(' ').next() == Some(name);
        let known = persons.iter().position(same);
        if let Some(q) = known.map(|j| &mut persons[j]).filter(|q| q.title.is_some()) {
            q.mentions.push(mention);
            continue;
        }
        // A known person without a title takes the one read here. (The
        // name is copied, and the mentions given room for a few, only for
        // a new person.)
        let mut p = Person {
            name: Cow::Borrowed(""),
            canonical: row.map(|r| r.field(1)),
            title: None,
            role: None,
            organization: None,
            country_code: None,
            official: false,
            mentions: Vec::new(),
        };
        let role = titled.or_else(|| {
            let e = doc.token_ending_at(span.end)?;
            apposition(doc, gaz, &title_ends, e)
        });
        if let Some((ti, role_span)) = role {
            fill_role(doc, &mut p, ti, role_span);
        }
        // What the list knows fills what the text does not say.
        if let Some(r) = row {
            if p.title.is_none() && !r.get(2).is_empty() {
                p.title = Some(r.field(2));
                p.official = gaz
                    .lists
                    .titles
                    .rows
                    .iter()
                    .find(|t| t.get(1) == r.get(2))
                    .is_some_and(|t| t.get(2) == "true");
            }
            if p.country_code.is_none() && !r.get(3).is_empty() {
                p.country_code = Some(r.field(3));
            }
        }
        if let Some(j) = known {
            let q = &mut persons[j];
            q.mentions.push(mention);
            q.title = p.title;
            q.role = p.role;
            q.organization = p.organization;
            q.country_code = p.country_code;
            q.official = p.official;
        } else {
            p.name = row.map_or_else(|| owned(name), |r| r.field(1));
            p.mentions = Vec::with_capacity(4);
            p.mentions.push(mention);
            persons.push(p);
        }
    }
    // Surnames alone ("Mujahid") are mentions of the full name. Each is
    // kept as (byte range of the person's name, person): the names are
    // read in place, with no string copied per person. Each person adds
    // up to two, and the given names below up to one more.
    let mut surnames: Vec<(Range<usize>, usize)> = Vec::with_capacity(3 * persons.len());
    for (i, p) in persons.iter().enumerate() {
        if !(p.name.contains(' ') || p.title.is_some() || single_names.contains(&&*p.name)) {
            continue;
        }
        let last = p.name.rfind(' ').map_or(0, |x| x + 1);
        surnames.push((last..p.name.len(), i));
        // "al-Assad" is also "Assad".
        if let Some(pre) = ["al-", "el-", "Al-", "El-"]
            .iter()
            .find(|pre| p.name[last..].starts_with(*pre))
        {
            surnames.push((last + pre.len()..p.name.len(), i));
        }
    }
    // A given name alone is the person too ("Saddam" after "Saddam
    // Hussein") when one person of the story has it, it is nobody's
    // family name and no ordinary word. The candidates are few: whether
    // another person has the word is decided for all of them in one pass
    // over the people's words (instead of a map of every word's count).
    // Each is (byte range of the given name, person, shared with another).
    let mut firsts: Vec<(Range<usize>, usize, bool)> = Vec::new();
    // The names' texts are compared by their `Tail`s first: most differ
    // there.
    let text_of = |(r, i): (&Range<usize>, usize)| &persons[i].name.as_bytes()[r.clone()];
    let mut surname_tails: Vec<Tail> = surnames
        .iter()
        .map(|(r, i)| Tail::of(text_of((r, *i))))
        .collect();
    for (i, p) in persons.iter().enumerate() {
        let Some((first, _)) = p.name.split_once(' ') else {
            continue;
        };
        if first.len() > 2
            && !is_name_particle(first)
            && !matches!(first, "Abu" | "Abd" | "Umm" | "Bin" | "Ibn")
            && gaz.given_name(first).is_some()
            && !gaz.is_common_word(first)
            && !{
                let ft = Tail::of(first.as_bytes());
                surnames
                    .iter()
                    .zip(&surname_tails)
                    .any(|((r, j), st)| st.is(ft) && text_of((r, *j)) == first.as_bytes())
            }
        {
            firsts.push((0..first.len(), i, false));
        }
    }
    // The lengths of the candidates (bit `len`, up to 63 bytes): most
    // words have none of them.
    let first_lens = firsts
        .iter()
        .fold(0u64, |m, (r, _, _)| m | 1 << r.len().min(63));
    if first_lens != 0 {
        let first_tails: Vec<Tail> = firsts
            .iter()
            .map(|(r, i, _)| Tail::of(text_of((r, *i))))
            .collect();
        for (j, q) in persons.iter().enumerate() {
            for w in q.name.as_bytes().split(|&b| b == b' ') {
                if first_lens & (1 << w.len().min(63)) == 0 {
                    continue;
                }
                let wt = Tail::of(w);
                for ((r, i, shared), ft) in firsts.iter_mut().zip(&first_tails) {
                    if ft.is(wt) && *i != j && text_of((r, *i)) == w {
                        *shared = true;
                    }
                }
            }
        }
    }
    let n_surnames = surnames.len();
    surnames.extend(
        firsts
            .into_iter()
            .filter(|(_, _, shared)| !shared)
            .map(|(r, i, _)| (r, i)),
    );
    surname_tails.extend(
        surnames[n_surnames..]
            .iter()
            .map(|(r, i)| Tail::of(text_of((r, *i)))),
    );
    // By length (modulo 64: a longer name shares the entry of its length
    // less 64, and the comparison below tells them apart), the
    // first and the last bytes of the names (bit `b & 63`): every word
    // the walk below reads is looked for, and one whose length and first
    // letter no name has together is passed over without comparing it
    // with each name; the last letter turns away most of the rest (with a
    // dozen people, most letters start a name).
    // The lengths (bit `len`) are asked first, before the token's flags or
    // text are read: most words have no name's length.
    let byte_bit = |b: u8| 1u64 << (b & 63);
    let mut lens = 0u64;
    let mut firsts_by_len = [0u64; 64];
    let mut lasts_by_len = [0u64; 64];
    for (r, i) in &surnames {
        if !r.is_empty() {
            let name = persons[*i].name.as_bytes();
            lens |= 1 << (r.len() & 63);
            firsts_by_len[r.len() & 63] |= byte_bit(name[r.start]);
            lasts_by_len[r.len() & 63] |= byte_bit(name[r.end - 1]);
        }
    }
    let bytes = doc.text.as_bytes();
    // A word inside a blocked span or a person's mention is no new
    // mention (most words that match are in the very name they match:
    // "Coe" of "Richard Coe"). Those spans, sorted by start, are walked
    // along with the tokens. (The mentions added below are earlier
    // tokens, which never overlap a later one.)
    let mut taken = blocked;
    if !surnames.is_empty() {
        taken.extend(
            persons
                .iter()
                .flat_map(|p| p.mentions.iter().map(|m| m.span)),
        );
        taken.sort_unstable_by_key(|s| s.start);
    }
    // Only capitalized words can match. The lookup stage marked
    // (`WordTally::name_cases`) each capitalized word whose word bits may
    // make it a name word in the story's case, and each whose bits it did
    // not read; a word spelled like a name has that name's bits. So where
    // every name's bits mark it, only the marked tokens are read (gathered
    // by `NameWords::new`: in mixed-case copy the capitalized words, and
    // fewer in capitals copy); else (a listed person's name may be a word
    // never taken for a name word: "Theresa May") every token is.
    let by_bits = &NAME_FLAGS_BY_BITS[usize::from(doc.all_caps)];
    let marked_only = doc.word_tally.name_cases.len() == t.len().next_multiple_of(8)
        && surnames.iter().all(|(r, i)| {
            r.is_empty() || by_bits[usize::from(gaz.word_bits(&persons[*i].name[r.clone()]))] != 0
        });
    // Without such names there is nothing to look for.
    let n = if surnames.is_empty() {
        0
    } else if marked_only {
        name_words.n_marked
    } else {
        keep_indices(&mut name_words.marked, t.len(), |_| true)
    };
    // The words with a name's length, first and last letters are kept (in
    // place, without a branch on the answer: it goes either way from one
    // word to the next), and only those compared with the names.
    let cands = &mut name_words.marked[..n];
    let mut kept = 0;
    for j in 0..cands.len() {
        let k = cands[j] as usize;
        let tok = &t[k];
        let (start, end) = (tok.start as usize, tok.end as usize);
        let len = (end - start) & 63;
        let keep = ((lens >> len) & 1 != 0)
            & tok.is(Token::CAP)
            & (firsts_by_len[len] & byte_bit(bytes[start]) != 0)
            & (lasts_by_len[len] & byte_bit(bytes[end - 1]) != 0);
        cands[kept] = k as u32;
        kept += usize::from(keep);
    }
    let mut covered = Covered::new(&taken);
    for &k in &cands[..kept] {
        let k = k as usize;
        let tok = &t[k];
        let (start, end) = (tok.start as usize, tok.end as usize);
        let sp = tok.span();
        if covered.covers(sp) {
            continue;
        }
        let s = &bytes[start..end];
        let tail = Tail::of(s);
        let found = surnames
            .iter()
            .zip(&surname_tails)
            .position(|((r, i), st)| st.is(tail) && persons[*i].name.as_bytes()[r.clone()] == *s);
        if let Some(ix) = found {
            let i = surnames[ix].1;
            let place = ix >= n_surnames
                && doc
                    .places
                    .iter()
                    .any(|p| p.mentions.iter().any(|m| m.span.overlaps(sp)));
            if !place {
                persons[i].mentions.push(Mention {
                    span: sp,
                    form: Form::Name,
                });
            }
        }
    }
    for p in &mut persons {
        p.mentions.sort_by_key(|m| m.span.start);
        story_name(doc, &mut p.name, p.canonical.as_deref(), &p.mentions);
    }
    Spare::give(|s| &mut s.blocked, taken);
    name_words.give();
    Spare::give(|s| &mut s.word_bits, bits);
    persons
}

/// An entity from a list is named as the story names it: its canonical
/// name when a mention spells it ("the Associated Press"), else the
/// longest of its name mentions ("FMLN", "Assad"), first one on ties. The
/// list's name stays in `canonical`.
fn story_name(
    doc: &Doc,
    name: &mut Cow<'static, str>,
    canonical: Option<&str>,
    mentions: &[Mention],
) {
    let Some(canonical) = canonical else {
        return;
    };
    let names = mentions
        .iter()
        .filter(|m| m.form != Form::Nominal && m.form != Form::Pronoun);
    // Where both are ASCII (nearly always) no lowercase copy is made: a
    // window of the mention equal to the name in ASCII case is the same
    // test. (Lowercasing other letters may change their lengths, or even
    // give ASCII letters: the Kelvin sign gives 'k'.)
    let ascii = canonical.is_ascii();
    let spelled = names.clone().any(|m| {
        let text = doc.slice(m.span);
        if ascii && text.is_ascii() {
            canonical.is_empty()
                || text
                    .as_bytes()
                    .windows(canonical.len())
                    .any(|w| w.eq_ignore_ascii_case(canonical.as_bytes()))
        } else {
            text.to_lowercase().contains(&canonical.to_lowercase())
        }
    });
    if spelled {
        return;
    }
    if let Some(m) = names.rev().max_by_key(|m| m.span.len()) {
        *name = owned(doc.slice(m.span));
    }
}

/// Listed people found in the story: (span, row of `people.tsv`), looked
/// up at capitalized words, longest name first. In mixed case the text
/// must match the list's spelling; in capitals only full names of two
/// words or more count. A short form right after another
/// name word is somebody else of that name ("Laura Bush"), and one that is
/// exactly a place's name is the place.
fn listed_people(
    doc: &Doc,
    gaz: &Gazetteer,
    tw: &TokenWords,
    blocked: &[Span],
) -> Vec<(Span, usize)> {
    let mut out: Vec<(Span, usize)> = Vec::new();
    let t = &doc.tokens;
    let rows = &gaz.lists.people.rows;
    // The longest listed name starting at each capitalized word (or at a
    // particle: "bin Laden"). Only the open words can start one: the
    // lookup stage asked the people filter of every word with a lexeme
    // (see `WordTally::open_words`): an open word with a lexeme passed it.
    // The filter is asked of an open word without a lexeme (it was not
    // asked) before the particle test, which slices the word out of the
    // text: it turns away nearly every lowercase word first.
    let mut hits: Vec<(Span, usize)> = Vec::new();
    let mut next = 0;
    for &k in &doc.word_tally.open_words {
        let k = k as usize;
        if k < next {
            continue;
        }
        let lex = doc.lexemes.get(k).unwrap_or(&Lexeme::UNKNOWN);
        let starts = t[k].is_word()
            && (lex.bits != Lexeme::UNKNOWN_BITS || gaz.may_start_person(&doc.lower, &t[k], lex))
            && (t[k].is(Token::CAP) || is_name_particle(t[k].text(doc.text)));
        if !starts {
            continue;
        }
        let start = t[k].start as usize;
        let mut best: Option<(Span, usize, usize)> = None;
        // The hash of `doc.lower[start..]` up to the last word, grown
        // token by token.
        let mut key = NameKey::at(start);
        for (e, te) in t.iter().enumerate().skip(k) {
            let end = te.end as usize;
            if end - start > gaz.people_max_len() {
                break;
            }
            if !te.is_word() {
                continue;
            }
            let span = Span::new(start, end);
            key.grow_to(doc.lower.as_bytes(), end);
            // `doc.lower` is the ASCII-lowercased text, so a span that is a
            // listed name (in any ASCII case) has every shorter span from
            // `start` as a byte prefix of that name: once this span is no
            // name's prefix, no longer one can be a name.
            if !gaz.may_continue_person(key.key()) {
                break;
            }
            let found = gaz.people_with_key(key.key()).find(|&r| {
                let text = doc.slice(span);
                let (name, alias) = (rows[r].get(0), rows[r].get(4) == "alias");
                if doc.all_caps {
                    !alias && name.contains(' ') && name.eq_ignore_ascii_case(text)
                } else {
                    text == name
                }
            });
            if let Some(r) = found {
                best = Some((span, r, e));
            }
        }
        if let Some((span, r, e)) = best {
            hits.push((span, r));
            next = e + 1;
        }
    }
    for (span, row_ix) in hits {
        let alias = rows[row_ix].get(4) == "alias";
        if blocked.iter().any(|b| b.overlaps(span)) {
            continue;
        }
        let in_place = doc.places.iter().any(|p| {
            p.mentions.iter().any(|m| {
                m.span.overlaps(span) && (m.span.len() > span.len() || alias && m.span == span)
            })
        });
        if in_place {
            continue;
        }
        if alias {
            let Some(k) = doc.token_starting_at(span.start) else {
                continue;
            };
            let after_name = k > 0 && {
                let p = &t[k - 1];
                let joined = p.end == t[k].start && p.text(doc.text) == "-";
                let spaced = doc.text[p.end as usize..t[k].start as usize] == *" ";
                joined
                    || spaced
                        && p.is(Token::CAP)
                        && title_before_info(doc, gaz, k).is_none()
                        && (tw.given(k - 1) || !tw.common(k - 1))
            };
            if after_name {
                continue;
            }
        }
        out.push((span, row_ix));
    }
    out
}

/// Is `short` the family name of `full` ("Assad" of "Bashar al-Assad")?
fn is_surname(short: &str, full: &str) -> bool {
    full.rsplit([' ', '-']).next() == Some(short)
}

/// A title hit ending right before token `k`, and the whole role span
/// (extended left over modifiers, demonyms and organization names).
fn title_before_info<'g>(doc: &Doc, gaz: &'g Gazetteer, k: usize) -> Option<(TitleInfo<'g>, Span)> {
    if k == 0 {
        return None;
    }
    let prev_end = doc.tokens[k - 1].end as usize;
    let (hit, ti) = titles_ending_at(doc, gaz, prev_end)?;
    if ti.canonical.starts_with("mr")
        || ti.canonical.starts_with("mrs")
        || ti.canonical.starts_with("ms")
    {
        return Some((ti, hit));
    }
    let start = extend_role_left(doc, gaz, doc.token_starting_at(hit.start)?);
    Some((ti, Span::new(doc.tokens[start].start as usize, hit.end)))
}

fn is_modifier(gaz: &Gazetteer, w: &str) -> bool {
    gaz.is_title_modifier(w)
}

/// Extends a role leftwards from token `k` over modifiers, demonyms,
/// capitalized organization words ("Afghan government spokesman",
/// "Afghan Foreign Ministry deputy spokesman").
fn extend_role_left(doc: &Doc, gaz: &Gazetteer, mut k: usize) -> usize {
    while k > 0 {
        let p = &doc.tokens[k - 1];
        if !p.is_word() || doc.text[p.end as usize..doc.tokens[k].start as usize] != *" " {
            break;
        }
        let w = p.text(doc.text);
        let sp = p.span();
        let in_org = doc.organizations.iter().any(|o| {
            o.mentions
                .iter()
                .any(|m| m.span.contains(sp) && m.form != Form::Nominal)
        });
        let demonym = doc
            .places
            .iter()
            .any(|pl| pl.mentions.iter().any(|m| m.span == sp));
        if is_modifier(gaz, w) || in_org || demonym {
            k -= 1;
        } else {
            break;
        }
    }
    k
}

/// "NAME, the Afghan Foreign Ministry deputy spokesman," → the role.
/// `e` is the name's last token. `title_ends` are the ends of the title
/// hits, sorted: most tokens end none, and are passed over without
/// reading the hits.
fn apposition<'g>(
    doc: &Doc,
    gaz: &'g Gazetteer,
    title_ends: &[usize],
    e: usize,
) -> Option<(TitleInfo<'g>, Span)> {
    let t = &doc.tokens;
    if e + 2 >= t.len() || t[e + 1].text(doc.text) != "," {
        return None;
    }
    let mut s = e + 2;
    if matches!(t[s].text(doc.text), "the" | "a" | "an") {
        s += 1;
    }
    // The first title hit within the next 8 tokens, preceded only by role words.
    for k in s..(s + 8).min(t.len()) {
        let tok_end = t[k].end as usize;
        if title_ends.binary_search(&tok_end).is_err() {
            continue;
        }
        if let Some((hit, ti)) = titles_ending_at(doc, gaz, tok_end) {
            let hs = doc.token_starting_at(hit.start)?;
            if extend_role_left(doc, gaz, hs) <= s {
                return Some((ti, Span::new(t[s].start as usize, tok_end)));
            }
            return None;
        }
    }
    None
}

fn fill_role(doc: &Doc, p: &mut Person, ti: TitleInfo, role_span: Span) {
    let role = doc.slice(role_span);
    const RANKS: [&str; 5] = ["deputy", "vice", "assistant", "acting", "interim"];
    // Which ranks the role has, read in one pass (`doc.lower` is the text
    // ASCII-lowercased byte for byte).
    let mut has = [false; RANKS.len()];
    for w in doc.lower[role_span.range()].split_whitespace() {
        if let Some(r) = RANKS.iter().position(|&r| r == w) {
            has[r] = true;
        }
    }
    let mut title = ti.canonical.clone();
    for (rank, has) in RANKS.iter().zip(has) {
        if has && !title.starts_with(rank) {
            title = Cow::Owned(format!("{rank} {title}"));
        }
    }
    p.title = Some(title);
    p.role = Some(role.to_string());
    p.official = ti.official;
    p.organization = doc.organizations.iter().position(|o| {
        o.mentions
            .iter()
            .any(|m| role_span.contains(m.span) && m.form != Form::Nominal)
    });
    p.country_code = doc
        .places
        .iter()
        .find(|pl| pl.kind == "country" && pl.mentions.iter().any(|m| role_span.contains(m.span)))
        .and_then(|pl| pl.country_code.clone())
        .or_else(|| {
            p.organization
                .and_then(|o| doc.organizations[o].country_code.clone())
        });
}

/// Removes name mentions of places that lie inside organization or person
/// names, and places left without mentions.
fn drop_covered_places(doc: &mut Doc, covered: &mut [Span]) {
    // Sorted by start, each span's end raised to the furthest end so far: a
    // mention lies inside some covered span if and only if the last one
    // starting at or before it reaches its end.
    covered.sort_unstable_by_key(|c| c.start);
    let mut reach = 0;
    for c in covered.iter_mut() {
        reach = reach.max(c.end);
        c.end = reach;
    }
    let is_covered = |m: Span| {
        let n = covered.partition_point(|c| c.start <= m.start);
        n > 0 && covered[n - 1].end >= m.end
    };
    for p in &mut doc.places {
        p.mentions
            .retain(|m| m.form == Form::Demonym || !is_covered(m.span));
    }
    // Nearly always every place keeps a mention, and nothing is renumbered.
    if doc.places.iter().all(|p| !p.mentions.is_empty()) {
        return;
    }
    let keep: Vec<bool> = doc.places.iter().map(|p| !p.mentions.is_empty()).collect();
    let mut new_index = Vec::with_capacity(keep.len());
    let mut n = 0;
    for &k in &keep {
        new_index.push(k.then_some(n));
        if k {
            n += 1;
        }
    }
    let mut i = 0;
    doc.places.retain(|_| {
        let k = keep[i];
        i += 1;
        k
    });
    if let Some(d) = doc.dateline.as_mut() {
        d.place = d.place.and_then(|p| new_index[p]);
    }
}

#[cfg(test)]
#[test]
fn tails_never_deny_what_the_texts_say() {
    let words = [
        "",
        "a",
        "Li",
        "Ali",
        "Omar",
        "Bakr",
        "Sadr",
        "al-Sadr",
        "Hussein",
        "Husseini",
        "Abdullah",
        "bin Abdullah",
        "Mohammed",
        "Muhammad",
        "de la Cruz",
        "Cruz",
        "La Cruz",
        "Aa",
        "aA",
    ];
    for a in words {
        for b in words {
            let (ta, tb) = (Tail::of(a.as_bytes()), Tail::of(b.as_bytes()));
            // Never a false "no"; and exact for texts of eight bytes or fewer.
            assert!(!a.ends_with(b) || ta.may_end_with(tb), "{a:?} {b:?}");
            assert!(a != b || ta.is(tb), "{a:?} {b:?}");
            if b.len() <= 8 {
                assert_eq!(ta.may_end_with(tb), a.ends_with(b), "{a:?} {b:?}");
            }
            if a.len() <= 8 && b.len() <= 8 {
                assert_eq!(ta.is(tb), a == b, "{a:?} {b:?}");
            }
        }
    }
}
#[cfg(test)]
#[test]
fn gather_marked_keeps_what_keep_indices_keeps() {
    // Every pattern of a byte's bits, and marks of several bits.
    let marks: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8 & 3)
        .collect();
    for bit in 0..2 {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        let n = gather_marked(&mut a, &marks, bit);
        let m = keep_indices(&mut b, marks.len(), |k| marks[k] & (1 << bit) != 0);
        assert_eq!(a[..n], b[..m]);
    }
}
