"""No traceback reaches a user: every command on a store holding every status, and damaged stores."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from mailflow import config
from mailflow.cli import EXIT_UNEXPECTED, main, parser
from mailflow.config.settings import Settings
from mailflow.model.values import (
    Candidature,
    DeliveryStatus,
    Idea,
    IdeaStatus,
    PendingAction,
    Profile,
    Question,
    QuestionStatus,
    Status,
)
from mailflow.ports import OutboxItem
from mailflow.store import Store
from mailflow.store.files import read_json_bytes

from .conftest import local_config
from .test_cli import commands, plain
from .test_service import SAMPLES, deliver

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def every_status_store(settings: Settings) -> None:
    """The samples answered, then one candidature per status, one idea per stage and one reply
    per delivery state added, as staff and members would have left them over months."""
    deliver(settings, SAMPLES)
    assert main(["--config", str(settings.file), "run", "--once"]) == 0
    with Store(settings.store_path) as store:
        before = store.state(settings.groups, settings.departments)
        seq = before.next_seq
        # Each series goes on from the samples' last number (C0006, I0001, Q0001).
        first_c, first_i, first_q = (before.last_number(s) + 1 for s in "CIQ")
        extra: list[Candidature] = []
        for i, status in enumerate(Status):
            extra.append(Candidature(
                id=f"C{first_c + i:04d}", group_id="role-ot", email=f"membre{i}@ot-exemple.fr",
                name=f"Membre {i}", profile=Profile(name=f"Membre {i}", department="87"),
                status=status, seq=seq + i, received_at=T0 + timedelta(minutes=i),
                message_key=f"k{i}", reason="raison" if status is Status.REFUSED else "",
                missing=("fte",) if status is Status.NEEDS_INFO else (),
                updated_at=T0 + timedelta(hours=1)))
        seq += len(extra)
        ideas: list[Idea] = []
        for i, stage in enumerate(IdeaStatus):
            ideas.append(Idea(
                id=f"I{first_i + i:04d}", seq=seq + i, email=f"porteur{i}@pat-exemple.fr", name=None,
                subject=f"Idée {i}", summary="Un groupe sur l’accueil.", received_at=T0,
                message_key=f"i{i}", status=stage,
                validated_on=date(2026, 12, 2) if stage in (IdeaStatus.VALIDATED,
                                                            IdeaStatus.DRAFTED) else None,
                co_animated=True if stage is IdeaStatus.VALIDATED else None,
                declined_reason="hors sujet" if stage is IdeaStatus.DECLINED else ""))
        seq += len(ideas)
        pending = PendingAction("0" * 64, "commit", extra[-1].id, extra[-1].email, T0,
                                T0 + timedelta(hours=72))
        staff_action = PendingAction(  # a staff member's action waiting for its code
            "1" * 64, "staff", "ot-ruraux", "animation@monatourisme.fr", T0, T0 + timedelta(hours=72),
            payload='{"fields": {"capacity": "25"}, "reason": "", "target": "ot-ruraux", '
                    '"verb": "capacity"}')
        questions = tuple(Question(
            id=f"Q{first_q + i:04d}", seq=seq + i, email=f"curieux{i}@ot-exemple.fr", name=None,
            subject="Une question", text="Qui peut participer ?", received_at=T0,
            message_key=f"q{i}", group_id="ot-ruraux", status=status,
            answered_at=T0 + timedelta(hours=2) if status is QuestionStatus.ANSWERED else None,
            answered_by="animation@monatourisme.fr" if status is QuestionStatus.ANSWERED else None)
            for i, status in enumerate(QuestionStatus))
        seq += len(questions)
        after = replace(before, candidatures=(*before.candidatures, *extra),
                        ideas=(*before.ideas, *ideas), next_seq=seq,
                        pending=(*before.pending, pending, staff_action),
                        questions=(*before.questions, *questions),
                        numbers=before.numbered(*(c.id for c in extra), *(i.id for i in ideas),
                                                *(q.id for q in questions)))
        store.save_state(before, after)
        raw = (SAMPLES[0]).read_bytes()
        for i, status in enumerate(DeliveryStatus):
            store.enqueue(OutboxItem(
                id=f"<etat{i}@monatourisme.fr>", seq=store.next_outbox_seq(),
                to=[f"membre{i}@ot-exemple.fr"], outcome="confirmed", message_key=f"k{i}",
                created_at=T0, raw=raw, subject="Re : Candidature", status=status,
                attempts=1 if status is not DeliveryStatus.PENDING else 0,
                last_error="451 plus tard" if status is not DeliveryStatus.SENT else ""))
        store.record_history({"at": T0.isoformat(), "actor": "staff", "action": "group-change",
                              "group": "ot-ruraux", "changes": {"capacity": 21}, "sent": []})
        store.record_history({"at": T0.isoformat(), "actor": "animation@monatourisme.fr",
                              "action": "candidate-promote", "group": "ot-ruraux",
                              "candidature": extra[-1].id, "summary": "place donnée",
                              "reason": "décision de l’équipe", "sent": ["confirmed → x@ot.fr"]})
        store.commit()


#: One command line per command of the parser, with the values people give.
COMMAND_LINES = {
    "mailflow run": ["run", "--dry-run"],
    "mailflow status": ["status"],
    "mailflow groups list": ["groups", "list"],
    "mailflow groups show": ["groups", "show", "ot-ruraux"],
    "mailflow groups open": ["groups", "open", "role-ot", "--dry-run"],
    "mailflow groups close": ["groups", "close", "role-ot"],
    "mailflow groups set": ["groups", "set", "ot-ruraux", "--capacity", "25"],
    "mailflow groups reset": ["groups", "reset", "role-ot"],
    "mailflow candidates list": ["candidates", "list", "role-ot"],
    "mailflow candidates add": ["candidates", "add", "role-ot", "--email", "jeanne@ot-confolentais.fr",
                                "--name", "Jeanne Martin", "--department", "16"],
    "mailflow candidates withdraw": ["candidates", "withdraw", "C0001", "--reason", "par téléphone"],
    "mailflow candidates refuse": ["candidates", "refuse", "C0002", "--reason", "hors profil"],
    "mailflow candidates promote": ["candidates", "promote", "C0008", "--reason", "choix"],
    "mailflow candidates export": ["candidates", "export", "role-ot"],
    "mailflow digest": ["digest", "--print"],
    "mailflow check-config": ["check-config"],
    "mailflow newsletter": ["newsletter", "--text"],
    "mailflow ideas list": ["ideas", "list"],
    "mailflow ideas show": ["ideas", "show", "I0001"],
    "mailflow ideas advance": ["ideas", "advance", "I0002"],
    "mailflow ideas validate": ["ideas", "validate", "I0004", "--board-date", "2026-12-01"],
    "mailflow ideas decline": ["ideas", "decline", "I0003", "--reason", "hors sujet"],
    "mailflow ideas draft": ["ideas", "draft", "I0005"],
    "mailflow history": ["history"],
    "mailflow questions list": ["questions", "list", "--all"],
    "mailflow questions done": ["questions", "done", "Q0002"],
    "mailflow privacy export": ["privacy", "export", "marie.dupont@ot-perigord-noir.fr"],
    "mailflow privacy purge": ["privacy", "purge", "--before", "2030-01-01", "--dry-run"],
    "mailflow quarantine list": ["quarantine", "list"],
    "mailflow old list": ["old", "list"],
    "mailflow old archive": ["old", "archive", "--dry-run"],
    "mailflow quarantine show": ["quarantine", "show", "1"],
    "mailflow quarantine retry": ["quarantine", "retry", "--all", "--dry-run"],
}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("every-status")
    every_status_store(config.load(local_config(work)))
    return work


def test_the_table_covers_every_command() -> None:
    leaves = {line for line in commands(parser()) if " --" not in line}
    assert set(COMMAND_LINES) == leaves


def _copy(template: Path, tmp_path: Path) -> Path:
    work = tmp_path / "work"
    shutil.copytree(template, work)
    return local_config(work)


@pytest.mark.parametrize("command", sorted(COMMAND_LINES))
@pytest.mark.parametrize("json_flag", [False, True], ids=["text", "json"])
def test_every_command_answers_on_a_store_holding_every_status(
        command: str, json_flag: bool, template: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    line = COMMAND_LINES[command]
    cfg = _copy(template, tmp_path)
    args = ["--config", str(cfg), *line]
    if json_flag:
        if command not in ("mailflow status", "mailflow groups list", "mailflow groups show",
                           "mailflow candidates list", "mailflow ideas list", "mailflow ideas show",
                           "mailflow history", "mailflow questions list",
                           "mailflow quarantine list"):
            pytest.skip("this command has no --json")
        args.append("--json")
    code = main(args)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert code in (0, 1, 2), err
    assert (out if code == 0 else err).strip()


def test_an_unexpected_error_is_one_line_and_its_details_are_kept(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = local_config(tmp_path)
    settings = config.load(cfg)

    def broken(*_args: object) -> int:
        raise KeyError("received_at")

    monkeypatch.setattr("mailflow.commands.groups.cmd_status", broken)  # a bug in any command
    code = main(["--config", str(cfg), "status"])
    out, err = capsys.readouterr()
    assert code == EXIT_UNEXPECTED
    assert "Traceback" not in out + err and len(err.strip().splitlines()) == 1
    assert "erreur inattendue" in err and "KeyError" in err
    report = settings.store_path.parent / "mailflow-erreurs.log"
    assert "Traceback" in report.read_text(encoding="utf-8") and str(report) in err
    assert report.stat().st_mode & 0o077 == 0


# --- damaged stores -----------------------------------------------------------------------------


@pytest.fixture
def answered(tmp_path: Path) -> Settings:
    settings = config.load(local_config(tmp_path))
    deliver(settings, SAMPLES[:4])
    assert main(["--config", str(settings.file), "run", "--once"]) == 0
    return settings


def _damage_text(data: bytes) -> bytes:
    cut = data.index("é".encode()) + 1  # in the middle of « é »: a write cut short
    return data[:cut]


def _drop_field(data: bytes) -> bytes:
    doc = json.loads(data)
    first = next(iter(doc["candidatures"]))
    del doc["candidatures"][first]["received_at"]
    return json.dumps(doc, ensure_ascii=False).encode()


def _wrong_table(data: bytes) -> bytes:
    doc = json.loads(data)
    doc["outbox"] = ["not", "a", "table"]
    return json.dumps(doc, ensure_ascii=False).encode()


def _wrong_seq(data: bytes) -> bytes:
    doc = json.loads(data)
    first = next(iter(doc["candidatures"]))
    doc["candidatures"][first]["seq"] = "trois"
    return json.dumps(doc, ensure_ascii=False).encode()


@pytest.mark.parametrize(("damage", "said"), [
    (_damage_text, "pas de l’UTF-8"),
    (_drop_field, "table « candidatures », enregistrement 1 (id 'C0001'), champ « received_at » : absent"),
    (_wrong_table, "la table « outbox » devrait être un objet"),
    (_wrong_seq, "champ « seq » : devrait être un nombre entier, trouvé 'trois'"),
], ids=["cut-utf8", "missing-field", "table-type", "field-type"])
@pytest.mark.parametrize("command", [["run", "--once"], ["status"], ["digest", "--print"],
                                     ["history"], ["candidates", "list", "ot-ruraux"]],
                         ids=" ".join)
def test_a_damaged_store_is_refused_with_what_and_where(
        answered: Settings, damage: object, said: str, command: list[str],
        capsys: pytest.CaptureFixture[str]) -> None:
    path = answered.store_path
    damaged = damage(read_json_bytes(path.read_bytes()))  # type: ignore[operator]
    path.write_bytes(damaged)  # as a hand edit leaves it: plain JSON, which is read too
    code = main(["--config", str(answered.file), *command])
    out, err = capsys.readouterr()
    err = plain(err)
    assert code == 1 and "Traceback" not in out + err
    assert str(path) in err and said in err and f"{path.name}.bak" in err
    assert path.read_bytes() == damaged  # nothing changed


def test_a_compressed_store_cut_short_is_refused(answered: Settings,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    path = answered.store_path
    cut = path.read_bytes()[:-20]  # a copy cut short (the disk filled up, a transfer stopped)
    path.write_bytes(cut)
    assert main(["--config", str(answered.file), "status"]) == 1
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "le fichier compressé est illisible" in err
    assert f"{path.name}.bak" in err and path.read_bytes() == cut
