// Key normalization shared by the build script (which compiles the place
// index) and the library (which looks names up). Included by `build.rs`
// with `include!`, so it must stay free of crate-internal imports.

/// Pushes the normalized form of `c` onto `out`: lowercase, typographic
/// apostrophes as `'`, any white space as one space (runs are folded by
/// the caller).
#[inline]
pub fn push_normalized(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(if c.is_ascii_whitespace() {
            ' '
        } else {
            c.to_ascii_lowercase()
        });
    } else if matches!(c, '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{02BB}') {
        out.push('\'');
    } else if c.is_whitespace() {
        out.push(' ');
    } else {
        out.extend(c.to_lowercase());
    }
}

/// The lookup key of a name: lowercase, one space between words.
pub fn normalize_key(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut space = false;
    for c in name.trim().chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        push_normalized(c, &mut out);
    }
    out
}

/// Calls `f` with the lookup key of `word` ([`normalize_key`]), without
/// allocating for short words of printable ASCII (nearly every token).
#[allow(dead_code)] // the build script includes this file too
#[inline]
pub fn with_key<R>(word: &str, f: impl FnOnce(&str) -> R) -> R {
    let bytes = word.as_bytes();
    let mut buf = [0u8; 32];
    if bytes.len() <= buf.len() && bytes.iter().all(|b| b.is_ascii_graphic()) {
        let key = &mut buf[..bytes.len()];
        key.copy_from_slice(bytes);
        key.make_ascii_lowercase();
        // Printable ASCII with no white space: the key is the word in
        // lowercase.
        return f(std::str::from_utf8(key).unwrap_or_default());
    }
    f(&normalize_key(word))
}

/// Calls `f` with `word` in ASCII lowercase (`str::to_ascii_lowercase`),
/// without allocating for short words.
#[allow(dead_code)] // the build script includes this file too
#[inline]
pub fn with_ascii_lowercase<R>(word: &str, f: impl FnOnce(&str) -> R) -> R {
    let mut buf = [0u8; 32];
    if word.len() <= buf.len() {
        let lower = &mut buf[..word.len()];
        lower.copy_from_slice(word.as_bytes());
        lower.make_ascii_lowercase();
        // ASCII lowercasing keeps UTF-8 valid.
        if let Ok(w) = std::str::from_utf8(lower) {
            return f(w);
        }
    }
    f(&word.to_ascii_lowercase())
}
