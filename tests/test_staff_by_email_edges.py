"""Staff acting by email, the hard cases through the real pipeline: natural answers, a busy day,
replies to the digest, another staff address, a failure while the action is being recorded."""

from __future__ import annotations

import email.utils
import shutil
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from html import escape
from pathlib import Path

import pytest

from mailflow import config
from mailflow.cli import main
from mailflow.config.settings import Settings
from mailflow.core.write.render import Renderer
from mailflow.errors import RenderError
from mailflow.model.values import CallStatus, Reply

from .helpers.messages import NADIA, STAFF, deliver, staff_answer, staff_message
from .helpers.project import ROOT, SAMPLES, local_config
from .helpers.runs import Clock, body_text, member_mail, run_job, run_once, staff_action_mail, staff_mail
from .helpers.worlds import (
    call_of,
    digest_after_the_samples,
    dordogne_story,
    fill_role_ot,
    ot_ruraux_statuses,
    staff_history,
    stored_state,
)

COLLEAGUE = "direction@monatourisme.fr"


def said(message: EmailMessage) -> str:
    return " ".join(body_text(message).split())


def planned(settings: Settings, tmp_path: Path, action: str) -> EmailMessage:
    deliver(settings, [staff_message(tmp_path, action)])
    run_once(settings)
    plan = staff_action_mail(settings)[-1]
    assert plan["X-Mailflow-Outcome"] == "staff-to-confirm", body_text(plan)
    return plan


def capacity_of(settings: Settings, group: str) -> int | None:
    return stored_state(settings).groups[group].capacity


@pytest.mark.parametrize("no", [
    "Bonjour,\n\nNon, finalement on attend.",
    "Finalement non, merci",
    "Attends, je vérifie d’abord avec Luc.",
    "Surtout pas !",
    "Non merci",
])
def test_a_no_written_naturally_applies_nothing(workspace: Settings, tmp_path: Path, no: str) -> None:
    dordogne_story(workspace)
    plan = planned(workspace, tmp_path, "Promouvoir C0003")
    deliver(workspace, [staff_answer(tmp_path, plan, no)])
    run_once(workspace)
    assert ot_ruraux_statuses(workspace)[NADIA] == "waitlisted" and staff_history(workspace) == []
    assert "annulée" in said(staff_action_mail(workspace)[-1])


@pytest.mark.parametrize("yes", ["Bonjour,\n\nOK merci", "Je confirme", "Oui, pas de souci.", "",
                                 "Parfait, merci Claire"])
def test_a_yes_written_naturally_applies_the_action(workspace: Settings, tmp_path: Path,
                                                    yes: str) -> None:
    dordogne_story(workspace)
    plan = planned(workspace, tmp_path, "Promouvoir C0003")
    deliver(workspace, [staff_answer(tmp_path, plan, yes)])
    run_once(workspace)
    assert ot_ruraux_statuses(workspace)[NADIA] == "confirmed"


@pytest.mark.parametrize("yes", ["OK merci", "ok merci !", "OK merci Claire", "oui merci"])
def test_a_short_yes_applies_the_action_whatever_else_is_open(workspace: Settings, tmp_path: Path,
                                                              yes: str) -> None:
    """An open question in the mailbox and « OK merci » to the plan: the plan, nothing else."""
    dordogne_story(workspace)
    deliver(workspace, [SAMPLES[7]])  # a member's question, open
    run_once(workspace)
    plan = planned(workspace, tmp_path, "Promouvoir C0003")
    deliver(workspace, [staff_answer(tmp_path, plan, yes)])
    run_once(workspace)
    assert ot_ruraux_statuses(workspace)[NADIA] == "confirmed"


def test_a_yes_and_a_no_together_ask_again_and_keep_the_code(workspace: Settings,
                                                             tmp_path: Path) -> None:
    dordogne_story(workspace)
    plan = planned(workspace, tmp_path, "Promouvoir C0003")
    deliver(workspace, [staff_answer(tmp_path, plan, "Oui, mais pas avant lundi")])
    run_once(workspace)
    asked = staff_action_mail(workspace)[-1]
    assert asked["X-Mailflow-Outcome"] == "staff-unclear" and "« oui »" in said(asked)
    assert ot_ruraux_statuses(workspace)[NADIA] == "waitlisted"
    deliver(workspace, [staff_answer(tmp_path, plan, "Oui")])  # the code still works
    run_once(workspace)
    assert ot_ruraux_statuses(workspace)[NADIA] == "confirmed"


def test_a_busy_day_of_staff_actions_gets_every_plan_and_answer(workspace: Settings,
                                                                tmp_path: Path) -> None:
    """The loop guard (10 replies a day to one address) is for members, not for staff acting."""
    dordogne_story(workspace)
    for n in range(7):
        plan = planned(workspace, tmp_path, f"{'Clore' if n % 2 == 0 else 'Ouvrir'} l’appel OT ruraux")
        deliver(workspace, [staff_answer(tmp_path, plan, "Oui")])
        run_once(workspace)
        assert staff_action_mail(workspace)[-1]["X-Mailflow-Outcome"] == "staff-done", n
    assert call_of(workspace, "ot-ruraux") is CallStatus.CLOSED


def test_a_failure_while_recording_the_action_leaves_nothing_of_it(
        workspace: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The answer to staff cannot be written (a template broken by hand): the message goes to
    quarantine, and nothing of the action is kept; the code still works once it is repaired."""
    dordogne_story(workspace)
    plan = planned(workspace, tmp_path, "Passer la capacité du groupe OT ruraux à 25 places")
    real = Renderer.render

    def broken(self: Renderer, reply: Reply, now: datetime) -> EmailMessage:
        if reply.template == "staff_done":
            raise RenderError("modèle staff_done illisible")
        return real(self, reply, now)

    with monkeypatch.context() as patched:
        patched.setattr(Renderer, "render", broken)
        deliver(workspace, [staff_answer(tmp_path, plan, "Oui")])
        run_once(workspace)
    assert len(staff_mail(workspace, "quarantine")) == 1
    assert capacity_of(workspace, "ot-ruraux") == 20 and staff_history(workspace) == []
    deliver(workspace, [staff_answer(tmp_path, plan, "Oui")])
    run_once(workspace)
    assert capacity_of(workspace, "ot-ruraux") == 25 and len(staff_history(workspace)) == 1


def test_an_unexpected_error_in_a_plan_goes_to_quarantine_and_the_batch_goes_on(
        workspace: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mailflow.core.decide import staff_answers as staffmail

    dordogne_story(workspace)

    def boom(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(staffmail, "plan_command", boom)
    before = len(member_mail(workspace))
    deliver(workspace, [staff_message(tmp_path, "Clore l’appel OT ruraux"), SAMPLES[1]])
    run_once(workspace)
    (alert,) = staff_mail(workspace, "quarantine")
    assert "boom" in said(alert)
    assert call_of(workspace, "ot-ruraux") is CallStatus.OPEN
    assert len(member_mail(workspace)) == before + 1  # the member after it is answered


def test_a_reply_to_the_digest_is_no_forwarded_candidature(workspace: Settings, tmp_path: Path) -> None:
    """Claire answers the morning digest: the quoted digest names every group and has its own
    date; neither is taken for the candidature she types above it."""
    digest, _ = digest_after_the_samples(workspace, send=True)
    assert digest is not None
    deliver(workspace, [staff_answer(tmp_path, digest, (
        "Bonjour,\nAjouter la candidature de Jeanne Martin, jeanne.martin@ot-sarlat.fr, "
        "directrice de l’OT de Sarlat (24)"))])
    run_once(workspace)
    reply = staff_action_mail(workspace)[-1]
    assert reply["X-Mailflow-Outcome"] == "staff-unclear", said(reply)
    assert "quel groupe" in said(reply)


def test_a_code_sent_back_by_a_colleague_says_whose_it_is(tmp_path: Path) -> None:
    path = local_config(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace(
        f'staff = ["{STAFF}"]', f'staff = ["{STAFF}", "{COLLEAGUE}"]', 1), encoding="utf-8")
    settings = config.load(path)
    assert COLLEAGUE in settings.network.staff
    dordogne_story(settings)
    plan = planned(settings, tmp_path, "Clore l’appel OT ruraux")
    deliver(settings, [staff_answer(tmp_path, plan, "Oui", sender=f"Paul Direction <{COLLEAGUE}>")])
    run_once(settings)
    reply = staff_mail(settings, "staff-action")[-1]
    assert reply["To"].addresses[0].addr_spec == COLLEAGUE
    assert STAFF in said(reply) and "Voici ce que vous pouvez écrire" not in said(reply)
    assert call_of(settings, "ot-ruraux") is CallStatus.OPEN
    deliver(settings, [staff_answer(tmp_path, plan, "Oui")])  # Claire's own answer still counts
    run_once(settings)
    assert call_of(settings, "ot-ruraux") is CallStatus.CLOSED


def test_a_code_used_after_it_expired_does_nothing(workspace: Settings, tmp_path: Path) -> None:
    dordogne_story(workspace)
    plan = planned(workspace, tmp_path, "Clore l’appel OT ruraux")
    deliver(workspace, [staff_answer(tmp_path, plan, "Oui")])
    run_job(workspace, Clock(datetime.now(UTC) + timedelta(hours=73)), "run_batch")
    late = staff_action_mail(workspace)[-1]
    assert late["X-Mailflow-Outcome"] == "staff-unclear" and "expiré" in said(late)
    assert call_of(workspace, "ot-ruraux") is CallStatus.OPEN


def test_an_action_on_a_group_removed_from_the_configuration(tmp_path: Path) -> None:
    """Planned while the group existed, confirmed after it left groups.toml: staff are told the
    action is no longer possible; nothing goes to quarantine."""
    path = local_config(tmp_path)
    groups = (ROOT / "config" / "groups.toml").read_text(encoding="utf-8")
    copy = tmp_path / "groups.toml"
    shutil.copyfile(ROOT / "config" / "groups.toml", copy)
    path.write_text(path.read_text(encoding="utf-8").replace(
        str(ROOT / "config" / "groups.toml"), str(copy)), encoding="utf-8")
    settings = config.load(path)
    dordogne_story(settings)
    plans = [planned(settings, tmp_path, action) for action in (
        "Passer la capacité du groupe OT ruraux à 25 places", "Refuser C0003 : hors profil")]
    start, end = groups.index('[[group]]\nid = "ot-ruraux"'), groups.index('[[group]]\nid = "role-ot"')
    copy.write_text(groups[:start] + groups[end:], encoding="utf-8")
    settings = config.load(path)
    for plan in plans:
        deliver(settings, [staff_answer(tmp_path, plan, "Oui")])
        run_once(settings)
        reply = staff_action_mail(settings)[-1]
        assert reply["X-Mailflow-Outcome"] == "staff-unclear"
        assert "n’est plus possible" in said(reply)
    assert staff_mail(settings, "quarantine") == []
    assert ot_ruraux_statuses(settings)[NADIA] == "waitlisted"
    # The command line says the same, without a traceback.
    assert main(["--config", str(path), "candidates", "refuse", "c3", "--reason", "hors profil"]) == 2


def test_a_plan_that_fails_to_render_leaves_the_groups_as_they_are_for_the_batch(
        workspace: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new meeting date is only described (and its mail to members fails to render): a member
    answered later in the same batch is still given the date that holds."""
    real = Renderer.render

    def broken(self: Renderer, reply: Reply, now: datetime) -> EmailMessage:
        if reply.template == "meeting_changed":
            raise RenderError("modèle meeting_changed illisible")
        return real(self, reply, now)

    deliver(workspace, [SAMPLES[0]])  # Marie has her place: she is told of a new date
    run_once(workspace)
    monkeypatch.setattr(Renderer, "render", broken)
    new_date = staff_message(tmp_path, "Première rencontre OT ruraux le mercredi 7 avril 2027 à 14 h")
    deliver(workspace, [new_date, SAMPLES[8]])
    run_once(workspace)
    assert len(staff_mail(workspace, "quarantine")) == 1
    luc = member_mail(workspace)[-1]
    assert "6 avril 2027" in said(luc) and "7 avril" not in said(luc)


@pytest.mark.parametrize(("text", "meant"), [
    ("Oui", True), ("Oui, je confirme.", True), ("ok", True), ("OK merci", True),
    ("Je confirme", True), ("Bonjour,\n\nJe confirme.\n\nClaire", True), ("", True),
    ("Merci !", True), ("Je confirme. Code : MF-ABCDEFGH23", True), ("Oui, pas de souci", True),
    ("Non", False), ("Non, finalement on attend.", False), ("Bonjour Claire,\nnon merci", False),
    ("Finalement non", False), ("Attendez lundi", False), ("Surtout pas !", False),
    ("Annule", False), ("Stop", False), ("Ne fais rien", False),
    ("Oui, mais pas avant lundi", None), ("Oui… enfin non, attends", None),
    ("Oui\n\nNon, ce n’est pas ça que je voulais dire plus bas", True),  # the first paragraph counts
])
def test_an_answer_to_a_plan_is_read_as_people_write_it(text: str, meant: bool | None) -> None:
    from mailflow.core.decide.staff_answers import said_yes

    assert said_yes(text) is meant


# --- what held, kept as tests -------------------------------------------------------------------


def test_the_staff_address_in_another_case_with_another_display_name(workspace: Settings,
                                                                     tmp_path: Path) -> None:
    dordogne_story(workspace)
    deliver(workspace, [staff_message(tmp_path, "Clore l’appel OT ruraux",
                                      sender='"MOREL Claire (MONA)" <Animation@MonaTourisme.FR>')])
    run_once(workspace)
    (plan,) = staff_action_mail(workspace)
    deliver(workspace, [staff_answer(tmp_path, plan, "OK merci", sender=STAFF.upper())])
    run_once(workspace)
    assert call_of(workspace, "ot-ruraux") is CallStatus.CLOSED


def test_a_member_quoting_a_staff_code_confirms_nothing(workspace: Settings, tmp_path: Path) -> None:
    dordogne_story(workspace)
    plan = planned(workspace, tmp_path, "Promouvoir C0003")
    code = str(plan["Subject"]).rsplit("[", 1)[1].rstrip("]")
    deliver(workspace, [staff_message(tmp_path, f"Oui, je confirme {code}", subject=f"Re: Action [{code}]",
                                      sender=f"Nadia Roux <{NADIA}>")])
    run_once(workspace)
    assert ot_ruraux_statuses(workspace)[NADIA] == "waitlisted" and staff_history(workspace) == []
    assert len(staff_action_mail(workspace)) == 1


def test_outlook_html_only_action_and_answer(workspace: Settings, tmp_path: Path) -> None:
    def outlook(lines: list[str], ours: EmailMessage | None = None) -> Path:
        msg = EmailMessage()
        msg["From"] = f"Claire Morel <{STAFF}>"
        msg["To"] = "groupes@monatourisme.fr"
        msg["Message-ID"] = email.utils.make_msgid(domain="monatourisme.fr")
        msg["Date"] = email.utils.format_datetime(datetime.now(UTC))
        msg["Subject"] = "Action"
        body = "".join(f"<p class=MsoNormal>{escape(line) or '&nbsp;'}<o:p></o:p></p>" for line in lines)
        if ours is not None:
            msg.replace_header("Subject", f"RE\u00a0: {ours['Subject']}")
            msg["In-Reply-To"] = msg["References"] = str(ours["Message-ID"])
            body += ("<div style='border:none;border-top:solid #E1E1E1 1.0pt'><p class=MsoNormal>"
                     "<b>De&nbsp;:</b> MONA &lt;groupes@monatourisme.fr&gt;<br><b>Envoyé&nbsp;:</b> "
                     f"lundi 30 novembre 2026 10:02<br><b>Objet&nbsp;:</b> {escape(str(ours['Subject']))}"
                     "</p></div>" + "".join(f"<p class=MsoNormal>{escape(line)}</p>"
                                            for line in body_text(ours).splitlines()))
        msg.set_content(f"<html><body lang=FR><div class=WordSection1>{body}</div></body></html>",
                        subtype="html")
        path = tmp_path / f"staff-{len(list(tmp_path.glob('staff-*')))}.eml"
        path.write_bytes(bytes(msg))
        return path

    dordogne_story(workspace)
    deliver(workspace, [outlook(["Bonjour,", "", "Promouvoir C0003", "", "Claire"])])
    run_once(workspace)
    (plan,) = staff_action_mail(workspace)
    deliver(workspace, [outlook(["Non merci, on attend."], plan)])
    run_once(workspace)
    assert ot_ruraux_statuses(workspace)[NADIA] == "waitlisted"
    plan = planned(workspace, tmp_path, "Promouvoir C0003")
    deliver(workspace, [outlook(["OK merci"], plan)])
    run_once(workspace)
    assert ot_ruraux_statuses(workspace)[NADIA] == "confirmed"


def test_a_confirmation_replayed_after_a_crash_before_the_move_is_applied_once(
        workspace: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mailflow.adapters.maildir import MaildirSource

    dordogne_story(workspace)
    plan = planned(workspace, tmp_path, "Retirer C0002 : désistement par téléphone")
    deliver(workspace, [staff_answer(tmp_path, plan, "Oui")])
    with monkeypatch.context() as patched:  # committed and sent, never moved (killed)
        patched.setattr(MaildirSource, "ack", lambda *_args: None)
        run_once(workspace)
    sent, events = len(member_mail(workspace)) + len(staff_action_mail(workspace)), staff_history(workspace)
    run_once(workspace)
    assert len(member_mail(workspace)) + len(staff_action_mail(workspace)) == sent
    assert staff_history(workspace) == events and len(events) == 1
    assert ot_ruraux_statuses(workspace)[NADIA] == "confirmed"


def test_staff_confirmations_and_candidatures_in_one_batch_keep_their_order(
        workspace: Settings, tmp_path: Path) -> None:
    """« Rôle de l'OT » is full (15); X applies, Claire's « 17 places » is confirmed, Y applies:
    X waits then gets place 16, Y gets 17 of 17, in the mail written with the new size."""
    fill_role_ot(workspace, tmp_path)
    plan = planned(workspace, tmp_path, "Passer la capacité du groupe role-ot à 17 places")
    sample = SAMPLES[1].read_bytes()
    members = []
    for who in ("x", "y"):
        path = tmp_path / f"{who}.eml"
        path.write_bytes(sample.replace(b"direction@coeurdebearn-tourisme.fr", f"{who}@ot.fr".encode())
                         .replace(b"<02-candidature", f"<{who}-candidature".encode()))
        members.append(path)
    deliver(workspace, [members[0]])
    deliver(workspace, [staff_answer(tmp_path, plan, "Oui")])
    deliver(workspace, [members[1]])
    run_once(workspace)
    told = [(m["To"].addresses[0].addr_spec, m["X-Mailflow-Outcome"], said(m))
            for m in member_mail(workspace)[-3:]]
    assert [(to, outcome) for to, outcome, _ in told] == [
        ("x@ot.fr", "waitlisted"), ("x@ot.fr", "confirmed"), ("y@ot.fr", "confirmed")]
    assert "place 16 sur 17" in told[1][2] and "place 17 sur 17" in told[2][2]


@pytest.mark.parametrize("instead", ["Plutôt promouvoir C0004", "Oui, et clore l’appel OT ruraux"])
def test_an_answer_to_a_plan_asking_for_another_action_does_not_apply_the_plan(
        workspace: Settings, tmp_path: Path, instead: str) -> None:
    dordogne_story(workspace)
    plan = planned(workspace, tmp_path, "Promouvoir C0003")
    deliver(workspace, [staff_answer(tmp_path, plan, instead)])
    run_once(workspace)
    asked = staff_action_mail(workspace)[-1]
    assert asked["X-Mailflow-Outcome"] == "staff-unclear" and "nouveau message" in said(asked)
    assert ot_ruraux_statuses(workspace)[NADIA] == "waitlisted" and staff_history(workspace) == []
    assert call_of(workspace, "ot-ruraux") is CallStatus.OPEN


def test_a_confirmation_after_the_candidature_was_withdrawn_meanwhile(workspace: Settings,
                                                                      tmp_path: Path) -> None:
    dordogne_story(workspace)
    promote = planned(workspace, tmp_path, "Promouvoir C0003")
    withdraw = planned(workspace, tmp_path, "Retirer C0003 : désistement par téléphone")
    deliver(workspace, [staff_answer(tmp_path, withdraw, "Oui")])
    run_once(workspace)
    deliver(workspace, [staff_answer(tmp_path, promote, "Oui")])
    run_once(workspace)
    late = staff_action_mail(workspace)[-1]
    assert late["X-Mailflow-Outcome"] == "staff-unclear" and "n’est plus possible" in said(late)
    assert ot_ruraux_statuses(workspace)[NADIA] == "withdrawn" and len(staff_history(workspace)) == 1
