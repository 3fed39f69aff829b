//! Command-line arguments, parsed into plain values (clap derive).

use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// Extract places, organizations, officials, quotes and incidents from
/// English news wire stories, as JSON.
///
/// With no command, reads one story from standard input.
#[derive(Parser, Debug)]
#[command(name = "dateline", version, about, long_about = None)]
pub struct Args {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Indent the JSON output.
    #[arg(long, global = true)]
    pub pretty: bool,

    /// Reference date (YYYY-MM-DD) for relative dates ("on Sunday") when
    /// the dateline gives none.
    #[arg(long, global = true, value_name = "YYYY-MM-DD")]
    pub date: Option<String>,

    /// Folder of extra gazetteer files that add to or override the
    /// built-in lists (same file names and columns; see gazetteers/README.md).
    #[arg(long, global = true, value_name = "DIR")]
    pub gazetteers: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Read one story from FILE ('-' for standard input) and print one JSON object.
    Extract {
        /// The story file, or '-' for standard input.
        file: PathBuf,
    },
    /// Read many stories: files and folders (recursively), or JSON Lines
    /// with --jsonl. Prints one JSON object per line, in sorted path order
    /// (or input order for --jsonl), whatever the number of threads.
    Batch {
        /// Files and folders to read.
        paths: Vec<PathBuf>,
        /// Read stories from JSON Lines {"id": ..., "text": ...} in FILE ('-' for stdin).
        #[arg(long, value_name = "FILE")]
        jsonl: Option<PathBuf>,
        /// Which files inside folders to read (files named directly are always read).
        #[arg(long, default_value = "*.txt", value_name = "GLOB")]
        glob: String,
        /// Worker threads (default: all cores).
        #[arg(long, value_name = "N")]
        threads: Option<usize>,
        /// Never show a progress bar.
        #[arg(long)]
        no_progress: bool,
    },
    /// Print the JSON Schema of one output line.
    Schema,
}
