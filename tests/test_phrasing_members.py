"""The members' phrasing sets played through the real pipeline (scripts/phrasing.py): each message
delivered to a fresh world, the profile mailflow recorded compared with what a careful reader
takes from it; the figures stay at least where the reader has brought them. Our own sets always
run; ../shared/phrasing/members-dev.jsonl when it is beside the project."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .helpers.project import ROOT, script

phrasing = script("phrasing")
OURS = ROOT / "tests" / "data" / "phrasing"
SHARED = ROOT.parent / "shared" / "phrasing" / "members-dev.jsonl"

#: (facts right, messages with every fact right), each a share, a little under what is reached
#: (see README, « Members' facts »); a regression below them fails.
FLOORS = {
    "members-dev.jsonl": (0.98, 0.95),
    "members-ours.jsonl": (0.98, 0.96),
    "members-more.jsonl": (0.98, 0.96),
    "members-fresh.jsonl": (0.98, 0.95),
    "members-again.jsonl": (0.98, 0.95),
    "members-variants.jsonl": (0.98, 0.94),
    # Written apart by other hands, first read at 81 % and 94 % of facts; two messages here ask
    # which group fits or name none, and rightly get no candidature, so their facts count wrong.
    "members-voices.jsonl": (0.96, 0.94),
    "members-voices2.jsonl": (0.98, 0.95),
    # Written apart after both; first read at 266/279 facts, 35/40 messages. Left: « 7,000
    # inhabitants », « la Vienne » the river, « une quinzaine d'ETP » (a range, honestly).
    "members-voices3.jsonl": (0.98, 0.92),
}
#: No single fact may fall below this share in any set (a fact the reader stopped reading).
FACT_FLOOR = 0.9


def _sets() -> list[Path]:
    return [*sorted(OURS.glob("members-*.jsonl")), SHARED]


def _play(path: Path, work: Path) -> tuple[dict[str, list[bool]], list[bool]]:
    """Per fact, whether each message got it right; per message, whether it got every fact."""
    report = phrasing.play([path], work)
    per: dict[str, list[bool]] = {}
    for _case, facts in report.members:
        for fact, ok in facts.items():
            per.setdefault(fact, []).append(ok)
    return per, [all(facts.values()) for _case, facts in report.members]


def test_every_set_of_ours_has_a_floor() -> None:
    assert {p.name for p in OURS.glob("members-*.jsonl")} <= set(FLOORS)
    assert len(phrasing.load(OURS / "members-more.jsonl")) >= 60
    assert len(phrasing.load(OURS / "members-again.jsonl")) >= 50


@pytest.mark.parametrize("path", _sets(), ids=lambda p: p.stem)
def test_members_facts_stay_above_their_floor(path: Path, tmp_path: Path) -> None:
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"the shared phrasing set is missing at {path}")
        pytest.skip("no shared phrasing set beside the project")
    per, whole = _play(path, tmp_path)
    facts = [ok for oks in per.values() for ok in oks]
    facts_floor, messages_floor = FLOORS[path.name]
    assert sum(facts) / len(facts) >= facts_floor, {f: f"{sum(v)}/{len(v)}" for f, v in per.items()}
    assert sum(whole) / len(whole) >= messages_floor, f"{sum(whole)}/{len(whole)} messages"
    weak = {fact: f"{sum(oks)}/{len(oks)}" for fact, oks in per.items() if sum(oks) / len(oks) < FACT_FLOOR}
    assert weak == {}


def test_a_wrong_reading_would_be_seen(tmp_path: Path) -> None:
    """The harness compares what is recorded: a case whose expectation is wrong fails."""
    case = phrasing.load(OURS / "members-more.jsonl")[0]
    wrong = {**case, "expect": {**case["expect"], "department": "87", "fte": 42}}
    facts = phrasing.play_member(wrong, tmp_path)
    assert (facts["department"], facts["fte"]) == (False, False)
    assert facts["group"] is True
