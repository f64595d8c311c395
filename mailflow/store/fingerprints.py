"""Sets and maps of 64-bit fingerprints (hashes) in sorted arrays: 8 or 16 bytes an entry, where a
Python set or dict spends a hundred. What the journal tells is held this way for years of mail."""

from __future__ import annotations

import hashlib
from array import array
from bisect import bisect_left


def fingerprint64(*parts: str | bytes) -> int:
    """A 64-bit fingerprint of the parts (BLAKE2b): among a million entries, a chance of one in
    thirty million that two collide."""
    h = hashlib.blake2b(digest_size=8)
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else part)
        h.update(b"\x00")
    return int.from_bytes(h.digest(), "big")


class FingerprintMap:
    """64-bit fingerprint → 64-bit value; a bulk of entries is added unsorted, then sorted once."""

    def __init__(self) -> None:
        self._keys = array("Q")
        self._values = array("Q")
        self._loose: dict[int, int] = {}  # added since the last sort

    def __len__(self) -> int:
        return len(self._keys) + len(self._loose)

    def put(self, key: int, value: int) -> None:
        self._loose[key] = value
        if len(self._loose) > 4096:
            self.settle()

    def get(self, key: int) -> int | None:
        if key in self._loose:
            return self._loose[key]
        at = bisect_left(self._keys, key)
        if at < len(self._keys) and self._keys[at] == key:
            return self._values[at]
        return None

    def __contains__(self, key: int) -> bool:
        return self.get(key) is not None

    def settle(self) -> None:
        """Merge the loose entries into the sorted arrays (a later value wins): array slices are
        copied whole, so that no structure of every entry is built on the way."""
        if not self._loose:
            return
        keys, values = array("Q"), array("Q")
        done = 0
        for key, value in sorted(self._loose.items()):
            at = bisect_left(self._keys, key, done)
            keys.extend(self._keys[done:at])
            values.extend(self._values[done:at])
            if at < len(self._keys) and self._keys[at] == key:
                at += 1  # replaced
            keys.append(key)
            values.append(value)
            done = at
        keys.extend(self._keys[done:])
        values.extend(self._values[done:])
        self._keys, self._values, self._loose = keys, values, {}


class FingerprintSet:
    """A set of 64-bit fingerprints (a FingerprintMap without values)."""

    def __init__(self) -> None:
        self._map = FingerprintMap()

    def add(self, key: int) -> None:
        self._map.put(key, 0)

    def __contains__(self, key: int) -> bool:
        return key in self._map

    def __len__(self) -> int:
        return len(self._map)

    def settle(self) -> None:
        self._map.settle()
