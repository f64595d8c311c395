"""The team's size in full-time equivalents (ETP) as members write it: « 5 ETP », « trois salariés
à temps plein et un mi-temps », « moi à temps plein, une conseillère à 80 % », « nous sommes 4 dont
2 à mi-temps », a headcount as at most that many; seasonal staff left out unless an ETP is given."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ....model.values import Figure
from ..doc import Doc
from .figures import NUMBER, corrected, number
from .sizes import QTY, figure_at

# --- Stated in ETP ------------------------------------------------------------------------------

_ETP = r"(?:etp|e\.t\.p\.?|equivalents?[- ]temps[- ]pleins?)"
_FTE_PATTERNS = (
    re.compile(rf"{QTY}(?:\s+et demie?)?\s*(?:en\s+)?{_ETP}(?!\w)"),
    re.compile(rf"(?<!\w){_ETP}\s*(?:de|:|=)?\s*{QTY}(?![\w-])"),
    # « moins de 10 ETP, 8 exactement »: the exact figure said right after the unit.
    re.compile(rf"(?<!\w){_ETP}\s*[,(;:-]\s*(?:soit |en fait |plus precisement |dont )?"
               rf"(?P<q>{NUMBER})\s+(?=exactement|precisement|pile|tout rond)"),
)
#: No office has more people than this: a larger number next to « ETP » is a year or a count of
#: something else (« ETP 2025 : 8 », « nous sommes 12 000 habitants »).
MAX_FTE = 200

#: Seasonal staff, and the seasons they work in: never part of the team's ETP.
SEASONAL = re.compile(r"(?<!\w)(saisonni\w*|renforts?|vacataires?|extras|jobs? d'ete|l'ete|en ete|cet ete"
                      r"|l'hiver|en hiver|en saison|haute saison|la saison|juillet|aout|estiva\w*)(?!\w)")
_CLAUSE_END = re.compile(r"[.;!?\n)]|,(?! ?\d)")
_COUNTS_THE_SEASON = re.compile(r"(en comptant|avec|y compris)[^.;\n]{0,30}saisonni|saisonni\w* compris")


@dataclass(frozen=True)
class _Stated:
    figure: Figure
    seasonal: bool


def _clause_after(scan: str, end: int) -> str:
    cut = _CLAUSE_END.search(scan, end)
    return scan[end:cut.start() if cut else len(scan)]


def _stated(doc: Doc) -> list[_Stated]:
    """Every figure said in ETP, as the member corrected it, and whether it is the season's."""
    hits = sorted({(m.start("q"), m.end("q"), m.end()) for pattern in _FTE_PATTERNS
                   for m in pattern.finditer(doc.scan)})
    found = []
    for start, end, whole in hits:
        figure = figure_at(doc, start, end, whole)
        if figure.low > MAX_FTE:
            continue
        fixed = corrected(doc.scan, whole, "fte")
        if fixed is not None:  # « 6 ETP… pardon, 5,5 »
            figure = figure_at(doc, *fixed)
        season = SEASONAL.search(_clause_after(doc.scan, whole)) or _COUNTS_THE_SEASON.search(
            doc.scan, whole, whole + 60)
        found.append(_Stated(figure, season is not None))
    return found


def _narrowed(figures: list[Figure]) -> Figure | None:
    found: Figure | None = None
    for figure in figures:
        found = figure if found is None else found.narrowed(figure)
    return found


def stated(doc: Doc) -> Figure | None:
    """The ETP said as such; a figure of the season only when no other is given."""
    found = _stated(doc)
    year = [s.figure for s in found if not s.seasonal]
    return _narrowed(year or [s.figure for s in found])


# --- Said as people: « trois salariés à temps plein et un mi-temps » ---------------------------

_SHARE = re.compile(
    r"(?P<full>(?:a |en )?(?:temps plein|plein temps|temps complet)s?|temps pleins)"
    r"|(?P<half>(?:a )?mi[- ]?temps)"
    r"|(?P<quarters>(?:a )?(?:3|trois)[ -]quarts? (?:de )?temps)"
    r"|(?P<pct>a (?P<p>\d{1,3}) ?%)"
    r"|(?P<part>(?:a )?temps partiels?)"
)
_PIECE_CUT = re.compile(r",|;|:|\(|\)|\+|(?<!\w)(?:et|plus|dont|avec|ainsi que|auxquel\w+)(?!\w)")
_COUNT = re.compile(r"(?<![\w.,])(\d+(?:[.,]\d+)?)(?![\w.,]\d)"
                    r"|(?<!\w)(une?|d'une?|moi(?:-meme)?|seule?|je)(?!\w)")
_ALL = re.compile(r"(?<!\w)(tous|toutes)(?: (?:les )?(?:\d|deux|trois|quatre))?\s*$")
_DONT = re.compile(rf"(?P<h>{NUMBER})(?: [a-z'-]+){{0,2}},? dont (?P<m>\d+|une?) (?:[a-z'-]+ ){{0,2}}"
                   r"(?=(?:a |en )?(?:mi[- ]?temps|temps partiel|\d{1,3} ?%|a \d{1,3} ?%))")
_PARTS_LIST = re.compile(r"^\s*\(\s*\d{1,3} ?%(?:\s*(?:,|et)\s*\d{1,3} ?%)+\s*\)")
_ME_TOO = re.compile(r"(?<!\w)(moi|moi-meme)(?!\w)")
_ME_INCLUDED = re.compile(r"(?<!\w)(moi compris|dont moi|y compris moi|moi inclus|en me comptant)(?!\w)")
_Item = tuple[float, tuple[float, ...] | None]


def _count(piece: str) -> float | None:
    """How many people a piece before a share names: « 3 salariés », « une conseillère », « moi »."""
    found = list(_COUNT.finditer(piece))
    digits = [m[1] for m in found if m[1]]
    if digits:
        return number(digits[-1])
    return 1.0 if found else None


def _headcount(text: str) -> float | None:
    """The people a clause counts (« nous sommes 3 salariées et moi »: 4, « moi-même et deux
    conseillères »: 3; « trois, moi compris »: 3)."""
    digits = [number(m[1]) for m in _COUNT.finditer(text) if m[1]]
    if not digits:
        return None
    return digits[-1] + (1 if _ME_TOO.search(text) and not _ME_INCLUDED.search(text) else 0)


def _shares(m: re.Match[str], after: str) -> tuple[float, ...] | None:
    """The part of a full post each person of a share works, or None when it is not said."""
    if m["full"]:
        return (1.0,)
    if m["half"]:
        return (0.5,)
    if m["quarters"]:
        return (0.75,)
    if m["pct"]:
        return (int(m["p"]) / 100,)
    listed = _PARTS_LIST.match(after)  # « deux conseillères à temps partiel (80 % et 50 %) »
    return tuple(int(p) / 100 for p in re.findall(r"(\d{1,3}) ?%", listed[0])) if listed else None


def _items(sentence: str) -> list[_Item]:
    """(people, their shares) of each share the sentence tells, seasonal staff left out."""
    items: list[_Item] = []
    previous = 0
    for m in _SHARE.finditer(sentence):
        segment = sentence[previous:m.start()]
        previous = m.end()
        piece = _PIECE_CUT.split(segment)[-1]
        # Seasonal staff: named so before the share, or right after it (« à mi-temps l'été »).
        if SEASONAL.search(piece) or SEASONAL.search(_PIECE_CUT.split(_clause_after(sentence, m.end()))[0]):
            continue
        before = segment[:len(segment) - len(piece)]
        count = _headcount(before) if _ALL.search(piece) else _count(piece)
        if count is not None:
            items.append((count, _shares(m, sentence[m.end():])))
    dont = _DONT.search(sentence)
    if dont:  # « nous sommes 4 dont 2 à mi-temps »: the others full time
        part = number(dont["m"]) if dont["m"][0].isdigit() else 1.0
        items.append((number(dont["h"]) - part, (1.0,)))
    return items


def _added(items: list[_Item]) -> Figure | None:
    if not items:
        return None
    known = unknown = 0.0
    for count, shares in items:
        if shares is None:
            unknown += count
        elif len(shares) > 1:
            known += sum(shares)
        else:
            known += count * shares[0]
    known = round(known, 4)
    return Figure(known, known + unknown, True, True) if unknown else Figure.exact(known)


def composed(doc: Doc) -> Figure | None:
    """The ETP the text's sentences add up to when they tell people and their shares; a range
    where a share is not said (« deux temps partiels »)."""
    items: list[_Item] = []
    said: list[str] = []
    for sentence in re.split(r"(?<!\d)[.!?](?!\d)|\n\s*\n", doc.scan):
        found = _items(sentence)
        if found:
            items += found
            said.append(" ".join(sentence.split()))
    figure = _added(items)
    return replace(figure, said=" ; ".join(said)) if figure else None


# --- A headcount: at most that many -------------------------------------------------------------

_HEADCOUNT = r"(?:salaries?|salariees?|agents|employes|collaborat(?:eurs|rices)|permanents|personnes)"
_HEADCOUNT_PATTERNS = (
    re.compile(rf"(?:equipe|effectif) (?:de |d')?{QTY} (?:{_HEADCOUNT})"),
    re.compile(rf"{QTY} {_HEADCOUNT}(?!\w)"),
    re.compile(rf"nous sommes {QTY}(?: dans l'equipe| a l'office|(?=[ ,.]))(?! ?habitant)"),
)
_HEADCOUNT_LABEL = re.compile(r"salari|effectif|equipe|personnes")


def _at_most(figure: Figure) -> Figure:
    """A team of N people works at most N full-time equivalents."""
    return Figure(0.0, figure.high, True, figure.high_open, figure.said)


def headcount(doc: Doc) -> Figure | None:
    """The largest headcount of the year the text gives, as at most that many ETP (« 3 agents à
    l'accueil et 11 personnes au total »: at most 11)."""
    spans: dict[tuple[int, int], int] = {}
    for pattern in _HEADCOUNT_PATTERNS:
        for m in pattern.finditer(doc.scan):  # the same figure seen twice: with its unit, longest
            if not SEASONAL.search(_clause_after(doc.scan, m.end())):
                spans[m.start("q"), m.end("q")] = max(spans.get((m.start("q"), m.end("q")), 0), m.end())
    counts = [f for f in (figure_at(doc, start, end, whole) for (start, end), whole in sorted(spans.items()))
              if f.low <= MAX_FTE]
    return _at_most(max(counts, key=lambda f: f.high)) if counts else None


# --- The team ---------------------------------------------------------------------------------

def _form_fte(doc: Doc, value: str) -> Figure | None:
    line = Doc.of(value)
    people = composed(line)  # « Effectif : 5 personnes à temps plein »
    if people is not None:
        return people
    m = re.search(QTY, line.scan)
    if m is None:
        return None
    figure = figure_at(line, m.start("q"), m.end("q"), len(value))
    label = next((f.label for f in doc.fields if f.value == value), "")
    # « Effectif : 12 » is a headcount, « Effectif : 4,5 ETP » is not.
    headcount = _HEADCOUNT_LABEL.search(label) and not re.search(_ETP, line.scan)
    return _at_most(figure) if headcount else figure


def fte(doc: Doc, signature: Doc | None = None) -> Figure | None:
    """The team's ETP: the form's line; else as said in ETP; else its people and their shares;
    else its headcount; else an ETP written in the signature (« Équipe : 5 ETP »)."""
    value = doc.form.get("fte")
    if value:
        return _form_fte(doc, value)
    found = stated(doc) or composed(doc) or headcount(doc)
    if found is None and signature is not None:
        value = signature.form.get("fte")
        found = _form_fte(signature, value) if value else stated(signature)
    return found
