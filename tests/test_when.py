"""Dates and times read in French text (core/when.py): the measured table, both directions, spans, DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mailflow.core.read.dates import Found, find_date, find_datetime
from mailflow.core.read.text import fold_aligned as fold

from .helpers.project import script

measure = script("measure_dates")
PARIS = measure.PARIS
NOW: datetime = measure.NOW  # Sunday 29 November 2026, noon in Paris


class DateCase(Protocol):
    """A row of the measured table (scripts/measure_dates.py's Case)."""

    sentence: str
    past: bool

    def value(self) -> datetime | date | None: ...


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=PARIS)


def read(text: str, *, past: bool) -> datetime | date | None:
    found = find_datetime(text, NOW, PARIS, past=past)
    return None if found is None else found.value


def same(got: datetime | date | None, meant: datetime | date | None) -> bool:
    """Equal and of the same kind, and for a datetime at the same offset (summer or winter time)."""
    if isinstance(meant, datetime):
        return isinstance(got, datetime) and got.isoformat() == meant.isoformat()
    return type(got) is type(meant) and got == meant


@pytest.mark.parametrize("case", measure.CASES, ids=lambda case: case.sentence[:60])
def test_the_measured_table(case: DateCase) -> None:
    got = read(case.sentence, past=case.past)
    assert same(got, case.value()), got


def test_the_table_is_large_enough() -> None:
    assert len(measure.CASES) >= 40
    assert sum(case.expected is None for case in measure.CASES) >= 8


# Where the direction matters: the same words in the past (a candidature received, a board
# meeting) and in the future (a meeting to come).
BOTH_WAYS = [
    ("reçue le 3 mars à 10 h", at("2026-03-03 10:00"), at("2027-03-03 10:00")),
    ("CA du 12 mars", date(2026, 3, 12), date(2027, 3, 12)),
    ("le 12 décembre", date(2025, 12, 12), date(2026, 12, 12)),
    ("le 29 novembre", date(2026, 11, 29), date(2026, 11, 29)),  # today, either way
    ("le 29 février", date(2024, 2, 29), date(2028, 2, 29)),
    ("le 1er avril", date(2026, 4, 1), date(2027, 4, 1)),
    ("le 03/03 à 10:00", at("2026-03-03 10:00"), at("2027-03-03 10:00")),
    ("mardi", date(2026, 11, 24), date(2026, 12, 1)),
    ("dimanche", date(2026, 11, 22), date(2026, 12, 6)),  # today's weekday: a week off
    ("ce dimanche", date(2026, 11, 29), date(2026, 11, 29)),
    ("mardi dernier", date(2026, 11, 24), date(2026, 11, 24)),
    ("mardi prochain", date(2026, 12, 1), date(2026, 12, 1)),
    ("le 3 mars dernier", date(2026, 3, 3), date(2026, 3, 3)),
    ("le 3 mars prochain", date(2027, 3, 3), date(2027, 3, 3)),
    ("jeudi 12", date(2026, 11, 12), date(2027, 8, 12)),
    ("jeudi 10 h", at("2026-11-26 10:00"), at("2026-12-03 10:00")),
    ("hier", date(2026, 11, 28), date(2026, 11, 28)),
    ("avant hier", date(2026, 11, 27), date(2026, 11, 27)),
    ("aujourd’hui à 9h", at("2026-11-29 09:00"), at("2026-11-29 09:00")),
    ("demain", date(2026, 11, 30), date(2026, 11, 30)),
    ("3 mars 2027", date(2027, 3, 3), date(2027, 3, 3)),  # a year written is kept
    ("10 h 15", at("2026-11-29 10:15"), at("2026-11-30 10:15")),  # before noon: tomorrow's to come
    ("à 14 h", at("2026-11-28 14:00"), at("2026-11-29 14:00")),  # after noon: yesterday's gone
    ("à midi", at("2026-11-29 12:00"), at("2026-11-29 12:00")),
]


@pytest.mark.parametrize(("text", "in_the_past", "to_come"), BOTH_WAYS)
def test_the_direction(text: str, in_the_past: datetime | date, to_come: datetime | date) -> None:
    assert same(read(text, past=True), in_the_past)
    assert same(read(text, past=False), to_come)


@pytest.mark.parametrize("text", [
    "le 31 février", "le 30 fevrier 2027", "le 29 février 2027", "31 avril", "le 31/04/2027",
    "le 3/3/0000", "mardi 7 avril 2027",  # 7 April 2027 is a Wednesday
    "le 31 février à 10 h, ou le 3 mars",  # the first date written decides: no guess at another
])
def test_a_date_that_does_not_exist_is_none(text: str) -> None:
    for past in (True, False):
        assert find_datetime(text, NOW, PARIS, past=past) is None
        assert find_date(text, NOW, PARIS, past=past) is None


@pytest.mark.parametrize("text", [
    "Valider l'idée I0003", "l'OT du Confolentais (16)", "la candidature C0042", "20 places",
    "1/2 journée", "3/4 des places", "12/20 candidatures", "page 3/12", "2 h de route", "3.5 ETP",
    "nous serons sept", "en mars", "début mars", "le 16", "en 2027", "mardis et jeudis",
    "Tél. 05 45 12 03 27", "version 1.2.3", "20 hectares", "le mardigras", "https://ot.fr/2026/03/03",
    "",
])
def test_no_date_is_read_where_there_is_none(text: str) -> None:
    for past in (True, False):
        assert find_datetime(text, NOW, PARIS, past=past) is None, text


def test_the_words_found_and_what_remains() -> None:
    text = ("Ajouter la candidature de Jeanne Martin, directrice de l'OT du Confolentais (16), reçue en "
            "réunion départementale le 3 mars à 10 h, pour le groupe OT ruraux")
    found = find_datetime(text, NOW, PARIS, past=True)
    assert found is not None
    assert text[found.start : found.end] == "le 3 mars à 10 h"
    assert found.has_time and found.day == date(2026, 3, 3)
    assert found.rest(text) == ("Ajouter la candidature de Jeanne Martin, directrice de l'OT du Confolentais "
                                "(16), reçue en réunion départementale, pour le groupe OT ruraux")
    text = "Changer la date de la première rencontre au mardi 6 avril 2027 à 9 h 30 svp"
    found = find_datetime(text, NOW, PARIS, past=False)
    assert found is not None and text[found.start : found.end] == "mardi 6 avril 2027 à 9 h 30"
    assert found.rest(text) == "Changer la date de la première rencontre au svp"
    text = "Rencontre à 10 h le 3 mars à Niort"
    found = find_datetime(text, NOW, PARIS, past=False)
    assert found is not None and text[found.start : found.end] == "à 10 h le 3 mars"


def test_find_date_gives_the_day_and_covers_the_time() -> None:
    text = "Valider l'idée I0003 (CA du 12 mars à 18 h)"
    found = find_date(text, NOW, PARIS, past=True)
    assert found == Found(date(2026, 3, 12), text.index("12"), text.index(")"))
    assert not found.has_time
    assert found.rest(text) == "Valider l'idée I0003 (CA du)"
    assert find_date("à 10 h 15", NOW, PARIS, past=True) is None  # a time is no day
    assert find_datetime("à 10 h 15", NOW, PARIS, past=True) is not None


def test_spelling_case_and_typography() -> None:
    meant = at("2027-02-03 10:00")
    for text in ("le 3 février 2027 à 10 h", "LE 3 FEVRIER 2027 A 10 H", "le 3 févr. 2027 à 10h",
                 "le 3 fev 2027 à 10:00", "le 3\u00a0février\u00a02027 à\u00a010\u202fh", "03/02/2027 10h",
                 "le 3 février 2027, 10 heures", "3-2-2027 à 10 h 00"):
        assert same(read(text, past=False), meant), text
    for text, month in (("1er janv.", 1), ("1ᵉʳ aout", 8), ("premier août", 8), ("1 sept.", 9),
                        ("1 déc", 12), ("1er Décembre", 12), ("1 juil.", 7), ("1 avr", 4)):
        found = read(text, past=False)
        assert isinstance(found, date) and (found.month, found.day) == (month, 1), text


def test_summer_and_winter_time() -> None:
    summer = read("le 6 avril 2027 à 9 h 30", past=False)
    winter = read("le 6 janvier 2027 à 9 h 30", past=False)
    assert isinstance(summer, datetime) and summer.utcoffset() == timedelta(hours=2)
    assert isinstance(winter, datetime) and winter.utcoffset() == timedelta(hours=1)
    # 2 h 30 does not exist on the night clocks go forward: it is read as 3 h 30 summer time.
    skipped = read("le 28 mars 2027 à 2 h 30", past=False)
    assert isinstance(skipped, datetime) and skipped.isoformat() == "2027-03-28T03:30:00+02:00"
    # 2 h 30 happens twice on the night they go back: the first, still summer time.
    twice = read("le 31 octobre 2027 à 2 h 30", past=False)
    assert isinstance(twice, datetime) and twice.isoformat() == "2027-10-31T02:30:00+02:00"


def test_now_in_any_zone_or_naive() -> None:
    # 23:30 UTC on 29 November is already 30 November in Paris.
    late = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)
    found = find_date("reçue aujourd'hui", late, PARIS, past=True)
    assert found is not None and found.value == date(2026, 11, 30)
    naive = find_date("reçue aujourd'hui", datetime(2026, 11, 29, 23, 30), PARIS, past=True)
    assert naive is not None and naive.value == date(2026, 11, 29)  # naive: already Paris time


FRAGMENTS = ["le ", "1er ", "31 ", "3 ", "29 ", "février ", "fevr. ", "mars", "2027 ", "à ", "10 h ",
             "9h30", "10:00", "midi", "/", "03/03", "-", ".", "mardi ", "prochain ", "dernier ", "hier",
             "avant-", "aujourd'hui", "ce ", "jeudi 12 ", "du ", "au ", "I0003", "(16)", ", ", "0000", "99"]


@given(st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)), max_size=12), st.booleans(),
       st.datetimes(min_value=datetime(1901, 1, 1), max_value=datetime(2098, 12, 31)))
def test_any_text_never_raises(parts: list[str], past: bool, now: datetime) -> None:
    text = "".join(parts)
    assert len(fold(text)) == len(text)
    for reader in (find_datetime, find_date):
        found = reader(text, now, PARIS, past=past)
        if found is not None:
            assert 0 <= found.start < found.end <= len(text)
            if isinstance(found.value, datetime):
                assert found.value.tzinfo is PARIS
            found.rest(text)


@given(st.text(), st.booleans())
def test_any_unicode_never_raises(text: str, past: bool) -> None:
    assert len(fold(text)) == len(text)
    find_datetime(text, NOW, PARIS, past=past)
    find_date(text, NOW, PARIS, past=past)
