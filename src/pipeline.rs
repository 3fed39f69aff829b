//! The pipeline: the stages in order, built once and shared across threads.

use crate::doc::Doc;
use crate::gazetteer::{Gazetteer, GazetteerError};
use crate::output::Story;
use crate::stages;
use std::path::Path;
use std::sync::Arc;

/// Options that change what a story yields.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Reference date (`YYYY-MM-DD`) for relative dates when the dateline
    /// has none.
    pub reference_date: Option<String>,
}

/// Everything needed to process stories. Cheap to clone (an `Arc` inside)
/// and `Send + Sync`: build one and share it.
#[derive(Clone)]
pub struct Pipeline {
    gaz: Arc<Gazetteer>,
    options: Options,
}

impl Pipeline {
    /// The pipeline with the built-in gazetteers.
    pub fn new() -> Result<Pipeline, GazetteerError> {
        Pipeline::with_gazetteers(None, Options::default())
    }

    /// The pipeline with the built-in gazetteers plus those in `dir`.
    pub fn with_gazetteers(
        dir: Option<&Path>,
        options: Options,
    ) -> Result<Pipeline, GazetteerError> {
        Ok(Pipeline {
            gaz: Arc::new(Gazetteer::load(dir)?),
            options,
        })
    }

    /// The gazetteers this pipeline matches with.
    pub fn gazetteer(&self) -> &Gazetteer {
        &self.gaz
    }

    /// Runs every stage over `text` and returns the annotated document.
    pub fn process<'t>(&self, id: &str, text: &'t str) -> Doc<'t> {
        let mut doc = Doc::new(id, text);
        doc.reference_date = self.options.reference_date.clone();
        self.run_stages(&mut doc);
        doc
    }

    /// Runs every stage and returns the contract's view of the story as
    /// owned values. To write JSON, serialize
    /// [`StoryView`](crate::output::StoryView) of [`Pipeline::process`]'s
    /// document instead (or, for a compact line, call its
    /// [`write_compact`](crate::output::StoryView::write_compact)): the
    /// same bytes, without building these values.
    pub fn extract(&self, id: &str, text: &str) -> Story {
        Story::from_doc(&self.process(id, text))
    }

    /// The stages, in order. Each reads what earlier stages wrote.
    pub fn run_stages(&self, doc: &mut Doc) {
        let g = &*self.gaz;
        for (_, run) in STAGES {
            run(doc, g);
        }
    }
}

/// One stage of the pipeline: its name and its entry point, which reads the
/// document and the gazetteers (some stages need only the document).
pub type Stage = (&'static str, for<'d, 't> fn(&'d mut Doc<'t>, &Gazetteer));

/// The stages, in the order [`Pipeline::run_stages`] runs them: the one
/// list the pipeline and the benchmarks that time stage by stage share, so
/// that a stage added here is run and measured everywhere.
pub const STAGES: [Stage; 8] = [
    ("tokenize", |d, _| stages::tokenize::run(d)),
    ("sentences", |d, _| stages::sentences::run(d)),
    ("lookup", stages::lookup::run),
    ("dateline", |d, _| stages::dateline::run(d)),
    ("places", stages::places::run),
    ("names", stages::names::run),
    ("quotes", stages::quotes::run),
    ("incidents", stages::incidents::run),
];
