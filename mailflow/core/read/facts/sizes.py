"""Team size (ETP) and population read from a message, as ranges (see `figures`)."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import replace

from text_to_num import alpha2digit

from ....model.values import Figure
from ..doc import REACH, Doc
from .figures import APPROX_WORD, NUMBER, number, reading

# --- Figures: team size and population ------------------------------------------------------
#
# Read from the body only (never the signature, nor the quoted part, which the body no longer
# holds), on a copy whose numbers in words are digits (text2num); each figure keeps the words
# around it that make it a range: « environ », « moins de », « une dizaine », « exactement »…

_QTY = (rf"(?P<q>{APPROX_WORD}|(?:entre\s+)?{NUMBER}\s*(?:et|a|-)\s*{NUMBER}(?=\s*[a-z])"
        rf"|(?<![\w.,-]){NUMBER})")
_ETP = r"(?:etp|e\.t\.p\.?|equivalents?[- ]temps[- ]pleins?)"
_HEADCOUNT = r"(?:salaries?|salariees?|agents|employes|collaborat(?:eurs|rices)|permanents|personnes)"
_FTE_PATTERNS = (
    re.compile(rf"{_QTY}\s*{_ETP}(?!\w)"),
    re.compile(rf"(?<!\w){_ETP}\s*(?:de|:|=)?\s*{_QTY}(?![\w-])"),
    # « moins de 10 ETP, 8 exactement »: the exact figure said right after the unit.
    re.compile(rf"(?<!\w){_ETP}\s*[,(;:-]\s*(?:soit |en fait |plus precisement |dont )?"
               rf"(?P<q>{NUMBER})\s+(?=exactement|precisement|pile|tout rond)"),
)
# « 2 temps pleins et un mi-temps »: whole posts plus half posts.
_POSTS = re.compile(rf"(?:(?P<q>{NUMBER}|un|une)\s+(?:postes?\s+(?:a|en)\s+)?temps\s+pleins?)"
                    rf"(?:\s*(?:et|\+|,)\s*(?P<half>{NUMBER}|un|une)\s+mi-?temps)?")
_HEADCOUNT_PATTERNS = (
    re.compile(rf"(?:equipe|effectif) (?:de |d')?{_QTY} (?:{_HEADCOUNT})"),
    re.compile(rf"{_QTY} {_HEADCOUNT}(?!\w)"),
    re.compile(rf"nous sommes {_QTY}(?: dans l'equipe| a l'office|(?=[ ,.]))(?! ?habitant)"),
)
_POPULATION = re.compile(rf"{_QTY}\s*(?:habitants?|hab\b\.?)")
_HEADCOUNT_LABEL = re.compile(r"salari|effectif|equipe|personnes")
#: No office has more people than this: a larger number next to « ETP » is a year or a count of
#: something else (« ETP 2025 : 8 », « nous sommes 12 000 habitants »).
MAX_FTE = 200


def numbers_doc(text: str) -> Doc:
    """The text with numbers in words as digits (« douze mille cinq cents » → 12500)."""
    try:
        converted = alpha2digit(text, "fr", threshold=1.5)  # « un » stays an article
    except Exception:  # a library failure must not lose the message's other facts
        converted = text
    return Doc.of(converted)


def _reading(doc: Doc, start: int, end: int, span_end: int | None = None) -> Figure:
    """The figure at [start, end) of the scan, with the member's words from its qualifier (the
    « environ » or « moins de » before it) to the end of its unit."""
    line_start = doc.scan.rfind("\n", 0, start) + 1
    before = doc.scan[max(line_start, start - 60):start]
    after = doc.scan[end:end + 30].split("\n", 1)[0]
    figure, used = reading(before, doc.scan[start:end], after)
    said = " ".join(doc.original(start - used, span_end or end).split())
    return replace(figure, said=said)


def _headcount_bound(figure: Figure) -> Figure:
    """A team of N people works at most N full-time equivalents."""
    return Figure(0.0, figure.high, True, figure.high_open, figure.said)


def _narrowed(figures: list[Figure]) -> Figure | None:
    found: Figure | None = None
    for figure in figures:
        found = figure if found is None else found.narrowed(figure)
    return found


def _posts(doc: Doc) -> list[Figure]:
    found = []
    for m in _POSTS.finditer(doc.scan):
        whole = 1.0 if m["q"] in ("un", "une") else number(m["q"])
        half = m["half"]
        halves = 0.0 if half is None else (1.0 if half in ("un", "une") else number(half))
        said = " ".join(doc.original(m.start(), m.end()).split())
        found.append(Figure.exact(whole + 0.5 * halves, said))
    return found


def fte(doc: Doc) -> Figure | None:
    value = doc.form.get("fte")
    if value:
        line = Doc.of(value)
        m = re.search(_QTY, line.scan)
        if m is None:
            return None
        figure = _reading(line, m.start("q"), m.end("q"), len(value))
        label = next((f.label for f in doc.fields if f.value == value), "")
        return _headcount_bound(figure) if _HEADCOUNT_LABEL.search(label) else figure
    hits = sorted({(m.start("q"), m.end("q"), m.end()) for pattern in _FTE_PATTERNS
                   for m in pattern.finditer(doc.scan)})
    stated = [f for f in (_reading(doc, start, end, whole) for start, end, whole in hits)
              if f.low <= MAX_FTE] + _posts(doc)
    if stated:
        return _narrowed(stated)
    spans: dict[tuple[int, int], int] = {}
    for pattern in _HEADCOUNT_PATTERNS:
        for m in pattern.finditer(doc.scan):  # the same figure seen twice: with its unit, longest
            spans[m.start("q"), m.end("q")] = max(spans.get((m.start("q"), m.end("q")), 0), m.end())
    heads = sorted((start, end, whole) for (start, end), whole in spans.items())
    # Several headcounts (« 3 agents à l'accueil et 11 personnes au total »): the largest bounds.
    counts = [f for f in (_reading(doc, start, end, whole) for start, end, whole in heads)
              if f.low <= MAX_FTE]
    return _headcount_bound(max(counts, key=lambda f: f.high)) if counts else None


# Every "N habitants" figure is classed by the words closest to it in its sentence: the largest
# town (taken first), the whole territory (never taken as the town's population), or neutral
# (taken when no town figure is given). A territory figure alone gives None.

# Sentences end at punctuation or a blank line (plain text mail is hard-wrapped).
_SENTENCE_END = re.compile(r"[!?;]|\.(?!\d)|\n[ \t]*\n")
_TOWN_WORDS = re.compile(
    r"plus (grande|grosse|importante|peuplee) (commune|ville)"
    r"|(commune|ville) la plus (grande|grosse|importante|peuplee)"
    r"|(ville|commune|bourg)[- ]centre|(ville|commune) principale|ville[- ]siege"
    r"|(la|notre) plus (grande|grosse|importante|peuplee)(,| compte| a | avec| :| regroupe)"
)
_TERRITORY_WORDS = re.compile(
    r"territoire|communaute (de communes|d'agglomeration|urbaine)|intercommunalite|(?<!\w)epci"
    r"|agglomeration|(?<!\w)cdc(?!\w)|(?<!\w)communes(?!\w)|bassin|destination|departement"
    r"|(?<!\w)pays(?!\w)|au total|en tout|population totale|perimetre"
)
_WEAK_TOWN_WORDS = re.compile(r"(?<!\w)(commune|ville|bourg)(?!\w)")


def _classify(before: str, after: str) -> str:
    """ "town", "territory" or "neutral" for a figure, from the words either side of it."""
    for text in (before, after):
        if _TOWN_WORDS.search(text):
            return "town"
        if _TERRITORY_WORDS.search(text):
            return "territory"
        if _WEAK_TOWN_WORDS.search(text):
            return "town"
    return "neutral"


def _figures(doc: Doc) -> Iterator[tuple[str, Figure]]:
    """(class, figure) of each population figure in the text."""
    text = doc.scan
    matches = list(_POPULATION.finditer(text))
    stops = [(e.start(), e.end()) for e in _SENTENCE_END.finditer(text)]
    starts, ends = [start for start, _ in stops], [end for _, end in stops]
    for i, m in enumerate(matches):
        before = bisect.bisect_right(ends, m.start())
        after = bisect.bisect_left(starts, m.end())
        start = max(
            ends[before - 1] if before else 0,
            matches[i - 1].end() if i else 0,
            m.start() - REACH,
        )
        end = min(
            starts[after] if after < len(starts) else len(text),
            matches[i + 1].start() if i + 1 < len(matches) else len(text),
            m.end() + REACH,
        )
        kind = _classify(text[start : m.start()], text[m.end() : end])
        yield kind, _reading(doc, m.start("q"), m.end("q"), m.end())


def population(doc: Doc) -> Figure | None:
    value = doc.form.get("population")
    if value:
        line = Doc.of(value)
        kinds = [kind for kind, _ in _figures(line)]
        m = re.search(_QTY, line.scan)
        if m and "territory" not in kinds:
            return _reading(line, m.start("q"), m.end("q"), len(value))
    figures = list(_figures(doc))
    for wanted in ("town", "neutral"):
        for kind, figure in figures:
            if kind == wanted:
                return figure
    return None


