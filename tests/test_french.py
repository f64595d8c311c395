"""Every value people read has its French words, in one table per enum."""

from __future__ import annotations

import enum

import pytest

from mailflow import enums
from mailflow.core import french

ENUMS = [value for value in vars(enums).values()
         if isinstance(value, type) and issubclass(value, enum.Enum) and value.__module__ == enums.__name__]


def test_every_enum_of_the_model_has_its_table() -> None:
    assert {kind for kind, _ in french.TABLES} == set(ENUMS)


@pytest.mark.parametrize(("kind", "table"), french.TABLES, ids=[k.__name__ for k, _ in french.TABLES])
def test_every_value_has_its_words(kind: type[enum.Enum], table: dict[object, object]) -> None:
    assert set(table) == set(kind)
    for value in kind:
        words = table[value]
        texts = [words] if isinstance(words, str) else [words.short, words.asked]  # type: ignore[attr-defined]
        assert all(t.strip() and t == t.strip() for t in texts), value


def test_an_unknown_fact_from_an_older_store_is_shown_as_it_is() -> None:
    assert french.fact_short("fte") == "ETP"
    assert french.fact_short("âge") == "âge"
