"""Measure mailflow as a user would, through a real Dovecot and SMTP server, and print the figures.

Usage: .venv/bin/python scripts/bench.py [--sizes 2000,10000] [--records 1000,100000]

For each backlog size, MULTIAPPENDs that many mixed messages to a fresh IMAP mailbox, then, one
after the other on the same backlog:
- the naive floor: an IMAP FETCH of each message and an `email` parse (`policy.default`),
  nothing else (and, for comparison, the same with 50 messages per FETCH);
- mailflow: `mailflow run --once` in its own process, until every message is decided, every
  reply handed to SMTP (STARTTLS, AUTH) and copied to Sent, every message moved.
The messages are the project's samples (candidatures, ideas, questions, withdrawals, automatic
replies, bounces, junk), each from one of 600 member addresses (the network's ~150 offices, four
people each) with its own Message-ID: a backlog holds first messages and follow-ups alike.

Also printed: the cost of one message in the backlog's chunks around the 2,000th and the last
(from mailflow's own progress log), the store's bytes per message handled, one message handled
by a running service whose store holds 1,000 or 100,000 journal records, the resident memory of
an idle daemon (fresh, and after the largest backlog), the start of `mailflow --help`, and the
time to find the communes a long letter names.
Nothing is asserted: speed is read, not tested.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from imapclient import IMAPClient  # noqa: E402
from killtest import workspace  # noqa: E402

from mailflow import config  # noqa: E402
from mailflow.app.wiring import build_service  # noqa: E402
from mailflow.core.read.facts.communes import find_communes  # noqa: E402
from mailflow.ports import LedgerEntry  # noqa: E402
from mailflow.store import Store  # noqa: E402
from tests.mailservers import Dovecot, MailUser, SmtpSink, start_dovecot  # noqa: E402

SAMPLES = sorted((ROOT / "samples").glob("*.eml"))
SAMPLE_ADDRESSES = (b"marie.dupont@ot-perigord-noir.fr", b"direction@coeurdebearn-tourisme.fr",
                    b"s.lacombe@tourisme-creuse-sud.fr", b"julie.moreau@larochelle-tourisme.fr",
                    b"thomas.bernard@pat-val-de-garonne.fr", b"claire.fontaine@ot-vienne-gartempe.fr",
                    b"luc.garnier@ot-bastides-dordogne.fr", b"nadia.roux@ot-isle-auvezere.fr")
MEMBERS = 600
PROGRESS = re.compile(r"backlog: (\d+) of (\d+) messages done \(the last (\d+) in ([\d.]+) s\)")


def messages(count: int, first: int = 0) -> list[bytes]:
    """Mixed emails: each sample in turn, sent by one of MEMBERS addresses, its own Message-ID."""
    result = []
    for n in range(first, first + count):
        raw = SAMPLES[n % len(SAMPLES)].read_bytes()
        member = (n * 7919) % MEMBERS  # spread over the members, each writing again later
        for i, address in enumerate(SAMPLE_ADDRESSES):
            local, _, domain = address.partition(b"@")
            raw = raw.replace(address, local + f".m{(member + i) % MEMBERS}@".encode() + domain)
        result.append(raw.replace(b"Message-ID: <", f"Message-ID: <bench{n}.".encode()))
    return result


def append_backlog(dovecot: Dovecot, user: MailUser, raws: list[bytes]) -> None:
    with IMAPClient(dovecot.host, port=dovecot.imap_port, ssl=False) as client:
        client.login(user.address, user.password)
        for start in range(0, len(raws), 500):
            client.multiappend("INBOX", [r.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
                                         for r in raws[start:start + 500]])


def naive_floor(dovecot: Dovecot, user: MailUser, per_command: int = 1) -> tuple[int, float]:
    """FETCH every message (`per_command` at a time: 1 is what a naive client does) and parse it
    with `policy.default`: messages and seconds."""
    parser = BytesParser(policy=policy.default)
    started = time.perf_counter()
    with IMAPClient(dovecot.host, port=dovecot.imaps_port, ssl=True,
                    ssl_context=_context(dovecot)) as client:
        client.login(user.address, user.password)
        client.select_folder("INBOX", readonly=True)
        uids = client.search("ALL")
        for start in range(0, len(uids), per_command):
            for data in client.fetch(uids[start:start + per_command], ["BODY.PEEK[]"]).values():
                parser.parsebytes(data[b"BODY[]"])
    return len(uids), time.perf_counter() - started


def _context(dovecot: Dovecot) -> object:
    import ssl

    return ssl.create_default_context(cafile=str(dovecot.cafile))


def server_config(work: Path, dovecot: Dovecot, user: MailUser,
                  sink: SmtpSink) -> tuple[Path, dict[str, str]]:
    cfg = workspace(work, mailbox_url=f"imaps://{user.address}@127.0.0.1:{dovecot.imaps_port}/INBOX",
                    delivery_url=f"smtp://{sink.user}@127.0.0.1:{sink.port}")
    text = cfg.read_text(encoding="utf-8")
    text = text.replace("[mailbox]\n", f'[mailbox]\nca_file = "{dovecot.cafile}"\nsent_folder = "Sent"\n', 1)
    text = text.replace("[delivery]\n", f'[delivery]\nca_file = "{sink.cafile}"\n', 1)
    text = text.replace("max_replies_per_sender_per_day = ", "max_replies_per_sender_per_day = 1000 #", 1)
    cfg.write_text(text, encoding="utf-8")
    env = {**os.environ, "MAILFLOW_IMAP_PASSWORD": user.password,
           "MAILFLOW_SMTP_PASSWORD": sink.password}
    return cfg, env


def mailflow_once(cfg: Path, env: dict[str, str], log: Path) -> float:
    started = time.perf_counter()
    with log.open("wb") as out:
        subprocess.run([sys.executable, "-m", "mailflow", "--config", str(cfg), "run", "--once"],
                       stdout=subprocess.DEVNULL, stderr=out, env=env, cwd=ROOT, check=True)
    return time.perf_counter() - started


def chunk_costs(log: Path) -> list[tuple[int, float]]:
    """(messages done, seconds per message of that chunk), from the progress lines."""
    out = []
    for match in PROGRESS.finditer(log.read_text(encoding="utf-8", errors="replace")):
        done, _total, size, seconds = match.groups()
        out.append((int(done), float(seconds) / int(size)))
    return out


def cost_at(costs: list[tuple[int, float]], position: int) -> float:
    """The median cost per message of the chunks around `position` (three chunks)."""
    nearest = min(range(len(costs)), key=lambda i: abs(costs[i][0] - position))
    window = costs[max(0, nearest - 1): nearest + 2]
    return statistics.median(c for _, c in window)


def store_bytes(cfg: Path) -> int:
    folder = config.load(cfg).store_path.parent
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()
               and "attachments" not in p.parts and not p.name.endswith((".lock", ".log")))


def handled(cfg: Path) -> int:
    with Store(config.load(cfg).store_path, read_only=True) as store:
        return len(store.ledger())


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def idle_daemon_rss(cfg: Path, env: dict[str, str], log: Path, message: bytes | None = None,
                    deliver: object = None, settle: float = 3.0) -> float:
    """Start the daemon; when `message` is given, have it handle that one too (so that it works
    with everything the store holds in hand); its RSS once it sleeps."""
    with log.open("ab") as out:
        process = subprocess.Popen([sys.executable, "-m", "mailflow", "--config", str(cfg), "run"],
                                   stdout=subprocess.DEVNULL, stderr=out, env=env, cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while b"watching" not in log.read_bytes() and time.monotonic() < deadline:
            time.sleep(0.1)
        if message is not None and callable(deliver):
            before = handled(cfg)
            deliver(message)
            while handled(cfg) == before and time.monotonic() < deadline:
                time.sleep(0.2)
        time.sleep(settle)
        return rss_mb(process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def one_message_cost(work: Path, records: int, trials: int = 7) -> float:
    """Seconds to handle one message with a service already running on a store of `records`
    journal records (embedded default: Maildir in, .eml out), median of `trials`."""
    cfg = workspace(work)
    settings = config.load(cfg)
    assert settings.mailbox.path is not None
    now = datetime.now(UTC) - timedelta(days=30)
    with Store(settings.store_path) as store:
        for n in range(records):
            store.record(LedgerEntry(key=f"old-{n}", sha256=f"{n:064x}", message_id=f"<old{n}@x>",
                                     sender=f"m{n % MEMBERS}@ot-example.fr", subject="Candidature",
                                     outcome="no-reply", summary="no reply: automatic",
                                     decided_at=now, folder="processed"))
            if n % 5000 == 4999:
                store.commit()
        store.commit()
    new = settings.mailbox.path / "new"
    new.mkdir(parents=True, exist_ok=True)
    service = build_service(settings, read_only=False)
    times = []
    try:
        service.run_batch()  # warm: templates compiled, store read
        for n, raw in enumerate(messages(trials, first=records)):
            (new / f"{1_900_000_000 + n}.M{n}P1.bench").write_bytes(raw)
            started = time.perf_counter()
            service.run_batch()
            times.append(time.perf_counter() - started)
    finally:
        service.close()
    return statistics.median(times)


def places_reading(runs: int = 20) -> float:
    """Seconds to find the communes named in a 5,000-character letter (the table loaded), median."""
    paragraph = ("Je suis directrice de l'Office de Tourisme Sarlat Périgord Noir (24) : nous couvrons "
                 "treize communes, dont Saint-Cyprien et Carsac, et la salle du bourg accueille vos "
                 "groupes. ")
    letter = (paragraph * 40)[:5000]
    find_communes(letter)  # the table read once, as a running daemon has it
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        find_communes(letter)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def help_start(runs: int = 15) -> tuple[float, float]:
    """`mailflow --help` as a whole process: (minimum, median) seconds."""
    exe = Path(sys.executable).with_name("mailflow")
    command = [str(exe), "--help"] if exe.exists() else [sys.executable, "-m", "mailflow", "--help"]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="2000,10000", help="backlog sizes (default 2000,10000)")
    parser.add_argument("--records", default="1000,100000", help="journal sizes for one message")
    args = parser.parse_args(argv[1:])
    sizes = [int(s) for s in args.sizes.split(",")]
    logging.getLogger("mail.log").setLevel(logging.CRITICAL)
    base = Path(tempfile.mkdtemp(prefix="mailflow-bench-"))
    dovecot = start_dovecot()
    sink = SmtpSink(starttls=True, auth_required=True)
    sink.start()
    try:
        print(f"machine: {os.cpu_count()} cores; Dovecot IMAPS and an SMTP server (STARTTLS, AUTH) on "
              f"loopback; {len(SAMPLES)} kinds of message from {MEMBERS} members")
        last: tuple[Path, dict[str, str], int, MailUser] | None = None
        for size in sizes:
            user = dovecot.fresh_user()
            sink.clear()
            append_backlog(dovecot, user, messages(size))
            count, seconds = naive_floor(dovecot, user)
            floor = count / seconds
            batched_count, batched_seconds = naive_floor(dovecot, user, per_command=50)
            work = base / f"backlog-{size}"
            cfg, env = server_config(work, dovecot, user, sink)
            log = work / "run.log"
            elapsed = mailflow_once(cfg, env, log)
            done = handled(cfg)
            rate = done / elapsed
            print(f"backlog of {size:,}: naive floor {floor:.0f} msg/s; mailflow {rate:.0f} msg/s "
                  f"({done:,} decided, {len(sink.messages):,} mails handed to SMTP, "
                  f"{dovecot.mailbox_status(user.address)['messages']} left in the inbox, "
                  f"{elapsed:.1f} s); ratio {rate / floor:.2f}")
            print(f"    (the floor with 50 messages per FETCH: {batched_count / batched_seconds:.0f} msg/s)")
            print(f"    store: {store_bytes(cfg) / done:,.0f} bytes per message handled")
            costs = chunk_costs(log)
            if size >= 4000 and costs:
                early, late = cost_at(costs, 2000), cost_at(costs, size)
                print(f"    per-message cost: {early * 1000:.2f} ms around the 2,000th, "
                      f"{late * 1000:.2f} ms around the {size:,}th; ratio {late / early:.2f}")
            last = (cfg, env, size, user)
        fresh_cfg = workspace(base / "fresh")
        print(f"idle daemon RSS: {idle_daemon_rss(fresh_cfg, dict(os.environ), base / 'fresh.log'):.1f} MB "
              "(fresh, embedded default)")
        if last is not None:
            cfg, env, size, user = last
            one = messages(1, first=size)[0]
            rss = idle_daemon_rss(cfg, env, cfg.parent / "daemon.log", one,
                                  lambda raw: append_backlog(dovecot, user, [raw]))
            print(f"idle daemon RSS: {rss:.1f} MB (on the store of the {size:,}-message backlog, "
                  "after handling one more message)")
        costs_by_records = {}
        for records in (int(r) for r in args.records.split(",")):
            costs_by_records[records] = one_message_cost(base / f"records-{records}", records)
            print(f"one message, running service, {records:,} journal records: "
                  f"{costs_by_records[records] * 1000:.1f} ms")
        small, large = min(costs_by_records), max(costs_by_records)
        if small != large:
            print(f"    ratio {large:,} ÷ {small:,} records: "
                  f"{costs_by_records[large] / costs_by_records[small]:.2f}")
        low, median = help_start()
        print(f"mailflow --help: {low * 1000:.0f} ms minimum, {median * 1000:.0f} ms median")
        print(f"communes found in a 5,000-character letter: {places_reading() * 1000:.2f} ms")
    finally:
        sink.stop()
        dovecot.cleanup()
        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
