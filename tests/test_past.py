"""The past stays the past, and arrival is the mailbox's: first starts, since, archive, calls."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mailflow.cli import main
from mailflow.config.settings import Settings
from mailflow.store import Store

from .helpers.messages import deliver, member_reply
from .helpers.project import SAMPLES
from .helpers.runs import sent_mail


def _out(capsys: pytest.CaptureFixture[str]) -> str:
    return capsys.readouterr().out.replace("\xa0", " ").replace("\u202f", " ")


def _once(settings: Settings, capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    assert main(["--config", str(settings.file), "run", "--once", *extra]) == 0
    return _out(capsys)


def test_a_first_start_answers_none_of_the_past_and_says_so(
        workspace: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    long_ago = datetime(2021, 3, 4, 10, 0, tzinfo=UTC)
    deliver(workspace, SAMPLES[:3], at=long_ago)
    deliver(workspace, SAMPLES[3:4])  # this morning's: answered
    out = _once(workspace, capsys)
    assert "3 anciens messages attendent (du jeudi 4 mars 2021" in out
    assert "mailflow run --once --since 2021-03-04" in out and "mailflow old archive" in out
    assert len([m for m in sent_mail(workspace) if m["X-Mailflow-Outcome"]]) == 1
    # Nothing changes at the next look: they wait, unanswered, for staff's word.
    _once(workspace, capsys)
    assert len([m for m in sent_mail(workspace) if m["X-Mailflow-Outcome"]]) == 1
    assert main(["--config", str(workspace.file), "check-config"]) == 0
    assert "3 anciens messages attendent" in _out(capsys)


def test_staff_count_the_past_from_a_date(workspace: Settings,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    deliver(workspace, SAMPLES[:1], at=datetime(2021, 3, 4, 10, 0, tzinfo=UTC))
    _once(workspace, capsys)
    assert sent_mail(workspace) == []
    out = _once(workspace, capsys, "--since", "2021-03-01")
    assert "1 message traité" in out and "ancien" not in out
    (reply,) = sent_mail(workspace)
    assert reply["X-Mailflow-Outcome"] == "confirmed"
    with Store(workspace.store_path, read_only=True) as store:
        (cand,) = store.state(workspace.groups, workspace.departments).candidatures
    assert cand.received_at == datetime(2021, 3, 4, 10, 0, tzinfo=UTC)  # reçue le: its arrival


def test_staff_set_the_past_aside_as_history(workspace: Settings,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    deliver(workspace, SAMPLES[:2], at=datetime(2022, 6, 1, 8, 0, tzinfo=UTC))
    _once(workspace, capsys)
    assert main(["--config", str(workspace.file), "old", "archive", "--dry-run"]) == 0
    assert "2 anciens messages seraient rangés" in _out(capsys)
    assert main(["--config", str(workspace.file), "old", "archive"]) == 0
    assert "2 anciens messages rangés dans « Archives avant mailflow »" in _out(capsys)
    assert workspace.mailbox.path is not None
    archived = workspace.mailbox.path / ".Archives avant mailflow" / "cur"
    assert len(list(archived.iterdir())) == 2
    assert "aucun nouveau message" in _once(workspace, capsys)
    assert sent_mail(workspace) == []


def test_a_store_in_use_before_this_version_has_no_past(
        workspace: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    from tinydb.operations import delete

    deliver(workspace, SAMPLES[:1])
    _once(workspace, capsys)
    with Store(workspace.store_path) as store:  # a store written before `since` was kept
        store._table("meta").update(delete("since"), doc_ids=[1])
        store._storage.flush()
    deliver(workspace, SAMPLES[1:2], at=datetime.now(UTC) - timedelta(days=3))
    out = _once(workspace, capsys)
    assert "ancien" not in out  # it had answered mail: nothing is the past
    assert len([m for m in sent_mail(workspace) if m["X-Mailflow-Outcome"]]) == 2


def test_a_candidature_that_came_before_the_call_opened_is_not_given_a_place_silently(
        workspace: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = str(workspace.file)
    assert main(["--config", cfg, "groups", "close", "role-ot"]) == 0
    deliver(workspace, SAMPLES[1:2], at=datetime.now(UTC) - timedelta(minutes=30))  # role-ot
    assert main(["--config", cfg, "groups", "open", "role-ot"]) == 0  # opened after it came
    capsys.readouterr()
    _once(workspace, capsys)
    (closed,) = [m for m in sent_mail(workspace) if m["X-Mailflow-Outcome"]]
    assert closed["X-Mailflow-Outcome"] == "closed"
    text = " ".join(closed.get_body(("plain",)).get_content().split())
    assert "avant l’ouverture de l’appel" in text and "répondez « oui »" in text
    deliver(workspace, [member_reply(closed, "Oui, bien sûr !", tmp_path)])
    _once(workspace, capsys)
    assert [m["X-Mailflow-Outcome"] for m in sent_mail(workspace) if m["X-Mailflow-Outcome"]] == [
        "closed", "confirmed"]
