"""A staff member's words made plain for reading: folded, one space apart, numbers in digits,
typos mended against the words the reader knows."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from rapidfuzz import fuzz, process
from spellchecker import SpellChecker
from text_to_num import alpha2digit

from ..text import fold_aligned

#: What separates words once folded: apostrophes, hyphens between words, quotes, brackets.
_APART = re.compile(r"(?<=[a-z])['-](?=[a-z])|[«»\"“”()\[\]{}*_|~]|(?<![0-9])-(?![0-9])|'")
_NUMERO = re.compile(r"\bn\s*[°ºo]\s*(?=\d)")  # « n°3 », « nº 3 », « no3 »
_BLANKS = re.compile(r"[ \t\u00a0]+")
_WORD = re.compile(r"[a-z]+")
#: Words too short to mend: a typo there is more often another word.
MIN_MENDED = 6


def plain(text: str, vocabulary: frozenset[str] = frozenset()) -> str:
    """`text` folded, with words set apart, numbers written in words as digits (« vingt-deux
    places » → « 22 places »; « un », « une » stay words), and each longer word that is no French
    word nor one of `vocabulary` replaced by the word of it it is a typo of (« fermme » → « ferme »)."""
    if vocabulary:
        text = _TYPED.sub(lambda m: _mend_typed(m, vocabulary), text)
    folded = _APART.sub(" ", _NUMERO.sub(" numero ", fold_aligned(text).replace("->", " → ")))
    lines = [_BLANKS.sub(" ", line).strip() for line in folded.split("\n")]
    return "\n".join(_digits(line) for line in lines)


_TYPED = re.compile(r"[^\W\d_]+")


def _mend_typed(match: re.Match[str], vocabulary: frozenset[str]) -> str:
    """A word as written, or the vocabulary's word it is a typo of. A word with a capital inside a
    sentence is a name, and a word French knows is no typo (« retient » is not « retirent »)."""
    word = match.group(0)
    folded = fold_aligned(word)
    if len(folded) < MIN_MENDED or folded in vocabulary:
        return word
    text, at = match.string, match.start()
    if word[0].isupper() and text[:at].rstrip(" \t") and text[:at].rstrip(" \t")[-1] not in ".!?\n:":
        return word
    if is_french(word):
        return word
    return mend(folded, vocabulary)


@functools.cache
def _french() -> SpellChecker:
    return SpellChecker(language="fr", distance=1)


def is_french(word: str) -> bool:
    """Whether French knows the word (with its accents: « répondre », « clôturer »)."""
    return word.lower() in _french()


def _digits(line: str) -> str:
    if not line:
        return line
    try:
        return str(alpha2digit(line, "fr", threshold=1.5))
    except Exception:  # text2num on odd input (a word it half knows): the words as they are
        return line


def mend(word: str, vocabulary: frozenset[str]) -> str:
    """The word of `vocabulary` that `word` is a typo of, or `word` itself."""
    if len(word) < MIN_MENDED or word in vocabulary:
        return word
    return _nearest(word, vocabulary)


@functools.lru_cache(maxsize=8192)
def _nearest(word: str, vocabulary: frozenset[str]) -> str:
    # A typo keeps the word's first letter: « trouverez » is no « rouvrez ».
    found = process.extractOne(word, [w for w in _candidates(vocabulary, len(word)) if w[0] == word[0]],
                               scorer=fuzz.ratio, score_cutoff=88)
    return str(found[0]) if found is not None else word


@functools.lru_cache(maxsize=64)
def _candidates(vocabulary: frozenset[str], length: int) -> tuple[str, ...]:
    """The words of about that length (a typo adds, drops or swaps a letter or two)."""
    return tuple(w for w in vocabulary if abs(len(w) - length) <= 2 and len(w) >= MIN_MENDED)


def words(text: str) -> list[str]:
    """The words of a plain text."""
    return _WORD.findall(text)


def vocabulary(*families: Iterable[str]) -> frozenset[str]:
    """The words a reader knows, from phrases and word lists."""
    found: set[str] = set()
    for family in families:
        for phrase in family:
            found.update(_WORD.findall(fold_aligned(phrase)))
    return frozenset(found)
