//! The output contract (`../shared/CONTRACT.md`) as serde types.
//!
//! [`Story::from_doc`] turns a processed [`Doc`] into the contract's JSON
//! shape: byte spans become character offsets, entity indices become ids
//! (`P1`, `O1`, `H1`, `E1`), and every span carries its text.

use crate::doc::{Argument, CharIndex, Doc, Mention, Span, Speaker};
use serde::Serialize;

/// Version of the output contract.
pub const SCHEMA_VERSION: u32 = 1;

/// One story's output.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Story {
    pub schema_version: u32,
    pub id: String,
    pub dateline: Option<DatelineOut>,
    pub places: Vec<PlaceOut>,
    pub organizations: Vec<OrganizationOut>,
    pub people: Vec<PersonOut>,
    pub incidents: Vec<IncidentOut>,
    pub quotes: Vec<QuoteOut>,
}

/// A story that could not be read.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct ErrorRecord {
    pub id: String,
    pub error: ErrorBody,
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct ErrorBody {
    /// `not_utf8`, `empty`, `binary`, `too_large`, `unreadable`, `not_found`, `bad_json`.
    pub kind: String,
    pub message: String,
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct DatelineOut {
    pub text: String,
    pub place: Option<String>,
    pub agency: Option<String>,
    pub date: Option<String>,
    pub start: usize,
    pub end: usize,
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct MentionOut {
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub form: &'static str,
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct PlaceOut {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub country_code: Option<String>,
    pub admin1: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub source: String,
    pub mentions: Vec<MentionOut>,
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct OrganizationOut {
    pub id: String,
    pub name: String,
    pub canonical: Option<String>,
    pub kind: String,
    pub country_code: Option<String>,
    pub mentions: Vec<MentionOut>,
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct PersonOut {
    pub id: String,
    pub name: String,
    pub canonical: Option<String>,
    pub title: Option<String>,
    pub role: Option<String>,
    pub organization: Option<String>,
    pub country_code: Option<String>,
    pub official: bool,
    pub mentions: Vec<MentionOut>,
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct SpanOut {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct ArgumentOut {
    pub text: String,
    pub start: usize,
    pub end: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<Option<u32>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nationality: Option<Option<String>>,
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct DateOut {
    pub text: String,
    pub value: Option<String>,
    pub start: usize,
    pub end: usize,
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct LocationOut {
    pub text: String,
    pub places: Vec<String>,
    pub country_code: Option<String>,
    pub start: usize,
    pub end: usize,
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct EvidenceOut {
    pub start: usize,
    pub end: usize,
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct IncidentOut {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub acled_event_type: Option<String>,
    pub acled_sub_event_type: Option<String>,
    pub triggers: Vec<SpanOut>,
    pub date: Option<DateOut>,
    pub location: Option<LocationOut>,
    pub killed: Option<u32>,
    pub killed_text: Option<String>,
    pub injured: Option<u32>,
    pub injured_text: Option<String>,
    pub perpetrators: Vec<ArgumentOut>,
    pub victims: Vec<ArgumentOut>,
    pub targets: Vec<ArgumentOut>,
    pub weapons: Vec<ArgumentOut>,
    pub reported_by: Vec<String>,
    pub evidence: Vec<EvidenceOut>,
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct QuoteOut {
    pub speaker: Option<String>,
    pub start: usize,
    pub end: usize,
    pub text: String,
}

struct Conv<'a, 't> {
    doc: &'a Doc<'t>,
    ix: CharIndex,
}

impl Conv<'_, '_> {
    fn span(&self, s: Span) -> SpanOut {
        SpanOut {
            text: self.doc.slice(s).to_string(),
            start: self.ix.char_offset(s.start),
            end: self.ix.char_offset(s.end),
        }
    }
    fn mention(&self, m: &Mention) -> MentionOut {
        let s = self.span(m.span);
        MentionOut {
            start: s.start,
            end: s.end,
            text: s.text,
            form: m.form.as_str(),
        }
    }
    fn mentions(&self, ms: &[Mention]) -> Vec<MentionOut> {
        ms.iter().map(|m| self.mention(m)).collect()
    }
}

fn place_id(i: usize) -> String {
    format!("P{}", i + 1)
}
fn org_id(i: usize) -> String {
    format!("O{}", i + 1)
}
fn person_id(i: usize) -> String {
    format!("H{}", i + 1)
}

impl Story {
    /// The contract view of a processed document.
    pub fn from_doc(doc: &Doc) -> Story {
        let c = Conv {
            doc,
            ix: CharIndex::new(doc.text),
        };
        let dateline = doc.dateline.as_ref().map(|d| {
            let s = c.span(d.span);
            DatelineOut {
                text: s.text,
                place: d.place.map(place_id),
                agency: d.agency.clone(),
                date: d.date.clone(),
                start: s.start,
                end: s.end,
            }
        });
        let places = doc
            .places
            .iter()
            .enumerate()
            .map(|(i, p)| PlaceOut {
                id: place_id(i),
                name: p.name.clone(),
                kind: p.kind.clone(),
                country_code: p.country_code.clone(),
                admin1: p.admin1.clone(),
                lat: p.lat,
                lon: p.lon,
                source: p.source.clone(),
                mentions: c.mentions(&p.mentions),
            })
            .collect();
        let organizations = doc
            .organizations
            .iter()
            .enumerate()
            .map(|(i, o)| OrganizationOut {
                id: org_id(i),
                name: o.name.clone(),
                canonical: o.canonical.clone(),
                kind: o.kind.clone(),
                country_code: o.country_code.clone(),
                mentions: c.mentions(&o.mentions),
            })
            .collect();
        let people = doc
            .people
            .iter()
            .enumerate()
            .map(|(i, p)| PersonOut {
                id: person_id(i),
                name: p.name.clone(),
                canonical: p.canonical.clone(),
                title: p.title.clone(),
                role: p.role.clone(),
                organization: p.organization.map(org_id),
                country_code: p.country_code.clone(),
                official: p.official,
                mentions: c.mentions(&p.mentions),
            })
            .collect();
        let arg = |a: &Argument, with_org: bool, with_victim: bool| {
            let s = c.span(a.span);
            ArgumentOut {
                text: s.text,
                start: s.start,
                end: s.end,
                organization: with_org.then(|| a.organization.map(org_id)),
                count: with_victim.then_some(a.count),
                nationality: with_victim.then(|| a.nationality.clone()),
            }
        };
        let incidents = doc
            .incidents
            .iter()
            .enumerate()
            .map(|(i, e)| IncidentOut {
                id: format!("E{}", i + 1),
                kind: e.kind.clone(),
                acled_event_type: e.acled_event_type.clone(),
                acled_sub_event_type: e.acled_sub_event_type.clone(),
                triggers: e.triggers.iter().map(|&t| c.span(t)).collect(),
                date: e.date.as_ref().map(|d| {
                    let s = c.span(d.span);
                    DateOut {
                        text: s.text,
                        value: d.value.clone(),
                        start: s.start,
                        end: s.end,
                    }
                }),
                location: e.location.as_ref().map(|l| {
                    let s = c.span(l.span);
                    LocationOut {
                        text: s.text,
                        places: l.places.iter().map(|&p| place_id(p)).collect(),
                        country_code: l.country_code.clone(),
                        start: s.start,
                        end: s.end,
                    }
                }),
                killed: e.killed,
                killed_text: e.killed_text.map(|s| doc.slice(s).to_string()),
                injured: e.injured,
                injured_text: e.injured_text.map(|s| doc.slice(s).to_string()),
                perpetrators: e.perpetrators.iter().map(|a| arg(a, true, false)).collect(),
                victims: e.victims.iter().map(|a| arg(a, false, true)).collect(),
                targets: e.targets.iter().map(|a| arg(a, false, false)).collect(),
                weapons: e.weapons.iter().map(|a| arg(a, false, false)).collect(),
                reported_by: e.reported_by.iter().map(|&o| org_id(o)).collect(),
                evidence: e
                    .evidence
                    .iter()
                    .map(|s| EvidenceOut {
                        start: c.ix.char_offset(s.start),
                        end: c.ix.char_offset(s.end),
                    })
                    .collect(),
            })
            .collect();
        let quotes = doc
            .quotes
            .iter()
            .map(|q| {
                let s = c.span(q.span);
                QuoteOut {
                    speaker: q.speaker.map(|sp| match sp {
                        Speaker::Person(i) => person_id(i),
                        Speaker::Organization(i) => org_id(i),
                    }),
                    start: s.start,
                    end: s.end,
                    text: s.text,
                }
            })
            .collect();
        Story {
            schema_version: SCHEMA_VERSION,
            id: doc.id.clone(),
            dateline,
            places,
            organizations,
            people,
            incidents,
            quotes,
        }
    }
}

/// The JSON Schema (draft 2020-12) of one output line: a story or an error record.
pub fn json_schema() -> serde_json::Value {
    serde_json::from_str(SCHEMA).expect("schema is valid JSON")
}

const SCHEMA: &str = include_str!("schema.json");
