//! The real binary: every way users run it, and every kind of bad input.

mod common;
use common::*;
use serde_json::Value;

const STORY: &[u8] = b"KABUL, Afghanistan (AP) \xe2\x80\x94 Four gunmen were killed in a skirmish overnight, the committee said.\n";

fn schema_validator() -> jsonschema::Validator {
    let out = run(&["schema"], b"");
    assert!(out.status.success());
    let schema: Value = serde_json::from_slice(&out.stdout).expect("schema is JSON");
    jsonschema::validator_for(&schema).expect("schema compiles")
}

fn assert_valid(v: &jsonschema::Validator, value: &Value) {
    let errors: Vec<String> = v
        .iter_errors(value)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "schema errors: {errors:?}\nin {value}");
}

#[test]
fn stdin_story_gives_one_valid_object() {
    let out = run(&[], STORY);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 1);
    let v = &lines[0];
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["id"], "stdin");
    assert_eq!(v["dateline"]["agency"], "AP");
    assert_eq!(v["dateline"]["text"], "KABUL, Afghanistan (AP) —");
    // Character offsets: the em dash is one character.
    assert_eq!(v["dateline"]["end"], 25);
    assert_valid(&schema_validator(), v);
}

#[test]
fn founding_story_validates_against_schema() {
    let path = fixture("tajik-border.txt");
    let out = run(&["extract", path.to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(0));
    let v = &json_lines(&out)[0];
    assert_eq!(v["id"], "tajik-border.txt");
    assert_valid(&schema_validator(), v);
    // Same through stdin and `extract -`, apart from the id.
    let text = std::fs::read(&path).unwrap();
    let mut a = json_lines(&run(&["extract", "-"], &text)).remove(0);
    let mut b = v.clone();
    a["id"] = Value::Null;
    b["id"] = Value::Null;
    assert_eq!(a, b);
}

#[test]
fn pretty_output_is_indented_json() {
    let out = run(&["--pretty"], STORY);
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.starts_with("{\n  \"schema_version\": 1,"), "{s}");
    let _: Value = serde_json::from_str(&s).unwrap();
}

#[test]
fn bad_single_inputs_give_error_records_and_exit_1() {
    for (bytes, kind) in [
        (&b""[..], "empty"),
        (&b"caf\xe9 au lait"[..], "not_utf8"),
        (&b"MZ\x00\x01binary"[..], "binary"),
    ] {
        let out = run(&[], bytes);
        assert_eq!(out.status.code(), Some(1), "{kind}");
        let v = &json_lines(&out)[0];
        assert_eq!(v["error"]["kind"], kind);
        assert!(v["error"]["message"].as_str().unwrap().len() > 5);
        assert_valid(&schema_validator(), v);
    }
    let out = run(&["extract", "no/such/story.txt"], b"");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json_lines(&out)[0]["error"]["kind"], "not_found");
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(run(&["--no-such-flag"], b"").status.code(), Some(2));
    assert_eq!(run(&["batch"], b"").status.code(), Some(2));
    let out = run(&["--date", "5 May 2024"], STORY);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("YYYY-MM-DD"));
}

#[test]
fn batch_folder_in_path_order_with_error_records() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("b.txt", STORY),
            (
                "a.txt",
                b"WASHINGTON (Reuters) - Protesters marched on Sunday.\n",
            ),
            ("sub/c.txt", b"Nothing happened in Paris.\n"),
            // Path order compares component by component: "sub" before
            // "sub-2", though '-' sorts before '/' byte by byte.
            ("sub-2/g.txt", b"Nothing happened in Rome.\n"),
            ("d.txt", b""),
            ("e.txt", b"\xff\xfe bad"),
            ("f.txt", b"bin\x00ary"),
            ("skip.md", b"not a story"),
        ],
    );
    let out = run(&["batch", dir.path().to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(1), "some stories failed");
    let lines = json_lines(&out);
    let ids: Vec<&str> = lines.iter().map(|v| v["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "a.txt",
            "b.txt",
            "d.txt",
            "e.txt",
            "f.txt",
            "sub/c.txt",
            "sub-2/g.txt"
        ]
    );
    let kinds: Vec<&str> = lines
        .iter()
        .map(|v| v["error"]["kind"].as_str().unwrap_or("ok"))
        .collect();
    assert_eq!(
        kinds,
        ["ok", "ok", "empty", "not_utf8", "binary", "ok", "ok"]
    );
    let v = schema_validator();
    for line in &lines {
        assert_valid(&v, line);
    }
    // --glob picks other files.
    let out = run(
        &["batch", "--glob", "*.md", dir.path().to_str().unwrap()],
        b"",
    );
    assert_eq!(out.status.code(), Some(0));
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["id"], "skip.md");
}

#[test]
fn batch_streams_inputs_in_order_past_the_window() {
    // More inputs than the window of stories in flight
    // (`dateline::batch::WINDOW`), split over folders and a file given by
    // itself: the folders are walked lazily, and every input still yields
    // one line in its place.
    let dir = tempfile::tempdir().unwrap();
    let mut expected = Vec::new();
    for folder in ["a", "b/deep"] {
        std::fs::create_dir_all(dir.path().join(folder)).unwrap();
        for i in 0..300 {
            let name = format!("{folder}/s{i:03}.txt");
            std::fs::write(dir.path().join(&name), format!("Story {i} in Paris.\n")).unwrap();
            expected.push(name);
        }
    }
    let other = tempfile::tempdir().unwrap();
    let loose = other.path().join("loose.txt");
    std::fs::write(&loose, "Nothing happened in Rome.\n").unwrap();
    let root = dir.path().to_str().unwrap();
    let out = run(
        &[
            "batch",
            "--threads",
            "2",
            root,
            loose.to_str().unwrap(),
            root,
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(0));
    let lines = json_lines(&out);
    let ids: Vec<&str> = lines.iter().map(|v| v["id"].as_str().unwrap()).collect();
    let mut want: Vec<String> = expected.clone();
    want.push("loose.txt".into());
    want.extend(expected);
    assert!(want.len() > 2 * dateline::batch::WINDOW);
    assert_eq!(ids.len(), want.len());
    for (i, (got, want)) in ids.iter().zip(&want).enumerate() {
        // A file given by itself is reported under the path as given.
        if want == "loose.txt" {
            assert!(got.ends_with("loose.txt"), "line {i}: {got}");
        } else {
            assert_eq!(got, want, "line {i}");
        }
    }
}

#[test]
fn batch_files_and_missing_paths_keep_their_place() {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), &[("one.txt", STORY)]);
    let one = dir.path().join("one.txt");
    let missing = dir.path().join("gone.txt");
    let out = run(
        &["batch", missing.to_str().unwrap(), one.to_str().unwrap()],
        b"",
    );
    assert_eq!(out.status.code(), Some(1));
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["error"]["kind"], "not_found");
    assert_eq!(lines[1]["dateline"]["agency"], "AP");
}

#[test]
fn a_folder_or_a_huge_file_named_as_a_story_gives_an_error_record() {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), &[("sub/one.txt", STORY)]);
    // Over the limit of one story, known from its size without reading it
    // (a sparse file: nothing is written to disk).
    let huge = dir.path().join("huge.txt");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(dateline::input::MAX_STORY_BYTES as u64 + 1)
        .unwrap();
    let sub = dir.path().join("sub");
    let out = run(&["extract", sub.to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(1));
    let v = &json_lines(&out)[0];
    assert_eq!(v["error"]["kind"], "unreadable");
    assert!(v["error"]["message"].as_str().unwrap().contains("folder"));
    let out = run(
        &["batch", huge.to_str().unwrap(), sub.to_str().unwrap()],
        b"",
    );
    assert_eq!(out.status.code(), Some(1));
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["error"]["kind"], "too_large");
    assert_eq!(lines[1]["id"], "one.txt");
    assert_eq!(lines[1]["dateline"]["agency"], "AP");
}

#[test]
fn batch_output_is_identical_for_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let story = std::fs::read(fixture("tajik-border.txt")).unwrap();
    let mut files = Vec::new();
    for i in 0..40 {
        // Vary the stories so that order mistakes would show.
        let mut s = format!("Story {i}.\n").into_bytes();
        s.extend_from_slice(&story);
        files.push((format!("s{i:03}.txt"), s));
    }
    for (name, bytes) in &files {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    let p = dir.path().to_str().unwrap();
    let one = run(&["batch", "--threads", "1", p], b"");
    let two = run(&["batch", "--threads", "2", p], b"");
    let four = run(&["batch", "--threads", "4", p], b"");
    assert_eq!(one.status.code(), Some(0));
    assert_eq!(json_lines(&one).len(), 40);
    assert_eq!(one.stdout, two.stdout);
    assert_eq!(one.stdout, four.stdout);
}

#[test]
fn jsonl_is_a_streaming_filter_in_input_order() {
    let input = concat!(
        "{\"id\": \"x1\", \"text\": \"KABUL, Afghanistan (AP) — Four gunmen were killed.\"}\n",
        "\n",
        "not json\n",
        "{\"id\": 7, \"text\": \"Troops shelled the town.\"}\n",
        "{\"id\": \"x3\"}\n",
        "{\"id\": \"x4\", \"text\": \"\"}\n",
    );
    let out = run(&["batch", "--jsonl", "-"], input.as_bytes());
    assert_eq!(out.status.code(), Some(1));
    let lines = json_lines(&out);
    let ids: Vec<String> = lines
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["x1", "line 3", "7", "x3", "x4"]);
    assert_eq!(lines[0]["dateline"]["agency"], "AP");
    assert_eq!(lines[1]["error"]["kind"], "bad_json");
    assert!(lines[2]["error"].is_null());
    assert_eq!(lines[3]["error"]["kind"], "bad_json");
    assert_eq!(lines[4]["error"]["kind"], "empty");
    // From a file, too.
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("in.jsonl");
    std::fs::write(&f, input).unwrap();
    let from_file = run(&["batch", "--jsonl", f.to_str().unwrap()], b"");
    assert_eq!(from_file.stdout, out.stdout);
}

#[test]
fn jsonl_from_a_live_feed_answers_each_line_as_it_comes() {
    use std::io::{BufRead, BufReader, Write};
    use std::process::Stdio;
    let mut child = bin()
        .args(["batch", "--jsonl", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    // The reader runs on its own thread, so a line that never comes fails
    // the test after a while instead of hanging it.
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut line = String::new();
        while stdout.read_line(&mut line).unwrap() > 0 {
            tx.send(std::mem::take(&mut line)).unwrap();
        }
    });
    let wait = std::time::Duration::from_secs(60);
    for id in ["first", "second"] {
        let line = format!("{{\"id\": \"{id}\", \"text\": \"Troops shelled the town.\"}}\n");
        stdin.write_all(line.as_bytes()).unwrap();
        stdin.flush().unwrap();
        // The story's line comes while stdin is still open.
        let out = rx.recv_timeout(wait).expect("a line before the input ends");
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["id"], id);
    }
    drop(stdin);
    assert!(child.wait().unwrap().success());
    reader.join().unwrap();
    assert!(rx.try_recv().is_err(), "nothing more");
}

#[test]
fn closed_stdout_ends_quietly() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let dir = tempfile::tempdir().unwrap();
    for i in 0..600 {
        std::fs::write(dir.path().join(format!("s{i:04}.txt")), STORY).unwrap();
    }
    let mut child = bin()
        .args(["batch", "--threads", "1", dir.path().to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    // stdout is dropped here: the reader is gone, like `| head -1`.
    let out = child.wait_with_output().unwrap();
    assert!(first.starts_with('{'));
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn user_given_names_make_name_words_of_common_words() {
    // "Harvest" is a common word and no built-in given name: in capitals
    // copy it is no name word, so the mayor is not found. A user's list
    // that makes it a given name makes it one (the lookup stage must not
    // turn it away by its built-in bits).
    let story: &[u8] = b"LIMA, 12 JAN 90 (EFE) -- [TEXT] MAYOR HARVEST KAPLAN SAID TODAY THAT THE GUERRILLAS ATTACKED THE TOWN.\n";
    let names = |out: &std::process::Output| -> Vec<String> {
        json_lines(out)[0]["people"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_string())
            .collect()
    };
    let plain = run(&[], story);
    assert_eq!(plain.status.code(), Some(0));
    assert!(names(&plain).is_empty(), "{:?}", names(&plain));
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[(
            "given_names.tsv",
            b"name\tgender\tregions\nHarvest\tM\tu_s_a\n",
        )],
    );
    let listed = run(&["--gazetteers", dir.path().to_str().unwrap()], story);
    assert_eq!(listed.status.code(), Some(0));
    assert_eq!(names(&listed), ["HARVEST KAPLAN"]);
}

#[test]
fn user_gazetteers_add_places_and_report_bad_lines() {
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("places.tsv", b"id\tname\tkind\tcountry_code\tadmin1\tlat\tlon\tpopulation\nx:1\tQarqaraly Outpost\tfacility\tKZ\t\t49.4\t75.5\t\n"),
            ("place_names.tsv", b"name\tid\tform\nQarqaraly Outpost\tx:1\tname\n"),
        ],
    );
    let out = run(
        &["--gazetteers", dir.path().to_str().unwrap()],
        b"Troops arrived at Qarqaraly Outpost on Monday.\n",
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = &json_lines(&out)[0];
    let places = v["places"].as_array().unwrap();
    let p = places
        .iter()
        .find(|p| p["source"] == "x:1")
        .unwrap_or_else(|| panic!("user place found: {v}"));
    assert_eq!(p["kind"], "facility");
    assert_eq!(p["country_code"], "KZ");
    assert_eq!(p["mentions"][0]["text"], "Qarqaraly Outpost");

    let bad = tempfile::tempdir().unwrap();
    write_files(
        bad.path(),
        &[("triggers.tsv", b"expression\ttype\tacled_event_type\tacled_sub_event_type\tstrength\nfoo\tbar\t\t\tstrong\n")],
    );
    let out = run(&["--gazetteers", bad.path().to_str().unwrap()], STORY);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("triggers.tsv:2:"), "{err}");
    assert!(err.contains("column type"), "{err}");
}
