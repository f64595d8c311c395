"""The store on disk: a small state file, an append-only journal, reply bodies until sent, and the
migration from the single file earlier versions wrote."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from mailflow.cli import main
from mailflow.config.settings import Settings
from mailflow.errors import StoreError
from mailflow.model.values import Figure
from mailflow.store import Store
from mailflow.store.codecs import figure_from_json, figure_to_json
from mailflow.store.files import read_json_bytes

from .helpers.messages import deliver
from .helpers.project import ROOT, SAMPLES
from .helpers.runs import Crash, member_mail, run_once

OLD_STORE = ROOT / "tests" / "data" / "store-before-the-journal.json"


def journal_records(settings: Settings) -> list[dict[str, object]]:
    folder = settings.store_path.with_name(settings.store_path.name + ".journal")
    return [json.loads(line) for f in sorted(folder.glob("*.jsonl"))
            for line in f.read_text(encoding="utf-8").splitlines()]


def test_a_store_written_before_the_journal_is_migrated_at_start(
        workspace: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    """A store made by the previous version (every table in one file, the replies' bytes in
    base64, two replies still waiting for an SMTP server that was down)."""
    old = json.loads(OLD_STORE.read_text(encoding="utf-8"))
    assert {"ledger", "history", "outbox"} <= set(old)
    waiting = [d for d in old["outbox"].values() if d["status"] == "pending"]
    assert len(waiting) == 2
    workspace.store_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(OLD_STORE, workspace.store_path)
    # A reader sees everything, and changes nothing on disk.
    assert main(["--config", str(workspace.file), "status", "--json"]) == 0
    status = {r["id"]: (r["taken"], r["waiting"]) for r in json.loads(capsys.readouterr().out)}
    assert status == {"porteurs-de-projet": (0, 0), "ot-ruraux": (3, 1), "role-ot": (2, 0)}
    assert workspace.store_path.read_bytes() == OLD_STORE.read_bytes()
    with Store(workspace.store_path, read_only=True) as store:
        assert len(store.ledger()) == len(old["ledger"]) and len(store.history()) == 1
        assert [len(i.raw) > 0 for i in store.outbox("pending")] == [True, True]
    # The first writer migrates; the replies that waited go out, byte for byte as queued.
    run_once(workspace)
    state = json.loads(read_json_bytes(workspace.store_path.read_bytes()))
    assert not {"ledger", "history", "sent"} & set(state) and state["outbox"] == {}
    assert state["meta"]["1"]["schema"] == 2
    kinds = [r["t"] for r in journal_records(workspace)]
    assert kinds.count("ledger") == len(old["ledger"]) and kinds.count("history") == 1
    assert kinds.count("delivered") == len(old["outbox"])
    sent = {str(m["Message-ID"]): m for m in member_mail(workspace)}
    assert {d["id"] for d in waiting} <= set(sent)
    with Store(workspace.store_path, read_only=True) as store:
        assert store.seen_before(next(iter(old["ledger"].values()))["sha256"], None)
        assert {c.id for c in store.state(workspace.groups, workspace.departments).candidatures} == {
            d["id"] for d in old["candidatures"].values()}
    assert main(["--config", str(workspace.file), "history"]) == 0
    assert "candidature ajoutée par root" in capsys.readouterr().out


def test_a_migration_cut_short_is_done_again_the_same(workspace: Settings,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    workspace.store_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(OLD_STORE, workspace.store_path)

    def crash(*_args: object, **_kwargs: object) -> None:
        raise Crash  # the process dies after the journal, before the state file

    monkeypatch.setattr("mailflow.store.statefile.StateStorage.flush", crash)
    with pytest.raises(Crash):
        Store(workspace.store_path)
    monkeypatch.undo()
    first = journal_records(workspace)
    assert workspace.store_path.read_bytes() == OLD_STORE.read_bytes()
    Store(workspace.store_path).close()
    assert journal_records(workspace) == first  # written again, not twice


def test_each_commit_reaches_the_journal_once_even_if_the_process_died_between(
        workspace: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    deliver(workspace, SAMPLES[:2])
    calls = 0

    def die_once(*args: object, **kwargs: object) -> None:
        nonlocal calls
        calls += 1
        raise Crash  # after the state file was replaced

    monkeypatch.setattr("mailflow.store.journal.Journal.append", die_once)
    with pytest.raises(Crash):
        run_once(workspace)
    monkeypatch.undo()
    assert calls == 1 and journal_records(workspace) == []
    run_once(workspace)  # the next writer appends what the journal lacked, then goes on
    ledger = [r for r in journal_records(workspace) if r["t"] == "ledger"]
    assert len(ledger) == 2 and len({(r["b"], r["i"]) for r in journal_records(workspace)}) == len(
        journal_records(workspace))


def test_a_line_torn_by_a_crash_is_cut_off(workspace: Settings) -> None:
    deliver(workspace, SAMPLES[:1])
    run_once(workspace)
    journal = workspace.store_path.with_name(workspace.store_path.name + ".journal")
    [month] = journal.glob("*.jsonl")
    month.write_bytes(month.read_bytes() + b'{"t":"ledger","key":"half')
    with Store(workspace.store_path, read_only=True) as store:
        assert len(store.ledger()) == 1
    deliver(workspace, SAMPLES[1:2])
    run_once(workspace)
    assert b"half" not in month.read_bytes()
    assert sum(r["t"] == "ledger" for r in journal_records(workspace)) == 2


def test_a_damaged_journal_line_is_named(workspace: Settings) -> None:
    deliver(workspace, SAMPLES[:1])
    run_once(workspace)
    journal = workspace.store_path.with_name(workspace.store_path.name + ".journal")
    [month] = journal.glob("*.jsonl")
    month.write_bytes(b'{"t":"ledger","key":"k"}\n' + month.read_bytes())
    with Store(workspace.store_path, read_only=True) as store, pytest.raises(
            StoreError, match=r"ligne 1 : ledger key 'k', champ « sha256 » : absent"):
        store.ledger()


def test_reply_bytes_are_kept_only_until_they_are_sent(workspace: Settings) -> None:
    deliver(workspace, SAMPLES)
    run_once(workspace)
    pending = workspace.store_path.with_name(workspace.store_path.name + ".pending")
    assert not pending.exists() or list(pending.iterdir()) == []
    with Store(workspace.store_path, read_only=True) as store:
        sent = store.outbox("sent")
    assert len(sent) == len(member_mail(workspace)) + 2 and all(i.raw == b"" for i in sent)
    assert all(len(i.sha256) == 64 for i in sent)
    state = workspace.store_path.read_bytes()
    assert b"raw_b64" not in state and len(state) < 20_000


def _record(n: int, status: str) -> dict[str, object]:
    return {"id": f"C{n:04d}", "group_id": "ot-ruraux", "email": f"m{n}@ot.fr", "status": status,
            "seq": n, "received_at": f"2026-12-01T09:{n % 60:02d}:00+00:00"}


@hsettings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.tuples(st.integers(1, 8), st.sampled_from(["confirmed", "waitlisted"])),
                         max_size=6), min_size=1, max_size=5))
def test_the_tables_hold_what_each_commit_wrote(sessions: list[list[tuple[int, str]]]) -> None:
    """Commits in fresh sessions, each replacing some records and adding others: the store holds
    exactly the last status written for each record."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "mailflow.json"
        model: dict[str, str] = {}
        for writes in sessions:
            with Store(path) as store:
                for n, status in writes:
                    store.tables.put("candidatures", _record(n, status))
                    model[f"C{n:04d}"] = status
                store.commit()
            with Store(path, read_only=True) as store:
                held = {d["id"]: d["status"] for d in store.tables.all("candidatures")}
            assert held == model


def test_a_record_changed_and_a_new_one_in_one_commit_both_stay(tmp_path: Path) -> None:
    """The newest record replaced and a new one added in the same commit, in a fresh process
    (a member promoted while another applies): neither takes the other's place."""
    path = tmp_path / "mailflow.json"
    record = _record

    with Store(path) as store:
        store.tables.put("candidatures", record(1, "confirmed"))
        store.tables.put("candidatures", record(2, "waitlisted"))
        store.commit()
    with Store(path) as store:  # a new process: TinyDB knows nothing of the ids yet
        store.tables.put("candidatures", record(2, "confirmed"))
        store.tables.put("candidatures", record(3, "waitlisted"))
        store.commit()
    with Store(path, read_only=True) as store:
        held = {d["id"]: d["status"] for d in store.tables.all("candidatures")}
    assert held == {"C0001": "confirmed", "C0002": "confirmed", "C0003": "waitlisted"}


@pytest.mark.parametrize("figure", [
    Figure.exact(5), Figure.exact(5, said="5 ETP"), Figure(0, 10, high_open=True, said="moins de 10 ETP"),
    Figure(11, 11, said="11 salariés", people=True),
    Figure(8, 12, said="une dizaine de salariés", people=True),
])
def test_a_figure_is_kept_as_said(figure: Figure) -> None:
    """A count of people stays one (its rules read it as at most that many ETP)."""
    kept = figure_from_json(json.loads(json.dumps(figure_to_json(figure))))
    assert kept == figure and kept is not None and (kept.said, kept.people) == (figure.said, figure.people)
