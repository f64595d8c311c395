"""Personal data is private: what mailflow creates is 0600 (folders 0700), whatever the umask."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from mailflow import config
from mailflow.cli import main

from .helpers.messages import deliver
from .helpers.project import SAMPLES, local_config


@pytest.mark.parametrize("umask", [0o022, 0o000], ids=["umask-022", "umask-000"])
def test_everything_mailflow_creates_is_for_its_user_only(tmp_path: Path, umask: int) -> None:
    work = tmp_path / "var"  # nothing exists yet: mailflow makes the folders
    work.mkdir()
    settings = config.load(local_config(work))
    deliver(settings, SAMPLES)  # the samples include an idea with its file
    before = {p.stat().st_ino for p in work.rglob("*")}  # delivered messages are moved, not made
    old = os.umask(umask)
    try:
        assert main(["--config", str(settings.file), "run", "--once"]) == 0
        export = work / "candidats.csv"
        assert main(["--config", str(settings.file), "candidates", "export", "ot-ruraux",
                     "--output", str(export)]) == 0
    finally:
        os.umask(old)
    made = sorted(p for p in work.rglob("*") if p.stat().st_ino not in before)
    names = {p.name for p in made}
    assert {"store.json", "store.json.bak", "store.json.lock", "index.json", "candidats.csv"} <= names
    assert any(p.suffix == ".eml" for p in made) and any(p.suffix == ".pdf" for p in made)
    too_open = [f"{p.relative_to(work)} {stat.filemode(p.stat().st_mode)}" for p in made
                if stat.S_IMODE(p.stat().st_mode) & 0o077]
    assert too_open == []
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o700 for p in made if p.is_dir())
