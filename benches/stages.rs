//! Per-stage micro-benchmarks (criterion) on the founding story, so that a
//! regression shows in the stage where it happened.
//!
//! `cargo bench --bench stages`

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use dateline::stages;
use dateline::{Doc, Pipeline};

const STORY: &str = include_str!("../fixtures/tajik-border.txt");

fn bench(c: &mut Criterion) {
    let pipeline = Pipeline::new().expect("gazetteers");
    let g = pipeline.gazetteer();
    let mut group = c.benchmark_group("stages");
    group.throughput(Throughput::Bytes(STORY.len() as u64));
    // Each stage is measured on a document that has run every stage before it.
    let upto = |n: usize| {
        let mut doc = Doc::new("bench", STORY);
        let steps: [&dyn Fn(&mut Doc); 7] = [
            &|d| stages::tokenize::run(d),
            &|d| stages::sentences::run(d),
            &|d| stages::lookup::run(d, g),
            &|d| stages::dateline::run(d),
            &|d| stages::places::run(d, g),
            &|d| stages::names::run(d, g),
            &|d| stages::quotes::run(d, g),
        ];
        for s in steps.iter().take(n) {
            s(&mut doc);
        }
        doc
    };
    group.bench_function("tokenize", |b| {
        b.iter(|| stages::tokenize::tokenize(black_box(STORY)))
    });
    let d = upto(1);
    group.bench_function("sentences", |b| {
        b.iter(|| stages::sentences::run(&mut d.clone()))
    });
    let d = upto(2);
    group.bench_function("lookup", |b| {
        b.iter(|| stages::lookup::run(&mut d.clone(), g))
    });
    let d = upto(3);
    group.bench_function("dateline", |b| {
        b.iter(|| stages::dateline::run(&mut d.clone()))
    });
    let d = upto(4);
    group.bench_function("places", |b| {
        b.iter(|| stages::places::run(&mut d.clone(), g))
    });
    let d = upto(5);
    group.bench_function("names", |b| {
        b.iter(|| stages::names::run(&mut d.clone(), g))
    });
    let d = upto(6);
    group.bench_function("quotes", |b| {
        b.iter(|| stages::quotes::run(&mut d.clone(), g))
    });
    let d = upto(7);
    group.bench_function("incidents", |b| {
        b.iter(|| stages::incidents::run(&mut d.clone(), g))
    });
    group.bench_function("whole pipeline", |b| {
        b.iter(|| pipeline.extract("bench", black_box(STORY)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
