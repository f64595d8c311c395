"""A member applies for a colleague: the candidature is the colleague's, under her own address, in
the queue at the time of that message; she confirms it herself with the code sent to her; the
sender is never given the place. Told by emails through the whole pipeline."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from mailflow import config
from mailflow.app.wiring import build_service
from mailflow.config.settings import Settings
from mailflow.core.decide.member import decide, state_after
from mailflow.model.enums import Template
from mailflow.model.values import Applicant, CallStatus, Intent, Outcome, Role, Status

from .helpers.messages import RURAL_DIRECTOR, TOKEN, deliver, intent, member_reply
from .helpers.project import NOW, SHIPPED_CONFIG
from .helpers.runs import body_text, member_mail, run_once
from .helpers.worlds import state_with, stored_state, taken

DIRECTOR = "Corinne Baudouin <direction@valdegatine-tourisme.fr>"
LEA = "lea.moreau@valdegatine-tourisme.fr"


def _mail(tmp: Path, sender: str, subject: str, body: str) -> Path:
    """A new message written by a member, as a file ready to deliver."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "groupes@monatourisme.fr"
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{len(list(tmp.glob('*.eml')))}-{abs(hash(body))}@ot.example.fr>"
    msg.set_content(body)
    path = tmp / f"m{len(list(tmp.glob('*.eml')))}.eml"
    path.write_bytes(msg.as_bytes())
    return path


def _registration(tmp: Path, group: str = "« Offices de Tourisme ruraux »") -> Path:
    """A director registers her colleague, a director too, with her address and her facts."""
    return _mail(tmp, DIRECTOR, "Inscription de ma collègue", (
        f"Bonjour,\n\nJ'inscris ma collègue Léa Moreau ({LEA}), directrice déléguée de l'office "
        f"intercommunal, au groupe {group}. Office rural, 5 ETP, Mazières-en-Gâtine compte 1 000 "
        "habitants.\n\nCorinne Baudouin\nDirectrice\nOffice de Tourisme Val de Gâtine\n"
        "79310 Mazières-en-Gâtine"))


def _director(tmp: Path, who: str, department: str, town: str) -> Path:
    """A director of a rural office applying for herself to « OT ruraux »."""
    return _mail(tmp, f"{who} <{who.lower().replace(' ', '.')}@ot.example.fr>", "Candidature OT ruraux", (
        f"Bonjour,\n\nJe souhaite candidater au groupe OT ruraux. Directrice de l'Office de Tourisme de "
        f"{town}, office intercommunal rural, 4 ETP, {town} compte 2 000 habitants.\n\n{who}\nDirectrice\n"
        f"{department} {town}"))


def _by_email(settings: Settings) -> dict[str, str]:
    return {c.email: c.status.value for c in stored_state(settings).candidatures}


def _sent_to(settings: Settings, address: str) -> list[EmailMessage]:
    return [m for m in member_mail(settings) if m["To"].addresses[0].addr_spec == address]


def test_the_colleague_gets_the_code_and_the_sender_no_place(workspace: Settings, tmp_path: Path) -> None:
    deliver(workspace, [_registration(tmp_path)])
    run_once(workspace)
    cand = next(c for c in stored_state(workspace).candidatures)
    assert (cand.email, cand.name, cand.status, cand.registered_by) == (
        LEA, "Léa Moreau", Status.TO_CONFIRM, "direction@valdegatine-tourisme.fr")
    assert cand.profile.department == "79" and cand.profile.fte is not None
    (to_her,) = _sent_to(workspace, LEA)
    assert to_her["X-Mailflow-Outcome"] == "to-confirm"
    assert "[MF-" in to_her["Subject"] and "Corinne Baudouin" in body_text(to_her)
    (to_sender,) = _sent_to(workspace, "direction@valdegatine-tourisme.fr")
    assert to_sender["X-Mailflow-Outcome"] == "colleague-registered"
    assert "[MF-" not in to_sender["Subject"]  # the code is hers alone
    assert "vous n’avez pas vous-même" in body_text(to_sender).replace("\u00a0", " ")
    # She confirms with « Répondre »: the place is hers, with the invitation.
    deliver(workspace, [member_reply(to_her, "Oui, je confirme.", tmp_path)])
    run_once(workspace)
    confirmed = _sent_to(workspace, LEA)[-1]
    assert confirmed["X-Mailflow-Outcome"] == "confirmed"
    assert any(p.get_content_type() == "text/calendar" for p in confirmed.walk())
    assert _by_email(workspace) == {LEA: "confirmed"}


def test_the_code_confirms_only_from_her_address(workspace: Settings, tmp_path: Path) -> None:
    deliver(workspace, [_registration(tmp_path)])
    run_once(workspace)
    (to_her,) = _sent_to(workspace, LEA)
    (to_sender,) = _sent_to(workspace, "direction@valdegatine-tourisme.fr")
    # The sender says yes in her own thread, then forwards the code from her address: nothing.
    deliver(workspace, [member_reply(to_sender, "Oui, elle confirme.", tmp_path),
                        member_reply(to_her, "Je confirme pour elle.", tmp_path, sender=DIRECTOR)])
    run_once(workspace)
    assert _by_email(workspace) == {LEA: "to-confirm"}


def test_her_rank_is_the_time_of_the_message_that_applied_for_her(workspace: Settings,
                                                                 tmp_path: Path) -> None:
    """Two places per inland department: the registration came first, so the colleague keeps
    hers while she takes her time, and the third Deux-Sèvres director waits."""
    deliver(workspace, [_registration(tmp_path), _director(tmp_path, "Anne Roy", "79200", "Parthenay"),
                        _director(tmp_path, "Eva Lenoir", "79300", "Bressuire")])
    run_once(workspace)
    assert _by_email(workspace) == {LEA: "to-confirm", "anne.roy@ot.example.fr": "confirmed",
                                    "eva.lenoir@ot.example.fr": "waitlisted"}
    deliver(workspace, [member_reply(_sent_to(workspace, LEA)[0], "C'est d'accord.", tmp_path)])
    run_once(workspace)
    assert _by_email(workspace)[LEA] == "confirmed"


def test_unconfirmed_in_time_her_place_goes_on(workspace: Settings, tmp_path: Path) -> None:
    deliver(workspace, [_registration(tmp_path), _director(tmp_path, "Anne Roy", "79200", "Parthenay"),
                        _director(tmp_path, "Eva Lenoir", "79300", "Bressuire")])
    run_once(workspace)
    service = build_service(workspace, read_only=False)
    try:
        service.clock = lambda: datetime.now(UTC) + timedelta(hours=71)
        assert service.expire_holds() == 0
        service.clock = lambda: datetime.now(UTC) + timedelta(hours=73)
        assert service.expire_holds() == 1
    finally:
        service.store.close()
    assert _by_email(workspace) == {LEA: "expired", "anne.roy@ot.example.fr": "confirmed",
                                    "eva.lenoir@ot.example.fr": "confirmed"}
    assert _sent_to(workspace, LEA)[-1]["X-Mailflow-Outcome"] == "hold-expired"


def test_waiting_unconfirmed_she_is_offered_the_freed_place_to_confirm(workspace: Settings,
                                                                       tmp_path: Path) -> None:
    """Registered third in Deux-Sèvres, she waits; a place frees before she confirms: it is held
    for her yes, not given without it."""
    first, second = _director(tmp_path, "Anne Roy", "79200", "Parthenay"), _director(
        tmp_path, "Eva Lenoir", "79300", "Bressuire")
    deliver(workspace, [first, second, _registration(tmp_path)])
    run_once(workspace)
    assert _by_email(workspace)[LEA] == "waitlisted"
    assert "liste d’attente" in body_text(_sent_to(workspace, LEA)[0])
    anne = _sent_to(workspace, "anne.roy@ot.example.fr")[0]
    deliver(workspace, [member_reply(anne, "Je me désiste, désolée.", tmp_path)])
    run_once(workspace)
    deliver(workspace, [member_reply(_sent_to(workspace, "anne.roy@ot.example.fr")[-1], "Je confirme.",
                                     tmp_path)])
    run_once(workspace)
    assert _by_email(workspace)[LEA] == "to-confirm"
    offered = _sent_to(workspace, LEA)[-1]
    assert "premier message" in body_text(offered)
    deliver(workspace, [member_reply(_sent_to(workspace, LEA)[0], "Oui, je la prends.", tmp_path)])
    run_once(workspace)
    assert _by_email(workspace)[LEA] == "confirmed"


def test_a_refused_colleague_gets_no_code_and_the_sender_the_reason(workspace: Settings,
                                                                   tmp_path: Path) -> None:
    deliver(workspace, [_mail(tmp_path, DIRECTOR, "Inscription", (
        f"Bonjour,\n\nJe vous inscris notre chargée de communication, Léa Moreau ({LEA}), au groupe "
        "« Communiquer sur le rôle de l'Office de Tourisme ».\n\nCorinne Baudouin\nDirectrice"))])
    run_once(workspace)
    assert _by_email(workspace) == {LEA: "refused"}
    assert _sent_to(workspace, LEA) == []
    (told,) = _sent_to(workspace, "direction@valdegatine-tourisme.fr")
    assert "réservé aux directeurs" in body_text(told)


# --- the decision, as a table -----------------------------------------------------------------------

SENDER = "direction@valdegatine-tourisme.fr"
SHIPPED = config.load(SHIPPED_CONFIG)


def _for_her(group: str | None = "ot-ruraux", email: str | None = LEA, role: Role = Role.DIRECTOR) -> Intent:
    """The sender's message applying for Léa, as `classify` gives it."""
    profile = replace(RURAL_DIRECTOR, name="Léa Moreau", department="79", role=role,
                      role_text="Directrice" if role is Role.DIRECTOR else "chargée de mission")
    return replace(intent(group=group, sender=SENDER, profile=profile),
                   applicant=Applicant(email, "Léa Moreau"))


@pytest.mark.parametrize(("made", "outcome", "says"), [
    (_for_her(email=None), Outcome.HELP, "il nous faut son adresse"),
    (_for_her(group=None), Outcome.HELP, "à quel groupe"),
    (_for_her(role=Role.OTHER), Outcome.COLLEAGUE_REGISTERED, ""),
    (_for_her(), Outcome.COLLEAGUE_REGISTERED, ""),
])
def test_what_the_sender_is_told(made: Intent, outcome: Outcome, says: str,
                                 shipped_settings: Settings) -> None:
    decision = decide(state_with(shipped_settings), made, NOW, TOKEN)
    assert decision.outcome is outcome
    assert says in " ".join(r.reason for r in decision.replies)
    assert all(c.email != SENDER for c in decision.candidatures)  # never the sender's
    to_sender = [r for r in decision.replies if r.to == SENDER]
    assert len(to_sender) == 1 and to_sender[0].template is Template.COLLEAGUE_REGISTERED
    assert not to_sender[0].token


def test_refused_she_gets_no_code(shipped_settings: Settings) -> None:
    decision = decide(state_with(shipped_settings), _for_her(role=Role.OTHER),
                      NOW, TOKEN)
    assert [c.status for c in decision.candidatures] == [Status.REFUSED]
    assert decision.pending == () and [r.to for r in decision.replies] == [SENDER]


def test_placed_her_place_is_held_for_her_code(shipped_settings: Settings) -> None:
    decision = decide(state_with(shipped_settings), _for_her(), NOW, TOKEN)
    (cand,) = decision.candidatures
    assert (cand.email, cand.status, cand.registered_by) == (LEA, Status.TO_CONFIRM, SENDER)
    (action,) = decision.pending
    assert (action.kind, action.email, action.target) == ("commit", LEA, cand.id)
    to_her = next(r for r in decision.replies if r.to == LEA)
    assert (to_her.template, to_her.token, to_her.standing) == (Template.CONFIRM_REGISTRATION, TOKEN,
                                                                Status.TO_CONFIRM)


def test_a_duplicate_or_a_closed_call_registers_nothing(shipped_settings: Settings) -> None:
    empty = state_with(shipped_settings)
    state = state_after(empty, decide(empty, _for_her(), NOW, TOKEN))
    again = decide(state, _for_her(), NOW + timedelta(hours=1), TOKEN)
    assert (again.outcome, again.candidatures) == (Outcome.HELP, ())
    closed = replace(shipped_settings.groups["ot-ruraux"], call=CallStatus.CLOSED)
    late = decide(state_with(shipped_settings, ot_ruraux=closed), _for_her(), NOW, TOKEN)
    assert (late.outcome, late.candidatures) == (Outcome.HELP, ())


@given(st.sampled_from(["ot-ruraux", "role-ot", "porteurs-de-projet"]),
       st.sampled_from([Role.DIRECTOR, Role.OTHER]), st.integers(0, 25))
@hsettings(max_examples=40, deadline=None)
def test_the_sender_never_gets_a_place(group: str, role: Role, before: int) -> None:
    settings = SHIPPED
    state = state_with(settings, *taken(group, min(before, settings.groups[group].capacity)))
    decision = decide(state, _for_her(group=group, role=role), NOW, TOKEN)
    after = state_after(state, decision)
    assert after.of_email(SENDER) == [] or all(not c.status.holds_place for c in after.of_email(SENDER))
    assert all(c.status is not Status.CONFIRMED for c in after.of_email(LEA))  # not before her yes
