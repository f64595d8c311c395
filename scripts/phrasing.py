"""Play phrasing sets (what staff and members write, with what a careful reader understands)
through the whole pipeline, and tell per action and per fact what is right, asked and silent.

Usage: .venv/bin/python scripts/phrasing.py [FILE.jsonl …]   (default: ../shared/phrasing/*.jsonl
and tests/data/phrasing/*.jsonl). `-v` prints every message that is not right.

Staff sets (`staff-*.jsonl`) are played in the world of ../shared/phrasing/README.md: the message
comes from a staff address; a plan is confirmed with « Oui » and its code, then the state is read
back. Member sets (`members-*.jsonl`) are played each in a fresh world with the shipped
configuration; the profile mailflow recorded is compared with what the message settles.
"""

from __future__ import annotations

import email
import json
import re
import shutil
import sys
import tempfile
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mailflow import config  # noqa: E402
from mailflow.app.wiring import build_service  # noqa: E402
from mailflow.config import Settings  # noqa: E402
from mailflow.model.values import (  # noqa: E402
    Candidature,
    Figure,
    Idea,
    IdeaStatus,
    Profile,
    Question,
    Role,
    Scale,
    State,
    Status,
    Territory,
)

SHARED = ROOT.parent / "shared" / "phrasing"
OURS = ROOT / "tests" / "data" / "phrasing"
STAFF = "animation@monatourisme.fr"
TZ_NAME = "Europe/Paris"
_CODE = re.compile(r"MF-[A-Z0-9]{10}")


def local_config(work: Path) -> Path:
    """The shipped configuration with its mailbox, outbox and store under `work` (and its groups,
    when `work` holds a groups.toml of its own)."""
    text = (ROOT / "config" / "mailflow.toml").read_text(encoding="utf-8")
    groups = work / "groups.toml" if (work / "groups.toml").exists() else ROOT / "config" / "groups.toml"
    for old, new in (('"maildir:../var/mailbox"', f'"maildir:{work / "mailbox"}"'),
                     ('"dir:../var/outbox"', f'"dir:{work / "outbox"}"'),
                     ('"../var/mailflow.json"', f'"{work / "store.json"}"'),
                     ('"groups.toml"', f'"{groups}"'),
                     ('"departments.toml"', f'"{ROOT / "config" / "departments.toml"}"')):
        text = text.replace(old, new)
    work.mkdir(parents=True, exist_ok=True)
    path = work / "mailflow.toml"
    path.write_text(text, encoding="utf-8")
    return path


# --- the staff world ------------------------------------------------------------------------------


def _cand(id_: str, group: str, email_: str, name: str, status: Status, seq: int, dept: str,
          structure: str) -> Candidature:
    profile = Profile(name=name, structure=structure, role=Role.DIRECTOR, role_text="directeur",
                      department=dept, fte=Figure.exact(5), population=Figure.exact(4000),
                      territories=frozenset({Territory.RURAL}), scale=Scale.INTERCOMMUNAL)
    return Candidature(id=id_, group_id=group, email=email_, name=name, profile=profile,
                       status=status, seq=seq, received_at=datetime(2026, 11, seq, 9, 0, tzinfo=UTC),
                       message_key=f"world-{seq}", message_id=f"<world-{seq}@ot.example>",
                       subject="Candidature", reason="quota" if status is Status.WAITLISTED else "")


def staff_records() -> tuple[tuple[Candidature, ...], tuple[Idea, ...], tuple[Question, ...]]:
    """The candidatures, idea and question the staff sets speak of (../shared/phrasing/README.md)."""
    cands = (
        _cand("C0001", "ot-ruraux", "marie.dupont@ot-perigord-noir.fr", "Marie Dupont",
              Status.CONFIRMED, 1, "24", "OT Périgord Noir"),
        _cand("C0002", "ot-ruraux", "luc.bernard@ot-bergerac.fr", "Luc Bernard", Status.CONFIRMED,
              2, "24", "OT de Bergerac"),
        _cand("C0003", "ot-ruraux", "helene.roux@ot-sarlat.fr", "Hélène Roux", Status.WAITLISTED,
              3, "24", "OT de Sarlat"),
        _cand("C0004", "role-ot", "direction@ot-cognac.fr", "Paul Girard", Status.CONFIRMED, 4,
              "16", "OT de Cognac"),
    )
    idea = Idea(id="I0001", seq=5, email="r.lamarque@ot-oleron.example", name="Rémi Lamarque",
                subject="Idée de groupe : mobilité douce et vélo",
                summary="Un groupe sur la mobilité douce et le vélo.",
                received_at=datetime(2026, 8, 28, 10, 0, tzinfo=UTC), message_key="world-5",
                status=IdeaStatus.NOTE_RECEIVED, message_id="<world-5@ot-oleron.example>",
                note="Note d'intention.", note_received_at=datetime(2026, 9, 15, 10, 0, tzinfo=UTC))
    question = Question(id="Q0001", seq=6, email="accueil@ot-confolentais.example",
                        name="Sandrine Aubert", subject="Prochaine réunion départementale",
                        text="Quand a lieu la prochaine réunion départementale en Charente ?",
                        received_at=datetime(2026, 12, 2, 10, 0, tzinfo=UTC), message_key="world-6",
                        message_id="<world-6@ot-confolentais.example>")
    return cands, (idea,), (question,)


#: The sets were written when the example configuration met on a Sunday (role-ot, 19 September
#: 2027): their world keeps that day, as their README tells it; the example now meets on a Thursday.
SETS_MEETING = ("starts_at = 2027-09-16T09:30:00", "starts_at = 2027-09-19T09:30:00")


def staff_world(work: Path) -> Settings:
    """The world of the staff sets, in a store under `work` (see ../shared/phrasing/README.md)."""
    text = (ROOT / "config" / "groups.toml").read_text(encoding="utf-8")
    assert SETS_MEETING[0] in text, "the example's role-ot meeting moved: update SETS_MEETING"
    work.mkdir(parents=True, exist_ok=True)
    (work / "groups.toml").write_text(text.replace(*SETS_MEETING), encoding="utf-8")
    settings = config.load(local_config(work))
    service = build_service(settings, read_only=False)
    try:
        before = service.state()
        cands, ideas, questions = staff_records()
        after = before.evolve(candidatures=cands, ideas=ideas, questions=questions, next_seq=7,
                              numbers={"C": 4, "I": 1, "Q": 1})
        service.store.save_state(before, after)
        service.store.set_group_override("porteurs-de-projet", {"call": "closed"})
        service.store.set_meta("since", "2000-01-01T00:00:00+00:00")
        service.store.commit()
    finally:
        service.close()
    return settings


# --- mail ----------------------------------------------------------------------------------------


def deliver(settings: Settings, raw: bytes, n: int) -> None:
    assert settings.mailbox.path is not None
    new = settings.mailbox.path / "new"
    new.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    (new / f"{int(now.timestamp())}.M{now.microsecond}P{n}Q{n}.phrasing").write_bytes(raw)


def message(sender: str, name: str, subject: str, body: str, **headers: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"{name} <{sender}>" if name else sender
    msg["To"] = "groupes@monatourisme.fr"
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain="phrasing.example")
    msg["Date"] = format_datetime(datetime.now(UTC))
    for key, value in headers.items():
        msg[key.replace("_", "-")] = value
    msg.set_content(body or "")
    return msg.as_bytes()


def outbox(settings: Settings) -> list[EmailMessage]:
    assert settings.delivery.path is not None
    if not settings.delivery.path.exists():
        return []
    return [email.message_from_bytes(f.read_bytes(), policy=policy.default)  # type: ignore[misc]
            for f in sorted(settings.delivery.path.glob("*.eml"))]


def run(settings: Settings) -> None:
    service = build_service(settings, read_only=False)
    try:
        service.run_batch()
    finally:
        service.close()


def state_of(settings: Settings) -> State:
    service = build_service(settings, read_only=True)
    try:
        return service.state()
    finally:
        service.close()


def text_of(msg: EmailMessage) -> str:
    body = msg.get_body(("plain",))
    return body.get_content() if body is not None else ""  # type: ignore[no-any-return]


def fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).lower()


# --- staff ---------------------------------------------------------------------------------------


@dataclass
class StaffResult:
    case: dict[str, Any]
    verdict: str  # right, asked, silent, wrong-plan, wrong-state, noisy
    said: str = ""


def _to_staff(settings: Settings, since: int) -> list[EmailMessage]:
    return [m for m in outbox(settings)[since:] if STAFF in str(m["To"] or "")]


def _check_state(case: dict[str, Any], before: State, after: State) -> str:
    """"" when the state is what the action asks, else what differs."""
    want = case["expect"]
    action = want["action"]
    groups = after.groups
    if action in ("close", "open", "capacity", "meeting", "place", "deadline"):
        group = groups.get(want["group"])
        if group is None:
            return f"no group {want['group']}"
        others = {g: (x.call, x.capacity) for g, x in groups.items() if g != want["group"]}
        if others != {g: (x.call, x.capacity) for g, x in before.groups.items() if g != want["group"]}:
            return "another group changed"
        local = group.first_meeting.starts_at.astimezone(before_tz())
        old = before.groups[want["group"]].first_meeting
        if action in ("close", "open"):
            wanted = "closed" if action == "close" else "open"
            return "" if group.call.value == wanted else f"call {group.call}"
        if action == "capacity":
            return "" if group.capacity == int(want["total"]) else f"capacity {group.capacity}"
        if action == "meeting":
            ok = local.date().isoformat() == want["date"] and local.strftime("%H:%M") == want["time"]
            ok = ok and group.first_meeting.place == old.place
            return "" if ok else f"meeting {local} {group.first_meeting.place}"
        if action == "place":
            ok = fold(want["place_contains"]) in fold(group.first_meeting.place)
            ok = ok and group.first_meeting.starts_at == old.starts_at
            return "" if ok else f"place {group.first_meeting.place}"
        closes = group.closes_at.astimezone(before_tz()).date().isoformat() if group.closes_at else None
        return "" if closes == want["date"] else f"closes {closes}"
    if action == "add":
        found = [c for c in after.candidatures if c.email == want["email"].lower()
                 and c.group_id == want["group"]]
        return "" if found else "no candidature"
    if action in ("refuse", "withdraw", "promote"):
        cand = after.candidature(want["id"])
        status = {"refuse": Status.REFUSED, "withdraw": Status.WITHDRAWN, "promote": Status.CONFIRMED}[action]
        return "" if cand is not None and cand.status is status else f"status {cand.status if cand else None}"
    if action in ("idea_validate", "idea_decline"):
        idea = next((i for i in after.ideas if i.id == want["id"]), None)
        status = {"idea_validate": "validated", "idea_decline": "declined"}[action]
        return "" if idea is not None and idea.status == status else f"idea {idea.status if idea else None}"
    if action == "question_done":
        question = next((q for q in after.questions if q.id == want["id"]), None)
        return "" if question is not None and question.status.value != "open" else "question open"
    return f"unknown action {action}"


def before_tz() -> Any:
    from zoneinfo import ZoneInfo
    return ZoneInfo(TZ_NAME)


def play_staff(case: dict[str, Any], template: Path, work: Path) -> StaffResult:
    shutil.copytree(template, work)
    settings = config.load(local_config(work))
    before = state_of(settings)
    deliver(settings, message(STAFF, "Claire Morel", case.get("subject", ""), case.get("body", "")), 1)
    run(settings)
    answers = _to_staff(settings, 0)
    action = case["expect"]["action"]
    if action == "none":
        return StaffResult(case, "right" if not answers else "noisy",
                           " | ".join(f"{a['X-Mailflow-Outcome']}: {text_of(a)[:400]}" for a in answers))
    if not answers:
        return StaffResult(case, "silent")
    first = answers[0]
    outcome = str(first["X-Mailflow-Outcome"])
    said = text_of(first)
    if action == "unclear":
        return StaffResult(case, "wrong-plan" if outcome == "staff-to-confirm" else "right", said)
    if outcome in ("staff-done", "staff-unchanged"):  # done at once (a question closed), or so already
        problem = _check_state(case, before, state_of(settings))
        return StaffResult(case, "right" if not problem else "wrong-state", problem or said)
    if outcome != "staff-to-confirm":
        return StaffResult(case, "asked", said)
    code = _CODE.search(str(first["Subject"]))
    assert code is not None, first["Subject"]
    deliver(settings, message(STAFF, "Claire Morel", f"RE: {first['Subject']}", "Oui",
                              In_Reply_To=str(first["Message-ID"])), 2)
    run(settings)
    problem = _check_state(case, before, state_of(settings))
    return StaffResult(case, "right" if not problem else "wrong-plan", problem or said)


# --- members -------------------------------------------------------------------------------------


FACTS = ("group", "role", "department", "fte", "population", "scale", "territory", "applicant")


def _figure_right(figure: Figure | None, value: float, width: float) -> bool:
    if figure is None:
        return False
    return figure.low <= value <= figure.high and figure.high - figure.low <= width


def member_facts(case: dict[str, Any], state: State) -> dict[str, bool]:
    """For each fact the message settles: whether the recorded candidature holds it."""
    want = case["expect"]
    applicant = want.get("applicant") or {}
    # the colleague registered: {"email": …} or her address alone
    who = (applicant if isinstance(applicant, str) else applicant.get("email")) or case["from_addr"]
    mine = [c for c in state.candidatures if c.email == who.lower()]
    cand = mine[0] if mine else None
    profile = cand.profile if cand else Profile()
    found: dict[str, bool] = {}
    for fact in FACTS:
        if fact not in want:
            continue
        value = want[fact]
        if fact == "group":
            found[fact] = cand is not None and cand.group_id == value
        elif fact == "role":
            found[fact] = profile.role is not None and profile.role.value == value
        elif fact == "department":
            found[fact] = profile.department == value
        elif fact == "fte":
            found[fact] = _figure_right(profile.fte, float(value), 0.5)
        elif fact == "population":
            found[fact] = _figure_right(profile.population, float(value), float(value) / 4)
        elif fact == "scale":
            found[fact] = profile.scale is not None and profile.scale.value == value
        elif fact == "territory":
            found[fact] = value in {t.value for t in profile.territories}
        elif fact == "applicant":
            found[fact] = cand is not None and not any(
                c.email == case["from_addr"].lower() for c in state.candidatures)
    return found


def play_member(case: dict[str, Any], work: Path) -> dict[str, bool]:
    settings = config.load(local_config(work))
    deliver(settings, message(case["from_addr"], case.get("from_name", ""), case.get("subject", ""),
                              case.get("body", "")), 1)
    run(settings)
    return member_facts(case, state_of(settings))


# --- report --------------------------------------------------------------------------------------


@dataclass
class Report:
    staff: list[StaffResult] = field(default_factory=list)
    members: list[tuple[dict[str, Any], dict[str, bool]]] = field(default_factory=list)

    def staff_table(self) -> list[str]:
        by: dict[str, Counter[str]] = defaultdict(Counter)
        for r in self.staff:
            by[r.case["expect"]["action"]][r.verdict] += 1
        total = Counter(r.verdict for r in self.staff)
        lines = [f"staff: {total['right']}/{len(self.staff)} right, {total['silent']} silent, "
                 f"{total['wrong-plan'] + total['wrong-state']} wrong, {total['asked']} asked, "
                 f"{total['noisy']} answered where silence was right"]
        for action, counts in sorted(by.items()):
            lines.append(f"  {action:14} {counts['right']}/{sum(counts.values())}  "
                         + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()) if k != "right"))
        return lines

    def member_table(self) -> list[str]:
        per: dict[str, Counter[bool]] = defaultdict(Counter)
        whole = 0
        for _case, facts in self.members:
            whole += all(facts.values())
            for fact, ok in facts.items():
                per[fact][ok] += 1
        right = sum(c[True] for c in per.values())
        total = sum(sum(c.values()) for c in per.values())
        lines = [f"members: {right}/{total} facts right, {whole}/{len(self.members)} messages with "
                 "every fact right"]
        for fact in FACTS:
            if fact in per:
                lines.append(f"  {fact:14} {per[fact][True]}/{sum(per[fact].values())}")
        return lines


def load(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def play(files: list[Path], work: Path) -> Report:
    report = Report()
    template = work / "staff-world"
    staff_world(template)
    n = 0
    for path in files:
        for case in load(path):
            n += 1
            case["set"] = path.name
            if path.name.startswith("staff"):
                report.staff.append(play_staff(case, template, work / f"s{n}"))
            else:
                report.members.append((case, play_member(case, work / f"m{n}")))
    return report


def main(argv: list[str]) -> int:
    verbose = "-v" in argv
    names = [a for a in argv if a != "-v"]
    files = [Path(a) for a in names] or sorted([*SHARED.glob("*.jsonl"), *OURS.glob("*.jsonl")])
    with tempfile.TemporaryDirectory() as tmp:
        report = play(files, Path(tmp))
    if verbose:
        for r in report.staff:
            if r.verdict != "right":
                print(f"[{r.verdict}] {r.case['set']} {r.case['id']} {r.case['expect']}: "
                      f"{r.case.get('subject', '')!r} / {r.case.get('body', '')[:160]!r}"
                      f"\n    → {r.said[:300]!r}")
        for case, facts in report.members:
            wrong = [f for f, ok in facts.items() if not ok]
            if wrong:
                print(f"[facts] {case['set']} {case['id']} wrong: {wrong} expected "
                      f"{ {k: case['expect'][k] for k in wrong} }")
    for line in [*report.staff_table(), *report.member_table()]:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
