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
from mailflow.store import Store

from .conftest import local_config, member_mail, staff_mail
from .conversation import answer_text
from .test_scenarios import LUC, NADIA, dordogne_story, run_once, statuses
from .test_service import SAMPLES, deliver

STAFF = "animation@monatourisme.fr"
MARIE = "marie.dupont@ot-perigord-noir.fr"
MX = "mx.monatourisme.fr"



@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return config.load(local_config(tmp_path))


def write(tmp: Path, body: str, *, subject: str = "Action", sender: str = f"Claire Morel <{STAFF}>",
          headers: tuple[tuple[str, str], ...] = ()) -> Path:
    """A new message typed by a staff member in Outlook."""
    msg = EmailMessage()
    for name, value in headers:
        msg[name] = value
    msg["From"] = sender
    msg["To"] = "groupes@monatourisme.fr"
    msg["Subject"] = subject
    msg["Message-ID"] = email.utils.make_msgid(domain="monatourisme.fr")
    msg["Date"] = email.utils.format_datetime(datetime.now(UTC))
    msg.set_content(f"{body}\n\nClaire Morel\nChargée de mission animation\nMONA\n")
    path = tmp / f"staff-{len(list(tmp.glob('staff-*')))}.eml"
    path.write_bytes(bytes(msg))
    return path


def answer(tmp: Path, ours: EmailMessage, body: str, *, sender: str = f"Claire Morel <{STAFF}>",
           headers: tuple[tuple[str, str], ...] = ()) -> Path:
    """The staff member's « Répondre » in Outlook to one of mailflow's messages."""
    msg = EmailMessage()
    for name, value in headers:
        msg[name] = value
    msg["From"] = sender
    msg["To"] = str(ours["From"])
    msg["Subject"] = f"RE\u00a0: {ours['Subject']}"
    msg["Message-ID"] = email.utils.make_msgid(domain="monatourisme.fr")
    msg["In-Reply-To"] = str(ours["Message-ID"])
    msg["References"] = str(ours["Message-ID"])
    msg["Date"] = email.utils.format_datetime(datetime.now(UTC))
    msg.set_content(answer_text("outlook", body, ours, sender))
    path = tmp / f"staff-{len(list(tmp.glob('staff-*')))}.eml"
    path.write_bytes(bytes(msg))
    return path


def to_staff(settings: Settings) -> list[EmailMessage]:
    return staff_mail(settings, "staff-action")


def text(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def history(settings: Settings) -> list[dict[str, object]]:
    with Store(settings.store_path, read_only=True) as store:
        return [e for e in store.history() if e.get("actor") == STAFF]


def call_of(settings: Settings, group: str) -> CallStatus:
    with Store(settings.store_path, read_only=True) as store:
        return store.state(settings.groups, settings.departments).groups[group].call


def test_closing_a_call_is_described_then_done_once_confirmed(settings: Settings, tmp_path: Path) -> None:
    dordogne_story(settings)
    before = len(member_mail(settings))
    deliver(settings, [write(tmp_path, "Bonjour,\n\nClore l’appel OT ruraux, merci.")])
    run_once(settings)
    (plan,) = to_staff(settings)
    assert plan["X-Mailflow-Outcome"] == "staff-to-confirm"
    assert plan["To"].addresses[0].addr_spec == STAFF
    said = " ".join(text(plan).split())
    assert "clore l’appel" in said and "Offices de Tourisme ruraux" in said
    assert "Rien n’est encore fait" in said
    code = str(plan["Subject"]).rsplit("[", 1)[1].rstrip("]")
    assert code.startswith("MF-") and code in said
    assert call_of(settings, "ot-ruraux") is CallStatus.OPEN  # nothing applied yet
    assert len(member_mail(settings)) == before and history(settings) == []
    # Claire presses « Répondre » in Outlook and writes « Oui ».
    deliver(settings, [answer(tmp_path, plan, "Oui, je confirme.")])
    run_once(settings)
    done = to_staff(settings)[-1]
    assert done["X-Mailflow-Outcome"] == "staff-done" and "c’est fait" in text(done)
    assert call_of(settings, "ot-ruraux") is CallStatus.CLOSED
    (event,) = history(settings)
    assert event["action"] == "group-change" and event["group"] == "ot-ruraux"
    # The same code again does nothing more, and says so.
    deliver(settings, [answer(tmp_path, plan, "Oui")])
    run_once(settings)
    assert to_staff(settings)[-1]["X-Mailflow-Outcome"] == "staff-unclear"
    assert "déjà servi" in " ".join(text(to_staff(settings)[-1]).split())
    assert len(history(settings)) == 1


def test_an_action_not_confirmed_changes_nothing(settings: Settings, tmp_path: Path) -> None:
    dordogne_story(settings)
    deliver(settings, [write(tmp_path, "Promouvoir C0003")])
    run_once(settings)
    (plan,) = to_staff(settings)
    assert NADIA in text(plan)
    deliver(settings, [answer(tmp_path, plan, "Non, finalement on attend.")])
    run_once(settings)
    cancelled = to_staff(settings)[-1]
    assert "annulée" in text(cancelled)
    assert statuses(settings)[NADIA] == "waitlisted" and history(settings) == []


def test_an_added_candidature_displaces_who_came_later(settings: Settings, tmp_path: Path) -> None:
    """Dordogne's two places are taken; a director met at a meeting last spring came first."""
    dordogne_story(settings)
    deliver(settings, [write(tmp_path, (
        "Ajouter la candidature de Jeanne Martin, jeanne.martin@ot-sarlat.fr, directrice de "
        "l’OT de Sarlat (24), reçue en réunion départementale le 3 mars à 10 h, pour le groupe "
        "OT ruraux"))])
    run_once(settings)
    (plan,) = to_staff(settings)
    said = " ".join(text(plan).split())
    assert "jeanne.martin@ot-sarlat.fr" in said and LUC in said  # who is displaced is said
    assert "liste d’attente" in said
    deliver(settings, [answer(tmp_path, plan, "ok")])
    run_once(settings)
    now = statuses(settings)
    assert now["jeanne.martin@ot-sarlat.fr"] == "confirmed" and now[LUC] == "waitlisted"
    told = {m["To"].addresses[0].addr_spec: m["X-Mailflow-Outcome"] for m in member_mail(settings)[-2:]}
    assert told == {"jeanne.martin@ot-sarlat.fr": "confirmed", LUC: "waitlisted"}


def test_a_forwarded_candidature_is_placed_by_its_date(settings: Settings, tmp_path: Path) -> None:
    dordogne_story(settings)
    forwarded = (
        "Ajouter pour le groupe OT ruraux\n\n"
        "De\u00a0: Paul Ferrand <paul.ferrand@ot-bastides.fr>\n"
        "Envoyé\u00a0: lundi 2 mars 2026 09:15\n"
        "À\u00a0: Claire Morel <animation@monatourisme.fr>\n"
        "Objet\u00a0: Candidature OT ruraux\n\n"
        "Bonjour,\nJe suis directeur de l’Office de Tourisme des Bastides (24) et je souhaite "
        "rejoindre le groupe OT ruraux.\nPaul Ferrand\n")
    deliver(settings, [write(tmp_path, forwarded, subject="TR\u00a0: Candidature OT ruraux")])
    run_once(settings)
    (plan,) = to_staff(settings)
    assert "paul.ferrand@ot-bastides.fr" in text(plan)
    deliver(settings, [answer(tmp_path, plan, "Je confirme")])
    run_once(settings)
    with Store(settings.store_path, read_only=True) as store:
        state = store.state(settings.groups, settings.departments)
    paul = next(c for c in state.candidatures if c.email == "paul.ferrand@ot-bastides.fr")
    assert paul.received_at == datetime(2026, 3, 2, 8, 15, tzinfo=UTC) and paul.in_person
    assert statuses(settings)["paul.ferrand@ot-bastides.fr"] == "confirmed"


def test_a_refusal_tells_the_member_the_reason(settings: Settings, tmp_path: Path) -> None:
    dordogne_story(settings)
    deliver(settings, [write(tmp_path, "Refuser c3 : votre office n’est pas classé rural")])
    run_once(settings)
    (plan,) = to_staff(settings)
    deliver(settings, [answer(tmp_path, plan, "Oui")])
    run_once(settings)
    refused = member_mail(settings)[-1]
    assert refused["To"].addresses[0].addr_spec == NADIA
    assert "n’est pas classé rural" in text(refused)
    assert statuses(settings)[NADIA] == "refused"


def test_what_is_not_understood_gets_examples_and_plain_mail_nothing(settings: Settings,
                                                                      tmp_path: Path) -> None:
    dordogne_story(settings)
    deliver(settings, [write(tmp_path, "Ajouter la candidature de Jeanne Martin pour OT ruraux")])
    run_once(settings)
    (unclear,) = to_staff(settings)
    said = " ".join(text(unclear).split())
    assert unclear["X-Mailflow-Outcome"] == "staff-unclear"
    assert "adresse électronique" in said and "Donner une place à Hélène Roux" in said
    deliver(settings, [write(tmp_path, "Je serai absente vendredi, bon week-end à tous !")])
    run_once(settings)
    assert len(to_staff(settings)) == 1  # staff chatting with the mailbox get nothing


def test_a_member_using_staff_words_gets_nothing_staff_only(settings: Settings, tmp_path: Path) -> None:
    dordogne_story(settings)
    deliver(settings, [write(tmp_path, "Clore l’appel OT ruraux\nPromouvoir C0003",
                             sender=f"Nadia Roux <{NADIA}>")])
    run_once(settings)
    assert to_staff(settings) == []
    assert call_of(settings, "ot-ruraux") is CallStatus.OPEN
    assert statuses(settings)[NADIA] == "waitlisted"


def test_a_forged_staff_address_gets_no_plan(tmp_path: Path) -> None:
    path = local_config(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace(
        "[mailbox]\n", f'[mailbox]\ntrusted_authserv_id = "{MX}"\n', 1), encoding="utf-8")
    settings = config.load(path)
    vouched = (("Authentication-Results", f"{MX}; dmarc=pass header.from=monatourisme.fr"),)
    unknown = (("Authentication-Results", f"{MX}; spf=none; dkim=none"),)
    deliver(settings, [SAMPLES[0]])
    run_once(settings)
    # Neither a failing nor a missing verdict gets a plan or a code, and nothing changes.
    forged = (("Authentication-Results", f"{MX}; dmarc=fail header.from=monatourisme.fr"),)
    deliver(settings, [write(tmp_path, "Clore l’appel OT ruraux", headers=forged),
                       write(tmp_path, "Clore l’appel OT ruraux", headers=unknown),
                       write(tmp_path, "Clore l’appel OT ruraux")])  # no verdict at all
    run_once(settings)
    assert to_staff(settings) == [] and call_of(settings, "ot-ruraux") is CallStatus.OPEN
    # Staff hear of each: the failing ones quarantined, the unverified one in an alert of its own.
    assert len(staff_mail(settings, "quarantine")) == 2
    (unverified,) = staff_mail(settings, "staff-unverified")
    assert "DMARC" in text(unverified) and unverified["To"].addresses[0].addr_spec == STAFF
    # Vouched for, the same words get the plan; the code comes back vouched for too.
    deliver(settings, [write(tmp_path, "Clore l’appel OT ruraux", headers=vouched)])
    run_once(settings)
    (plan,) = to_staff(settings)
    deliver(settings, [answer(tmp_path, plan, "Oui", headers=unknown)])
    run_once(settings)
    assert call_of(settings, "ot-ruraux") is CallStatus.OPEN
    deliver(settings, [answer(tmp_path, plan, "Oui", headers=vouched)])
    run_once(settings)
    assert call_of(settings, "ot-ruraux") is CallStatus.CLOSED


def test_a_code_sent_back_from_another_address_confirms_nothing(settings: Settings,
                                                                tmp_path: Path) -> None:
    dordogne_story(settings)
    deliver(settings, [write(tmp_path, "Clore l’appel OT ruraux")])
    run_once(settings)
    (plan,) = to_staff(settings)
    deliver(settings, [answer(tmp_path, plan, "Oui", sender=f"Nadia Roux <{NADIA}>")])
    run_once(settings)
    assert call_of(settings, "ot-ruraux") is CallStatus.OPEN


def test_validating_an_idea_by_email(settings: Settings, tmp_path: Path) -> None:
    deliver(settings, [SAMPLES[4]])  # an idea of a new group
    run_once(settings)
    member = member_mail(settings)[-1]
    assert member["X-Mailflow-Outcome"] == "idea-received"
    for action in ("Avancer l’idée I0001", "Avancer l’idée I0001",  # discussion, note received
                   "Valider l’idée i1 (CA d’aujourd’hui)"):
        deliver(settings, [write(tmp_path, action)])
        run_once(settings)
        plan = to_staff(settings)[-1]
        assert plan["X-Mailflow-Outcome"] == "staff-to-confirm", text(plan)
        deliver(settings, [answer(tmp_path, plan, "Oui")])
        run_once(settings)
    told = member_mail(settings)[-1]
    assert told["X-Mailflow-Outcome"] == "idea-validated"
    assert "validé votre proposition" in " ".join(text(told).split())
    assert to_staff(settings)[-1]["X-Mailflow-Outcome"] == "staff-done"


def test_a_staff_answer_is_never_read_as_a_member(settings: Settings, tmp_path: Path) -> None:
    """The staff member's messages stay out of the members' replies altogether."""
    dordogne_story(settings)
    before = len(member_mail(settings))
    deliver(settings, [write(tmp_path, "Clore l’appel OT ruraux")])
    run_once(settings)
    plan = email.message_from_bytes(to_staff(settings)[0].as_bytes(), policy=policy.default)
    assert isinstance(plan, EmailMessage)
    assert len(member_mail(settings)) == before


def _state(settings: Settings) -> State:
    with Store(settings.store_path, read_only=True) as store:
        return store.state(settings.groups, settings.departments)


def _picture(settings: Settings) -> tuple[object, ...]:
    """What a staff action may change: candidatures, groups, ideas, questions."""
    state = _state(settings)
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
def test_each_action_by_email_confirmed_and_not(settings: Settings, tmp_path: Path, action: str,
                                                 done: Callable[[State], bool]) -> None:
    _with_everything(settings)
    before = _picture(settings)
    deliver(settings, [write(tmp_path, f"Bonjour,\n\n{action}")])
    run_once(settings)
    (plan,) = to_staff(settings)
    assert plan["X-Mailflow-Outcome"] == "staff-to-confirm", text(plan)
    assert _picture(settings) == before  # described, not done
    deliver(settings, [answer(tmp_path, plan, "Oui")])
    run_once(settings)
    assert to_staff(settings)[-1]["X-Mailflow-Outcome"] == "staff-done"
    assert done(_state(settings)), action
    assert history(settings), "the history names the staff member"


def test_a_question_closed_by_email_needs_no_code(settings: Settings, tmp_path: Path) -> None:
    _with_everything(settings)
    deliver(settings, [write(tmp_path, "Réponse envoyée q1")])
    run_once(settings)
    assert to_staff(settings)[-1]["X-Mailflow-Outcome"] == "staff-done"
    assert [q.status.value for q in _state(settings).questions] == ["answered"]
