"""The fixtures the tests share, each named for what it gives; the helpers are in tests/helpers/."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from mailflow import config
from mailflow.config.settings import Settings
from mailflow.core.write.render import Renderer
from mailflow.model.values import Department, Group, State

from .helpers.project import SHIPPED_CONFIG, local_config, own_groups
from .helpers.review import with_review
from .helpers.worlds import every_status_store
from .mailservers import Dovecot, MailUser, SmtpSink, require_dovecot, start_dovecot, start_smtp_sink


@pytest.fixture(scope="session")
def shipped_settings() -> Settings:
    """The configuration shipped in config/, as a newcomer gets it (read only: nothing to write)."""
    return config.load(SHIPPED_CONFIG)


@pytest.fixture(scope="session")
def departments(shipped_settings: Settings) -> dict[str, Department]:
    """The shipped departments, by code."""
    return dict(shipped_settings.departments)


@pytest.fixture(scope="session")
def groups(shipped_settings: Settings) -> dict[str, Group]:
    """The shipped groups, by id."""
    return dict(shipped_settings.groups)


@pytest.fixture(scope="session")
def renderer(shipped_settings: Settings) -> Renderer:
    """The replies' renderer of the shipped configuration."""
    s = shipped_settings
    return Renderer(s.templates_dir, s.network, s.groups, s.departments)


@pytest.fixture
def fresh_state(shipped_settings: Settings) -> State:
    """A state with the shipped groups and no candidature yet."""
    return State(groups=shipped_settings.groups, departments=shipped_settings.departments)


@pytest.fixture
def workspace_config(tmp_path: Path) -> Path:
    """The configuration file of a workspace: the shipped configuration with its mailbox, outbox,
    store and groups.toml of its own under tmp_path, for the test to write to and edit."""
    path = local_config(tmp_path)
    own_groups(path)
    return path


@pytest.fixture
def workspace(workspace_config: Path) -> Settings:
    """A workspace's settings (see `workspace_config`): the real pipeline runs on it."""
    return config.load(workspace_config)


@pytest.fixture
def review_workspace(workspace_config: Path) -> Settings:
    """A workspace whose staff read the replies that give a place or a waiting-list position
    before they go ([review] outcomes = ["confirmed", "waitlisted"])."""
    return config.load(with_review(workspace_config))


@pytest.fixture(scope="session")
def every_status_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace folder, to copy, whose store holds every status (see `every_status_store`)."""
    work = tmp_path_factory.mktemp("every-status")
    every_status_store(config.load(local_config(work)))
    return work


# --- real mail servers on loopback (tests/mailservers.py) -------------------------------------


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    """One Dovecot for the whole session; use `mail_user` (or add_user) for a mailbox of your own.

    A test that stops it must start it again, in a finally block.
    """
    require_dovecot()
    server = start_dovecot({"alice@example.test": "alice-pw", "bob@example.test": "bob-pw"})
    try:
        yield server
    finally:
        server.cleanup()


@pytest.fixture
def mail_user(dovecot: Dovecot) -> MailUser:
    """A user nobody else has touched, so each test starts with an empty INBOX."""
    if not dovecot.running:
        dovecot.start()  # an earlier test stopped the shared server and failed before restarting it
    return dovecot.fresh_user()


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    """A plain SMTP sink (no TLS, no AUTH); use `smtp_sink_factory` for the other variants."""
    sink = start_smtp_sink()
    yield sink
    sink.cleanup()


@pytest.fixture
def smtp_sink_factory() -> Iterator[Callable[..., SmtpSink]]:
    """Build sinks with options (auth_required, starttls, implicit_tls, user, password); all stopped after."""
    sinks: list[SmtpSink] = []

    def make(**options: Any) -> SmtpSink:
        sink = start_smtp_sink(**options)
        sinks.append(sink)
        return sink

    yield make
    for sink in sinks:
        sink.cleanup()
