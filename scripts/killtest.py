"""Kill mailflow at random moments and at every durable write; check nothing is lost or sent twice.

Usage:
  .venv/bin/python scripts/killtest.py [--trials N] [--servers] [--seed S]
      a real daemon (`python -m mailflow run`) killed with SIGKILL at random moments, restarted,
      until every message is handled; --servers runs it against a real Dovecot (IMAP, delivery
      by LMTP) and a real SMTP server instead of the embedded default
  .venv/bin/python scripts/killtest.py --points
      `run --once` killed just before and just after each of its durable writes in turn
  .venv/bin/python scripts/killtest.py --review-points
      the same with review on: the run that holds replies, then the one that lets them go
  .venv/bin/python scripts/killtest.py --review [--trials N]
      a real daemon killed at random with review on, while it holds replies, then while it reads
      the reviewer's answers and lets them go

Each trial starts from a fresh workspace holding the same messages and ends by comparing what
came out with an undisturbed run: every message handled exactly once (moved out of the inbox),
every reply sent exactly once (same outcomes to the same people, no Message-ID twice), the
idea's attachment on disk, the same candidatures, and no temporary file left once restarted.
"""

from __future__ import annotations

import argparse
import contextlib
import email
import io
import itertools
import json
import logging
import mailbox
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import policy
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mailflow import config  # noqa: E402
from mailflow.cli import main as mailflow_main  # noqa: E402
from mailflow.store import Store  # noqa: E402

# The messages of every trial: two candidatures (one incomplete), an idea with its file, an
# out-of-office reply, a withdrawal that asks for a code, and a file that is not an email.
SAMPLES = ("01-candidature-formulaire-ot-ruraux", "03-candidature-texte-libre-incomplete",
           "05-idee-de-groupe", "06-reponse-automatique", "09-candidature-dordogne-2",
           "11-desistement", "13-illisible")
# The system calls that make a write durable or visible: a kill lands just before or after one.
DURABLE_CALLS = ("fsync", "replace", "rename", "link")


@dataclass
class Outcome:
    """What a run left behind, in the terms a member or staff would notice."""

    mail: Counter[tuple[str, str]] = field(default_factory=Counter)  # (outcome or alert, to)
    duplicate_ids: int = 0
    inbox: int = 0
    handled: int = 0
    statuses: dict[str, str] = field(default_factory=dict)
    attachments: list[str] = field(default_factory=list)
    leftovers: list[str] = field(default_factory=list)

    def differences(self, reference: Outcome) -> list[str]:
        problems = []
        lost = reference.mail - self.mail
        twice = self.mail - reference.mail
        if lost:
            problems.append(f"replies missing: {dict(lost)}")
        if twice:
            problems.append(f"replies sent twice or unexpected: {dict(twice)}")
        if self.duplicate_ids:
            problems.append(f"{self.duplicate_ids} Message-ID(s) delivered twice")
        if self.inbox or self.handled != reference.handled:
            problems.append(f"messages: {self.inbox} left in the inbox, {self.handled} handled "
                            f"(expected {reference.handled})")
        if self.statuses != reference.statuses:
            problems.append(f"candidatures {self.statuses} != {reference.statuses}")
        if self.attachments != reference.attachments:
            problems.append(f"attachments {self.attachments} != {reference.attachments}")
        if self.leftovers:
            problems.append(f"temporary files left: {self.leftovers}")
        return problems


# --- a workspace -------------------------------------------------------------------------------


def workspace(work: Path, *, mailbox_url: str | None = None, delivery_url: str | None = None,
              extra: str = "") -> Path:
    """A configuration under `work`: the shipped one with its own mailbox, outbox and store."""
    text = (ROOT / "config" / "mailflow.toml").read_text(encoding="utf-8")
    replacements = {
        '"maildir:../var/mailbox"': f'"{mailbox_url or "maildir:" + str(work / "mailbox")}"',
        '"dir:../var/outbox"': f'"{delivery_url or "dir:" + str(work / "outbox")}"',
        '"../var/mailflow.json"': f'"{work / "store" / "mailflow.json"}"',
        '"groups.toml"': f'"{ROOT / "config" / "groups.toml"}"',
        '"departments.toml"': f'"{ROOT / "config" / "departments.toml"}"',
        "poll_seconds = 30": "poll_seconds = 1",
        "enabled = true": "enabled = false",  # no digest: trials compare replies only
    }
    for old, new in replacements.items():
        assert old in text, old
        text = text.replace(old, new)
    work.mkdir(parents=True, exist_ok=True)
    path = work / "mailflow.toml"
    path.write_text(text + extra, encoding="utf-8")
    return path


def sample_bytes() -> list[bytes]:
    return [(ROOT / "samples" / f"{name}.eml").read_bytes() for name in SAMPLES]


def deliver_maildir(root: Path, messages: list[bytes]) -> None:
    """Deliver as an MDA does, with Python's `mailbox` (unique names carrying the time)."""
    box = mailbox.Maildir(root, create=True)
    for raw in messages:
        box.add(raw)


def _eml(path: Path) -> email.message.EmailMessage:
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(message, email.message.EmailMessage)
    return message


def _mail_key(message: email.message.EmailMessage) -> tuple[str, str]:
    kind = str(message["X-Mailflow-Outcome"] or message["X-Mailflow-Alert"] or "?")
    to = ", ".join(sorted(a.addr_spec for a in message["To"].addresses))
    return kind, to


def _tmp_files(work: Path) -> list[str]:
    names = []
    for path in work.rglob("*"):
        if path.is_file() and (path.name.endswith(".tmp") or path.name.startswith(".tmp-")
                               or (path.parent.name == "tmp" and path.name.endswith(".mailflow"))):
            names.append(str(path.relative_to(work)))
    return sorted(names)


def observe(cfg: Path, sent: list[email.message.EmailMessage] | None = None) -> Outcome:
    """What the workspace shows now (`sent`: the messages an SMTP server took, else the outbox)."""
    settings = config.load(cfg)
    work = cfg.parent
    if sent is None:
        assert settings.delivery.path is not None
        sent = [_eml(p) for p in sorted(settings.delivery.path.glob("*.eml"))]
    result = Outcome()
    ids = Counter(str(m["Message-ID"]) for m in sent)
    result.duplicate_ids = sum(n - 1 for n in ids.values())
    result.mail = Counter(_mail_key(m) for m in sent)
    if settings.mailbox.path is not None:
        root = settings.mailbox.path
        result.inbox = sum(len(list((root / sub).glob("*"))) for sub in ("new", "cur"))
    with Store(settings.store_path, read_only=True) as store:
        state = store.state(settings.groups, settings.departments)
        result.handled = len(store.ledger())
    result.statuses = {f"{c.email} {c.group_id}": c.status.value for c in state.candidatures}
    index = sorted((settings.store_path.parent / "attachments").glob("*/index.json"))
    for path in index:
        for entry in json.loads(path.read_text(encoding="utf-8"))["attachments"]:
            on_disk = (path.parent / entry["name"]).is_file()
            result.attachments.append(f"{path.parent.name}/{entry['name']}:{on_disk}")
    result.leftovers = _tmp_files(work)
    return result


# --- killed at each durable write (a forked `run --once`) ----------------------------------------


def _quiet_once(cfg: Path) -> None:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        mailflow_main(["--config", str(cfg), "run", "--once"])


def _in_child(job: Callable[[], None]) -> int:
    """Run `job` in a forked process; its wait status."""
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller's code
        code = 0
        try:
            job()
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    return os.waitpid(pid, 0)[1]


def _counting(kill_at: int, after: bool, counts: list[int]) -> None:
    """Wrap the durable calls of this (child) process: count them, die at the chosen one."""
    counter = itertools.count(1)

    def wrap(real: Callable[..., object]) -> Callable[..., object]:
        def call(*args: object, **kwargs: object) -> object:
            n = next(counter)
            counts[0] = n
            if n == kill_at and not after:
                os.kill(os.getpid(), signal.SIGKILL)
            result = real(*args, **kwargs)
            if n == kill_at and after:
                os.kill(os.getpid(), signal.SIGKILL)
            return result
        return call

    for name in DURABLE_CALLS:
        setattr(os, name, wrap(getattr(os, name)))


def count_points(cfg: Path) -> int:
    """How many durable calls an undisturbed `run --once` makes (the run happens, in a child)."""
    reader, writer = os.pipe()

    def job() -> None:
        counts = [0]
        _counting(0, False, counts)
        try:
            _quiet_once(cfg)
        finally:
            os.write(writer, str(counts[0]).encode())

    _in_child(job)
    os.close(writer)
    with os.fdopen(reader) as handle:
        return int(handle.read() or 0)


def killed_once(cfg: Path, point: int, after: bool) -> bool:
    """`run --once` killed just before (or after) its `point`-th durable call; True if it died."""

    def job() -> None:
        _counting(point, after, [0])
        _quiet_once(cfg)

    status = _in_child(job)
    return os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL


def recover(cfg: Path) -> None:
    """What the operator does after a crash: start mailflow again (here, one `run --once`)."""
    status = _in_child(lambda: _quiet_once(cfg))
    if status != 0:
        raise RuntimeError(f"the run after the crash failed (wait status {status})")


def fresh(base: Path, name: str) -> Path:
    cfg = workspace(base / name)
    settings = config.load(cfg)
    assert settings.mailbox.path is not None
    deliver_maildir(settings.mailbox.path, sample_bytes())
    return cfg


def points(base: Path) -> Iterator[tuple[str, list[str]]]:
    """Every kill point in turn: (its name, the problems found after recovery)."""
    reference_cfg = fresh(base, "reference")
    total = count_points(reference_cfg)
    reference = observe(reference_cfg)
    for point in range(1, total + 1):
        for after in (False, True):
            name = f"{'after' if after else 'before'}-{point}"
            cfg = fresh(base, name)
            died = killed_once(cfg, point, after)
            recover(cfg)
            problems = observe(cfg).differences(reference)
            if not died:
                problems = [*problems, "the process was not killed at this point"]
            yield name, problems
            shutil.rmtree(cfg.parent, ignore_errors=True)


# --- review: a reply held, then let go, killed at each durable write -----------------------------

REVIEW = '\n[review]\noutcomes = ["confirmed", "waitlisted"]\n'
#: Two places and a waiting list, each reply held for review; a refusal, which goes at once.
REVIEW_SAMPLES = ("01-candidature-formulaire-ot-ruraux", "09-candidature-dordogne-2",
                  "10-candidature-dordogne-3", "04-candidature-refusee-fonction")
#: What the reviewer answers about each member's reply: as drafted, a letter of hers, not now.
REVIEW_ANSWERS = {
    "marie.dupont@ot-perigord-noir.fr": "OK",
    "luc.garnier@ot-bastides-dordogne.fr": ("Bonjour Luc,\n\nVotre place dans le groupe est confirmée : "
                                            "nous vous attendons le 6 avril à Montignac.\n\n"
                                            "Bien cordialement,\nClaire"),
    "nadia.roux@ot-isle-auvezere.fr": "Non, on attend",
}


def movable(work: Path) -> Path:
    """A review workspace whose configuration names its folders relative to itself: a copy of
    the folder is a workspace of its own."""
    cfg = workspace(work, extra=REVIEW)
    cfg.write_text(cfg.read_text(encoding="utf-8").replace(f"{work}/", ""), encoding="utf-8")
    return cfg


def deliver_answers(cfg: Path) -> None:
    """The reviewer's answers (« Répondre » above the quote) to the mails that asked them."""
    settings = config.load(cfg)
    assert settings.delivery.path is not None and settings.mailbox.path is not None
    answers = []
    for path in sorted(settings.delivery.path.glob("*.eml")):
        mail = _eml(path)
        if mail["X-Mailflow-Alert"] != "review":
            continue
        draft = next(p.get_content() for p in mail.iter_attachments()
                     if p.get_content_type() == "message/rfc822")
        answer = email.message.EmailMessage()
        answer["From"] = settings.network.staff[0]
        answer["To"] = settings.network.address
        answer["Subject"] = f"RE: {mail['Subject']}"
        answer["Message-ID"] = f"<answer-{len(answers)}@monatourisme.fr>"
        answer["In-Reply-To"] = str(mail["Message-ID"])
        answer.set_content(f"{REVIEW_ANSWERS[draft['To'].addresses[0].addr_spec]}\n\n"
                           f"Le 1 déc. 2026 à 10:00, mailflow a écrit :\n> Relecture\n")
        answers.append(bytes(answer))
    deliver_maildir(settings.mailbox.path, answers)


def _reviews(cfg: Path) -> list[tuple[str, str, bool]]:
    settings = config.load(cfg)
    with Store(settings.store_path, read_only=True) as store:
        held = {item.id for item in store.outbox("held")}
        return sorted((r.outcome, r.fate.value, r.id in held) for r in store.reviews())


def _review_points(base: Path, stage: str, make: Callable[[str], Path]) -> Iterator[tuple[str, list[str]]]:
    reference_cfg = make(f"{stage}-reference")
    total = count_points(reference_cfg)
    reference, reviews = observe(reference_cfg), _reviews(reference_cfg)
    for point in range(1, total + 1):
        for after in (False, True):
            name = f"{stage}-{'after' if after else 'before'}-{point}"
            cfg = make(name)
            died = killed_once(cfg, point, after)
            recover(cfg)
            problems = observe(cfg).differences(reference)
            if _reviews(cfg) != reviews:
                problems.append(f"reviews {_reviews(cfg)} != {reviews}")
            if not died:
                problems.append("the process was not killed at this point")
            yield name, problems
            shutil.rmtree(cfg.parent, ignore_errors=True)


def review_points(base: Path) -> Iterator[tuple[str, list[str]]]:
    """Review on: every kill point of the run that decides and holds the replies (« held »), then
    of the run that reads the reviewer's answers and sends what they let go (« answered »)."""
    samples = [(ROOT / "samples" / f"{name}.eml").read_bytes() for name in REVIEW_SAMPLES]

    def held(name: str) -> Path:
        cfg = movable(base / name)
        settings = config.load(cfg)
        assert settings.mailbox.path is not None
        deliver_maildir(settings.mailbox.path, samples)
        return cfg

    yield from _review_points(base, "held", held)
    template = held("answered-template")
    recover(template)
    deliver_answers(template)

    def answered(name: str) -> Path:
        shutil.copytree(template.parent, base / name)
        return base / name / template.name

    yield from _review_points(base, "answered", answered)


# --- a real daemon killed at random moments ---------------------------------------------------


@dataclass
class Servers:
    """A real Dovecot and SMTP server, for --servers."""

    dovecot: object
    user: object
    sink: object


def _daemon(cfg: Path, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", "mailflow", "--config", str(cfg), "run"],
                                stdout=out, stderr=out, env=env, cwd=ROOT)


def _finished(cfg: Path, expected: int, servers: Servers | None) -> bool:
    settings = config.load(cfg)
    with Store(settings.store_path, read_only=True) as store:
        handled = len(store.ledger())
        owed = len(store.outbox("pending", "sending"))
    if servers is not None:
        inbox = servers.dovecot.mailbox_status(servers.user.address)["messages"]  # type: ignore[attr-defined]
    else:
        assert settings.mailbox.path is not None
        inbox = sum(len(list((settings.mailbox.path / s).glob("*"))) for s in ("new", "cur"))
    return handled >= expected and owed == 0 and inbox == 0


def _recorded(cfg: Path) -> set[str]:
    """Message-IDs of the replies the store (or its log of accepted replies) holds as sent."""
    settings = config.load(cfg)
    if not settings.store_path.exists():
        return set()
    with Store(settings.store_path, read_only=True) as store:
        return {item.id for item in store.outbox("sent", "failed")}


def _in_the_window(sent: list[email.message.EmailMessage],
                   snapshots: list[tuple[set[str], int]]) -> tuple[list[email.message.EmailMessage], int]:
    """The deliveries without those sent twice because a kill fell between the server's 250 and
    mailflow's fsync of it (the stated window), and how many those were.

    A second delivery of a reply is inside the window when, at the kill before it, the first
    delivery was the last thing the server had taken and nothing on disk said it had been
    accepted: the process died between the server's answer and the fsync.
    """
    kept: list[email.message.EmailMessage] = []
    first: dict[str, int] = {}
    within = 0
    for index, message in enumerate(sent):
        message_id = str(message["Message-ID"])
        if message_id in first:
            before = [(recorded, count) for recorded, count in snapshots if count <= index]
            if before and message_id not in before[-1][0] and first[message_id] == before[-1][1] - 1:
                within += 1
                continue
        first.setdefault(message_id, index)
        kept.append(message)
    return kept, within


@dataclass
class Trial:
    """What one trial left, how many kills landed, and the duplicates inside the window."""

    outcome: Outcome
    kills: int
    within_window: int
    ready: float
    done: float


def random_trial(base: Path, name: str, rng: random.Random, servers: Servers | None,
                 kills: int, window: tuple[float, float]) -> Trial:
    """One fresh workspace, a daemon killed `kills` times at random, then run to the end."""
    work = base / name
    env = dict(os.environ)
    if servers is None:
        cfg = workspace(work)
        settings = config.load(cfg)
        assert settings.mailbox.path is not None
        deliver_maildir(settings.mailbox.path, sample_bytes())
    else:
        dovecot, sink = servers.dovecot, servers.sink
        user = dovecot.fresh_user()  # type: ignore[attr-defined]
        servers.user = user
        sink.clear()  # type: ignore[attr-defined]
        cfg = workspace(
            work,
            mailbox_url=f"imaps://{user.address}@127.0.0.1:{dovecot.imaps_port}/INBOX",  # type: ignore[attr-defined]
            delivery_url=f"smtp://{sink.user}@127.0.0.1:{sink.port}",  # type: ignore[attr-defined]
        )
        text = cfg.read_text(encoding="utf-8")
        text = text.replace("[mailbox]\n", f'[mailbox]\nca_file = "{dovecot.cafile}"\n'  # type: ignore[attr-defined]
                                           'sent_folder = "Sent"\n', 1)
        text = text.replace("[delivery]\n", f'[delivery]\nca_file = "{sink.cafile}"\n'  # type: ignore[attr-defined]
                                            "retry_seconds = [1]\n", 1)
        cfg.write_text(text, encoding="utf-8")
        env["MAILFLOW_IMAP_PASSWORD"] = user.password  # type: ignore[attr-defined]
        env["MAILFLOW_SMTP_PASSWORD"] = sink.password  # type: ignore[attr-defined]
        for raw in sample_bytes():
            dovecot.deliver(user.address, raw)  # type: ignore[attr-defined]
    log = work / "daemon.log"
    done = 0
    snapshots: list[tuple[set[str], int]] = []
    for _ in range(kills):
        done += _killed_once(cfg, env, log, rng, window)
        if servers is not None:
            snapshots.append((_recorded(cfg), len(servers.sink.messages)))  # type: ignore[attr-defined]
    offset = log.stat().st_size if log.exists() else 0
    process = _daemon(cfg, env, log)
    started = time.monotonic()
    ready = None
    while not _finished(cfg, len(SAMPLES), servers) and time.monotonic() < started + 30:
        if ready is None and b"watching" in log.read_bytes()[offset:]:
            ready = time.monotonic() - started
        time.sleep(0.01)
    elapsed = time.monotonic() - started
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)
    within = 0
    sent = None
    if servers is not None:
        sent, within = _in_the_window([m.parsed() for m in servers.sink.messages],  # type: ignore[attr-defined]
                                      snapshots)
    seen = observe(cfg, sent)
    if servers is not None:
        seen.inbox = servers.dovecot.mailbox_status(servers.user.address)["messages"]  # type: ignore[attr-defined]
    return Trial(seen, done, within, ready or 0.0, elapsed)


def _killed_once(cfg: Path, env: dict[str, str], log: Path, rng: random.Random,
                 window: tuple[float, float]) -> int:
    """A daemon started, then SIGKILLed at a random moment of `window` (seconds): 1 if the kill
    landed, 0 if it had already stopped."""
    process = _daemon(cfg, env, log)
    time.sleep(rng.uniform(*window))
    landed = process.poll() is None
    if landed:
        process.send_signal(signal.SIGKILL)
    process.wait()
    return int(landed)


def _phase(cfg: Path, log: Path, rng: random.Random, kills: int, window: tuple[float, float],
           expected: int) -> int:
    """A daemon killed `kills` times at random, then run until `expected` messages are handled
    and nothing is owed; how many kills landed."""
    env, done = dict(os.environ), 0
    for _ in range(kills):
        done += _killed_once(cfg, env, log, rng, window)
    process = _daemon(cfg, env, log)
    started = time.monotonic()
    while not _finished(cfg, expected, None) and time.monotonic() < started + 30:
        time.sleep(0.01)
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)
    return done


def review_trial(base: Path, name: str, rng: random.Random, kills: int,
                 window: tuple[float, float]) -> tuple[Outcome, list[tuple[str, str, bool]], int]:
    """Review on, a real daemon: killed at random while it holds the replies, then while it reads
    the reviewer's answers and lets them go; what it left, its reviews, how many kills landed."""
    cfg = movable(base / name)
    settings = config.load(cfg)
    assert settings.mailbox.path is not None
    deliver_maildir(settings.mailbox.path, [(ROOT / "samples" / f"{n}.eml").read_bytes()
                                            for n in REVIEW_SAMPLES])
    log = cfg.parent / "daemon.log"
    done = _phase(cfg, log, rng, kills, window, len(REVIEW_SAMPLES))
    deliver_answers(cfg)
    done += _phase(cfg, log, rng, kills, window, len(REVIEW_SAMPLES) + len(REVIEW_ANSWERS))
    return observe(cfg), _reviews(cfg), done


def _review_trials(base: Path, trials: int, kills: int, seed: int) -> int:
    """`--review`: random kills of a daemon holding, then letting go, replies for review."""
    rng = random.Random(seed)
    reference, reviews, _ = review_trial(base, "reference", rng, 0, (0.0, 0.0))
    failures = landed = 0
    for number in range(trials):
        seen, theirs, done = review_trial(base, f"trial-{number}", rng, kills, (0.2, 1.5))
        landed += done
        problems = seen.differences(reference) + ([f"reviews {theirs} != {reviews}"]
                                                  if theirs != reviews else [])
        if problems:
            failures += 1
            print(f"trial {number}: " + "; ".join(problems), flush=True)
        shutil.rmtree(base / f"trial-{number}", ignore_errors=True)
    print(f"{trials} trials with review on (seed {seed}): {landed} kills; {failures} trial(s) with "
          f"a message lost, a reply missing, sent twice or not held as the reference")
    return 1 if failures else 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--kills", type=int, default=3, help="kills per trial before the final run")
    parser.add_argument("--window", type=float, nargs=2, default=None, metavar=("FROM", "TO"),
                        help="seconds after a start within which a kill lands (default: from "
                             "when an undisturbed daemon is ready to when it has answered all)")
    parser.add_argument("--servers", action="store_true", help="a real Dovecot and SMTP server")
    parser.add_argument("--points", action="store_true", help="kill at each durable write instead")
    parser.add_argument("--review-points", action="store_true",
                        help="the same with review on: holding replies, then letting them go")
    parser.add_argument("--review", action="store_true",
                        help="review on: kills while replies are held, then while they are let go")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv[1:])
    base = Path(tempfile.mkdtemp(prefix="mailflow-kill-"))
    failures = 0
    try:
        if args.points or args.review_points:
            trials = 0
            for name, problems in (review_points if args.review_points else points)(base):
                trials += 1
                if problems:
                    failures += 1
                    print(f"{name}: " + "; ".join(problems))
            print(f"{trials} kill points (before and after each durable write), {failures} with a problem")
            return 1 if failures else 0
        seed = args.seed if args.seed is not None else random.randrange(1 << 30)
        if args.review:
            return _review_trials(base, args.trials, args.kills, seed)
        rng = random.Random(seed)
        servers = _start_servers() if args.servers else None
        try:
            # The reference: the same messages, nobody killed.
            reference = random_trial(base, "reference", rng, servers, 0, (0.0, 0.0))
            window = (args.window[0], args.window[1]) if args.window else (reference.ready * 0.9,
                                                                          reference.done)
            print(f"an undisturbed daemon is ready {reference.ready:.2f} s after its start and has "
                  f"answered everything at {reference.done:.2f} s; kills land between "
                  f"{window[0]:.2f} and {window[1]:.2f} s", flush=True)
            kills = within = 0
            for number in range(args.trials):
                trial = random_trial(base, f"trial-{number}", rng, servers, args.kills, window)
                kills += trial.kills
                within += trial.within_window
                problems = trial.outcome.differences(reference.outcome)
                if problems:
                    failures += 1
                    print(f"trial {number}: " + "; ".join(problems), flush=True)
                shutil.rmtree(base / f"trial-{number}", ignore_errors=True)
        finally:
            if servers is not None:
                servers.dovecot.cleanup()  # type: ignore[attr-defined]
                servers.sink.cleanup()  # type: ignore[attr-defined]
        where = "a real Dovecot and SMTP server" if args.servers else "the embedded default"
        print(f"{args.trials} trials on {where} (seed {seed}): {kills} kills; {failures} trial(s) "
              f"with a message lost, a reply missing or sent twice outside the window; {within} "
              f"reply(ies) sent twice because a kill fell between the server's 250 and the fsync "
              f"that records it")
        return 1 if failures else 0
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _start_servers() -> Servers:
    from tests.mailservers import SmtpSink, start_dovecot

    logging.getLogger("mail.log").setLevel(logging.CRITICAL)  # clients killed mid-session
    dovecot = start_dovecot()
    sink = SmtpSink(starttls=True, auth_required=True)
    sink.start()
    return Servers(dovecot, None, sink)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
