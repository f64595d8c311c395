"""The store: the state of the calls in one small file, what grows with time in a journal."""

from .files import take_lock
from .store import Store

__all__ = ["Store", "take_lock"]
