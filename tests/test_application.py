"""The application layer's one way of doing each thing: a transaction every writer uses, one
state read by the daemon and the commands alike, a renderer made for the groups it writes about."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest

from mailflow import config
from mailflow.app import views
from mailflow.app.wiring import build_renderer, build_service
from mailflow.config.settings import Settings
from mailflow.model.values import DeliveryStatus, Idea, IdeaStatus, Outcome, Reply, State, Template
from mailflow.ports import OutboxItem
from mailflow.store import Store

from .helpers.project import local_config

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
CONFIRMED = Reply(Outcome.CONFIRMED, "marie@ot.fr", "Marie", Template.CONFIRMED, group_id="ot-ruraux",
                  position=1)


@pytest.fixture
def local(tmp_path: Path) -> Settings:
    """The shipped configuration, its mailbox, outbox and store under the test's folder."""
    return config.load(local_config(tmp_path))


def said(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return " ".join(body.get_content().split())


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


def test_a_renderer_made_for_other_groups_leaves_the_first_as_it_was(local: Settings) -> None:
    renderer = build_renderer(local)
    group = local.groups["ot-ruraux"]
    moved = {**local.groups, "ot-ruraux": replace(group, first_meeting=replace(
        group.first_meeting, place="Périgueux (Dordogne)", sequence=1))}
    other = renderer.for_groups(moved)
    assert "Périgueux" in said(other.render(CONFIRMED, NOW))
    assert "Montignac" in said(renderer.render(CONFIRMED, NOW))
    assert "Périgueux" not in said(renderer.render(CONFIRMED, NOW))


def test_reading_the_state_changes_nothing_and_carries_the_configured_delays(tmp_path: Path) -> None:
    path = local_config(tmp_path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("confirmation_hours = 72", "confirmation_hours = 48")
                    .replace("answer_within_days = 14", "answer_within_days = 10"), encoding="utf-8")
    local = config.load(path)
    assert (local.confirmation_hours, local.answer_within_days) == (48, 10)
    with Store(local.store_path) as store, store.transaction():
        store.set_group_override("ot-ruraux", {"meeting_place": "Périgueux (Dordogne)",
                                               "meeting_sequence": 1})
    service = build_service(local, read_only=True)
    try:
        state = service.state()
        assert state.groups["ot-ruraux"].first_meeting.place == "Périgueux (Dordogne)"
        assert (state.token_hours, state.answer_days) == (local.confirmation_hours,
                                                          local.answer_within_days)
        # The service's renderer is not changed by the read: it is made for the file's groups.
        assert "Montignac" in said(service.renderer.render(CONFIRMED, NOW))
        assert "Périgueux" in said(service.renderer.for_groups(state.groups).render(CONFIRMED, NOW))
        assert service.state() == state
    finally:
        service.close()


def test_the_commands_read_the_state_the_daemon_reads(tmp_path: Path) -> None:
    path = local_config(tmp_path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("confirmation_hours = 72", "confirmation_hours = 48"), encoding="utf-8")
    local = config.load(path)
    with Store(local.store_path) as store, store.transaction():
        store.set_group_override("role-ot", {"capacity": 3})
    service = build_service(local, read_only=True)
    try:
        daemons = service.state()
    finally:
        service.close()
    commands = views.state(local)
    assert commands == daemons
    assert commands.token_hours == 48 and commands.groups["role-ot"].capacity == 3


def test_codes_kept_by_the_previous_version_still_load(tmp_path: Path) -> None:
    """Its codes' records named their target `candidature_id` (a group id for a staff action):
    read as `target`, and written back under the same name."""
    path = tmp_path / "mailflow.json"
    written = {"token_hash": "ab" * 32, "kind": "staff", "candidature_id": "ot-ruraux",
               "email": "animation@monatourisme.fr", "created_at": "2027-03-01T09:00:00+00:00",
               "expires_at": "2027-03-04T09:00:00+00:00", "payload": '{"verb": "close"}'}
    with Store(path) as store, store.transaction():
        store.tables.put("pending", written)
    with Store(path) as store:
        before = store.state({}, {})
        [action] = before.pending
        assert (action.kind, action.target) == ("staff", "ot-ruraux")
        with store.transaction():
            store.save_state(State(groups={}, departments={}), before)
    with Store(path, read_only=True) as store:
        assert store.tables.get("pending", "ab" * 32) == written


def test_records_read_from_the_store_carry_their_enums(tmp_path: Path) -> None:
    path = tmp_path / "mailflow.json"
    idea = Idea(id="I0001", seq=1, email="t@ot.fr", name=None, subject="Accueil", summary="",
                received_at=NOW, message_key="k1", status=IdeaStatus.DISCUSSION)
    with Store(path) as store, store.transaction():
        empty = State(groups={}, departments={})
        store.save_state(empty, replace(empty, ideas=(idea,), next_seq=2))
        store.enqueue(OutboxItem(id="<r1@monatourisme.fr>", seq=1, to=["t@ot.fr"], outcome="help",
                                 message_key="k1", created_at=NOW, raw=b"Subject: x\r\n\r\nx\r\n",
                                 status=DeliveryStatus.FAILED))
    with Store(path, read_only=True) as store:
        [read_idea] = store.state({}, {}).ideas
        [item] = store.outbox()
    assert read_idea.status is IdeaStatus.DISCUSSION and item.status is DeliveryStatus.FAILED
