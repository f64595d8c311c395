"""One exception tree for mailflow; library errors are translated into it at the adapter boundary."""

from __future__ import annotations

from pathlib import Path


class MailflowError(Exception):
    """Root of every error mailflow raises on purpose."""


class ConfigError(MailflowError):
    """A configuration file is missing, unreadable or wrong; names the key and the file."""

    def __init__(self, file: Path | str, key: str, problem: str) -> None:
        self.file = str(file)
        self.key = key
        self.problem = problem
        where = f"{self.file} : {key}" if key else self.file
        super().__init__(f"{where} : {problem}")


class ParseError(MailflowError):
    """A message cannot be read as an email; it goes to quarantine. The reason is in French: staff read it."""


class RenderError(MailflowError):
    """A reply template failed to render; nothing is sent for that message."""


class StoreError(MailflowError):
    """The store file cannot be read or written."""


class StoreLockedError(StoreError):
    """Another mailflow process holds the store's lock."""


class SourceError(MailflowError):
    """The mailbox cannot be read or changed."""


class TransportError(MailflowError):
    """A reply could not be handed over for delivery."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        self.permanent = permanent
        super().__init__(message)


class StaffActionError(MailflowError):
    """A staff action that cannot be carried out as asked (an unknown id, a wrong value); says why.

    The message is the command line's (it may name an option); `by_email` says the same to a
    staff member who acts by email, who has no command line (the message itself by default).
    """

    def __init__(self, message: str, *, by_email: str = "") -> None:
        super().__init__(message)
        self.by_email = by_email or message
