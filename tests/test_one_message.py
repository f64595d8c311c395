"""One message is one message: nothing an email holds stops the others, now or at the next look."""

from __future__ import annotations

import email
import random
import threading
from email import policy
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailflow import config
from mailflow.app.daemon import Daemon
from mailflow.app.wiring import build_service
from mailflow.config.settings import Settings
from mailflow.core.read.headers import safe_msgid
from mailflow.model.values import Inbound, Intent

from .helpers.messages import deliver
from .helpers.project import CORPUS, local_config
from .helpers.runs import sent_mail

#: Message-IDs as real clients and broken ones write them.
ODD_IDS = [
    "<[7f3e9a2b-1c4d-4e5f-8a9b-0c1d2e3f4a5b-QKZXWVUTSRQPONMLKJIHGFEDCBA0123456789=@exchange.example]>",
    '<"quoted local part"@ot-exemple.fr>',
    "<no-at-sign-at-all>",
    "<" + "x" * 120 + "@ot-exemple.fr>",
    "<a@b> <c@d>",
    "<>",
    "<<nested@ot-exemple.fr>>",
    "<é-accent@ot-exemple.fr>",
    "no-brackets@ot-exemple.fr",
    "<=?utf-8?q?encoded?=@ot-exemple.fr>",
]

NORMAL = (b"From: Luc Bernard <luc@ot-bergerac.fr>\r\nTo: groupes@monatourisme.fr\r\n"
          b"Subject: Candidature OT ruraux\r\nMessage-ID: <normal-1@ot-bergerac.fr>\r\n\r\n"
          b"Bonjour, je souhaite candidater au groupe OT ruraux.\r\nLuc Bernard\r\n")


def _to(message: email.message.EmailMessage) -> str:
    return str(message["To"].addresses[0].addr_spec) if message["To"] else ""


def _write(tmp: Path, name: str, raw: bytes) -> Path:
    path = tmp / name
    path.write_bytes(raw)
    return path


def _attached(inner_id: str) -> bytes:
    """A member's question forwarding an Outlook message as an attachment, its Message-ID
    folded onto its own line."""
    inner = (b"From: Jean Martin <jean.martin@ot-exemple.fr>\r\nTo: marie@ot-sarlat.fr\r\n"
             b"Subject: Info groupe\r\nMessage-ID:\r\n " + inner_id.encode() + b"\r\n"
             b"References: " + inner_id.encode() + b"\r\n\r\nUne question sur le groupe.\r\n")
    return (b"From: Marie Dupont <marie@ot-sarlat.fr>\r\nTo: groupes@monatourisme.fr\r\n"
            b"Subject: une question\r\nMessage-ID: <outer@ot-sarlat.fr>\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n--XX\r\n"
            b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
            b"Bonjour, quand a lieu la prochaine reunion departementale ?\r\n--XX\r\n"
            b"Content-Type: message/rfc822\r\n\r\n" + inner + b"\r\n--XX--\r\n")


def _own(odd: str) -> bytes:
    """A candidature whose own Message-ID, In-Reply-To and References are odd, folded."""
    return (b"From: Marie Dupont <marie@ot-sarlat.fr>\r\nTo: groupes@monatourisme.fr\r\n"
            b"Subject: Candidature OT ruraux\r\nMessage-ID:\r\n " + odd.encode() + b"\r\n"
            b"In-Reply-To: " + odd.encode() + b"\r\nReferences: <ok@x.fr>\r\n " + odd.encode()
            + b"\r\n\r\nJe souhaite candidater au groupe OT ruraux. Directrice de l'OT du "
            b"Sarladais (24).\r\n")


def _run(settings: Settings) -> list[str]:
    service = build_service(settings, read_only=False)
    try:
        return [h.outcome.value for h in service.run_batch().handled]
    finally:
        service.store.close()


@pytest.mark.parametrize("odd", ODD_IDS)
@pytest.mark.parametrize("where", ["attached", "own"])
def test_an_odd_message_id_is_answered_and_stops_nothing(
        workspace: Settings, tmp_path: Path, odd: str, where: str) -> None:
    raw = _attached(odd) if where == "attached" else _own(odd)
    deliver(workspace, [_write(tmp_path, "odd.eml", raw), _write(tmp_path, "normal.eml", NORMAL)])
    outcomes = _run(workspace)
    assert len(outcomes) == 2 and "quarantined" not in outcomes
    sent = sent_mail(workspace)
    assert any(_to(m) == "luc@ot-bergerac.fr" for m in sent)  # the message after it answered
    for message in sent:  # every header we wrote reads back, ids only where they are safe
        for name in ("In-Reply-To", "References"):
            for found in str(message[name] or "").split():
                assert safe_msgid(found) == found
    if where == "attached":
        assert workspace.delivery.path is not None
        written = next(f.read_bytes() for f in workspace.delivery.path.glob("*staff-question*"))
        assert raw in written  # the bytes it came as, not written again
        forward = next(m for m in sent if m["X-Mailflow-Alert"] == "question")
        original = next(p for p in forward.walk() if p.get_content_type() == "message/rfc822")
        assert original.get_filename() == "message-original.eml"
    assert _run(workspace) == []  # the next look finds nothing to do again


def _corpus_files() -> list[Path]:
    if not CORPUS.exists():
        pytest.skip("no corpus beside the project")
    return sorted(p for p in CORPUS.rglob("*.eml") if p.is_file())


def _mutate(raw: bytes, rng: random.Random, how: str) -> bytes:
    head, sep, body = raw.partition(b"\n\n") if b"\r\n\r\n" not in raw else raw.partition(b"\r\n\r\n")
    lines = head.splitlines()
    if how == "swap" and len(lines) > 2:
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    elif how == "truncate":
        return raw[: rng.randrange(1, max(len(raw), 2))]
    elif how == "ids":
        odd = rng.choice(ODD_IDS).encode()
        lines = [(line.split(b":", 1)[0] + b":\r\n " + odd) if line.lower().startswith(
            (b"message-id:", b"in-reply-to:", b"references:")) else line for line in lines]
        lines.append(b"In-Reply-To: " + odd)
    elif how == "attach":
        return _attached(rng.choice(ODD_IDS)).replace(b"Une question sur le groupe.\r\n", raw)
    return b"\r\n".join(lines) + sep + body


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10**6), how=st.sampled_from(["swap", "truncate", "ids", "attach"]))
def test_no_mutated_real_message_stops_a_batch(tmp_path_factory: pytest.TempPathFactory, seed: int,
                                               how: str) -> None:
    files = _corpus_files()
    rng = random.Random(seed)
    work = tmp_path_factory.mktemp("mutated")
    settings_ = config.load(local_config(work))
    chosen = [_write(work, f"m{n}.eml", _mutate(rng.choice(files).read_bytes(), rng, how))
              for n in range(3)]
    deliver(settings_, [*chosen, _write(work, "normal.eml", NORMAL)])
    outcomes = _run(settings_)
    assert len(outcomes) == 4
    assert any(_to(m) == "luc@ot-bergerac.fr" for m in sent_mail(settings_))
    assert _run(settings_) == []


def test_a_poison_message_in_a_burst_is_set_aside_and_staff_are_told_once(
        workspace: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mailflow.app import intake

    real = intake.classify

    def fragile(inbound: Inbound, *args: Any, **kwargs: Any) -> Intent:
        if "POISON" in inbound.subject:
            raise IndexError("list index out of range")  # what an unforeseen input makes a step raise
        return real(inbound, *args, **kwargs)

    monkeypatch.setattr(intake, "classify", fragile)
    burst = []
    for n in range(9):
        subject = "POISON" if n == 4 else f"Candidature OT ruraux {n}"
        burst.append(_write(tmp_path, f"b{n}.eml", NORMAL.replace(b"luc@", f"luc{n}@".encode())
                            .replace(b"Candidature OT ruraux", subject.encode())
                            .replace(b"normal-1@", f"burst-{n}@".encode())))
    deliver(workspace, burst)
    service = build_service(workspace, read_only=False, hold_lock=False)
    daemon = Daemon()

    def look() -> None:
        with service.store.session():
            service.poll()

    daemon.every(1, "mailbox", look)
    runner = threading.Thread(target=daemon.run, kwargs={"install_signals": False})
    runner.start()
    try:
        daemon.stop.wait(2.5)  # the first look, and at least one more
    finally:
        daemon.stop.set()
        runner.join(timeout=10)
        service.close()
    sent = sent_mail(workspace)
    answered = {_to(m) for m in sent if m["X-Mailflow-Outcome"]}
    assert answered == {f"luc{n}@ot-bergerac.fr" for n in range(9) if n != 4}
    alerts = [m for m in sent if m["X-Mailflow-Alert"] == "quarantine"]
    assert len(alerts) == 1 and "POISON" in str(alerts[0]["Subject"])
    assert workspace.mailbox.path is not None
    quarantine = list((workspace.mailbox.path / ".Quarantaine" / "cur").iterdir())
    assert len(quarantine) == 1 and b"POISON" in quarantine[0].read_bytes()


def test_a_failing_job_tells_staff_once_and_the_log_says_when_it_works_again(
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="mailflow.app.daemon")
    told: list[str] = []
    runs = {"n": 0}

    def job() -> None:
        runs["n"] += 1
        if runs["n"] <= 3:
            raise OSError("No space left on device")

    daemon = Daemon(on_failure=lambda name, exc: told.append(f"{name}: {exc}"))
    run = daemon.guarded("holds", job)
    for _ in range(5):
        run()
    assert told == ["holds: No space left on device"]
    assert "réussit de nouveau" in caplog.text and caplog.text.count("échec de la tâche") == 3


def test_staff_are_never_left_without_an_answer_by_the_loop_guard(workspace: Settings,
                                                                   tmp_path: Path) -> None:
    cap = workspace.max_replies_per_sender_per_day
    staff = workspace.network.staff[0]
    notes = [_write(tmp_path, f"s{n}.eml", (
        f"From: Claire <{staff}>\r\nTo: groupes@monatourisme.fr\r\nSubject: essai {n}\r\n"
        f"Message-ID: <staff-{n}@monatourisme.fr>\r\n\r\nClore l’appel OT ruraux\r\n").encode())
        for n in range(cap + 3)]
    deliver(workspace, notes)
    _run(workspace)
    sent = sent_mail(workspace)
    to_staff = [m for m in sent if _to(m) == staff and m["X-Mailflow-Outcome"]]
    assert len(to_staff) == cap + 3
    loops = [m for m in sent if m["X-Mailflow-Alert"] == "staff-loop"]
    assert len(loops) == 1


def test_a_reply_to_an_odd_thread_reads_back(workspace: Settings, tmp_path: Path) -> None:
    deliver(workspace, [_write(tmp_path, "own.eml", _own(ODD_IDS[0]))])
    _run(workspace)
    reply = sent_mail(workspace)[0]
    again = email.message_from_bytes(reply.as_bytes(), policy=policy.default)
    assert again["In-Reply-To"] == ODD_IDS[0]  # brackets inside are safe in In-Reply-To
