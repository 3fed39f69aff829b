//! Places: each disambiguation rule with short sentences, mixed case and
//! all capitals.

use dateline::{Pipeline, Story};
use std::sync::LazyLock;

static PIPELINE: LazyLock<Pipeline> = LazyLock::new(|| Pipeline::new().expect("gazetteers"));

fn story(text: &str) -> Story {
    PIPELINE.extract("t", text)
}

/// (mention text, country code, kind) of every name mention.
fn places(text: &str) -> Vec<(String, String, String)> {
    let s = story(text);
    let mut out: Vec<(usize, String, String, String)> = s
        .places
        .iter()
        .flat_map(|p| {
            p.mentions.iter().map(|m| {
                (
                    m.start,
                    m.text.clone(),
                    p.country_code.clone().unwrap_or_default(),
                    p.kind.clone(),
                )
            })
        })
        .collect();
    out.sort();
    out.into_iter().map(|(_, a, b, c)| (a, b, c)).collect()
}

fn cc_of(text: &str, name: &str) -> Option<String> {
    places(text)
        .into_iter()
        .find(|(t, _, _)| t == name)
        .map(|(_, c, _)| c)
}

#[test]
fn founding_dateline_place_has_coordinates() {
    let s = story("KABUL, Afghanistan (AP) — Four gunmen were killed.");
    let d = s.dateline.as_ref().unwrap();
    let p = &s.places[d.place.as_ref().unwrap()[1..].parse::<usize>().unwrap() - 1];
    assert_eq!((p.name.as_str(), p.kind.as_str()), ("Kabul", "city"));
    assert_eq!(p.country_code.as_deref(), Some("AF"));
    assert!((p.lat.unwrap() - 34.53).abs() < 0.05 && (p.lon.unwrap() - 69.17).abs() < 0.05);
    assert_eq!(p.source, "geonames:1138958");
}

#[test]
fn context_picks_the_country() {
    assert_eq!(
        cc_of(
            "Fighting broke out in Tripoli, the Libyan capital, as militias clashed in Libya.",
            "Tripoli"
        )
        .as_deref(),
        Some("LY")
    );
    assert_eq!(
        cc_of(
            "Clashes in Lebanon spread to Tripoli, where the army deployed.",
            "Tripoli"
        )
        .as_deref(),
        Some("LB")
    );
    assert_eq!(
        cc_of(
            "He grew up in Paris, Texas, near the Oklahoma line.",
            "Paris"
        )
        .as_deref(),
        Some("US")
    );
    assert_eq!(
        cc_of("The summit opened in Paris on Monday.", "Paris").as_deref(),
        Some("FR")
    );
}

#[test]
fn georgia_country_or_state() {
    let text = "Russian troops crossed into Georgia on Friday, Tbilisi said.";
    let p = places(text);
    assert!(
        p.contains(&("Georgia".into(), "GE".into(), "country".into())),
        "{p:?}"
    );
    let text = "Voters in Atlanta and across Georgia went to the polls, U.S. officials said.";
    let p = places(text);
    assert!(
        p.iter()
            .any(|(t, c, k)| t == "Georgia" && c == "US" && k == "admin1"),
        "{p:?}"
    );
}

#[test]
fn common_words_are_not_places() {
    for text in [
        "Split the money between them, he said.",
        "Reading the report, she frowned.",
        "It was a nice day and the police said nothing.",
    ] {
        let p = places(text);
        assert!(p.is_empty(), "{text}: {p:?}");
    }
    // With place context they are.
    assert_eq!(
        cc_of("The ferry sailed from Split to the islands.", "Split").as_deref(),
        Some("HR")
    );
}

#[test]
fn people_named_like_places_are_not_places() {
    for (text, word) in [
        ("Jordan Henderson scored twice for the visitors.", "Jordan"),
        ("The book by Israel Epstein was reprinted.", "Israel"),
    ] {
        assert!(cc_of(text, word).is_none(), "{text}: {:?}", places(text));
    }
    assert_eq!(
        cc_of("Jordan closed its border with Syria.", "Jordan").as_deref(),
        Some("JO")
    );
}

#[test]
fn demonyms_give_the_country_but_are_not_names() {
    let s = story("Three Chinese workers and an Afghan driver were hurt.");
    let china = s
        .places
        .iter()
        .find(|p| p.country_code.as_deref() == Some("CN"))
        .expect("China");
    assert_eq!(china.mentions[0].form, "demonym");
    assert_eq!(china.mentions[0].text, "Chinese");
    let af = s
        .places
        .iter()
        .find(|p| p.country_code.as_deref() == Some("AF"))
        .expect("Afghanistan");
    assert_eq!(af.kind, "country");
}

#[test]
fn division_words_and_possessives() {
    let p = places("Gunmen were seen near the border with Afghanistan’s Badakhshan province.");
    assert!(
        p.contains(&("Afghanistan".into(), "AF".into(), "country".into())),
        "{p:?}"
    );
    assert!(
        p.contains(&("Badakhshan province".into(), "AF".into(), "admin1".into())),
        "{p:?}"
    );
}

#[test]
fn all_capitals_text() {
    let text = "THE ATTACK TOOK PLACE IN SAN MIGUEL DEPARTMENT, EL SALVADOR, AND THE POLICE SAID THAT THE ARMY WAS THERE. MAY GOD HELP US.";
    let p = places(text);
    assert!(
        p.iter().any(|(t, c, _)| t == "EL SALVADOR" && c == "SV"),
        "{p:?}"
    );
    assert!(
        p.iter()
            .any(|(t, c, _)| t.starts_with("SAN MIGUEL") && c == "SV"),
        "{p:?}"
    );
    for word in ["THE", "POLICE", "ARMY", "MAY", "US", "THERE"] {
        assert!(!p.iter().any(|(t, _, _)| t == word), "{word} in {p:?}");
    }
}

#[test]
fn country_acronyms_in_mixed_case_text() {
    let p = places("The UK and the US said the UAE would host talks.");
    let got: Vec<(&str, &str)> = p.iter().map(|(t, c, _)| (t.as_str(), c.as_str())).collect();
    assert_eq!(got, [("UK", "GB"), ("US", "US"), ("UAE", "AE")]);
    // Airport codes and other short aliases are not places.
    assert!(places("The ABC network aired it.").is_empty());
}

#[test]
fn compass_word_makes_another_demonym() {
    // "West Indian" is Caribbean, not Indian.
    assert_eq!(
        cc_of("The West Indian all-rounder scored 50.", "Indian"),
        None
    );
    assert_eq!(
        cc_of("The Indian all-rounder scored 50.", "Indian").as_deref(),
        Some("IN")
    );
}

#[test]
fn english_counties_are_second_level_divisions() {
    let p = places("Floods hit Kent and Essex in England on Monday.");
    assert!(
        p.contains(&("Kent".into(), "GB".into(), "admin2".into())),
        "{p:?}"
    );
    assert!(
        p.contains(&("Essex".into(), "GB".into(), "admin2".into())),
        "{p:?}"
    );
}

#[test]
fn lone_hamlet_names_need_place_context() {
    // A word naming only villages is a surname unless something says place.
    assert!(
        cc_of("Bicknell made 40 before Kersey was out.", "Bicknell").is_none(),
        "{:?}",
        places("Bicknell made 40 before Kersey was out.")
    );
    assert!(cc_of("Soldiers were posted near Bicknell.", "Bicknell").is_some());
}

#[test]
fn named_features_and_structures_without_a_gazetteer_entry() {
    let p = places(
        "Strikes hit targets near the Tigris River, Mount Sinjar and the Samarra Barrage, \
         and jets flew from Incirlik Air Base over the Red Sea and the Gulf of Aden.",
    );
    let got: Vec<(&str, &str, &str)> = p
        .iter()
        .map(|(t, c, k)| (t.as_str(), c.as_str(), k.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("Tigris River", "", "feature"),
            ("Mount Sinjar", "IQ", "feature"),
            ("Samarra Barrage", "IQ", "facility"),
            ("Incirlik Air Base", "", "facility"),
            ("Red Sea", "", "feature"),
            ("Gulf of Aden", "", "feature"),
        ]
    );
    // The curated features come with a point; a river inside one country
    // with its country.
    let s = story("Boats sank in the Gulf of Aden and on the Euphrates.");
    assert!(s
        .places
        .iter()
        .all(|p| p.kind == "feature" && p.lat.is_some()));
    assert_eq!(s.places[0].source, "dateline:gulf-of-aden");
    // A feature the gazetteer lacks has no coordinates: its source is the
    // text.
    let s = story("Fighters crossed the Khazir River at dawn.");
    assert_eq!(s.places[0].source, "text");
    assert_eq!(s.places[0].lat, None);
}

#[test]
fn month_abbreviations_titles_and_feasts_are_not_places() {
    // "Dec" and "Spc" are also alternate names of towns in GeoNames.
    let p = places(
        "On Dec. 5 Spc. Lorraine Walsh arrived in Baghdad. The strike on Nov 3 \
         came during Ramadan.",
    );
    let names: Vec<&str> = p.iter().map(|(t, _, _)| t.as_str()).collect();
    assert_eq!(names, vec!["Baghdad"]);
}

#[test]
fn an_ordinary_word_needs_a_place_preposition_not_of() {
    assert!(places("They spoke of the nature of God and of Hope.").is_empty());
    assert_eq!(
        cc_of("The train stopped outside Reading, England.", "Reading").as_deref(),
        Some("GB")
    );
}

#[test]
fn romanized_arabic_spellings_of_gazetteer_names() {
    // GeoNames writes "Tall 'Afar", "'Ayn 'Isa" and "Dayr az Zawr".
    for (text, name) in [
        ("Fighting went on in Tal Afar.", "Tal Afar"),
        ("Jets struck near Ayn Isa.", "Ayn Isa"),
        ("Jets struck near Dayr Az Zawr.", "Dayr Az Zawr"),
        // The article in lowercase, and joined by a hyphen.
        ("Jets struck near Dayr az Zawr.", "Dayr az Zawr"),
        ("Jets struck near Dayr az-Zawr.", "Dayr az-Zawr"),
        ("Marines fought in Al-Qa'im.", "Al-Qa'im"),
    ] {
        assert_eq!(
            cc_of(text, name).as_deref(),
            Some(if matches!(name, "Tal Afar" | "Al-Qa'im") {
                "IQ"
            } else {
                "SY"
            }),
            "{text}"
        );
    }
}

#[test]
fn capitals_given_name_followed_by_an_unknown_word_is_a_person() {
    // In capitals text "DOLORES" (a town too) begins a person's name.
    let p = places("POLICE SAID DOLORES HINOSTROZA WAS KILLED IN LIMA.");
    let names: Vec<&str> = p.iter().map(|(t, _, _)| t.as_str()).collect();
    assert_eq!(names, vec!["LIMA"]);
}

#[test]
fn airport_codes_and_a_lone_article_are_not_places() {
    // GeoNames lists "DOD", "MAJ" and "COI" among the alternate names of
    // Dodoma, Majuro and Cocoa; "Al" folds from a Norwegian village "Ål".
    let p = places(
        "A DoD release said Maj. Gen. Gary Volesky met the CoI and members of \
         the Al bu Nimr tribe and the Al-Karabla clan in Baghdad.",
    );
    let names: Vec<&str> = p.iter().map(|(t, _, _)| t.as_str()).collect();
    assert_eq!(names, vec!["Baghdad"]);
}

#[test]
fn us_state_abbreviations_of_wire_copy() {
    assert_eq!(
        cc_of("The storm hit Tampa, Fla., on Monday.", "Fla.").as_deref(),
        Some("US")
    );
    let s = story("Officials in Albany, N.Y., said so.");
    let ny = s.places.iter().find(|p| p.mentions[0].text == "N.Y.");
    assert_eq!(ny.and_then(|p| p.admin1.as_deref()), Some("US-NY"));
}

#[test]
fn features_with_a_lowercase_head_or_named_by_the_noun_before() {
    let p = places(
        "Troops crossed the Qarachogh mountains to the Khazir river and the \
         Hamrin mountains. They reached the village of Hibhib, Hibhib Village and \
         the Kuwaiti island of Failaka, and flew from Baghdad airport.",
    );
    let got: Vec<(&str, &str)> = p.iter().map(|(t, _, k)| (t.as_str(), k.as_str())).collect();
    assert_eq!(
        got,
        vec![
            ("Qarachogh mountains", "feature"),
            ("Khazir river", "feature"),
            // The curated "Hamrin Mountains", head in lowercase.
            ("Hamrin mountains", "feature"),
            ("Hibhib", "village"),
            ("Hibhib Village", "village"),
            ("Kuwaiti", "country"),
            ("Failaka", "feature"),
            // A place named inside keeps its own mention.
            ("Baghdad", "city"),
        ]
    );
    // A head before "of" describes the name after it.
    let p = places("They sailed to the Arctic island of Spitzbergen.");
    assert!(p.iter().all(|(t, _, _)| t != "Arctic island"), "{p:?}");
    let s = story("Troops crossed the Hamrin mountains.");
    assert_eq!(s.places[0].source, "dateline:hamrin-mountains");
    assert_eq!(s.places[0].country_code.as_deref(), Some("IQ"));
    // A feature is no sports team, whatever the story's other words.
    let s = story(
        "Yazidis were starving on Mount Sinjar at the hands of ISIL, the \
         league of goals said.",
    );
    assert_eq!(s.places[0].mentions[0].text, "Mount Sinjar");
    assert!(s.organizations.iter().all(|o| o.name != "Mount Sinjar"));
}

#[test]
fn written_coordinates_are_points() {
    let s = story(
        "The village lies at 33°47′N 44°30′E (33.783°N 44.500°E / 33.783; 44.500). \
         The ship was at 12°30'S, 45°10'W. Prices rose 1.250, 3.500 percent.",
    );
    let points: Vec<_> = s.places.iter().filter(|p| p.kind == "point").collect();
    assert_eq!(points.len(), 2, "{points:?}");
    // One point written three ways, placed in Iraq by its nearest town.
    let p = points[0];
    assert_eq!(p.mentions.len(), 3);
    assert_eq!(p.mentions[2].text, "33.783; 44.500");
    assert!((p.lat.unwrap() - 33.783333).abs() < 1e-5);
    assert!((p.lon.unwrap() - 44.5).abs() < 1e-9);
    assert_eq!(p.country_code.as_deref(), Some("IQ"));
    assert_eq!(p.source, "text");
    // Southern and western hemispheres are negative.
    assert!((points[1].lat.unwrap() + 12.5).abs() < 1e-9);
    assert!((points[1].lon.unwrap() + 45.0 + 1.0 / 6.0).abs() < 1e-5);
    // A bare pair needs words that say coordinates are being given.
    let s = story("Its GPS coordinates are 34.5553, 69.2075.");
    assert_eq!(s.places.len(), 1);
    assert_eq!(s.places[0].country_code.as_deref(), Some("AF"));
    let s = story("At grid coordinates 34.5553, 69.2075, troops dug in.");
    assert_eq!(s.places.len(), 1);
    // Not one pair of a longer run of numbers.
    let s = story("The coordinates read 1.234, 5.678, 9.012 and 3.456.");
    assert!(s.places.is_empty(), "{:?}", s.places);
}

#[test]
fn names_the_gazetteer_lacks_are_places_after_near_in_outside() {
    let p = places(
        "The attacks in Qamenas, Sarmin and Talamenes were reported. Jets \
         struck near Al Shadaddi. Later Qamenas was quiet.",
    );
    let got: Vec<(&str, &str)> = p.iter().map(|(t, _, k)| (t.as_str(), k.as_str())).collect();
    assert_eq!(
        got,
        vec![
            ("Qamenas", "village"),
            ("Sarmin", "village"),
            ("Talamenes", "village"),
            ("Al Shadaddi", "village"),
            // One sense per story.
            ("Qamenas", "village"),
        ]
    );
    // Not people, organizations, languages, months or markets.
    for text in [
        "The talks in Geneva were led in English by officials near Smith.",
        "Lawyers near Bob Kerrey and Al Gore spoke.",
        "It was written in Hebrew and in Kurdish in March.",
        "He invested $200 million in Ruch and saw a drop in Treasuries.",
        "He met the ministers in Congress and near Abdullah.",
    ] {
        let s = story(text);
        assert!(
            s.places.iter().all(|p| p.source != "text"),
            "{text}: {:?}",
            s.places
        );
    }
    // A capitalized preposition opening a sentence is no given name.
    assert_eq!(
        cc_of("In Tokyo, stocks fell.", "Tokyo").as_deref(),
        Some("JP")
    );
}

#[test]
fn a_name_runs_over_white_space_but_not_over_a_blank_line() {
    let at = |gap: &str| places(&format!("Talks were held in Buenos{gap}Aires on Monday."));
    let buenos_aires = |text: &str| vec![(text.to_string(), "AR".to_string(), "city".to_string())];
    assert_eq!(at(" "), buenos_aires("Buenos Aires"));
    // A hard-wrapped line and a double space are still one name.
    assert_eq!(at("\n"), buenos_aires("Buenos\nAires"));
    assert_eq!(at("  "), buenos_aires("Buenos  Aires"));
    // A blank line ends it.
    assert!(at("\n\n").iter().all(|(t, _, _)| t != "Buenos\n\nAires"));
    // A second word with letters outside ASCII goes on the walk too.
    assert_eq!(
        cc_of(
            "Gunmen attacked a bus in Ciudad Juárez on Monday.",
            "Ciudad Juárez"
        )
        .as_deref(),
        Some("MX")
    );
}
