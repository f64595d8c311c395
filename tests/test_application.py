"""The application layer's one way of doing each thing: a transaction every writer uses."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailflow.store import Store


def test_a_transaction_commits_what_its_block_did(tmp_path: Path) -> None:
    path = tmp_path / "mailflow.json"
    with Store(path) as store, store.transaction():
        store.set_meta("since", "2027-01-01T00:00:00+00:00")
    with Store(path, read_only=True) as store:
        assert store.meta("since") == "2027-01-01T00:00:00+00:00"


def test_a_transaction_that_raises_keeps_nothing_and_raises_again(tmp_path: Path) -> None:
    path = tmp_path / "mailflow.json"
    with Store(path) as store:
        with store.transaction():
            store.set_meta("since", "2027-01-01T00:00:00+00:00")
        with pytest.raises(RuntimeError, match="boom"), store.transaction():
            store.set_meta("since", "2030-01-01T00:00:00+00:00")
            store.set_meta("past_told", 3)
            raise RuntimeError("boom")
        # Dropped in memory too: a later commit of the same store does not write them.
        assert store.meta("since") == "2027-01-01T00:00:00+00:00" and store.meta("past_told") is None
        store.commit()
    with Store(path, read_only=True) as store:
        assert store.meta("since") == "2027-01-01T00:00:00+00:00" and store.meta("past_told") is None


def test_a_dry_run_transaction_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "mailflow.json"
    with Store(path) as store:
        with store.transaction(dry_run=True):
            store.set_meta("since", "2027-01-01T00:00:00+00:00")
        assert store.meta("since") is None
    with Store(path, read_only=True) as store:
        assert store.meta("since") is None
