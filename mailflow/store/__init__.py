"""The store: the state of the calls in one small file, what grows with time in a journal."""

from .codecs import LedgerEntry, OutboxItem
from .files import take_lock
from .store import Store, opened

__all__ = ["LedgerEntry", "OutboxItem", "Store", "opened", "take_lock"]
