//! Incidents: casualty patterns, merging, not-an-incident cases, all-caps
//! copy and date resolution, with short sentences.

use dateline::output::IncidentOut;
use dateline::{Options, Pipeline, Story};
use std::sync::LazyLock;

static PIPELINE: LazyLock<Pipeline> = LazyLock::new(|| Pipeline::new().expect("gazetteers"));

fn story(text: &str) -> Story {
    PIPELINE.extract("t", text)
}

fn one(text: &str) -> IncidentOut {
    let s = story(text);
    assert_eq!(s.incidents.len(), 1, "{text}: {:#?}", s.incidents);
    s.incidents.into_iter().next().unwrap()
}

#[test]
fn casualty_patterns() {
    let cases: &[(&str, Option<u32>, Option<u32>)] = &[
        (
            "Four gunmen who crossed the border were killed in a skirmish with guards.",
            Some(4),
            None,
        ),
        (
            "The attack killed three Chinese workers and wounded a fourth.",
            Some(3),
            Some(1),
        ),
        (
            "Two people have been killed and one injured in a bomb blast in the market.",
            Some(2),
            Some(1),
        ),
        (
            "Militants ambushed a patrol, killing two of them and injuring one.",
            Some(2),
            Some(1),
        ),
        (
            "At least 30 people were killed when a car bomb exploded.",
            Some(30),
            None,
        ),
        (
            "The death toll from the bombing rose to 12, officials said.",
            Some(12),
            None,
        ),
        (
            "SIX PEOPLE WERE KILLED WHEN TERRORISTS ATTACKED THE TOWN.",
            Some(6),
            None,
        ),
        (
            "At least 1,200 people were killed in the massacre.",
            Some(1200),
            None,
        ),
        (
            "Gunmen killed 12 hours after the truce, police said.",
            None,
            None,
        ),
    ];
    for &(text, killed, injured) in cases {
        let e = one(text);
        assert_eq!((e.killed, e.injured), (killed, injured), "{text}");
    }
    let e = one("Dozens were killed in the air strike on the village.");
    assert_eq!(e.killed, None);
    assert_eq!(e.killed_text.as_deref(), Some("Dozens"));
    assert_eq!(e.kind, "air_drone_strike");
}

#[test]
fn victims_perpetrators_weapons_targets() {
    let e = one("Unidentified gunmen attacked a church with grenades and rifles, killing three Chinese workers.");
    assert_eq!(e.kind, "attack");
    let v = &e.victims[0];
    assert_eq!(
        (v.text.as_str(), v.count, v.nationality.clone()),
        (
            "Chinese workers",
            Some(Some(3)),
            Some(Some("CN".to_string()))
        )
    );
    assert_eq!(e.perpetrators[0].text, "Unidentified gunmen");
    assert_eq!(e.targets[0].text, "a church");
    let weapons: Vec<&str> = e.weapons.iter().map(|w| w.text.as_str()).collect();
    assert_eq!(weapons, ["grenades", "rifles"]);
}

#[test]
fn sentences_about_one_event_merge_and_distinct_events_do_not() {
    let s = story(
        "Four gunmen were killed in a skirmish with border guards overnight. \
         The guards spotted them near a village. \
         The men were killed in the ensuing skirmish. \
         The incident comes weeks after a drone attack that killed three workers. \
         The attack was carried out with a drone equipped with grenades.",
    );
    let kinds: Vec<&str> = s.incidents.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["armed_clash", "air_drone_strike"],
        "{:#?}",
        s.incidents
    );
    assert_eq!(s.incidents[0].evidence.len(), 3);
    assert_eq!(s.incidents[0].killed, Some(4));
    assert_eq!(s.incidents[1].killed, Some(3));
    assert_eq!(s.incidents[1].evidence.len(), 2);
}

#[test]
fn background_threats_and_denials_are_not_incidents() {
    for text in [
        "Relations soured after the Taliban's takeover of Afghanistan in 2021.",
        "Markets reopened in the border area in 2023.",
        "The group threatened to attack the capital.",
        "A delegation visited Kabul in November.",
        "Officials could not rule out that militants might attack again.",
        "The army said the guerrillas will attack military positions in the capital.",
        "Rebels were ordered to attack the garrison and to kidnap its officers.",
        "THE REPORT OF A BOMBARDMENT IS FALSE.",
    ] {
        let s = story(text);
        assert!(s.incidents.is_empty(), "{text}: {:#?}", s.incidents);
    }
}

#[test]
fn location_and_country() {
    let e =
        one("Four gunmen who crossed from Afghanistan into Tajikistan were killed in a skirmish.");
    let l = e.location.expect("a location");
    assert_eq!(l.text, "into Tajikistan");
    assert_eq!(l.country_code.as_deref(), Some("TJ"));
}

#[test]
fn dates_resolve_against_the_dateline_or_reference() {
    let e = one("MOSCOW, Dec 5 (Reuters) - Rebels shelled the town on Sunday, killing two.");
    // 2024-12-05 (with --date 2024-...) is a Thursday: the Sunday before is 1 December.
    let _ = e;
    let p = Pipeline::with_gazetteers(
        None,
        Options {
            reference_date: Some("2024-06-01".into()),
        },
    )
    .unwrap();
    let s = p.extract(
        "t",
        "MOSCOW, Dec 5 (Reuters) - Rebels shelled the town on Sunday, killing two.",
    );
    let d = s.incidents[0].date.as_ref().unwrap();
    assert_eq!(
        (d.text.as_str(), d.value.as_deref()),
        ("Sunday", Some("2024-12-01"))
    );
    let s = p.extract(
        "t",
        "Lima, 20 Aug 88 (EFE) -- Terrorists kidnapped a mayor yesterday.",
    );
    let d = s.incidents[0].date.as_ref().unwrap();
    assert_eq!(
        (d.text.as_str(), d.value.as_deref()),
        ("yesterday", Some("1988-08-19"))
    );
    let s = p.extract("t", "The bombing in late November killed five people.");
    let d = s.incidents[0].date.as_ref().unwrap();
    assert_eq!(
        (d.text.as_str(), d.value.as_deref()),
        ("late November", Some("2023-11"))
    );
    let s = p.extract(
        "t",
        "The massacre took place on 19 June 1986 in the prison.",
    );
    let d = s.incidents[0].date.as_ref().unwrap();
    assert_eq!(d.value.as_deref(), Some("1986-06-19"));
}

#[test]
fn reported_by_the_organization_that_said_it() {
    let s = story("The Electoral Review Committee said four gunmen were killed in a clash.");
    let e = &s.incidents[0];
    assert_eq!(e.reported_by.len(), 1);
    assert_eq!(s.organizations[0].name, "Electoral Review Committee");
}

#[test]
fn a_story_with_no_incident_has_an_empty_list() {
    let s = story("The central bank left interest rates unchanged on Thursday.");
    assert!(s.incidents.is_empty());
    let json = serde_json::to_value(&s).unwrap();
    assert_eq!(json["incidents"], serde_json::json!([]));
}

#[test]
fn named_victims_of_a_killing_are_counted() {
    let cases: &[(&str, u32)] = &[
        // Passive over "shot and": the person named before.
        (
            "SAN SALVADOR, 19 MAR 89 (ACAN-EFE) -- [TEXT] SALVADORAN REPORTER MAURICIO PINEDA, \
             A SOUND TECHNICIAN, WAS SHOT AND KILLED TODAY IN MORAZAN DEPARTMENT.",
            1,
        ),
        // Active, in capitals, a name known only by its given name.
        (
            "HUANCAYO, 30 JUN 89 (EFE) -- ALLEGED TERRORISTS TODAY KILLED DOLORES HINOSTROZA, \
             THE MAYOR OF MULQUI DISTRICT.",
            1,
        ),
        // A count after "the murder of".
        (
            "Police are investigating the murder of two young American citizens near the border.",
            2,
        ),
        // Two people named as the victims of one killing.
        (
            "Gunmen murdered Hector Oqueli and Gilda Flores near the airport.",
            2,
        ),
    ];
    for (text, killed) in cases {
        let s = story(text);
        assert!(
            s.incidents.iter().any(|i| i.killed == Some(*killed)),
            "{text}: {:#?}",
            s.incidents
        );
    }
}

#[test]
fn plural_event_nouns_alone_are_background() {
    // "the wave of assassinations" with nothing specific is no incident.
    let s =
        story("Officials discussed the wave of assassinations and kidnappings in recent years.");
    assert!(s.incidents.is_empty(), "{:#?}", s.incidents);
    let s = story("The violence worried the government.");
    assert!(s.incidents.is_empty(), "{:#?}", s.incidents);
}

#[test]
fn targets_are_what_the_violence_acted_on() {
    // The neighborhood says where; the bus is what was bombed.
    let e = one("Rebels bombed a public bus in the San Borja neighborhood on Monday.");
    let t: Vec<&str> = e.targets.iter().map(|t| t.text.as_str()).collect();
    assert_eq!(t, ["a public bus"]);
    // A passive subject, and where a bomb went off.
    let e = one("The Las Canas bridge was destroyed by a powerful bomb.");
    assert_eq!(e.targets[0].text, "The Las Canas bridge");
    let e = one("A TRUCK BOMB EXPLODED INSIDE A GAS STATION IN BOGOTA, KILLING FOUR PEOPLE.");
    let t: Vec<&str> = e.targets.iter().map(|t| t.text.as_str()).collect();
    assert_eq!(t, ["A GAS STATION"]);
    // Victim nouns that are not acted on are no victims.
    let e = one("Gunmen killed two peasants while residents watched from the square.");
    let v: Vec<&str> = e.victims.iter().map(|v| v.text.as_str()).collect();
    assert_eq!(v, ["peasants"]);
}

#[test]
fn victims_text_without_their_number() {
    let e = one("Soldiers killed six Jesuit priests and two other people at the university.");
    let v: Vec<(&str, Option<Option<u32>>)> = e
        .victims
        .iter()
        .map(|v| (v.text.as_str(), v.count))
        .collect();
    assert_eq!(
        v,
        [("Jesuit priests", Some(Some(6))), ("people", Some(Some(2)))]
    );
    // The phrase ends with its person noun, not at the next word.
    let e = one("Gunmen killed six Jesuits yesterday in the capital.");
    assert_eq!(e.victims[0].text, "Jesuits");
}

#[test]
fn person_noun_as_modifier_is_no_actor() {
    // "rebel" in "rebel attack" names no perpetrator; "guerrilla units" does.
    let e = one("The army repelled a rebel attack on the garrison, killing four soldiers.");
    assert!(
        e.perpetrators.iter().all(|p| p.text != "rebel"),
        "{:?}",
        e.perpetrators
    );
    let e = one("Guerrilla units attacked a military post with mortars.");
    assert_eq!(e.perpetrators[0].text, "Guerrilla units");
}

#[test]
fn not_incidents_riots_and_accidents() {
    // Weapons bought or seized are no attack.
    let s = story("In 1988 mortars, shells and rifles were purchased abroad.");
    assert!(s.incidents.is_empty(), "{:#?}", s.incidents);
    // Negated and deterred events are none.
    let s = story("The rebels did not attack the town. Troops were sent to deter attacks.");
    assert!(s.incidents.is_empty(), "{:#?}", s.incidents);
    // Demonstrators clashing with police: a riot.
    let e = one("Demonstrators clashed with police in the main square.");
    assert_eq!(
        (e.kind.as_str(), e.acled_event_type.as_deref()),
        ("riot", Some("Riots"))
    );
    // Deaths in a crash are the accident's.
    let e = one("Four soldiers were killed when their helicopter crashed.");
    assert_eq!(e.kind, "accident");
}

#[test]
fn weapons_with_calibre_and_compound_names_targets_with_owner() {
    let e = one("Rebels attacked the residence of the assembly president with 60 mm mortars and RPG-18 rocket launchers.");
    let weapons: Vec<&str> = e.weapons.iter().map(|w| w.text.as_str()).collect();
    assert_eq!(weapons, ["60 mm mortars", "RPG-18 rocket launchers"]);
    assert_eq!(e.targets[0].text, "the residence of the assembly president");
}

#[test]
fn hard_wrapped_copy_keeps_phrases_across_line_breaks() {
    // Old wire copy wrapped at a fixed width: a line break is a space.
    let s = story(
        "SAN SALVADOR, 12 NOV 89 (RADIO VENCEREMOS) -- [TEXT] LAST NIGHT THE\n\
         REBELS OF THE FMLN ATTACKED THE RESIDENCE OF THE LEGISLATIVE ASSEMBLY\n\
         PRESIDENT IN THE CENTER OF THE CAPITAL WITH RIFLES AND MORTARS OF 60\n\
         MM CALIBER, THE ARMED FORCES PRESS COMMITTEE REPORTED THIS MORNING IN\n\
         A COMMUNIQUE THAT WAS READ ON THE NATIONAL RADIO NETWORK AT NOON.\n",
    );
    let e = &s.incidents[0];
    assert_eq!(
        e.targets[0].text,
        "THE RESIDENCE OF THE LEGISLATIVE ASSEMBLY\nPRESIDENT"
    );
}

#[test]
fn location_beside_a_border_is_on_the_other_side() {
    let e = one(
        "Three smugglers who crossed from Iran into Iraq were killed in a clash \
         near a village close to the border with Iran's Kermanshah province.",
    );
    let loc = e.location.expect("a location");
    assert_eq!(
        loc.text,
        "near a village close to the border with Iran's Kermanshah province"
    );
    assert_eq!(loc.country_code.as_deref(), Some("IQ"));
    // A town named in the phrase says more than a country.
    let e = one("Gunmen attacked a checkpoint in Iraq, near the town of Tikrit.");
    assert_eq!(
        e.location.expect("a location").text,
        "near the town of Tikrit"
    );
}

#[test]
fn story_cut_off_after_at_least() {
    // Truncated copy ends mid-count: the incident stands, uncounted.
    for text in [
        "Rebels attacked a police post. They killed at least",
        "BOGOTA, Colombia (AP) -- Rebels attacked a police station on Monday and killed at least",
    ] {
        let s = story(text);
        assert!(!s.incidents.is_empty(), "{text}: no incident");
        assert!(
            s.incidents.iter().all(|i| i.killed.is_none()),
            "{text}: {:#?}",
            s.incidents
        );
    }
}
