"""The communes of Nouvelle-Aquitaine: the table, postcodes, and names found in French prose."""

from __future__ import annotations

import itertools

import pytest

from mailflow.core.read.facts import communes as places
from mailflow.core.read.facts.communes import by_insee, by_postcode, find_communes

REGION = {"16", "17", "19", "23", "24", "33", "40", "47", "64", "79", "86", "87"}


def names(text: str) -> list[tuple[str, str, str]]:
    """What find_communes found: the words as written, the commune's name, its department."""
    return [(text[start:end], c.name, c.department) for start, end, c in find_communes(text)]


def test_every_row_is_a_commune_of_the_region() -> None:
    communes = places.all_communes()
    assert len(communes) > 4000
    assert {c.department for c in communes} == REGION
    for c in communes:
        assert c.insee.startswith(c.department) and len(c.insee) == 5
        assert c.postcodes and all(len(p) == 5 and p.isdigit() for p in c.postcodes)
        assert c.epci and c.epci_kind in {"CC", "CA", "CU", "METRO"}


@pytest.mark.parametrize(("insee", "name", "low", "high"), [
    ("87085", "Limoges", 120_000, 150_000),
    ("33063", "Bordeaux", 240_000, 280_000),
    ("24520", "Sarlat-la-Canéda", 8_000, 11_000),
    ("19275", "Ussel", 9_000, 11_000),
])
def test_populations_of_known_towns(insee: str, name: str, low: int, high: int) -> None:
    commune = by_insee(insee)
    assert commune is not None and commune.name == name
    assert commune.population is not None and low < commune.population < high


def test_epci() -> None:
    bordeaux = by_insee("33063")
    assert bordeaux is not None and (bordeaux.epci, bordeaux.epci_kind) == ("Bordeaux Métropole", "METRO")


@pytest.mark.parametrize(("postcode", "name", "department"), [
    ("24200", "Sarlat-la-Canéda", "24"),
    ("23300", "La Souterraine", "23"),
    ("64500", "Saint-Jean-de-Luz", "64"),
    ("19200", "Ussel", "19"),
    ("17500", "Jonzac", "17"),
    ("87000", "Limoges", "87"),
])
def test_by_postcode(postcode: str, name: str, department: str) -> None:
    found = by_postcode(postcode)
    assert (found[0].name, found[0].department) == (name, department)  # the largest first
    assert all(postcode in c.postcodes for c in found)


def test_a_postcode_shared_by_several_communes() -> None:
    assert {"Saint-Jean-de-Luz", "Ciboure"} <= {c.name for c in by_postcode("64500")}


@pytest.mark.parametrize("postcode", ["75001", "00000", "2420", ""])
def test_by_postcode_elsewhere(postcode: str) -> None:
    assert by_postcode(postcode) == ()


@pytest.mark.parametrize(("text", "written", "name", "department"), [
    ("OT Sarlat Périgord Noir", "Sarlat", "Sarlat-la-Canéda", "24"),
    ("Je dirige l'office à La Souterraine depuis 2019.", "La Souterraine", "La Souterraine", "23"),
    ("Ussel (9700 hab env.)", "Ussel", "Ussel", "19"),
    ("l'OT de Terrasson-Lavilledieu", "Terrasson-Lavilledieu", "Terrasson-Lavilledieu", "24"),
    ("l'OT de Terrasson", "Terrasson", "Terrasson-Lavilledieu", "24"),
    ("Nous sommes à Saint-Émilion.", "Saint-Émilion", "Saint-Émilion", "33"),
    ("Office de tourisme de Bellac", "Bellac", "Bellac", "87"),
    ("Bureau de Parthenay", "Parthenay", "Parthenay", "79"),
    ("antenne de Civray (86)", "Civray", "Civray", "86"),
    ("à Jonzac, en Haute-Saintonge", "Jonzac", "Jonzac", "17"),
    ("OT de Bourganeuf", "Bourganeuf", "Bourganeuf", "23"),
    ("Cœur de Béarn, à Orthez", "Orthez", "Orthez", "64"),
    ("Bazas", "Bazas", "Bazas", "33"),
    ("24200 Sarlat-la-Canéda", "Sarlat-la-Canéda", "Sarlat-la-Canéda", "24"),
    ("à Sarlat la Caneda", "Sarlat la Caneda", "Sarlat-la-Canéda", "24"),
    ("à sarlat-la-canéda", "sarlat-la-canéda", "Sarlat-la-Canéda", "24"),
    ("OT de St-Jean-de-Luz", "St-Jean-de-Luz", "Saint-Jean-de-Luz", "64"),
    ("OT de Saint Jean de Luz", "Saint Jean de Luz", "Saint-Jean-de-Luz", "64"),
    ("OT de St. Jean de Luz", "St. Jean de Luz", "Saint-Jean-de-Luz", "64"),
    ("à Ste-Foy-la-Grande", "Ste-Foy-la-Grande", "Sainte-Foy-la-Grande", "33"),
    ("OT du Bugue", "Bugue", "Le Bugue", "24"),
    ("séjour aux Eyzies", "Eyzies", "Les Eyzies", "24"),
    ("à L’Isle-Jourdain", "L’Isle-Jourdain", "L'Isle-Jourdain", "86"),
    ("à Brantôme", "Brantôme", "Brantôme en Périgord", "24"),
    ("à Hossegor", "Hossegor", "Soorts-Hossegor", "40"),
    ("Bordeaux est loin.", "Bordeaux", "Bordeaux", "33"),
    ("Nous étions à Bonnes hier.", "Bonnes", "Bonnes", "86"),
    ("Celles-sur-Belle accueille le salon.", "Celles-sur-Belle", "Celles-sur-Belle", "79"),
])
def test_names_in_prose(text: str, written: str, name: str, department: str) -> None:
    assert names(text)[0] == (written, name, department)


@pytest.mark.parametrize(("text", "found"), [
    ("Je vous remercie pour votre bonne journée", []),
    ("le port de Royan est beau", ["Royan"]),
    ("Marie Dupont", []),
    ("Bonnes fêtes à tous !", []),
    ("Au passage, les salles sont prêtes et la couronne est posée.", []),
    ("Courant mars, nous irons dans les bois. Celles-ci sont belles.", []),
    ("un bon bordeaux et du cognac", []),
    ("SALLES COMBLES", []),
    ("Opening hours: Monday to Friday. The office goes online.", []),
    ("la vallée de l'Isle, la Montagne limousine", []),
    ("Yves Martin, Nicole Bernard et Léon Aubin", []),
    ("écrivez à contact@ot-sarlat.fr ou sur https://www.sarlat-tourisme.com/ussel", []),
    ("voir ot-sarlat.fr et bellac-tourisme.com/agenda", []),
    ("Office de Tourisme Isle Auvézère, Vienne et Gartempe", []),
    ("Brive-la-Gaillarde", ["Brive-la-Gaillarde"]),
    ("de Périgueux à Bordeaux via Libourne", ["Périgueux", "Bordeaux", "Libourne"]),
])
def test_no_spurious_commune(text: str, found: list[str]) -> None:
    assert [name for _, name, _ in names(text)] == found


def test_a_name_shared_by_several_communes() -> None:
    found = find_communes("à Saint-Cyprien")
    assert {(start, end) for start, end, _ in found} == {(2, 15)}
    assert {c.department for _, _, c in found} == {"19", "24"}
    assert found[0][2].population is not None and found[-1][2].population is not None
    assert found[0][2].population >= found[-1][2].population


def test_spans_never_overlap() -> None:
    text = "Saint-Jean-de-Luz, Sarlat-la-Canéda, Brive-la-Gaillarde et Mont-de-Marsan"
    spans = sorted({(start, end) for start, end, _ in find_communes(text)})
    assert len(spans) == 4
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in itertools.pairwise(spans))


def test_short_names() -> None:
    short = places.short_names()
    assert [c.name for c in short["Sarlat"]] == ["Sarlat-la-Canéda"]
    assert [c.name for c in short["Terrasson"]] == ["Terrasson-Lavilledieu"]
    assert [c.name for c in short["Brantôme"]] == ["Brantôme en Périgord"]


def test_the_word_lists_name_communes() -> None:
    table = places._table()
    known = {" ".join(places._words(c.name)) for c in table.communes}
    known |= {" ".join(places._words(alias)) for alias in table.short_names}
    for listed in (places._NEVER, places._CAPITAL, places._WORD):
        assert listed <= known


def test_a_long_letter_is_read_to_its_end() -> None:
    """How fast is measured by scripts/bench.py (about 1 ms for 5,000 characters), not here."""
    paragraph = ("Je suis directrice de l'Office de Tourisme Sarlat Périgord Noir (24) : nous couvrons "
                 "treize communes, dont Saint-Cyprien et Carsac, et la salle du bourg accueille vos "
                 "groupes. ")
    assert names(paragraph)
    assert names(paragraph * 40) == names(paragraph) * 40

