//! The one document type every stage reads and writes.
//!
//! A [`Doc`] owns the story text and every annotation the stages add to it,
//! in the spirit of spaCy's `Doc`: stages run in order, each documented by
//! what it reads and what it writes, and nothing travels between stages
//! except through this struct.
//!
//! All spans inside the library are **byte** offsets into [`Doc::text`]
//! (cheap to slice, what `regex` and `str` searches report). The contract's
//! **character** offsets are computed once, at output time, by
//! [`CharIndex`], which is the identity for ASCII text.

use std::borrow::Cow;
use std::cell::RefCell;
use std::ops::Range;

/// A half-open byte range into the story text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        debug_assert!(start <= end);
        Span { start, end }
    }
    pub fn len(&self) -> usize {
        self.end - self.start
    }
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
    /// Does this span hold all of `other`? (Both ends are compared, with
    /// `&`, not `&&`: spans are tested in loops over a story's mentions
    /// and hits, where a branch between the two comparisons goes either
    /// way from one span to the next.)
    pub fn contains(&self, other: Span) -> bool {
        (self.start <= other.start) & (other.end <= self.end)
    }
    /// Do the two spans share a byte? (Without a branch, as
    /// [`Span::contains`].)
    pub fn overlaps(&self, other: Span) -> bool {
        (self.start < other.end) & (other.start < self.end)
    }
    pub fn range(&self) -> Range<usize> {
        self.start..self.end
    }
}

/// What a token is made of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// Letters, possibly with digits, internal periods of an abbreviation
    /// ("U.S.") or nothing else.
    Word,
    /// Digits, possibly with internal `,` `.` `:` `/` `-` ("15,000", "1996-08-30").
    Number,
    /// Any other single non-space character.
    Punct,
}

/// One token. Offsets are bytes; tokens never contain white space.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub start: u32,
    pub end: u32,
    pub kind: TokenKind,
    /// Bit set of `Token::CAP`, `Token::UPPER`, `Token::LOWER`, ...
    pub flags: u8,
}

impl Token {
    /// First character is an uppercase letter.
    pub const CAP: u8 = 1;
    /// Has letters, and every letter is uppercase.
    pub const UPPER: u8 = 2;
    /// Has letters, and every letter is lowercase.
    pub const LOWER: u8 = 4;
    /// Contains a digit.
    pub const DIGIT: u8 = 8;
    /// Only ASCII bytes.
    pub const ASCII: u8 = 16;
    /// Preceded by white space that contains a line break.
    pub const LINE_START: u8 = 32;
    /// Preceded by a blank line (or the start of the text).
    pub const PARA_START: u8 = 64;
    /// Ends like a sentence: the punctuation `.`, `!` or `?`, or a word
    /// that ends with a period (an abbreviation written with periods,
    /// `U.S.`). Set by the tokenizer so that the sentence splitter passes
    /// over every other token with one bit test.
    pub const STOP: u8 = 128;

    pub fn span(&self) -> Span {
        Span::new(self.start as usize, self.end as usize)
    }
    pub fn is(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }
    pub fn text<'t>(&self, text: &'t str) -> &'t str {
        &text[self.start as usize..self.end as usize]
    }
    pub fn is_word(&self) -> bool {
        self.kind == TokenKind::Word
    }
}

/// A sentence: a range of token indices and the byte span it covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sentence {
    pub tokens: Range<usize>,
    pub span: Span,
}

/// How a mention refers to its entity (the contract's `form`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Form {
    Name,
    Alias,
    Acronym,
    Demonym,
    Nominal,
    Pronoun,
}

impl Form {
    pub fn as_str(&self) -> &'static str {
        match self {
            Form::Name => "name",
            Form::Alias => "alias",
            Form::Acronym => "acronym",
            Form::Demonym => "demonym",
            Form::Nominal => "nominal",
            Form::Pronoun => "pronoun",
        }
    }
    pub fn parse(s: &str) -> Option<Form> {
        Some(match s {
            "name" => Form::Name,
            "alias" => Form::Alias,
            "acronym" => Form::Acronym,
            "demonym" => Form::Demonym,
            "nominal" => Form::Nominal,
            "pronoun" => Form::Pronoun,
            _ => return None,
        })
    }
}

/// A span of text that refers to an entity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mention {
    pub span: Span,
    pub form: Form,
}

/// The story's dateline ("KABUL, Afghanistan (AP) —").
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Dateline {
    pub span: Span,
    /// Span of the place words ("KABUL, Afghanistan").
    pub place_span: Option<Span>,
    /// Index into `Doc::places`, filled by the places stage.
    pub place: Option<usize>,
    pub agency: Option<String>,
    /// Span of the agency text inside the parentheses.
    pub agency_span: Option<Span>,
    /// ISO date (`YYYY-MM-DD`) when the dateline carries a full date.
    pub date: Option<String>,
    /// Span of the date text, when there is one.
    pub date_span: Option<Span>,
}

/// A resolved place.
///
/// Its text fields are `Cow`s: those of a built-in gazetteer entry borrow
/// the data compiled into the binary, so a story's places, dozens of them,
/// cost no copies; a name found in the text or an entry of a gazetteer
/// added at run time is owned.
#[derive(Clone, Debug, PartialEq)]
pub struct Place {
    pub name: Cow<'static, str>,
    pub kind: Cow<'static, str>,
    pub country_code: Option<Cow<'static, str>>,
    pub admin1: Option<Cow<'static, str>>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub source: Cow<'static, str>,
    pub mentions: Vec<Mention>,
}

/// A resolved organization.
///
/// Its text fields are `Cow`s, as [`Place`]'s are: a listed
/// organization's names, kind and country borrow the built-in list's row,
/// a kind found by the rules is a string literal and a country a place's
/// code, so most of them cost no copy per story; a name as the story
/// spells it is owned.
#[derive(Clone, Debug, PartialEq)]
pub struct Organization {
    /// The name as the story gives it.
    pub name: Cow<'static, str>,
    /// The curated list's name for it, when it comes from the list.
    pub canonical: Option<Cow<'static, str>>,
    pub kind: Cow<'static, str>,
    pub country_code: Option<Cow<'static, str>>,
    pub mentions: Vec<Mention>,
}

/// A named person.
///
/// Its text fields are `Cow`s, as [`Organization`]'s are: a listed
/// person's names, a title and a country borrow the built-in lists' rows
/// (or a place's code); a name or role as the story spells it is owned.
#[derive(Clone, Debug, PartialEq)]
pub struct Person {
    /// The fullest name the story gives.
    pub name: Cow<'static, str>,
    /// The list's name for a well-known person.
    pub canonical: Option<Cow<'static, str>>,
    pub title: Option<Cow<'static, str>>,
    pub role: Option<String>,
    /// Index into `Doc::organizations`.
    pub organization: Option<usize>,
    pub country_code: Option<Cow<'static, str>>,
    pub official: bool,
    pub mentions: Vec<Mention>,
}

/// A text span that fills an incident role.
#[derive(Clone, Debug, PartialEq)]
pub struct Argument {
    pub span: Span,
    /// Perpetrators: index into `Doc::organizations`.
    pub organization: Option<usize>,
    /// Victims: how many, when stated.
    pub count: Option<u32>,
    /// Victims: ISO country code of a stated nationality.
    pub nationality: Option<String>,
}

impl Argument {
    pub fn new(span: Span) -> Argument {
        Argument {
            span,
            organization: None,
            count: None,
            nationality: None,
        }
    }
}

/// When an incident happened.
#[derive(Clone, Debug, PartialEq)]
pub struct IncidentDate {
    pub span: Span,
    /// ISO 8601 date or `YYYY-MM`, when it can be resolved.
    pub value: Option<String>,
}

/// Where an incident happened.
#[derive(Clone, Debug, PartialEq)]
pub struct IncidentLocation {
    pub span: Span,
    /// Indices into `Doc::places`.
    pub places: Vec<usize>,
    pub country_code: Option<String>,
}

/// One incident record.
#[derive(Clone, Debug, PartialEq)]
pub struct Incident {
    pub kind: String,
    pub acled_event_type: Option<String>,
    pub acled_sub_event_type: Option<String>,
    /// The trigger expressions the incident was read from.
    pub triggers: Vec<Span>,
    pub date: Option<IncidentDate>,
    pub location: Option<IncidentLocation>,
    pub killed: Option<u32>,
    pub killed_text: Option<Span>,
    pub injured: Option<u32>,
    pub injured_text: Option<Span>,
    pub perpetrators: Vec<Argument>,
    pub victims: Vec<Argument>,
    pub targets: Vec<Argument>,
    pub weapons: Vec<Argument>,
    /// Indices into `Doc::organizations`.
    pub reported_by: Vec<usize>,
    /// Sentence spans the incident was read from.
    pub evidence: Vec<Span>,
}

impl Incident {
    pub fn new(kind: &str) -> Incident {
        Incident {
            kind: kind.to_string(),
            acled_event_type: None,
            acled_sub_event_type: None,
            triggers: Vec::new(),
            date: None,
            location: None,
            killed: None,
            killed_text: None,
            injured: None,
            injured_text: None,
            perpetrators: Vec::new(),
            victims: Vec::new(),
            targets: Vec::new(),
            weapons: Vec::new(),
            reported_by: Vec::new(),
            evidence: Vec::new(),
        }
    }
}

/// Who a quote is attributed to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Speaker {
    Person(usize),
    Organization(usize),
}

/// A direct quotation.
#[derive(Clone, Debug, PartialEq)]
pub struct Quote {
    /// The quoted text, without the quotation marks.
    pub span: Span,
    pub speaker: Option<Speaker>,
}

/// The story and everything the stages found in it.
#[derive(Clone, Debug)]
pub struct Doc<'t> {
    pub id: String,
    pub text: &'t str,
    /// `text` with ASCII letters lowercased: same length, same offsets.
    /// Case-insensitive matching runs over this.
    pub lower: String,
    /// Most letters are capitals (headline-only copy, old wire services).
    pub all_caps: bool,
    /// Lines are wrapped at a fixed width (a newline is not a sentence end).
    pub hard_wrapped: bool,
    /// The reference date for relative dates (`--date`), ISO.
    pub reference_date: Option<String>,
    pub tokens: Vec<Token>,
    /// What the built-in gazetteers say of each token, read by the lookup
    /// stage for the words that may start a name (capitalized words; every
    /// word of capitals copy), `Lexeme::UNKNOWN` for the rest.
    pub lexemes: Vec<crate::gazetteer::Lexeme>,
    /// What the lookup stage tallied of the words as it read their
    /// lexemes: the few tokens the people and sports rules need to read.
    pub word_tally: crate::gazetteer::WordTally,
    pub sentences: Vec<Sentence>,
    /// Curated phrases found by the lookup stage (sorted by start).
    pub phrases: Vec<crate::gazetteer::PhraseHit>,
    pub dateline: Option<Dateline>,
    pub places: Vec<Place>,
    pub organizations: Vec<Organization>,
    pub people: Vec<Person>,
    pub incidents: Vec<Incident>,
    pub quotes: Vec<Quote>,
}

impl<'t> Doc<'t> {
    pub fn new(id: impl Into<String>, text: &'t str) -> Doc<'t> {
        Doc {
            id: id.into(),
            text,
            lower: {
                let mut lower = Spare::take(|s| &mut s.lower);
                lower.push_str(text);
                lower.make_ascii_lowercase();
                lower
            },
            all_caps: false,
            hard_wrapped: false,
            reference_date: None,
            tokens: Vec::new(),
            lexemes: Vec::new(),
            word_tally: Default::default(),
            sentences: Vec::new(),
            phrases: Vec::new(),
            dateline: None,
            places: Vec::new(),
            organizations: Vec::new(),
            people: Vec::new(),
            incidents: Vec::new(),
            quotes: Vec::new(),
        }
    }

    /// The text of a span.
    pub fn slice(&self, span: Span) -> &'t str {
        &self.text[span.range()]
    }

    /// Index of the first token whose start is at or after `byte`.
    pub fn token_at_or_after(&self, byte: usize) -> usize {
        self.tokens.partition_point(|t| (t.start as usize) < byte)
    }

    /// Index of the token that starts exactly at `byte`, if any.
    pub fn token_starting_at(&self, byte: usize) -> Option<usize> {
        let i = self.token_at_or_after(byte);
        (i < self.tokens.len() && self.tokens[i].start as usize == byte).then_some(i)
    }

    /// Is exactly one space between tokens `a` and `b`? (Stricter than
    /// [`one_space`]: a name found from its shape alone never runs over a
    /// line end, which in one-sentence-per-line copy ends a sentence.) The
    /// places and people rules ask it of most capitalized words of
    /// mixed-case copy, so it reads offsets and one byte, not a slice of
    /// text.
    #[inline]
    pub fn single_space_between(&self, a: usize, b: usize) -> bool {
        let (end, start) = (self.tokens[a].end as usize, self.tokens[b].start as usize);
        start == end + 1 && self.text.as_bytes()[end] == b' '
    }

    /// Index of the token that ends exactly at `byte`, if any.
    pub fn token_ending_at(&self, byte: usize) -> Option<usize> {
        let i = self.tokens.partition_point(|t| (t.end as usize) < byte);
        (i < self.tokens.len() && self.tokens[i].end as usize == byte).then_some(i)
    }

    /// Index of the sentence containing byte `byte`.
    pub fn sentence_of(&self, byte: usize) -> Option<usize> {
        let i = self.sentences.partition_point(|s| s.span.end <= byte);
        (i < self.sentences.len() && self.sentences[i].span.start <= byte).then_some(i)
    }

    /// Byte span covering tokens `range` (which must be non-empty).
    pub fn tokens_span(&self, range: Range<usize>) -> Span {
        Span::new(
            self.tokens[range.start].start as usize,
            self.tokens[range.end - 1].end as usize,
        )
    }
}

/// The per-token buffers of a thread's last document, kept for its next:
/// a story needs a dozen kilobytes of them (tokens, lexemes, the lowercase
/// text), and allocating and freeing blocks that size for every story sends
/// the allocator to its slow paths (large-bin searches and consolidation),
/// a cost the stages' own work does not need. A document takes them in
/// [`Doc::new`] and the stages that fill them ([`tokenize`], the lookup
/// stage's [`Gazetteer::lexemes`]); its drop gives them back. A stage's
/// own scratch buffers, which never enter the document, are taken and
/// given back ([`Spare::give`]) by the stage (the names stage's per-token
/// marks, its token lists and its span lists; the incidents stage's
/// anchors). A buffer is taken empty,
/// its capacity kept.
///
/// [`tokenize`]: crate::stages::tokenize::tokenize
/// [`Gazetteer::lexemes`]: crate::gazetteer::Gazetteer::lexemes
#[derive(Default)]
pub(crate) struct Spare {
    pub(crate) lower: String,
    pub(crate) tokens: Vec<Token>,
    pub(crate) lexemes: Vec<crate::gazetteer::Lexeme>,
    pub(crate) open_words: Vec<u32>,
    pub(crate) name_cases: Vec<u8>,
    /// The names stage's scratch: word bits and name marks of each token,
    /// the tokens the lookup stage marked and the name words among them,
    /// the spans that hold organizations and the spans no name may touch.
    pub(crate) word_bits: Vec<u8>,
    pub(crate) name_marks: Vec<u8>,
    pub(crate) name_marked: Vec<u32>,
    pub(crate) name_words: Vec<u32>,
    pub(crate) org_spans: Vec<Span>,
    pub(crate) blocked: Vec<Span>,
    /// The incidents stage's anchors of an event sentence: its violent
    /// triggers, casualty and damage words, and the tokens that may cue.
    pub(crate) anchor_triggers: Vec<Span>,
    pub(crate) anchor_harm: Vec<usize>,
    pub(crate) anchor_damage: Vec<usize>,
    pub(crate) anchor_candidates: Vec<u32>,
}

thread_local! {
    static SPARE: RefCell<Spare> = RefCell::new(Spare::default());
}

/// A kind of buffer [`Spare`] keeps: emptied as it is taken.
pub(crate) trait Buffer: Default {
    fn clear(&mut self);
}

impl<T> Buffer for Vec<T> {
    fn clear(&mut self) {
        Vec::clear(self);
    }
}

impl Buffer for String {
    fn clear(&mut self) {
        String::clear(self);
    }
}

impl Spare {
    /// The buffers of a story longer than this (in bytes), and a stage's
    /// buffer larger than this, are freed, not kept: one huge input must
    /// not leave its thread holding memory in proportion.
    const MAX_TEXT: usize = 1 << 20;

    /// The thread's spare buffer that `pick` chooses, emptied (its
    /// capacity is what it keeps); a new one when there is none.
    pub(crate) fn take<T: Buffer>(pick: impl FnOnce(&mut Spare) -> &mut T) -> T {
        let mut buf: T = SPARE
            .try_with(|s| std::mem::take(pick(&mut s.borrow_mut())))
            .unwrap_or_default();
        buf.clear();
        buf
    }

    /// Gives `buf` back as the thread's spare buffer that `pick` chooses,
    /// for the next story; one of more than [`Spare::MAX_TEXT`] bytes is
    /// freed instead.
    pub(crate) fn give<T>(pick: impl FnOnce(&mut Spare) -> &mut Vec<T>, buf: Vec<T>) {
        if buf.capacity() * std::mem::size_of::<T>() > Spare::MAX_TEXT {
            return;
        }
        // (Not at all while the thread is exiting.)
        let _ = SPARE.try_with(|s| *pick(&mut s.borrow_mut()) = buf);
    }
}

impl Drop for Doc<'_> {
    fn drop(&mut self) {
        if self.text.len() > Spare::MAX_TEXT {
            return;
        }
        // (Not at all while the thread is exiting.)
        let _ = SPARE.try_with(|s| {
            let s = &mut *s.borrow_mut();
            std::mem::swap(&mut s.lower, &mut self.lower);
            std::mem::swap(&mut s.tokens, &mut self.tokens);
            std::mem::swap(&mut s.lexemes, &mut self.lexemes);
            std::mem::swap(&mut s.open_words, &mut self.word_tally.open_words);
            std::mem::swap(&mut s.name_cases, &mut self.word_tally.name_cases);
        });
    }
}

/// Converts byte offsets to character offsets (Unicode scalar values).
///
/// For ASCII text this is the identity and costs nothing; otherwise it
/// holds a table of the character count before each byte.
pub struct CharIndex {
    table: Option<Vec<u32>>,
}

impl CharIndex {
    pub fn new(text: &str) -> CharIndex {
        if text.is_ascii() {
            return CharIndex { table: None };
        }
        // fixed[i] is the number of chars that start before byte i.
        let mut fixed = Vec::with_capacity(text.len() + 1);
        let mut n = 0u32;
        for b in text.bytes() {
            fixed.push(n);
            if (b & 0xC0) != 0x80 {
                n += 1;
            }
        }
        fixed.push(n);
        CharIndex { table: Some(fixed) }
    }

    pub fn char_offset(&self, byte: usize) -> usize {
        match &self.table {
            None => byte,
            Some(t) => t[byte] as usize,
        }
    }
}

/// Is `gap` the white space between two words of one phrase: a space, or
/// a line break of hard-wrapped copy, not a blank line?
pub fn one_space(gap: &str) -> bool {
    !gap.is_empty() && gap.trim().is_empty() && !gap.contains("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A document takes the buffers a longer one left behind ([`Spare`]):
    /// it must read nothing of them. The same story processed by a fresh
    /// thread, with no spare buffers, gives the same document.
    #[test]
    fn a_document_after_a_longer_one_owes_it_nothing() {
        let pipeline = crate::Pipeline::new().expect("built-in gazetteers");
        let long = include_str!("../fixtures/tajik-border.txt");
        let short = "KABUL, March 3 (Reuters) - A bomb killed two people near \
                     the Interior Ministry in Kabul on Tuesday, police said.";
        let fresh = {
            let pipeline = pipeline.clone();
            std::thread::spawn(move || format!("{:?}", pipeline.process("s", short)))
                .join()
                .expect("thread")
        };
        drop(pipeline.process("l", long));
        let after = format!("{:?}", pipeline.process("s", short));
        assert!(after.contains("Kabul") && after.contains("Interior Ministry"));
        assert_eq!(after, fresh);
    }

    #[test]
    fn char_index_counts_scalars() {
        let text = "Kabul — Tajikistan’s";
        let ix = CharIndex::new(text);
        let byte = text.find("Tajikistan").unwrap();
        assert_eq!(ix.char_offset(byte), 8);
        assert_eq!(ix.char_offset(text.len()), text.chars().count());
        let ascii = CharIndex::new("plain");
        assert_eq!(ascii.char_offset(3), 3);
    }
}
