"""Where the sender works: the department, from a form line, a department's name or number, a
postcode, a commune or a « pays » named, each clue weighed by how it is said."""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from ....model.values import Department
from ..doc import Doc, line_bounds
from ..text import fold, fold_aligned
from .communes import by_postcode, find_communes


@dataclass(frozen=True)
class Clue:
    """One sign of the sender's department, and how much it counts."""

    department: str
    weight: float
    at: int


# --- Departments named ------------------------------------------------------------------------

# Abbreviations people write, keyed by the folded department name.
_DEPARTMENT_ABBREVIATIONS: Mapping[str, tuple[str, ...]] = {
    "pyrenees-atlantiques": (r"pyr\.? ?-? ?atl\.?", r"pyrenees[- ]atl\.?", r"pyr\.? atlantiques"),
    "charente-maritime": (r"charente[- ]mar\.", r"char\.? ?-? ?mar\.?"),
    "haute-vienne": (r"hte\.?[- ]vienne",),
    "lot-et-garonne": (r"lot ?& ?garonne",),
}
# Department names that are also ordinary words: only taken when capitalized.
_ORDINARY_WORD_NAMES = frozenset({"creuse", "landes", "vienne", "charente"})
_BOUNDED = r"(?<![\w-])(?:{})(?![\w-])"
_CODE_IN_TEXT = re.compile(
    r"\((?P<code>\d{2})\)"
    r"|(?<!\w)(?:dans le|departement(?: du| :)?|dept\.?|dpt\.?)\s*(?P<code2>\d{2})(?!\d)"
)
# A department name right after these words is a river (« Vallée de la Dordogne », « Xaintrie
# Val'Dordogne »): it counts little, the river may cross several departments.
_RIVER_CONTEXT = re.compile(
    r"(?<!\w)(vallee|val|rives?|bords?|berges|gorges|estuaire|sources?|confluence|sur)"
    r"(?: (?:de la |de l'|du |des |de |d')?| ?'| ?-)$"
)

#: Where a place is said not to be, or only to be near: « pas en Dordogne », « on nous situe
#: souvent en Dordogne », « à la limite de la Haute-Vienne », « à 20 minutes de Limoges ».
_NOT_HERE = re.compile(
    r"(?<!\w)(pas|ni|hors|non|jamais|plutot que|au lieu)(?: du tout)?(?: (?:en|dans|a|au|de|du|sur|pres))?"
    r"(?: (?:le|la|les|l'))? ?$"
    r"|(?<!\w)(on nous (situe|croit|place|imagine|confond)\w*|confondu\w*|limite|limitrophe|bordure|frontiere"
    r"|proche|proximite|pres|portes|voisin\w*|cote de|aux confins|entre|minutes|km|kilometres|loin)"
    r"\b[^.;:!?\n,]{0,40}$"
)
#: Someone else's place: « ma collègue de l'office de tourisme de Saint-Junien (87) ».
_SOMEONE_ELSE = re.compile(
    r"(?<!\w)(collegues?|homologues?|voisine?s?|amie?s?|binome|partenaires?|confreres?|consoeurs?)"
    r" (de|d'|du|des|a|au)\b[^.;!?\n]{0,50}$"
)
#: Said of oneself: « nous sommes bien dans le Lot-et-Garonne », « je suis en Creuse ».
_OURSELVES = re.compile(
    r"(?<!\w)(nous sommes|on est|je suis|je travaille|nous travaillons|nous intervenons|situee?s?"
    r"|basee?s?|implantee?s?|installee?s?)( \w+){0,3} (en|dans|au|a)( le| la| les| l')? ?$"
)


def _department_names(departments: Mapping[str, Department]) -> list[tuple[str, re.Pattern[str], bool]]:
    names = []
    for code, department in departments.items():
        folded = fold(department.name)
        spelled = r"[- ]?".join(re.escape(part) for part in re.split(r"[- ]+", folded))
        alternatives = (spelled, *_DEPARTMENT_ABBREVIATIONS.get(folded, ()))
        pattern = re.compile(_BOUNDED.format("|".join(alternatives)))
        names.append((code, pattern, folded in _ORDINARY_WORD_NAMES))
    return names


def named_departments(text: str, folded: str, departments: Mapping[str, Department], *,
                      any_case: bool) -> list[tuple[int, int, str]]:
    """(start, end, code) of department names and explicit codes (« (24) », « dans le 24 »), in
    order; where two overlap, the longest (« Charente-Maritime », not « Charente »)."""
    found: list[tuple[int, int, str]] = []
    for code, pattern, ordinary in _department_names(departments):
        for m in pattern.finditer(folded):
            if any_case or not ordinary or text[m.start()].isupper():
                found.append((m.start(), m.end(), code))
    for m in _CODE_IN_TEXT.finditer(folded):
        code = m["code"] or m["code2"]
        if code in departments:
            found.append((m.start(), m.end(), code))
    found.sort(key=lambda f: (f[0], f[0] - f[1]))
    kept: list[tuple[int, int, str]] = []
    for hit in found:
        if not kept or hit[0] >= kept[-1][1]:
            kept.append(hit)
    return kept


# --- What is said around a place ---------------------------------------------------------------

def _before(doc: Doc, at: int) -> str:
    """The words before `at` in its sentence (at most 80 characters), as the scan has them."""
    line_start, _ = line_bounds(doc.scan, at)
    window = doc.scan[max(line_start, at - 80):at]
    cut = max(window.rfind(". "), window.rfind("; "), window.rfind("! "), window.rfind("? "))
    return window[cut + 2:] if cut >= 0 else window


def _said(doc: Doc, at: int, weight: float) -> float:
    """How much a place named at `at` tells of the sender's own place: less when it is denied,
    only near, or someone else's; more when the sender says they are there."""
    before = _before(doc, at)
    if _NOT_HERE.search(before):
        return 0.0
    if _SOMEONE_ELSE.search(before):
        return weight / 6
    if _OURSELVES.search(before):
        return weight * 2
    return weight


#: Regions named after a department's name that are not that department.
_NOT_THE_DEPARTMENT = re.compile(r"landes de gascogne")


def _department_clues(doc: Doc, departments: Mapping[str, Department]) -> Iterator[Clue]:
    for start, end, code in named_departments(doc.text, doc.scan, departments, any_case=False):
        if _NOT_THE_DEPARTMENT.match(doc.scan, start):
            continue
        river = _RIVER_CONTEXT.search(doc.scan, max(start - 30, 0), start)
        # « (Lot-et-Garonne) » after an office's name says where it is, as « (47) » does.
        enclosed = doc.scan[start - 1:start] == "(" and doc.scan[end:end + 1] == ")"
        yield Clue(code, _said(doc, start, 1.0 if river else 5.0 if enclosed else 3.0), start)


# --- Postcodes ----------------------------------------------------------------------------------

_POSTAL_CODE = re.compile(r"(?<![\w+.,/])(?P<code>\d{2} ?\d{3})(?![\d,.]\d)[ \t]*(?P<next>[^\W\d_][\w'’-]*)?")
_NOT_A_TOWN = frozenset((
    "habitants", "habitant", "hab", "etp", "euros", "eur", "personnes", "visiteurs", "nuitees", "salaries",
    "km", "ans", "communes", "lits", "touristes", "entrees", "pages", "abonnes", "vues", "m", "m2",
))  # fmt: skip
_NOT_AN_ADDRESS_LINE = re.compile(r"siret|siren|tel|fax|portable|mobile|iban|rib|tva|ape|naf|\+33")


def _postcode_clues(doc: Doc) -> Iterator[Clue]:
    """A postcode of the region's, followed by its town (« 24200 Sarlat-la-Canéda », « 33120
    Arcachon Cedex »), on a line that is no phone or company number."""
    for m in _POSTAL_CODE.finditer(doc.scan):
        communes = by_postcode(m["code"].replace(" ", ""))
        if not communes or (m["next"] or "") in _NOT_A_TOWN:
            continue
        line_start, line_end = line_bounds(doc.scan, m.start())
        if _NOT_AN_ADDRESS_LINE.search(doc.scan[line_start:line_end]):
            continue
        town = doc.text[m.start("next"):m.end("next")] if m["next"] else ""
        if town and not town[0].isupper():
            continue
        named = any(fold(town).split("-")[0] in fold(c.name) for c in communes) if town else False
        for department in {c.department for c in communes}:
            yield Clue(department, _said(doc, m.start(), 5.0 if named else 3.5), m.start())


# --- Communes and « pays » ----------------------------------------------------------------------

#: Words that put a commune in the sender's own office: « OT de Mimizan », « bureau de Gençay ».
_OWN_PLACE = re.compile(
    r"(?<!\w)(office|offices|ot|oti|bit|bureaux?|antenne|siege|accueil|maison du tourisme|tourisme"
    r"|mairie|ville|commune|station|village)( de tourisme| d'information( touristique)?)?"
    r"( (communal|municipal|intercommunal|communautaire)e?)?( (de|d'|du|des|a|au|en))? ?$"
)
#: A town that stands for the largest one (« Nontron est notre plus grosse commune »).
_LARGEST_AFTER = re.compile(r"^[^.;\n]{0,25}(plus (grande|grosse|peuplee|importante)|ville[- ]centre"
                            r"|commune principale|principale commune)")


def _commune_weight(doc: Doc, start: int, end: int) -> float:
    before = _before(doc, start)
    if re.search(r"\d{2} ?\d{3}[ \t]*$", before):  # the town of a postcode: counted with it
        return 0.0
    if _OWN_PLACE.search(before) or _LARGEST_AFTER.match(doc.scan[end:end + 60]):
        return _said(doc, start, 4.0)
    line_start, line_end = line_bounds(doc.scan, start)
    if line_end - line_start < 60:  # an address or a signature line
        return _said(doc, start, 3.0)
    return _said(doc, start, 2.0)


#: A department's number right after a commune's name: « Saint-Savin (86) ».
_CODE_AFTER = re.compile(r"\s*\((\d{2})\)")


def _settled(doc: Doc, spans: Mapping[tuple[int, int], list[tuple[str, int]]]) -> dict[str, str]:
    """The department of each name several communes share, where the text gives its number
    right after one mention of it (« Saint-Savin (86) »): every mention of it is that one."""
    settled = {}
    for (start, end), named in spans.items():
        code = _CODE_AFTER.match(doc.scan, end)
        if len(named) > 1 and code and code[1] in {department for department, _ in named}:
            settled[doc.scan[start:end]] = code[1]
    return settled


#: The words joined to a commune's name by a hyphen: « Sarlat-Périgord Noir », « Lascaux-Dordogne ».
_JOINED = re.compile(r"-([^\W\d_][\w'-]*(?: [^\W\d_][\w'-]*)?)")


def _elsewhere(joined: str, department: str, departments: Mapping[str, Department]) -> bool:
    """Whether the words joined to a commune name another department or « pays » than its own."""
    words = joined.replace("-", " ")
    folded = fold_aligned(words)
    named = {_PAYS[p] for p in _PAYS if re.match(rf"{re.escape(p)}\b", folded)}
    named |= {code for _s, _e, code in named_departments(words, folded, departments, any_case=True)}
    return bool(named) and department not in named


def _commune_clues(doc: Doc, people: frozenset[str], departments: Mapping[str, Department]) -> Iterator[Clue]:
    spans: dict[tuple[int, int], list[tuple[str, int]]] = defaultdict(list)
    for start, end, commune in find_communes(doc.text):
        if doc.scan[start:end] in people:  # « Nathalie Brousse » is no commune of the Creuse
            continue
        joined = _JOINED.match(doc.scan, end)
        if joined and _elsewhere(joined[1], commune.department, departments):
            continue  # « Lascaux-Dordogne »: an office's name, not Lascaux of the Corrèze
        spans[start, end].append((commune.department, commune.population or 0))
    settled = _settled(doc, spans)
    for (start, end), named in spans.items():
        if doc.scan[start:end] in settled:
            named = [(d, p) for d, p in named if d == settled[doc.scan[start:end]]]
        weight = _commune_weight(doc, start, end)
        total = sum(population for _, population in named) or 1
        for department, population in named:  # a name several communes share: the largest counts most
            share = population / total if len(named) > 1 else 1.0
            yield Clue(department, weight * share, start)


#: The « pays » people name their territory by, where they lie in one department.
_PAYS: Mapping[str, str] = {
    "perigord": "24", "sarladais": "24", "bergeracois": "24", "nontronnais": "24", "riberacois": "24",
    "bearn": "64", "pays basque": "64", "cote basque": "64", "soule": "64", "vallee d'ossau": "64",
    "vallee d'aspe": "64", "medoc": "33", "entre deux mers": "33", "libournais": "33", "bazadais": "33",
    "blayais": "33", "bassin d'arcachon": "33", "sud gironde": "33", "chalosse": "40", "tursan": "40",
    "marsan": "40", "marensin": "40", "seignanx": "40", "agenais": "47",
    "angoumois": "16", "confolentais": "16", "ruffecois": "16", "cognacais": "16", "aunis": "17",
    "saintonge": "17", "ile de re": "17", "ile d'oleron": "17", "cote de beaute": "17", "gatine": "79",
    "thouarsais": "79", "mellois": "79", "niortais": "79", "bocage bressuirais": "79",
    "loudunais": "86", "civraisien": "86", "chatelleraudais": "86", "montmorillonnais": "86",
    "xaintrie": "19", "haute correze": "19", "combraille": "23",
}  # fmt: skip


@functools.cache
def _pays_pattern() -> re.Pattern[str]:
    names = sorted(_PAYS, key=len, reverse=True)
    return re.compile(r"(?<![\w-])(" + "|".join(re.escape(n).replace(r"\ ", "[- ]") for n in names)
                      + r")(?![\w-])")


def _pays_clues(doc: Doc) -> Iterator[Clue]:
    for m in _pays_pattern().finditer(doc.scan):
        if doc.text[m.start()].isupper():
            yield Clue(_PAYS[m[1].replace("-", " ")], _said(doc, m.start(), 1.5), m.start())


# --- The department ---------------------------------------------------------------------------

def clues(doc: Doc, departments: Mapping[str, Department], people: tuple[str, ...] = ()) -> list[Clue]:
    """Every sign of the sender's department in the text, in any order; the words of `people`
    (names of persons) are never places."""
    words = frozenset(w for name in people for w in fold_aligned(name).split())
    found = [*_department_clues(doc, departments), *_postcode_clues(doc),
             *_commune_clues(doc, words, departments), *_pays_clues(doc)]
    return [c for c in found if c.department in departments and c.weight > 0]


def weigh(found: list[Clue]) -> str | None:
    """The department the clues point to most (the first named, between equals)."""
    totals: dict[str, float] = defaultdict(float)
    first: dict[str, int] = {}
    for clue in found:
        totals[clue.department] += clue.weight
        first[clue.department] = min(first.get(clue.department, clue.at), clue.at)
    if not totals:
        return None
    return max(totals, key=lambda d: (round(totals[d], 6), -first[d]))


def form_department(value: str, departments: Mapping[str, Department]) -> str | None:
    """The department a form's « Département : » line gives (« 24 », « Dordogne », « Corrèze (19) »)."""
    code = re.search(r"(?<!\d)(\d{2})(?!\d)", value)
    if code and code[1] in departments:
        return code[1]
    named = named_departments(value, fold_aligned(value), departments, any_case=True)
    if named:
        return named[0][2]
    return weigh(clues(Doc.of(value), departments))


def department(doc: Doc, departments: Mapping[str, Department], people: tuple[str, ...] = ()) -> str | None:
    """The sender's department: the form's line, else what the clues of the text weigh most."""
    value = doc.form.get("department")
    found = form_department(value, departments) if value else None
    return found or weigh(clues(doc, departments, people))
