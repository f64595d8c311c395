"""Run real-world emails through the whole pipeline and print how each kind was classified.

Usage: .venv/bin/python scripts/corpus.py [CORPUS_DIR]   (default: ../shared/corpus)

Every file is delivered into a temporary Maildir and processed by a real batch (store, outbox,
folders). The script checks that nothing crashes, nothing is lost, and no robot gets a reply.
"""

from __future__ import annotations

import csv
import re
import shutil
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mailflow import config  # noqa: E402
from mailflow.app.wiring import build_service  # noqa: E402
from mailflow.store import Store  # noqa: E402

# Manifest categories whose messages are written by programs, and notes that say so.
ROBOT_CATEGORIES = {"autoreply", "bounce", "list"}
ROBOT_NOTE = re.compile(r"bounce|\bNDR\b|\bDSN\b|auto-?repl|read receipt|mailing list|list mail",
                        re.IGNORECASE)


@dataclass(frozen=True)
class Row:
    """One corpus file and what mailflow made of it."""

    path: str
    category: str
    robot: bool
    outcome: str
    replied_to_sender: bool


def manifest(corpus: Path) -> dict[str, tuple[str, str]]:
    """local path → (category, note)."""
    with (corpus / "MANIFEST.tsv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t")
        return {r["local_path"]: (r["category"], r["note"]) for r in reader}


def local_config(work: Path, since: str = "") -> Path:
    """A copy of the shipped configuration whose mailbox, outbox and store live under `work`;
    `since` (a TOML date) sets from when mail counts."""
    text = (ROOT / "config" / "mailflow.toml").read_text(encoding="utf-8")
    if since:
        text = text.replace("[mailbox]\n", f"[mailbox]\nsince = {since}\n", 1)
    for old, new in (('"maildir:../var/mailbox"', f'"maildir:{work / "mailbox"}"'),
                     ('"dir:../var/outbox"', f'"dir:{work / "outbox"}"'),
                     ('"../var/mailflow.json"', f'"{work / "store.json"}"'),
                     ('"groups.toml"', f'"{ROOT / "config" / "groups.toml"}"'),
                     ('"departments.toml"', f'"{ROOT / "config" / "departments.toml"}"')):
        text = text.replace(old, new)
    path = work / "mailflow.toml"
    path.write_text(text, encoding="utf-8")
    return path


def run_corpus(corpus: Path, work: Path) -> list[Row]:
    """Deliver every corpus file into a Maildir under `work`, run one batch, report each file."""
    described = manifest(corpus)
    files = sorted(p for p in corpus.rglob("*") if p.is_file() and p.name not in
                   {"MANIFEST.tsv", "README.md"})
    settings = config.load(local_config(work, since="2000-01-01"))  # files of past years count
    assert settings.mailbox.path is not None
    new = settings.mailbox.path / "new"
    new.mkdir(parents=True, exist_ok=True)
    keys: dict[str, Path] = {}
    for i, file in enumerate(files):
        key = f"{1_700_000_000 + i}.M000000P{i}.corpus"
        shutil.copyfile(file, new / key)
        keys[key] = file
    service = build_service(settings, read_only=False)
    try:
        service.run_batch()
    finally:
        service.store.close()
    with Store(settings.store_path, read_only=True) as store:
        ledger = {e.key: e for e in store.ledger()}
        replies = store.outbox()
    rows = []
    for key, file in keys.items():
        local = str(file.relative_to(corpus))
        category, note = described.get(local, ("unlisted", ""))
        entry = ledger.get(key)
        outcome = entry.outcome if entry else "LOST"
        replied = any(r.message_key == key and r.outcome != "staff-alert" for r in replies)
        rows.append(Row(local, category, category in ROBOT_CATEGORIES or bool(ROBOT_NOTE.search(note)),
                        outcome, replied))
    return rows


def main(argv: list[str]) -> int:
    corpus = Path(argv[1]) if len(argv) > 1 else ROOT.parent / "shared" / "corpus"
    if not (corpus / "MANIFEST.tsv").exists():
        print(f"no corpus at {corpus}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        rows = run_corpus(corpus, Path(tmp))
    by_category: dict[str, Counter[str]] = {}
    for row in rows:
        by_category.setdefault(row.category, Counter())[row.outcome] += 1
    print(f"{len(rows)} files")
    for category, counts in sorted(by_category.items()):
        print(f"  {category:<18} " + ", ".join(f"{o} {n}" for o, n in counts.most_common()))
    total = Counter(r.outcome for r in rows)
    print("outcomes: " + ", ".join(f"{o} {n}" for o, n in total.most_common()))
    answered_robots = [r for r in rows if r.robot and r.replied_to_sender]
    lost = [r for r in rows if r.outcome == "LOST"]
    for row in answered_robots:
        print(f"ROBOT ANSWERED: {row.path} ({row.outcome})")
    for row in lost:
        print(f"LOST: {row.path}")
    robots = sum(r.robot for r in rows)
    print(f"robots: {robots}, answered: {len(answered_robots)}; lost: {len(lost)}")
    return 1 if answered_robots or lost else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
