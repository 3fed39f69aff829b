//! The output contract (`../shared/CONTRACT.md`) as serde types.
//!
//! [`Story::from_doc`] turns a processed [`Doc`] into the contract's JSON
//! shape: byte spans become character offsets, entity indices become ids
//! (`P1`, `O1`, `H1`, `E1`), and every span carries its text.
//!
//! Writing JSON does not need that owned value: [`StoryView`] serializes
//! the same bytes straight from the document, borrowing every string, and
//! is what the command line writes. Building a `Story` only to serialize
//! and drop it cost more than half as much again as the serialization: a
//! `String` per span, id and name, and a `Vec` per list.
//! [`StoryView::write_compact`] writes the compact line without serde_json's
//! escaping of every object key (the fields' names need none). The private `*Json` structs
//! are the borrowed twins of the public `*Out` ones; a test holds the two
//! to the same output.

use crate::doc::{
    Argument, CharIndex, Doc, Incident, Mention, Organization, Person, Place, Quote, Span, Speaker,
};
use serde::{Deserialize, Serialize, Serializer};

/// Version of the output contract.
pub const SCHEMA_VERSION: u32 = 1;

/// One story's output.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Story {
    pub schema_version: u32,
    pub id: String,
    pub dateline: Option<DatelineOut>,
    pub places: Vec<PlaceOut>,
    pub organizations: Vec<OrganizationOut>,
    pub people: Vec<PersonOut>,
    pub incidents: Vec<IncidentOut>,
    pub quotes: Vec<QuoteOut>,
}

/// A story that could not be read.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct ErrorRecord {
    pub id: String,
    pub error: ErrorBody,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct ErrorBody {
    /// `not_utf8`, `empty`, `binary`, `too_large`, `unreadable`, `not_found`, `bad_json`.
    pub kind: String,
    pub message: String,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct DatelineOut {
    pub text: String,
    pub place: Option<String>,
    pub agency: Option<String>,
    pub date: Option<String>,
    pub start: usize,
    pub end: usize,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct MentionOut {
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub form: String,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct PlaceOut {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub country_code: Option<String>,
    pub admin1: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub source: String,
    pub mentions: Vec<MentionOut>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct OrganizationOut {
    pub id: String,
    pub name: String,
    pub canonical: Option<String>,
    pub kind: String,
    pub country_code: Option<String>,
    pub mentions: Vec<MentionOut>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct PersonOut {
    pub id: String,
    pub name: String,
    pub canonical: Option<String>,
    pub title: Option<String>,
    pub role: Option<String>,
    pub organization: Option<String>,
    pub country_code: Option<String>,
    pub official: bool,
    pub mentions: Vec<MentionOut>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct SpanOut {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct ArgumentOut {
    pub text: String,
    pub start: usize,
    pub end: usize,
    #[serde(
        skip_serializing_if = "Option::is_none",
        default,
        deserialize_with = "present"
    )]
    pub organization: Option<Option<String>>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        default,
        deserialize_with = "present"
    )]
    pub count: Option<Option<u32>>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        default,
        deserialize_with = "present"
    )]
    pub nationality: Option<Option<String>>,
}

/// A field that is there, `null` included (`Some(None)`); a missing one is
/// `None` (`#[serde(default)]`).
fn present<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct DateOut {
    pub text: String,
    pub value: Option<String>,
    pub start: usize,
    pub end: usize,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct LocationOut {
    pub text: String,
    pub places: Vec<String>,
    pub country_code: Option<String>,
    pub start: usize,
    pub end: usize,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct EvidenceOut {
    pub start: usize,
    pub end: usize,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct IncidentOut {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub acled_event_type: Option<String>,
    pub acled_sub_event_type: Option<String>,
    pub triggers: Vec<SpanOut>,
    pub date: Option<DateOut>,
    pub location: Option<LocationOut>,
    pub killed: Option<u32>,
    pub killed_text: Option<String>,
    pub injured: Option<u32>,
    pub injured_text: Option<String>,
    pub perpetrators: Vec<ArgumentOut>,
    pub victims: Vec<ArgumentOut>,
    pub targets: Vec<ArgumentOut>,
    pub weapons: Vec<ArgumentOut>,
    pub reported_by: Vec<String>,
    pub evidence: Vec<EvidenceOut>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct QuoteOut {
    pub speaker: Option<String>,
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// A document and its character index: what every view of a span needs.
struct Conv<'a> {
    doc: &'a Doc<'a>,
    ix: CharIndex,
}

impl<'a> Conv<'a> {
    fn span(&self, s: Span) -> SpanJson<'a> {
        SpanJson {
            text: self.doc.slice(s),
            start: self.ix.char_offset(s.start),
            end: self.ix.char_offset(s.end),
        }
    }
    fn mention(&self, m: &Mention) -> MentionJson<'a> {
        let s = self.span(m.span);
        MentionJson {
            start: s.start,
            end: s.end,
            text: s.text,
            form: m.form.as_str(),
        }
    }
    fn mentions(&'a self, ms: &'a [Mention]) -> Each<'a, Mention, MentionJson<'a>> {
        Each::new(self, ms, |c, _, m| c.mention(m))
    }
    /// An incident argument; perpetrators carry an organization, victims
    /// a count and a nationality.
    fn argument(&self, a: &'a Argument, with_org: bool, with_victim: bool) -> ArgumentJson<'a> {
        let s = self.span(a.span);
        ArgumentJson {
            text: s.text,
            start: s.start,
            end: s.end,
            organization: with_org.then(|| a.organization.map(Id::organization)),
            count: with_victim.then_some(a.count),
            nationality: with_victim.then_some(a.nationality.as_deref()),
        }
    }
}

impl Story {
    /// The contract view of a processed document, as owned values.
    ///
    /// One mapping from a [`Doc`] to the contract exists, [`StoryView`];
    /// this reads what it writes back into the owned types, so the two
    /// can never disagree.
    pub fn from_doc(doc: &Doc) -> Story {
        let value = serde_json::to_value(StoryView::new(doc)).expect("a story view serializes");
        serde_json::from_value(value).expect("the owned types read what the view writes")
    }
}

/// A processed [`Doc`] as the contract's JSON, serialized straight from the
/// document.
///
/// This is the one mapping from a document to the contract. It builds
/// nothing on the way: every string is borrowed from the story text or the
/// document's entities, ids are formatted on the stack, and lists are
/// written item by item. The command line writes its output this way;
/// [`Story::from_doc`] reads it back into owned values for callers who
/// want to inspect or keep a result.
///
/// ```
/// let pipeline = dateline::Pipeline::new().unwrap();
/// let doc = pipeline.process("example", "KABUL, Afghanistan (AP) — Four gunmen were killed.");
/// let view = serde_json::to_string(&dateline::output::StoryView::new(&doc)).unwrap();
/// let owned = serde_json::to_string(&dateline::Story::from_doc(&doc)).unwrap();
/// assert_eq!(view, owned);
/// ```
pub struct StoryView<'a> {
    c: Conv<'a>,
}

impl<'a> StoryView<'a> {
    pub fn new(doc: &'a Doc<'a>) -> StoryView<'a> {
        StoryView {
            c: Conv {
                doc,
                ix: CharIndex::new(doc.text),
            },
        }
    }
}

impl StoryView<'_> {
    /// Appends the story's compact JSON to `out`: the bytes
    /// `serde_json::to_writer` writes, for less work.
    ///
    /// serde_json escapes every object key as it escapes a value, byte by
    /// byte; here keys, the structs' own field names, are copied as they
    /// are, and so is a value with nothing to escape (most of them, tested
    /// a word at a time and, when short, copied without a `memcpy` call);
    /// a value that needs escaping is escaped as serde_json does it, its
    /// plain runs found a word at a time. Keys are more than half of the
    /// strings a story writes.
    pub fn write_compact(&self, out: &mut Vec<u8>) {
        self.serialize(Compact { out })
            .expect("a story view serializes into memory");
    }
}

impl Serialize for StoryView<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let c = &self.c;
        let doc = c.doc;
        StoryJson {
            schema_version: SCHEMA_VERSION,
            id: &doc.id,
            dateline: doc.dateline.as_ref().map(|d| DatelineJson {
                text: doc.slice(d.span),
                place: d.place.map(Id::place),
                agency: d.agency.as_deref(),
                date: d.date.as_deref(),
                start: c.ix.char_offset(d.span.start),
                end: c.ix.char_offset(d.span.end),
            }),
            places: Each::new(c, &doc.places, |c, i, p| PlaceJson {
                id: Id::place(i),
                name: &p.name,
                kind: &p.kind,
                country_code: p.country_code.as_deref(),
                admin1: p.admin1.as_deref(),
                lat: p.lat,
                lon: p.lon,
                source: &p.source,
                mentions: c.mentions(&p.mentions),
            }),
            organizations: Each::new(c, &doc.organizations, |c, i, o| OrganizationJson {
                id: Id::organization(i),
                name: &o.name,
                canonical: o.canonical.as_deref(),
                kind: &o.kind,
                country_code: o.country_code.as_deref(),
                mentions: c.mentions(&o.mentions),
            }),
            people: Each::new(c, &doc.people, |c, i, p| PersonJson {
                id: Id::person(i),
                name: &p.name,
                canonical: p.canonical.as_deref(),
                title: p.title.as_deref(),
                role: p.role.as_deref(),
                organization: p.organization.map(Id::organization),
                country_code: p.country_code.as_deref(),
                official: p.official,
                mentions: c.mentions(&p.mentions),
            }),
            incidents: Each::new(c, &doc.incidents, incident),
            quotes: Each::new(c, &doc.quotes, |c, _, q| {
                let s = c.span(q.span);
                QuoteJson {
                    speaker: q.speaker.map(|sp| match sp {
                        Speaker::Person(i) => Id::person(i),
                        Speaker::Organization(i) => Id::organization(i),
                    }),
                    start: s.start,
                    end: s.end,
                    text: s.text,
                }
            }),
        }
        .serialize(serializer)
    }
}

fn incident<'a>(c: &'a Conv<'a>, i: usize, e: &'a Incident) -> IncidentJson<'a> {
    let doc = c.doc;
    IncidentJson {
        id: Id::incident(i),
        kind: &e.kind,
        acled_event_type: e.acled_event_type.as_deref(),
        acled_sub_event_type: e.acled_sub_event_type.as_deref(),
        triggers: Each::new(c, &e.triggers, |c, _, &t| c.span(t)),
        date: e.date.as_ref().map(|d| {
            let s = c.span(d.span);
            DateJson {
                text: s.text,
                value: d.value.as_deref(),
                start: s.start,
                end: s.end,
            }
        }),
        location: e.location.as_ref().map(|l| {
            let s = c.span(l.span);
            LocationJson {
                text: s.text,
                places: Each::new(c, &l.places, |_, _, &p| Id::place(p)),
                country_code: l.country_code.as_deref(),
                start: s.start,
                end: s.end,
            }
        }),
        killed: e.killed,
        killed_text: e.killed_text.map(|s| doc.slice(s)),
        injured: e.injured,
        injured_text: e.injured_text.map(|s| doc.slice(s)),
        perpetrators: Each::new(c, &e.perpetrators, |c, _, a| c.argument(a, true, false)),
        victims: Each::new(c, &e.victims, |c, _, a| c.argument(a, false, true)),
        targets: Each::new(c, &e.targets, |c, _, a| c.argument(a, false, false)),
        weapons: Each::new(c, &e.weapons, |c, _, a| c.argument(a, false, false)),
        reported_by: Each::new(c, &e.reported_by, |_, _, &o| Id::organization(o)),
        evidence: Each::new(c, &e.evidence, |c, _, s| EvidenceOut {
            start: c.ix.char_offset(s.start),
            end: c.ix.char_offset(s.end),
        }),
    }
}

/// A slice written as a JSON array of each item's view, never collected.
/// The view is a plain function so the list's type can be named in the
/// structs below.
struct Each<'a, T, U> {
    c: &'a Conv<'a>,
    items: &'a [T],
    view: fn(&'a Conv<'a>, usize, &'a T) -> U,
}

impl<'a, T, U> Each<'a, T, U> {
    fn new(c: &'a Conv<'a>, items: &'a [T], view: fn(&'a Conv<'a>, usize, &'a T) -> U) -> Self {
        Each { c, items, view }
    }
}

impl<T, U: Serialize> Serialize for Each<'_, T, U> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(
            self.items
                .iter()
                .enumerate()
                .map(|(i, item)| (self.view)(self.c, i, item)),
        )
    }
}

/// An entity id (`P1`, `O1`, `H1`, `E1`): a letter (its place in
/// [`ID_LETTERS`]) and a 0-based index, written 1-based. Ids below
/// [`ID_TABLE_END`] are cut from [`ID_TEXT`]; larger ones are formatted on
/// the stack.
#[derive(Clone, Copy)]
struct Id {
    kind: u8,
    index: usize,
}

/// The letters of place, organization, person and incident ids.
const ID_LETTERS: [u8; 4] = *b"POHE";

impl Id {
    fn place(i: usize) -> Id {
        Id { kind: 0, index: i }
    }
    fn organization(i: usize) -> Id {
        Id { kind: 1, index: i }
    }
    fn person(i: usize) -> Id {
        Id { kind: 2, index: i }
    }
    fn incident(i: usize) -> Id {
        Id { kind: 3, index: i }
    }
}

/// The id numbers [`ID_TEXT`] holds: 1 to 999.
const ID_TABLE_END: usize = 1000;
/// The bytes of an id's slot in [`ID_TEXT`]: the letter and up to three
/// digits.
const ID_SLOT: usize = 4;

/// Every id of a number below [`ID_TABLE_END`], in a slot of [`ID_SLOT`]
/// bytes at `(kind * ID_TABLE_END + number) * ID_SLOT` (spaces after a
/// shorter one; the slots of number 0 unused). Cutting an id from this
/// `str` saves checking a freshly formatted one as UTF-8 (an out-of-line
/// call per id) to make it a `str`.
static ID_TEXT: &str = {
    const fn table() -> [u8; ID_LETTERS.len() * ID_TABLE_END * ID_SLOT] {
        let mut t = [b' '; ID_LETTERS.len() * ID_TABLE_END * ID_SLOT];
        let mut kind = 0;
        while kind < ID_LETTERS.len() {
            let mut number = 1;
            while number < ID_TABLE_END {
                let at = (kind * ID_TABLE_END + number) * ID_SLOT;
                t[at] = ID_LETTERS[kind];
                let (mut rest, mut end) = (number, at + id_len(number));
                while rest > 0 {
                    end -= 1;
                    t[end] = b'0' + (rest % 10) as u8;
                    rest /= 10;
                }
                number += 1;
            }
            kind += 1;
        }
        t
    }
    const TABLE: [u8; ID_LETTERS.len() * ID_TABLE_END * ID_SLOT] = table();
    match std::str::from_utf8(&TABLE) {
        Ok(text) => text,
        Err(_) => panic!("ids are ASCII"),
    }
};

/// The length of the id of `number` (below [`ID_TABLE_END`]): its letter
/// and its digits.
const fn id_len(number: usize) -> usize {
    2 + (number >= 10) as usize + (number >= 100) as usize
}

impl Serialize for Id {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let number = self.index + 1;
        if number < ID_TABLE_END {
            let at = (usize::from(self.kind) * ID_TABLE_END + number) * ID_SLOT;
            return serializer.serialize_str(&ID_TEXT[at..at + id_len(number)]);
        }
        let mut digits = itoa::Buffer::new();
        let digits = digits.format(number).as_bytes();
        let mut buf = [0u8; 1 + 20];
        buf[0] = ID_LETTERS[usize::from(self.kind)];
        buf[1..=digits.len()].copy_from_slice(digits);
        let id = std::str::from_utf8(&buf[..=digits.len()]).expect("an ASCII letter and digits");
        serializer.serialize_str(id)
    }
}

/// The serializer of [`StoryView::write_compact`]: serde_json's compact
/// format, with object keys copied unescaped. Floats are written by
/// serde_json itself, so they come out the same, and strings are escaped
/// as it escapes them (a test holds the two together);
/// it takes only what the `*Json` structs need (structs, sequences,
/// options, strings, numbers, booleans).
struct Compact<'w> {
    out: &'w mut Vec<u8>,
}

impl Compact<'_> {
    /// serde_json's serializer over the same buffer, for a value it writes.
    fn json(&mut self) -> serde_json::Serializer<&mut Vec<u8>> {
        serde_json::Serializer::new(&mut *self.out)
    }
    /// A number by `itoa`: none of the story views' fields is signed, and
    /// an unsigned one is this large only in a story over 100 MB, so this
    /// is kept out of the way of [`Compact::uint`], which is inlined.
    #[cold]
    #[inline(never)]
    fn int(self, v: impl itoa::Integer) -> Result<(), serde_json::Error> {
        self.out
            .extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
        Ok(())
    }
    /// An unsigned number: below 10^8 (every offset of a story under
    /// 100 MB, every count) by [`put_small_uint`], else by `itoa`.
    /// Inlined: the number's few dozen instructions cost less than a
    /// call's saving and restoring of registers.
    #[inline(always)]
    fn uint(self, v: u64) -> Result<(), serde_json::Error> {
        if v < SMALL_UINT_END {
            put_small_uint(self.out, v as u32);
            Ok(())
        } else {
            self.int(v)
        }
    }
    fn unsupported() -> serde_json::Error {
        serde::ser::Error::custom("not part of a story view")
    }
}

/// The numbers [`put_small_uint`] writes: below 10^8.
const SMALL_UINT_END: u64 = 100_000_000;

/// Appends `v` (below [`SMALL_UINT_END`]) in decimal, as `itoa` would,
/// without a branch on its number of digits and without a table: a
/// story's offsets run from one digit to five or six, so `itoa`'s branches
/// on the length went one way or the other from one number to the next.
///
/// The eight digits (with leading zeros) are split in one word, SWAR
/// style: the two four-digit halves go in two 32-bit lanes, each lane is
/// split into hundreds and the rest (16-bit lanes), each of those into
/// tens and units (bytes), every quotient by a multiply and a shift that
/// is exact in its range. The most significant digit lands in the lowest
/// byte, first in memory. The word is shifted past the leading zeros, all
/// eight bytes are appended and the vector cut back to the digits.
#[inline]
fn put_small_uint(out: &mut Vec<u8>, v: u32) {
    debug_assert!(u64::from(v) < SMALL_UINT_END);
    // `abcd` in the low lane, `efgh` in the high one.
    let x = u64::from(v / 10_000) | u64::from(v % 10_000) << 32;
    // x / 100 per lane: `* 10486 >> 20` is exact below 43,699.
    let hundreds = ((x * 10_486) >> 20) & 0x0000_007f_0000_007f;
    // `ab`, `cd`, `ef`, `gh` in 16-bit lanes.
    let x = hundreds | (x - hundreds * 100) << 16;
    // x / 10 per lane: `* 103 >> 10` is exact below 179.
    let tens = ((x * 103) >> 10) & 0x000f_000f_000f_000f;
    // One digit (0..=9) a byte, the first in the lowest.
    let x = tens | (x - tens * 10) << 8;
    // The number of digits is found from `v` by independent compares, not
    // from the digits: the vector's length, which the next write waits
    // for, then does not wait for the multiplies above.
    let n = 1
        + u32::from(v >= 10)
        + u32::from(v >= 100)
        + u32::from(v >= 1_000)
        + u32::from(v >= 10_000)
        + u32::from(v >= 100_000)
        + u32::from(v >= 1_000_000)
        + u32::from(v >= 10_000_000);
    let digits = (x | 0x3030_3030_3030_3030) >> (8 * (8 - n));
    let len = out.len();
    out.extend_from_slice(&digits.to_le_bytes());
    out.truncate(len + n as usize);
}

/// The bytes of `w` that JSON escapes (a control character, `"` or `\\`,
/// what serde_json escapes), each marked by its high bit. The lowest mark
/// is exact; marks above it may be false (a borrow runs on from a marked
/// byte), so a caller looks only at whether there is one and at the first.
fn escape_marks(w: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // A byte of `w` below `n` (n <= 0x80) sets its high bit here, unless a
    // lower byte already did; a word without one sets none.
    let below = |w: u64, n: u64| w.wrapping_sub(ONES * n) & !w & HIGH;
    below(w, 0x20)
        | below(w ^ (ONES * u64::from(b'"')), 1)
        | below(w ^ (ONES * u64::from(b'\\')), 1)
}

/// Whether JSON escapes any byte of `w`.
fn escapes(w: u64) -> bool {
    escape_marks(w) != 0
}

/// Whether JSON escapes the byte `b`, as [`escape_marks`] finds it in a word.
fn escapes_byte(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// Whether JSON escapes anything in `s`, tested eight bytes at a time, as
/// most values need nothing and are then copied whole, not byte by byte.
fn needs_escape(s: &[u8]) -> bool {
    let word = |w: &[u8]| escapes(u64::from_le_bytes(w.try_into().expect("8 bytes")));
    if s.len() < 8 {
        return s.iter().any(|&b| escapes_byte(b));
    }
    // The last eight bytes, overlapping the last whole word, end the test.
    s.chunks_exact(8).any(word) || word(&s[s.len() - 8..])
}

/// Appends `s` to `out` in double quotes and returns true, unless JSON
/// escapes something in it: then it writes nothing and returns false.
///
/// Up to [`SHORT`] bytes (most values: names, mention texts, ids) take no
/// loop and no `memcpy` call: the two ends of `s` are read as words of a
/// fixed width (4, 8 or 16 bytes, overlapping when `s` is not twice as
/// long), tested for escapes, and stored into a fixed-size buffer of
/// quotes, which is appended whole and cut to length, as [`put_key`] does
/// with keys: one capacity check for the quotes and the text.
#[inline(always)]
fn put_plain_str(out: &mut Vec<u8>, s: &[u8]) -> bool {
    let n = s.len();
    if n > SHORT {
        if needs_escape(s) {
            return false;
        }
        out.reserve(n + 2);
        out.push(b'"');
        out.extend_from_slice(s);
        out.push(b'"');
        return true;
    }
    let mut piece = [b'"'; SHORT + 2];
    // The first and the last `W` bytes of `s` (8 <= W <= n), as words.
    fn ends<const W: usize>(piece: &mut [u8; SHORT + 2], s: &[u8]) -> bool {
        let n = s.len();
        piece[1..=W].copy_from_slice(&s[..W]);
        piece[n + 1 - W..=n].copy_from_slice(&s[n - W..]);
        s[..W]
            .chunks_exact(8)
            .chain(s[n - W..].chunks_exact(8))
            .any(|w| escapes(u64::from_le_bytes(w.try_into().expect("8 bytes"))))
    }
    let escaped = match n {
        0 => false,
        1..=7 => {
            // Two overlapping halves of up to four bytes, or for 1..=3
            // bytes the first, middle and last (repeats test alike).
            let (head, tail) = if n >= 4 {
                let head: [u8; 4] = s[..4].try_into().expect("4 bytes");
                let tail: [u8; 4] = s[n - 4..].try_into().expect("4 bytes");
                piece[1..5].copy_from_slice(&head);
                piece[n - 3..=n].copy_from_slice(&tail);
                (head, tail)
            } else {
                let (a, m, z) = (s[0], s[n / 2], s[n - 1]);
                piece[1] = a;
                piece[1 + n / 2] = m;
                piece[n] = z;
                ([a, m, z, a], [a; 4])
            };
            escapes(u64::from(u32::from_le_bytes(head)) | u64::from(u32::from_le_bytes(tail)) << 32)
        }
        8..=15 => ends::<8>(&mut piece, s),
        _ => ends::<16>(&mut piece, s),
    };
    if escaped {
        return false;
    }
    // The closing quote is the buffer's own, just past `s`.
    let end = out.len() + n + 2;
    out.extend_from_slice(&piece);
    out.truncate(end);
    true
}

/// Appends `s` to `out` in double quotes, escaped as serde_json escapes
/// it: `\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, and other control
/// bytes as `\u00XX` in lowercase hex. The plain runs between escapes are
/// found eight bytes at a time and copied whole; serde_json looks at every
/// byte, and the values that get here are mostly long quotes whose only
/// escapes are a few line breaks.
#[inline(never)]
fn put_escaped_str(out: &mut Vec<u8>, s: &[u8]) {
    out.reserve(s.len() + 8);
    out.push(b'"');
    // `s[run..]` is not written yet; `i` is where the search goes on.
    let (mut run, mut i) = (0, 0);
    loop {
        let at = match s.get(i..i + 8) {
            Some(w) => {
                let marks = escape_marks(u64::from_le_bytes(w.try_into().expect("8 bytes")));
                if marks == 0 {
                    i += 8;
                    continue;
                }
                i + marks.trailing_zeros() as usize / 8
            }
            None => match s[i..].iter().position(|&b| escapes_byte(b)) {
                Some(k) => i + k,
                None => break,
            },
        };
        out.extend_from_slice(&s[run..at]);
        put_escape(out, s[at]);
        run = at + 1;
        i = run;
    }
    out.extend_from_slice(&s[run..]);
    out.push(b'"');
}

/// Appends JSON's escape of `b`, a byte that [`escapes_byte`] picks.
fn put_escape(out: &mut Vec<u8>, b: u8) {
    let short = match b {
        b'"' => b'"',
        b'\\' => b'\\',
        0x08 => b'b',
        0x0c => b'f',
        b'\n' => b'n',
        b'\r' => b'r',
        b'\t' => b't',
        _ => 0,
    };
    if short != 0 {
        out.extend_from_slice(&[b'\\', short]);
    } else {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let (hi, lo) = (HEX[usize::from(b >> 4)], HEX[usize::from(b & 0xf)]);
        out.extend_from_slice(&[b'\\', b'u', b'0', b'0', hi, lo]);
    }
}

/// The longest value [`put_plain_str`] copies without a loop or a `memcpy` call.
const SHORT: usize = 30;

type Unsupported = serde::ser::Impossible<(), serde_json::Error>;

impl<'w> Serializer for Compact<'w> {
    type Ok = ();
    type Error = serde_json::Error;
    type SerializeSeq = CompactSeq<'w>;
    type SerializeTuple = Unsupported;
    type SerializeTupleStruct = Unsupported;
    type SerializeTupleVariant = Unsupported;
    type SerializeMap = Unsupported;
    type SerializeStruct = CompactStruct<'w>;
    type SerializeStructVariant = Unsupported;

    fn serialize_bool(self, v: bool) -> Result<(), Self::Error> {
        self.out
            .extend_from_slice(if v { b"true" } else { b"false" });
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result<(), Self::Error> {
        self.int(v)
    }
    fn serialize_i16(self, v: i16) -> Result<(), Self::Error> {
        self.int(v)
    }
    fn serialize_i32(self, v: i32) -> Result<(), Self::Error> {
        self.int(v)
    }
    fn serialize_i64(self, v: i64) -> Result<(), Self::Error> {
        self.int(v)
    }
    fn serialize_u8(self, v: u8) -> Result<(), Self::Error> {
        self.uint(u64::from(v))
    }
    fn serialize_u16(self, v: u16) -> Result<(), Self::Error> {
        self.uint(u64::from(v))
    }
    fn serialize_u32(self, v: u32) -> Result<(), Self::Error> {
        self.uint(u64::from(v))
    }
    fn serialize_u64(self, v: u64) -> Result<(), Self::Error> {
        self.uint(v)
    }
    fn serialize_f32(mut self, v: f32) -> Result<(), Self::Error> {
        self.json().serialize_f32(v)
    }
    fn serialize_f64(mut self, v: f64) -> Result<(), Self::Error> {
        self.json().serialize_f64(v)
    }
    fn serialize_char(mut self, v: char) -> Result<(), Self::Error> {
        self.json().serialize_char(v)
    }
    fn serialize_str(self, v: &str) -> Result<(), Self::Error> {
        if !put_plain_str(self.out, v.as_bytes()) {
            put_escaped_str(self.out, v.as_bytes());
        }
        Ok(())
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<(), Self::Error> {
        Err(Self::unsupported())
    }
    fn serialize_none(self) -> Result<(), Self::Error> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<(), Self::Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Self::Error> {
        self.serialize_none()
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Self::Error> {
        self.serialize_none()
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
    ) -> Result<(), Self::Error> {
        Err(Self::unsupported())
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Self::Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), Self::Error> {
        Err(Self::unsupported())
    }
    /// The `[` is written with the first element (or by `end`), as the
    /// one byte that comes before each element.
    fn serialize_seq(self, _: Option<usize>) -> Result<CompactSeq<'w>, Self::Error> {
        Ok(CompactSeq {
            out: self.out,
            first: true,
        })
    }
    fn serialize_tuple(self, _: usize) -> Result<Unsupported, Self::Error> {
        Err(Self::unsupported())
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Unsupported, Self::Error> {
        Err(Self::unsupported())
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Unsupported, Self::Error> {
        Err(Self::unsupported())
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Unsupported, Self::Error> {
        Err(Self::unsupported())
    }
    /// The `{` is written with the first key (or by `end`): see [`put_key`].
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<CompactStruct<'w>, Self::Error> {
        Ok(CompactStruct {
            out: self.out,
            first: true,
        })
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Unsupported, Self::Error> {
        Err(Self::unsupported())
    }
}

/// A JSON array being written by [`Compact`].
struct CompactSeq<'w> {
    out: &'w mut Vec<u8>,
    first: bool,
}

impl serde::ser::SerializeSeq for CompactSeq<'_> {
    type Ok = ();
    type Error = serde_json::Error;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Self::Error> {
        let before = if std::mem::take(&mut self.first) {
            b'['
        } else {
            b','
        };
        self.out.push(before);
        value.serialize(Compact {
            out: &mut *self.out,
        })
    }
    fn end(self) -> Result<(), Self::Error> {
        if self.first {
            self.out.push(b'[');
        }
        self.out.push(b']');
        Ok(())
    }
}

/// A JSON object being written by [`Compact`].
struct CompactStruct<'w> {
    out: &'w mut Vec<u8>,
    first: bool,
}

impl serde::ser::SerializeStruct for CompactStruct<'_> {
    type Ok = ();
    type Error = serde_json::Error;
    /// Always inlined into the derived `serialize` of each struct, where
    /// the key is a constant and whether the field is the first is known:
    /// the whole `,"key":` (or `{"key":`) piece is then a constant, written by
    /// [`put_key`] with one capacity check and no call.
    #[inline(always)]
    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Self::Error> {
        // A field name is a Rust identifier: nothing in it needs escaping.
        debug_assert!(key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
        put_key(self.out, key, std::mem::take(&mut self.first));
        value.serialize(Compact {
            out: &mut *self.out,
        })
    }
    fn end(self) -> Result<(), Self::Error> {
        if self.first {
            self.out.push(b'{');
        }
        self.out.push(b'}');
        Ok(())
    }
}

/// Appends `"key":` to `out`, after a comma, or after the object's `{`
/// if the field is the first (an object's opening brace is written with
/// its first key, one append less). The piece is built in a fixed-size buffer that is appended whole
/// and then cut to length: with `key` and `first` constants (where
/// [`CompactStruct::serialize_field`] is inlined) that is a constant of a
/// fixed size, copied by a few stores, not a `memcpy` call per key.
#[inline(always)]
fn put_key(out: &mut Vec<u8>, key: &str, first: bool) {
    const WIDTH: usize = 32;
    let key = key.as_bytes();
    let before = if first { b'{' } else { b',' };
    let len = key.len() + 4;
    if len > WIDTH {
        out.push(before);
        out.push(b'"');
        out.extend_from_slice(key);
        out.extend_from_slice(b"\":");
        return;
    }
    let mut piece = [0u8; WIDTH];
    piece[0] = before;
    piece[1] = b'"';
    piece[2..len - 2].copy_from_slice(key);
    piece[len - 2..len].copy_from_slice(b"\":");
    let end = out.len() + len;
    out.extend_from_slice(&piece);
    out.truncate(end);
}

// The borrowed twins of the owned types above: same fields, same order,
// same names, so they serialize to the same bytes.

#[derive(Serialize)]
struct StoryJson<'a> {
    schema_version: u32,
    id: &'a str,
    dateline: Option<DatelineJson<'a>>,
    places: Each<'a, Place, PlaceJson<'a>>,
    organizations: Each<'a, Organization, OrganizationJson<'a>>,
    people: Each<'a, Person, PersonJson<'a>>,
    incidents: Each<'a, Incident, IncidentJson<'a>>,
    quotes: Each<'a, Quote, QuoteJson<'a>>,
}

#[derive(Serialize)]
struct DatelineJson<'a> {
    text: &'a str,
    place: Option<Id>,
    agency: Option<&'a str>,
    date: Option<&'a str>,
    start: usize,
    end: usize,
}

#[derive(Serialize)]
struct MentionJson<'a> {
    start: usize,
    end: usize,
    text: &'a str,
    form: &'static str,
}

#[derive(Serialize)]
struct PlaceJson<'a> {
    id: Id,
    name: &'a str,
    kind: &'a str,
    country_code: Option<&'a str>,
    admin1: Option<&'a str>,
    lat: Option<f64>,
    lon: Option<f64>,
    source: &'a str,
    mentions: Each<'a, Mention, MentionJson<'a>>,
}

#[derive(Serialize)]
struct OrganizationJson<'a> {
    id: Id,
    name: &'a str,
    canonical: Option<&'a str>,
    kind: &'a str,
    country_code: Option<&'a str>,
    mentions: Each<'a, Mention, MentionJson<'a>>,
}

#[derive(Serialize)]
struct PersonJson<'a> {
    id: Id,
    name: &'a str,
    canonical: Option<&'a str>,
    title: Option<&'a str>,
    role: Option<&'a str>,
    organization: Option<Id>,
    country_code: Option<&'a str>,
    official: bool,
    mentions: Each<'a, Mention, MentionJson<'a>>,
}

#[derive(Serialize)]
struct SpanJson<'a> {
    text: &'a str,
    start: usize,
    end: usize,
}

#[derive(Serialize)]
struct ArgumentJson<'a> {
    text: &'a str,
    start: usize,
    end: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    organization: Option<Option<Id>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    count: Option<Option<u32>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    nationality: Option<Option<&'a str>>,
}

#[derive(Serialize)]
struct DateJson<'a> {
    text: &'a str,
    value: Option<&'a str>,
    start: usize,
    end: usize,
}

#[derive(Serialize)]
struct LocationJson<'a> {
    text: &'a str,
    places: Each<'a, usize, Id>,
    country_code: Option<&'a str>,
    start: usize,
    end: usize,
}

#[derive(Serialize)]
struct IncidentJson<'a> {
    id: Id,
    #[serde(rename = "type")]
    kind: &'a str,
    acled_event_type: Option<&'a str>,
    acled_sub_event_type: Option<&'a str>,
    triggers: Each<'a, Span, SpanJson<'a>>,
    date: Option<DateJson<'a>>,
    location: Option<LocationJson<'a>>,
    killed: Option<u32>,
    killed_text: Option<&'a str>,
    injured: Option<u32>,
    injured_text: Option<&'a str>,
    perpetrators: Each<'a, Argument, ArgumentJson<'a>>,
    victims: Each<'a, Argument, ArgumentJson<'a>>,
    targets: Each<'a, Argument, ArgumentJson<'a>>,
    weapons: Each<'a, Argument, ArgumentJson<'a>>,
    reported_by: Each<'a, usize, Id>,
    evidence: Each<'a, Span, EvidenceOut>,
}

#[derive(Serialize)]
struct QuoteJson<'a> {
    speaker: Option<Id>,
    start: usize,
    end: usize,
    text: &'a str,
}

/// The JSON Schema (draft 2020-12) of one output line: a story or an error record.
pub fn json_schema() -> serde_json::Value {
    serde_json::from_str(SCHEMA).expect("schema is valid JSON")
}

const SCHEMA: &str = include_str!("schema.json");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::{
        Dateline, Form, IncidentDate, IncidentLocation, Organization, Person, Place, Quote,
    };

    /// A document with every output field filled in at least once (and
    /// left empty at least once), over non-ASCII text.
    fn full_doc(text: &str) -> Doc<'_> {
        let at = |word: &str| {
            let start = text.find(word).unwrap();
            Span::new(start, start + word.len())
        };
        let mention = |word: &str, form: Form| Mention {
            span: at(word),
            form,
        };
        let mut doc = Doc::new("dir/story \"1\".txt", text);
        doc.dateline = Some(Dateline {
            span: at("KABUL, Afghanistan (AP) —"),
            place: Some(0),
            agency: Some("AP".into()),
            date: None,
            ..Dateline::default()
        });
        doc.places = vec![
            Place {
                name: "Kabul".into(),
                kind: "city".into(),
                country_code: Some("AF".into()),
                admin1: Some("AF-KAB".into()),
                lat: Some(34.5281),
                lon: Some(69.1723),
                source: "geonames:1138958".into(),
                mentions: vec![
                    mention("KABUL", Form::Name),
                    mention("Kabul’s", Form::Alias),
                ],
            },
            Place {
                name: "Nowhere".into(),
                kind: "region".into(),
                country_code: None,
                admin1: None,
                lat: None,
                lon: Some(-0.5),
                source: "user:1".into(),
                mentions: vec![],
            },
        ];
        doc.organizations = vec![Organization {
            name: "Taliban".into(),
            canonical: Some("Taliban".into()),
            kind: "armed_group".into(),
            country_code: None,
            mentions: vec![mention("Taliban", Form::Name)],
        }];
        doc.people = (0..12)
            .map(|i| Person {
                name: format!("Zabihullah Mujahid {i}").into(),
                canonical: (i == 0).then(|| "Zabihullah Mujahid".into()),
                title: Some("spokesman".into()),
                role: None,
                organization: (i % 2 == 0).then_some(0),
                country_code: Some("AF".into()),
                official: i == 0,
                mentions: vec![mention("Mujahid", Form::Name)],
            })
            .collect();
        let mut e = Incident::new("attack");
        e.acled_event_type = Some("Violence against civilians".into());
        e.triggers = vec![at("attacked")];
        e.date = Some(IncidentDate {
            span: at("Tuesday"),
            value: Some("2021-08-31".into()),
        });
        e.location = Some(IncidentLocation {
            span: at("in Kabul’s"),
            places: vec![0, 1],
            country_code: Some("AF".into()),
        });
        e.killed = Some(4);
        e.killed_text = Some(at("Four"));
        e.perpetrators = vec![Argument {
            organization: Some(0),
            ..Argument::new(at("Taliban"))
        }];
        e.victims = vec![
            Argument {
                count: Some(4),
                nationality: Some("AF".into()),
                ..Argument::new(at("Four civilians"))
            },
            Argument::new(at("civilians")),
        ];
        e.weapons = vec![Argument::new(at("rifles"))];
        e.reported_by = vec![0];
        e.evidence = vec![Span::new(0, text.len())];
        doc.incidents = vec![e, Incident::new("protest")];
        doc.quotes = vec![
            Quote {
                span: at("We \"warned\" them"),
                speaker: Some(Speaker::Person(11)),
            },
            Quote {
                span: at("them"),
                speaker: Some(Speaker::Organization(0)),
            },
            Quote {
                span: at("Tuesday"),
                speaker: None,
            },
        ];
        doc
    }

    #[test]
    fn needs_escape_finds_what_serde_json_escapes() {
        for len in 0..40 {
            for at in 0..len {
                for b in 0..=255u8 {
                    let mut s: Vec<u8> = (0..len).map(|i| b'a' + i as u8 % 26).collect();
                    s[at] = b;
                    let escaped = serde_json::to_string(&char::from(b).to_string()).unwrap();
                    let plain = escaped.len() == char::from(b).len_utf8() + 2;
                    assert_eq!(needs_escape(&s), !plain, "byte {b} at {at} of {len}");
                    // `put_plain_str` writes a plain `s` quoted, after what is there.
                    let mut out = b"x".to_vec();
                    assert_eq!(
                        put_plain_str(&mut out, &s),
                        plain,
                        "byte {b} at {at} of {len}"
                    );
                    let want = [&b"x\""[..], &s, b"\""].concat();
                    assert_eq!(out, if plain { want } else { b"x".to_vec() });
                }
            }
        }
    }

    /// Ids from the table and formatted ones, against the letter and the
    /// 1-based decimal.
    #[test]
    fn ids_are_a_letter_and_a_1_based_number() {
        for (kind, letter) in ID_LETTERS.iter().enumerate() {
            for index in (0..2_000).chain([usize::MAX - 1]) {
                let id = Id {
                    kind: kind as u8,
                    index,
                };
                let want = format!("\"{}{}\"", char::from(*letter), index as u128 + 1);
                assert_eq!(serde_json::to_string(&id).unwrap(), want);
                let mut out = Vec::new();
                id.serialize(Compact { out: &mut out }).unwrap();
                assert_eq!(out, want.as_bytes());
            }
        }
    }

    /// `put_escaped_str` against serde_json: every ASCII byte and a few
    /// longer characters, alone and at every place in strings of up to 40
    /// bytes (around and across the eight-byte words), and runs of escapes
    /// mixed with plain text.
    #[test]
    fn escaped_strings_are_written_as_serde_json_writes_them() {
        let check = |s: &str| {
            let mut out = b"x".to_vec();
            put_escaped_str(&mut out, s.as_bytes());
            let want = serde_json::to_string(s).unwrap();
            assert_eq!(out, [&b"x"[..], want.as_bytes()].concat(), "{s:?}");
        };
        let chars = (0..0x80u8)
            .map(char::from)
            .chain(['é', '—', '’', '😀', '\u{7f}']);
        for c in chars {
            for len in 0..40 {
                for at in 0..len {
                    let mut s: String = (0..len).map(|i| char::from(b'a' + i as u8 % 26)).collect();
                    s.replace_range(at..=at, c.encode_utf8(&mut [0; 4]));
                    check(&s);
                }
            }
        }
        for s in [
            "",
            "\"",
            "\\\\\"\n\r\t\u{8}\u{c}\u{0}\u{1f}",
            "line one,\nline two \"quoted\" and\n\n\tindented — “curly”\r\n",
            "\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"",
            "abcdefgh\nabcdefg\\abcdefghi\u{1}",
        ] {
            check(s);
        }
    }

    #[test]
    fn small_numbers_are_written_as_itoa_writes_them() {
        // Every number up to a million, each power of ten and its
        // neighbours, and a spread of larger ones up to the fast path's end
        // and past it (`Compact::uint`), and a denser stride through the
        // fast path's range (`put_small_uint`'s multiplies are exact only
        // in their ranges).
        let powers = (0..=19).flat_map(|e| {
            let p = 10u64.pow(e);
            [p.saturating_sub(1), p, p + 1]
        });
        let spread = (0..1_000u64).map(|i| i * 100_003 + 7);
        let stride = (1_000_000..SMALL_UINT_END).step_by(9_973);
        for v in (0..1_000_000)
            .chain(powers)
            .chain(spread)
            .chain(stride)
            .chain([SMALL_UINT_END - 1, u64::MAX])
        {
            let mut out = b"x".to_vec();
            Compact { out: &mut out }.uint(v).unwrap();
            assert_eq!(
                out,
                [&b"x"[..], itoa::Buffer::new().format(v).as_bytes()].concat(),
                "{v}"
            );
        }
    }

    #[test]
    fn the_view_serializes_like_the_owned_story() {
        let text = "KABUL, Afghanistan (AP) — Four civilians were attacked Tuesday \
                    in Kabul’s west by Taliban with rifles.\n\t\"We \"warned\" them,\" Mujahid said.";
        let doc = full_doc(text);
        let story = Story::from_doc(&doc);
        let view = StoryView::new(&doc);
        assert_eq!(
            serde_json::to_string(&view).unwrap(),
            serde_json::to_string(&story).unwrap()
        );
        assert_eq!(
            serde_json::to_string_pretty(&view).unwrap(),
            serde_json::to_string_pretty(&story).unwrap()
        );
        let empty = Doc::new("", "");
        assert_eq!(
            serde_json::to_string_pretty(&StoryView::new(&empty)).unwrap(),
            serde_json::to_string_pretty(&Story::from_doc(&empty)).unwrap()
        );
        for doc in [&doc, &empty] {
            let mut compact = b"before ".to_vec();
            StoryView::new(doc).write_compact(&mut compact);
            let json = serde_json::to_string(&Story::from_doc(doc)).unwrap();
            assert_eq!(
                String::from_utf8(compact).unwrap(),
                format!("before {json}")
            );
        }
    }
}
