//! Incidents: triggers, arguments, one record per event.
//!
//! Reads tokens, sentences, phrase hits (triggers, actors, targets,
//! weapons), places, organizations, the dateline; writes `Doc::incidents`.
//!
//! 1. **Event sentences.** A sentence reports an event when it holds a
//!    strong trigger ("skirmish", "car bomb", "kidnapped"), or a weak one
//!    ("attack", "explosion", "killed") with support: a casualty count, a
//!    perpetrator, a weapon or a target. A trigger under a threat, denial
//!    or hypothesis ("threatened to attack", "denied", "could") does not
//!    count.
//! 2. **Arguments** are read in the event sentence: casualty counts in the
//!    patterns wire copy uses ("Four gunmen ... were killed", "killed three
//!    Chinese workers and wounded a fourth", "two people have been killed and
//!    one injured", "death toll rose to 12", "dozens" kept as text);
//!    perpetrators (actor nouns, armed groups), victims (with count and
//!    nationality from a demonym), targets, weapons, the location (places
//!    after "in", "into", "near", not after "from" or "border with"), the
//!    date (resolved against the dateline date or `--date`), and who
//!    reported it ("the committee said").
//! 3. **One incident per event.** A sentence joins the previous incident
//!    when it refers back to it ("the attack", "the ensuing skirmish") or
//!    reports the same kind of event without contradicting its counts;
//!    otherwise it starts a new one. Sentences between two sentences of one
//!    incident are its evidence too.

use crate::doc::{
    one_space, Argument, Doc, Form, Incident, IncidentDate, IncidentLocation, Span, Spare, Token,
    TokenKind,
};
use crate::gazetteer::{Gazetteer, ListKind, PhraseHit};
use crate::stages::dateline::{full_year, iso_date, month_number, weekday_number};
use crate::stages::keep_indices;

/// Words that, shortly before a trigger, make it no event.
///
/// Most word lists below are `match`es rather than slices to search: they
/// are asked about every word of an event sentence, and a `match` against
/// literals compiles to cheap length and byte compares. This one is
/// searched only by the few words that pass a bit test ([`is_modal`]).
const MODAL_WORDS: &[&[u8]] = &[
    b"if",
    b"may",
    b"can",
    b"vow",
    b"deny",
    b"plan",
    b"will",
    b"must",
    b"vows",
    b"could",
    b"would",
    b"might",
    b"plans",
    b"avoid",
    b"shall",
    b"vowed",
    b"false",
    b"deter",
    b"avert",
    b"rumor",
    b"threat",
    b"denied",
    b"denies",
    b"warned",
    b"unless",
    b"feared",
    b"should",
    b"intend",
    b"rumors",
    b"rumour",
    b"threats",
    b"planned",
    b"prevent",
    b"against",
    b"condemn",
    b"intends",
    b"rumours",
    b"threaten",
    b"planning",
    b"possible",
    b"intended",
    b"averting",
    b"threatens",
    b"condemned",
    b"deterring",
    b"threatened",
];

/// The edges of [`MODAL_WORDS`] by length, for [`is_modal`].
const MODAL_EDGES: [CueEdges; 16] = {
    let mut t = [CueEdges::NONE; 16];
    let mut i = 0;
    while i < MODAL_WORDS.len() {
        let w = MODAL_WORDS[i];
        // Shortest first, or a length's words would not be one run.
        assert!(i == 0 || MODAL_WORDS[i - 1].len() <= w.len());
        t[w.len()].add(w, i);
        i += 1;
    }
    t
};

/// Is `w` one of [`MODAL_WORDS`]? Asked of the four words before every
/// trigger: most are turned away by one bit test of their length, first
/// and last letters, without the jump on their length and the compares
/// a `match` makes; the rest are compared with the words of their length.
#[inline(always)]
fn is_modal(w: &[u8]) -> bool {
    let (Some(e), Some(&a), Some(&z)) = (MODAL_EDGES.get(w.len()), w.first(), w.last()) else {
        return false;
    };
    e.pairs[usize::from(a & 31)] >> (z & 31) & 1 != 0
        && MODAL_WORDS[usize::from(e.from)..usize::from(e.to)].contains(&w)
}

/// The value of a number word ("four", "twenty", "dozen").
fn number_word(w: &str) -> Option<u32> {
    Some(match w {
        "one" => 1,
        "two" => 2,
        "three" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        "eleven" => 11,
        "twelve" => 12,
        "thirteen" => 13,
        "fourteen" => 14,
        "fifteen" => 15,
        "sixteen" => 16,
        "seventeen" => 17,
        "eighteen" => 18,
        "nineteen" => 19,
        "twenty" => 20,
        "thirty" => 30,
        "forty" => 40,
        "fifty" => 50,
        "sixty" => 60,
        "seventy" => 70,
        "eighty" => 80,
        "ninety" => 90,
        "hundred" => 100,
        "a dozen" => 12,
        "dozen" => 12,
        _ => return None,
    })
}

/// Counts without a number ("dozens", "several").
fn is_vague(w: &str) -> bool {
    matches!(
        w,
        "dozens" | "scores" | "hundreds" | "thousands" | "several" | "many" | "some"
    )
}

/// What a word of an event sentence says: what a casualty or damage word
/// says was done, to people (killed, injured) or to things (damaged), or
/// that the report is denied or the weapons are traded.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Cue {
    /// Words of killing and death.
    Kill,
    /// Words of injury.
    Injure,
    /// Words of damage that make a nearby target noun a target ("the
    /// bridge was destroyed").
    Damage,
    /// Words that deny a report ("The report of a bombardment is false").
    Denial,
    /// Words that say weapons changed hands or were found, not used
    /// ("mortars and shells were purchased").
    Trade,
}

/// The cue words and what each says, shortest first, so that the words of
/// one length are side by side (see [`CUE_EDGES`]).
const CUE_WORDS: &[(&str, Cue)] = &[
    ("hit", Cue::Damage),
    ("buy", Cue::Trade),
    ("dead", Cue::Kill),
    ("died", Cue::Kill),
    ("body", Cue::Kill),
    ("hurt", Cue::Injure),
    ("blew", Cue::Damage),
    ("sold", Cue::Trade),
    ("sell", Cue::Trade),
    ("sale", Cue::Trade),
    ("kills", Cue::Kill),
    ("slain", Cue::Kill),
    ("death", Cue::Kill),
    ("lives", Cue::Kill),
    ("razed", Cue::Damage),
    ("burnt", Cue::Damage),
    ("blown", Cue::Damage),
    ("false", Cue::Denial),
    ("sales", Cue::Trade),
    ("found", Cue::Trade),
    ("cache", Cue::Trade),
    ("deals", Cue::Trade),
    ("killed", Cue::Kill),
    ("deaths", Cue::Kill),
    ("murder", Cue::Kill),
    ("bodies", Cue::Kill),
    ("damage", Cue::Damage),
    ("burned", Cue::Damage),
    ("struck", Cue::Damage),
    ("looted", Cue::Damage),
    ("untrue", Cue::Denial),
    ("bought", Cue::Trade),
    ("buying", Cue::Trade),
    ("supply", Cue::Trade),
    ("seized", Cue::Trade),
    ("caches", Cue::Trade),
    ("killing", Cue::Kill),
    ("wounded", Cue::Injure),
    ("injured", Cue::Injure),
    ("damaged", Cue::Damage),
    ("torched", Cue::Damage),
    ("burning", Cue::Damage),
    ("selling", Cue::Trade),
    ("shipped", Cue::Trade),
    ("seizure", Cue::Trade),
    ("arsenal", Cue::Trade),
    ("murdered", Cue::Kill),
    ("executed", Cue::Kill),
    ("wounding", Cue::Injure),
    ("injuring", Cue::Injure),
    ("injuries", Cue::Injure),
    ("damaging", Cue::Damage),
    ("baseless", Cue::Denial),
    ("purchase", Cue::Trade),
    ("supplied", Cue::Trade),
    ("supplies", Cue::Trade),
    ("shipment", Cue::Trade),
    ("smuggled", Cue::Trade),
    ("massacred", Cue::Kill),
    ("destroyed", Cue::Damage),
    ("ransacked", Cue::Damage),
    ("unfounded", Cue::Denial),
    ("purchased", Cue::Trade),
    ("purchases", Cue::Trade),
    ("shipments", Cue::Trade),
    ("smuggling", Cue::Trade),
    ("stockpile", Cue::Trade),
    ("destroying", Cue::Damage),
    ("discovered", Cue::Trade),
    ("stockpiles", Cue::Trade),
    ("trafficking", Cue::Trade),
    ("confiscated", Cue::Trade),
    ("assassinated", Cue::Kill),
    ("assassination", Cue::Kill),
];

/// What [`CUE_EDGES`] and [`MODAL_EDGES`] hold for the words of one length
/// of their lists ([`CUE_WORDS`], [`MODAL_WORDS`]).
#[derive(Clone, Copy)]
struct CueEdges {
    /// Their first and last letters: for a first letter `a`, bit `z & 31`
    /// of `pairs[a & 31]` is set when a word ends with `z`. The low five
    /// bits tell letters apart; a byte that is no letter and shares them
    /// with one only costs a comparison.
    pairs: [u32; 32],
    /// Where they are in the list: `from..to`.
    from: u8,
    to: u8,
}

/// For each word length, the edges of the words of [`CUE_WORDS`] of that
/// length: [`Anchors::fill`] asks about every word of an event sentence, and
/// most are turned away by one bit test of their first and last letters
/// together, before any comparison; the rest are compared only with the
/// words of their length.
const CUE_EDGES: [CueEdges; 16] = {
    let mut t = [CueEdges::NONE; 16];
    let mut i = 0;
    while i < CUE_WORDS.len() {
        let w = CUE_WORDS[i].0.as_bytes();
        // Shortest first, or a length's words would not be one run.
        assert!(i == 0 || CUE_WORDS[i - 1].0.len() <= w.len());
        t[w.len()].add(w, i);
        i += 1;
    }
    t
};

impl CueEdges {
    const NONE: CueEdges = CueEdges {
        pairs: [0; 32],
        from: 0,
        to: 0,
    };

    /// Notes the word `w`, at `i` in its list (sorted by length).
    const fn add(&mut self, w: &[u8], i: usize) {
        if self.to == 0 {
            self.from = i as u8;
        }
        self.pairs[(w[0] & 31) as usize] |= 1 << (w[w.len() - 1] & 31);
        self.to = i as u8 + 1;
    }
}

/// What a word (lowercase bytes) cues, if anything.
///
/// Always inlined: a call per word of an event sentence would cost more
/// than the bit test that turns most words away.
#[inline(always)]
fn cue_of(w: &[u8]) -> Option<Cue> {
    let (Some(e), Some(&a), Some(&z)) = (CUE_EDGES.get(w.len()), w.first(), w.last()) else {
        return None;
    };
    if e.pairs[usize::from(a & 31)] >> (z & 31) & 1 == 0 {
        return None;
    }
    // The first and last letters are compared before the call that
    // compares all.
    CUE_WORDS[e.from as usize..e.to as usize]
        .iter()
        .find(|(x, _)| {
            let x = x.as_bytes();
            x[0] == a && x[x.len() - 1] == z && x == w
        })
        .map(|&(_, h)| h)
}

fn is_kill_word(w: &str) -> bool {
    cue_of(w.as_bytes()) == Some(Cue::Kill)
}

fn is_injure_word(w: &str) -> bool {
    cue_of(w.as_bytes()) == Some(Cue::Injure)
}

fn is_damage_word(w: &str) -> bool {
    cue_of(w.as_bytes()) == Some(Cue::Damage)
}

/// Type precedence when a sentence has several triggers.
fn type_rank(t: &str) -> u8 {
    match t {
        "bombing" | "air_drone_strike" | "shelling" | "abduction" | "assassination"
        | "hijacking" => 7,
        "arson" | "robbery" => 6,
        "armed_clash" => 5,
        "attack" => 4,
        "riot" => 3,
        "protest" => 2,
        "arrest" => 1,
        _ => 0,
    }
}

fn family(t: &str) -> u8 {
    match t {
        "attack" | "armed_clash" | "bombing" | "air_drone_strike" | "shelling"
        | "assassination" => 1,
        "abduction" | "hijacking" => 2,
        "arson" | "robbery" => 3,
        "protest" | "riot" => 4,
        "arrest" => 5,
        _ => 6,
    }
}

struct Trig<'g> {
    span: Span,
    kind: &'g str,
    acled: (&'g str, &'g str),
    strong: bool,
    anaphoric: bool,
}

pub fn run(doc: &mut Doc, gaz: &Gazetteer) {
    let mut incidents: Vec<Incident> = Vec::new();
    // The last sentence of the last incident's account.
    let mut last_sentence = 0;
    // Buffers filled anew for each event sentence, kept across sentences
    // so that they are allocated once per story, not once per sentence.
    let mut trigs: Vec<Trig> = Vec::new();
    let mut anchors = Anchors::default();
    // The phrase hits of each sentence in turn: hits and sentences are both
    // in text order, so one cursor walks them.
    let mut from = 0;
    for s in 0..doc.sentences.len() {
        let span = doc.sentences[s].span;
        while doc
            .phrases
            .get(from)
            .is_some_and(|h| h.span.start < span.start)
        {
            from += 1;
        }
        let mut to = from;
        while doc.phrases.get(to).is_some_and(|h| h.span.start < span.end) {
            to += 1;
        }
        let hits = &doc.phrases[from..to];
        triggers(doc, gaz, s, hits, &mut anchors, &mut trigs);
        if trigs.is_empty() {
            continue;
        }
        let mut inc = Incident::new("");
        arguments(doc, gaz, s, hits, &anchors, &mut inc);
        let support = inc.killed.is_some()
            || inc.killed_text.is_some()
            || inc.injured.is_some()
            || !inc.perpetrators.is_empty()
            || !inc.weapons.is_empty()
            || !inc.targets.is_empty();
        let strong = || trigs.iter().filter(|t| t.strong || support);
        let anaphoric = trigs.iter().any(|t| t.anaphoric);
        if strong().next().is_none() {
            // "the attack appeared to have been caused by ...": more about
            // the last incident, no new one.
            if anaphoric {
                if let Some(prev) = incidents.last_mut() {
                    if trigs.iter().any(|t| family(t.kind) == family(&prev.kind)) {
                        prev.evidence.push(span);
                        // "The bomb was hidden in a truck": its weapon.
                        weapons_in(doc, span, hits, &mut prev.weapons);
                        last_sentence = s;
                    }
                }
            }
            continue;
        }
        let best = strong()
            .max_by_key(|t| (type_rank(t.kind), t.strong, std::cmp::Reverse(t.span.start)))
            .unwrap();
        let merge = incidents.last().is_some_and(|prev| {
            let same_family = family(&prev.kind) == family(best.kind);
            let counts_agree = match (prev.killed, inc.killed) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            };
            same_family && counts_agree && (anaphoric || prev.kind == best.kind)
        });
        if merge {
            let prev = incidents.last_mut().unwrap();
            let first = last_sentence;
            // Sentences in between belong to the same account.
            for k in first + 1..s {
                let sp = doc.sentences[k].span;
                let own_trigger = hits_in(doc, ListKind::Trigger, sp).next().is_some();
                if !own_trigger && !prev.evidence.contains(&sp) {
                    prev.evidence.push(sp);
                }
            }
            // The sentence's kind, triggers and evidence go straight into
            // the incident it merges with: no strings or vectors of its own.
            if type_rank(best.kind) > type_rank(&prev.kind) {
                set_kind(prev, best);
            }
            prev.triggers.extend(strong().map(|t| t.span));
            prev.evidence.push(span);
            absorb(prev, inc);
        } else {
            set_kind(&mut inc, best);
            inc.triggers = strong().map(|t| t.span).collect();
            inc.evidence.push(span);
            // Room for two at first, not the four a `Vec` of large items
            // starts with: most stories with an event have one or two,
            // and two incidents fit an allocation the allocator keeps at
            // hand (four are a slower, larger one).
            if incidents.capacity() == 0 {
                incidents.reserve_exact(2);
            }
            incidents.push(inc);
        }
        last_sentence = s;
    }
    // The reference date is read once for all the story's incidents.
    let r = if incidents.is_empty() {
        None
    } else {
        reference(doc)
    };
    for inc in &mut incidents {
        inc.evidence.sort();
        inc.evidence.dedup();
        refine_type(doc, gaz, inc);
        locate(doc, inc);
        date(doc, r, inc);
        reporters(doc, inc);
    }
    doc.incidents = incidents;
    anchors.give();
}

/// Gives `inc` the kind and ACLED types of its trigger `best`.
fn set_kind(inc: &mut Incident, best: &Trig) {
    inc.kind = best.kind.to_string();
    inc.acled_event_type = (!best.acled.0.is_empty()).then(|| best.acled.0.to_string());
    inc.acled_sub_event_type = (!best.acled.1.is_empty()).then(|| best.acled.1.to_string());
}

/// Adds the arguments and counts of `new`, read from a sentence that
/// merges with `prev`, to those `prev` lacks (its kind, triggers and
/// evidence the caller adds).
fn absorb(prev: &mut Incident, new: Incident) {
    if prev.killed.is_none() && prev.killed_text.is_none() {
        prev.killed = new.killed;
        prev.killed_text = new.killed_text;
    }
    if prev.injured.is_none() && prev.injured_text.is_none() {
        prev.injured = new.injured;
        prev.injured_text = new.injured_text;
    }
    for (a, b) in [
        (&mut prev.perpetrators, new.perpetrators),
        (&mut prev.victims, new.victims),
        (&mut prev.targets, new.targets),
        (&mut prev.weapons, new.weapons),
    ] {
        for x in b {
            if !a.iter().any(|y| y.span.overlaps(x.span)) {
                a.push(x);
            }
        }
    }
}

fn lw<'d>(doc: &'d Doc, k: usize) -> &'d str {
    let t = &doc.tokens[k];
    &doc.lower[t.start as usize..t.end as usize]
}

/// [`lw`] as bytes, for comparisons with ASCII words: a byte slice needs
/// none of the char-boundary checks of a `str` one.
fn lb<'d>(doc: &'d Doc, k: usize) -> &'d [u8] {
    let t = &doc.tokens[k];
    &doc.lower.as_bytes()[t.start as usize..t.end as usize]
}

/// Hits of a list inside `span`; in mixed-case text only lowercase ones
/// for the common-noun lists (a capitalized "Ministry" is a name).
fn hits_in<'a>(doc: &'a Doc, list: ListKind, span: Span) -> impl Iterator<Item = &'a PhraseHit> {
    hits_among(doc, hits_starting_in(doc, span), list, span)
}

/// [`hits_in`] for `hits` already cut down to the hits that start inside
/// `span` (a sentence's, found once for all the questions asked about it).
fn hits_among<'a>(
    doc: &'a Doc,
    hits: &'a [PhraseHit],
    list: ListKind,
    span: Span,
) -> impl Iterator<Item = &'a PhraseHit> {
    // The list and span tests, cheap and all most hits are asked, are
    // inlined and taken together, without a branch between them; the case
    // of the words is a call for the few left.
    hits.iter().filter(move |h| {
        (h.list == list) & span.contains(h.span)
            && (doc.all_caps || list == ListKind::Trigger || common_case(doc, h))
    })
}

/// Is the hit `h` of a common-noun list written as a common noun: in
/// lowercase, at the start of a sentence, or (a weapon) as an acronym?
#[inline(never)]
fn common_case(doc: &Doc, h: &PhraseHit) -> bool {
    !doc.text[h.span.range()].starts_with(|c: char| c.is_uppercase())
        // Weapons written as acronyms: "RPG", "AK-47", "IED".
        || h.list == ListKind::Weapon
            && !doc.text[h.span.range()].contains(|c: char| c.is_lowercase())
        || doc
            .token_starting_at(h.span.start)
            .is_some_and(|k| is_start(doc, k))
}

/// The phrase hits that start inside `span`, of every list: hits are
/// sorted by start, so these are the only ones `span` can contain.
fn hits_starting_in<'a>(doc: &'a Doc, span: Span) -> &'a [PhraseHit] {
    let from = doc.phrases.partition_point(|h| h.span.start < span.start);
    let to = doc.phrases.partition_point(|h| h.span.start < span.end);
    &doc.phrases[from..to]
}

/// The triggers of sentence `s`, whose phrase hits are `hits`, put in
/// `out` in place of what it held; once a trigger survives the word tests,
/// `anchors` are filled for the sentence (see [`Anchors::fill`]).
fn triggers<'g>(
    doc: &Doc,
    gaz: &'g Gazetteer,
    s: usize,
    hits: &[PhraseHit],
    anchors: &mut Anchors,
    out: &mut Vec<Trig<'g>>,
) {
    out.clear();
    let (span, sent_start) = (doc.sentences[s].span, doc.sentences[s].tokens.start);
    for h in hits_among(doc, hits, ListKind::Trigger, span) {
        let Some(k) = doc.token_starting_at(h.span.start) else {
            continue;
        };
        // Proper names are not triggers ("Shining Path" is no path, "Attack" a title).
        if !doc.all_caps && doc.tokens[k].is(Token::CAP) && k > 0 && !is_start(doc, k) {
            continue;
        }
        let lo = k.saturating_sub(4);
        if (lo.max(sent_start)..k).any(|j| is_modal(lb(doc, j))) {
            continue;
        }
        // "did not attack", "were never kidnapped".
        if (k.saturating_sub(2).max(sent_start)..k).any(|j| matches!(lb(doc, j), b"not" | b"never"))
        {
            continue;
        }
        // "to attack", "to kidnap": an infinitive is an aim, not an event
        // ("attempt to attack", "ordered to kill", "the plan to bomb").
        let w = lw(doc, k);
        let base_verb = !(w.ends_with('s') || w.ends_with("ed") || w.ends_with("ing"));
        if k > sent_start && lb(doc, k - 1) == b"to" && base_verb {
            continue;
        }
        let row = gaz.row(h);
        let anaphoric = k > 0 && matches!(lb(doc, k - 1), b"the" | b"this" | b"that" | b"ensuing");
        out.push(Trig {
            span: h.span,
            kind: row.get(1),
            acled: (row.get(2), row.get(3)),
            strong: row.get(4) == "strong",
            anaphoric,
        });
    }
    if out.is_empty() {
        return;
    }
    // The sentence's words are read once, for the anchors of its arguments
    // and for the denials and trade words asked about here.
    let cues = anchors.fill(doc, gaz, s, hits);
    // "The report of a bombardment is false" reports no event.
    if cues.denial {
        out.clear();
        return;
    }
    // Deaths in a sentence about a crash or a disaster are the accident's
    // ("four men were killed when the plane crashed").
    if out
        .iter()
        .any(|t| matches!(t.kind, "accident" | "disaster"))
    {
        out.retain(|t| {
            !(t.kind == "attack" && !t.strong && is_kill_word(&doc.lower[t.span.range()]))
        });
    }
    // Weapons bought, sold, seized or found ("mortars and shells were
    // purchased", "police found 50 kg of dynamite") are no attack. Only a
    // trigger that is also a weapon can go.
    let is_weapon =
        |t: &Trig| hits_among(doc, hits, ListKind::Weapon, t.span).any(|h| h.span == t.span);
    if cues.trade && out.iter().any(is_weapon) {
        out.retain(|t| !is_weapon(t));
    }
    // Demonstrators clashing with the police is a riot, not a battle.
    if out.iter().any(|t| t.kind == "protest") {
        for t in out.iter_mut().filter(|t| t.kind == "armed_clash") {
            t.kind = "riot";
            t.acled = ("Riots", "Violent demonstration");
        }
    }
}

fn is_start(doc: &Doc, k: usize) -> bool {
    doc.sentence_of(doc.tokens[k].start as usize)
        .is_some_and(|s| doc.sentences[s].tokens.start == k)
}

/// The number written at token `k` ("15,000", "four", "a dozen").
fn number_at(doc: &Doc, k: usize) -> Option<(u32, usize)> {
    let t = doc.tokens.get(k)?;
    if t.kind == TokenKind::Number {
        // The digits read as one number ("15,000"); none, or too many for
        // a `u32`, is no number.
        let mut digits = t
            .text(doc.text)
            .bytes()
            .filter(u8::is_ascii_digit)
            .peekable();
        digits.peek()?;
        let n = digits.try_fold(0u32, |n, d| {
            n.checked_mul(10)?.checked_add(u32::from(d - b'0'))
        });
        return n.map(|n| (n, k + 1));
    }
    let w = lw(doc, k);
    if w == "a" || w == "an" {
        if k + 1 < doc.tokens.len() && matches!(lb(doc, k + 1), b"dozen") {
            return Some((12, k + 2));
        }
        return None;
    }
    let n = number_word(w)?;
    // "twenty-five"
    if n >= 20 && k + 2 < doc.tokens.len() && doc.tokens[k + 1].text(doc.text) == "-" {
        if let Some(m) = number_word(lw(doc, k + 2)) {
            if m < 10 {
                return Some((n + m, k + 3));
            }
        }
    }
    Some((n, k + 1))
}

/// "a fourth", "another", "one" as a count of one more.
fn one_more(doc: &Doc, k: usize) -> Option<usize> {
    let w = lw(doc, k);
    if w == "another" {
        return Some(k + 1);
    }
    if (w == "a" || w == "an") && k + 1 < doc.tokens.len() {
        let n = lw(doc, k + 1);
        if matches!(
            n,
            "second"
                | "third"
                | "fourth"
                | "fifth"
                | "sixth"
                | "seventh"
                | "eighth"
                | "ninth"
                | "tenth"
                | "man"
                | "woman"
                | "child"
                | "soldier"
                | "policeman"
                | "civilian"
                | "person"
        ) {
            return Some(k + 2);
        }
    }
    None
}

struct Count {
    value: Option<u32>,
    text: Span,
    /// The noun phrase counted ("three Chinese workers").
    phrase: Span,
}

/// A count starting at token `k`: "at least 30", "four gunmen", "dozens".
fn count_at(doc: &Doc, k0: usize, end: usize) -> Option<Count> {
    // Most words are turned away by their first letters.
    if !count_start_bit(doc, k0)
        || doc.tokens[k0].kind != TokenKind::Number && !may_start_count(lb(doc, k0))
    {
        return None;
    }
    let mut k = k0;
    if k + 1 < end && lb(doc, k) == b"at" && lb(doc, k + 1) == b"least" {
        k += 2;
        // A story cut off after "at least" counts nobody.
        if k >= doc.tokens.len() {
            return None;
        }
    }
    let start = doc.tokens[k].start as usize;
    let (value, next) = if let Some((n, next)) = number_at(doc, k) {
        (Some(n), next)
    } else if let Some(next) = one_more(doc, k) {
        (Some(1), next)
    } else if is_vague(lw(doc, k)) {
        (None, k + 1)
    } else {
        return None;
    };
    // Numbers of the dateline or of a date ("30 JUN 89") count nobody.
    // Asked only now, of the few words that start a count: most words
    // start none, and are turned away above without a look at their
    // neighbours.
    let at = doc.tokens[k0].start as usize;
    if doc
        .dateline
        .as_ref()
        .is_some_and(|d| d.span.start <= at && at < d.span.end)
        || k0 > 0 && month_number(lw(doc, k0 - 1)).is_some()
        || k0 + 1 < doc.tokens.len()
            && lb(doc, k0 + 1) != b"may"
            && month_number(lw(doc, k0 + 1)).is_some()
    {
        return None;
    }
    // The counted noun phrase: up to 4 more words, no verbs we know.
    let mut e = next;
    while e < end && e - next < 4 && doc.tokens[e].is_word() && !is_verbish(lw(doc, e)) {
        e += 1;
    }
    let phrase_end = if e > next {
        doc.tokens[e - 1].end as usize
    } else {
        doc.tokens[next - 1].end as usize
    };
    Some(Count {
        value,
        text: Span::new(start, doc.tokens[next - 1].end as usize),
        phrase: Span::new(start, phrase_end),
    })
}

/// Can the word `w` (lowercase) start a count, going by its first letters?
/// Every count starts with a digit, "at" ("at least"), "a" or "an" ("a
/// dozen", "a fourth"), "another", a number word ([`number_word`]) or a
/// vague one ([`is_vague`]); [`count_at`] is asked about many words before
/// a casualty word, and most, "the", "of" or "said", go no further (most
/// already at the bit test of [`count_start_bit`]).
fn may_start_count(w: &[u8]) -> bool {
    matches!(w, [b'a'] | [b'a', b'n' | b't'] | [b'a', b' ', ..])
        || w.get(..3)
            .is_some_and(|p| COUNT_STARTS.iter().any(|s| s[..] == *p))
}

/// The first three letters of the words of three letters or more that
/// start a count ([`may_start_count`]).
const COUNT_STARTS: &[&[u8; 3]] = &[
    b"ano", b"one", b"two", b"twe", b"thr", b"thi", b"tho", b"fou", b"for", b"fiv", b"fif", b"six",
    b"sev", b"eig", b"nin", b"ten", b"ele", b"hun", b"doz", b"sco", b"man", b"som",
];

/// For the low five bits of a word's first two bytes, the low five bits
/// of the third byte that may start a count, a byte past the word's end
/// read as 0 ([`count_start_bit`]): set for [`COUNT_STARTS`], for "a",
/// "an" and "at", and for every third byte after "a" and a space ("a
/// dozen" as one token).
const COUNT_START_BITS: StartBits = {
    let mut t = StartBits::of(COUNT_STARTS).0;
    t[(b'a' & 31) as usize][0] = !0;
    t[(b'a' & 31) as usize][(b'n' & 31) as usize] |= 1;
    t[(b'a' & 31) as usize][(b't' & 31) as usize] |= 1;
    StartBits(t)
};

/// Three-byte word starts as bits, asked of every word without a branch:
/// bit `c & 31` of `[a & 31][b & 31]` for each start `abc`. Other triples
/// that share those low five bits pass too; the full test comes after.
struct StartBits([[u32; 32]; 32]);

impl StartBits {
    const fn of(starts: &[&[u8; 3]]) -> StartBits {
        let mut t = [[0; 32]; 32];
        let mut i = 0;
        while i < starts.len() {
            let [a, b, c] = *starts[i];
            t[(a & 31) as usize][(b & 31) as usize] |= 1 << (c & 31);
            i += 1;
        }
        StartBits(t)
    }

    #[inline(always)]
    fn has(&self, a: u8, b: u8, c: u8) -> bool {
        self.0[usize::from(a & 31)][usize::from(b & 31)] >> (c & 31) & 1 != 0
    }
}

/// May token `k` start a count: is it a number, or do its first three
/// bytes have their bit of [`COUNT_START_BITS`]? Computed without a
/// branch, so that the one on its outcome, nearly always no, is nearly
/// always foreseen (a jump on a word's letters, as [`may_start_count`]
/// makes, goes a different way for every word); true for more words than
/// [`may_start_count`], which is asked next.
#[inline(always)]
fn count_start_bit(doc: &Doc, k: usize) -> bool {
    let t = &doc.tokens[k];
    let (s, len) = (t.start as usize, t.end - t.start);
    // Read with one bounds test; a token in the text's last two bytes
    // passes, to be asked the full question.
    let Some(&[b0, b1, b2]) = doc.lower.as_bytes().get(s..s + 3) else {
        return true;
    };
    let b1 = b1 & u8::from(len >= 2).wrapping_neg();
    let b2 = b2 & u8::from(len >= 3).wrapping_neg();
    COUNT_START_BITS.has(b0, b1, b2) | (t.kind == TokenKind::Number)
}

fn is_verbish(w: &str) -> bool {
    matches!(cue_of(w.as_bytes()), Some(Cue::Kill | Cue::Injure))
        || matches!(
            w,
            "were"
                | "was"
                | "are"
                | "is"
                | "have"
                | "has"
                | "had"
                | "been"
                | "and"
                | "in"
                | "on"
                | "at"
                | "who"
                | "which"
                | "that"
                | "when"
                | "of"
                | "by"
                | "after"
                | "during"
                | "with"
                | "from"
                | "to"
                | "as"
                | "while"
                | "near"
                | "since"
                | "but"
                | "the"
        )
}

/// Where the noun phrase of a person noun ends. A person noun right
/// before another noun is a modifier: of a person noun, the phrase runs on
/// to it ("guerrilla fighters", "rebel commanders"); of anything else, no
/// person is meant ("a rebel attack", "civilian targets") and this is
/// `None`. `b` is the sentence's end token.
fn head_end(doc: &Doc, gaz: &Gazetteer, hit: &PhraseHit, b: usize) -> Option<usize> {
    let span = hit.span;
    // Only a singular noun modifies: "rebels attack" is a clause.
    if gaz.row(hit).get(2) == "true" {
        return Some(span.end);
    }
    let Some(k) = doc.token_ending_at(span.end) else {
        return Some(span.end);
    };
    let n = k + 1;
    if n >= b || !one_space(&doc.text[span.end..doc.tokens[n].start as usize]) {
        return Some(span.end);
    }
    let next = &doc.tokens[n];
    let w = lw(doc, n);
    if !next.is_word()
        || next.kind == TokenKind::Number
        || !doc.all_caps && next.is(Token::CAP)
        || is_verbish(w)
        || w.ends_with("ed")
        || NOT_NOUNS.contains(&w)
    {
        return Some(span.end);
    }
    // "JUDGE MARIA ELENA DIAZ", "the rebel in Morazan": a title or a
    // noun before a name.
    let at = next.start as usize;
    let named = doc
        .people
        .iter()
        .any(|p| p.mentions.iter().any(|m| m.span.start == at))
        || doc
            .places
            .iter()
            .any(|p| p.mentions.iter().any(|m| m.span.start == at))
        || doc
            .organizations
            .iter()
            .any(|o| o.mentions.iter().any(|m| m.span.start == at));
    if named {
        return Some(span.end);
    }
    if let Some(h) = hits_in(
        doc,
        ListKind::Actor,
        Span::new(next.start as usize, doc.text.len()),
    )
    .find(|h| h.span.start == next.start as usize)
    {
        return Some(h.span.end);
    }
    GROUP_NOUNS.contains(&w).then_some(next.end as usize)
}

/// Nouns for a body of people that a person noun can modify ("guerrilla
/// units", "terrorist squads").
const GROUP_NOUNS: &[&str] = &[
    "unit",
    "units",
    "group",
    "groups",
    "squad",
    "squads",
    "force",
    "forces",
    "column",
    "columns",
    "commando",
    "commandos",
    "member",
    "members",
    "militia",
    "militias",
    "fighter",
    "fighters",
    "detachment",
    "detachments",
    "cell",
    "cells",
    "leader",
    "leaders",
    "commander",
    "commanders",
    "band",
    "bands",
    "gang",
    "gangs",
    "troops",
    "suspect",
    "suspects",
    "organization",
    "organizations",
    "network",
    "networks",
    "faction",
    "factions",
    "battalion",
    "battalions",
    "brigade",
    "brigades",
];

/// Words after a person noun that do not make it a modifier.
const NOT_NOUNS: &[&str] = &[
    "also",
    "allegedly",
    "reportedly",
    "apparently",
    "then",
    "later",
    "yesterday",
    "today",
    "tonight",
    "last",
    "this",
    "early",
    "late",
    "or",
    "nor",
    "for",
    "into",
    "against",
    "under",
    "over",
    "before",
    "within",
    "without",
    "among",
    "including",
    "inside",
    "outside",
    "through",
    "toward",
    "towards",
    "across",
    "behind",
    "will",
    "would",
    "could",
    "can",
    "may",
    "might",
    "must",
    "should",
    "did",
    "do",
    "does",
    "not",
    "never",
    "all",
    "both",
    "whose",
    "whom",
    "where",
    "there",
    "here",
    "so",
    "than",
    "because",
    "if",
    "according",
    "led",
    "opened",
    "fired",
    "attacked",
    "stormed",
    "set",
    "took",
    "used",
    "carried",
    "claimed",
    "threw",
    "entered",
    "burst",
    "broke",
    "seized",
    "kidnapped",
    "abducted",
    "shot",
    "detonated",
    "planted",
    "ambushed",
    "raided",
    "burned",
    "blew",
    "hurled",
    "launched",
    "armed",
    "said",
    "says",
    "told",
    "tells",
    "got",
    "ran",
    "went",
    "came",
    "hit",
    "left",
    "fought",
    "stole",
    "held",
    "kept",
    "made",
    "sent",
    "struck",
    "drove",
    "began",
    "gave",
    "fled",
    "escaped",
];

/// Where a counted phrase ends: after the last person noun in it.
fn counted_end(doc: &Doc, phrase: Span) -> usize {
    hits_starting_in(doc, phrase)
        .iter()
        .filter(|h| h.list == ListKind::Actor && phrase.contains(h.span))
        .map(|h| h.span.end)
        .max()
        .unwrap_or(phrase.end)
}

/// A counted phrase without its number: "Jesuit priests" of "six Jesuit
/// priests", "soldiers" of "three other soldiers". A bare number or
/// ordinal ("a fourth") stays as it is.
fn counted_noun(doc: &Doc, c: &Count, phrase: Span) -> Span {
    let t = &doc.tokens;
    let mut k = doc.token_at_or_after(c.text.end);
    while k < t.len()
        && (t[k].start as usize) < phrase.end
        && matches!(lb(doc, k), b"other" | b"more" | b"of")
    {
        k += 1;
    }
    match t.get(k) {
        Some(tok) if (tok.start as usize) < phrase.end => Span::new(tok.start as usize, phrase.end),
        _ => phrase,
    }
}

/// Does a count count people? "12 hours", "315 km" and "28 July" do not:
/// a counted phrase must name people (an actor noun), or be a bare number
/// or an ordinal ("killing two of them", "a fourth").
fn counts_people(doc: &Doc, c: &Count) -> bool {
    if c.phrase == c.text {
        return true;
    }
    hits_starting_in(doc, c.phrase)
        .iter()
        .any(|h| h.list == ListKind::Actor && c.phrase.contains(h.span))
        || doc
            .token_starting_at(c.phrase.start)
            .is_some_and(|k| one_more(doc, k).is_some())
}

/// The one person killed in "X was murdered" or "assassinated X": a
/// person named, else a title ("the governor") or a singular actor noun.
fn single_victim(doc: &Doc, gaz: &Gazetteer, k: usize, a: usize, b: usize) -> Option<Span> {
    // "was killed", "was reportedly killed", "was shot and killed".
    let passive = (1..=4).any(|back| {
        k >= a + back
            && matches!(lb(doc, k - back), b"was" | b"were")
            && (k - back + 1..k).all(|j| {
                matches!(
                    lb(doc, j),
                    b"reportedly"
                        | b"allegedly"
                        | b"brutally"
                        | b"shot"
                        | b"then"
                        | b"and"
                        | b"later"
                        | b"beaten"
                        | b"tortured"
                        | b"stabbed"
                        | b"kidnapped"
                        | b"abducted"
                )
            })
    });
    let here = doc.tokens[k].start as usize;
    let sent = Span::new(doc.tokens[a].start as usize, doc.tokens[b - 1].end as usize);
    if passive {
        // The nearest person named before the verb in the sentence.
        let person = doc
            .people
            .iter()
            .flat_map(|p| p.mentions.iter())
            .filter(|m| sent.contains(m.span) && m.span.end <= here)
            .map(|m| m.span)
            .max_by_key(|s| s.end);
        if person.is_some() {
            return person;
        }
        let noun = doc
            .phrases
            .iter()
            .filter(|h| {
                sent.contains(h.span)
                    && h.span.end <= here
                    && (h.list == ListKind::Title
                        || h.list == ListKind::Actor && gaz.row(h).get(2) == "false")
            })
            .max_by_key(|h| h.span.end)?;
        return Some(Span::new(extend_left(doc, noun.span, a), noun.span.end));
    }
    // Active: "killed Governor X", "murdered the mayor".
    let after = doc.tokens.get(k + 1)?.start as usize;
    doc.people
        .iter()
        .flat_map(|p| p.mentions.iter())
        .find(|m| sent.contains(m.span) && m.span.start >= after && m.span.start <= after + 30)
        .map(|m| m.span)
}

/// The arguments of the event in sentence `s`, whose phrase hits are `hits`;
/// `anchors` are the sentence's, filled by [`triggers`].
fn arguments(
    doc: &Doc,
    gaz: &Gazetteer,
    s: usize,
    hits: &[PhraseHit],
    anchors: &Anchors,
    inc: &mut Incident,
) {
    let sent = &doc.sentences[s];
    let (a, b) = (sent.tokens.start, sent.tokens.end);
    let mut victims: Vec<Argument> = Vec::new();
    let mut perps: Vec<Argument> = Vec::new();
    // Was `killed` read as the one victim of "X was murdered"?
    let mut single = false;
    for &k in &anchors.harm {
        let w = lw(doc, k);
        let kill = is_kill_word(w);
        let injure = is_injure_word(w);
        // "killed three Chinese workers", "killing two of them", "wounded a fourth"
        let plausible = |c: &Count| counts_people(doc, c);
        let mut found: Option<Count> = if k + 1 < b {
            count_at(doc, k + 1, b).filter(plausible)
        } else {
            None
        };
        // "the murder of two young U.S. citizens"
        if found.is_none() && k + 2 < b && lb(doc, k + 1) == b"of" {
            found = count_at(doc, k + 2, b).filter(plausible);
            // "the assassination of the six Jesuits"
            if found.is_none() && k + 3 < b && matches!(lb(doc, k + 2), b"the" | b"their" | b"its")
            {
                found = count_at(doc, k + 3, b).filter(plausible);
            }
        }
        // "Four gunmen ... were killed", "two people have been killed", "12 dead"
        if found.is_none() {
            let lo = k.saturating_sub(12).max(a);
            for j in (lo..k).rev() {
                if let Some(c) = count_at(doc, j, k).filter(plausible) {
                    found = Some(c);
                    break;
                }
                if matches!(lb(doc, j), b";" | b"killed" | b"wounded" | b"injured") {
                    break;
                }
            }
        }
        // "death toll rose to 12"
        if found.is_none() && w == "death" && k + 4 < b && lb(doc, k + 1) == b"toll" {
            for j in k + 2..(k + 10).min(b) {
                if let Some(c) = count_at(doc, j, b) {
                    found = Some(c);
                    break;
                }
            }
        }
        let Some(c) = found else {
            // "X was murdered", "assassinated Governor X": one victim.
            if kill && inc.killed.is_none() && inc.killed_text.is_none() {
                if let Some(v) = single_victim(doc, gaz, k, a, b) {
                    inc.killed = Some(1);
                    single = true;
                    if !victims.iter().any(|x| x.span.overlaps(v)) {
                        let mut arg = Argument::new(v);
                        arg.count = Some(1);
                        arg.nationality = nationality(doc, v);
                        victims.push(arg);
                    }
                }
            }
            continue;
        };
        if kill && inc.killed.is_none() && inc.killed_text.is_none() {
            inc.killed = c.value;
            if c.value.is_none() {
                inc.killed_text = Some(c.text);
            }
        } else if injure && inc.injured.is_none() && inc.injured_text.is_none() {
            inc.injured = c.value;
            if c.value.is_none() {
                inc.injured_text = Some(c.text);
            }
        }
        // The counted phrase is a victim, or a killed perpetrator.
        let phrase_text = &doc.lower[c.phrase.range()];
        let perp =
            hits_in(doc, ListKind::Actor, c.phrase).any(|h| gaz.row(h).get(1) == "perpetrator");
        let pronoun = phrase_text.contains(" of them") || phrase_text.ends_with("them");
        if c.phrase.len() > c.text.len()
            || one_more(doc, doc.token_starting_at(c.phrase.start).unwrap_or(0)).is_some()
        {
            if pronoun {
                continue;
            }
            // The phrase ends with its person noun ("six Jesuits", not
            // "six Jesuits will"); a victim's number goes to `count`, so its
            // text is who they were ("Jesuit priests").
            let phrase = Span::new(c.phrase.start, counted_end(doc, c.phrase));
            let span = if perp {
                phrase
            } else {
                counted_noun(doc, &c, phrase)
            };
            let mut arg = Argument::new(span);
            arg.count = c.value;
            arg.nationality = nationality(doc, phrase)
                .or_else(|| victims.last().and_then(|v| v.nationality.clone()));
            if perp {
                if !perps.iter().any(|p| p.span.overlaps(phrase)) {
                    perps.push(arg);
                }
            } else if !victims.iter().any(|v| v.span.overlaps(phrase)) {
                victims.push(arg);
            }
        }
    }
    // Victims named by a victim noun in an event sentence ("peasants were
    // kidnapped", "the attack on civilians"), without a count.
    // Only nouns the violence acts on: objects of a trigger or of a
    // casualty word, subjects of a passive one ("two peasants were
    // kidnapped"), not bystanders named elsewhere in the sentence.
    for h in hits_among(doc, hits, ListKind::Actor, sent.span) {
        if gaz.row(h).get(1) != "victim" || victims.iter().any(|v| v.span.overlaps(h.span)) {
            continue;
        }
        let Some(end) = head_end(doc, gaz, h, b) else {
            continue;
        };
        let start = extend_left(doc, h.span, a);
        let span = Span::new(start, end);
        if !acted_on(doc, span, &anchors.triggers, &anchors.harm, a) {
            continue;
        }
        // "two other people": the number is the count.
        let counted = doc
            .token_starting_at(start)
            .and_then(|k| count_at(doc, k, doc.token_at_or_after(end)))
            .filter(|c| c.text.end <= h.span.start);
        let mut arg = Argument::new(span);
        if let Some(c) = counted {
            arg.span = counted_noun(doc, &c, span);
            arg.count = c.value;
        }
        arg.nationality = nationality(doc, span);
        victims.push(arg);
    }
    // People named as the object of a violent trigger ("kidnapped X",
    // "the assassination of X") or the subject of a passive one ("X was
    // kidnapped").
    for h in hits_among(doc, hits, ListKind::Trigger, sent.span) {
        let kind = gaz.row(h).get(1);
        if matches!(
            kind,
            "arrest" | "protest" | "riot" | "accident" | "disaster"
        ) {
            continue;
        }
        let passive_before = doc
            .token_starting_at(h.span.start)
            .is_some_and(|k| k > a && lb(doc, k - 1) == b"was");
        for p in &doc.people {
            for m in &p.mentions {
                if !sent.span.contains(m.span) || victims.iter().any(|v| v.span.overlaps(m.span)) {
                    continue;
                }
                // At most 3 (6) words between: the count stops at the 4th (7th).
                let after = m.span.start >= h.span.end
                    && doc.text[h.span.end..m.span.start]
                        .split_whitespace()
                        .nth(3)
                        .is_none()
                    && !doc.text[h.span.end..m.span.start].contains([',', '.', ';']);
                let before = passive_before
                    && m.span.end <= h.span.start
                    && doc.text[m.span.end..h.span.start]
                        .split_whitespace()
                        .nth(6)
                        .is_none();
                if after || before {
                    let mut arg = Argument::new(m.span);
                    arg.count = Some(1);
                    victims.push(arg);
                }
            }
        }
    }
    // "X and Y were murdered", "the assassination of X": as many killed
    // as people named as the victims of a killing, when no number is given.
    if single || inc.killed.is_none() && inc.killed_text.is_none() {
        // All of these are casualty words.
        let killing = anchors.harm.iter().any(|&k| {
            matches!(
                lb(doc, k),
                b"murdered"
                    | b"assassinated"
                    | b"killed"
                    | b"slain"
                    | b"executed"
                    | b"assassination"
                    | b"murder"
            )
        });
        let named = victims
            .iter()
            .filter(|v| {
                doc.people
                    .iter()
                    .any(|p| p.mentions.iter().any(|m| m.span == v.span))
            })
            .count();
        if killing && named > usize::from(single) {
            inc.killed = Some(named as u32);
        }
    }
    // Perpetrators: actor nouns and armed groups.
    for h in hits_among(doc, hits, ListKind::Actor, sent.span) {
        if gaz.row(h).get(1) != "perpetrator" || perps.iter().any(|p| p.span.overlaps(h.span)) {
            continue;
        }
        if victims.iter().any(|v| v.span.overlaps(h.span)) {
            continue;
        }
        let Some(end) = head_end(doc, gaz, h, b) else {
            continue;
        };
        let start = extend_left(doc, h.span, a);
        perps.push(Argument::new(Span::new(start, end)));
    }
    for (i, o) in doc.organizations.iter().enumerate() {
        if o.kind != "armed_group" {
            continue;
        }
        if let Some(m) = o
            .mentions
            .iter()
            .find(|m| sent.span.contains(m.span) && m.form != Form::Nominal)
        {
            if !perps.iter().any(|p| p.organization == Some(i)) {
                let mut arg = Argument::new(m.span);
                arg.organization = Some(i);
                perps.push(arg);
            }
        }
    }
    // Targets: a target noun the event acts on, not one that only says
    // where it happened ("in the San Borja neighborhood").
    let mut targets = hits_among(doc, hits, ListKind::Target, sent.span)
        .map(|h| h.span)
        .peekable();
    while let Some(h) = targets.next() {
        // "telephone company building": consecutive target nouns are one.
        let mut end = h.end;
        while let Some(next) =
            targets.next_if(|n| n.start > end && doc.text[end..n.start].trim().is_empty())
        {
            end = next.end;
        }
        let head = Span::new(h.start, end);
        if inc.targets.iter().any(|t| t.span.overlaps(head)) {
            continue;
        }
        let start = extend_noun_phrase(doc, head, a);
        let span = Span::new(start, end);
        if acted_on(doc, span, &anchors.triggers, &anchors.damage, a) {
            let end = of_phrase_end(doc, end, b);
            inc.targets.push(Argument::new(Span::new(start, end)));
        }
    }
    weapons_in(doc, sent.span, hits, &mut inc.weapons);
    inc.victims = victims;
    inc.perpetrators = perps;
}

/// The weapons named in `span`, added to `out`; `hits` are the phrase hits
/// that start inside `span`. Names that follow each other are one weapon
/// ("RPG-18 rocket launchers"), and a calibre before one belongs to it
/// ("60-mm mortars", "9 mm pistols").
fn weapons_in(doc: &Doc, span: Span, hits: &[PhraseHit], out: &mut Vec<Argument>) {
    let mut hits = hits_among(doc, hits, ListKind::Weapon, span)
        .map(|h| h.span)
        .peekable();
    let t = &doc.tokens;
    while let Some(mut w) = hits.next() {
        while let Some(next) = hits.next_if(|n| {
            n.start >= w.end
                && doc.text[w.end..n.start]
                    .chars()
                    .all(|c| c == ' ' || c == '-' || c.is_ascii_digit())
                && n.start - w.end <= 6
        }) {
            w = Span::new(w.start, next.end);
        }
        if let Some(k) = doc.token_starting_at(w.start) {
            let calibre = |j: usize| {
                let x = lw(doc, j);
                x.strip_suffix("mm")
                    .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            };
            let spaced =
                |j: usize| one_space(&doc.text[t[j].end as usize..t[j + 1].start as usize]);
            if k >= 1 && calibre(k - 1) && spaced(k - 1) {
                w = Span::new(t[k - 1].start as usize, w.end);
            } else if k >= 2
                && matches!(lb(doc, k - 1), b"mm" | b"-mm")
                && t[k - 2].kind == TokenKind::Number
                && spaced(k - 1)
            {
                w = Span::new(t[k - 2].start as usize, w.end);
            }
        }
        if span.contains(w) && !out.iter().any(|x| x.span.overlaps(w)) {
            out.push(Argument::new(w));
        }
    }
}

/// What an argument can be acted on by in an event sentence: its violent
/// triggers (not arrests, protests, riots or disasters) and casualty words
/// for victims, damage words for targets.
///
/// The words are found in one pass over the sentence, which also gives
/// [`arguments`] the casualty words its counts hang on, and [`triggers`]
/// the words that deny the report or say the weapons were traded
/// ([`Cues`]).
///
/// Its buffers are the thread's spare ones ([`Spare`]), taken at a story's
/// first event sentence and given back after the story: allocating and
/// freeing them for every story with an event costs more than filling them.
#[derive(Default)]
struct Anchors {
    /// The spans of the violent triggers.
    triggers: Vec<Span>,
    /// The tokens of casualty words ("killed", "wounded"), in order.
    harm: Vec<usize>,
    /// The tokens of damage words ("destroyed", "torched").
    damage: Vec<usize>,
    /// The sentence's tokens (from its first) that may be cue words.
    candidates: Vec<u32>,
}

impl Anchors {
    /// The thread's spare anchor buffers, empty.
    fn take() -> Anchors {
        Anchors {
            triggers: Spare::take(|s| &mut s.anchor_triggers),
            harm: Spare::take(|s| &mut s.anchor_harm),
            damage: Spare::take(|s| &mut s.anchor_damage),
            candidates: Spare::take(|s| &mut s.anchor_candidates),
        }
    }

    /// Gives the buffers back for the next story, if they were taken.
    fn give(self) {
        if self.candidates.capacity() == 0 {
            return;
        }
        Spare::give(|s| &mut s.anchor_triggers, self.triggers);
        Spare::give(|s| &mut s.anchor_harm, self.harm);
        Spare::give(|s| &mut s.anchor_damage, self.damage);
        Spare::give(|s| &mut s.anchor_candidates, self.candidates);
    }

    /// The anchors of sentence `s`, whose phrase hits are `hits`, in place
    /// of those of the sentence before (the buffers are reused); returns
    /// whether a word of the sentence denies the report or trades weapons.
    ///
    /// Denials and trade words are whole runs of letters: a token of ASCII
    /// letters only is one (an abbreviation's periods carry the `DIGIT`
    /// flag, and its runs are single letters), and only the few words with
    /// digits or non-ASCII characters are split into their runs.
    fn fill(&mut self, doc: &Doc, gaz: &Gazetteer, s: usize, hits: &[PhraseHit]) -> Cues {
        // The story's first event sentence: the spare buffers (the
        // candidates always get room below).
        if self.candidates.capacity() == 0 {
            *self = Anchors::take();
        }
        let sent = &doc.sentences[s];
        let Anchors {
            triggers,
            harm,
            damage,
            candidates,
        } = self;
        triggers.clear();
        harm.clear();
        damage.clear();
        triggers.extend(
            hits_among(doc, hits, ListKind::Trigger, sent.span)
                .filter(|h| {
                    !matches!(
                        gaz.row(h).get(1),
                        "arrest" | "protest" | "riot" | "disaster"
                    )
                })
                .map(|h| h.span),
        );
        let lower = doc.lower.as_bytes();
        let mut cues = Cues::default();
        let mut note = |c: Option<Cue>| match c {
            Some(Cue::Denial) => cues.denial = true,
            Some(Cue::Trade) => cues.trade = true,
            _ => {}
        };
        // The tokens that may cue are gathered first, without a branch
        // per token (`keep_indices`): whether a word passes the bit test
        // of [`cue_of`] differs from word to word, and a branch on it
        // would be mispredicted often. A token not ASCII or with digits is
        // always gathered (its runs of letters may be denials or trade
        // words). The few gathered are then looked at one by one.
        let tokens = &doc.tokens[sent.tokens.clone()];
        let n = keep_indices(candidates, tokens.len(), |k| {
            let t = &tokens[k];
            let (s, e) = (t.start as usize, t.end as usize);
            let len = e - s;
            let (a, z) = (lower[s], lower[e - 1]);
            let edges = &CUE_EDGES[len.min(CUE_EDGES.len() - 1)];
            let fits =
                (len < CUE_EDGES.len()) as u32 & edges.pairs[usize::from(a & 31)] >> (z & 31);
            let odd = (t.flags & (Token::DIGIT | Token::ASCII) != Token::ASCII) as u32;
            (fits | odd) & 1 != 0
        });
        for &k in &candidates[..n] {
            let t = &tokens[k as usize];
            // Read as bytes: the words are only compared with ASCII ones.
            let w = &lower[t.start as usize..t.end as usize];
            let k = sent.tokens.start + k as usize;
            match cue_of(w) {
                Some(Cue::Kill | Cue::Injure) => harm.push(k),
                Some(Cue::Damage) => damage.push(k),
                c @ Some(_) => note(c),
                None if t.flags & (Token::DIGIT | Token::ASCII) != Token::ASCII
                    && t.kind == TokenKind::Word =>
                {
                    w.split(|b| !b.is_ascii_alphabetic())
                        .for_each(|run| note(cue_of(run)));
                }
                None => {}
            }
        }
        cues
    }
}

/// What [`Anchors::fill`] found besides the anchors.
#[derive(Default)]
struct Cues {
    /// A word denies the report ("false", "baseless").
    denial: bool,
    /// A word says weapons changed hands or were found ("purchased").
    trade: bool,
}

/// Words that begin another clause.
fn is_clause_word(w: &[u8]) -> bool {
    matches!(
        w,
        b"while"
            | b"when"
            | b"whereas"
            | b"as"
            | b"after"
            | b"before"
            | b"because"
            | b"but"
            | b"who"
            | b"which"
            | b"whose"
            | b"where"
            | b"although"
            | b"though"
            | b"since"
            | b"until"
            | b"said"
            | b"says"
    )
}

/// Prepositions that make a noun phrase a place, not what was attacked.
fn is_locative_preposition(w: &str) -> bool {
    matches!(
        w,
        "in" | "near"
            | "inside"
            | "outside"
            | "at"
            | "from"
            | "across"
            | "around"
            | "toward"
            | "towards"
            | "within"
            | "behind"
            | "beside"
            | "along"
            | "past"
            | "through"
            | "where"
    )
}

/// Is the noun phrase `span` what an anchor (one of `triggers`, or the
/// casualty or damage word at one of the tokens `words`) acted on? It
/// follows the anchor closely in the same clause ("dynamited the
/// Las Canas bridge", "an attack on the embassy"), or precedes a passive
/// one ("the bridge was destroyed"), or names it ("the embassy bombing");
/// never right after a place preposition.
fn acted_on(doc: &Doc, span: Span, triggers: &[Span], words: &[usize], floor: usize) -> bool {
    let Some(first) = doc.token_starting_at(span.start) else {
        return false;
    };
    let mut p = first;
    while p > floor
        && matches!(
            lb(doc, p - 1),
            b"the" | b"a" | b"an" | b"its" | b"their" | b"his"
        )
    {
        p -= 1;
    }
    // "exploded inside a gas station", "planted at the bank": where a bomb
    // goes off is what it hit.
    if p > floor && is_locative_preposition(lw(doc, p - 1)) {
        let placed = p > floor + 1
            && matches!(
                lb(doc, p - 2),
                b"exploded"
                    | b"detonated"
                    | b"placed"
                    | b"planted"
                    | b"hurled"
                    | b"thrown"
                    | b"off"
            )
            && matches!(lb(doc, p - 1), b"in" | b"inside" | b"at");
        if !placed {
            return false;
        }
    }
    // The number of words between anchor and phrase, if they stay in one
    // clause and are at most `limit`. Most anchors are far from the phrase:
    // the words are counted first, and the count stops past the limit. An
    // ASCII gap, nearly every one, is split on bytes (the ASCII whitespace
    // of `char::is_whitespace`), without decoding chars.
    let words_between = |x: usize, y: usize, limit: usize| {
        let gap = &doc.lower[x..y];
        if more_words_than(gap.as_bytes(), limit) {
            return None;
        }
        let mut n = 0;
        let mut fits = |w: &[u8]| {
            n += 1;
            n <= limit && !is_clause_word(w)
        };
        let fits = if gap.is_ascii() {
            gap.as_bytes()
                .split(|b| matches!(b, b'\t'..=b'\r' | b' '))
                .filter(|w| !w.is_empty())
                .all(&mut fits)
        } else {
            gap.split_whitespace().all(|w| fits(w.as_bytes()))
        };
        (fits
            && !gap
                .bytes()
                .any(|b| matches!(b, b',' | b';' | b':' | b'(' | b')' | b'"')))
        .then_some(n)
    };
    let words = words.iter().map(|&k| doc.tokens[k].span());
    triggers.iter().copied().chain(words).any(|t| {
        if t.end <= span.start {
            words_between(t.end, span.start, 6).is_some()
        } else if span.end <= t.start {
            let gap = &doc.lower[span.end..t.start];
            words_between(span.end, t.start, 5).is_some_and(|n| {
                n == 0
                    || gap
                        .split_whitespace()
                        .any(|w| matches!(w, "was" | "were" | "been" | "be" | "is" | "are"))
            })
        } else {
            false
        }
    })
}

/// Has `gap` more than `limit` words (runs of bytes that are no ASCII
/// whitespace) in an ASCII start? A `false` proves nothing: the count
/// stops at the first eight bytes that are not all ASCII.
///
/// Most anchors [`acted_on`] asks about are far from the phrase, and
/// this turns them away without a branch per byte or per word: eight
/// bytes at a time, whitespace is found by bit arithmetic and word
/// starts (a byte that is no whitespace after one that is) are counted.
/// A word of an ASCII start is a word of a whitespace split by `char`s
/// too, so more than `limit` of them are too many either way.
fn more_words_than(gap: &[u8], limit: usize) -> bool {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const LOW: u64 = ONES * 0x7f;
    const HIGH: u64 = ONES * 0x80;
    // The high bit of each byte that is at least `c` (at most 0x80).
    let at_least = |x: u64, c: u64| (((x & LOW) + ONES * (0x80 - c)) | x) & HIGH;
    // The high bit of each whitespace byte: a space, or '\t' to '\r'.
    let white = |x: u64| {
        let y = x ^ (ONES * u64::from(b' '));
        let space = !(((y & LOW) + LOW) | y) & HIGH;
        space | (at_least(x, 0x09) & !at_least(x, 0x0e))
    };
    let mut n = 0;
    // The high bit of the byte before the eight: the gap's start counts
    // as whitespace.
    let mut before = 0x80;
    let mut chunks = gap.chunks_exact(8);
    let mut count = |x: u64| {
        let w = white(x);
        n += (!w & ((w << 8) | before) & HIGH).count_ones() as usize;
        before = w >> 56;
        n > limit
    };
    for chunk in &mut chunks {
        let x = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
        if x & HIGH != 0 {
            return false;
        }
        if count(x) {
            return true;
        }
    }
    // The last bytes, after them spaces (which start no word).
    let mut last = [b' '; 8];
    last[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    let x = u64::from_le_bytes(last);
    x & HIGH == 0 && count(x)
}

/// Extends a target noun left over its modifiers, in capitals too ("the
/// LAS CANAS BRIDGE", "a power pylon"), but not over counts and
/// quantifiers ("several houses" is "houses").
fn extend_noun_phrase(doc: &Doc, span: Span, floor: usize) -> usize {
    let Some(mut k) = doc.token_starting_at(span.start) else {
        return span.start;
    };
    let mut steps = 0;
    while k > floor && steps < 3 {
        let p = &doc.tokens[k - 1];
        let w = lw(doc, k - 1);
        let function = is_verbish(w)
            || is_modifier_stop(w)
            || is_locative_preposition(w)
            || is_vague(w)
            || number_word(w).is_some()
            || is_damage_word(w)
            || w.ends_with("ed")
            // "processing plant", "shopping center", but not "attacking".
            || w.ends_with("ing")
                && (w.len() < 6 || hits_in(doc, ListKind::Trigger, p.span()).next().is_some());
        // An owner in the possessive is no modifier ("San Salvador's").
        let possessive = w == "s" && k >= 2 && matches!(lw(doc, k - 2), "'" | "\u{2019}");
        if !p.is_word()
            || function
            || possessive
            || !one_space(&doc.text[p.end as usize..doc.tokens[k].start as usize])
        {
            break;
        }
        k -= 1;
        steps += 1;
    }
    // The article belongs to the phrase ("a church").
    if k > floor && matches!(lb(doc, k - 1), b"a" | b"an" | b"the") {
        k -= 1;
    }
    doc.tokens[k].start as usize
}

/// A target's owner after "of" belongs to it: "the residence of the
/// Legislative Assembly president", "the offices of the newspaper". The
/// phrase runs up to five words, to the first punctuation, verb or
/// preposition; `b` is the sentence's end token.
fn of_phrase_end(doc: &Doc, end: usize, b: usize) -> usize {
    let t = &doc.tokens;
    let Some(k) = doc.token_ending_at(end) else {
        return end;
    };
    let mut n = k + 1;
    if n >= b || lb(doc, n) != b"of" {
        return end;
    }
    n += 1;
    if n < b
        && matches!(
            lb(doc, n),
            b"the" | b"a" | b"an" | b"his" | b"her" | b"their" | b"its"
        )
    {
        n += 1;
    }
    let first = n;
    while n < b && n - first < 5 {
        let w = lw(doc, n);
        if !t[n].is_word()
            || is_verbish(w)
            || is_modifier_stop(w)
            || is_locative_preposition(w)
            || is_clause_word(w.as_bytes())
            || w.ends_with("ed")
            || !one_space(&doc.text[t[n - 1].end as usize..t[n].start as usize])
        {
            break;
        }
        n += 1;
    }
    if n == first {
        end
    } else {
        t[n - 1].end as usize
    }
}

/// Words that end a target's noun phrase on the left.
fn is_modifier_stop(w: &str) -> bool {
    matches!(
        w,
        "a" | "an"
            | "the"
            | "this"
            | "that"
            | "these"
            | "those"
            | "its"
            | "their"
            | "his"
            | "her"
            | "our"
            | "against"
            | "into"
            | "onto"
            | "for"
            | "about"
            | "between"
            | "under"
            | "over"
            | "up"
            | "down"
            | "off"
            | "out"
            | "than"
            | "or"
            | "nor"
            | "also"
            | "not"
            | "no"
            | "other"
            | "another"
            | "each"
            | "every"
            | "all"
            | "both"
            | "any"
            | "it"
            | "they"
            | "he"
            | "she"
            | "we"
            | "them"
            | "there"
            | "then"
            | "where"
            | "today"
            | "yesterday"
            | "tonight"
            | "last"
            | "first"
            | "second"
            | "same"
            | "said"
            | "says"
            | "say"
            | "set"
            | "fire"
            | "two"
            | "blew"
            | "exploded"
            | "detonated"
            | "reported"
            | "including"
            | "like"
            | "such"
            | "among"
            | "before"
            | "later"
            | "earlier"
            | "only"
            | "just"
            | "very"
            | "so"
            | "if"
            | "what"
            | "whose"
            | "whom"
            | "one"
            | "attack"
            | "attacks"
            | "bomb"
            | "bombs"
            | "burn"
    )
}

/// Extends a noun span left over a determiner, number and adjectives
/// ("a power pylon", "the church", "four gunmen").
fn extend_left(doc: &Doc, span: Span, floor: usize) -> usize {
    let Some(mut k) = doc.token_starting_at(span.start) else {
        return span.start;
    };
    let mut steps = 0;
    while k > floor && steps < 3 {
        let p = &doc.tokens[k - 1];
        let w = lw(doc, k - 1);
        if !p.is_word() || is_verbish(w) && w != "the" {
            break;
        }
        let det = matches!(
            w,
            "a" | "an"
                | "the"
                | "two"
                | "three"
                | "four"
                | "five"
                | "several"
                | "some"
                | "unidentified"
                | "armed"
                | "unknown"
                | "heavily"
        );
        if det
            || (p.is(Token::LOWER) && !doc.all_caps && steps < 2)
            || number_at(doc, k - 1).is_some()
        {
            k -= 1;
            steps += 1;
            if matches!(w, "a" | "an" | "the") {
                break;
            }
        } else {
            break;
        }
    }
    doc.tokens[k].start as usize
}

fn nationality(doc: &Doc, span: Span) -> Option<String> {
    doc.places.iter().find_map(|p| {
        p.mentions
            .iter()
            .any(|m| m.form == Form::Demonym && span.contains(m.span))
            .then(|| p.country_code.as_deref().map(str::to_string))
            .flatten()
    })
}

/// Drone, bomb and shell weapons make a plain "attack" more specific.
fn refine_type(doc: &Doc, gaz: &Gazetteer, inc: &mut Incident) {
    if inc.kind != "attack" {
        return;
    }
    let cats: Vec<&str> = inc
        .weapons
        .iter()
        .filter_map(|w| {
            gaz.lists
                .weapons
                .rows
                .iter()
                .find(|r| r.get(0).eq_ignore_ascii_case(doc.slice(w.span)))
                .map(|r| r.get(2))
                .filter(|c| *c != "explosive" || !doc.lower[w.span.range()].contains("grenade"))
        })
        .collect();
    let (kind, a, b) = if cats.contains(&"drone") {
        (
            "air_drone_strike",
            "Explosions/Remote violence",
            "Air/drone strike",
        )
    } else if cats.contains(&"explosive") {
        (
            "bombing",
            "Explosions/Remote violence",
            "Remote explosive/landmine/IED",
        )
    } else {
        return;
    };
    inc.kind = kind.to_string();
    inc.acled_event_type = Some(a.to_string());
    inc.acled_sub_event_type = Some(b.to_string());
}

/// The place the incident happened: places in the evidence after "in",
/// "into", "near", "at"; not after "from" or "border with".
fn locate(doc: &Doc, inc: &mut Incident) {
    let mut best: Option<(i32, usize, Span)> = None;
    for (pi, p) in doc.places.iter().enumerate() {
        for m in &p.mentions {
            if m.form == Form::Demonym || !inc.evidence.iter().any(|e| e.contains(m.span)) {
                continue;
            }
            if doc
                .dateline
                .as_ref()
                .is_some_and(|d| d.span.contains(m.span))
            {
                continue;
            }
            let Some(k) = doc.token_starting_at(m.span.start) else {
                continue;
            };
            let prev = if k > 0 { lb(doc, k - 1) } else { b"" };
            let prev2 = if k > 1 { lb(doc, k - 2) } else { b"" };
            let mut score = match prev {
                b"in" | b"into" | b"inside" | b"at" | b"near" | b"outside" | b"neighboring"
                | b"neighbouring" => 3,
                b"from" => -3,
                // "near a village close to the border with Afghanistan’s
                // Badakhshan province": the end of a locative phrase.
                _ if locative_start(doc, k).is_some() => 2,
                _ => 0,
            };
            if prev == b"with" && prev2 == b"border" || prev2 == b"from" {
                score -= 4;
            }
            // "Afghanistan’s Badakhshan province": the possessor is context.
            if k + 2 < doc.tokens.len() && matches!(doc.tokens[k + 1].text(doc.text), "’" | "'") {
                score -= 1;
            }
            // A named place inside a country says more than the country.
            score += match &*p.kind {
                "city" | "town" | "village" | "admin1" | "admin2" | "feature" | "facility" => 2,
                _ => 0,
            };
            if best.is_none_or(|(s, _, sp)| score > s || (score == s && m.span.start < sp.start)) {
                best = Some((score, pi, m.span));
            }
        }
    }
    let Some((score, pi, span)) = best else {
        return;
    };
    if score < -1 {
        return;
    }
    // The location phrase: from a preposition before the place.
    let start = doc
        .token_starting_at(span.start)
        .and_then(|k| locative_start(doc, k))
        .map_or(span.start, |j| doc.tokens[j].start as usize);
    // The place runs on over its head word ("Badakhshan province").
    let mut end = span.end;
    if let Some(k) = doc.token_ending_at(span.end) {
        if k + 1 < doc.tokens.len()
            && matches!(
                lb(doc, k + 1),
                b"province" | b"district" | b"region" | b"county" | b"governorate" | b"state"
            )
            && one_space(&doc.text[span.end..doc.tokens[k + 1].start as usize])
        {
            end = doc.tokens[k + 1].end as usize;
        }
    }
    let phrase = Span::new(start, end);
    // "close to the border with X" is beside X, on the other side: the
    // country is the other one the account names ("into neighboring
    // Tajikistan"), if there is exactly one.
    // One scan for the letters the phrases start with finds where one
    // could be, instead of a substring search for each.
    let lower = &doc.lower.as_bytes()[phrase.range()];
    let beside = memchr::memchr2_iter(b'b', b'f', lower).any(|i| {
        [
            &b"border with"[..],
            b"border of",
            b"frontier with",
            b"border between",
        ]
        .iter()
        .any(|b| lower[i..].starts_with(b))
    });
    let own = doc.places[pi].country_code.as_deref();
    let country_code = if beside {
        let others: Vec<&str> = doc
            .places
            .iter()
            .filter(|p| p.kind == "country" && p.country_code.as_deref() != own)
            .filter(|p| {
                p.mentions.iter().any(|m| {
                    m.form != Form::Demonym && inc.evidence.iter().any(|e| e.contains(m.span))
                })
            })
            .filter_map(|p| p.country_code.as_deref())
            .collect();
        (others.len() == 1).then(|| others[0].to_string())
    } else {
        own.map(str::to_string)
    };
    inc.location = Some(IncidentLocation {
        span: phrase,
        places: vec![pi],
        country_code,
    });
}

/// The token of the preposition that opens a locative phrase ending at
/// token `k` ("in", "near", "at" ... within 12 words, no punctuation or
/// "said" between).
fn locative_start(doc: &Doc, k: usize) -> Option<usize> {
    let lo = k.saturating_sub(12);
    for j in (lo..k).rev() {
        // As bytes: the words are only compared with ASCII literals.
        match lb(doc, j) {
            b"," | b";" | b"." | b"said" => return None,
            b"in" | b"into" | b"inside" | b"near" | b"at" | b"outside" => return Some(j),
            _ => {}
        }
    }
    None
}

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn iso(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    iso_date(y, m, d)
}

/// The date that "yesterday" and "Tuesday" count from, in days: the
/// dateline's date, else the `--date` one.
fn reference(doc: &Doc) -> Option<i64> {
    let s = doc
        .dateline
        .as_ref()
        .and_then(|d| d.date.as_deref())
        .or(doc.reference_date.as_deref())?;
    let y = s.get(0..4)?.parse().ok()?;
    let m = s.get(5..7)?.parse().ok()?;
    let d = s.get(8..10)?.parse().ok()?;
    Some(days_from_civil(y, m, d))
}

/// The date of the incident: the first time expression in its evidence
/// (not a weekday right after "said", which dates the report); `r` is the
/// [`reference`] date.
fn date(doc: &Doc, r: Option<i64>, inc: &mut Incident) {
    if let Some(d) = first_date(doc, &inc.evidence, r) {
        inc.date = Some(d);
    }
}

/// The first time expression in the evidence spans, read in place.
fn first_date(doc: &Doc, evidence: &[Span], r: Option<i64>) -> Option<IncidentDate> {
    // Never the dateline's own date.
    let after_dateline = doc.dateline.as_ref().map_or(0, |d| d.span.end);
    let lower = doc.lower.as_bytes();
    for ev in evidence {
        let a = doc.token_at_or_after(ev.start.max(after_dateline));
        // The tokens that start inside the evidence, found by a search
        // rather than by a test of each token's start.
        let z = doc.token_at_or_after(ev.end).max(a);
        for (k, t) in (a..).zip(&doc.tokens[a..z]) {
            // A time expression starts with a word (time words, weekdays
            // and months are all words of letters) or with a day's number:
            // punctuation is passed over unread, and most words on their
            // first three letters, read as bytes. The test is made without
            // a branch on the kind or the letters (words and punctuation
            // alternate, and a jump on the first letter goes a different
            // way for every word), so that the one branch, on its
            // outcome, is nearly always the same. The three bytes are
            // read with one bounds test (only a token in the text's last
            // two bytes fails it, and is then read as no letters). Only
            // their bit of [`DATE_START_BITS`] is asked of every word:
            // whether they are letters, for the few words that pass.
            let s = t.start as usize;
            let [b0, b1, b2] = match lower.get(s..s + 3) {
                Some(&[b0, b1, b2]) => [b0, b1, b2],
                _ => [0; 3],
            };
            let word = (t.kind == TokenKind::Word)
                & (t.end - t.start >= 3)
                & DATE_START_BITS.has(b0, b1, b2);
            if !(word | (t.kind == TokenKind::Number)) {
                continue;
            }
            if t.kind == TokenKind::Word && !starts_date(b0, b1, b2) {
                continue;
            }
            let found = match t.kind {
                TokenKind::Word => word_date(doc, k, a, r),
                _ => day_month_date(doc, k, r),
            };
            if let Some((end, value)) = found {
                let mut start = doc.tokens[k].start as usize;
                if k > a && matches!(lb(doc, k - 1), b"late" | b"early" | b"mid" | b"last") {
                    start = doc.tokens[k - 1].start as usize;
                }
                return Some(IncidentDate {
                    span: Span::new(start, doc.tokens[end - 1].end as usize),
                    value,
                });
            }
        }
    }
    None
}

/// A time expression that starts with the word at token `k`: "yesterday",
/// "Tuesday", "November", "Dec. 5"; `a` is where the evidence starts, `r`
/// the reference date; the word has passed [`starts_date`]. Returns the
/// token after it and its value.
fn word_date(doc: &Doc, k: usize, a: usize, r: Option<i64>) -> Option<(usize, Option<String>)> {
    let w = lw(doc, k);
    match w {
        "overnight" => return Some((k + 1, None)),
        "yesterday" => return Some((k + 1, r.map(|d| iso(d - 1)))),
        "today" | "tonight" => return Some((k + 1, r.map(iso))),
        _ => {}
    }
    if let Some(wd) = weekday_number(w) {
        if k > a && lb(doc, k - 1) == b"said"
            || k + 1 < doc.tokens.len() && lb(doc, k + 1) == b"said"
        {
            return None;
        }
        let v = r.map(|d| {
            // 1970-01-01 was a Thursday (index 3).
            let today = (d + 3).rem_euclid(7);
            let back = (today - wd as i64).rem_euclid(7);
            iso(d - back)
        });
        return Some((k + 1, v));
    }
    // A month's name is capitalized ("May", not "may"), unless all of
    // the text is.
    if doc.tokens[k].is(Token::LOWER) && !doc.all_caps {
        return None;
    }
    month_date(doc, k, month_number(w)?, r)
}

/// The first three letters of the words that may start a time
/// expression: a time word, weekday or month name is at least three letters
/// long, and its first three are those of one of them ("jan" for "January"
/// and "Jan.").
const DATE_STARTS: [&[u8; 3]; 23] = [
    // Months.
    b"jan", b"feb", b"mar", b"may", b"apr", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov", b"dec",
    // Weekdays.
    b"mon", b"tue", b"wed", b"thu", b"fri", b"sat", b"sun",
    // "overnight", "yesterday", "today", "tonight".
    b"ove", b"yes", b"tod", b"ton",
];

/// [`DATE_STARTS`] as bits (the few other triples that share their low
/// five bits pass too; [`starts_date`] turns them away).
const DATE_START_BITS: StartBits = StartBits::of(&DATE_STARTS);

/// Are `a`, `b`, `c` (lowercase bytes) the first three letters of one of
/// [`DATE_STARTS`]? Computed without a branch.
#[inline(always)]
fn starts_date(a: u8, b: u8, c: u8) -> bool {
    let letter = |x: u8| x.wrapping_sub(b'a') < 26;
    letter(a) & letter(b) & letter(c) & DATE_START_BITS.has(a, b, c)
}

/// "19 June 1986", "23 AUG 88": a day's number at token `k`, then a month
/// and maybe a year. Returns the token after it and its value.
fn day_month_date(doc: &Doc, k: usize, r: Option<i64>) -> Option<(usize, Option<String>)> {
    if k + 1 >= doc.tokens.len() {
        return None;
    }
    let m = month_number(lw(doc, k + 1))?;
    let d: u32 = doc.tokens[k].text(doc.text).parse().unwrap_or(0);
    let (y, e) = match doc.tokens.get(k + 2) {
        Some(t) if t.kind == TokenKind::Number && t.end - t.start <= 4 => {
            (t.text(doc.text).parse::<u32>().ok().map(full_year), k + 3)
        }
        _ => (r.map(|x| civil_from_days(x).0 as u32), k + 2),
    };
    let v = y
        .filter(|_| (1..=31).contains(&d))
        .map(|y| iso_date(i64::from(y), m, d));
    Some((e, v))
}

/// "November", "Dec. 5", "December 5, 2023": a month, possibly with a day
/// and a year.
fn month_date(doc: &Doc, k: usize, m: u32, r: Option<i64>) -> Option<(usize, Option<String>)> {
    let t = &doc.tokens;
    let mut e = k + 1;
    if e < t.len() && t[e].text(doc.text) == "." {
        e += 1;
    }
    let day = t
        .get(e)
        .filter(|x| x.kind == TokenKind::Number && x.end - x.start <= 2)
        .and_then(|x| x.text(doc.text).parse::<u32>().ok());
    if day.is_some() {
        e += 1;
    }
    let mut year = None;
    let mut j = e;
    if j < t.len() && t[j].text(doc.text) == "," {
        j += 1;
    }
    if let Some(y) = t
        .get(j)
        .filter(|x| x.kind == TokenKind::Number && x.end - x.start == 4)
        .and_then(|x| x.text(doc.text).parse::<u32>().ok())
    {
        year = Some(y);
        e = j + 1;
    }
    // A month alone must be in a date phrase ("in November", "late November").
    if day.is_none()
        && year.is_none()
        && k > 0
        && !matches!(
            lb(doc, k - 1),
            b"in" | b"late" | b"early" | b"mid" | b"since" | b"last" | b"on"
        )
    {
        return None;
    }
    let year = year.map(|y| y as i64).or_else(|| {
        r.map(|x| {
            let (ry, rm, _) = civil_from_days(x);
            if m > rm {
                ry - 1
            } else {
                ry
            }
        })
    });
    let value = year.map(|y| match day {
        Some(d) => iso_date(y, m, d),
        None => format!("{y:04}-{m:02}"),
    });
    Some((e, value))
}

/// Organizations that reported the incident: the subject of "said",
/// "reported", ... or the object of "according to".
fn reporters(doc: &Doc, inc: &mut Incident) {
    for (i, o) in doc.organizations.iter().enumerate() {
        let reported = o.mentions.iter().any(|m| {
            if !inc.evidence.iter().any(|e| e.contains(m.span)) {
                return false;
            }
            let Some(e) = doc.token_ending_at(m.span.end) else {
                return false;
            };
            let after = (e + 1..(e + 3).min(doc.tokens.len())).any(|j| {
                matches!(
                    lb(doc, j),
                    b"said"
                        | b"says"
                        | b"reported"
                        | b"announced"
                        | b"stated"
                        | b"claimed"
                        | b"added"
                        | b"confirmed"
                )
            });
            let s = doc.token_starting_at(m.span.start).unwrap_or(0);
            let before = s >= 2 && lb(doc, s - 2) == b"according" && lb(doc, s - 1) == b"to";
            after || before
        });
        if reported && o.kind != "armed_group" {
            inc.reported_by.push(i);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn denials_and_trade_words_are_whole_words() {
        let p = crate::Pipeline::new().unwrap();
        let events = |text: &str| p.process("t", text).incidents.len();
        let attack = "Guerrillas bombed the power station in Lima";
        assert_eq!(events(&format!("{attack}.")), 1);
        assert_eq!(events(&format!("{attack}, a false report said.")), 0);
        assert_eq!(
            events(&format!("{attack}, the police said. That is UNTRUE.")),
            1
        );
        assert_eq!(events(&format!("{attack}, it is baseless.")), 0);
        // Letters next to a digit or a non-ASCII letter end a word.
        assert_eq!(events(&format!("{attack}; 2false.")), 0);
        assert_eq!(events(&format!("{attack}; falseé.")), 0);
        // Not inside longer words.
        assert_eq!(events(&format!("{attack} with a falsetto voice.")), 1);
        assert_eq!(events(&format!("{attack}, they falsely claimed.")), 1);
        assert_eq!(events("In 1988 mortars and shells were bought abroad."), 0);
        assert_eq!(events("In 1988 mortars and shells were bought2 abroad."), 0);
    }

    #[test]
    fn count_words_pass_the_first_letters_test() {
        let numbers = [
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
            "thirty",
            "forty",
            "fifty",
            "sixty",
            "seventy",
            "eighty",
            "ninety",
            "hundred",
            "a dozen",
            "dozen",
        ];
        let vague = [
            "dozens",
            "scores",
            "hundreds",
            "thousands",
            "several",
            "many",
            "some",
        ];
        for w in numbers {
            assert!(
                number_word(w).is_some() && may_start_count(w.as_bytes()),
                "{w}"
            );
        }
        for w in vague {
            assert!(is_vague(w) && may_start_count(w.as_bytes()), "{w}");
        }
        for w in ["a", "an", "at", "another"] {
            assert!(may_start_count(w.as_bytes()), "{w}");
        }
        // No other word of up to three letters is a number word or vague.
        for a in b'a'..=b'z' {
            for b in b'a'..=b'z' {
                for c in b'a'..=b'z' {
                    for w in [&[a][..], &[a, b], &[a, b, c]] {
                        if !may_start_count(w) {
                            let w = std::str::from_utf8(w).unwrap();
                            assert!(number_word(w).is_none() && !is_vague(w), "{w}");
                        }
                    }
                }
            }
        }
    }

    /// Can the word `w` (lowercase) start a time expression? (What
    /// [`first_date`] asks of every word, on its bytes, without a branch.)
    fn may_start_date(w: &[u8]) -> bool {
        matches!(w, &[a, b, c, ..] if starts_date(a, b, c))
    }

    #[test]
    fn date_words_pass_the_first_letters_test() {
        use crate::stages::dateline::{MONTH_NAMES, WEEKDAYS};
        let times = ["overnight", "yesterday", "today", "tonight"];
        for w in WEEKDAYS
            .iter()
            .chain(&MONTH_NAMES)
            .chain(&["sept"])
            .chain(&times)
        {
            assert!(may_start_date(w.as_bytes()), "{w}");
        }
        for a in b'a'..=b'z' {
            for b in b'a'..=b'z' {
                for c in b'a'..=b'z' {
                    let w = [a, b, c];
                    if !may_start_date(&w) {
                        assert!(month_number(std::str::from_utf8(&w).unwrap()).is_none());
                    }
                }
            }
        }
    }

    #[test]
    fn more_words_than_counts_ascii_words() {
        let gaps = [
            "",
            " ",
            "a",
            " the  bridge ",
            "one two three four five six",
            "one two three four five six seven",
            "\tone\x0btwo\rthree\nfour\x0cfive six, seven  ",
            "a-very-long-hyphenated-word and another-one  here",
            "x y z w v u t s r q p",
            "na\u{ef}ve words here and there and everywhere at once",
            "a \u{a0} b c d e f g h",
        ];
        for gap in gaps {
            let words = gap
                .as_bytes()
                .split(|b| matches!(b, b'\t'..=b'\r' | b' '))
                .filter(|w| !w.is_empty())
                .count();
            for limit in 0..10 {
                let more = more_words_than(gap.as_bytes(), limit);
                assert!(!more || words > limit, "{gap:?} {limit}");
                if gap.is_ascii() {
                    assert_eq!(more, words > limit, "{gap:?} {limit}");
                }
            }
        }
    }

    #[test]
    fn calendar_round_trip() {
        let d = days_from_civil(2024, 2, 29);
        assert_eq!(civil_from_days(d), (2024, 2, 29));
        assert_eq!(iso(days_from_civil(1970, 1, 1)), "1970-01-01");
    }
}
