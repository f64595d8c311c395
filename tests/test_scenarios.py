"""Short stories told by emails in and emails out, through the whole pipeline on the embedded default."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest

from mailflow import config
from mailflow.cli import main
from mailflow.config.settings import Settings

from .helpers.messages import LUC, NADIA, deliver, member_message, member_reply, role_ot_applicants
from .helpers.project import ROOT, SAMPLES
from .helpers.runs import member_mail, run_once, staff_mail
from .helpers.worlds import dordogne_story, ot_ruraux_statuses, stored_state


def test_a_confirmed_withdrawal_promotes_the_next_eligible(workspace: Settings, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    dordogne_story(workspace)
    # Nadia waits for a Dordogne place, not for any place: her letter says what her turn depends on
    waiting = " ".join(member_mail(workspace)[-1].get_body(("plain",)).get_content().split())
    assert "Une place ne pourra vous revenir que si l’une des places de votre département se libère" \
        in waiting
    assert "si c’est votre tour" not in waiting
    deliver(workspace, [SAMPLES[10]])  # Luc: « Je me désiste »
    run_once(workspace)
    request = member_mail(workspace)[-1]
    assert request["X-Mailflow-Outcome"] == "withdrawal-to-confirm"
    assert request["To"].addresses[0].addr_spec == LUC
    code = request["Subject"].rsplit("[", 1)[1].rstrip("]")
    assert code.startswith("MF-") and code in request.get_body(("plain",)).get_content()
    assert ot_ruraux_statuses(workspace)[LUC] == "confirmed"  # nothing changes before the confirmation
    # Luc presses « Répondre » and sends it as it is.
    deliver(workspace, [member_reply(request, "Je confirme, merci.", tmp_path)])
    run_once(workspace)
    withdrawn, promoted = member_mail(workspace)[-2:]
    assert (withdrawn["X-Mailflow-Outcome"], withdrawn["To"].addresses[0].addr_spec) == ("withdrawn", LUC)
    assert (promoted["X-Mailflow-Outcome"], promoted["To"].addresses[0].addr_spec) == ("confirmed", NADIA)
    assert "une place s’est libérée" in promoted.get_body(("plain",)).get_content()
    # what Luc is told of his place is what happened to it
    told_luc = " ".join(withdrawn.get_body(("plain",)).get_content().split())
    assert "Votre place est libérée : elle revient à la personne suivante sur la liste d’attente." in told_luc
    assert ot_ruraux_statuses(workspace) == {"marie.dupont@ot-perigord-noir.fr": "confirmed",
                                             LUC: "withdrawn", NADIA: "confirmed"}
    (told,) = staff_mail(workspace, "promoted")  # staff hear of it at once
    assert NADIA in told.get_body(("plain",)).get_content()
    # The code served once: sending it again changes nothing and says why.
    deliver(workspace, [member_reply(request, "Je confirme encore.", tmp_path)])
    run_once(workspace)
    assert member_mail(workspace)[-1]["X-Mailflow-Outcome"] == "help"
    assert "a expiré ou a déjà servi" in member_mail(workspace)[-1].get_body(("plain",)).get_content()


def test_a_forged_withdrawal_changes_nothing(workspace: Settings, tmp_path: Path) -> None:
    dordogne_story(workspace)
    # Someone who wants Luc's place writes « je me désiste » with Luc's address in From.
    deliver(workspace, [SAMPLES[10]])
    run_once(workspace)
    request = member_mail(workspace)[-1]
    # The code went to Luc's own mailbox, which the forger cannot read...
    assert request["To"].addresses[0].addr_spec == LUC
    # ...so the forger can only guess one, again under Luc's name, or use their own address.
    guess = member_reply(request, "Je confirme.", tmp_path, sender=f"Luc Garnier <{LUC}>")
    guess.write_bytes(guess.read_bytes().replace(request["Subject"].rsplit("[", 1)[1].encode(),
                                                 b"MF-ABCDEFGH23]"))
    stolen_subject = member_reply(request, "Je confirme.", tmp_path, sender="intrus@example.com")
    deliver(workspace, [guess, stolen_subject])
    run_once(workspace)
    assert ot_ruraux_statuses(workspace)[LUC] == "confirmed"
    assert ot_ruraux_statuses(workspace)[NADIA] == "waitlisted"
    sent = [m["X-Mailflow-Outcome"] for m in member_mail(workspace)]
    assert "withdrawn" not in sent and sent.count("confirmed") == 2  # Marie's and Luc's, long ago


def test_an_unanswered_question_lets_the_place_go_on(workspace: Settings, tmp_path: Path) -> None:
    """Sophie does not say her team size; 14 days later her held place goes to the next person."""
    from datetime import UTC, datetime, timedelta

    from mailflow.app.wiring import build_service

    files = [SAMPLES[2]]  # Sophie, Creuse, ETP missing
    for n in range(19):  # 19 complete directors fill the other places (2 per inland department)
        department = ["16", "19", "24", "47", "79", "86", "87", "23", "16", "19", "24", "47", "79",
                      "86", "87", "17", "33", "40", "64"][n]
        f = tmp_path / f"fill{n}.eml"
        f.write_bytes(SAMPLES[0].read_bytes()
                      .replace(b"marie.dupont@ot-perigord-noir.fr", f"f{n}@ot.fr".encode())
                      .replace(b"<01-candidature", f"<{n}-fill".encode())
                      .replace(b"D=C3=A9partement : 24", f"D=C3=A9partement : {department}".encode()))
        files.append(f)
    waiting = tmp_path / "late.eml"
    waiting.write_bytes(SAMPLES[0].read_bytes().replace(b"marie.dupont@ot-perigord-noir.fr", b"late@ot.fr")
                        .replace(b"<01-candidature", b"<late-candidature")
                        .replace(b"D=C3=A9partement : 24", b"D=C3=A9partement : 23"))
    deliver(workspace, [*files, waiting])
    run_once(workspace)
    assert ot_ruraux_statuses(workspace)["s.lacombe@tourisme-creuse-sud.fr"] == "needs-info"
    assert ot_ruraux_statuses(workspace)["late@ot.fr"] == "waitlisted"
    service = build_service(workspace, read_only=False)
    try:
        service.clock = lambda: datetime.now(UTC) + timedelta(days=13)
        assert service.expire_holds() == 0
        service.clock = lambda: datetime.now(UTC) + timedelta(days=15)
        assert service.expire_holds() == 1
    finally:
        service.store.close()
    assert ot_ruraux_statuses(workspace)["s.lacombe@tourisme-creuse-sud.fr"] == "expired"
    assert ot_ruraux_statuses(workspace)["late@ot.fr"] == "confirmed"
    expired, promoted = member_mail(workspace)[-2:]
    assert expired["X-Mailflow-Outcome"] == "hold-expired"
    assert "le nombre d’ETP de votre structure" in expired.get_body(("plain",)).get_content()
    assert promoted["To"].addresses[0].addr_spec == "late@ot.fr"


def test_a_waiting_member_asks_where_she_stands(workspace: Settings, tmp_path: Path) -> None:
    dordogne_story(workspace)
    question = tmp_path / "question.eml"
    message = EmailMessage()
    message["From"] = f"Nadia Roux <{NADIA}>"
    message["To"] = "groupes@monatourisme.fr"
    message["Subject"] = "Ma candidature"
    message["Message-ID"] = "<nadia-question@ot-isle-auvezere.fr>"
    message.set_content("Bonjour,\n\nOù en est ma candidature au groupe OT ruraux ? Suis-je bien "
                        "sur la liste ?\n\nNadia Roux")
    question.write_bytes(message.as_bytes())
    deliver(workspace, [question])
    run_once(workspace)
    answer = member_mail(workspace)[-1]
    assert answer["X-Mailflow-Outcome"] == "status"
    text = answer.get_body(("plain",)).get_content()
    assert "sur la liste d’attente, en position 1" in text
    assert ot_ruraux_statuses(workspace)[NADIA] == "waitlisted"


def test_double_opt_in_holds_the_place_until_the_member_confirms(workspace: Settings, tmp_path: Path) -> None:
    """A group whose places must be confirmed: one member confirms, one lets the time pass."""
    from datetime import UTC, datetime, timedelta

    from mailflow.app.wiring import build_service

    text = Path(workspace.file).read_text(encoding="utf-8")
    groups = tmp_path / "groups.toml"
    source = Path(text.split('groups = "', 1)[1].split('"', 1)[0])
    groups.write_text(source.read_text(encoding="utf-8").replace(
        'closes_at = 2027-09-01T18:00:00', 'closes_at = 2027-09-01T18:00:00\nconfirm_within_hours = 48'),
        encoding="utf-8")
    Path(workspace.file).write_text(text.replace(str(source), str(groups)), encoding="utf-8")
    workspace = config.load(workspace.file)
    assert workspace.groups["role-ot"].confirm_within_hours == 48
    deliver(workspace, role_ot_applicants(tmp_path, 2))
    run_once(workspace)
    first, _second = member_mail(workspace)
    assert first["X-Mailflow-Outcome"] == "to-confirm"
    assert "confirmez votre engagement" in first.get_body(("plain",)).get_content()
    assert not any(p.get_content_type() == "text/calendar" for p in first.walk())
    deliver(workspace, [member_reply(first, "Je confirme mon engagement.", tmp_path)])
    run_once(workspace)
    confirmed = member_mail(workspace)[-1]
    assert confirmed["X-Mailflow-Outcome"] == "confirmed"
    assert confirmed["To"].addresses[0].addr_spec == "d0@ot.fr"
    assert any(p.get_content_type() == "text/calendar" for p in confirmed.walk())
    service = build_service(workspace, read_only=False)
    try:
        service.clock = lambda: datetime.now(UTC) + timedelta(hours=49)
        assert service.expire_holds() == 1
    finally:
        service.store.close()
    state = stored_state(workspace)
    assert {c.email: c.status.value for c in state.of_group("role-ot")} == {
        "d0@ot.fr": "confirmed", "d1@ot.fr": "expired"}
    assert member_mail(workspace)[-1]["X-Mailflow-Outcome"] == "hold-expired"
    assert "confirmation de votre engagement" in member_mail(workspace)[-1].get_body(("plain",)).get_content()


def _director(tmp_path: Path, who: str, department: str) -> Path:
    """A director of a rural office applying to « OT ruraux » through the newsletter form."""
    path = tmp_path / f"{who}.eml"
    path.write_bytes(SAMPLES[0].read_bytes()
                     .replace(b"marie.dupont@ot-perigord-noir.fr", f"{who}@ot.fr".encode())
                     .replace(b"<01-candidature", f"<{who}-candidature".encode())
                     .replace(b"D=C3=A9partement : 24", f"D=C3=A9partement : {department}".encode()))
    return path


def test_a_withdrawal_skips_a_waiting_member_whose_department_is_full(workspace: Settings,
                                                                      tmp_path: Path) -> None:
    # Twenty places: two per inland department, one per coastal one; then two wait.
    inland, coastal = ["16", "19", "23", "24", "47", "79", "86", "87"], ["17", "33", "40", "64"]
    members = [(f"i{d}{k}", d) for d in inland for k in "ab"] + [(f"c{d}", d) for d in coastal]
    waiting = [("late24", "24"), ("late19", "19")]  # Dordogne is full; Corrèze will have room
    deliver(workspace, [_director(tmp_path, who, d) for who, d in [*members, *waiting]])
    run_once(workspace)
    statuses = ot_ruraux_statuses(workspace)
    assert statuses["late24@ot.fr"] == statuses["late19@ot.fr"] == "waitlisted"
    # A Corrèze member leaves, and confirms from her own address.
    leave = tmp_path / "leave.eml"
    message = EmailMessage()
    message["From"] = "i19a@ot.fr"
    message["To"] = "groupes@monatourisme.fr"
    message["Subject"] = "Désistement OT ruraux"
    message["Message-ID"] = "<leave-i19a@ot.fr>"
    message.set_content("Bonjour, je me désiste du groupe OT ruraux. Cordialement.")
    leave.write_bytes(message.as_bytes())
    deliver(workspace, [leave])
    run_once(workspace)
    deliver(workspace, [member_reply(member_mail(workspace)[-1], "Je confirme.", tmp_path)])
    run_once(workspace)
    now = ot_ruraux_statuses(workspace)
    assert (now["i19a@ot.fr"], now["late24@ot.fr"], now["late19@ot.fr"]) == (
        "withdrawn", "waitlisted", "confirmed")
    state = stored_state(workspace)
    skipped = next(c for c in state.candidatures if c.email == "late24@ot.fr")
    assert "quota de 2 places pour le département Dordogne (24)" in skipped.reason


def test_a_call_closes_on_its_date(workspace: Settings, tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from mailflow.app.wiring import build_service

    text = Path(workspace.file).read_text(encoding="utf-8")
    source = Path(text.split('groups = "', 1)[1].split('"', 1)[0])
    groups = tmp_path / "groups.toml"
    groups.write_text(source.read_text(encoding="utf-8").replace(
        "closes_at = 2027-09-01T18:00:00", "closes_at = 2027-03-01T18:00:00"), encoding="utf-8")
    Path(workspace.file).write_text(text.replace(str(source), str(groups)), encoding="utf-8")
    workspace = config.load(workspace.file)
    first, second, third = role_ot_applicants(tmp_path, 3)
    # Arrival is the mailbox's: a message delivered at 17:59 and read at 18:05 came in time.
    read_at = datetime(2027, 3, 1, 17, 5, tzinfo=UTC)
    for when, file in ((datetime(2027, 3, 1, 16, 59, tzinfo=UTC), first),   # 17:59 in Paris
                       (datetime(2027, 3, 1, 16, 59, 59, tzinfo=UTC), second),  # 17:59:59
                       (datetime(2027, 3, 1, 17, 0, tzinfo=UTC), third)):   # 18:00 in Paris
        deliver(workspace, [file], at=when)
    service = build_service(workspace, read_only=False)
    service.clock = lambda: read_at
    try:
        service.run_batch()
    finally:
        service.store.close()
    assert [m["X-Mailflow-Outcome"] for m in member_mail(workspace)] == ["confirmed", "confirmed", "closed"]
    closed = member_mail(workspace)[-1].get_body(("plain",)).get_content()
    assert "la date limite de l’appel à candidatures est passée" in closed


def test_the_readme_conversation(workspace: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    """The README's « Try it », second part: Sophie answers our question in the thread, and a staff
    member answers Claire's question with the mailbox in copy."""
    deliver(workspace, SAMPLES)
    run_once(workspace)
    replies = sorted((ROOT / "samples" / "replies").glob("*.eml"))
    deliver(workspace, replies)
    run_once(workspace)
    capsys.readouterr()
    sophie = [m for m in member_mail(workspace)
              if m["To"].addresses[0].addr_spec == "s.lacombe@tourisme-creuse-sud.fr"]
    assert [m["X-Mailflow-Outcome"] for m in sophie] == ["needs-info", "confirmed"]
    text = " ".join(sophie[-1].get_body(("plain",)).get_content().replace("\u00a0", " ").split())
    assert "place 2 sur 20" in text  # her place of arrival, before Luc's, was held for her
    assert ot_ruraux_statuses(workspace)["s.lacombe@tourisme-creuse-sud.fr"] == "confirmed"
    # The staff member's answer closed Claire's question and got no reply.
    assert main(["--config", str(workspace.file), "questions", "list"]) == 0
    assert "aucune question en attente" in capsys.readouterr().out
    assert not [m for m in member_mail(workspace)
                if m["To"].addresses[0].addr_spec == "animation@monatourisme.fr"
                and m["X-Mailflow-Alert"] is None]


def test_a_name_given_in_the_answer_is_never_asked_again(workspace: Settings, tmp_path: Path) -> None:
    """No display name in his mail: the name is asked; « c kevin roche » in answer settles it."""
    path = member_message(tmp_path, "kevin.roche@brive-tourisme.fr", "groupe porteurs",  # no display name
                          "bjr je veux rentrer ds le groupe porteurs de projets, je suis chargé d'accueil a "
                          "l'OT de Brive (19), Brive Tourisme")
    deliver(workspace, [path])
    run_once(workspace)
    asked = member_mail(workspace)[-1]
    assert asked["X-Mailflow-Outcome"] == "needs-info"
    assert "vos nom et prénom" in " ".join(asked.get_body(("plain",)).get_content().split())
    deliver(workspace, [member_reply(asked, "je vs l ai dit c kevin roche !!", tmp_path)])
    run_once(workspace)
    answer = member_mail(workspace)[-1]
    assert answer["X-Mailflow-Outcome"] == "confirmed"
    assert "Bonjour Kevin Roche," in answer.get_body(("plain",)).get_content()


def test_a_refusal_on_a_figure_corrected_in_its_thread_keeps_the_first_rank(workspace: Settings,
                                                                            tmp_path: Path) -> None:
    """Refused by the rules on a figure she corrects in answer: the same candidature examined
    again, at the rank of her first message, ahead of those who wrote after her."""
    path = member_message(tmp_path, "Thomas Briand <thomas@ot-lauzun.fr>", "groupe ruraux",
                          "Bonjour, je souhaite rejoindre le groupe OT ruraux. Je suis directeur de l'OT "
                          "du Pays de Lauzun (47), office intercommunal, nous sommes 14 ETP. "
                          "Miramont-de-Guyenne, notre plus grande commune, compte 3 300 habitants. "
                          "Territoire rural.\n\nThomas Briand")
    deliver(workspace, [path])
    run_once(workspace)
    refused = member_mail(workspace)[-1]
    assert refused["X-Mailflow-Outcome"] == "refused"
    before = stored_state(workspace).of_email("thomas@ot-lauzun.fr")
    corrected = member_reply(refused, "Pardon, erreur de frappe : nous sommes 4 ETP, pas 14.", tmp_path)
    deliver(workspace, [corrected])
    run_once(workspace)
    answer = member_mail(workspace)[-1]
    assert answer["X-Mailflow-Outcome"] == "confirmed"
    after = stored_state(workspace).of_email("thomas@ot-lauzun.fr")
    assert [c.id for c in after] == [c.id for c in before]  # the same candidature, not a new one
    assert after[0].received_at == before[0].received_at and after[0].status.value == "confirmed"
