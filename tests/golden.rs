//! Golden fixtures: `fixtures/NAME.txt` with `fixtures/NAME.expected.json`,
//! what a careful human annotator extracts from the story.
//!
//! The comparison is field by field. Entities are matched by name (their
//! ids depend on order), references (`P1`, `O2`, `H1`) are compared by the
//! name they point at, mentions as sets of (start, end, text, form),
//! incidents in order. Every difference has a path such as
//! `places[Kabul].lat` or `incidents[1].weapons`; an unexpected entity is
//! `places[+Name]`.
//!
//! `fixtures/NAME.gaps` lists, one per line, the paths known not to be
//! met yet, each with a reason after `#`. The test fails on any difference
//! not listed there, and also on a listed gap that is now met, so the list
//! only ever shrinks and never hides a fixed field.

use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const ENTITY_LISTS: &[&str] = &["places", "organizations", "people"];

fn load(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// id -> name for every entity of a story.
fn names(story: &Value) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for list in ENTITY_LISTS {
        for e in story[list].as_array().into_iter().flatten() {
            if let (Some(id), Some(name)) = (e["id"].as_str(), e["name"].as_str()) {
                out.insert(id.to_string(), name.to_string());
            }
        }
    }
    out
}

/// Replaces entity ids by the names they stand for, everywhere but in
/// the entities' own `id` fields.
fn resolve(v: &Value, names: &BTreeMap<String, String>, key: &str) -> Value {
    match v {
        Value::String(s) if key != "id" => names
            .get(s)
            .map_or_else(|| v.clone(), |n| Value::String(format!("<{n}>"))),
        Value::Array(a) => Value::Array(a.iter().map(|x| resolve(x, names, key)).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, x)| (k.clone(), resolve(x, names, k)))
                .collect::<Map<String, Value>>(),
        ),
        _ => v.clone(),
    }
}

fn mention_set(v: &Value) -> BTreeSet<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .map(|m| {
            format!(
                "{}-{} {:?} {}",
                m["start"],
                m["end"],
                m["text"].as_str().unwrap_or(""),
                m["form"]
            )
        })
        .collect()
}

fn compare_fields(path: &str, want: &Value, got: &Value, diffs: &mut BTreeMap<String, String>) {
    let Some(w) = want.as_object() else {
        if want != got {
            diffs.insert(path.to_string(), format!("want {want}, got {got}"));
        }
        return;
    };
    for (k, wv) in w {
        if k == "id" {
            continue;
        }
        let gv = got.get(k).unwrap_or(&Value::Null);
        let p = format!("{path}.{k}");
        if k == "mentions" {
            let (ws, gs) = (mention_set(wv), mention_set(gv));
            if ws != gs {
                let missing: Vec<_> = ws.difference(&gs).collect();
                let extra: Vec<_> = gs.difference(&ws).collect();
                diffs.insert(p, format!("missing {missing:?}, unexpected {extra:?}"));
            }
        } else if wv != gv {
            diffs.insert(p, format!("want {wv}, got {gv}"));
        }
    }
}

fn compare(want: &Value, got: &Value) -> BTreeMap<String, String> {
    let mut diffs = BTreeMap::new();
    let want = resolve(want, &names(want), "");
    let got = resolve(got, &names(got), "");
    compare_fields("dateline", &want["dateline"], &got["dateline"], &mut diffs);
    for list in ENTITY_LISTS {
        let ws = want[list].as_array().cloned().unwrap_or_default();
        let gs = got[list].as_array().cloned().unwrap_or_default();
        for w in &ws {
            let name = w["name"].as_str().unwrap_or("?");
            match gs.iter().find(|g| g["name"] == w["name"]) {
                Some(g) => compare_fields(&format!("{list}[{name}]"), w, g, &mut diffs),
                None => {
                    diffs.insert(format!("{list}[{name}]"), "missing".into());
                }
            }
        }
        for g in &gs {
            if !ws.iter().any(|w| w["name"] == g["name"]) {
                let name = g["name"].as_str().unwrap_or("?");
                diffs.insert(format!("{list}[+{name}]"), format!("unexpected {g}"));
            }
        }
    }
    let wi = want["incidents"].as_array().cloned().unwrap_or_default();
    let gi = got["incidents"].as_array().cloned().unwrap_or_default();
    for (i, w) in wi.iter().enumerate() {
        match gi.get(i) {
            Some(g) => compare_fields(&format!("incidents[{i}]"), w, g, &mut diffs),
            None => {
                diffs.insert(format!("incidents[{i}]"), "missing".into());
            }
        }
    }
    for (i, g) in gi.iter().enumerate().skip(wi.len()) {
        diffs.insert(format!("incidents[+{i}]"), format!("unexpected {g}"));
    }
    let wq = want["quotes"].as_array().cloned().unwrap_or_default();
    let gq = got["quotes"].as_array().cloned().unwrap_or_default();
    for w in &wq {
        let start = &w["start"];
        match gq.iter().find(|g| &g["start"] == start) {
            Some(g) => compare_fields(&format!("quotes[{start}]"), w, g, &mut diffs),
            None => {
                diffs.insert(format!("quotes[{start}]"), "missing".into());
            }
        }
    }
    for g in &gq {
        if !wq.iter().any(|w| w["start"] == g["start"]) {
            diffs.insert(
                format!("quotes[+{}]", g["start"]),
                format!("unexpected {g}"),
            );
        }
    }
    diffs
}

fn gaps(path: &Path) -> BTreeSet<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

#[test]
fn golden_fixtures() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let pipeline = dateline::Pipeline::new().expect("built-in gazetteers load");
    let mut report = String::new();
    let mut checked = 0;
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for txt in entries
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
    {
        let stem = txt.file_stem().unwrap().to_string_lossy().to_string();
        let expected = dir.join(format!("{stem}.expected.json"));
        if !expected.exists() {
            continue;
        }
        checked += 1;
        let text = std::fs::read_to_string(txt).unwrap();
        let got = serde_json::to_value(pipeline.extract(&format!("{stem}.txt"), &text)).unwrap();
        let diffs = compare(&load(&expected), &got);
        let known = gaps(&dir.join(format!("{stem}.gaps")));
        for (path, what) in &diffs {
            if !known.contains(path) {
                report.push_str(&format!("{stem}: {path}: {what}\n"));
            }
        }
        for path in &known {
            if !diffs.contains_key(path) {
                report.push_str(&format!("{stem}: {path}: listed as a known gap but now met: remove it from {stem}.gaps\n"));
            }
        }
    }
    assert!(checked > 0, "no golden fixtures found in {}", dir.display());
    assert!(report.is_empty(), "golden fixture differences:\n{report}");
}

#[test]
fn comparison_sees_differences() {
    // The comparison itself must notice a changed field, a missing and an
    // unexpected entity, and resolve references by name.
    let want: Value = serde_json::from_str(r#"{"dateline":{"place":"P1"},"places":[{"id":"P1","name":"Kabul","lat":34.5,"mentions":[{"start":0,"end":5,"text":"Kabul","form":"name"}]}],"organizations":[],"people":[],"incidents":[{"location":{"places":["P1"]}}],"quotes":[]}"#).unwrap();
    let same: Value = serde_json::from_str(r#"{"dateline":{"place":"P2"},"places":[{"id":"P1","name":"Tajikistan","lat":1.0,"mentions":[]},{"id":"P2","name":"Kabul","lat":34.5,"mentions":[{"start":0,"end":5,"text":"Kabul","form":"name"}]}],"organizations":[],"people":[],"incidents":[{"location":{"places":["P2"]}}],"quotes":[]}"#).unwrap();
    let d = compare(&want, &same);
    assert_eq!(d.keys().collect::<Vec<_>>(), ["places[+Tajikistan]"]);
    let mut changed = same.clone();
    changed["places"][1]["lat"] = Value::from(34.0);
    changed["incidents"][0]["location"]["places"] = serde_json::json!(["P1"]);
    let d = compare(&want, &changed);
    assert!(d.contains_key("places[Kabul].lat"));
    assert!(d.contains_key("incidents[0].location"));
}
