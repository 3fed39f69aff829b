//! The command line: a thin layer over the library.
//!
//! `args` parses the command line into plain values; `run` builds the
//! pipeline once and hands the work to `batch`. Exit status: 0 when every
//! story was read, 1 when some story failed (its error record is in the
//! output), 2 on a usage or fatal error. A closed stdout (`| head`) ends
//! the run quietly.

mod args;
mod batch;

use args::{Args, Command};
use clap::Parser;
use dateline::{Options, Pipeline};
use std::io::{self, Write};

/// Exit status when every story was read.
pub const EXIT_OK: i32 = 0;
/// Exit status when some story could not be read.
pub const EXIT_SOME_FAILED: i32 = 1;
/// Exit status for usage and fatal errors.
pub const EXIT_FATAL: i32 = 2;

/// Parses the command line, runs it, returns the exit status.
pub fn run() -> i32 {
    let args = match Args::try_parse() {
        Ok(a) => a,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_FATAL } else { EXIT_OK };
            let _ = e.print();
            return code;
        }
    };
    match execute(args) {
        Ok(code) => code,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => EXIT_OK,
        Err(e) => {
            eprintln!("dateline: {e}");
            EXIT_FATAL
        }
    }
}

fn execute(args: Args) -> io::Result<i32> {
    if let Some(d) = &args.date {
        if dateline::stages::dateline::parse_date(d, None).as_deref() != Some(d.as_str()) {
            eprintln!("dateline: --date must be a date written YYYY-MM-DD, not {d:?}");
            return Ok(EXIT_FATAL);
        }
    }
    if matches!(args.command, Some(Command::Schema)) {
        let schema = dateline::output::json_schema();
        let mut out = io::stdout().lock();
        serde_json::to_writer_pretty(&mut out, &schema)?;
        writeln!(out)?;
        return Ok(EXIT_OK);
    }
    let options = Options {
        reference_date: args.date.clone(),
    };
    let pipeline = match Pipeline::with_gazetteers(args.gazetteers.as_deref(), options) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("dateline: gazetteer error: {e}");
            return Ok(EXIT_FATAL);
        }
    };
    let printer = batch::Printer {
        pretty: args.pretty,
    };
    match args.command {
        None => batch::one(&pipeline, None, &printer),
        Some(Command::Extract { file }) => batch::one(&pipeline, Some(&file), &printer),
        Some(Command::Batch {
            paths,
            jsonl,
            glob,
            threads,
            no_progress,
        }) => {
            let threads = threads.unwrap_or(0);
            if let Some(src) = jsonl {
                if !paths.is_empty() {
                    eprintln!("dateline: give either --jsonl or paths, not both");
                    return Ok(EXIT_FATAL);
                }
                batch::jsonl(&pipeline, &src, threads, &printer)
            } else {
                if paths.is_empty() {
                    eprintln!(
                        "dateline: batch needs at least one file or folder (or --jsonl FILE)"
                    );
                    return Ok(EXIT_FATAL);
                }
                batch::files(&pipeline, &paths, &glob, threads, !no_progress, &printer)
            }
        }
        Some(Command::Schema) => unreachable!("handled above"),
    }
}
