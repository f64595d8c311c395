"""Every template's own words, for members and for staff, with French spaces: a non-breaking
space before « : » and inside « », a narrow one before « ; ! ? » (what a line may never be
wrapped at: « repas » / « ? » on two lines)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .helpers.project import ROOT

#: Jinja's own syntax and HTML tags: not words anyone reads.
_MARKUP = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}|<[^>]*>", re.S)
_PLAIN_SPACE = re.compile(r" [:;!?»]|« ")


@pytest.mark.parametrize("template", sorted((ROOT / "templates").glob("*.j2")), ids=lambda p: p.name)
def test_the_words_of_every_template_have_french_spaces(template: Path) -> None:
    words = _MARKUP.sub("\u2063", template.read_text(encoding="utf-8"))
    found = [m.group(0) + "…" + words[m.end():m.end() + 30] for m in _PLAIN_SPACE.finditer(words)]
    assert found == []


def test_the_check_sees_a_plain_space() -> None:
    assert _PLAIN_SPACE.search(_MARKUP.sub("", "Bonjour {{ name }} : merci")) is not None
