"""Review under kill -9: `run --once` killed before and after each durable write, while it holds
replies for review and while it lets them go; after a restart nothing is lost or sent twice."""

from __future__ import annotations

from pathlib import Path

from .helpers.project import script

killtest = script("killtest")


def test_a_kill_while_replies_are_held_or_let_go_loses_nothing_and_sends_nothing_twice(
        tmp_path: Path) -> None:
    """Two places and a waiting list held for review (a refusal going at once), then the
    reviewer's « OK », corrected letter and « non »: at every kill point of either run, the
    restarted run leaves the same mail sent once, the same replies held, the same reviews."""
    results = dict(killtest.review_points(tmp_path))
    held = [name for name in results if name.startswith("held-")]
    answered = [name for name in results if name.startswith("answered-")]
    assert len(held) >= 40 and len(answered) >= 30
    assert {name: problems for name, problems in results.items() if problems} == {}
