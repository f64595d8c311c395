"""Review (« relecture ») through the real pipeline: the decision at arrival, the member's reply
held, the reviewers' answers in their own words, what goes and what waits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mailflow.config.settings import Settings
from mailflow.model.enums import ReviewFate

from .helpers.messages import (
    LUC,
    MARIE,
    NADIA,
    STAFF,
    deliver,
    member_reply,
    role_ot_applicants,
    staff_answer,
    staff_message,
)
from .helpers.project import SAMPLES
from .helpers.review import (
    answer_review,
    code_of,
    draft_of,
    mail_to,
    maries_review,
    review_mail_for,
    review_mails,
    stored_reviews,
)
from .helpers.runs import body_html, body_text, cli, run_once, sent_mail, staff_action_mail, staff_mail
from .helpers.worlds import ot_ruraux_statuses

MARIE_ID = "<01-candidature-formulaire-ot-ruraux@mail.example.fr>"


def _said(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def _place(message_text: str) -> str:
    return next(line for line in _said(message_text).split(". ") if "place" in line)


def test_the_decision_is_taken_at_arrival_and_only_the_mail_waits(review_workspace: Settings) -> None:
    deliver(review_workspace, [SAMPLES[0]])
    run_once(review_workspace)
    assert ot_ruraux_statuses(review_workspace) == {MARIE: "confirmed"}  # the place is hers
    assert mail_to(review_workspace, MARIE) == []  # her letter waits
    (review,) = review_mails(review_workspace)
    assert review["To"].addresses[0].addr_spec == STAFF
    said = _said(body_text(review))
    assert "Je souhaite candidater" in said  # her words
    assert "inscription confirmée" in said and "place 1 sur 20" in said  # the decision, the reply
    assert "invitation.ics" in said  # what goes with it
    assert code_of(review).startswith("MF-") and code_of(review) in said
    assert draft_of(review)["In-Reply-To"] == MARIE_ID


def test_ok_sends_the_draft_threaded_on_the_members_message(review_workspace: Settings,
                                                            tmp_path: Path) -> None:
    review = maries_review(review_workspace)
    answer_review(review_workspace, tmp_path, review, "OK")
    (sent,) = mail_to(review_workspace, MARIE)
    draft = draft_of(review)
    assert sent["Message-ID"] == draft["Message-ID"] and body_text(sent) == body_text(draft)
    assert body_text(sent).strip() in body_text(review)  # the reviewer read exactly what went
    assert sent["In-Reply-To"] == MARIE_ID and MARIE_ID in str(sent["References"])
    assert sent["From"].addresses[0].addr_spec == review_workspace.network.address
    assert sent["X-Mailflow-Outcome"] == "confirmed"
    assert [p.get_filename() for p in sent.iter_attachments()] == ["invitation.ics"]
    assert [r.fate for r in stored_reviews(review_workspace)] == [ReviewFate.SENT]


@pytest.mark.parametrize("words", ["oui", "Parfait, envoie", "Bonjour,\n\nOK pour moi\n\nClaire"])
def test_yes_in_other_words_sends_it_too(review_workspace: Settings, tmp_path: Path, words: str) -> None:
    deliver(review_workspace, [SAMPLES[0]])
    run_once(review_workspace)
    deliver(review_workspace, [staff_answer(tmp_path, review_mail_for(review_workspace, MARIE), words)])
    run_once(review_workspace)
    assert [m["X-Mailflow-Outcome"] for m in mail_to(review_workspace, MARIE)] == ["confirmed"]


def test_reviews_answered_in_reverse_order_keep_the_places_of_arrival(review_workspace: Settings,
                                                                       tmp_path: Path) -> None:
    deliver(review_workspace, [SAMPLES[0], SAMPLES[8]])  # Marie, then Luc
    run_once(review_workspace)
    deliver(review_workspace, [staff_answer(tmp_path, review_mail_for(review_workspace, LUC), "OK")])
    run_once(review_workspace)
    deliver(review_workspace, [staff_answer(tmp_path, review_mail_for(review_workspace, MARIE), "OK")])
    run_once(review_workspace)
    (marie,), (luc,) = mail_to(review_workspace, MARIE), mail_to(review_workspace, LUC)
    assert "place 1 sur 20" in _place(body_text(marie))
    assert "place 2 sur 20" in _place(body_text(luc))
    assert ot_ruraux_statuses(review_workspace) == {MARIE: "confirmed", LUC: "confirmed"}


def test_a_corrected_text_goes_instead_of_the_draft(review_workspace: Settings, tmp_path: Path) -> None:
    review = maries_review(review_workspace)
    letter = ("Bonjour Marie,\n\nVotre place dans le groupe des offices ruraux est confirmée : "
              "nous vous attendons le 6 avril à Montignac, avec votre fiche d’office.\n\n"
              "Bien cordialement,\nClaire Morel, pour la MONA")
    answer_review(review_workspace, tmp_path, review, letter)
    (sent,) = mail_to(review_workspace, MARIE)
    draft = draft_of(review)
    assert _said(body_text(sent)) == _said(letter)
    assert "avec votre fiche d’office" in _said(body_html(sent))  # the HTML made from the text
    for header in ("Subject", "Message-ID", "In-Reply-To", "References", "From", "To"):
        assert str(sent[header]) == str(draft[header]), header
    assert [p.get_filename() for p in sent.iter_attachments()] == ["invitation.ics"]
    assert [r.fate for r in stored_reviews(review_workspace)] == [ReviewFate.CORRECTED]


def test_non_on_attend_sends_nothing_and_keeps_the_decision(review_workspace: Settings,
                                                            tmp_path: Path) -> None:
    deliver(review_workspace, [SAMPLES[0], SAMPLES[8], SAMPLES[9]])
    run_once(review_workspace)
    review = review_mail_for(review_workspace, NADIA)
    before = len(sent_mail(review_workspace))
    answer_review(review_workspace, tmp_path, review, "Non, on attend")
    assert len(sent_mail(review_workspace)) == before  # nothing went, to anybody
    assert ot_ruraux_statuses(review_workspace)[NADIA] == "waitlisted"
    (waiting,) = [r for r in stored_reviews(review_workspace) if r.to == NADIA]
    assert waiting.waiting and waiting.held_by == STAFF
    # A later « OK » on the same code sends it.
    answer_review(review_workspace, tmp_path, review, "OK, c’est bon")
    assert [m["X-Mailflow-Outcome"] for m in mail_to(review_workspace, NADIA)] == ["waitlisted"]


def test_an_outcome_not_listed_goes_at_once(review_workspace: Settings) -> None:
    deliver(review_workspace, [SAMPLES[3]])  # a refusal: not reviewed
    run_once(review_workspace)
    assert [m["X-Mailflow-Outcome"] for m in sent_mail(review_workspace)] == ["refused"]
    assert review_mails(review_workspace) == []


def test_the_member_cannot_approve_with_the_code(review_workspace: Settings, tmp_path: Path) -> None:
    review = maries_review(review_workspace)
    before = len(sent_mail(review_workspace))
    forged = member_reply(review, "OK", tmp_path, sender=f"Marie Dupont <{MARIE}>")
    deliver(review_workspace, [forged])
    run_once(review_workspace)
    assert len(sent_mail(review_workspace)) == before and mail_to(review_workspace, MARIE) == []
    assert [r.waiting for r in stored_reviews(review_workspace)] == [True]


def test_the_digest_lists_what_waits_and_since_when(review_workspace: Settings,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    deliver(review_workspace, [SAMPLES[0], SAMPLES[8], SAMPLES[9]])
    run_once(review_workspace)
    code, out, _ = cli(capsys, review_workspace, "digest", "--print")
    assert code == 0
    part = _said(out[out.index("RELECTURE"):])
    assert "Réponses en attente de relecture (3)" in part
    assert f"R0001 : « inscription confirmée » à Marie Dupont <{MARIE}>, en attente depuis le" in part
    assert f"R0003 : « liste d’attente » à Nadia Roux <{NADIA}>" in part


def test_a_second_answer_on_a_code_that_served_is_told_so(review_workspace: Settings,
                                                          tmp_path: Path) -> None:
    review = maries_review(review_workspace)
    answer_review(review_workspace, tmp_path, review, "OK")
    answer_review(review_workspace, tmp_path, review, "OK")
    assert len(mail_to(review_workspace, MARIE)) == 1  # never twice
    told = staff_action_mail(review_workspace)[-1]
    assert "déjà envoyée telle quelle" in _said(body_text(told)) and STAFF in _said(body_text(told))


def test_an_answer_neither_yes_nor_no_is_asked_back(review_workspace: Settings, tmp_path: Path) -> None:
    review = maries_review(review_workspace)
    answer_review(review_workspace, tmp_path, review, "OK mais pas avant lundi")
    (asked,) = staff_action_mail(review_workspace)
    assert "je n’ai pas compris" in _said(body_text(asked)) and code_of(review) in str(asked["Subject"])
    assert mail_to(review_workspace, MARIE) == []
    assert [r.waiting for r in stored_reviews(review_workspace)] == [True]


def test_no_with_an_action_is_that_action_planned_with_its_own_code(review_workspace: Settings,
                                                                    tmp_path: Path) -> None:
    review = maries_review(review_workspace)
    answer_review(review_workspace, tmp_path, review, "Non, refuse-la : hors profil")
    (plan,) = staff_action_mail(review_workspace)
    assert plan["X-Mailflow-Outcome"] == "staff-to-confirm" and code_of(plan) != code_of(review)
    assert "hors profil" in _said(body_text(plan)) and "C0001" in _said(body_text(plan))
    assert ot_ruraux_statuses(review_workspace) == {MARIE: "confirmed"}  # nothing done yet
    deliver(review_workspace, [staff_answer(tmp_path, plan, "Oui")])
    run_once(review_workspace)
    assert ot_ruraux_statuses(review_workspace) == {MARIE: "refused"}
    (refused,) = mail_to(review_workspace, MARIE)  # the held confirmation never went
    assert refused["X-Mailflow-Outcome"] == "refused" and "hors profil" in _said(body_text(refused))
    assert [r.fate for r in stored_reviews(review_workspace)] == [ReviewFate.DROPPED]


def test_later_mail_to_the_member_waits_behind_the_held_reply(review_workspace: Settings,
                                                              tmp_path: Path) -> None:
    review = maries_review(review_workspace)
    asking = member_reply(draft_of(review), "Bonjour, où en est ma candidature ?", tmp_path)
    deliver(review_workspace, [asking])
    run_once(review_workspace)
    assert mail_to(review_workspace, MARIE) == []  # the answer to her question waits its turn
    answer_review(review_workspace, tmp_path, review, "OK")
    assert [m["X-Mailflow-Outcome"] for m in mail_to(review_workspace, MARIE)] == ["confirmed", "status"]


def test_a_reviewer_who_is_not_staff_reviews_and_staff_who_are_not_reviewers_do_not(
        workspace_config: Path, tmp_path: Path) -> None:
    from mailflow import config

    from .helpers.review import with_review

    settings = config.load(with_review(workspace_config, extra='reviewers = ["direction@monatourisme.fr"]\n'))
    deliver(settings, [SAMPLES[0]])
    run_once(settings)
    review = review_mail_for(settings, MARIE)
    assert [a.addr_spec for a in review["To"].addresses] == ["direction@monatourisme.fr"]
    deliver(settings, [staff_answer(tmp_path, review, "OK")])  # from Claire, staff but no reviewer
    run_once(settings)
    assert mail_to(settings, MARIE) == []
    deliver(settings, [staff_answer(tmp_path, review, "OK", sender="direction@monatourisme.fr")])
    run_once(settings)
    assert [m["X-Mailflow-Outcome"] for m in mail_to(settings, MARIE)] == ["confirmed"]


def test_many_replies_to_read_are_no_mail_loop(review_workspace: Settings, tmp_path: Path) -> None:
    """A burst after the newsletter: ten mails to the reviewers in a day is no loop of replies
    to a staff address (the daily cap counts letters, not mails asking staff to read one)."""
    deliver(review_workspace, role_ot_applicants(tmp_path, 10))
    run_once(review_workspace)
    assert len(review_mails(review_workspace)) == 10
    deliver(review_workspace, [staff_message(tmp_path, "Clore l’appel OT ruraux")])
    run_once(review_workspace)
    assert staff_mail(review_workspace, "staff-loop") == []
    assert [m["X-Mailflow-Outcome"] for m in staff_action_mail(review_workspace)] == ["staff-to-confirm"]


def test_a_reply_held_for_review_is_in_the_members_export(review_workspace: Settings, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """RGPD art. 15: while her reply waits, the store holds her words; her export shows them, and
    nobody else's export does."""
    def held(member: str) -> list[dict[str, str]]:
        code, out, _err = cli(capsys, review_workspace, "privacy", "export", member)
        assert code == 0
        return list(json.loads(out)["replies_held_for_review"])

    deliver(review_workspace, [SAMPLES[0], SAMPLES[8]])  # Marie, then Luc
    run_once(review_workspace)
    capsys.readouterr()
    [hers] = held(MARIE)
    assert (hers["outcome"], hers["fate"], hers["number"]) == ("confirmed", "waiting", "R0001")
    assert "Office de Tourisme" in hers["their_words"]
    assert [r["number"] for r in held(LUC)] == ["R0002"]
    # Once sent, the review keeps nothing of her: the export no longer lists it.
    deliver(review_workspace, [staff_answer(tmp_path, review_mail_for(review_workspace, MARIE), "OK")])
    run_once(review_workspace)
    capsys.readouterr()
    assert held(MARIE) == []


def test_the_review_mail_says_what_was_decided_in_words(review_workspace: Settings) -> None:
    deliver(review_workspace, [SAMPLES[0]])
    run_once(review_workspace)
    said = " ".join(body_text(review_mail_for(review_workspace, MARIE)).split())
    assert "inscription confirmée au groupe « Offices de Tourisme ruraux », place 1 sur 20" in said
    assert "ot-ruraux" not in said.split("place 1 sur 20")[0].rsplit("CE QUI A ÉTÉ DÉCIDÉ", 1)[-1]
