"""Nothing lost, nothing twice: `run --once` killed (SIGKILL) before and after each durable write."""

from __future__ import annotations

from pathlib import Path

from mailflow.config.settings import Settings

from .helpers.project import script

killtest = script("killtest")


def test_a_kill_at_any_durable_write_loses_nothing_and_sends_nothing_twice(tmp_path: Path) -> None:
    """Each write that makes something durable (fsync, rename, link) is a point where the process
    may die; after a restart, every message is handled once, every reply sent once, the idea's
    file kept, and no temporary file is left."""
    results = dict(killtest.points(tmp_path))
    assert len(results) >= 60  # both sides of every write of a batch of seven messages
    assert {name: problems for name, problems in results.items() if problems} == {}


def test_what_a_killed_process_left_half_written_is_removed_at_start(workspace: Settings) -> None:
    from mailflow.cli import main

    assert workspace.delivery.path is not None
    store = workspace.store_path
    idea = store.parent / "attachments" / "I0003"
    idea.mkdir(parents=True)
    workspace.delivery.path.mkdir(parents=True)
    ours = [store.with_name(f".{store.name}.4242.tmp"), store.with_name(f".{store.name}.bak.tmp"),
            idea / ".tmp-0123456789abcdef", workspace.delivery.path / ".000003-confirmed-ab12.eml.tmp"]
    theirs = [store.with_name("notes.tmp"), store.with_name(".autre.json.4242.tmp"),
              idea / "01-fiche-projet.pdf", workspace.delivery.path / "brouillon.txt"]
    for path in ours + theirs:
        path.write_bytes(b"{}")
    assert main(["--config", str(workspace.file), "run", "--once"]) == 0
    assert [p for p in ours if p.exists()] == []
    assert all(p.exists() for p in theirs)
