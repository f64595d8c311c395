"""A member applies for a colleague: the candidature is the colleague's, under her own address, in
the queue at the time of that message; she confirms it herself with the code sent to her; the
sender is never given the place. Told by emails through the whole pipeline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

from mailflow.app.wiring import build_service
from mailflow.config.settings import Settings
from mailflow.model.values import Status

from .helpers.messages import deliver, member_reply
from .helpers.runs import body_text, member_mail, run_once
from .helpers.worlds import stored_state

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
    assert "vous n’êtes pas vous-même inscrit" in body_text(to_sender).replace("\u00a0", " ")
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
