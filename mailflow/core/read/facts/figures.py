"""Figures as people write them (« environ 12 500 », « moins de 10 », « une dizaine »): ranges.

A figure is an interval with open or closed ends and the words it came from. A criterion is
settled when the whole interval is on one side of it (« moins de 10 ETP » is fewer than 10), and
asked about when it straddles it (« environ 20 000 » against « at most 20 000 »).
"""

from __future__ import annotations

import math
import re

from ....model.values import Figure
from ...french import number as french_number

INF = math.inf


# --- reading -------------------------------------------------------------------------------------
#
# The text is folded (lower case, no accents) and its numbers in words turned into digits first
# (text2num: « douze mille cinq cents » → 12500); the patterns below read what surrounds them.

_THOUSANDS = r"\d{1,3}(?:[ .]\d{3})+(?![\d.,]\d)"
# A number is whole: « 12 000 » is never read as « 12 » followed by something else.
NUMBER = rf"(?:{_THOUSANDS}|\d+(?:[.,]\d+)?(?![ .]\d{{3}}\b))(?:\s?k(?![a-z]))?"
_APPROX_WORDS = {  # « une dizaine » and its kin: the range people mean
    "dizaine": (8, 12), "douzaine": (10, 14), "quinzaine": (13, 17), "vingtaine": (17, 23),
    "trentaine": (27, 33), "quarantaine": (37, 43), "cinquantaine": (45, 55), "centaine": (90, 110),
    "millier": (800, 1200),
}
APPROX_WORD = rf"(?:une?|d'une?) (?:petite |bonne )?(?:{'|'.join(_APPROX_WORDS)})(?: de| d')?"

# Words before a number and the range they make of it, as (low factor, low open, high factor,
# high open); None stands for 0 below or infinity above.
_BEFORE: tuple[tuple[str, tuple[float | None, bool, float | None, bool]], ...] = (
    (r"un (?:petit )?peu (?:plus|au-dessus) de|legerement (?:plus|au-dessus) de|a peine plus de"
     r"|un poil plus de", (1.0, True, 1.15, False)),
    (r"un (?:petit )?peu moins de|legerement moins de|un poil moins de", (0.85, False, 1.0, True)),
    (r"pres de|presque|quasiment|pas loin de|a peine moins de|bientot", (0.9, False, 1.0, False)),
    (r"environ|env\.?|a peu pres|approximativement|autour de|aux alentours de|grosso modo|dans les"
     r"|de l'ordre de|a vue de nez|~|±", (0.9, False, 1.1, False)),
    (r"pas plus de|au plus|au maximum|maximum|max\.?|jusqu'a|tout au plus|<=|≤", (None, False, 1.0,
                                                                                  False)),
    (r"moins de|inferieure? a|en dessous de|sous les|<", (None, False, 1.0, True)),
    (r"au moins|au minimum|minimum|pas moins de|>=|≥", (1.0, False, None, False)),
    (r"plus de|superieure? a|au-dela de|au-dessus de|>", (1.0, True, None, False)),
)
_BEFORE_PATTERNS = tuple((re.compile(rf"(?:^|[\s(:])(?:{words})\s*$"), shape)
                         for words, shape in _BEFORE)
_EXACT_AFTER = re.compile(r"^\s*(?:[a-z.]+\s+)?(?:exactement|tout rond|pile|precisement|tout juste)\b")
_APPROX_AFTER = re.compile(r"^\s*(?:[a-z.]+\s+)?(?:environ|a peu pres|approximativement|grosso modo)\b")
_MAX_AFTER = re.compile(r"^\s*(?:[a-z.]+\s+)?(?:au plus|maximum|max\b|au maximum|tout au plus)")
_HALF_AFTER = re.compile(r"^\s*(?:[a-z.]+\s+){0,3}et demie?\b")
_RANGE = re.compile(rf"(?:entre\s+)?(?P<a>{NUMBER})\s*(?:et|a|-|/)\s*(?P<b>{NUMBER})")


def number(text: str) -> float:
    """A number as written: « 12 500 », « 12.500 », « 4,5 », « 4.5 », « 7k »."""
    text = text.strip()
    scale = 1
    if text.endswith("k"):
        text, scale = text[:-1].strip(), 1000
    if re.fullmatch(_THOUSANDS, text):
        return float(re.sub(r"[ .]", "", text)) * scale
    return float(text.replace(",", ".")) * scale


def _shape(value: float, shape: tuple[float | None, bool, float | None, bool]) -> Figure:
    low_factor, low_open, high_factor, high_open = shape
    low = 0.0 if low_factor is None else value * low_factor
    high = INF if high_factor is None else value * high_factor
    if low_factor is None:
        low_open = False
    return Figure(low, high, low_open, high_open)


def reading(before: str, token: str, after: str) -> tuple[Figure, int]:
    """The figure `token` stands for, read with the words just before and after it (folded),
    and how many characters of `before` belong to it (its qualifier, « environ », « moins de »)."""
    approx = re.fullmatch(rf"(?:une?|d'une?) (?:petite |bonne )?(?P<w>{'|'.join(_APPROX_WORDS)})"
                          r"(?: de| d')?", token.strip())
    if approx:
        low, high = _APPROX_WORDS[approx["w"]]
        return Figure(low, high), 0
    ranged = _RANGE.fullmatch(token.strip())
    if ranged:
        a, b = number(ranged["a"]), number(ranged["b"])
        return Figure(min(a, b), max(a, b)), 0
    value = number(token)
    if _HALF_AFTER.match(after):
        value += 0.5
    if _EXACT_AFTER.match(after):
        return Figure.exact(value), 0
    if _APPROX_AFTER.match(after):
        return _shape(value, (0.9, False, 1.1, False)), 0
    if _MAX_AFTER.match(after):
        return _shape(value, (None, False, 1.0, False)), 0
    clause = re.split(r"[,;:.!?\n]| et | mais ", before)[-1] if before else ""
    for pattern, shape in _BEFORE_PATTERNS:
        found = pattern.search(clause)
        if found:
            used = len(clause) - found.start() - (1 if clause[found.start()] in " (:" else 0)
            return _shape(value, shape), used
    return Figure.exact(value), 0


# --- Corrected in the same breath ----------------------------------------------------------------
#
# « 7 000 habitants… enfin c'est plutôt 5 800 », « 6 ETP… pardon, 5,5 », « environ 5 000 — je
# corrige : 4 900 »: the figure said last is the one meant. « 3 000 habitants, voire 3 100 » is
# both: a range.

_CUES = (r"pardon|plutot|je corrige|je rectifie|correction|rectificatif|rectification|en fait|erratum"
         r"|oups|je me (?:suis )?trompee?|je voulais dire|plus exactement|plus precisement"
         r"|pour etre (?:exacte?|precise?)|au temps pour moi|mea culpa")
_CORRECTION = re.compile(
    rf"[^\d\n]{{0,80}}?(?<!\w)(?:{_CUES})(?!\w)[^\d\n]{{0,25}}?(?P<n>{NUMBER})"
    rf"|[^\d\n]{{0,6}}?(?<!\w)(?:enfin|non|mais|en realite|en vrai|a vrai dire|disons)[ ,:]{{1,3}}"
    rf"(?P<m>{NUMBER})"
    # « 6 ETP en comptant les saisonniers, donc 5 à l'année »
    rf"|[^\n]{{0,60}}?(?<!\w)donc (?P<y>{NUMBER}) (?=(?:etp )?(?:a l'annee|permanent|hors saison))")
_WIDER = re.compile(rf"[^\d\n]{{0,15}}?(?<!\w)voire (?:meme )?(?P<n>{NUMBER})")
_UNITS = {"fte": re.compile(r"\s*(etp|e\.t\.p|equivalent|salari|personne|agent|temps)"),
          "population": re.compile(r"\s*(hab|ame|resident)")}


def _same_kind(scan: str, end: int, kind: str) -> bool:
    """Whether the number ending at `end` has no unit, or one of `kind` (« fte », « population »)."""
    return not any(pattern.match(scan, end) for other, pattern in _UNITS.items() if other != kind)


def corrected(scan: str, end: int, kind: str) -> tuple[int, int] | None:
    """Where the member corrects the figure that ends at `end` (its unit included), if they do:
    the span of the number meant instead."""
    m = _CORRECTION.match(scan, end)
    if m is None:
        return None
    group = next(g for g in ("n", "m", "y") if m[g] is not None)
    return (m.start(group), m.end(group)) if _same_kind(scan, m.end(group), kind) else None


def widened(scan: str, end: int, kind: str) -> tuple[int, int] | None:
    """The other end of a figure said with « voire » (« 3 000 habitants, voire 3 100 »)."""
    m = _WIDER.match(scan, end)
    return (m.start("n"), m.end("n")) if m and _same_kind(scan, m.end("n"), kind) else None


def describe(figure: Figure, unit: str = "") -> str:
    """A figure in French words, as staff tables show it: « 6,5 », « moins de 10 », « 11 à 14 »."""
    suffix = f" {unit}" if unit else ""
    if figure.is_exact:
        return french_number(figure.low) + suffix
    if figure.high == INF:
        return f"{'plus de' if figure.low_open else 'au moins'} {french_number(figure.low)}{suffix}"
    if figure.low == 0:
        return f"{'moins de' if figure.high_open else 'au plus'} {french_number(figure.high)}{suffix}"
    return f"{french_number(figure.low)} à {french_number(figure.high)}{suffix}"
