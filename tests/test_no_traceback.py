"""No traceback reaches a user: every command on a store holding every status, and damaged stores."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from mailflow import config
from mailflow.cli import EXIT_UNEXPECTED, main, parser
from mailflow.config.settings import Settings
from mailflow.store.files import read_json_bytes

from .helpers.messages import deliver
from .helpers.project import SAMPLES, local_config
from .helpers.runs import COMMAND_LINES, command_lines, plain


def test_the_table_covers_every_command() -> None:
    leaves = {line for line in command_lines(parser()) if " --" not in line}
    assert set(COMMAND_LINES) == leaves


def _copy(template: Path, tmp_path: Path) -> Path:
    work = tmp_path / "work"
    shutil.copytree(template, work)
    return local_config(work)


@pytest.mark.parametrize("command", sorted(COMMAND_LINES))
@pytest.mark.parametrize("json_flag", [False, True], ids=["text", "json"])
def test_every_command_answers_on_a_store_holding_every_status(
        command: str, json_flag: bool, every_status_template: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    line = COMMAND_LINES[command]
    cfg = _copy(every_status_template, tmp_path)
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
def answered(workspace: Settings) -> Settings:
    deliver(workspace, SAMPLES[:4])
    assert main(["--config", str(workspace.file), "run", "--once"]) == 0
    return workspace


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
        answered: Settings, damage: Callable[[bytes], bytes], said: str, command: list[str],
        capsys: pytest.CaptureFixture[str]) -> None:
    path = answered.store_path
    damaged = damage(read_json_bytes(path.read_bytes()))
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
