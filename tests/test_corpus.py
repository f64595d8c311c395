"""Real-world emails (../shared/corpus, when present): nothing crashes or is lost, no robot answered."""

from __future__ import annotations

import os
from typing import Any

import pytest

from .helpers.project import CORPUS, corpus_script


@pytest.fixture(scope="module")
def rows(tmp_path_factory: pytest.TempPathFactory) -> list[Any]:
    if not (CORPUS / "MANIFEST.tsv").exists():
        if os.environ.get("CI"):
            pytest.fail(f"the corpus is missing at {CORPUS}")
        pytest.skip("no corpus beside the project")
    result: list[Any] = corpus_script.run_corpus(CORPUS, tmp_path_factory.mktemp("corpus"))
    return result


def test_every_file_is_decided_or_quarantined(rows: list[Any]) -> None:
    files = [p for p in CORPUS.rglob("*") if p.is_file() and p.name not in {"MANIFEST.tsv", "README.md"}]
    assert len(rows) == len(files) > 200
    assert [r.path for r in rows if r.outcome == "LOST"] == []


def test_no_robot_gets_a_reply(rows: list[Any]) -> None:
    robots = [r for r in rows if r.robot]
    assert len(robots) > 50
    assert [r.path for r in robots if r.replied_to_sender] == []


def test_robots_are_classified_as_robots_not_quarantined(rows: list[Any]) -> None:
    robots = [r for r in rows if r.robot]
    no_reply = [r for r in robots if r.outcome in {"no-reply", "already-processed"}]
    # A few robot files are broken beyond reading (quarantined, still unanswered).
    assert len(no_reply) >= 0.9 * len(robots)


def test_files_that_are_not_emails_are_quarantined(rows: list[Any]) -> None:
    body_only = [r for r in rows if r.path.endswith(".txt") or r.path.endswith(".msg")]
    assert body_only
    assert {r.outcome for r in body_only} == {"quarantined"}
