"""The project's own files as the tests use them: the root, the samples and what each gets, the
shipped configuration copied into a workspace, the scripts loaded as modules."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = sorted((ROOT / "samples").glob("*.eml"))
CORPUS = ROOT.parent / "shared" / "corpus"  # real-world emails, when present beside the project
SHIPPED_CONFIG = ROOT / "config" / "mailflow.toml"
SHIPPED_GROUPS = ROOT / "config" / "groups.toml"
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # the morning the samples were written
MX = "mx.monatourisme.fr"  # the network's receiving server, whose Authentication-Results count
GROUP_IDS = ("porteurs-de-projet", "ot-ruraux", "role-ot")  # the shipped groups, in the file's order

# What each sample gets, in arrival order (the README tells the same story).
EXPECTED = {
    "01-candidature-formulaire-ot-ruraux": ["confirmed"],
    "02-candidature-outlook-html-role-ot": ["confirmed"],
    "03-candidature-texte-libre-incomplete": ["needs-info"],
    "04-candidature-refusee-fonction": ["refused"],
    "05-idee-de-groupe": ["idea-received"],
    "06-reponse-automatique": [],
    "07-rapport-de-non-remise": [],
    "08-question": ["question-forwarded", "staff-question"],  # a person answers it
    "09-candidature-dordogne-2": ["confirmed"],
    "10-candidature-dordogne-3": ["waitlisted"],
    "11-desistement": ["withdrawal-to-confirm"],
    "12-doublon": ["duplicate"],
    "13-illisible": ["staff-alert"],
}


def script(name: str) -> ModuleType:
    """A script of scripts/ as a module, so tests and scripts share one piece of code."""
    spec = importlib.util.spec_from_file_location(f"scripts_{name}", ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


corpus_script = script("corpus")
#: A copy of the shipped configuration whose mailbox, outbox and store live under the folder given.
local_config: Callable[[Path], Path] = corpus_script.local_config


def own_groups(config_file: Path) -> Path:
    """Give a configuration its own copy of the shipped groups.toml, beside it, for a test to edit."""
    copy = config_file.parent / "groups.toml"
    copy.write_text(SHIPPED_GROUPS.read_text(encoding="utf-8"), encoding="utf-8")
    text = config_file.read_text(encoding="utf-8")
    config_file.write_text(text.replace(str(SHIPPED_GROUPS), str(copy)), encoding="utf-8")
    return copy


def edit_file(file: Path, old: str, new: str, *, after: str = "") -> None:
    """Replace the first `old` (after `after`, when given) as a person editing the file would."""
    text = file.read_text(encoding="utf-8")
    start = text.index(after) if after else 0
    assert old in text[start:], old
    file.write_text(text[:start] + text[start:].replace(old, new, 1), encoding="utf-8")


def trust_mx(config_file: Path) -> Path:
    """The configuration, now trusting the Authentication-Results headers MX writes."""
    edit_file(config_file, "[mailbox]\n", f'[mailbox]\ntrusted_authserv_id = "{MX}"\n')
    return config_file
