"""Every value people read has its French words, in one table per enum."""

from __future__ import annotations

import enum
from datetime import UTC, datetime, timedelta
from typing import cast

import pytest

from mailflow.core import french
from mailflow.model import enums

# Template names are files' names, never shown to anybody: they have no words.
ENUMS = [value for value in vars(enums).values()
         if isinstance(value, type) and issubclass(value, enum.Enum) and value.__module__ == enums.__name__
         and value is not enums.Template]


def test_every_enum_of_the_model_has_its_table() -> None:
    assert {kind for kind, _ in french.TABLES} == set(ENUMS)


@pytest.mark.parametrize(("kind", "table"), french.TABLES, ids=[k.__name__ for k, _ in french.TABLES])
def test_every_value_has_its_words(kind: type[enum.Enum], table: dict[object, object]) -> None:
    assert set(table) == set(kind)
    for value in kind:
        words = table[value]
        fact = cast(french.FactWords, words)  # what is not a str in a table: a fact's words
        texts = [words] if isinstance(words, str) else [fact.short, fact.asked]
        assert all(t.strip() and t == t.strip() for t in texts), value


def test_an_unknown_fact_from_an_older_store_is_shown_as_it_is() -> None:
    assert french.fact_short("fte") == "ETP"
    assert french.fact_short("âge") == "âge"


@pytest.mark.parametrize(("count", "said"), [(0, "aucune idée"), (1, "1 idée"), (2, "2 idées"),
                                              (12000, "12\u202f000 idées")])
def test_plurals_are_written_out(count: int, said: str) -> None:
    assert french.plural(count, "idée", none="aucune idée") == said


def test_a_plural_may_be_irregular_and_zero_is_singular() -> None:
    assert french.plural(3, "message envoyé", "messages envoyés") == "3 messages envoyés"
    assert french.plural(0, "déjà traité", "déjà traités") == "0 déjà traité"


@pytest.mark.parametrize(("size", "said"), [
    (0, "0 Ko"), (20, "0,1 Ko"), (500, "0,5 Ko"), (1234, "1,2 Ko"), (1024 * 1000, "1\u202f000 Ko"),
    (1024 * 1024 - 1, "1 Mo"), (25 * 1024 * 1024, "25 Mo"), (3 * 1024 * 1024 // 2, "1,5 Mo"),
])
def test_sizes_in_one_scale(size: int, said: str) -> None:
    assert french.size(size) == said.replace(" ", french.NBSP)


@pytest.mark.parametrize(("delta", "said"), [
    (timedelta(seconds=20), "à l’instant"), (timedelta(minutes=1), "il y a 1 minute"),
    (timedelta(minutes=59), "il y a 59 minutes"), (timedelta(hours=5), "il y a 5 heures"),
    (timedelta(days=1), "il y a 1 jour"), (timedelta(days=3, hours=23), "il y a 3 jours"),
    (timedelta(days=29), "il y a 29 jours"), (timedelta(days=75), "il y a 2 mois"),
    (timedelta(days=400), "il y a 1 an"), (-timedelta(days=2), "dans 2 jours"),
])
def test_ages_as_french_says_them(delta: timedelta, said: str) -> None:
    now = datetime(2027, 4, 6, 9, 30, tzinfo=UTC)
    assert french.ago(now - delta, now) == said


def test_outcomes_and_staff_mail_have_their_words() -> None:
    assert french.outcome_words("confirmed") == "inscription confirmée"
    assert french.outcome_words("staff-alert") == "alerte à l’équipe"
    assert french.outcome_words("from-a-later-version") == "from-a-later-version"


@pytest.mark.parametrize(("name", "role", "known"), [
    ("Marie Dupont", "Directrice", "f"),
    ("Luc Garnier", "DIRECTEUR", "m"),
    ("Mme Claude Roux", "Direction", "f"),  # a civility says it
    ("M. Dominique Roux", None, "m"),
    ("Madame Camille Petit", "Directeur", "f"),  # the civility wins over a role
    (None, "Chargée de mission auprès du directeur", "f"),  # the first word that agrees
    (None, "directrice adjointe", "f"),
    (None, "Directeur·rice", None),  # written for both
    (None, "directeur(trice)", None),
    (None, "chargé.e de mission", None),
    (None, "Directeur ou directrice", None),
    ("Dominique Martin", "Responsable de l’accueil", None),  # nothing agrees; no first name read
    ("Marie Dupont", None, None),
])
def test_agreement_follows_what_is_known_and_never_a_first_name(name: str | None, role: str | None,
                                                                known: str | None) -> None:
    assert french.gender(name, role) == known


def test_without_agreement_known_the_words_need_none() -> None:
    words = ("vous êtes inscrit", "vous êtes inscrite", "votre inscription est confirmée")
    assert [french.agree(k, *words) for k in ("m", "f", None)] == list(words)


@pytest.mark.parametrize(("given", "clause", "fitted"), [
    ("Directeurs et directrices d’offices de tourisme ruraux.",
     "directeurs et directrices d’offices de tourisme ruraux",
     "directeurs et directrices d’offices de tourisme ruraux."),
    ("L’appel est clos ; ", "l’appel est clos", "l’appel est clos."),
    ("OT ruraux seulement", "OT ruraux seulement", "OT ruraux seulement."),  # an acronym keeps it
    ("M. Dupont a pris la place.", "M. Dupont a pris la place", "M. Dupont a pris la place."),
    ("Pourquoi pas ?", "pourquoi pas ?", "pourquoi pas ?"),  # its own end, said once
    ("suivre les deux journées…", "suivre les deux journées…", "suivre les deux journées…"),
    ("", "", ""),
])
def test_words_from_elsewhere_fit_after_our_colon(given: str, clause: str, fitted: str) -> None:
    assert french.clause(given) == clause
    assert french.fitted(given) == fitted


def test_a_clause_made_a_sentence_starts_with_a_capital_and_ends_once() -> None:
    assert french.sentence("vous indiquez « environ 20 000 » : pouvez-vous préciser ?") == \
        "Vous indiquez « environ 20 000 » : pouvez-vous préciser ?"
    assert french.sentence("ce chiffre ne suffit pas") == "Ce chiffre ne suffit pas."


@pytest.mark.parametrize(("role_text", "said"), [
    ("directrice", "Bonjour Madame la Directrice,"),
    ("La Directrice", "Bonjour Madame la Directrice,"),  # signed so, under her signature
    ("le directeur", "Bonjour Monsieur le Directeur,"),
    ("chargée de communication", "Bonjour,"),
    (None, "Bonjour,"),
])
def test_a_member_without_a_name_is_greeted_by_her_role(role_text: str | None, said: str) -> None:
    assert french.greeting(None, role_text) == said


@pytest.mark.parametrize(("name", "said"), [
    ("Anne Rousseau", "d’Anne Rousseau"), ("Hervé Lemoine", "d’Hervé Lemoine"), ("Émilie", "d’Émilie"),
    ("Marie Dupont", "de Marie Dupont")])
def test_de_before_a_name_is_elided_as_french_says_it(name: str, said: str) -> None:
    assert french.of(name) == said
