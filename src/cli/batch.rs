//! Reading inputs and writing one JSON line per story, in input order.
//!
//! Inputs are listed lazily and rendered by [`dateline::batch::stream`]
//! (on a rayon pool, output in input order, memory bounded whatever the
//! number of stories). A story's JSON is serialized
//! straight from its document into a buffer that is already large, never
//! into a string of its own (a compact line by
//! [`StoryView::write_compact`], pretty output and error records by
//! serde_json).

use super::{EXIT_OK, EXIT_SOME_FAILED};
use dateline::batch::stream;
use dateline::input::{self, InputError, InputErrorKind};
use dateline::output::StoryView;
use dateline::Pipeline;
use indicatif::{ProgressBar, ProgressStyle};
use std::fs::File;
use std::io::{self, BufRead, BufReader, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

/// How output objects are written.
pub struct Printer {
    pub pretty: bool,
}

impl Printer {
    /// Appends one story's output line (a story or an error record, and a
    /// newline) to `out`; true when it is an error record.
    fn render(
        &self,
        out: &mut Vec<u8>,
        pipeline: &Pipeline,
        id: &str,
        text: Result<String, InputError>,
    ) -> bool {
        let start = out.len();
        let result = text.and_then(|t| input::check_text(&t).map(|_| t));
        let result = result.and_then(|text| {
            guarded(|| {
                let doc = pipeline.process(id, &text);
                let view = StoryView::new(&doc);
                if self.pretty {
                    self.write(out, &view);
                } else {
                    view.write_compact(out);
                }
            })
        });
        let failed = match result {
            Ok(()) => false,
            Err(e) => {
                // A panic may have left part of the story behind.
                out.truncate(start);
                self.write(out, &e.record(id));
                true
            }
        };
        out.push(b'\n');
        failed
    }

    fn write<T: serde::Serialize>(&self, out: &mut Vec<u8>, value: &T) {
        let r = if self.pretty {
            serde_json::to_writer_pretty(out, value)
        } else {
            serde_json::to_writer(out, value)
        };
        r.expect("output types always serialize into memory")
    }
}

/// Runs `work` (processing one story); a panic inside it becomes an
/// `internal` error record for that story instead of ending the batch.
fn guarded(work: impl FnOnce()) -> Result<(), InputError> {
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
        return read_capped(io::stdin().lock(), 0);
    }
    // Open first and ask the open file for its size: one path lookup per
    // story, not one for the size and another for the read (path lookups
    // were most of the kernel's time in a batch of small files).
    let file = File::open(path).map_err(|e| InputError::from_io(&e))?;
    let meta = file.metadata().map_err(|e| InputError::from_io(&e))?;
    if meta.is_dir() {
        return Err(InputError::new(
            InputErrorKind::Unreadable,
            "is a folder (use `dateline batch` for folders)",
        ));
    }
    if meta.len() > input::MAX_STORY_BYTES as u64 {
        return Err(InputError::too_large(meta.len()));
    }
    // The size read, plus one byte so that a file that grew since is seen
    // at once.
    read_capped(file, meta.len() as usize + 1)
}

/// Reads a story from `from` into a buffer of `capacity`, at most one
/// byte over the limit of one story (so that [`input::decode`] refuses a
/// longer one without reading it all), and decodes it.
fn read_capped(from: impl Read, capacity: usize) -> Result<String, InputError> {
    let mut bytes = Vec::with_capacity(capacity);
    from.take(input::MAX_STORY_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| InputError::from_io(&e))?;
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
    let mut line = Vec::new();
    let failed = printer.render(&mut line, pipeline, &id, read_story(path));
    let mut out = io::stdout().lock();
    out.write_all(&line)?;
    out.flush()?;
    Ok(if failed { EXIT_SOME_FAILED } else { EXIT_OK })
}

/// One input of a batch: the id it is reported under and where it is.
struct Input {
    id: String,
    path: PathBuf,
}

/// The inputs, listed lazily: files as given, folders walked recursively
/// for the files whose name matches `glob`, each folder's entries in
/// sorted order.
///
/// The walk is pulled an input at a time as workers take stories, so the
/// first lines come out at once and memory does not grow with the number of
/// inputs: only the listings of the folders on the current path (each
/// read whole, to sort it) are held, never every input of the batch.
fn inputs<'a>(
    paths: &'a [PathBuf],
    matcher: &'a globset::GlobMatcher,
) -> impl Iterator<Item = Input> + 'a {
    paths.iter().flat_map(move |root| {
        let (walk, single) = if root.is_dir() {
            (Some(walk(root)), None)
        } else {
            let single = Input {
                id: root.display().to_string(),
                path: root.clone(),
            };
            (None, Some(single))
        };
        let found = walk
            .into_iter()
            .flatten()
            .filter(move |entry| is_input(entry, matcher))
            .map(move |entry| match entry {
                Ok(e) => e.into_path(),
                Err(e) => e.path().map_or_else(|| root.clone(), Path::to_path_buf),
            });
        let found = found.map(move |path| {
            let rel = path.strip_prefix(root).unwrap_or(&path);
            let id = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            Input { id, path }
        });
        single.into_iter().chain(found)
    })
}

/// A recursive walk of the folder `root`, in `Path` order.
fn walk(root: &Path) -> walkdir::IntoIter {
    // Entries come sorted by name within each folder, so the walk yields
    // paths in `Path` order (component by component) and no sort of whole
    // paths is needed. Siblings are their folder's path joined with their
    // name, so comparing whole paths as bytes orders them by name, as
    // `sort_by_file_name` would, without parsing both paths for their last
    // component at every comparison (which cost more than the rest of the
    // walk).
    walkdir::WalkDir::new(root)
        .follow_links(true)
        .sort_by(|a, b| a.path().as_os_str().cmp(b.path().as_os_str()))
        .into_iter()
}

/// Is this entry of a folder's walk an input: a file whose name matches
/// the glob, or an entry that could not be read (reported in its place)?
fn is_input(entry: &walkdir::Result<walkdir::DirEntry>, matcher: &globset::GlobMatcher) -> bool {
    match entry {
        Ok(e) => e.file_type().is_file() && matcher.is_match(e.file_name()),
        Err(_) => true,
    }
}

/// How many inputs `inputs` will yield, counted by a walk that keeps
/// nothing and sorts nothing (for the progress bar's length).
fn count_inputs(paths: &[PathBuf], matcher: &globset::GlobMatcher) -> u64 {
    let mut n = 0u64;
    for root in paths {
        if !root.is_dir() {
            n += 1;
            continue;
        }
        let found = walkdir::WalkDir::new(root).follow_links(true).into_iter();
        n += found.filter(|entry| is_input(entry, matcher)).count() as u64;
    }
    n
}

fn pool(threads: usize) -> io::Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(io::Error::other)
}

/// A progress bar on stderr for `len` stories (hidden for one story).
fn progress(len: u64) -> ProgressBar {
    if len > 1 {
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

/// Standard output, buffered, for the workers that write in turn.
fn output() -> io::BufWriter<io::Stdout> {
    io::BufWriter::with_capacity(1 << 16, io::stdout())
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
    let matcher = globset::Glob::new(glob)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, format!("--glob: {e}")))?
        .compile_matcher();
    let pool = pool(threads)?;
    let bar = if show_progress && io::stderr().is_terminal() {
        progress(count_inputs(paths, &matcher))
    } else {
        ProgressBar::hidden()
    };
    let mut out = output();
    let mut failed = false;
    stream(
        &pool,
        inputs(paths, &matcher).map(Ok),
        |out, i| printer.render(out, pipeline, &i.id, read_story(&i.path)),
        |o| {
            failed |= o.failed;
            bar.inc(1);
            out.write_all(o.bytes)
        },
    )?;
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

/// Stories from JSON Lines, streamed: each line read as a worker needs it,
/// its output written as soon as it is in order.
pub fn jsonl(
    pipeline: &Pipeline,
    src: &Path,
    threads: usize,
    printer: &Printer,
) -> io::Result<i32> {
    let reader: Box<dyn BufRead + Send> = if src.as_os_str() == "-" {
        Box::new(BufReader::new(io::stdin()))
    } else {
        Box::new(BufReader::new(File::open(src).map_err(|e| {
            io::Error::new(e.kind(), format!("{}: {e}", src.display()))
        })?))
    };
    let pool = pool(threads)?;
    let mut out = output();
    let mut failed = false;
    let lines = reader
        .split(b'\n')
        .enumerate()
        .filter_map(|(k, line)| match line {
            Err(e) => Some(Err(e)),
            Ok(mut bytes) => {
                if bytes.last() == Some(&b'\r') {
                    bytes.pop();
                }
                let blank = bytes.iter().all(u8::is_ascii_whitespace);
                (!blank).then_some(Ok((k + 1, bytes)))
            }
        });
    stream(
        &pool,
        lines,
        |out, (n, bytes)| match std::str::from_utf8(bytes) {
            Ok(line) => {
                let (id, text) = parse_line(*n, line);
                printer.render(out, pipeline, &id, text)
            }
            Err(e) => printer.render(
                out,
                pipeline,
                &format!("line {n}"),
                Err(InputError::new(
                    InputErrorKind::NotUtf8,
                    format!("line is not valid UTF-8 at offset {}", e.valid_up_to()),
                )),
            ),
        },
        |o| {
            failed |= o.failed;
            out.write_all(o.bytes)?;
            // A filter: what is done goes out when nothing else is ready.
            if o.caught_up {
                out.flush()?;
            }
            Ok(())
        },
    )?;
    out.flush()?;
    Ok(if failed { EXIT_SOME_FAILED } else { EXIT_OK })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_internal_error_record() {
        assert!(guarded(|| {}).is_ok());
        let e = guarded(|| panic!("boom")).unwrap_err();
        assert_eq!(e.kind, InputErrorKind::Internal);
        assert!(e.message.contains("boom"), "{}", e.message);
        let record = serde_json::to_value(e.record("s1")).unwrap();
        assert_eq!(record["id"], "s1");
        assert_eq!(record["error"]["kind"], "internal");
    }
}
