"""Every conversation of tests/conversations/ ends right, through the whole pipeline."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailflow.config.settings import Settings

from .conversation import (
    check_end,
    check_step,
    cli_once,
    conversations,
    load,
    maildir_deliverer,
    play,
)


def test_there_are_enough_conversations() -> None:
    assert len(conversations()) >= 40


@pytest.mark.parametrize("path", conversations(), ids=lambda p: p.stem)
def test_a_conversation_on_the_embedded_default(path: Path, workspace: Settings) -> None:
    spec = load(path)
    problems: list[str] = []
    run = None
    for step, run in play(spec, workspace, maildir_deliverer(workspace), cli_once(workspace)):
        problems += check_step(step, run)
    assert run is not None
    problems += check_end(spec, run)
    assert problems == [], f"{spec['title']}:\n" + "\n".join(problems)
