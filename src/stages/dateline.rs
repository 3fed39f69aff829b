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
use std::ops::Range;
use std::sync::LazyLock;

// Letters are `\p{Latin}` and digits ASCII rather than `\p{L}` and `\d`:
// the same datelines in English wire copy, and the regex compiles in under
// a millisecond instead of about six (it is compiled at every start-up).
const PLACE: &str = r"[A-Z][\p{Latin}.'’]*(?:[ -](?:[A-Z][\p{Latin}.'’]*|de|del|la|al|el|of))*";
const DATE: &str = r"[0-9]{1,2}[ ][A-Za-z]{3,9}\.?[ ][0-9]{2,4}|[A-Za-z]{3,9}\.?[ ][0-9]{1,2}(?:,[ ][0-9]{4})?|[0-9]{4}-[0-9]{2}-[0-9]{2}";

/// The dateline pattern. Its groups (place, date, agency, dash) name the
/// parts; [`wire_groups`] reads them from a match.
static WIRE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^[ \t]*(?P<place>{PLACE}(?:,[ ]+{PLACE}){{0,2}}?)(?:,?[ ]+(?P<date>{DATE}))?[ ]*(?:\((?P<agency>[^()\n]{{1,40}})\))?[ ]*(?P<dash>—|–|--|-|:)"
    ))
    .expect("dateline regex")
});

/// A whole [`DATE`], to tell which of two places a dateline's date starts at.
static WHOLE_DATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!("^(?:{DATE})$")).expect("date regex"));

/// The groups of a [`WIRE`] match (byte ranges in the line).
struct WireGroups {
    place: Range<usize>,
    date: Option<Range<usize>>,
    agency: Option<Range<usize>>,
}

/// Reads the groups of the [`WIRE`] match `line[..end]` from its text. The
/// match itself comes from the regex's DFA (`Regex::find`); asking the
/// regex for captures would add a backtracking search costing several
/// times as much, on every story. The pattern's parts decide the groups
/// alone:
/// - place names and dates hold no parenthesis, so a `)` before the dash
///   (and spaces) closes the agency, which the last `(` opens;
/// - neither ends with a space, comma or dash, so what follows them is
///   `,?[ ]+`, `[ ]*` or the dash, and their ends are found by trimming;
/// - place names hold no digit and every date form does, so the date is
///   there when a digit is, and starts at the first digit (`3 JAN 90`,
///   `1996-08-30`) or at the word before it (`Dec 5`): only one of the two
///   leaves a whole date.
fn wire_groups(line: &str, end: usize) -> WireGroups {
    let b = line.as_bytes();
    let dash = if b[..end].ends_with("—".as_bytes()) || b[..end].ends_with("–".as_bytes()) {
        3
    } else if b[..end].ends_with(b"--") {
        2
    } else {
        1
    };
    let trim_spaces = |mut e: usize| {
        while e > 0 && b[e - 1] == b' ' {
            e -= 1;
        }
        e
    };
    let mut end = trim_spaces(end - dash);
    let mut agency = None;
    if b[end - 1] == b')' {
        let open = memchr::memrchr(b'(', &b[..end]).expect("agency opens");
        agency = Some(open + 1..end - 1);
        end = trim_spaces(open);
    }
    let start = b.iter().position(|&c| c != b' ' && c != b'\t').unwrap_or(0);
    let Some(digit) = b[start..end].iter().position(u8::is_ascii_digit) else {
        return WireGroups {
            place: start..end,
            date: None,
            agency,
        };
    };
    let digit = start + digit;
    let date_start = if WHOLE_DATE.is_match(&line[digit..end]) {
        digit
    } else {
        // `[A-Za-z]{3,9}\.?[ ][0-9]`: the word after the last space before
        // the one that precedes the digit.
        memchr::memrchr(b' ', &b[..digit - 1]).expect("space before date") + 1
    };
    let mut place_end = trim_spaces(date_start);
    if b[place_end - 1] == b',' {
        place_end -= 1;
    }
    WireGroups {
        place: start..place_end,
        date: Some(date_start..end),
        agency,
    }
}

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
        if let Some(whole) = WIRE.find(body) {
            let WireGroups {
                place,
                date,
                agency,
            } = wire_groups(body, whole.end());
            if agency.is_some() || date.is_some() {
                let span = |r: &Range<usize>| Span::new(offset + r.start, offset + r.end);
                return Some(Dateline {
                    span: Span::new(offset + place.start, offset + whole.end()),
                    place_span: Some(span(&place)),
                    place: None,
                    agency: agency.as_ref().map(|a| body[a.clone()].trim().to_string()),
                    agency_span: agency.as_ref().map(span),
                    date: date
                        .as_ref()
                        .and_then(|d| parse_date(&body[d.clone()], reference)),
                    date_span: date.as_ref().map(span),
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
    // Two or three parts, kept without allocating.
    let mut parts = [""; 3];
    let mut n = 0;
    for p in s.split([' ', ',', '-']).filter(|p| !p.is_empty()) {
        *parts.get_mut(n)? = p;
        n += 1;
    }
    let (y, m, d): (u32, u32, u32) = match &parts[..n] {
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
        .then(|| iso_date(i64::from(y), m, d))
}

/// `YYYY-MM-DD`: the same text as `format!("{y:04}-{m:02}-{d:02}")`,
/// written digit by digit for a year of at most four digits and a month
/// and a day of at most two (every date a story gives), which costs a
/// fraction of the formatting machinery. The dateline and incidents
/// stages write their dates with it.
pub(crate) fn iso_date(y: i64, m: u32, d: u32) -> String {
    if !(0..10_000).contains(&y) || m >= 100 || d >= 100 {
        return format!("{y:04}-{m:02}-{d:02}");
    }
    let y = y as u32;
    let digit = |n: u32| char::from(b'0' + (n % 10) as u8);
    let mut iso = String::with_capacity(10);
    iso.extend([
        digit(y / 1000),
        digit(y / 100),
        digit(y / 10),
        digit(y),
        '-',
        digit(m / 10),
        digit(m),
        '-',
        digit(d / 10),
        digit(d),
    ]);
    iso
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_date_writes_what_format_writes() {
        for (y, m, d) in [
            (2024, 6, 1),
            (1989, 12, 31),
            (7, 1, 9),
            (0, 10, 10),
            (9999, 99, 99),
            (10_000, 1, 1),
            (-1, 2, 3),
            (2024, 100, 1),
            (2024, 1, 123),
        ] {
            assert_eq!(iso_date(y, m, d), format!("{y:04}-{m:02}-{d:02}"));
        }
    }

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
    fn groups_read_from_the_match_are_the_regex_captures() {
        for line in [
            "KABUL, Afghanistan (AP) — Four",
            "  MOSCOW, Dec 5 (Reuters) - Russia",
            "Lima, 20 Aug 88 (EFE) -- [Text]",
            "SAN SALVADOR, 3 JAN 90 -- [REPORT]",
            "NEW YORK, Sept. 5, 1990 (AP) : x",
            "LONDON Dec 5 -",
            "PARIS 1996-08-30 (AFP) –",
            "Ciudad de México, 4 MAR 89 (EFE) —",
            "John Smith - the mayor",
        ] {
            let m = WIRE.find(line).expect("a match");
            let c = WIRE.captures(line).expect("a match");
            let g = wire_groups(line, m.end());
            // The pattern's groups 1 to 3: place, date, agency.
            let group = |i| c.get(i).map(|m| m.range());
            assert_eq!(
                (Some(g.place), g.date, g.agency),
                (group(1), group(2), group(3)),
                "{line}"
            );
        }
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
