//! Reading inputs and writing one JSON line per story, in input order.
//!
//! Work is cut into chunks; a chunk's stories run in parallel on a rayon
//! pool, each rendered to its own string, and the chunk is written whole in
//! input order. So output order never depends on the thread count, and
//! memory is bounded by the chunk size, not by the number of stories.

use super::{EXIT_OK, EXIT_SOME_FAILED};
use dateline::input::{self, InputError, InputErrorKind};
use dateline::Pipeline;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use std::fs::File;
use std::io::{self, BufRead, BufReader, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

/// Stories per chunk: enough to keep every core busy, few enough to keep
/// memory flat.
const CHUNK: usize = 256;

/// How output objects are written.
pub struct Printer {
    pub pretty: bool,
}

/// One rendered output line and whether it was an error record.
struct Rendered {
    json: String,
    failed: bool,
}

impl Printer {
    fn render(&self, pipeline: &Pipeline, id: &str, text: Result<String, InputError>) -> Rendered {
        let result = text.and_then(|t| input::check_text(&t).map(|_| t));
        let result = result.and_then(|text| guarded(|| self.to_json(&pipeline.extract(id, &text))));
        let (json, failed) = match result {
            Ok(json) => (json, false),
            Err(e) => (self.to_json(&e.record(id)), true),
        };
        Rendered { json, failed }
    }

    fn to_json<T: serde::Serialize>(&self, value: &T) -> String {
        let r = if self.pretty {
            serde_json::to_string_pretty(value)
        } else {
            serde_json::to_string(value)
        };
        r.expect("output types always serialize")
    }
}

/// Runs `work` (processing one story); a panic inside it becomes an
/// `internal` error record for that story instead of ending the batch.
fn guarded(work: impl FnOnce() -> String) -> Result<String, InputError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).map_err(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        InputError::new(
            InputErrorKind::Internal,
            format!("internal error while processing this story: {what}"),
        )
    })
}

/// Reads a whole story from a file ('-' is stdin), refusing huge files
/// before reading them.
fn read_story(path: &Path) -> Result<String, InputError> {
    if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        io::stdin()
            .lock()
            .take(input::MAX_STORY_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| InputError::from_io(&e))?;
        return input::decode(bytes);
    }
    let meta = std::fs::metadata(path).map_err(|e| InputError::from_io(&e))?;
    if meta.is_dir() {
        return Err(InputError::new(
            InputErrorKind::Unreadable,
            "is a folder (use `dateline batch` for folders)",
        ));
    }
    if meta.len() > input::MAX_STORY_BYTES as u64 {
        return Err(InputError::new(
            InputErrorKind::TooLarge,
            format!(
                "{} bytes is over the limit of {} bytes for one story",
                meta.len(),
                input::MAX_STORY_BYTES
            ),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| InputError::from_io(&e))?;
    input::decode(bytes)
}

/// One story from a file or stdin.
pub fn one(pipeline: &Pipeline, file: Option<&Path>, printer: &Printer) -> io::Result<i32> {
    let path = file.unwrap_or(Path::new("-"));
    let id = if path.as_os_str() == "-" {
        "stdin".to_string()
    } else {
        path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        )
    };
    let r = printer.render(pipeline, &id, read_story(path));
    let mut out = io::stdout().lock();
    writeln!(out, "{}", r.json)?;
    out.flush()?;
    Ok(if r.failed { EXIT_SOME_FAILED } else { EXIT_OK })
}

/// One input of a batch: the id it is reported under and where it is.
struct Input {
    id: String,
    path: PathBuf,
}

/// Lists the inputs: files as given, folders walked recursively with the
/// files whose name matches `glob`, each folder's files in sorted order.
fn collect(paths: &[PathBuf], glob: &str) -> io::Result<Vec<Input>> {
    let matcher = globset::Glob::new(glob)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, format!("--glob: {e}")))?
        .compile_matcher();
    let mut inputs = Vec::new();
    for root in paths {
        if root.is_dir() {
            let mut found = Vec::new();
            for entry in walkdir::WalkDir::new(root).follow_links(true) {
                match entry {
                    Ok(e) if e.file_type().is_file() => {
                        if matcher.is_match(e.file_name()) {
                            found.push(e.into_path());
                        }
                    }
                    Ok(_) => {}
                    Err(e) => {
                        // An unreadable entry is reported in its place.
                        let p = e
                            .path()
                            .map(Path::to_path_buf)
                            .unwrap_or_else(|| root.clone());
                        found.push(p);
                    }
                }
            }
            found.sort();
            for p in found {
                let rel = p.strip_prefix(root).unwrap_or(&p);
                let id = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                inputs.push(Input { id, path: p });
            }
        } else {
            inputs.push(Input {
                id: root.display().to_string(),
                path: root.clone(),
            });
        }
    }
    Ok(inputs)
}

fn pool(threads: usize) -> io::Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(io::Error::other)
}

fn progress(len: u64, show: bool) -> ProgressBar {
    if show && io::stderr().is_terminal() && len > 1 {
        let bar = ProgressBar::new(len);
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} stories {per_sec} eta {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    } else {
        ProgressBar::hidden()
    }
}

/// Every story under `paths`, one JSON line each, in order.
pub fn files(
    pipeline: &Pipeline,
    paths: &[PathBuf],
    glob: &str,
    threads: usize,
    show_progress: bool,
    printer: &Printer,
) -> io::Result<i32> {
    let inputs = collect(paths, glob)?;
    let pool = pool(threads)?;
    let bar = progress(inputs.len() as u64, show_progress);
    let mut out = io::BufWriter::new(io::stdout().lock());
    let mut failed = false;
    for chunk in inputs.chunks(CHUNK) {
        let rendered: Vec<Rendered> = pool.install(|| {
            chunk
                .par_iter()
                .map(|i| printer.render(pipeline, &i.id, read_story(&i.path)))
                .collect()
        });
        for r in rendered {
            failed |= r.failed;
            writeln!(out, "{}", r.json)?;
        }
        bar.inc(chunk.len() as u64);
    }
    bar.finish_and_clear();
    out.flush()?;
    Ok(if failed { EXIT_SOME_FAILED } else { EXIT_OK })
}

/// A `{"id", "text"}` line turned into an id and a text, or an error.
fn parse_line(line_no: usize, line: &str) -> (String, Result<String, InputError>) {
    #[derive(serde::Deserialize)]
    struct In {
        id: Option<serde_json::Value>,
        text: Option<String>,
    }
    let fallback = format!("line {line_no}");
    match serde_json::from_str::<In>(line) {
        Ok(In { id, text }) => {
            let id = match id {
                Some(serde_json::Value::String(s)) => s,
                Some(v) if !v.is_null() => v.to_string(),
                _ => fallback,
            };
            match text {
                Some(t) => (id, Ok(t)),
                None => (
                    id,
                    Err(InputError::new(
                        InputErrorKind::BadJson,
                        "no \"text\" string field",
                    )),
                ),
            }
        }
        Err(e) => (
            fallback,
            Err(InputError::new(
                InputErrorKind::BadJson,
                format!("not a JSON object with \"id\" and \"text\": {e}"),
            )),
        ),
    }
}

/// Stories from JSON Lines, streamed: read a chunk, process it, write it.
pub fn jsonl(
    pipeline: &Pipeline,
    src: &Path,
    threads: usize,
    printer: &Printer,
) -> io::Result<i32> {
    let reader: Box<dyn BufRead> = if src.as_os_str() == "-" {
        Box::new(BufReader::new(io::stdin()))
    } else {
        Box::new(BufReader::new(File::open(src).map_err(|e| {
            io::Error::new(e.kind(), format!("{}: {e}", src.display()))
        })?))
    };
    let pool = pool(threads)?;
    let mut out = io::BufWriter::new(io::stdout().lock());
    let mut failed = false;
    let mut chunk: Vec<(usize, Vec<u8>)> = Vec::with_capacity(CHUNK);
    let mut lines = reader.split(b'\n');
    let mut line_no = 0usize;
    loop {
        let next = lines.next().transpose()?;
        let done = next.is_none();
        if let Some(mut bytes) = next {
            line_no += 1;
            if bytes.last() == Some(&b'\r') {
                bytes.pop();
            }
            if !bytes.iter().all(u8::is_ascii_whitespace) {
                chunk.push((line_no, bytes));
            }
        }
        if chunk.len() == CHUNK || (done && !chunk.is_empty()) {
            let rendered: Vec<Rendered> = pool.install(|| {
                chunk
                    .par_iter()
                    .map(|(n, bytes)| match std::str::from_utf8(bytes) {
                        Ok(line) => {
                            let (id, text) = parse_line(*n, line);
                            printer.render(pipeline, &id, text)
                        }
                        Err(e) => printer.render(
                            pipeline,
                            &format!("line {n}"),
                            Err(InputError::new(
                                InputErrorKind::NotUtf8,
                                format!("line is not valid UTF-8 at offset {}", e.valid_up_to()),
                            )),
                        ),
                    })
                    .collect()
            });
            for r in rendered {
                failed |= r.failed;
                writeln!(out, "{}", r.json)?;
            }
            out.flush()?;
            chunk.clear();
        }
        if done {
            break;
        }
    }
    out.flush()?;
    Ok(if failed { EXIT_SOME_FAILED } else { EXIT_OK })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_internal_error_record() {
        assert_eq!(guarded(|| "{}".to_string()).unwrap(), "{}");
        let e = guarded(|| panic!("boom")).unwrap_err();
        assert_eq!(e.kind, InputErrorKind::Internal);
        assert!(e.message.contains("boom"), "{}", e.message);
        let record = serde_json::to_value(e.record("s1")).unwrap();
        assert_eq!(record["id"], "s1");
        assert_eq!(record["error"]["kind"], "internal");
    }
}
