//! Plain-text list files: TSV with a header row, validated line by line.
//!
//! Every list the library uses is one such file. A bad line is an error
//! that names the file and the line, so that a user adding a list with
//! `--gazetteers DIR` learns exactly what to fix.

use std::borrow::Cow;
use std::fmt;

/// A list that failed to load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GazetteerError {
    pub file: String,
    /// 1-based line number; 0 when the error is about the whole file.
    pub line: usize,
    pub message: String,
}

impl fmt::Display for GazetteerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}:{}: {}", self.file, self.line, self.message)
        }
    }
}

impl std::error::Error for GazetteerError {}

/// One row of a table, with the line it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub line: usize,
    /// Borrowed from the binary for the built-in lists (no copy at
    /// start-up), owned for lists read at run time.
    pub fields: Vec<Cow<'static, str>>,
}

impl Row {
    pub fn get(&self, i: usize) -> &str {
        self.fields.get(i).map_or("", |f| f.as_ref())
    }

    /// Field `i` to keep beyond the row, as [`Row::get`] reads it: a
    /// built-in list's is borrowed from the binary, so this copies nothing.
    pub fn field(&self, i: usize) -> Cow<'static, str> {
        self.fields.get(i).cloned().unwrap_or_default()
    }
}

/// A parsed TSV table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub file: String,
    pub header: Vec<String>,
    pub rows: Vec<Row>,
}

/// A column constraint checked on every row.
#[derive(Clone, Copy, Debug)]
pub enum Check {
    /// Any text, possibly empty.
    Any,
    /// Non-empty text.
    Required,
    /// One of these values (empty allowed when the list contains "").
    OneOf(&'static [&'static str]),
    /// Empty or a two-letter uppercase country code.
    CountryCode,
    /// Empty or a decimal number.
    Number,
}

impl Table {
    /// Parses `text` (the contents of `file`) and checks the header is
    /// exactly `columns` and every field passes its check.
    pub fn parse(
        file: &str,
        text: &str,
        columns: &[(&str, Check)],
    ) -> Result<Table, GazetteerError> {
        Table::parse_with(file, text, columns, |f| Cow::Owned(f.to_string()))
    }

    /// [`Table::parse`] for text compiled into the binary: the rows borrow
    /// their fields from it.
    pub fn parse_static(
        file: &str,
        text: &'static str,
        columns: &[(&str, Check)],
    ) -> Result<Table, GazetteerError> {
        Table::parse_with(file, text, columns, Cow::Borrowed)
    }

    fn parse_with<'t>(
        file: &str,
        text: &'t str,
        columns: &[(&str, Check)],
        field: impl Fn(&'t str) -> Cow<'static, str>,
    ) -> Result<Table, GazetteerError> {
        let err = |line: usize, message: String| GazetteerError {
            file: file.to_string(),
            line,
            message,
        };
        let mut lines = text
            .split_inclusive('\n')
            .map(|l| l.strip_suffix('\n').unwrap_or(l))
            .enumerate();
        let header: Vec<String> = match lines.next() {
            Some((_, h)) => h
                .trim_start_matches('\u{feff}')
                .split('\t')
                .map(|s| s.trim().to_string())
                .collect(),
            None => return Err(err(0, "empty file: expected a header row".into())),
        };
        let expected: Vec<&str> = columns.iter().map(|c| c.0).collect();
        if header != expected {
            return Err(err(
                1,
                format!(
                    "header is {:?}, expected {:?} (tab-separated)",
                    header.join("\t"),
                    expected.join("\t")
                ),
            ));
        }
        let mut rows = Vec::with_capacity(text.len() / 32);
        for (n, line) in lines {
            let line_no = n + 1;
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.trim().is_empty() {
                continue;
            }
            // Split by bytes: the lists are read at every start-up.
            let mut fields: Vec<Cow<'static, str>> = Vec::with_capacity(columns.len());
            let mut from = 0;
            for (i, &b) in line.as_bytes().iter().enumerate() {
                if b == b'\t' {
                    fields.push(field(&line[from..i]));
                    from = i + 1;
                }
            }
            fields.push(field(&line[from..]));
            if fields.len() != columns.len() {
                return Err(err(
                    line_no,
                    format!(
                        "expected {} tab-separated fields ({}), found {}",
                        columns.len(),
                        expected.join(", "),
                        fields.len()
                    ),
                ));
            }
            for (value, (name, check)) in fields.iter().zip(columns) {
                let ok = match check {
                    Check::Any => true,
                    Check::Required => !value.trim().is_empty(),
                    Check::OneOf(allowed) => allowed.contains(&value.as_ref()),
                    Check::CountryCode => {
                        value.is_empty()
                            || (value.len() == 2 && value.bytes().all(|b| b.is_ascii_uppercase()))
                    }
                    Check::Number => value.is_empty() || value.parse::<f64>().is_ok(),
                };
                if !ok {
                    let what = match check {
                        Check::Required => "must not be empty".to_string(),
                        Check::OneOf(allowed) => format!("must be one of {}", allowed.join(", ")),
                        Check::CountryCode => {
                            "must be empty or an ISO 3166-1 alpha-2 code".to_string()
                        }
                        Check::Number => "must be empty or a number".to_string(),
                        Check::Any => unreachable!(),
                    };
                    return Err(err(line_no, format!("column {name} is {value:?}: {what}")));
                }
            }
            rows.push(Row {
                line: line_no,
                fields,
            });
        }
        Ok(Table {
            file: file.to_string(),
            header,
            rows,
        })
    }

    /// Adds `other`'s rows; a row of `other` whose first field equals a
    /// row of `self` replaces every such row (a user list overrides).
    pub fn merge(&mut self, other: Table) {
        let keys: std::collections::HashSet<&str> = other.rows.iter().map(|r| r.get(0)).collect();
        self.rows.retain(|r| !keys.contains(r.get(0)));
        self.rows.extend(other.rows);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLS: &[(&str, Check)] = &[
        ("name", Check::Required),
        ("kind", Check::OneOf(&["a", "b"])),
        ("country_code", Check::CountryCode),
    ];

    #[test]
    fn parses_and_validates() {
        let t = Table::parse(
            "x.tsv",
            "name\tkind\tcountry_code\nFoo\ta\tAF\n\nBar\tb\t\n",
            COLS,
        )
        .unwrap();
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[1].line, 4);
        let e = Table::parse("x.tsv", "name\tkind\tcountry_code\nFoo\tc\tAF\n", COLS).unwrap_err();
        assert_eq!(
            e.to_string(),
            "x.tsv:2: column kind is \"c\": must be one of a, b"
        );
        let e = Table::parse("x.tsv", "name\tkind\tcountry_code\nFoo\ta\n", COLS).unwrap_err();
        assert!(e
            .to_string()
            .starts_with("x.tsv:2: expected 3 tab-separated fields"));
        let e = Table::parse("x.tsv", "name\tkind\n", COLS).unwrap_err();
        assert!(e.to_string().starts_with("x.tsv:1: header is"));
        let e = Table::parse("x.tsv", "name\tkind\tcountry_code\nFoo\ta\tafg\n", COLS).unwrap_err();
        assert!(e.to_string().contains("ISO 3166-1"));
    }

    #[test]
    fn merge_overrides_by_key() {
        let mut a = Table::parse(
            "a",
            "name\tkind\tcountry_code\nFoo\ta\tAF\nBar\ta\t\n",
            COLS,
        )
        .unwrap();
        let b = Table::parse("b", "name\tkind\tcountry_code\nFoo\tb\tTJ\n", COLS).unwrap();
        a.merge(b);
        assert_eq!(a.rows.len(), 2);
        assert!(a.rows.iter().any(|r| r.get(0) == "Foo" && r.get(1) == "b"));
    }
}
