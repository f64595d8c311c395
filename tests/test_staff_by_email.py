"""Staff acting by email through the real pipeline: described with a code, applied once confirmed."""

from __future__ import annotations

import email.utils
from collections.abc import Callable
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from mailflow import config
from mailflow.config.settings import Settings
from mailflow.model.values import CallStatus, State

from .helpers.messages import LUC, NADIA, STAFF, deliver, staff_answer, staff_message
from .helpers.project import MX, SAMPLES, local_config, trust_mx
from .helpers.runs import body_text, member_mail, run_once, staff_action_mail, staff_mail
from .helpers.worlds import call_of, dordogne_story, ot_ruraux_statuses, staff_history, stored_state


def test_closing_a_call_is_described_then_done_once_confirmed(workspace: Settings, tmp_path: Path) -> None:
    dordogne_story(workspace)
    before = len(member_mail(workspace))
    deliver(workspace, [staff_message(tmp_path, "Bonjour,\n\nClore l’appel OT ruraux, merci.")])
    run_once(workspace)
    (plan,) = staff_action_mail(workspace)
    assert plan["X-Mailflow-Outcome"] == "staff-to-confirm"
    assert plan["To"].addresses[0].addr_spec == STAFF
    said = " ".join(body_text(plan).split())
    assert "clore l’appel" in said and "Offices de Tourisme ruraux" in said
    assert "Rien n’est encore fait" in said
    code = str(plan["Subject"]).rsplit("[", 1)[1].rstrip("]")
    assert code.startswith("MF-") and code in said
    assert call_of(workspace, "ot-ruraux") is CallStatus.OPEN  # nothing applied yet
    assert len(member_mail(workspace)) == before and staff_history(workspace) == []
    # Claire presses « Répondre » in Outlook and writes « Oui ».
    deliver(workspace, [staff_answer(tmp_path, plan, "Oui, je confirme.")])
    run_once(workspace)
    done = staff_action_mail(workspace)[-1]
    assert done["X-Mailflow-Outcome"] == "staff-done" and "c’est fait" in body_text(done)
    assert call_of(workspace, "ot-ruraux") is CallStatus.CLOSED
    (event,) = staff_history(workspace)
    assert event["action"] == "group-change" and event["group"] == "ot-ruraux"
    # The same code again does nothing more, and says so.
    deliver(workspace, [staff_answer(tmp_path, plan, "Oui")])
    run_once(workspace)
    assert staff_action_mail(workspace)[-1]["X-Mailflow-Outcome"] == "staff-unclear"
    assert "déjà servi" in " ".join(body_text(staff_action_mail(workspace)[-1]).split())
    assert len(staff_history(workspace)) == 1


def test_an_action_not_confirmed_changes_nothing(workspace: Settings, tmp_path: Path) -> None:
    dordogne_story(workspace)
    deliver(workspace, [staff_message(tmp_path, "Promouvoir C0003")])
    run_once(workspace)
    (plan,) = staff_action_mail(workspace)
    assert NADIA in body_text(plan)
    deliver(workspace, [staff_answer(tmp_path, plan, "Non, finalement on attend.")])
    run_once(workspace)
    cancelled = staff_action_mail(workspace)[-1]
    assert "annulée" in body_text(cancelled)
    assert ot_ruraux_statuses(workspace)[NADIA] == "waitlisted" and staff_history(workspace) == []


def test_an_added_candidature_displaces_who_came_later(workspace: Settings, tmp_path: Path) -> None:
    """Dordogne's two places are taken; a director met at a meeting last spring came first."""
    dordogne_story(workspace)
    deliver(workspace, [staff_message(tmp_path, (
        "Ajouter la candidature de Jeanne Martin, jeanne.martin@ot-sarlat.fr, directrice de "
        "l’OT de Sarlat (24), reçue en réunion départementale le 3 mars à 10 h, pour le groupe "
        "OT ruraux"))])
    run_once(workspace)
    (plan,) = staff_action_mail(workspace)
    said = " ".join(body_text(plan).split())
    assert "jeanne.martin@ot-sarlat.fr" in said and LUC in said  # who is displaced is said
    assert "liste d’attente" in said
    deliver(workspace, [staff_answer(tmp_path, plan, "ok")])
    run_once(workspace)
    now = ot_ruraux_statuses(workspace)
    assert now["jeanne.martin@ot-sarlat.fr"] == "confirmed" and now[LUC] == "waitlisted"
    told = {m["To"].addresses[0].addr_spec: m["X-Mailflow-Outcome"] for m in member_mail(workspace)[-2:]}
    assert told == {"jeanne.martin@ot-sarlat.fr": "confirmed", LUC: "waitlisted"}


def test_a_forwarded_candidature_is_placed_by_its_date(workspace: Settings, tmp_path: Path) -> None:
    dordogne_story(workspace)
    forwarded = (
        "Ajouter pour le groupe OT ruraux\n\n"
        "De\u00a0: Paul Ferrand <paul.ferrand@ot-bastides.fr>\n"
        "Envoyé\u00a0: lundi 2 mars 2026 09:15\n"
        "À\u00a0: Claire Morel <animation@monatourisme.fr>\n"
        "Objet\u00a0: Candidature OT ruraux\n\n"
        "Bonjour,\nJe suis directeur de l’Office de Tourisme des Bastides (24) et je souhaite "
        "rejoindre le groupe OT ruraux.\nPaul Ferrand\n")
    deliver(workspace, [staff_message(tmp_path, forwarded, subject="TR\u00a0: Candidature OT ruraux")])
    run_once(workspace)
    (plan,) = staff_action_mail(workspace)
    assert "paul.ferrand@ot-bastides.fr" in body_text(plan)
    deliver(workspace, [staff_answer(tmp_path, plan, "Je confirme")])
    run_once(workspace)
    state = stored_state(workspace)
    paul = next(c for c in state.candidatures if c.email == "paul.ferrand@ot-bastides.fr")
    assert paul.received_at == datetime(2026, 3, 2, 8, 15, tzinfo=UTC) and paul.in_person
    assert ot_ruraux_statuses(workspace)["paul.ferrand@ot-bastides.fr"] == "confirmed"


def test_a_refusal_tells_the_member_the_reason(workspace: Settings, tmp_path: Path) -> None:
    dordogne_story(workspace)
    deliver(workspace, [staff_message(tmp_path, "Refuser c3 : votre office n’est pas classé rural")])
    run_once(workspace)
    (plan,) = staff_action_mail(workspace)
    deliver(workspace, [staff_answer(tmp_path, plan, "Oui")])
    run_once(workspace)
    refused = member_mail(workspace)[-1]
    assert refused["To"].addresses[0].addr_spec == NADIA
    assert "n’est pas classé rural" in body_text(refused)
    assert ot_ruraux_statuses(workspace)[NADIA] == "refused"


def test_what_is_not_understood_gets_examples_and_plain_mail_nothing(workspace: Settings,
                                                                     tmp_path: Path) -> None:
    dordogne_story(workspace)
    deliver(workspace, [staff_message(tmp_path, "Ajouter la candidature de Jeanne Martin pour OT ruraux")])
    run_once(workspace)
    (unclear,) = staff_action_mail(workspace)
    said = " ".join(body_text(unclear).split())
    assert unclear["X-Mailflow-Outcome"] == "staff-unclear"
    assert "adresse électronique" in said and "Donner une place à Prénom Nom" in said
    assert "Nous n’avons rien fait" in said
    deliver(workspace, [staff_message(tmp_path, "Je serai absente vendredi, bon week-end à tous !")])
    run_once(workspace)
    assert len(staff_action_mail(workspace)) == 1  # staff chatting with the mailbox get nothing


def test_a_member_using_staff_words_gets_nothing_staff_only(workspace: Settings, tmp_path: Path) -> None:
    dordogne_story(workspace)
    deliver(workspace, [staff_message(tmp_path, "Clore l’appel OT ruraux\nPromouvoir C0003",
                                      sender=f"Nadia Roux <{NADIA}>")])
    run_once(workspace)
    assert staff_action_mail(workspace) == []
    assert call_of(workspace, "ot-ruraux") is CallStatus.OPEN
    assert ot_ruraux_statuses(workspace)[NADIA] == "waitlisted"


def test_a_forged_staff_address_gets_no_plan(tmp_path: Path) -> None:
    settings = config.load(trust_mx(local_config(tmp_path)))
    vouched = (("Authentication-Results", f"{MX}; dmarc=pass header.from=monatourisme.fr"),)
    unknown = (("Authentication-Results", f"{MX}; spf=none; dkim=none"),)
    deliver(settings, [SAMPLES[0]])
    run_once(settings)
    # Neither a failing nor a missing verdict gets a plan or a code, and nothing changes.
    forged = (("Authentication-Results", f"{MX}; dmarc=fail header.from=monatourisme.fr"),)
    deliver(settings, [staff_message(tmp_path, "Clore l’appel OT ruraux", headers=forged),
                       staff_message(tmp_path, "Clore l’appel OT ruraux", headers=unknown),
                       staff_message(tmp_path, "Clore l’appel OT ruraux")])  # no verdict at all
    run_once(settings)
    assert staff_action_mail(settings) == [] and call_of(settings, "ot-ruraux") is CallStatus.OPEN
    # Staff hear of each: the failing ones quarantined, the unverified one in an alert of its own.
    assert len(staff_mail(settings, "quarantine")) == 2
    (unverified,) = staff_mail(settings, "staff-unverified")
    assert "DMARC" in body_text(unverified) and unverified["To"].addresses[0].addr_spec == STAFF
    # Vouched for, the same words get the plan; the code comes back vouched for too.
    deliver(settings, [staff_message(tmp_path, "Clore l’appel OT ruraux", headers=vouched)])
    run_once(settings)
    (plan,) = staff_action_mail(settings)
    deliver(settings, [staff_answer(tmp_path, plan, "Oui", headers=unknown)])
    run_once(settings)
    assert call_of(settings, "ot-ruraux") is CallStatus.OPEN
    deliver(settings, [staff_answer(tmp_path, plan, "Oui", headers=vouched)])
    run_once(settings)
    assert call_of(settings, "ot-ruraux") is CallStatus.CLOSED


def test_a_code_sent_back_from_another_address_confirms_nothing(workspace: Settings,
                                                                tmp_path: Path) -> None:
    dordogne_story(workspace)
    deliver(workspace, [staff_message(tmp_path, "Clore l’appel OT ruraux")])
    run_once(workspace)
    (plan,) = staff_action_mail(workspace)
    deliver(workspace, [staff_answer(tmp_path, plan, "Oui", sender=f"Nadia Roux <{NADIA}>")])
    run_once(workspace)
    assert call_of(workspace, "ot-ruraux") is CallStatus.OPEN


def test_validating_an_idea_by_email(workspace: Settings, tmp_path: Path) -> None:
    deliver(workspace, [SAMPLES[4]])  # an idea of a new group
    run_once(workspace)
    member = member_mail(workspace)[-1]
    assert member["X-Mailflow-Outcome"] == "idea-received"
    for action in ("Avancer l’idée I0001", "Avancer l’idée I0001",  # discussion, note received
                   "Valider l’idée i1 (CA d’aujourd’hui)"):
        deliver(workspace, [staff_message(tmp_path, action)])
        run_once(workspace)
        plan = staff_action_mail(workspace)[-1]
        assert plan["X-Mailflow-Outcome"] == "staff-to-confirm", body_text(plan)
        deliver(workspace, [staff_answer(tmp_path, plan, "Oui")])
        run_once(workspace)
    told = member_mail(workspace)[-1]
    assert told["X-Mailflow-Outcome"] == "idea-validated"
    assert "validé votre proposition" in " ".join(body_text(told).split())
    assert staff_action_mail(workspace)[-1]["X-Mailflow-Outcome"] == "staff-done"


def test_a_staff_answer_is_never_read_as_a_member(workspace: Settings, tmp_path: Path) -> None:
    """The staff member's messages stay out of the members' replies altogether."""
    dordogne_story(workspace)
    before = len(member_mail(workspace))
    deliver(workspace, [staff_message(tmp_path, "Clore l’appel OT ruraux")])
    run_once(workspace)
    plan = email.message_from_bytes(staff_action_mail(workspace)[0].as_bytes(), policy=policy.default)
    assert isinstance(plan, EmailMessage)
    assert len(member_mail(workspace)) == before


def _picture(settings: Settings) -> tuple[object, ...]:
    """What a staff action may change: candidatures, groups, ideas, questions."""
    state = stored_state(settings)
    return (sorted((c.id, c.status.value) for c in state.candidatures),
            sorted((g.id, g.call.value, g.capacity, g.first_meeting.starts_at.isoformat(),
                    g.first_meeting.place) for g in state.groups.values()),
            sorted((i.id, i.status) for i in state.ideas),
            sorted((q.id, q.status.value) for q in state.questions))


def _with_everything(settings: Settings) -> None:
    """Marie and Luc confirmed, Nadia waiting (Dordogne quota), an idea, a member's question."""
    dordogne_story(settings)
    deliver(settings, [SAMPLES[4], SAMPLES[7]])
    run_once(settings)


ACTIONS = [
    ("Passer la capacité du groupe OT ruraux à 25 places",
     lambda s: s.groups["ot-ruraux"].capacity == 25),
    ("Ajouter 5 places au groupe OT ruraux", lambda s: s.groups["ot-ruraux"].capacity == 25),
    ("Clore l’appel porteurs de projets",
     lambda s: s.groups["porteurs-de-projet"].call is CallStatus.CLOSED),
    ("Première rencontre OT ruraux le mardi 13 avril 2027 à 10 h, lieu : Sarlat",
     lambda s: (s.groups["ot-ruraux"].first_meeting.place == "Sarlat"
                and s.groups["ot-ruraux"].first_meeting.starts_at.day == 13)),
    ("Retirer C0002 : désistement par téléphone",  # Luc leaves: Nadia, waiting, gets his place
     lambda s: [c.status.value for c in s.of_group("ot-ruraux")] == ["confirmed", "withdrawn",
                                                                      "confirmed"]),
    ("Décliner l’idée I0001 : le sujet est déjà couvert",
     lambda s: [i.status for i in s.ideas] == ["declined"]),
    ("Avancer l’idée I0001", lambda s: [i.status for i in s.ideas] == ["discussion"]),
]


@pytest.mark.parametrize(("action", "done"), ACTIONS, ids=[a for a, _ in ACTIONS])
def test_each_action_by_email_confirmed_and_not(workspace: Settings, tmp_path: Path, action: str,
                                                done: Callable[[State], bool]) -> None:
    _with_everything(workspace)
    before = _picture(workspace)
    deliver(workspace, [staff_message(tmp_path, f"Bonjour,\n\n{action}")])
    run_once(workspace)
    (plan,) = staff_action_mail(workspace)
    assert plan["X-Mailflow-Outcome"] == "staff-to-confirm", body_text(plan)
    assert _picture(workspace) == before  # described, not done
    deliver(workspace, [staff_answer(tmp_path, plan, "Oui")])
    run_once(workspace)
    assert staff_action_mail(workspace)[-1]["X-Mailflow-Outcome"] == "staff-done"
    assert done(stored_state(workspace)), action
    assert staff_history(workspace), "the history names the staff member"


def test_a_question_closed_by_email_needs_no_code(workspace: Settings, tmp_path: Path) -> None:
    _with_everything(workspace)
    deliver(workspace, [staff_message(tmp_path, "Réponse envoyée q1")])
    run_once(workspace)
    assert staff_action_mail(workspace)[-1]["X-Mailflow-Outcome"] == "staff-done"
    assert [q.status.value for q in stored_state(workspace).questions] == ["answered"]
