"""Review's pure parts: a reviewer's answer read in their own words, a request to stop reviewing,
the outcomes in force, the trust figures and what is kept of settled reviews."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mailflow.config.review import KNOWN
from mailflow.core.decide.review import category, in_a_row, in_force, kept, trust
from mailflow.core.read.review import Answer, read_answer, read_stop
from mailflow.model.enums import ReviewFate
from mailflow.model.review import Review

SEND, HOLD, CORRECT, UNCLEAR = Answer.SEND, Answer.HOLD, Answer.CORRECT, Answer.UNCLEAR


@pytest.mark.parametrize(("written", "answer"), [
    ("OK", SEND), ("ok merci", SEND), ("oui", SEND), ("Oui, je confirme.", SEND),
    ("Parfait, envoie", SEND), ("parfait, envoie !", SEND), ("C’est bon pour moi", SEND),
    ("Ça me va", SEND), ("Nickel", SEND), ("Pas de souci, envoie", SEND), ("Tu peux envoyer", SEND),
    ("Bonjour,\n\nOK\n\nClaire", SEND), ("Bonjour, OK pour moi", SEND), ("", SEND),
    ("Go", SEND), ("Valide", SEND),
    ("non", HOLD), ("Non, on attend", HOLD), ("pas encore", HOLD), ("On attend la réponse de Luc", HOLD),
    ("Attends, je vérifie son profil", HOLD), ("N’envoie pas", HOLD), ("Tu peux attendre lundi ?", HOLD),
    ("Non, refuse-la : hors profil", HOLD), ("Stop", HOLD), ("Pas maintenant", HOLD),
    ("OK mais pas avant lundi", UNCLEAR), ("Marie a déjà appelé hier", UNCLEAR),
    ("Je n’ai rien à redire", UNCLEAR), ("Tu es sûre pour le quota ? Elle est en Gironde je crois", UNCLEAR),
    ("Bonjour,\n\nNon, elle n’est pas directrice, je l’appelle demain pour voir avec elle", HOLD),
    ("Bonjour Marie, c’est confirmé, à bientôt !", CORRECT),
    ("Bonjour Marie,\n\nBienvenue !\n\nClaire", CORRECT),
    ("Remplace par :\n\nBonjour Marie, bienvenue !", CORRECT),
    ("Bonjour Marie,\n\nVotre place est confirmée. Nous vous attendons le 6 avril.\n\nBien à vous", CORRECT),
    ("Bonjour Madame Dupont, votre place est confirmée. À très bientôt !", CORRECT),
    ("Nous avons bien reçu votre candidature et vous confirmons votre place dans le groupe.", CORRECT),
])
def test_an_answer_is_read_as_a_colleague_reads_it(written: str, answer: Answer) -> None:
    assert read_answer(written, member="Marie Dupont").answer is answer


def test_a_correction_is_the_whole_letter_with_its_signature() -> None:
    reading = read_answer("Bonjour Marie,\n\nVotre place est confirmée.", "Bien cordialement,\nClaire")
    assert reading.text == "Bonjour Marie,\n\nVotre place est confirmée.\n\nBien cordialement,\nClaire\n"


def test_a_text_announced_after_ok_is_the_one_that_goes() -> None:
    reading = read_answer("OK, mais envoie plutôt ceci :\n\nBonjour Marie,\nc’est confirmé.")
    assert (reading.answer, reading.text) == (CORRECT, "Bonjour Marie,\nc’est confirmé.\n")


def test_the_code_never_goes_to_the_member() -> None:
    reading = read_answer("Bonjour Marie,\n\nVotre place est confirmée [MF-ABCDEFGH23], à bientôt.")
    assert reading.answer is CORRECT and "MF-" not in reading.text


@pytest.mark.parametrize(("written", "outcome"), [
    ("Arrêter la relecture des réponses « confirmed »", "confirmed"),
    ("on peut arrêter de relire les confirmations", "confirmed"),
    ("plus besoin de relire les listes d’attente", "waitlisted"),
    ("stop relecture waitlisted", "waitlisted"),
    ("ne plus relire les désistements à confirmer", "withdrawal-to-confirm"),
    ("arrête la relecture stp", ""),
    ("Clore l’appel OT ruraux", None),
    ("Arrêter l’appel, j’ai relu les candidatures", None),
    ("Pas besoin de relire la fiche, elle est bonne", None),
])
def test_a_request_to_stop_reviewing_names_its_outcome(written: str, outcome: str | None) -> None:
    assert read_stop(written, KNOWN) == outcome


def test_staff_changes_stop_and_resume_outcomes_over_the_file() -> None:
    changes = {"confirmed": {"review": False}, "refused": {"review": True}}
    assert in_force(("confirmed", "waitlisted"), changes) == ("waitlisted", "refused")
    assert in_force(("confirmed",), {}) == ("confirmed",)


NOW = datetime(2027, 3, 1, tzinfo=UTC)


def _review(number: int, fate: ReviewFate, days_ago: float, *, held: bool = False,
            outcome: str = "confirmed") -> Review:
    at = NOW - timedelta(days=days_ago)
    return Review(f"<{number}@x>", number, outcome, at, ("h",), fate=fate,
                  settled_at=None if fate is ReviewFate.WAITING else at + timedelta(hours=1),
                  held_at=at if held else None)


def test_each_reply_counts_once_where_it_ended() -> None:
    assert [category(r) for r in (
        _review(1, ReviewFate.SENT, 1), _review(2, ReviewFate.SENT, 1, held=True),
        _review(3, ReviewFate.CORRECTED, 1, held=True), _review(4, ReviewFate.DROPPED, 1),
        _review(5, ReviewFate.WAITING, 1))] == ["drafted", "held", "corrected", "held", "waiting"]


def test_the_figures_count_thirty_days_and_the_run_counts_the_latest() -> None:
    reviews = [_review(1, ReviewFate.CORRECTED, 40), _review(2, ReviewFate.SENT, 20, held=True),
               *(_review(n, ReviewFate.SENT, 10 - n / 10) for n in range(3, 8)),
               _review(8, ReviewFate.WAITING, 0.1), _review(9, ReviewFate.SENT, 5, outcome="waitlisted")]
    (confirmed, waitlisted) = trust(reviews, NOW)
    assert (confirmed.drafted, confirmed.corrected, confirmed.held, confirmed.waiting) == (5, 0, 1, 1)
    assert confirmed.in_a_row == 5 and in_a_row(reviews, "waitlisted") == 1 == waitlisted.drafted


def test_settled_reviews_are_kept_for_the_window_and_for_the_run() -> None:
    old = [_review(n, ReviewFate.SENT, 60 + n) for n in range(1, 6)]
    waiting = _review(9, ReviewFate.WAITING, 90)
    assert [r.number for r in kept([*old, waiting], NOW, trust_after=3)] == [1, 2, 3, 9]
