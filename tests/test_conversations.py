"""Every conversation of tests/conversations/ ends right, through the whole pipeline."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import local_config
from .conversation import (
    check_end,
    check_step,
    cli_once,
    conversations,
    load,
    maildir_deliverer,
    play,
    workspace,
)


def test_there_are_enough_conversations() -> None:
    assert len(conversations()) >= 40


@pytest.mark.parametrize("path", conversations(), ids=lambda p: p.stem)
def test_a_conversation_on_the_embedded_default(path: Path, tmp_path: Path) -> None:
    spec = load(path)
    settings = workspace(tmp_path, local_config)
    problems: list[str] = []
    run = None
    for step, run in play(spec, settings, maildir_deliverer(settings), cli_once(settings)):
        problems += check_step(step, run)
    assert run is not None
    problems += check_end(spec, run)
    assert problems == [], f"{spec['title']}:\n" + "\n".join(problems)
