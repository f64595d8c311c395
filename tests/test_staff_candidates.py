"""Staff acting on candidatures: taken in person (placed by time), withdrawn, refused, promoted."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mailflow.config.settings import Settings
from mailflow.store import Store

from .helpers.messages import deliver, member_reply, role_ot_applicants
from .helpers.project import SAMPLES
from .helpers.runs import cli, member_mail


def listed(capsys: pytest.CaptureFixture[str], settings: Settings, group: str) -> list[dict[str, object]]:
    _, out, _ = cli(capsys, settings, "candidates", "list", group, "--json")
    rows: list[dict[str, object]] = json.loads(out)
    return rows


@pytest.fixture
def full_role_ot_workspace(workspace: Settings, tmp_path: Path,
                           capsys: pytest.CaptureFixture[str]) -> Settings:
    """« Communiquer sur le rôle de l’OT » with its 15 places taken by email and one waiting."""
    deliver(workspace, role_ot_applicants(tmp_path, 16))
    assert cli(capsys, workspace, "run", "--once")[0] == 0
    return workspace


def test_a_candidature_taken_at_a_departmental_meeting_takes_its_place_by_time(
        full_role_ot_workspace: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    before = len(member_mail(full_role_ot_workspace))
    args = ["candidates", "add", "role-ot", "--email", "Anne.Morel@ot-correze.fr", "--name",
            "Anne Morel", "--department", "19", "--role", "Directrice",
            "--received-at", "2026-11-20T10:30"]
    code, out, _ = cli(capsys, full_role_ot_workspace, *args, "--dry-run")
    assert code == 0 and "inscription confirmée → anne.morel@ot-correze.fr" in out
    assert "liste d’attente → d14@ot.fr" in out and "2 messages seront envoyés :" in out
    assert "<d14@ot.fr> (role-ot) : passée en liste d’attente, position 1" in out
    assert len(member_mail(full_role_ot_workspace)) == before
    code, out, _ = cli(capsys, full_role_ot_workspace, *args)
    assert code == 0, out
    rows = listed(capsys, full_role_ot_workspace, "role-ot")
    # First in time, she takes a place no one else holds: places are numbers kept, not ranks
    assert (rows[0]["email"], rows[0]["status"], rows[0]["position"]) == (
        "anne.morel@ot-correze.fr", "confirmed", 15)
    status = {r["email"]: (r["status"], r["position"]) for r in rows}
    assert status["d14@ot.fr"] == ("waitlisted", 1)  # the latest confirmed gives way, first in line
    assert status["d15@ot.fr"] == ("waitlisted", 2)
    sent = member_mail(full_role_ot_workspace)[before:]
    assert [(m["X-Mailflow-Outcome"], m["To"].addresses[0].addr_spec) for m in sent] == [
        ("confirmed", "anne.morel@ot-correze.fr"), ("waitlisted", "d14@ot.fr")]
    assert "réunion départementale" in sent[1].get_body(("plain",)).get_content()
    with Store(full_role_ot_workspace.store_path, read_only=True) as store:
        (entry,) = store.history()
    assert entry["action"] == "candidate-add" and "reçue en personne" in entry["reason"]


def test_staff_withdraw_promotes_the_next(full_role_ot_workspace: Settings,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    rows = listed(capsys, full_role_ot_workspace, "role-ot")
    first = next(r for r in rows if r["email"] == "d0@ot.fr")
    code, out, _ = cli(capsys, full_role_ot_workspace, "candidates", "withdraw", str(first["id"]),
                       "--reason", "désistement annoncé par téléphone")
    assert code == 0, out
    withdrawn, promoted = member_mail(full_role_ot_workspace)[-2:]
    assert withdrawn["To"].addresses[0].addr_spec == "d0@ot.fr"
    assert promoted["X-Mailflow-Outcome"] == "confirmed"
    assert promoted["To"].addresses[0].addr_spec == "d15@ot.fr"


def test_staff_refuse_tells_the_reason_and_frees_the_place(full_role_ot_workspace: Settings, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    rows = listed(capsys, full_role_ot_workspace, "role-ot")
    third = next(r for r in rows if r["email"] == "d2@ot.fr")
    reason = "votre office a déjà un représentant dans ce groupe"
    assert cli(capsys, full_role_ot_workspace, "candidates", "refuse", str(third["id"]), "--reason",
               reason)[0] == 0
    refused, promoted = member_mail(full_role_ot_workspace)[-2:]
    assert refused["X-Mailflow-Outcome"] == "refused"
    letter = " ".join(refused.get_body(("plain",)).get_content().split())
    assert "déjà un représentant" in letter
    # The team's decision, said so: her place is freed and goes on, her invitation cancelled;
    # nothing says it answers a message of hers
    assert "L’équipe de la MONA a réexaminé votre candidature" in letter
    assert "La place que vous occupiez dans ce groupe est donc libérée : elle revient à la personne " \
           "suivante sur la liste d’attente." in letter
    assert "à la suite d’une décision de l’équipe de la MONA" in letter
    assert "à la réception du vôtre" not in letter and "mal comprise" not in letter
    raw = refused.get_body(("plain",)).get_content()
    # its own paragraph, not glued to the one before
    assert re.search(r"attente\.\r?\n\r?\nVous trouverez en pièce jointe", raw)
    ics = next(p for p in refused.walk() if p.get_content_type() in ("application/ics", "text/calendar"))
    assert b"METHOD:CANCEL" in ics.get_payload(decode=True)
    assert promoted["To"].addresses[0].addr_spec == "d15@ot.fr"
    # The team's decision is not reopened by her answer in its thread (a rules refusal would be)
    deliver(full_role_ot_workspace, [member_reply(refused, "Je suis pourtant directrice, 3 ETP.", tmp_path)])
    cli(capsys, full_role_ot_workspace, "run", "--once")
    mine = [r for r in listed(capsys, full_role_ot_workspace, "role-ot") if r["email"] == "d2@ot.fr"]
    assert [r["id"] for r in mine if r["status"] == "refused"] == [third["id"]]


def test_staff_promote_beyond_capacity(full_role_ot_workspace: Settings,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    waiting = next(r for r in listed(capsys, full_role_ot_workspace,
                                     "role-ot") if r["status"] == "waitlisted")
    assert cli(capsys, full_role_ot_workspace, "candidates", "promote", str(waiting["id"]),
               "--reason", "décision du bureau")[0] == 0
    _, out, _ = cli(capsys, full_role_ot_workspace, "status", "--json")
    role = next(r for r in json.loads(out) if r["id"] == "role-ot")
    assert (role["confirmed"], role["waiting"], role["left"]) == (16, 0, 0)
    assert member_mail(full_role_ot_workspace)[-1]["To"].addresses[0].addr_spec == "d15@ot.fr"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["candidates", "withdraw", "C9999", "--reason", "x"], "candidature inconnue « C9999 »"),
        (["candidates", "add", "role-ot", "--email", "a@b.fr", "--name", "A", "--department", "99"],
         "département inconnu « 99 »"),
        (["candidates", "add", "role-ot", "--email", "pas une adresse", "--name", "A",
          "--department", "24"], "n’est pas une adresse électronique"),
        (["candidates", "add", "role-ot", "--email", "a@b.fr", "--name", "A", "--department", "24",
          "--received-at", "2999-01-01T10:00"], "--received-at : la date est à venir"),
    ],
)
def test_refused_actions_say_why(workspace: Settings, capsys: pytest.CaptureFixture[str],
                                 args: list[str], message: str) -> None:
    deliver(workspace, SAMPLES[:1])
    cli(capsys, workspace, "run", "--once")
    code, _, err = cli(capsys, workspace, *args)
    assert code == 2
    assert message in err
