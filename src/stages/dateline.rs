//! Dateline parser: the place, agency and date a wire story opens with.
//!
//! Reads `Doc::text`; writes `Doc::dateline` (the places stage later links
//! `Dateline::place`). Styles recognised, within the first lines:
//! - `KABUL, Afghanistan (AP) —`, `WASHINGTON (Reuters) -`,
//!   `DUSHANBE, Tajikistan (AFP) -`
//! - `MOSCOW, Dec 5 (Reuters) -`, `Lima, 20 Aug 88 (EFE) --`,
//!   `SAN SALVADOR, 3 JAN 90 -- [REPORT]`
//! - a leading date line under a headline: `LONDON 1996-08-30`.
//!
//! A dateline needs an agency in parentheses or a date, and a dash or
//! colon after it, so an ordinary first sentence is never taken for one.

use crate::doc::{Dateline, Doc, Span};
use regex::Regex;
use std::sync::LazyLock;

// Letters are `\p{Latin}` and digits ASCII rather than `\p{L}` and `\d`:
// the same datelines in English wire copy, and the regex compiles in under
// a millisecond instead of about six (it is compiled at every start-up).
const DATE: &str = r"[0-9]{1,2}[ ][A-Za-z]{3,9}\.?[ ][0-9]{2,4}|[A-Za-z]{3,9}\.?[ ][0-9]{1,2}(?:,[ ][0-9]{4})?|[0-9]{4}-[0-9]{2}-[0-9]{2}";

/// The dateline pattern, with `letters` (a class's contents) as the
/// letters of a place name. Its groups, by number: place, date, agency,
/// dash (numbers, not names: a lookup by name costs more than the rest of
/// reading a match).
fn wire(letters: &str) -> Regex {
    let place =
        format!(r"[A-Z][{letters}.'’]*(?:[ -](?:[A-Z][{letters}.'’]*|de|del|la|al|el|of))*");
    Regex::new(&format!(
        r"^[ \t]*(?P<place>{place}(?:,[ ]+{place}){{0,2}}?)(?:,?[ ]+(?P<date>{DATE}))?[ ]*(?:\((?P<agency>[^()\n]{{1,40}})\))?[ ]*(?P<dash>—|–|--|-|:)"
    ))
    .expect("dateline regex")
}

static WIRE: LazyLock<Regex> = LazyLock::new(|| wire(r"\p{Latin}"));

/// [`WIRE`] for a line of ASCII text, on which it finds the same matches
/// (the ASCII letters of `\p{Latin}` are `A-Za-z`): the place pattern,
/// six copies of the letter class, is then a few states instead of
/// hundreds, and the backtracking search that finds the groups, run on
/// every story, costs a fraction. Most wire copy is ASCII.
static WIRE_ASCII: LazyLock<Regex> = LazyLock::new(|| wire("A-Za-z"));

/// Group numbers in [`wire`]'s pattern.
const PLACE_GROUP: usize = 1;
const DATE_GROUP: usize = 2;
const AGENCY_GROUP: usize = 3;

static DATE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^[ \t]*(?P<place>[A-Z][A-Z .'’-]*[A-Z])[ ]+(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})[ \t]*$",
    )
    .expect("date line regex")
});

/// Finds the dateline in the first lines of the story.
pub fn run(doc: &mut Doc) {
    doc.dateline = find(doc.text, doc.reference_date.as_deref());
}

/// Finds a dateline in `text`; `reference` (ISO date) supplies a missing year.
pub fn find(text: &str, reference: Option<&str>) -> Option<Dateline> {
    let mut offset = 0usize;
    for (n, line) in text.split_inclusive('\n').enumerate() {
        if n >= 4 || offset > 600 {
            break;
        }
        let body = line.trim_end_matches(['\n', '\r']);
        // Both patterns need a dash or colon, and a dateline needs an
        // agency or a date: a line without them is skipped unread.
        let b = body.as_bytes();
        if !(memchr::memchr3(b'-', b':', 0xE2, b).is_some()
            && (memchr::memchr(b'(', b).is_some() || b.iter().any(u8::is_ascii_digit)))
        {
            offset += line.len();
            continue;
        }
        let wire = if body.is_ascii() { &WIRE_ASCII } else { &WIRE };
        if let Some(c) = wire.captures(body) {
            let (date, agency) = (c.get(DATE_GROUP), c.get(AGENCY_GROUP));
            if agency.is_some() || date.is_some() {
                let whole = c.get(0).expect("match");
                let place = c.get(PLACE_GROUP).expect("place");
                let trimmed_start = offset + place.start();
                return Some(Dateline {
                    span: Span::new(trimmed_start, offset + whole.end()),
                    place_span: Some(Span::new(offset + place.start(), offset + place.end())),
                    place: None,
                    agency: agency.map(|a| a.as_str().trim().to_string()),
                    agency_span: agency.map(|a| Span::new(offset + a.start(), offset + a.end())),
                    date: date.and_then(|d| parse_date(d.as_str(), reference)),
                    date_span: date.map(|d| Span::new(offset + d.start(), offset + d.end())),
                });
            }
        }
        if let Some(c) = DATE_LINE.captures(body) {
            let place = c.name("place").expect("place");
            let date = c.name("date").expect("date");
            return Some(Dateline {
                span: Span::new(offset + place.start(), offset + date.end()),
                place_span: Some(Span::new(offset + place.start(), offset + place.end())),
                place: None,
                agency: None,
                agency_span: None,
                date: parse_date(date.as_str(), reference),
                date_span: Some(Span::new(offset + date.start(), offset + date.end())),
            });
        }
        offset += line.len();
    }
    None
}

/// English month names, lowercase.
pub const MONTH_NAMES: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// English weekday names, lowercase, Monday first.
pub const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// Index in [`WEEKDAYS`] of a lowercase weekday name.
pub fn weekday_number(word: &str) -> Option<usize> {
    WEEKDAYS.iter().position(|d| *d == word)
}

/// Month number of an English month name or abbreviation (any case).
///
/// Called for many words of every story (the incidents stage asks about
/// the words around numbers), so most words are rejected by their length
/// or their first three letters, without building a lowercase copy. The
/// first tests come before the trailing dots are trimmed: trimming only
/// takes bytes off the end, leaving a shorter word with the same first
/// byte, or nothing.
pub fn month_number(word: &str) -> Option<u32> {
    let w = word.as_bytes();
    if w.len() < 3
        || !matches!(
            w[0].to_ascii_lowercase(),
            b'a' | b'd' | b'f' | b'j' | b'm' | b'n' | b'o' | b's'
        )
    {
        return None;
    }
    let w = word.trim_end_matches('.').as_bytes();
    // No month name is longer than "september".
    if w.len() < 3 || w.len() > 9 {
        return None;
    }
    // The first three letters are an abbreviation, of one month only; a
    // longer word must be that month's whole name, or "sept".
    let m = match [0, 1, 2].map(|i| w[i].to_ascii_lowercase()) {
        [b'j', b'a', b'n'] => 1,
        [b'f', b'e', b'b'] => 2,
        [b'm', b'a', b'r'] => 3,
        [b'a', b'p', b'r'] => 4,
        [b'm', b'a', b'y'] => 5,
        [b'j', b'u', b'n'] => 6,
        [b'j', b'u', b'l'] => 7,
        [b'a', b'u', b'g'] => 8,
        [b's', b'e', b'p'] => 9,
        [b'o', b'c', b't'] => 10,
        [b'n', b'o', b'v'] => 11,
        [b'd', b'e', b'c'] => 12,
        _ => return None,
    };
    let rest = &w[3..];
    let name = &MONTH_NAMES[m as usize - 1].as_bytes()[3..];
    (rest.is_empty()
        || rest.eq_ignore_ascii_case(name)
        || (m == 9 && rest.eq_ignore_ascii_case(b"t")))
    .then_some(m)
}

/// Expands a two-digit year (`88` → 1988, `05` → 2005).
pub fn full_year(y: u32) -> u32 {
    match y {
        0..=39 => 2000 + y,
        40..=99 => 1900 + y,
        _ => y,
    }
}

/// Parses a dateline date to ISO `YYYY-MM-DD`; a date without a year takes
/// the year of `reference`, or stays unresolved.
pub fn parse_date(s: &str, reference: Option<&str>) -> Option<String> {
    let parts: Vec<&str> = s.split([' ', ',', '-']).filter(|p| !p.is_empty()).collect();
    let (y, m, d): (u32, u32, u32) = match parts.as_slice() {
        [y, m, d] if y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()) => {
            (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
        }
        [d, mon, y] if d.bytes().all(|b| b.is_ascii_digit()) => (
            full_year(y.parse().ok()?),
            month_number(mon)?,
            d.parse().ok()?,
        ),
        [mon, d, y] => (y.parse().ok()?, month_number(mon)?, d.parse().ok()?),
        [mon, d] => {
            let year: u32 = reference?.get(0..4)?.parse().ok()?;
            (year, month_number(mon)?, d.parse().ok()?)
        }
        _ => return None,
    };
    ((1..=12).contains(&m) && (1..=31).contains(&d) && (1000..=2999).contains(&y))
        .then(|| format!("{y:04}-{m:02}-{d:02}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dl(text: &str) -> (String, Option<String>, Option<String>, String) {
        let d = find(text, Some("2024-06-01")).expect("a dateline");
        (
            text[d.span.range()].to_string(),
            d.agency,
            d.date,
            text[d.place_span.unwrap().range()].to_string(),
        )
    }

    #[test]
    fn wire_styles() {
        assert_eq!(
            dl("KABUL, Afghanistan (AP) — Four gunmen"),
            (
                "KABUL, Afghanistan (AP) —".into(),
                Some("AP".into()),
                None,
                "KABUL, Afghanistan".into()
            )
        );
        assert_eq!(
            dl("WASHINGTON (Reuters) - The").1.as_deref(),
            Some("Reuters")
        );
        let (_, agency, date, place) = dl("MOSCOW, Dec 5 (Reuters) - Russia");
        assert_eq!(
            (agency.as_deref(), date.as_deref(), place.as_str()),
            (Some("Reuters"), Some("2024-12-05"), "MOSCOW")
        );
        let (_, agency, date, place) = dl("Lima, 20 Aug 88 (EFE) -- [Text] Police");
        assert_eq!(
            (agency.as_deref(), date.as_deref(), place.as_str()),
            (Some("EFE"), Some("1988-08-20"), "Lima")
        );
        let (text, agency, date, place) = dl("   SAN SALVADOR, 3 JAN 90 -- [REPORT] THE");
        assert_eq!(text, "SAN SALVADOR, 3 JAN 90 --");
        assert_eq!(
            (agency, date.as_deref(), place.as_str()),
            (None, Some("1990-01-03"), "SAN SALVADOR")
        );
        let (_, _, _, place) = dl("DUSHANBE, Tajikistan (AFP) - A");
        assert_eq!(place, "DUSHANBE, Tajikistan");
    }

    #[test]
    fn leading_date_line() {
        let (text, agency, date, place) =
            dl("CRICKET - LEICESTERSHIRE TAKE OVER.\nLONDON 1996-08-30\nWest Indian");
        assert_eq!(
            (text.as_str(), agency, date.as_deref(), place.as_str()),
            ("LONDON 1996-08-30", None, Some("1996-08-30"), "LONDON")
        );
    }

    #[test]
    fn ordinary_sentences_are_not_datelines() {
        assert!(find("The committee said on Monday that four men died.", None).is_none());
        assert!(find("John Smith - the mayor - resigned.", None).is_none());
    }

    #[test]
    fn weekday_names() {
        for (i, name) in WEEKDAYS.iter().enumerate() {
            assert_eq!(weekday_number(name), Some(i));
        }
        for word in ["Monday", "mon", "days", ""] {
            assert_eq!(weekday_number(word), None, "{word}");
        }
    }

    #[test]
    fn month_names_and_abbreviations() {
        for (m, name) in MONTH_NAMES.iter().enumerate() {
            let m = Some(m as u32 + 1);
            assert_eq!(month_number(name), m);
            assert_eq!(month_number(&name.to_uppercase()), m);
            assert_eq!(month_number(&format!("{}.", &name[..3])), m);
            assert_eq!(month_number(&name[..3].to_uppercase()), m);
        }
        assert_eq!(month_number("Sept."), Some(9));
        assert_eq!(month_number("SEPT"), Some(9));
        for word in [
            "Mayor", "Marc", "ma", "Septe", "Junee", "augusts", "Monday", "", "...", ".jan", "Ja.",
        ] {
            assert_eq!(month_number(word), None, "{word}");
        }
    }
}
