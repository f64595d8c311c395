"""What every step of the application works with: settings, store, adapters, renderer, clock."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from ..config.settings import Settings
from ..core.write.render import Renderer
from ..model.values import State
from ..ports import Clock, MailSource, StatePort, Transport
from ..store.codecs import ledger_to_json

TOKEN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read and typed


def new_token() -> str:
    """A fresh confirmation code: about 50 bits, single use, expiring, bound to one address."""
    return "MF-" + "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(10))


def read_state(store: StatePort, settings: Settings) -> State:
    """The state, the one way the daemon and the commands read it: the configured groups as staff
    changed them and those they drafted, the store's records, and the configured delays (how
    long a code and a held place last). Reads only."""
    state = store.state(settings.groups, settings.departments)
    return replace(state, token_hours=settings.confirmation_hours,
                   answer_days=settings.answer_within_days)


@dataclass(frozen=True)
class Records:
    """Everything the store keeps, as the store writes it (JSON values): the state, the ledger,
    every reply (queued ones with their bytes), the history of staff actions."""

    state: State
    ledger: list[dict[str, Any]]
    outbox: list[dict[str, Any]]
    history: list[dict[str, Any]]


def read_records(store: StatePort, settings: Settings) -> Records:
    """Everything the store keeps (see `Records`); reads only."""
    return Records(read_state(store, settings), [ledger_to_json(e) for e in store.ledger()],
                   store.outbox_docs(), store.history())


@dataclass
class Context:
    """The configured parts, wired once (by `app.wiring` or a test) and passed to each step.

    `transport` is None for a read-only context (a dry run, a report): nothing is sent.
    `renderer` is made for the configured groups: mail about the groups as they stand is
    written by `renderer.for_groups(state.groups)`.
    """

    settings: Settings
    source: MailSource
    transport: Transport | None
    store: StatePort
    renderer: Renderer
    clock: Clock
    new_token: Callable[[], str] = field(default=new_token)

    def state(self) -> State:
        """The state as the store holds it now (see `read_state`); changes nothing."""
        return read_state(self.store, self.settings)

    @property
    def staff(self) -> list[str]:
        """Where alerts, questions and the digest go."""
        return list(self.settings.network.staff)

    def close(self) -> None:
        """Release the connections and the store's lock."""
        try:
            self.source.close()
        finally:
            self.store.close()
