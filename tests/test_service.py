"""The whole path on the embedded default: Maildir in, TinyDB store, .eml outbox out, crashes included."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import pytest

from mailflow.adapters.maildir import MaildirSource, folder_dir
from mailflow.adapters.outbox_dir import DirTransport
from mailflow.app.service import Service
from mailflow.app.wiring import build_service, utc_now
from mailflow.config.settings import Settings
from mailflow.core.write.render import Renderer
from mailflow.errors import StoreError, StoreLockedError
from mailflow.model.values import Status
from mailflow.ports import Clock, Transport
from mailflow.store import Store
from mailflow.store.files import read_json_bytes

from .helpers.messages import deliver, role_ot_applicants
from .helpers.project import EXPECTED, SAMPLES
from .helpers.runs import Crash, sent_mail


def outcomes_by_sample(settings: Settings) -> dict[str, list[str]]:
    """Outbox messages grouped by the sample they answer, from the ledger."""
    with Store(settings.store_path, read_only=True) as store:
        ledger = store.ledger()
        items = store.outbox()
    by_key = {e.key: e.key.rsplit(".", 1)[1] for e in ledger}
    result: dict[str, list[str]] = {by_key[e.key]: [] for e in ledger}
    for item in items:
        result[by_key[item.message_key]].append(item.outcome)
    return result


def service(settings: Settings, transport: Transport | None = None, clock: Clock | None = None) -> Service:
    """A service wired by hand, with the transport or the clock a test gives it."""
    assert settings.mailbox.path is not None and settings.delivery.path is not None
    source = MaildirSource(settings.mailbox.path, settings.mailbox.processed_folder,
                           settings.mailbox.quarantine_folder)
    return Service(settings, source, transport or DirTransport(settings.delivery.path),
                   Store(settings.store_path), Renderer(settings.templates_dir, settings.network,
                                                         settings.groups, settings.departments),
                   clock or utc_now)


def test_samples_get_the_expected_replies(workspace: Settings) -> None:
    deliver(workspace, SAMPLES)
    svc = build_service(workspace, read_only=False)
    try:
        report = svc.run_batch()
    finally:
        svc.store.close()
    assert len(report.handled) == len(SAMPLES)
    assert outcomes_by_sample(workspace) == EXPECTED
    sent = sent_mail(workspace)
    assert len(sent) == sum(len(v) for v in EXPECTED.values())
    assert [m["X-Mailflow-Outcome"] for m in sent if m["X-Mailflow-Outcome"]] == [
        o for v in EXPECTED.values() for o in v if o not in ("staff-alert", "staff-question")
    ]
    assert workspace.mailbox.path is not None
    assert list((workspace.mailbox.path / "new").iterdir()) == []
    processed = folder_dir(workspace.mailbox.path, "Traités") / "cur"
    quarantine = folder_dir(workspace.mailbox.path, "Quarantaine") / "cur"
    assert len(list(processed.iterdir())) == len(SAMPLES) - 1
    assert [p.name.split(":")[0].rsplit(".", 1)[1] for p in quarantine.iterdir()] == ["13-illisible"]


def test_samples_leave_the_expected_state(workspace: Settings) -> None:
    deliver(workspace, SAMPLES)
    svc = build_service(workspace, read_only=False)
    try:
        svc.run_batch()
        state = svc.state()
    finally:
        svc.store.close()
    status = {(c.group_id, c.email): c.status for c in state.candidatures}
    assert status == {
        ("ot-ruraux", "marie.dupont@ot-perigord-noir.fr"): Status.CONFIRMED,
        ("role-ot", "direction@coeurdebearn-tourisme.fr"): Status.CONFIRMED,
        ("ot-ruraux", "s.lacombe@tourisme-creuse-sud.fr"): Status.NEEDS_INFO,
        ("role-ot", "julie.moreau@larochelle-tourisme.fr"): Status.REFUSED,
        ("ot-ruraux", "luc.garnier@ot-bastides-dordogne.fr"): Status.CONFIRMED,
        ("ot-ruraux", "nadia.roux@ot-isle-auvezere.fr"): Status.WAITLISTED,
    }
    assert len(state.ideas) == 1
    assert state.ideas[0].attachments == ("fiche-projet-accueil-hors-les-murs.pdf",)


def test_replies_are_threaded_and_marked(workspace: Settings) -> None:
    deliver(workspace, SAMPLES[:1])
    svc = build_service(workspace, read_only=False)
    try:
        svc.run_batch()
    finally:
        svc.store.close()
    (reply,) = sent_mail(workspace)
    assert reply["In-Reply-To"] == "<01-candidature-formulaire-ot-ruraux@mail.example.fr>"
    assert reply["References"] == "<01-candidature-formulaire-ot-ruraux@mail.example.fr>"
    assert reply["Auto-Submitted"] == "auto-replied"
    assert reply["Subject"] == "Re\u00a0: Candidature – groupe « Offices de Tourisme ruraux »"
    assert reply["Message-ID"].endswith("@monatourisme.fr>")
    assert reply["To"].addresses[0].addr_spec == "marie.dupont@ot-perigord-noir.fr"
    body = reply.get_body(("plain",)).get_content()
    assert "Bonjour Marie Dupont" in body
    assert "place 1 sur 20" in body


def test_a_second_run_decides_nothing_again(workspace: Settings) -> None:
    deliver(workspace, SAMPLES)
    for _ in range(2):
        svc = build_service(workspace, read_only=False)
        try:
            svc.run_batch()
        finally:
            svc.store.close()
    assert outcomes_by_sample(workspace) == EXPECTED


def test_the_same_message_delivered_twice_is_answered_once(workspace: Settings) -> None:
    deliver(workspace, [SAMPLES[0], SAMPLES[0]])
    svc = build_service(workspace, read_only=False)
    try:
        report = svc.run_batch()
    finally:
        svc.store.close()
    assert [h.outcome.value for h in report.handled] == ["confirmed", "already-processed"]
    assert len(sent_mail(workspace)) == 1


class CrashingTransport(DirTransport):
    """The real outbox folder, with the process dying before or after the n-th delivery."""

    def __init__(self, root: Path, n: int, after: bool) -> None:
        super().__init__(root)
        self.n, self.after, self.calls = n, after, 0

    def send(self, message_id: str, recipients: Sequence[str], raw: bytes, label: str) -> dict[str, str]:
        self.calls += 1
        if self.calls == self.n and not self.after:
            raise Crash
        refused = super().send(message_id, recipients, raw, label)
        if self.calls == self.n and self.after:
            raise Crash
        return refused


@pytest.mark.parametrize("after", [False, True], ids=["before-send", "after-send-before-mark"])
@pytest.mark.parametrize("n", [1, 4, 9])
def test_crash_while_sending_loses_nothing_and_sends_nothing_twice(workspace: Settings, n: int,
                                                                   after: bool) -> None:
    deliver(workspace, SAMPLES)
    assert workspace.delivery.path is not None
    svc = service(workspace, CrashingTransport(workspace.delivery.path, n, after))
    with pytest.raises(Crash):
        svc.run_batch()
    svc.store.close()
    # Restart: the decisions were committed before sending, so only delivery and moves remain.
    svc = service(workspace)
    try:
        report = svc.run_batch()
    finally:
        svc.store.close()
    assert report.handled == []
    assert report.already == len(SAMPLES)
    assert outcomes_by_sample(workspace) == EXPECTED
    ids = [m["Message-ID"] for m in sent_mail(workspace)]
    assert len(ids) == len(set(ids)) == sum(len(v) for v in EXPECTED.values())


def test_crash_before_commit_decides_again_from_scratch(workspace: Settings) -> None:
    deliver(workspace, SAMPLES)
    calls = 0

    def dying_clock() -> datetime:
        nonlocal calls
        calls += 1
        if calls == 12:
            raise Crash
        return utc_now()

    svc = service(workspace, clock=dying_clock)
    with pytest.raises(Crash):
        svc.run_batch()
    svc.store.close()
    assert not workspace.store_path.exists()
    assert sent_mail(workspace) == []
    svc = service(workspace)
    try:
        svc.run_batch()
    finally:
        svc.store.close()
    assert outcomes_by_sample(workspace) == EXPECTED


def test_crash_before_the_move_moves_later_without_replying_again(workspace: Settings,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    deliver(workspace, SAMPLES[:3])
    svc = service(workspace)

    def dying_ack(key: str, folder: str) -> None:
        raise Crash

    monkeypatch.setattr(svc.source, "ack", dying_ack)
    with pytest.raises(Crash):
        svc.run_batch()
    svc.store.close()
    assert workspace.mailbox.path is not None
    assert len(list((workspace.mailbox.path / "new").iterdir())) == 3
    svc = service(workspace)
    try:
        report = svc.run_batch()
    finally:
        svc.store.close()
    assert (report.already, report.acked, len(sent_mail(workspace))) == (3, 3, 3)
    assert list((workspace.mailbox.path / "new").iterdir()) == []


def test_dry_run_changes_nothing(workspace: Settings) -> None:
    deliver(workspace, SAMPLES)
    svc = build_service(workspace, read_only=True)
    try:
        report = svc.run_batch(dry_run=True)
    finally:
        svc.store.close()
    assert [h.outcome.value for h in report.handled][:4] == [
        "confirmed", "confirmed", "needs-info", "refused"]
    assert not workspace.store_path.exists()
    assert workspace.delivery.path is not None and not list(workspace.delivery.path.glob("*.eml"))
    assert workspace.mailbox.path is not None
    assert len(list((workspace.mailbox.path / "new").iterdir())) == len(SAMPLES)
    assert not folder_dir(workspace.mailbox.path, "Traités").exists()  # no folder made either


def test_replies_to_one_address_are_capped(workspace: Settings, tmp_path: Path) -> None:
    looping = tmp_path / "loop.eml"
    loop = SAMPLES[7].read_bytes()  # a question: answered each time
    files = []
    for i in range(12):
        f = tmp_path / f"loop{i}.eml"
        f.write_bytes(loop.replace(b"<08-question@", f"<08-question-{i}@".encode()))
        files.append(f)
    del looping
    deliver(workspace, files)
    svc = build_service(workspace, read_only=False)
    try:
        svc.run_batch()
    finally:
        svc.store.close()
    sent = sent_mail(workspace)
    cap = workspace.max_replies_per_sender_per_day
    assert len([m for m in sent if m["X-Mailflow-Alert"] is None]) == cap
    assert len([m for m in sent if m["X-Mailflow-Alert"] == "question"]) == cap  # not 12 either


def test_second_writer_is_kept_out(workspace: Settings) -> None:
    with Store(workspace.store_path), pytest.raises(StoreLockedError, match="est occupé par"):
        Store(workspace.store_path)


def test_store_writes_are_atomic_and_keep_a_backup(workspace: Settings) -> None:
    deliver(workspace, SAMPLES[:2])
    svc = build_service(workspace, read_only=False)
    try:
        svc.run_batch()
    finally:
        svc.store.close()
    data = json.loads(read_json_bytes(workspace.store_path.read_bytes()))
    assert len(data["candidatures"]) == 2
    backup = workspace.store_path.with_name(workspace.store_path.name + ".bak")
    assert "candidatures" in json.loads(read_json_bytes(backup.read_bytes()))
    # What grows with time is in the journal beside the state, appended, one record a line.
    journal = workspace.store_path.with_name(workspace.store_path.name + ".journal")
    lines = [json.loads(line) for f in journal.glob("*.jsonl") for line in f.read_text().splitlines()]
    assert sum(r["t"] == "ledger" for r in lines) == 2
    assert not list(workspace.store_path.parent.glob(".*.tmp"))


def test_a_corrupt_store_stops_with_a_clear_error(workspace: Settings) -> None:
    workspace.store_path.write_text('{"candidatures": {"1": ', encoding="utf-8")
    with pytest.raises(StoreError, match="pas du JSON valide"):
        Store(workspace.store_path)
    assert workspace.store_path.read_text(encoding="utf-8") == '{"candidatures": {"1": '


def test_a_failure_after_deciding_sets_that_message_aside_and_keeps_nothing_half_done(
        workspace: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mailflow.app.quarantine import listing, release

    deliver(workspace, role_ot_applicants(tmp_path, 15))  # the 15th fills the group: staff alert
    svc = build_service(workspace, read_only=False)
    real_alert = svc.renderer.render_staff_alert

    def broken_alert(*args: object, **kwargs: object) -> object:
        raise RuntimeError("alert template broken")

    monkeypatch.setattr(svc.renderer, "render_staff_alert", broken_alert)
    try:
        report = svc.run_batch()
    finally:
        svc.store.close()
    # The 14 others are answered; the 15th, whose decision needs the broken alert, is set aside
    # with nothing of it kept: no place, no reply; staff get one quarantine alert.
    outcomes = [m["X-Mailflow-Outcome"] or m["X-Mailflow-Alert"] for m in sent_mail(workspace)]
    assert outcomes.count("confirmed") == 14 and outcomes.count("quarantine") == 1
    assert [h.outcome.value for h in report.handled].count("quarantined") == 1
    svc = build_service(workspace, read_only=False)
    monkeypatch.setattr(svc.renderer, "render_staff_alert", real_alert)
    try:
        assert len(svc.state().candidatures) == 14
        assert svc.run_batch().handled == []  # never tried again by itself
        set_aside = listing(svc)
        assert len(set_aside) == 1 and set_aside[0].entry is not None
        release(svc, set_aside, "claire")  # staff put it back once mailflow is mended
        report = svc.run_batch()
    finally:
        svc.store.close()
    assert [h.outcome.value for h in report.handled] == ["confirmed"]
    assert [m["X-Mailflow-Outcome"] for m in sent_mail(workspace)].count("confirmed") == 15
    assert [m["X-Mailflow-Alert"] for m in sent_mail(workspace)].count("group-full") == 1


