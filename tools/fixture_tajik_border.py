#!/usr/bin/env python3
# Writes fixtures/tajik-border.expected.json (run from the repo root:
#   python3 tools/fixture_tajik_border.py iso3166-2:AF-BDS): the annotation of the founding
# story. Place attributes are looked up in gazetteers/places.tsv by id.
import json, csv, sys
t = open('fixtures/tajik-border.txt', encoding='utf-8').read()
rows = {r['id']: r for r in csv.DictReader(open('gazetteers/places.tsv', encoding='utf-8'), delimiter='\t')}
def m(s, e, form='name'):
    return {"start": s, "end": e, "text": t[s:e], "form": form}
def place(pid, gid, mentions):
    r = rows[gid]
    f = lambda x: float(x) if x else None
    return {"id": pid, "name": r['name'], "kind": r['kind'], "country_code": r['country_code'] or None,
            "admin1": r['admin1'] or None, "lat": f(r['lat']), "lon": f(r['lon']), "source": gid, "mentions": mentions}
badakhshan = sys.argv[1]
afg = [m(s, s + 11) for s in (7, 55, 382, 941, 1280, 1436, 1840, 1932)] + [m(s, s + 6, 'demonym') for s in (681, 1525, 1751)]
places = [
    place("P1", "geonames:1138958", [m(0, 5), m(2152, 2157)]),
    place("P2", "geonames:1149361", afg),
    place("P3", "geonames:1220409", [m(s, s + 10) for s in (84, 151, 1297, 1364, 1812, 1825, 1958)] + [m(303, 308, 'demonym'), m(2126, 2131, 'demonym')]),
    place("P4", badakhshan, [m(396, 415)]),
    place("P5", "geonames:1814991", [m(1326, 1333, 'demonym')]),
]
orgs = [
    {"id": "O1", "name": "National Security Committee", "kind": "security", "country_code": "TJ",
     "mentions": [m(164, 191), m(417, 430, 'nominal'), m(580, 593, 'nominal')]},
    {"id": "O2", "name": "Associated Press", "kind": "media", "country_code": "US",
     "mentions": [m(20, 22, "acronym"), m(884, 904, "alias")]},
    {"id": "O3", "name": "Taliban", "kind": "armed_group", "country_code": "AF",
     "mentions": [m(1025, 1040, 'alias'), m(1149, 1156), m(1910, 1917)]},
    {"id": "O4", "name": "Afghan Foreign Ministry", "kind": "government", "country_code": "AF",
     "mentions": [m(1525, 1548)]},
]
people = [
    {"id": "H1", "name": "Zabihullah Mujahid", "title": "spokesman", "role": "Afghan government spokesman",
     "organization": None, "country_code": "AF", "official": True, "mentions": [m(709, 727), m(871, 878)]},
    {"id": "H2", "name": "Hafiz Zia Ahmad Takal", "title": "deputy spokesman",
     "role": "Afghan Foreign Ministry deputy spokesman", "organization": "O4", "country_code": "AF",
     "official": True, "mentions": [m(1498, 1519)]},
]
def sp(s, e):
    return {"text": t[s:e], "start": s, "end": e}
incidents = [
    {"id": "E1", "type": "armed_clash", "acled_event_type": "Battles", "acled_sub_event_type": "Armed clash",
     "date": {"text": "overnight", "value": None, "start": 184 - 0 - 0 if False else t.index("overnight"), "end": t.index("overnight") + 9},
     "location": {"text": t[t.index("near a village"):415], "places": ["P4"], "country_code": "TJ",
                  "start": t.index("near a village"), "end": 415},
     "killed": 4, "injured": None,
     "perpetrators": [dict(sp(26, 37), organization=None)],
     "victims": [], "targets": [], "weapons": [],
     "reported_by": ["O1"],
     "evidence": [{"start": 0, "end": 204}, {"start": 299, "end": 451}, {"start": 452, "end": 579}]},
    {"id": "E2", "type": "air_drone_strike", "acled_event_type": "Explosions/Remote violence",
     "acled_sub_event_type": "Air/drone strike",
     "date": {"text": "late November", "value": None, "start": t.index("late November"), "end": t.index("late November") + 13},
     "location": {"text": "into Tajikistan", "places": ["P3"], "country_code": "TJ", "start": 1292, "end": 1307},
     "killed": 3, "injured": 1,
     "perpetrators": [],
     "victims": [dict(sp(1320, 1341), count=3, nationality="CN"), dict(sp(1354, 1362), count=1, nationality="CN")],
     "targets": [],
     "weapons": [sp(t.index("drone"), t.index("drone") + 5), sp(t.index("grenades"), t.index("grenades") + 8), sp(t.index("firearms"), t.index("firearms") + 8)],
     "reported_by": [],
     "evidence": [{"start": 1213, "end": 1363}, {"start": 1364, "end": 1497}, {"start": 1498, "end": 1734}]},
]
quotes = []
for (s, e, who) in [(615, 653, "O1"), (760, 870, "H1"), (963, 1129, "H1"), (1632, 1734, "H2"), (1771, 1824, "H2")]:
    quotes.append({"speaker": who, "start": s + 1, "end": e - 1, "text": t[s + 1:e - 1]})
story = {"schema_version": 1, "id": "tajik-border.txt",
         "dateline": {"text": t[0:25], "place": "P1", "agency": "AP", "date": None, "start": 0, "end": 25},
         "places": places, "organizations": orgs, "people": people, "incidents": incidents, "quotes": quotes}
assert t[1320:1341] == "three Chinese workers", t[1318:1339]
assert t[1354:1362] == "a fourth", repr(t[1354:1362])
json.dump(story, open('fixtures/tajik-border.expected.json', 'w', encoding='utf-8'), ensure_ascii=False, indent=1)
print("written")
