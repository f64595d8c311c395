"""Shared fixtures: the project's real configuration, and builders for messages and intents."""

from __future__ import annotations

import email
import importlib.util
import itertools
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from pathlib import Path
from types import ModuleType

import pytest

from mailflow import config
from mailflow.config.settings import Settings
from mailflow.core.decide.member import decide, state_after
from mailflow.model.values import (
    Decision,
    Figure,
    Inbound,
    Intent,
    IntentKind,
    Outcome,
    Profile,
    Role,
    Scale,
    State,
    Territory,
)

ROOT = Path(__file__).resolve().parent.parent


def _script(name: str) -> ModuleType:
    """A script of scripts/ as a module, so tests and scripts share one piece of code."""
    spec = importlib.util.spec_from_file_location(f"scripts_{name}", ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


corpus_script = _script("corpus")
local_config: Callable[[Path], Path] = corpus_script.local_config
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

_keys = itertools.count(1)


@pytest.fixture(scope="session")
def settings() -> Settings:
    """The configuration shipped in config/, as a newcomer gets it."""
    return config.load(ROOT / "config" / "mailflow.toml")


@pytest.fixture
def fresh_state(settings: Settings) -> State:
    """A state with the shipped groups and no candidature yet."""
    return State(groups=settings.groups, departments=settings.departments)


def inbound(sender: str = "marie.dupont@ot-sarlat.fr", subject: str = "Candidature",
            text: str = "", name: str | None = "Marie Dupont") -> Inbound:
    """A parsed message as `parse` would give it."""
    n = next(_keys)
    return Inbound(key=f"k{n}", sha256=f"{n:064x}", message_id=f"<m{n}@example.test>",
                   sender=sender, sender_name=name, subject=subject, text=text, new_text=text)


RURAL_DIRECTOR = Profile(
    name="Marie Dupont", structure="Office de Tourisme du Sarladais", role=Role.DIRECTOR,
    role_text="Directrice", department="24", fte=Figure.exact(6), population=Figure.exact(9000),
    territories=frozenset({Territory.RURAL}), scale=Scale.INTERCOMMUNAL,
)


def intent(kind: IntentKind = IntentKind.CANDIDATURE, group: str | None = "ot-ruraux",
           sender: str = "marie.dupont@ot-sarlat.fr", profile: Profile = RURAL_DIRECTOR,
           subject: str = "Candidature") -> Intent:
    """An intent as `classify` would give it."""
    return Intent(kind, inbound(sender, subject), sender, profile.name, group_id=group,
                  profile=profile)


def sent_mail(settings: Settings) -> list[EmailMessage]:
    """Every message the outbox folder holds, in sending order."""
    assert settings.delivery.path is not None
    messages = [email.message_from_bytes(p.read_bytes(), policy=policy.default)
                for p in sorted(settings.delivery.path.glob("*.eml"))]
    return [m for m in messages if isinstance(m, EmailMessage)]


def member_mail(settings: Settings) -> list[EmailMessage]:
    """What members were sent (staff alerts and digests left out)."""
    return [m for m in sent_mail(settings) if m["X-Mailflow-Alert"] is None]


def staff_mail(settings: Settings, kind: str) -> list[EmailMessage]:
    """What staff were sent, of one kind (`X-Mailflow-Alert`: digest, group-full, promoted…)."""
    return [m for m in sent_mail(settings) if m["X-Mailflow-Alert"] == kind]


TOKEN = "MF-ABCDEFGH23"


def confirmed_withdrawal(state: State, leave: Intent, now: datetime = NOW) -> Decision:
    """A withdrawal asked by email, then confirmed by replying with the code: the final decision.

    When the request is not a confirmation request (no candidature, say), that answer is returned.
    """
    request = decide(state, leave, now, TOKEN)
    if request.outcome is not Outcome.CONFIRM_WITHDRAWAL:
        return request
    answer = Intent(IntentKind.QUESTION, inbound(leave.sender, "RE : Confirmez votre désistement"),
                    leave.sender, None, tokens=(TOKEN,))
    return decide(state_after(state, request), answer, now)


IntentFactory = Callable[..., Intent]


@pytest.fixture
def make_intent() -> IntentFactory:
    return intent
