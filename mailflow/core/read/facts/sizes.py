"""The population of the largest town, read from a message as a range (see `figures`); the
quantities and the copy of the text with numbers as digits that every figure is read on."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from text_to_num import alpha2digit

from ....model.values import Figure
from ..doc import REACH, Doc, blanked
from ..text import fold_aligned
from .communes import find_communes
from .figures import APPROX_WORD, NUMBER, corrected, denied, number, reading, stale, widened

# --- Figures ------------------------------------------------------------------------------------
#
# Read on a copy of the text whose numbers in words are digits (text2num); each figure keeps the
# words around it that make it a range: « environ », « moins de », « une dizaine », « exactement »…

QTY = (rf"(?P<q>{APPROX_WORD}|(?:entre\s+)?{NUMBER}\s*(?:et|a|-)\s*{NUMBER}(?=\s*[a-z])"
       rf"|(?<![\w.,-]){NUMBER})")


#: « 13 mille habitants », « 2,5 mille »: digits and a word.
_THOUSANDS_IN_WORDS = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d)?) mille\b", re.I)
#: « un » left an article by text2num, and yet a number: « un ETP et quart », « un seul ETP ».
_ONE = re.compile(r"(?<![\w'’])une?(?= (?:seul )?(?:ETP|E\.T\.P|[ée]quivalent temps plein)(?!\w))", re.I)


#: Whose sentence it is: a colleague's (« ma collègue de Marmande… ils sont 9 salariés »)…
_OTHERS = re.compile(
    r"(?<!\w)(?:(?:ma |mon |notre |nos |mes |une? )?(?:collegue|homologue|voisine?|amie?|binome|confrere"
    r"|consoeur)s? (?:de |d'|du |des |a |au )"
    r"(?!l'equipe|mon |ma |notre |l'accueil|la com|bureau|mi-temps|temps|plein|\d)"
    r"|leur (?:office|equipe|ot|commune|ville|territoire|structure)(?!\w)|chez (?:eux|elle|lui)(?!\w)"
    r"|de son cote(?!\w))")
#: … unless the sender speaks of herself in it too (« ma collègue et moi sommes 5 ETP »).
_MINE = re.compile(r"(?<!\w)(je|j'|nous|moi|on|notre|nos|mon|ma|mes)(?!\w)")
_SENTENCE_BODY = re.compile(r"(?:[^.!?;\n]|[.,](?=\d))+")


def _others_blanked(text: str) -> str:
    """The text without the sentences about someone else's office: their figures are not the
    sender's (« Ma collègue de Marmande s'inscrit de son côté (ils sont 9 salariés…) »)."""
    folded = fold_aligned(text)
    spans = [m.span() for m in _SENTENCE_BODY.finditer(folded)
             if _OTHERS.search(m[0]) and not _MINE.search(_OTHERS.sub(" ", m[0]))]
    return blanked(text, spans)


def numbers_doc(text: str) -> Doc:
    """The text with numbers in words as digits (« douze mille cinq cents » → 12500), and without
    what it tells of someone else's office."""
    text = _THOUSANDS_IN_WORDS.sub(lambda m: str(round(float(m[1].replace(",", ".")) * 1000)), text)
    try:
        converted = alpha2digit(text, "fr", threshold=1.5)  # « un » stays an article
    except Exception:  # a library failure must not lose the message's other facts
        converted = text
    return Doc.of(_others_blanked(_ONE.sub("1", converted)))


def figure_at(doc: Doc, start: int, end: int, span_end: int | None = None) -> Figure:
    """The figure at [start, end) of the scan, with the member's words from its qualifier (the
    « environ » or « moins de » before it) to the end of its unit."""
    line_start = doc.scan.rfind("\n", 0, start) + 1
    before = doc.scan[max(line_start, start - 60):start]
    after = doc.scan[end:end + 45].split("\n", 1)[0]
    figure, used = reading(before, doc.scan[start:end], after)
    said = " ".join(doc.original(start - used, span_end or end).split())
    return replace(figure, said=said)


# --- Population ---------------------------------------------------------------------------------
#
# Every "N habitants" figure is classed by the words closest to it in its sentence: the largest
# town (taken first), a town the member names (« Niort (59 000 habitants) », « Dax 21 000
# habitants »: next), the whole territory (never taken as the town's population), or neutral
# (taken when nothing else is). A territory figure alone gives None.

_POPULATION = re.compile(rf"{QTY}\s*(?:habitants?|habs?\b\.?|h?a?bts?\b\.?|ames\b|residents\b)")
# Sentences end at punctuation or a blank line (plain text mail is hard-wrapped).
_SENTENCE_END = re.compile(r"[!?;]|\.(?!\d)|\n[ \t]*\n")
_TOWN_WORDS = re.compile(
    r"plus (grande|grosse|gde|grde|gd|grosse|importante|peuplee) (commune|ville|cne|bourg|agglomeration)"
    r"|(commune|ville|bourg) la plus (grande|grosse|importante|peuplee)"
    r"|(ville|commune|bourg)[- ]centre|(ville|commune) principale|principale (ville|commune)|ville[- ]siege"
    r"|(?<!\w)(la|notre|le|notre) plus (grande|grosse|gros|importante|peuplee)(?!\w)"
)
_TERRITORY_WORDS = re.compile(
    r"territoire|communaute (de communes|d'agglomeration|urbaine)|intercommunalite|(?<!\w)epci"
    r"|agglomeration|(?<!\w)cdc(?!\w)|(?<!\w)communes(?!\w)|bassin|destination|departement"
    r"|(?<!\w)pays(?!\w)|au total|en tout|population totale|perimetre"
)
_WEAK_TOWN_WORDS = re.compile(r"(?<!\w)(commune|ville|bourg)(?!\w)")
#: What may stand between a town's name and its figure: « Niort (59 000 », « la souterraine c est
#: 5200 », « Villeneuve-sur-Lot compte à peu près 22 000 ».
_TOWN_TO_FIGURE = re.compile(
    r"^[\s,:(=–—~≈-]*(?:\(\d{2}\)[\s,:–—-]*)?"  # « Nérac (47), 7 000 habitants »
    r"(?:(?:qui|ne|n'|c'est|c est|avec|soit|et|ses|doit|faire|fait|faisait|compte|comptait"
    r"|a|avait|totalise|abrite|affiche|atteint|represente|est|en|environ|autour|de|d'|a peu pres|pres|presque"
    r"|quasiment|un|peu|plus|moins|tout|juste|seulement|aujourd'hui|actuellement|bientot|officiellement"
    r"|guere|pas|loin|grosso modo)[\s,:(]*){0,8}$"
)
#: « la communauté de communes de Lacanau (15 000 habitants) » is the territory's figure.
_TERRITORY_OF = re.compile(r"(communaute|agglomeration|agglo|territoire|pays|cdc|epci|canton|bassin"
                           r"|intercommunalite|perimetre|metropole)( \w+)? (de|du|d'|des) ?$")
_FIGURE_TO_TOWN = re.compile(r"^\s*(habitants? |hab\.? )?(pour|a) $")
#: A figure with no unit after the words of the largest town (« Auzances, la plus importante, en
#: compte environ 1 300 »); not a year, a distance, a count of something else.
_UNITLESS = re.compile(rf"(?<![\w.,-])(?P<q>{NUMBER})(?![\d.,]?\d)(?!\s*(?:%|km|etp|e\.t\.p|salari|personne"
                       r"|agent|commune|euro|€|ans|an\b|lits|visiteurs|nuitees|touristes|hab|ame|metres|m\b))")


#: A figure said as a rule's bound: « le seuil des 20 000 habitants », « la limite de 20 000 ».
_THRESHOLD = re.compile(r"(?<!\w)(?:seuil|plafond|limite|criteres?|maximum|au plus)\s*(?:de |des |du |d')?"
                        r"(?:\w+ )?$")
#: A town's figure right after its name, without a unit: « Bressuire en compte 19 000 ».
_TOWN_COUNTS = re.compile(rf"\s*,?\s*(?:en |qui en )?(?:compte|totalise|fait|affiche)\s+(?:environ |pres de "
                          rf"|a peu pres |quelque )?(?P<q>{NUMBER})(?![\d.,]?\d)(?!\s*(?:%|km|etp|salari"
                          rf"|personne|agent|commune|euro|€|ans|an\b|lits|visiteurs|nuitees|touristes))")


@dataclass(frozen=True)
class _Found:
    rank: int  # 0 the largest town, 1 a town named, 2 neutral
    at: int
    figure: Figure
    stale: bool = False  # one the member says they wrote before (« j'avais mis 4 300 habitants »)


_A_TOWN_OF = re.compile(r"(?<!\w)(?:(?:une|la|notre|sa|leur) )?(?:petite |grande |moyenne )?(?:ville|commune"
                        r"|bourg)"
                        r"(?: centre)? (?:de|d') ?(?:environ |pres de |plus de |moins de )?$")


def _classify(before: str, after: str) -> str:
    """ "town", "territory" or "neutral" for a figure, from the words either side of it; « une
    ville de 60 000 habitants » right before it says more than an agglomeration named earlier."""
    if _A_TOWN_OF.search(before):
        return "town"
    for text in (before, after):
        if _TOWN_WORDS.search(text):
            return "town"
        if _TERRITORY_WORDS.search(text):
            return "territory"
        if _WEAK_TOWN_WORDS.search(text):
            return "town"
    return "neutral"


def _sentence(doc: Doc, start: int, end: int, stops: tuple[list[int], list[int]]) -> tuple[int, int]:
    starts, ends = stops
    before = bisect.bisect_right(ends, start)
    after = bisect.bisect_left(starts, end)
    return (max(ends[before - 1] if before else 0, start - REACH),
            min(starts[after] if after < len(starts) else len(doc.scan), end + REACH))


def _town_named(doc: Doc, start: int, end: int, towns: list[tuple[int, int]]) -> bool:
    """Whether a town's name stands right before the figure (« Niort (59 000 habitants) ») or just
    after it (« dont 42 000 pour Angoulême »), and not as a territory's (« la communauté de
    communes de Lacanau »)."""
    for town_start, town_end in towns:
        if town_end <= start and _TOWN_TO_FIGURE.match(doc.scan[town_end:start]):
            return not _TERRITORY_OF.search(doc.scan[max(0, town_start - 40):town_start])
        if town_start >= end and _FIGURE_TO_TOWN.match(doc.scan[end:town_start]):
            return True
    return False


def _read(doc: Doc, start: int, end: int, whole: int) -> Figure:
    """The figure at [start, end), as the member corrected or widened it right after (`whole` is
    where its unit ends)."""
    fixed = corrected(doc.scan, whole, "population")
    if fixed is not None:
        return figure_at(doc, *fixed)
    figure = figure_at(doc, start, end, whole)
    other = widened(doc.scan, whole, "population")
    if other is not None:
        value = number(doc.scan[other[0]:other[1]])
        return Figure(min(figure.low, value), max(figure.high, value), said=figure.said)
    return figure


def _figures(doc: Doc, towns: list[tuple[int, int]]) -> Iterator[_Found]:
    """Each population figure of the text that is no territory's, with its rank."""
    stops = [(e.start(), e.end()) for e in _SENTENCE_END.finditer(doc.scan)]
    edges = ([s for s, _ in stops], [e for _, e in stops])
    matches = list(_POPULATION.finditer(doc.scan))
    for i, m in enumerate(matches):
        low, high = _sentence(doc, m.start(), m.end(), edges)
        low = max(low, matches[i - 1].end() if i else 0)
        high = min(high, matches[i + 1].start() if i + 1 < len(matches) else len(doc.scan))
        # What follows counts only close by: « 8 300 habitants à l'année … côté Bassin » is a town's.
        kind = _classify(doc.scan[low:m.start()], doc.scan[m.end():min(high, m.end() + 60)])
        named = _town_named(doc, m.start("q"), m.end(), towns)
        if denied(doc.scan, m.start("q")):  # « 3 000 habitants, et pas 30 000 habitants »
            continue
        if _THRESHOLD.search(doc.scan[max(0, m.start() - 30):m.start()]):
            continue  # « en dessous du seuil des 20 000 habitants »: the group's rule, not her town
        if kind == "town" or named or kind == "neutral":
            rank = 0 if kind == "town" else 1 if named else 2
            figure = _read(doc, m.start("q"), m.end("q"), m.end())
            yield _Found(rank, m.start(), figure, stale(doc.scan, m.start("q")))
    yield from _unitless(doc, edges, towns)


def _unitless(doc: Doc, edges: tuple[list[int], list[int]], towns: list[tuple[int, int]]) -> Iterator[_Found]:
    """Figures without « habitants » that only the largest town's words, or a town's name, make
    a population: « Airvault, la plus grande commune, 3 300 », « dont 42 000 pour Angoulême »."""
    for words in _TOWN_WORDS.finditer(doc.scan):
        _low, high = _sentence(doc, words.start(), words.end(), edges)
        m = _UNITLESS.search(doc.scan, words.end(), min(high, words.end() + 70))
        if m and number(m["q"]) >= 50 and not _POPULATION.match(doc.scan, m.start()):
            yield _Found(0, m.start(), _read(doc, m.start("q"), m.end("q"), m.end()))
    for _start, end in towns:  # « Bressuire en compte 19 000 »
        m = _TOWN_COUNTS.match(doc.scan, end)
        if m and number(m["q"]) >= 100:
            yield _Found(1, m.start(), _read(doc, m.start("q"), m.end("q"), m.end("q")))
    for m in re.finditer(rf"(?<!\w)dont (?P<q>{NUMBER}) (?=(?:habitants? )?pour )", doc.scan):
        if _town_named(doc, m.start("q"), m.end("q"), towns):
            yield _Found(1, m.start(), _read(doc, m.start("q"), m.end("q"), m.end("q")))


def _form_population(value: str) -> Figure | None:
    line = Doc.of(value)
    if any(True for _ in _POPULATION.finditer(line.scan)) and all(
            f.rank == 2 for f in _figures(line, [])) and _TERRITORY_WORDS.search(line.scan):
        return None  # « Population : 45 000 habitants sur le territoire »
    m = re.search(QTY, line.scan)
    return figure_at(line, m.start("q"), m.end("q"), len(value)) if m else None


def population(doc: Doc, signature: Doc | None = None) -> Figure | None:
    """The largest town's population: the form's line; else the text's figure of the largest
    town, of a town it names, or a neutral one, in that order; else the largest town's in the
    signature (« Commune principale : Parthenay (10 412 hab.) »)."""
    value = doc.form.get("population")
    if value:
        found = _form_population(value)
        if found is not None:
            return found
    towns = [(start, end) for start, end, _ in find_communes(doc.text)]
    figures = sorted(_figures(doc, towns), key=lambda f: (f.stale, f.rank, f.at))
    if figures:
        return figures[0].figure
    if signature is not None:
        value = signature.form.get("population")
        labelled = [f for f in _figures(signature, []) if f.rank == 0]
        return _form_population(value) if value else labelled[0].figure if labelled else None
    return None
