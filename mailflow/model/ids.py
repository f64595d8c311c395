"""Ids as people type them: « c12 », « C-0012 », « i3 » are C0012 and I0003."""

from __future__ import annotations

import re

_TYPED_ID = re.compile(r"\s*([CIQ])\s*-?\s*0*(\d{1,9})\s*", re.I)


def canonical_id(typed: str) -> str:
    """An id as mailflow writes it, from how a person types it: « c12 », « C-0012 » → C0012."""
    found = _TYPED_ID.fullmatch(typed)
    return f"{found.group(1).upper()}{int(found.group(2)):04d}" if found else typed.strip().upper()
