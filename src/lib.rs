//! # dateline
//!
//! Reads English news wire stories and returns structured records: the
//! places a story names (with country codes and coordinates), the
//! organizations and officials, the quotes, and the incidents it reports —
//! what happened, where, when, who did it to whom, with what, how many
//! killed and injured. Every field points at the text it came from.
//!
//! ```
//! let pipeline = dateline::Pipeline::new().unwrap();
//! let story = pipeline.extract("example", "KABUL, Afghanistan (AP) — Four gunmen were killed.");
//! assert_eq!(story.dateline.as_ref().unwrap().agency.as_deref(), Some("AP"));
//! let json = serde_json::to_string(&story).unwrap();
//! assert!(json.starts_with("{\"schema_version\":1"));
//! ```
//!
//! A [`Pipeline`] is built once (it holds the gazetteers and automata) and
//! shared across threads; [`Pipeline::process`] runs the stages in
//! [`stages`] over one [`doc::Doc`], and [`output::Story`] is the contract's
//! JSON view of it. Bad input is handled by [`input`]: every story yields
//! either a [`output::Story`] or an [`output::ErrorRecord`]. [`batch`] runs
//! many stories on a thread pool with their output in input order.

pub mod batch;
pub mod doc;
pub mod gazetteer;
pub mod input;
pub mod output;
pub mod pipeline;
pub mod stages;

pub use doc::Doc;
pub use output::{ErrorRecord, Story};
pub use pipeline::{Options, Pipeline, STAGES};
