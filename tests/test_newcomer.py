"""The command line as a newcomer meets it: `mailflow` alone lists the commands, `--version`,
a missing configuration that says how to name one, and a `--help` that imports nothing more."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

from mailflow.cli import parser

from .helpers.project import ROOT
from .helpers.runs import plain


def mailflow_process(*args: str, cwd: Path, env: dict[str,
                                                      str] | None = None) -> subprocess.CompletedProcess[str]:
    """The command as a person runs it, from `cwd`, without MAILFLOW_CONFIG unless given."""
    base = {k: v for k, v in os.environ.items() if k != "MAILFLOW_CONFIG"}
    return subprocess.run([sys.executable, "-m", "mailflow", *args], cwd=cwd, env={**base, **(env or {})},
                          capture_output=True, text=True, timeout=60, check=False)


def one_line(text: str) -> str:
    """The text with plain spaces, its lines and runs of spaces as one space."""
    return " ".join(plain(text).split())


def listed(p: argparse.ArgumentParser) -> dict[str, str]:
    """Each command (or action) the parser offers, with its one-line help."""
    (sub,) = [a for a in p._actions if isinstance(a, argparse._SubParsersAction)]
    return {choice.dest: str(choice.help) for choice in sub._choices_actions}


@pytest.mark.parametrize("words", [[], ["groups"], ["candidates"], ["ideas"]], ids=str)
def test_a_command_alone_lists_what_can_follow_and_exits_2(tmp_path: Path, words: list[str]) -> None:
    done = mailflow_process(*words, cwd=tmp_path)
    assert done.returncode == 2 and done.stderr == ""
    out = one_line(done.stdout)
    assert out.startswith(f"utilisation : mailflow {' '.join(words)}".rstrip())
    p = parser()
    for word in words:
        p = next(a for a in p._actions if isinstance(a, argparse._SubParsersAction)).choices[word]
    offered = listed(p)
    assert len(offered) >= 4
    for name, help_text in offered.items():
        assert f" {name} {one_line(help_text)}" in out, name
    assert "à indiquer" not in out


def test_the_version_is_the_packages(tmp_path: Path) -> None:
    done = mailflow_process("--version", cwd=tmp_path)
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert (done.returncode, done.stdout) == (0, f"mailflow {declared}\n")
    assert metadata.version("mailflow") == declared


def test_a_missing_configuration_says_how_to_name_one(tmp_path: Path) -> None:
    done = mailflow_process("status", cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert one_line(done.stderr) == one_line(
        f"mailflow : erreur de configuration : config/mailflow.toml : fichier de configuration "
        f"introuvable (dossier courant {tmp_path.resolve()}) ; indiquez le fichier avec --config CHEMIN "
        f"ou la variable MAILFLOW_CONFIG")
    done = mailflow_process("status", cwd=tmp_path, env={"MAILFLOW_CONFIG": str(tmp_path / "etc.toml")})
    assert one_line(done.stderr) == one_line(
        f"mailflow : erreur de configuration : {tmp_path / 'etc.toml'} : fichier de configuration "
        f"introuvable ; ce chemin vient de la variable MAILFLOW_CONFIG")
    done = mailflow_process("--config", str(tmp_path), "status", cwd=tmp_path)
    assert "c’est un dossier, pas un fichier de configuration" in done.stderr


def test_help_imports_no_command_and_no_metadata(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "mailflow", "--help"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60, check=True)
    imported = {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines()
                if line.startswith("import time:") and "|" in line}
    assert "argparse" in imported  # the report is read
    assert {m for m in imported if m.startswith("mailflow.")} == {"mailflow.cli"}
    assert not imported & {"importlib.metadata", "email", "jinja2", "tinydb", "tomllib", "zoneinfo"}
