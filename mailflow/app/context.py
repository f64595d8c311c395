"""What every step of the application works with: settings, store, adapters, renderer, clock."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from ..config.settings import Settings
from ..core.write.render import Renderer
from ..model.values import State
from ..ports import Clock, MailSource, StatePort, Transport

TOKEN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read and typed


def new_token() -> str:
    """A fresh confirmation code: about 50 bits, single use, expiring, bound to one address."""
    return "MF-" + "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(10))


@dataclass
class Context:
    """The configured parts, wired once (by `app.wiring` or a test) and passed to each step.

    `transport` is None for a read-only context (a dry run, a report): nothing is sent.
    """

    settings: Settings
    source: MailSource
    transport: Transport | None
    store: StatePort
    renderer: Renderer
    clock: Clock
    new_token: Callable[[], str] = field(default=new_token)

    def state(self) -> State:
        """The current state; replies are written with the groups as staff last changed them."""
        settings = self.settings
        state = replace(self.store.state(settings.groups, settings.departments),
                        token_hours=settings.confirmation_hours,
                        answer_days=settings.answer_within_days)
        self.renderer.use_groups(state.groups)
        return state

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
