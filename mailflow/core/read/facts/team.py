"""The team's size in full-time equivalents (ETP) as members write it: « 5 ETP », « trois salariés
à temps plein et un mi-temps », « moi à temps plein, une conseillère à 80 % », « nous sommes 4 dont
2 à mi-temps », a headcount as at most that many; seasonal staff left out unless an ETP is given."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ....model.values import Figure
from ..doc import Doc
from .figures import NUMBER, corrected, denied, number, stale
from .sizes import QTY, figure_at

# --- Stated in ETP ------------------------------------------------------------------------------

_ETP = r"(?:etp|e\.t\.p\.?|equivalents?[- ]temps[- ]pleins?|fte)"
_FTE_PATTERNS = (
    re.compile(rf"{QTY}(?:\s+et demie?)?\s*(?:en\s+)?{_ETP}(?!\w)"),
    re.compile(rf"(?<!\w){_ETP}\s*(?:de|:|=)?\s*{QTY}(?![\w/-])"),
    # « de moins de 10 ETP (nous sommes 6) »: the criterion quoted, the team's figure beside it.
    re.compile(rf"(?<!\w){_ETP}\s*\(\s*(?:nous sommes|on est|nous en avons|soit|chez nous|pour nous)\s*"
               rf"(?P<q>{NUMBER})\s*\)"),
    # « l'équivalent de sept postes à temps plein »: an ETP said in words.
    re.compile(rf"(?<!\w)(?:l'|l )?equivalent (?:de |d')?{QTY}\s*(?:postes?|emplois?|personnes?"
               rf"|salaries?)?\s*"
               r"(?:a |en )?temps plein"),
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
    stale: bool = False  # one the member says they wrote before


def _clause_after(scan: str, end: int) -> str:
    cut = _CLAUSE_END.search(scan, end)
    return scan[end:cut.start() if cut else len(scan)]


def _stated(doc: Doc) -> list[_Stated]:
    """Every figure said in ETP, as the member corrected it, and whether it is the season's;
    none the member denies (« 3 ETP et non 4 »)."""
    hits = sorted({(m.start("q"), m.end("q"), m.end()) for pattern in _FTE_PATTERNS
                   for m in pattern.finditer(doc.scan)})
    found = []
    for start, end, whole in hits:
        figure = figure_at(doc, start, end, whole)
        if figure.low > MAX_FTE or denied(doc.scan, start):
            continue
        fixed = corrected(doc.scan, whole, "fte")
        if fixed is not None:  # « 6 ETP… pardon, 5,5 »
            figure = figure_at(doc, *fixed)
        figure = _with_shares_after(doc.scan, whole, figure)
        season = SEASONAL.search(_clause_after(doc.scan, whole)) or _COUNTS_THE_SEASON.search(
            doc.scan, whole, whole + 60)
        found.append(_Stated(figure, season is not None, stale(doc.scan, start)))
    return found


#: Shares added right after an ETP: « 2 ETP plus une mi-temps », « 3 ETP + un temps partiel ».
_PLUS = re.compile(r"\s*,?\s*(?:plus|\+|et|avec|ainsi qu'?)\s+(?!demie?\b|quart\b)")


def _with_shares_after(scan: str, whole: int, figure: Figure) -> Figure:
    """The ETP with the part-time posts the member adds to it in the same clause."""
    if not _PLUS.match(scan, whole) or not figure.is_exact:
        return figure
    extra = _added(_items(_clause_after(scan, whole)))
    if extra is None or not extra.is_exact:
        return figure
    total = round(figure.low + extra.low, 4)
    return Figure.exact(total, f"{figure.said} {' '.join(_clause_after(scan, whole).split())}")


def _narrowed(figures: list[Figure]) -> Figure | None:
    found: Figure | None = None
    for figure in figures:
        found = figure if found is None else found.narrowed(figure)
    return found


def stated(doc: Doc) -> Figure | None:
    """The ETP said as such; a figure of the season, or one the member says they wrote before,
    only when no other is given."""
    found = _stated(doc)
    found = [s for s in found if not s.stale] or found
    year = [s.figure for s in found if not s.seasonal]
    return _narrowed(year or [s.figure for s in found])


# --- Said as people: « trois salariés à temps plein et un mi-temps » ---------------------------

_SHARE = re.compile(
    r"(?P<full>(?:a |en )?(?:temps plein|plein temps|temps complet)s?|temps pleins|pleins temps)"
    r"|(?P<half>(?:a )?mi[- ]?temps)"
    r"|(?P<quarters>(?:a )?(?:3|trois)[ -]quarts? (?:de )?temps)"
    r"|(?P<quarter>(?:a )?quart[- ]temps)"
    r"|(?P<third>(?:a )?tiers[- ]temps)"
    r"|(?P<pct>(?:(?:a |en )?temps partiels? )?a (?P<p>\d{1,3}) ?%)"
    r"|(?P<part>(?:a )?temps partiels?)"
)
_PIECE_CUT = re.compile(r",|;|:|\(|\)|\+|(?<!\w)(?:et|plus|dont|avec|ainsi que|auxquel\w+)(?!\w)")
_MONTHS = r"janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre"
#: People counted: a number that is no date nor rank (« depuis le 1er décembre »), or « une », «
#: moi », « seule », « je ».
_COUNT = re.compile(rf"(?<![\w.,(])(\d+(?:[.,]\d+)?)(?![\w.,]\d)(?!\))(?!\s?(?:er|ere|e|eme)\b)"
                    rf"(?! (?:{_MONTHS})\b)"
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
    if m["quarter"]:
        return (0.25,)
    if m["third"]:
        return (0.33,)
    if m["pct"]:
        return (int(m["p"]) / 100,)
    listed = _PARTS_LIST.match(after)  # « deux conseillères à temps partiel (80 % et 50 %) »
    return tuple(int(p) / 100 for p in re.findall(r"(\d{1,3}) ?%", listed[0])) if listed else None


def _piece(segment: str) -> str:
    """The words before a share that name its people: the last piece of the segment, or the one
    before it when the share stands alone after a comma (« la seule salariée, à temps plein »)."""
    pieces = _PIECE_CUT.split(segment)
    if len(pieces) > 1 and not pieces[-1].strip() and segment.rstrip().endswith(","):
        return pieces[-2]
    return pieces[-1]


def _items(sentence: str) -> list[_Item]:
    """(people, their shares) of each share the sentence tells, seasonal staff left out."""
    items: list[_Item] = []
    previous = 0
    for m in _SHARE.finditer(sentence):
        segment = sentence[previous:m.start()]
        previous = m.end()
        piece = _piece(segment)
        # Seasonal staff: named so before the share, or right after it (« à mi-temps l'été »).
        if SEASONAL.search(piece) or SEASONAL.search(_PIECE_CUT.split(_clause_after(sentence, m.end()))[0]):
            continue
        before = segment[:len(segment) - len(piece)]
        # « on est 4 ds l'équipe, tous à temps plein »: the count in the piece, else before it
        count = (_headcount(piece) or _headcount(before)) if _ALL.search(piece) else _count(piece)
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


# --- A headcount: people, whose ETP is at most that many ---------------------------------------

_HEADCOUNT = (r"(?:salaries?|salariees?|agents|employes|employees|collaborat(?:eurs|rices)|permanents?"
              r"|conseill(?:ers|eres)|collegues"
              r"|permanentes?|personnes|postes)")
_HEADCOUNT_PATTERNS = (
    re.compile(rf"(?:equipe|effectif) (?:de |d')?{QTY} (?:{_HEADCOUNT})"),
    re.compile(rf"{QTY} {_HEADCOUNT}(?!\w)"),
    re.compile(rf"(?:nous sommes|nous ne sommes que|on est|on n'est que|on est que) {QTY}"
               r"(?: dans l'equipe| a l'office| au bureau|(?=[ ,.;!)\n]|$))"
               r"(?! ?(?:habitant|etp|communes|offices))"),
)
_HEADCOUNT_LABEL = re.compile(r"salari|effectif|equipe|personnes")
#: A team of one: « je suis toute seule », « seule salariée », « l'unique salarié ».
_ALONE = re.compile(r"(?<!\w)(?:je (?:suis|travaille|bosse) (?:tout |toute )?seule?(?!\w)"
                    r"(?! a \w+(?:er|ir|re)\b)"
                    r"|(?:la |le |l')?(?:seule?|unique) (?:salariee?|permanente?|employee?|agent)"
                    r"|(?:une )?equipe d'une (?:seule )?personne)")


def _people(figure: Figure) -> Figure:
    """A count of people (see Figure.people); one with a half in it is in ETP already (« trois
    permanents et demi »)."""
    if figure.is_exact and figure.low != int(figure.low):
        return figure
    return replace(figure, people=True)


#: The sender counted beside the others: « deux salariées plus moi », « moi et trois conseillères ».
_AND_ME_AFTER = re.compile(r"\s*,?\s*(?:plus|et|\+|avec) moi(?:-meme)?(?!\w)")
_ME_AND_BEFORE = re.compile(r"(?<!\w)moi(?:-meme)? (?:et|plus|\+|avec) (?:mes |les )?$")


def _counted(doc: Doc, start: int, end: int, whole: int) -> Figure | None:
    """The count at [start, end), as corrected right after (« 4 salariés… pardon, 5 »); None when
    the member denies it or it is no team's."""
    if denied(doc.scan, start) or SEASONAL.search(_clause_after(doc.scan, whole)):
        return None
    fixed = corrected(doc.scan, whole, "fte")
    figure = figure_at(doc, *fixed) if fixed else figure_at(doc, start, end, whole)
    if fixed is None and figure.is_exact and (_AND_ME_AFTER.match(doc.scan, whole)
                                              or _ME_AND_BEFORE.search(doc.scan, 0, start)):
        figure = Figure.exact(figure.low + 1, f"{figure.said} + moi")  # « deux salariées plus moi »
    return figure if figure.low <= MAX_FTE else None


def headcount(doc: Doc) -> Figure | None:
    """The largest headcount of the year the text gives, as people (« 3 agents à l'accueil et
    11 personnes au total »: 11), or a team of one (« je suis toute seule »)."""
    spans: dict[tuple[int, int], int] = {}
    for pattern in _HEADCOUNT_PATTERNS:
        for m in pattern.finditer(doc.scan):  # the same figure seen twice: with its unit, longest
            spans[m.start("q"), m.end("q")] = max(spans.get((m.start("q"), m.end("q")), 0), m.end())
    counts = [f for f in (_counted(doc, start, end, whole) for (start, end), whole in sorted(spans.items()))
              if f is not None]
    return _people(max(counts, key=lambda f: f.high)) if counts else _alone(doc)


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
    # « Effectif : 12 » is a headcount, « Effectif : 4,5 ETP » and « Effectif (ETP) : 12 » are not.
    counts_people = _HEADCOUNT_LABEL.search(label) and not re.search(_ETP, f"{label} {line.scan}")
    return _people(figure) if counts_people else figure


def fte(doc: Doc, signature: Doc | None = None) -> Figure | None:
    """The team's ETP: the form's line; else as said in ETP; else its people and their shares;
    else its headcount; else an ETP written in the signature (« Équipe : 5 ETP »)."""
    value = doc.form.get("fte")
    if value:
        return _form_fte(doc, value)
    found = stated(doc)
    if found is None:
        counted = headcount(doc)
        # « on est trois et demi (moi, deux conseillères et une collègue à mi-temps) »: a count
        # with a half in it is the ETP itself, whatever shares follow
        in_etp = counted is not None and not counted.people
        found = counted if in_etp else composed(doc) or counted
    if found is None and signature is not None:
        value = signature.form.get("fte")
        found = _form_fte(signature, value) if value else stated(signature) or _alone(signature)
    return found


def _alone(doc: Doc) -> Figure | None:
    """A team of one: « je suis toute seule », « Directrice (et seule salariée !) »."""
    alone = _ALONE.search(doc.scan)
    return Figure(1, 1, said=doc.original(*alone.span()), people=True) if alone else None
