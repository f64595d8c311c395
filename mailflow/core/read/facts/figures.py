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
#: « 3 ETP et demi », « trois permanents et demi », « un ETP et quart ».
_FRACTION_AFTER = re.compile(r"^\s*(?:[a-z.]+\s+){0,3}(?:et (?P<f>demie?|quart|trois quarts)\b"
                             r"|(?P<g>1/2|½|1/4|¼|3/4|¾)(?![\d/]))")
_FRACTIONS = {"demi": 0.5, "demie": 0.5, "quart": 0.25, "trois quarts": 0.75, "1/2": 0.5, "½": 0.5,
              "1/4": 0.25, "¼": 0.25, "3/4": 0.75, "¾": 0.75}
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
    fraction = _FRACTION_AFTER.match(after)
    if fraction:
        value += _FRACTIONS[fraction["f"] or fraction["g"]]
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
# corrige : 4 900 », « 12 000 habitants… pardon, je confonds avec la communauté : c'est 3 800 »:
# the figure said last is the one meant. « 3 ETP et non 4 », « 3 000 habitants, et pas 30 000
# comme je l'ai écrit »: the figure denied is none. « j'ai écrit que nous étions 8 ETP »: a figure
# the member says they wrote before is stale when another is given. « 3 000 habitants, voire
# 3 100 » is both: a range.

_CUES = (r"pardon|plutot|je corrige|je rectifie|correction|rectificatif|rectification|rectif|en fait"
         r"|erratum|oups|je me (?:suis )?(?:trompee?|plantee?)|je voulais dire|plus exactement"
         r"|plus precisement|pour etre (?:exacte?|precise?)|au temps pour moi|mea culpa|en realite"
         r"|en vrai|non attends?|je confonds|j'ai confondu|faute de frappe|erreur de frappe"
         r"|je reformule|je veux dire")
_CORRECTION = re.compile(
    rf"[^\d\n]{{0,80}}?(?<!\w)(?:{_CUES})(?!\w)[^\d\n.!?]{{0,80}}?(?P<n>{NUMBER})"
    rf"|[^\d\n]{{0,6}}?(?<!\w)(?<!et )(?<!mais )(?<!ou )(?:enfin|non|mais|a vrai dire|disons)[ ,:]{{1,3}}"
    rf"(?P<m>{NUMBER})"
    # « 6 ETP en comptant les saisonniers, donc 5 à l'année »
    rf"|[^\n]{{0,60}}?(?<!\w)donc (?P<y>{NUMBER}) (?=(?:etp )?(?:a l'annee|permanent|hors saison))")
_WIDER = re.compile(rf"[^\d\n]{{0,15}}?(?<!\w)voire (?:meme )?(?P<n>{NUMBER})")
_UNITS = {"fte": re.compile(r"\s*(etp|e\.t\.p|equivalent|salari|personne|agent|temps|permanent|poste"
                            r"|collaborat|employe|plein|mi-temps|a temps|a plein|a mi|a \d)"),
          "population": re.compile(r"\s*(hab|ame|resident)")}
#: What may follow a number said without its unit (« pardon, 5 depuis décembre »): no other noun.
_BARE = re.compile(r"[ \t]*(?:$|[\n,.;:!?)(…—–-]|(?:pour|depuis|avec|en|a|au|aux|dans|sur|comme|si|sans"
                   r"|maintenant|seulement|exactement|pile|tout rond|et|mais|car|donc|selon|d'apres|cette"
                   r"|cet|ce|aujourd'hui|actuellement|desormais|tous|toutes|au total|en tout|environ"
                   r"|a peu pres)(?!\w))")
#: Before a figure the member denies: « et non 4 », « et pas 30 000 », « au lieu de 6 ».
_DENIED = re.compile(r"(?<!\w)(?:(?:et|mais|ou) (?:non|pas)(?: pas)?|non pas|au lieu de|plutot que)\s*$")
#: Before a figure the member says they gave before: « j'ai écrit que nous étions 8 ETP ».
_STALE = re.compile(r"(?<!\w)(?:(?:nous etions|on etait|c'etait|nous comptions)\b[^.;!?\n\d]{0,20}$"
                    r"|(?:j'ai|j'avais|on a|nous avons|nous avions)(?: \w+)? (?:ecrit|indique|mis|dit"
                    r"|note|annonce|donne|mentionne|tape)\b[^.;!?\n\d]{0,40}$)")


def _same_kind(scan: str, end: int, kind: str) -> bool:
    """Whether the number ending at `end` is followed by a unit of `kind` (« fte », « population »),
    or by no noun at all."""
    return bool(_UNITS[kind].match(scan, end) or _BARE.match(scan, end))


def corrected(scan: str, end: int, kind: str) -> tuple[int, int] | None:
    """Where the member corrects the figure that ends at `end` (its unit included), if they do:
    the span of the number meant instead."""
    m = _CORRECTION.match(scan, end)
    if m is None:
        return None
    group = next(g for g in ("n", "m", "y") if m[g] is not None)
    return (m.start(group), m.end(group)) if _same_kind(scan, m.end(group), kind) else None


def denied(scan: str, start: int) -> bool:
    """Whether the figure at `start` is one the member denies (« 3 ETP et non 4 »)."""
    return _DENIED.search(scan, max(0, start - 30), start) is not None


def stale(scan: str, start: int) -> bool:
    """Whether the figure at `start` is one the member says they wrote before (« j'ai écrit que
    nous étions 8 ETP, nous sommes en réalité 6,5 ETP »)."""
    line = scan.rfind("\n", 0, start) + 1
    return _STALE.search(scan, max(line, start - 80), start) is not None


def widened(scan: str, end: int, kind: str) -> tuple[int, int] | None:
    """The other end of a figure said with « voire » (« 3 000 habitants, voire 3 100 »)."""
    m = _WIDER.match(scan, end)
    return (m.start("n"), m.end("n")) if m and _same_kind(scan, m.end("n"), kind) else None


def describe(figure: Figure, unit: str = "") -> str:
    """A figure in French words, as staff tables show it: « 6,5 », « moins de 10 », « 11 à 14 »;
    a count of people as such (« 11 personnes »), whatever the unit of the quantity."""
    if figure.people:
        unit = "personne" if figure.high <= 1 else "personnes"
    suffix = f" {unit}" if unit else ""
    if figure.low == figure.high and not (figure.low_open or figure.high_open):
        return french_number(figure.low) + suffix
    if figure.high == INF:
        return f"{'plus de' if figure.low_open else 'au moins'} {french_number(figure.low)}{suffix}"
    if figure.low == 0:
        return f"{'moins de' if figure.high_open else 'au plus'} {french_number(figure.high)}{suffix}"
    return f"{french_number(figure.low)} à {french_number(figure.high)}{suffix}"
