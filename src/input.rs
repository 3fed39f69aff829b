//! Turning raw bytes into a story text, or into the contract's error record.
//!
//! Every input yields exactly one output: a story that cannot be read
//! becomes an [`ErrorRecord`] in its place.

use crate::output::{ErrorBody, ErrorRecord};

/// Largest story accepted, in bytes (64 MiB). Wire stories are a few KB;
/// anything near this is not a story, and refusing it keeps memory bounded.
pub const MAX_STORY_BYTES: usize = 64 * 1024 * 1024;

/// Why a story could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputErrorKind {
    NotUtf8,
    Empty,
    Binary,
    TooLarge,
    Unreadable,
    NotFound,
    BadJson,
    /// The story was read but processing it failed (a bug): reported in
    /// the story's place so that the rest of a batch goes on.
    Internal,
}

impl InputErrorKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            InputErrorKind::NotUtf8 => "not_utf8",
            InputErrorKind::Empty => "empty",
            InputErrorKind::Binary => "binary",
            InputErrorKind::TooLarge => "too_large",
            InputErrorKind::Unreadable => "unreadable",
            InputErrorKind::NotFound => "not_found",
            InputErrorKind::BadJson => "bad_json",
            InputErrorKind::Internal => "internal",
        }
    }
}

/// An input that could not be turned into a story.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    pub kind: InputErrorKind,
    pub message: String,
}

impl InputError {
    pub fn new(kind: InputErrorKind, message: impl Into<String>) -> InputError {
        InputError {
            kind,
            message: message.into(),
        }
    }

    /// The error record that stands in the story's place.
    pub fn record(&self, id: &str) -> ErrorRecord {
        ErrorRecord {
            id: id.to_string(),
            error: ErrorBody {
                kind: self.kind.as_str().to_string(),
                message: self.message.clone(),
            },
        }
    }

    /// A story of `bytes` bytes, over [`MAX_STORY_BYTES`].
    pub fn too_large(bytes: u64) -> InputError {
        InputError::new(
            InputErrorKind::TooLarge,
            format!("{bytes} bytes is over the limit of {MAX_STORY_BYTES} bytes for one story"),
        )
    }

    /// From an I/O error while reading a story.
    pub fn from_io(e: &std::io::Error) -> InputError {
        let kind = match e.kind() {
            std::io::ErrorKind::NotFound => InputErrorKind::NotFound,
            _ => InputErrorKind::Unreadable,
        };
        InputError::new(kind, format!("cannot read: {e}"))
    }
}

/// Checks raw bytes and decodes them as UTF-8.
pub fn decode(bytes: Vec<u8>) -> Result<String, InputError> {
    if bytes.len() > MAX_STORY_BYTES {
        return Err(InputError::too_large(bytes.len() as u64));
    }
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(InputError::new(InputErrorKind::Empty, "the story is empty"));
    }
    if let Some(pos) = memchr::memchr(0, &bytes) {
        return Err(InputError::new(
            InputErrorKind::Binary,
            format!("binary data: NUL byte at offset {pos}"),
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        InputError::new(
            InputErrorKind::NotUtf8,
            format!(
                "not valid UTF-8: invalid byte sequence at offset {}",
                e.utf8_error().valid_up_to()
            ),
        )
    })
}

/// Checks a story that arrived already decoded (a JSON `text` field).
pub fn check_text(text: &str) -> Result<(), InputError> {
    if text.len() > MAX_STORY_BYTES {
        return Err(InputError::too_large(text.len() as u64));
    }
    if text.trim().is_empty() {
        return Err(InputError::new(InputErrorKind::Empty, "the story is empty"));
    }
    if memchr::memchr(0, text.as_bytes()).is_some() {
        return Err(InputError::new(
            InputErrorKind::Binary,
            "binary data: NUL character",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_bad_input() {
        assert_eq!(
            decode(b"".to_vec()).unwrap_err().kind,
            InputErrorKind::Empty
        );
        assert_eq!(
            decode(b" \n".to_vec()).unwrap_err().kind,
            InputErrorKind::Empty
        );
        assert_eq!(
            decode(b"ab\0c".to_vec()).unwrap_err().kind,
            InputErrorKind::Binary
        );
        let e = decode(b"caf\xe9 x".to_vec()).unwrap_err();
        assert_eq!(e.kind, InputErrorKind::NotUtf8);
        assert!(e.message.contains("offset 3"), "{}", e.message);
        assert_eq!(decode("Kabul".into()).unwrap(), "Kabul");
        assert_eq!(
            decode(vec![b'a'; MAX_STORY_BYTES + 1]).unwrap_err().kind,
            InputErrorKind::TooLarge
        );
    }
}
