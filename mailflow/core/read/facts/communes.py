"""The communes of Nouvelle-Aquitaine: by postcode, and by their names written in French prose."""

from __future__ import annotations

import csv
import functools
import gzip
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

#: The table written by scripts/build_communes.py from INSEE's and La Poste's open data.
TABLE = Path(__file__).with_name("communes.csv.gz")


@dataclass(frozen=True, slots=True)
class Commune:
    """A current commune of Nouvelle-Aquitaine."""

    insee: str  # INSEE code, "24520"
    name: str  # as INSEE writes it, article included: "La Souterraine"
    department: str  # "24"
    population: int | None  # municipal population
    postcodes: tuple[str, ...]
    epci: str  # the intercommunality's name
    epci_kind: str  # CC, CA, CU or METRO


class _Rule(Enum):
    """When a name found in a text is taken for the commune (see find_communes)."""

    PLAIN = "any case"
    CAPITAL = "capitalised"
    WORD = "capitalised, not by the start of a sentence"


# Names found in the region's table that are also French words (checked against a French word list),
# first names or other places. Keys are names without case, accents or punctuation.

#: Never taken: first names and surnames, departments, regions, rivers that name territories ("Office de
#: Tourisme Isle Auvézère", "Vienne et Gartempe"), and names of larger places elsewhere.
_NEVER = frozenset({
    "anais", "aubin", "avon", "azur", "baron", "beaumont", "cernay", "champagne", "clermont", "correze",
    "francois", "gartempe", "guerin", "isle", "julienne", "la chapelle", "la reunion", "la vallee", "landes",
    "lavaur", "le puy", "leon", "mont", "nicole", "saint priest", "saint raphael", "salon", "valence",
    "vernon", "yves",
})

#: Town names that are common nouns in lowercase ("un bordeaux", "du cognac"): capitalised only.
_CAPITAL = frozenset({
    "aiguillon", "aillas", "anglet", "ares", "argentat", "bordeaux", "boucau", "captieux", "carcans",
    "charron", "chiche", "cirieres", "cognac", "duras", "epannes", "fleure", "garat", "gueret", "labrit",
    "le dorat", "limoges", "magne", "marennes", "medis", "perigueux", "pionnat", "porcheres", "roquefort",
    "rouille", "sabres", "saintes", "sauternes", "talais", "taponnat", "terce", "tesson", "tresses", "tulle",
    "verines",
})

#: Ordinary words and phrases, French or English ("Hours", "Goès"): capitalised, and not by the start
#: of a sentence.
_WORD = frozenset({
    "aigre", "allons", "alloue", "amure", "anche", "angoisse", "arroses", "ars", "auge", "baignes", "ballon",
    "bar", "bars", "basses", "bats", "bayas", "bias", "bielle", "blond", "bois", "bon encontre", "bonnes",
    "bordes", "bords", "bougon", "bouillon", "bourg", "bran", "brettes", "brie", "brousse", "cagnotte",
    "cales", "cambes", "came", "campagne", "cardan", "cars", "carves", "celles", "charme", "chatain",
    "chatres", "chives", "cieux", "clam", "clave", "clavette", "cloue", "colombier", "colombiers", "contre",
    "courant", "cours", "couture", "coutures", "deviat", "doux", "dumes", "eaux bonnes", "ecuras", "ecurat",
    "epargnes", "escot", "esse", "estivaux", "fargues", "fieux", "fleurat", "folles", "forges", "fors",
    "fours", "francs", "fromental", "goes", "gousse", "gouts", "grives", "guiche", "houlette", "hours",
    "hure", "irais", "jasses", "la barde", "la brousse", "la chaussee", "la clisse", "la coquille",
    "la couarde", "la couronne", "la creche", "la croix blanche", "la devise", "la douze", "la flotte",
    "la force", "la jard", "la porcherie", "la riviere", "la ronde", "la sauniere", "la sauve", "la tache",
    "la vergne", "lasse", "le bouchage", "le buis", "le buisson", "le compas", "le fieu", "le grand bourg",
    "le passage", "le pin", "le sen", "le temple", "le tourne", "le vert", "lee", "les cars", "les forges",
    "les fosses", "les gonds", "les leches", "les mars", "les metairies", "les ormes", "les peintures",
    "les pins", "ligne", "louer", "loupes", "lue", "luxe", "lys", "maillas", "maille", "maire", "marions",
    "marnes", "martres", "maure", "messe", "migre", "montagne", "mortiers", "moulin neuf", "moulinet",
    "mouton", "naves", "nay", "omet", "orin", "pageas", "paille", "paillet", "palisse", "pas de jeu", "penne",
    "plaisance", "pouille", "rancon", "razes", "rimons", "rions", "rives", "rivieres", "roches", "romans",
    "ruelle", "sablons", "salies", "salles", "sames", "saurais", "scille", "sers", "sorbets", "sore", "sos",
    "soudan", "soudat", "surin", "sus", "taillant", "taller", "tardes", "troche", "trois fonds",
    "trois villes", "varaignes", "ventouse", "vergne", "verrieres", "verrue", "vert", "vignes",
})

#: Short names people use that the data does not give (see scripts/build_communes.py for those it
#: gives: "Sarlat", "Terrasson", "La Teste", former communes such as "Brantôme"). One that is also a
#: commune's name names both.
_SHORT_NAMES: Mapping[str, str] = {
    "Aubeterre": "16020",  # Aubeterre-sur-Dronne
    "Bétharram": "64339",  # Lestelle-Bétharram
    "Cap-Ferret": "33236",  # Lège-Cap-Ferret
    "Collonges": "19057",  # Collonges-la-Rouge
    "Hossegor": "40304",  # Soorts-Hossegor
    "Les Eyzies-de-Tayac": "24172",  # Les Eyzies, renamed in 2019
    "Montalivet": "33540",  # Vendays-Montalivet
    "Montignac": "24291",  # Montignac-Lascaux, besides the smaller Montignac of Gironde
    "Pyla": "33529",  # La Teste-de-Buch
    "Vieux-Boucau": "40328",  # Vieux-Boucau-les-Bains
}

_ARTICLES = frozenset({"le", "la", "les", "l"})
#: The contractions that stand for the article of "Le ..." and "Les ..." names: "au Bugue", "des Eyzies".
_CONTRACTIONS = {"le": frozenset({"du", "au"}), "les": frozenset({"des", "aux"})}
_ABBREVIATIONS = {"st": "saint", "ste": "sainte"}
_LINKS = frozenset({"de", "d", "du", "des", "la", "le", "les", "l", "et", "en", "sur", "sous", "aux", "au",
                    "a"})

_TOKEN = re.compile(r"[^\W_]+")
#: E-mail addresses and web addresses: not prose ("ot-sarlat.fr").
_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|(?:https?://|www\.)\S+"
                      r"|(?:[\w-]+\.)+(?:fr|com|org|net|eu|info)\b(?:/\S*)?", re.IGNORECASE)
#: What may stand between two words of one name: spaces, hyphens, apostrophes, one line break.
_GAP = re.compile(r"[ \t\u00a0\u202f'’ʼ‘`´\-‐‑–]{0,3}(?:\r?\n)?[ \t\u00a0\u202f]{0,3}")
#: What may stand between a sentence's end and its first word.
_OPENERS = frozenset(" \t\u00a0\u202f\"'«»“”‘’([*•·-–—>")
_SENTENCE_END = frozenset(".!?…\n\r")


def _fold_table() -> dict[int, str]:
    """Lowercase, accents off, one character for one: a text and its folded copy share offsets."""
    table: dict[int, str] = {}
    for code in range(0x250):
        char = chr(code)
        plain = "".join(c for c in unicodedata.normalize("NFD", char.lower()) if not unicodedata.combining(c))
        if len(plain) == 1 and plain != char:
            table[code] = plain
    return table


_FOLD = _fold_table()


def _words(name: str) -> tuple[str, ...]:
    return tuple(_TOKEN.findall(name.translate(_FOLD)))


@dataclass(frozen=True, slots=True)
class _Entry:
    """One name to look for: its words, the communes it names and when it is taken."""

    words: tuple[str, ...]
    communes: tuple[Commune, ...]
    rule: _Rule
    lead: int  # the first word after the article: the one whose capital counts
    after: frozenset[str] = frozenset()  # the word that must come before ("du" for "Bugue"), if any


@dataclass(slots=True)
class _Node:
    """A word trie: the names that end here, and the words that may follow."""

    entries: list[_Entry]
    next: dict[str, _Node]


@dataclass(frozen=True, slots=True)
class _Table:
    communes: tuple[Commune, ...]
    by_insee: Mapping[str, Commune]
    by_postcode: Mapping[str, tuple[Commune, ...]]
    short_names: Mapping[str, tuple[Commune, ...]]
    names: _Node  # every name to look for, word by word


def _largest_first(communes: list[Commune]) -> tuple[Commune, ...]:
    return tuple(sorted(communes, key=lambda c: (-(c.population or 0), c.insee)))


def _rule(key: str) -> _Rule | None:
    if key in _NEVER:
        return None
    if key in _CAPITAL:
        return _Rule.CAPITAL
    return _Rule.WORD if key in _WORD else _Rule.PLAIN


def _trie(names: Mapping[tuple[str, ...], list[Commune]]) -> _Node:
    root = _Node([], {})

    def add(entry: _Entry) -> None:
        for words in {entry.words, tuple(w.replace("œ", "oe").replace("æ", "ae") for w in entry.words)}:
            node = root  # "Voeuil" as well as "Vœuil" for Vœuil-et-Giget
            for word in words:
                node = node.next.setdefault(word, _Node([], {}))
            node.entries.append(entry)

    for words, communes in names.items():
        rule = _rule(" ".join(words))
        if rule is None:
            continue
        lead = 1 if words[0] in _ARTICLES and len(words) > 1 else 0
        add(_Entry(words, _largest_first(communes), rule, lead))
        if lead and words[0] in _CONTRACTIONS:  # "au Bugue" for Le Bugue
            add(_Entry(words[1:], _largest_first(communes), rule, 0, _CONTRACTIONS[words[0]]))
    return root


@functools.cache
def _table() -> _Table:
    communes: list[Commune] = []
    aliases: dict[str, list[str]] = {}
    with gzip.open(TABLE, "rt", encoding="utf-8", newline="") as stream:
        rows = csv.reader(stream, delimiter=";")
        next(rows)
        for insee, name, department, population, postcodes, epci, kind, also in rows:
            communes.append(Commune(insee, name, department, int(population) if population else None,
                                    tuple(postcodes.split()), epci, kind))
            for alias in filter(None, also.split("|")):
                aliases.setdefault(alias, []).append(insee)
    by_insee = {c.insee: c for c in communes}
    for alias, insee in _SHORT_NAMES.items():
        aliases.setdefault(alias, []).append(insee)
    by_postcode: dict[str, list[Commune]] = {}
    names: dict[tuple[str, ...], list[Commune]] = {}
    for commune in communes:
        names.setdefault(_words(commune.name), []).append(commune)
        for postcode in commune.postcodes:
            by_postcode.setdefault(postcode, []).append(commune)
    short_names: dict[str, tuple[Commune, ...]] = {}
    for alias, codes in aliases.items():
        short_names[alias] = _largest_first([by_insee[code] for code in codes])
        named = names.setdefault(_words(alias), [])
        named.extend(c for c in short_names[alias] if c not in named)
    return _Table(tuple(communes), by_insee, {p: _largest_first(cs) for p, cs in by_postcode.items()},
                  short_names, _trie(names))


def all_communes() -> tuple[Commune, ...]:
    """Every commune of the table, by INSEE code."""
    return _table().communes


def by_insee(code: str) -> Commune | None:
    """The commune of this INSEE code ("24520"), if it is one of the region's."""
    return _table().by_insee.get(code.strip())


def by_postcode(code: str) -> tuple[Commune, ...]:
    """The communes a five-digit postcode serves (several may share one), largest first."""
    return _table().by_postcode.get(code.strip(), ())


def short_names() -> Mapping[str, tuple[Commune, ...]]:
    """The other names communes are known by: short names ("Sarlat" for Sarlat-la-Canéda) and former
    communes now part of one ("Brantôme" for Brantôme en Périgord)."""
    return _table().short_names


def _sentence_start(text: str, at: int) -> bool:
    """Whether the word at `at` begins the text, a line or a sentence (quotes, brackets, bullets aside)."""
    i = at - 1
    while i >= 0 and text[i] in _OPENERS:
        i -= 1
    return i < 0 or text[i] in _SENTENCE_END


def _taken(entry: _Entry, text: str, spans: list[tuple[int, int]], words: list[str], i: int,
           joined: list[bool]) -> bool:
    """Whether the words from `i` that spell `entry` name the commune here (see find_communes)."""
    before = words[i - 1] if i and joined[i - 1] else ""
    if entry.after and before not in entry.after:
        return False
    if not entry.after and not entry.lead and before in _ARTICLES:  # "l'Isle" is the river, not Isle
        return False
    if before and text[spans[i - 1][1]:spans[i][0]] in ("-", "\u2011"):  # "Vieux-Boucau" is not Boucau
        return False
    if entry.rule is _Rule.PLAIN:
        return True
    start, end = spans[i + entry.lead]
    if not text[start].isupper():
        return False
    if entry.rule is _Rule.CAPITAL:
        return True
    if end - start > 1 and text[start:end].isupper():  # "SALLES" in capitals says nothing
        return False
    if entry.lead == 0 and _sentence_start(text, start):  # another capital must tell it is a name
        return any(text[spans[k][0]].isupper() and words[k] not in _LINKS
                   for k in range(i + 1, i + len(entry.words)))
    return True


def find_communes(text: str) -> list[tuple[int, int, Commune]]:
    """Every commune named in a French text, with the span of its name in `text`, in text order.

    Names match without case or accents, hyphens, spaces and apostrophes being alike ("Sarlat la Caneda",
    "sarlat-la-canéda"); "St"/"Ste" stand for "Saint"/"Sainte"; "du"/"au" and "des"/"aux" for the article
    of "Le"/"Les" names ("OT du Bugue"); short names count ("Sarlat"). The longest name wins and spans
    never overlap; a name shared by several communes gives one tuple per commune, with the same span,
    largest first. Names in e-mail and web addresses are skipped. A name without article right after
    "le", "la", "les" or "l'" is not taken ("l'Isle", "la Montagne": a river, a region).

    Against ordinary French, names that are also words must be capitalised: town names that are
    common nouns in lowercase (_CAPITAL: "Bordeaux", "Cognac", "Tulle"), and ordinary words (_WORD:
    "Bonnes", "Salles", "La Couronne", "Pas-de-Jeu"), which moreover are not taken when the capital may
    only be the start of a sentence or line, unless another word of the name is capitalised too
    ("Celles-sur-Belle"), nor written all in capitals. First names, regions, rivers and names of larger
    places elsewhere are never taken (_NEVER: "Yves", "Landes", "Isle", "Valence"): look them up by
    postcode.
    """
    table = _table()
    folded = text.translate(_FOLD)
    for address in _ADDRESS.finditer(folded):
        folded = folded[:address.start()] + "#" * (address.end() - address.start()) + folded[address.end():]
    spans: list[tuple[int, int]] = []
    words: list[str] = []
    for match in _TOKEN.finditer(folded):
        spans.append(match.span())
        words.append(match.group())
    count = len(words)
    joined = [False] * count  # whether word k and word k + 1 may belong to one name
    for k in range(count - 1):
        gap_start = spans[k][1]
        if words[k] in _ABBREVIATIONS and folded.startswith(".", gap_start):  # "St. Jean"
            gap_start += 1
        gap = _GAP.fullmatch(folded, gap_start, spans[k + 1][0])
        joined[k] = gap is not None and (gap.end() > gap.start() or gap_start > spans[k][1])
    for k in range(count):
        if words[k] in _ABBREVIATIONS and k + 1 < count and joined[k]:
            words[k] = _ABBREVIATIONS[words[k]]
    found: list[tuple[int, int, Commune]] = []
    i = 0
    while i < count:
        node = table.names.next.get(words[i])
        ends: list[tuple[int, list[_Entry]]] = []  # the names that start here, by their word count
        size = 1
        while node is not None:
            if node.entries:
                ends.append((size, node.entries))
            if i + size >= count or not joined[i + size - 1]:
                break
            node = node.next.get(words[i + size])
            size += 1
        taken = next(((size, entry) for size, entries in reversed(ends) for entry in entries
                      if _taken(entry, text, spans, words, i, joined)), None)
        if taken is None:
            i += 1
            continue
        size, entry = taken
        found.extend((spans[i][0], spans[i + size - 1][1], commune) for commune in entry.communes)
        i += size
    return found
