//! Compiles the place gazetteer into a finite-state transducer at build
//! time, so that the binary starts without building any automaton.
//!
//! Inputs: `gazetteers/places.tsv` (one row per place) and
//! `gazetteers/place_names.tsv` (one row per surface name). Outputs in
//! `OUT_DIR`:
//! - `place_names.fst`: normalized name -> offset into the postings blob;
//! - `place_postings.bin`: per name, a u16 count, a u8 of
//!   `candidate_flags.rs` flags, then `count` records of (u32 place index,
//!   u8 form code), little endian;
//! - `place_records.bin`: one fixed-size record per place (see
//!   [`RECORD_LEN`]): where its line starts in `places.tsv` and the lengths
//!   of its text fields (the library includes that file as text and slices
//!   the fields out of it), its kind as an index into `PLACE_KINDS`, and
//!   its coordinates and population already parsed, so that looking at a
//!   candidate entry costs a few loads and no parsing;
//! - `place_by_lat.bin`: the indices (u32) of the populated places (city,
//!   town, village) with coordinates, ordered by latitude, for reverse
//!   geocoding without a pass over every record.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::Path;

include!("src/gazetteer/normalize.rs");
include!("src/gazetteer/kinds.rs");
include!("src/gazetteer/candidate_flags.rs");

/// Bytes per place record in `place_records.bin`, little endian:
/// u32 line offset, u16 id length, u16 name length, u8 kind index, u8
/// country code length, u16 admin1 length, u8 flags (1: lat, 2: lon),
/// the country code's two bytes (zeros unless it has two), 1 byte padding,
/// f64 lat, f64 lon, u64 population.
const RECORD_LEN: usize = 40;

fn place_record(offset: usize, line: &str, out: &mut Vec<u8>) {
    let mut f = line.trim_end_matches(['\n', '\r']).split('\t');
    let mut next = || f.next().unwrap_or("");
    let (id, name, kind, cc, admin1) = (next(), next(), next(), next(), next());
    let lat: Option<f64> = next().parse().ok();
    let lon: Option<f64> = next().parse().ok();
    let population = next().parse::<f64>().map_or(0, |p| p as u64);
    let kind_ix = PLACE_KINDS
        .iter()
        .position(|k| *k == kind)
        .unwrap_or_else(|| panic!("places.tsv: unknown kind {kind:?} of {id}"));
    let start = out.len();
    out.extend_from_slice(&u32::try_from(offset).expect("offset").to_le_bytes());
    out.extend_from_slice(&u16::try_from(id.len()).expect("id").to_le_bytes());
    out.extend_from_slice(&u16::try_from(name.len()).expect("name").to_le_bytes());
    out.push(kind_ix as u8);
    out.push(u8::try_from(cc.len()).expect("country code"));
    out.extend_from_slice(&u16::try_from(admin1.len()).expect("admin1").to_le_bytes());
    out.push(u8::from(lat.is_some()) | (u8::from(lon.is_some()) << 1));
    match cc.as_bytes() {
        &[a, b] => out.extend_from_slice(&[a, b, 0]),
        _ => out.extend_from_slice(&[0, 0, 0]),
    }
    out.extend_from_slice(&lat.unwrap_or(0.0).to_le_bytes());
    out.extend_from_slice(&lon.unwrap_or(0.0).to_le_bytes());
    out.extend_from_slice(&population.to_le_bytes());
    assert_eq!(out.len() - start, RECORD_LEN);
}

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
    println!("cargo:rerun-if-changed=src/gazetteer/kinds.rs");
    println!("cargo:rerun-if-changed=src/gazetteer/candidate_flags.rs");
    let out = std::env::var("OUT_DIR").expect("OUT_DIR");
    let out = Path::new(&out);

    let places = fs::read_to_string(&places_path).unwrap_or_default();
    let names = fs::read_to_string(&names_path).unwrap_or_default();

    // Place records and id -> index.
    let mut records: Vec<u8> = Vec::new();
    let mut count = 0u32;
    let mut index_of: HashMap<&str, u32> = HashMap::new();
    let mut pos = 0usize;
    for (n, line) in places.split_inclusive('\n').enumerate() {
        let start = pos;
        pos += line.len();
        if n == 0 || line.trim().is_empty() {
            continue; // header
        }
        let id = line.split('\t').next().unwrap_or("");
        index_of.insert(id, count);
        place_record(start, line, &mut records);
        count += 1;
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
        blob.push(candidate_flags(list[..count].iter().map(|&(ix, code)| {
            let r = &records[ix as usize * RECORD_LEN..(ix as usize + 1) * RECORD_LEN];
            let population = u64::from_le_bytes(r[32..40].try_into().expect("8 bytes"));
            (PLACE_KINDS[r[8] as usize], population, code == 3, code == 2)
        })));
        for &(ix, code) in &list[..count] {
            blob.extend_from_slice(&ix.to_le_bytes());
            blob.push(code);
        }
    }
    let fst_bytes = builder.into_inner().expect("fst");
    fs::write(out.join("place_names.fst"), fst_bytes).expect("write fst");
    fs::write(out.join("place_postings.bin"), blob).expect("write postings");
    fs::write(out.join("place_records.bin"), &records).expect("write records");
    fs::write(out.join("place_by_lat.bin"), by_latitude(&records)).expect("write by_lat");

    word_lists(out);
}

/// The populated places with coordinates, by latitude (then index), as
/// little-endian u32 record indices.
fn by_latitude(records: &[u8]) -> Vec<u8> {
    let mut by_lat: Vec<(f64, u32)> = records
        .chunks_exact(RECORD_LEN)
        .enumerate()
        .filter(|(_, r)| {
            r[12] & 3 == 3 && matches!(PLACE_KINDS[r[8] as usize], "city" | "town" | "village")
        })
        .map(|(i, r)| {
            let lat = f64::from_le_bytes(r[16..24].try_into().expect("8 bytes"));
            (lat, u32::try_from(i).expect("index"))
        })
        .filter(|(lat, _)| !lat.is_nan())
        .collect();
    by_lat.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    by_lat.iter().flat_map(|&(_, i)| i.to_le_bytes()).collect()
}

/// Given names and common words, as one perfect-hash map (`word_info.rs`)
/// from a normalized word to a bit set: bits 0-1 the given name's gender
/// (1 male, 2 female, 3 either), bit 2 a common English word. Names and
/// words are looked up for nearly every capitalized token (every word in
/// capitals copy): one hash and one compare each.
fn word_lists(out: &Path) {
    let given_path = Path::new("gazetteers/given_names.tsv");
    let common_path = Path::new("gazetteers/common_words.tsv");
    println!("cargo:rerun-if-changed={}", given_path.display());
    println!("cargo:rerun-if-changed={}", common_path.display());
    let given = fs::read_to_string(given_path).unwrap_or_default();
    let mut words: BTreeMap<String, u8> = BTreeMap::new();
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
            let e = words.entry(key).or_insert(code);
            if *e != code {
                *e = 3;
            }
        }
    }
    let common = fs::read_to_string(common_path).unwrap_or_default();
    for w in common.lines().skip(1).map(normalize_key) {
        if !w.is_empty() {
            *words.entry(w).or_insert(0) |= 4;
        }
    }
    let mut map = phf_codegen::Map::new();
    for (k, v) in &words {
        map.entry(k.as_str(), v.to_string());
    }
    let code = format!(
        "/// Normalized word -> bits (see `build.rs`).\nstatic WORD_INFO: phf::Map<&'static str, u8> = {};\n",
        map.build()
    );
    fs::write(out.join("word_info.rs"), code).expect("write word_info.rs");
}
