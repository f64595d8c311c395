"""The compact fingerprint sets and maps behave as a dict would, whatever the order of the entries."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mailflow.store.fingerprints import FingerprintMap, FingerprintSet, fingerprint64

keys = st.integers(min_value=0, max_value=2**64 - 1)


@given(st.lists(st.tuples(keys, keys), max_size=300), st.integers(1, 50))
def test_a_map_answers_as_a_dict(entries: list[tuple[int, int]], settle_every: int) -> None:
    compact, plain = FingerprintMap(), {}
    for n, (key, value) in enumerate(entries, 1):
        compact.put(key, value)
        plain[key] = value
        if n % settle_every == 0:
            compact.settle()
    for key in [k for k, _ in entries] + [0, 2**64 - 1, 12345]:
        assert compact.get(key) == plain.get(key)
    compact.settle()
    assert len(compact) == len(plain)
    assert all(compact.get(k) == v for k, v in plain.items())


@given(st.lists(keys, max_size=200), st.lists(keys, max_size=50))
def test_a_set_answers_as_a_set(added: list[int], asked: list[int]) -> None:
    compact = FingerprintSet()
    for key in added:
        compact.add(key)
    compact.settle()
    assert all((key in compact) == (key in set(added)) for key in [*added, *asked])


def test_fingerprints_tell_their_parts_apart() -> None:
    assert fingerprint64("ab", "c") != fingerprint64("a", "bc")
    assert fingerprint64("x") == fingerprint64("x") and 0 <= fingerprint64("x") < 2**64
