"""Measure how fast mailflow handles mail on this machine, and print the figures.

Usage: .venv/bin/python scripts/bench.py [MESSAGES]   (default 600)

Builds MESSAGES distinct emails from the project's samples (new addresses and Message-IDs),
then measures, on the embedded default (Maildir in, .eml outbox out, TinyDB store on disk):
- the pure core alone: parse → classify → decide → render, per message;
- whole batches: deliver into the Maildir, run one batch (commit, send, move), twice, so that the
  second batch shows what a store already holding the first costs.
Nothing is asserted: speed is read, not tested.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mailflow import config  # noqa: E402
from mailflow.cli import build_service  # noqa: E402
from mailflow.core.classify import classify  # noqa: E402
from mailflow.core.decide import apply, decide  # noqa: E402
from mailflow.core.parse import parse  # noqa: E402
from mailflow.core.render import Renderer  # noqa: E402
from mailflow.model import State  # noqa: E402

sys.path.insert(0, str(ROOT / "scripts"))
from corpus import local_config  # noqa: E402

SAMPLES = sorted((ROOT / "samples").glob("*.eml"))
ADDRESSES = (b"marie.dupont@ot-perigord-noir.fr", b"direction@coeurdebearn-tourisme.fr",
             b"s.lacombe@tourisme-creuse-sud.fr", b"julie.moreau@larochelle-tourisme.fr",
             b"thomas.bernard@pat-val-de-garonne.fr", b"claire.fontaine@ot-vienne-gartempe.fr",
             b"luc.garnier@ot-bastides-dordogne.fr", b"nadia.roux@ot-isle-auvezere.fr")


def messages(count: int, first: int = 0) -> list[bytes]:
    """Distinct emails: each sample in turn, with its own sender and Message-ID."""
    result = []
    for n in range(first, first + count):
        raw = SAMPLES[n % len(SAMPLES)].read_bytes()
        for address in ADDRESSES:
            raw = raw.replace(address, address.replace(b"@", f"+{n}@".encode()))
        result.append(raw.replace(b"Message-ID: <", f"Message-ID: <bench{n}.".encode()))
    return result


def core(raws: list[bytes], settings: config.Settings) -> list[float]:
    """Seconds per message through the pure core, the state growing as it goes."""
    renderer = Renderer(settings.templates_dir, settings.network, settings.groups,
                        settings.departments)
    state = State(settings.groups, settings.departments)
    now = datetime.now(UTC)
    times = []
    for n, raw in enumerate(raws):
        start = time.perf_counter()
        try:
            inbound = parse(raw, f"k{n}")
        except Exception:  # the one junk sample: quarantined in the real pipeline
            times.append(time.perf_counter() - start)
            continue
        intent = classify(inbound, settings.network, state.groups, settings.departments)
        decision = decide(state, intent, now, f"MF-BENCH{n:06d}"[:13])
        for reply in decision.replies:
            renderer.render(reply, now)
        state = apply(state, decision)
        times.append(time.perf_counter() - start)
    return times


def batch(settings: config.Settings, count: int, first: int) -> tuple[float, int]:
    """Deliver new messages into the Maildir, run one batch; seconds taken and replies sent."""
    raws = messages(count, first)
    assert settings.mailbox.path is not None
    new = settings.mailbox.path / "new"
    new.mkdir(parents=True, exist_ok=True)
    for n, raw in enumerate(raws, first):
        (new / f"{1_800_000_000 + n}.M{n:06d}P1.bench").write_bytes(raw)
    service = build_service(settings, read_only=False)
    try:
        start = time.perf_counter()
        report = service.run_batch()
        return time.perf_counter() - start, report.sent
    finally:
        service.store.close()


def main(argv: list[str]) -> int:
    count = int(argv[1]) if len(argv) > 1 else 600
    raws = messages(count)
    work = Path(tempfile.mkdtemp(prefix="mailflow-bench-"))
    try:
        settings = config.load(local_config(work))
        times = core(raws, settings)
        per = statistics.median(times) * 1000
        print(f"core (parse, classify, decide, render), {count} messages: "
              f"{count / sum(times):.0f} msg/s; median {per:.2f} ms, "
              f"p95 {sorted(times)[int(len(times) * 0.95)] * 1000:.2f} ms per message")
        for label, first in (("first batch", 0), ("second batch", count)):
            seconds, sent = batch(settings, count, first)
            size = settings.store_path.stat().st_size / 1024
            print(f"{label}: {count} messages in {seconds:.2f} s ({count / seconds:.0f} msg/s), "
                  f"{sent} replies written, store {size:.0f} KiB")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
