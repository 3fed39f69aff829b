//! Per-stage micro-benchmarks (criterion) on the founding story, so that a
//! regression shows in the stage where it happened.
//!
//! `cargo bench --bench stages`
//!
//! The stages come from [`dateline::STAGES`], the list the pipeline runs,
//! so a new stage is measured without being added here. The last two
//! benchmarks are writing the JSON line (what `dateline batch` does after
//! the stages) and the whole of it: stages and JSON.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use dateline::output::StoryView;
use dateline::{Doc, Pipeline, STAGES};

const STORY: &str = include_str!("../fixtures/tajik-border.txt");

/// The JSON line `dateline batch` writes for `doc`.
fn json_line(doc: &Doc) -> Vec<u8> {
    let mut line = Vec::with_capacity(4 * doc.text.len());
    StoryView::new(doc).write_compact(&mut line);
    line
}

fn bench(c: &mut Criterion) {
    let pipeline = Pipeline::new().expect("gazetteers");
    let g = pipeline.gazetteer();
    let mut group = c.benchmark_group("stages");
    group.throughput(Throughput::Bytes(STORY.len() as u64));
    // Each stage is measured on a document that has run every stage before
    // it.
    let mut doc = Doc::new("bench", STORY);
    for (name, run) in STAGES {
        let before = doc.clone();
        group.bench_function(name, |b| b.iter(|| run(&mut before.clone(), g)));
        run(&mut doc, g);
    }
    group.bench_function("json", |b| b.iter(|| json_line(black_box(&doc))));
    group.bench_function("whole pipeline", |b| {
        b.iter(|| json_line(&pipeline.process("bench", black_box(STORY))))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
