"""Staff changing a group during its call: close, open, capacity, a new meeting date or place."""

from __future__ import annotations

import json
from email.message import EmailMessage
from pathlib import Path

import icalendar
import pytest

from mailflow import config
from mailflow.store import Store

from .helpers.messages import deliver, member_reply, role_ot_applicants
from .helpers.project import SAMPLES
from .helpers.runs import cli, sent_mail


def test_show_says_the_places_in_agreement(workspace_config: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    """« 1 prise sur 15, 14 libres », « 2 prises sur 15, 13 libres », « 1 libre »."""
    deliver(config.load(workspace_config), SAMPLES[:2])  # a director in each of two groups
    assert cli(capsys, workspace_config, "run", "--once")[0] == 0
    out = cli(capsys, workspace_config, "groups", "show", "role-ot")[1]
    assert "places : 1 prise sur 15, 14 libres, 0 personne en liste d’attente" in out
    assert cli(capsys, workspace_config, "groups", "set", "role-ot", "--capacity", "2")[0] == 0
    show = ("groups", "show", "role-ot")
    assert "places : 1 prise sur 2, 1 libre," in cli(capsys, workspace_config, *show)[1]
    deliver(config.load(workspace_config), role_ot_applicants(workspace_config.parent, 1))
    assert cli(capsys, workspace_config, "run", "--once")[0] == 0
    assert "places : 2 prises sur 2, 0 libre," in cli(capsys, workspace_config, *show)[1]


def invitation(message: EmailMessage) -> icalendar.Calendar:
    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    return icalendar.Calendar.from_ical(part.get_payload(decode=True))


def event(message: EmailMessage) -> icalendar.Event:
    return next(c for c in invitation(message).walk() if c.name == "VEVENT")


def test_show(workspace_config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, workspace_config, "groups", "show", "ot-ruraux")
    assert code == 0
    assert "« Offices de Tourisme ruraux » (ot-ruraux)" in out
    assert "première rencontre : mardi 6 avril 2027 à 9 h 30, Montignac (Dordogne)" in out
    assert "quotas : 1 place par département littoral, 2 places par département de l’intérieur" in out
    assert "  - fonction : directeur ou directrice" in out
    assert "  - territoire : ni littoral ni de montagne" in out
    assert "  - équipe : moins de 10 ETP" in out
    assert "  - plus grande commune du territoire : 20 000 habitants au plus" in out
    assert "meeting_sequence" not in out and "sequence" not in out
    code, out, _ = cli(capsys, workspace_config, "groups", "show", "ot-ruraux", "--json")
    row = json.loads(out)
    assert row["criteria"]["fte_below"] == 10 and row["capacity"] == 20
    code, _, err = cli(capsys, workspace_config, "groups", "show", "nope")
    assert code == 2 and "groupe inconnu « nope »" in err
    assert cli(capsys, workspace_config, "groups", "show", "OT-Ruraux")[0] == 0  # ids in any case


def test_close_then_open(workspace_config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = config.load(workspace_config)
    assert cli(capsys, workspace_config, "groups", "close", "role-ot")[0] == 0
    deliver(settings, SAMPLES[1:2])
    cli(capsys, workspace_config, "run", "--once")
    assert [m["X-Mailflow-Outcome"] for m in sent_mail(settings)] == ["closed"]
    _, out, _ = cli(capsys, workspace_config, "status", "--json")
    assert next(r for r in json.loads(out) if r["id"] == "role-ot")["accepting"] is False
    assert cli(capsys, workspace_config, "groups", "open", "role-ot")[0] == 0
    deliver(settings, SAMPLES[1:2])  # the same person tries again
    assert settings.mailbox.path is not None
    (path,) = [p for p in settings.mailbox.path.glob("new/*")]
    path.write_bytes(path.read_bytes().replace(b"<02-candidature", b"<02b-candidature"))
    cli(capsys, workspace_config, "run", "--once")
    assert [m["X-Mailflow-Outcome"] for m in sent_mail(settings)] == ["closed", "confirmed"]


def test_raising_the_capacity_promotes_after_a_dry_run(workspace_config: Path, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    settings = config.load(workspace_config)
    deliver(settings, role_ot_applicants(tmp_path, 17))
    cli(capsys, workspace_config, "run", "--once")
    assert [m["X-Mailflow-Outcome"] for m in sent_mail(settings)].count("waitlisted") == 2
    code, out, _ = cli(capsys, workspace_config, "groups", "set", "role-ot", "--capacity", "16", "--dry-run")
    assert code == 0
    assert "  places : 15 → 16" in out
    assert "<d15@ot.fr> (role-ot) : sortie de la liste d’attente, place 16 sur 16" in out
    assert "inscription confirmée → d15@ot.fr" in out and "d16@ot.fr" not in out
    assert out.strip().endswith("Essai à blanc : rien n’a été modifié, aucun message n’est parti.")
    assert len(sent_mail(settings)) == 17 + 1  # the 17 replies and the « group full » alert
    code, out, _ = cli(capsys, workspace_config, "groups", "set", "role-ot", "--capacity", "16")
    assert code == 0 and "1 message envoyé :" in out
    promoted = sent_mail(settings)[-2:]
    assert [m["To"].addresses[0].addr_spec for m in promoted] == ["d15@ot.fr", "animation@monatourisme.fr"]
    letter = " ".join(promoted[0].get_body(("plain",)).get_content().split())
    # the place was added by the team, not freed: the letter says so
    assert "l’équipe de la MONA a augmenté le nombre de places du groupe de travail" in letter
    assert "libérée" not in letter and "à la suite d’une décision de l’équipe de la MONA" in letter
    assert promoted[1]["X-Mailflow-Alert"] == "group-full"
    with Store(settings.store_path, read_only=True) as store:
        (entry,) = store.history()
    assert entry["action"] == "group-change" and entry["changes"] == {"capacity": 16}


def test_a_new_meeting_date_updates_every_confirmed_calendar(workspace_config: Path, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    settings = config.load(workspace_config)
    deliver(settings, [SAMPLES[0], SAMPLES[2], SAMPLES[8]])  # two confirmed, one needs-info
    cli(capsys, workspace_config, "run", "--once")
    first = sent_mail(settings)
    original = event(first[0])
    assert int(original["SEQUENCE"]) == 0
    code, out, _ = cli(capsys, workspace_config, "groups", "set", "ot-ruraux", "--meeting-date",
                       "2027-04-13T10:00", "--place", "Sarlat-la-Canéda (Dordogne)")
    assert code == 0, out
    updates = sent_mail(settings)[len(first):]
    assert sorted(m["To"].addresses[0].addr_spec for m in updates) == [
        "luc.garnier@ot-bastides-dordogne.fr", "marie.dupont@ot-perigord-noir.fr"]
    marie = next(m for m in updates if "marie" in str(m["To"]))
    update = event(marie)
    assert update["UID"] == original["UID"]
    assert int(update["SEQUENCE"]) == 1
    assert update.decoded("DTSTART").isoformat() == "2027-04-13T10:00:00+02:00"
    assert str(update["LOCATION"]) == "Sarlat-la-Canéda (Dordogne)"
    assert "mardi 13 avril 2027 à\u00a010\u00a0h" in marie.get_body(("plain",)).get_content()
    # Later confirmations carry the new meeting; a withdrawal cancels above the last update.
    _, out, _ = cli(capsys, workspace_config, "groups", "show", "ot-ruraux", "--json")
    assert json.loads(out)["meeting_sequence"] == 1
    deliver(settings, [SAMPLES[10]])  # Luc Garnier withdraws, then confirms from his address
    cli(capsys, workspace_config, "run", "--once")
    request = sent_mail(settings)[-1]
    assert request["X-Mailflow-Outcome"] == "withdrawal-to-confirm"
    deliver(settings, [member_reply(request, "Je confirme.", tmp_path)])
    cli(capsys, workspace_config, "run", "--once")
    withdrawn = sent_mail(settings)[-1]
    cancel = event(withdrawn)
    assert str(invitation(withdrawn)["METHOD"]) == "CANCEL"
    assert int(cancel["SEQUENCE"]) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--capacity", "0"], "--capacity : au moins 1 place"),
        (["--meeting-date", "2020-01-01T09:00"], "la première rencontre doit être à venir, et non le "
                                                 "mercredi 1er janvier 2020 à 9 h"),
        (["--meeting-date", "mardi"], "--meeting-date : date et heure attendues"),
    ],
)
def test_refused_changes_say_why(workspace_config: Path, capsys: pytest.CaptureFixture[str], args: list[str],
                                 message: str) -> None:
    code, _, err = cli(capsys, workspace_config, "groups", "set", "role-ot", *args)
    assert code == 2
    assert message in err
