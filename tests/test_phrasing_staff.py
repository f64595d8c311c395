"""Staff requests written by other people, played through the real pipeline: each gets its plan
(confirmed, the state then checked), its question back, or silence where silence is right."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .helpers.project import ROOT, script

phrasing = script("phrasing")
SHARED = ROOT.parent / "shared" / "phrasing" / "staff-dev.jsonl"
#: Our sets: staff-ours (written with the reader), staff-voices and staff-voices2 (written apart by
#: other hands, each measured once before the reader learnt from it: 118/160 and 149/160).
OURS = sorted((ROOT / "tests" / "data" / "phrasing").glob("staff-*.jsonl"))
CASES: list[dict[str, Any]] = [*(case for path in OURS for case in phrasing.load(path)),
                               *(phrasing.load(SHARED) if SHARED.exists() else [])]
#: What may fall short of a plan in so many messages: asked back (an answer that says what was
#: understood and what is missing), never silence and never a wrong plan.
ASKED_AT_MOST = 6


@pytest.fixture(scope="module")
def staff_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The world of the staff sets (see ../shared/phrasing/README.md), to copy for each message."""
    work = tmp_path_factory.mktemp("staff-world") / "world"
    phrasing.staff_world(work)
    return work


@pytest.fixture(scope="module")
def asked() -> list[str]:
    """The messages asked back rather than planned, gathered across the module's tests."""
    return []


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_a_staff_request_is_planned_asked_or_left_alone(case: dict[str, Any], staff_world: Path,
                                                         tmp_path: Path, asked: list[str]) -> None:
    result = phrasing.play_staff(case, staff_world, tmp_path / "w")
    assert result.verdict in ("right", "asked"), (result.verdict, result.said)
    if result.verdict == "asked":
        asked.append(case["id"])


def test_few_requests_are_asked_back(asked: list[str]) -> None:
    """Runs after the table above: most requests are planned outright."""
    assert len(asked) <= ASKED_AT_MOST, asked
