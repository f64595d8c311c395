"""The README's « Try it » run as a newcomer runs it: its shell blocks, in order, in a fresh folder."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from .helpers.project import ROOT


def test_the_try_it_commands_tell_the_readme_story(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    part = readme[readme.index("## Try it"):readme.index("## Configuration")]
    blocks = re.findall(r"```sh\n(.*?)```", part, re.S)
    assert len(blocks) == 4
    for name in ("config", "samples", "templates"):
        shutil.copytree(ROOT / name, tmp_path / name)
    launcher = tmp_path / ".venv" / "bin" / "mailflow"  # the README's command, this interpreter
    launcher.parent.mkdir(parents=True)
    launcher.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m mailflow "$@"\n', encoding="utf-8")
    launcher.chmod(0o755)
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", "\n".join(blocks)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    out = done.stdout.replace("\u00a0", " ").replace("\u202f", " ")
    assert "ot-ruraux            ouvert      3 / 20     17       1" in out  # after the samples
    assert "aucune question en attente" in out  # the staff member's answer closed it
    # Claire's action: a plan and a code first, then done once her « Oui » brings the code back.
    assert "action de l’équipe à confirmer" in out and "action de l’équipe faite" in out
    assert "C0006 nadia.roux@ot-isle-auvezere.fr : confirmée" in out  # Nadia's history
    # Review on: Paul's place is his at once, his reply waits for Claire's « OK », then goes.
    assert "direction@ot-cognac.fr (en attente de relecture)" in out
    assert "R0001  « inscription confirmée » à Paul Girard <direction@ot-cognac.fr>" in out
    assert "réponse relue par l’équipe" in out and "envoyée telle quelle" in out
    assert re.search(r"confirmed\s+1\s+0\s+0\s+0\s+1", out)  # the figures: one as drafted
    assert "Traceback" not in done.stderr
