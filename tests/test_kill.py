"""Nothing lost, nothing twice: `run --once` killed (SIGKILL) before and after each durable write."""

from __future__ import annotations

from pathlib import Path

from .conftest import _script

killtest = _script("killtest")


def test_a_kill_at_any_durable_write_loses_nothing_and_sends_nothing_twice(tmp_path: Path) -> None:
    """Each write that makes something durable (fsync, rename, link) is a point where the process
    may die; after a restart, every message is handled once, every reply sent once, the idea's
    file kept, and no temporary file is left."""
    results = dict(killtest.points(tmp_path))
    assert len(results) >= 60  # both sides of every write of a batch of seven messages
    assert {name: problems for name, problems in results.items() if problems} == {}
