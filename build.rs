//! Compiles the place gazetteer into a finite-state transducer at build
//! time, so that the binary starts without building any automaton.
//!
//! Inputs: `gazetteers/places.tsv` (one row per place) and
//! `gazetteers/place_names.tsv` (one row per surface name). Outputs in
//! `OUT_DIR`:
//! - `place_names.fst`: normalized name -> offset into the postings blob;
//! - `place_postings.bin`: per name, a u16 count then `count` records of
//!   (u32 place index, u8 form code), little endian;
//! - `place_offsets.bin`: u32 byte offset of each place's line in
//!   `places.tsv` (the library includes that file as text and parses a
//!   line only when a name in a story points at it).

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::Path;

include!("src/gazetteer/normalize.rs");

fn form_code(form: &str) -> u8 {
    match form {
        "name" => 0,
        "alias" => 1,
        "acronym" => 2,
        "demonym" => 3,
        other => panic!("place_names.tsv: unknown form {other:?}"),
    }
}

fn main() {
    let dir = Path::new("gazetteers");
    let places_path = dir.join("places.tsv");
    let names_path = dir.join("place_names.tsv");
    println!("cargo:rerun-if-changed={}", places_path.display());
    println!("cargo:rerun-if-changed={}", names_path.display());
    println!("cargo:rerun-if-changed=src/gazetteer/normalize.rs");
    let out = std::env::var("OUT_DIR").expect("OUT_DIR");
    let out = Path::new(&out);

    let places = fs::read_to_string(&places_path).unwrap_or_default();
    let names = fs::read_to_string(&names_path).unwrap_or_default();

    // Place lines: offsets and id -> index.
    let mut offsets: Vec<u32> = Vec::new();
    let mut index_of: HashMap<&str, u32> = HashMap::new();
    let mut pos = 0usize;
    for (n, line) in places.split_inclusive('\n').enumerate() {
        let start = pos;
        pos += line.len();
        if n == 0 || line.trim().is_empty() {
            continue; // header
        }
        let id = line.split('\t').next().unwrap_or("");
        index_of.insert(id, offsets.len() as u32);
        offsets.push(start as u32);
    }

    // Names: key -> postings.
    let mut postings: BTreeMap<String, Vec<(u32, u8)>> = BTreeMap::new();
    for (n, line) in names.lines().enumerate() {
        if n == 0 || line.trim().is_empty() {
            continue;
        }
        let mut cols = line.split('\t');
        let (Some(name), Some(id), Some(form)) = (cols.next(), cols.next(), cols.next()) else {
            panic!("place_names.tsv:{}: expected 3 columns", n + 1);
        };
        let Some(&ix) = index_of.get(id) else {
            panic!("place_names.tsv:{}: unknown place id {id:?}", n + 1);
        };
        let key = normalize_key(name);
        if key.is_empty() {
            continue;
        }
        let list = postings.entry(key).or_default();
        let code = form_code(form);
        if !list.iter().any(|&(i, _)| i == ix) {
            list.push((ix, code));
        }
    }

    let mut blob: Vec<u8> = Vec::new();
    let mut builder = fst::MapBuilder::memory();
    for (key, list) in &postings {
        builder
            .insert(key.as_bytes(), blob.len() as u64)
            .expect("keys are sorted");
        let count = list.len().min(u16::MAX as usize);
        blob.extend_from_slice(&(count as u16).to_le_bytes());
        for &(ix, code) in &list[..count] {
            blob.extend_from_slice(&ix.to_le_bytes());
            blob.push(code);
        }
    }
    let fst_bytes = builder.into_inner().expect("fst");
    fs::write(out.join("place_names.fst"), fst_bytes).expect("write fst");
    fs::write(out.join("place_postings.bin"), blob).expect("write postings");
    let off_bytes: Vec<u8> = offsets.iter().flat_map(|o| o.to_le_bytes()).collect();
    fs::write(out.join("place_offsets.bin"), off_bytes).expect("write offsets");

    word_lists(out);
}

/// Given names (name -> gender code) and common words (a set), as FSTs.
fn word_lists(out: &Path) {
    let given_path = Path::new("gazetteers/given_names.tsv");
    let common_path = Path::new("gazetteers/common_words.tsv");
    println!("cargo:rerun-if-changed={}", given_path.display());
    println!("cargo:rerun-if-changed={}", common_path.display());
    let given = fs::read_to_string(given_path).unwrap_or_default();
    let mut names: BTreeMap<String, u64> = BTreeMap::new();
    for line in given.lines().skip(1) {
        let mut cols = line.split('\t');
        let (Some(name), Some(gender)) = (cols.next(), cols.next()) else {
            continue;
        };
        let code = match gender {
            "M" => 1,
            "F" => 2,
            _ => 3,
        };
        let key = normalize_key(name);
        if !key.is_empty() {
            let e = names.entry(key).or_insert(code);
            if *e != code {
                *e = 3;
            }
        }
    }
    let mut b = fst::MapBuilder::memory();
    for (k, v) in &names {
        b.insert(k.as_bytes(), *v).expect("sorted");
    }
    fs::write(out.join("given_names.fst"), b.into_inner().expect("fst")).expect("write");

    let common = fs::read_to_string(common_path).unwrap_or_default();
    let words: std::collections::BTreeSet<String> = common
        .lines()
        .skip(1)
        .map(normalize_key)
        .filter(|w| !w.is_empty())
        .collect();
    let mut b = fst::SetBuilder::memory();
    for w in &words {
        b.insert(w.as_bytes()).expect("sorted");
    }
    fs::write(out.join("common_words.fst"), b.into_inner().expect("fst")).expect("write");
}
