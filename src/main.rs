//! The `dateline` command: parses arguments and calls [`cli::run`].
//! Everything else lives in the library and in `cli`.

mod cli;

fn main() {
    std::process::exit(cli::run());
}
