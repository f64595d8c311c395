"""The command line: the only place where adapters are built and wired together."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
import tempfile
import traceback
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import config as config_mod
from .adapters.imap import ImapSource
from .adapters.maildir import MaildirSource
from .adapters.outbox_dir import DirTransport
from .adapters.smtp import SmtpTransport
from .commands import ideas, newsletter, questions, records
from .config import Settings
from .core import french
from .core.places import call_summary, closed_reason, position
from .core.render import Renderer, format_date_fr
from .daemon import Daemon, sleep_until_stopped
from .errors import ConfigError, MailflowError
from .model import CallStatus, State, Status
from .ports import MailSource, Transport
from .service import BatchReport, Service
from .staff import (
    CandidateChange,
    StaffActionError,
    apply_candidate_change,
    apply_group_change,
    plan_add,
    plan_candidate_action,
    plan_group_change,
)
from .store import Store, take_lock

log = logging.getLogger("mailflow")

def utc_now() -> datetime:
    """The real clock; the core never calls it, the CLI passes it in."""
    return datetime.now(UTC)


def build_source(settings: Settings, *, create: bool = True) -> MailSource:
    """The configured mailbox: a local Maildir or an IMAP server (folders made unless `create` is off)."""
    box = settings.mailbox
    if box.server is not None:
        return ImapSource(box.server, box.processed_folder, box.quarantine_folder, box.sent_folder,
                          box.fetch_batch, create_folders=create)
    assert box.path is not None
    return MaildirSource(box.path, box.processed_folder, box.quarantine_folder, box.sent_folder,
                         create=create)


def build_transport(settings: Settings) -> Transport:
    """The configured way out: a folder of .eml files or an SMTP server."""
    if settings.delivery.server is not None:
        return SmtpTransport(settings.delivery.server, settings.network.address)
    assert settings.delivery.path is not None
    return DirTransport(settings.delivery.path)


STAFF_WAIT_SECONDS = 30.0  # a staff command waits this long for the daemon to finish its job


def build_service(settings: Settings, *, read_only: bool, hold_lock: bool = True) -> Service:
    """Wire the configured adapters into a service.

    A writing service holds the store's lock from the start (a command); the daemon passes
    `hold_lock=False` and takes it for each job, so that staff commands can act in between.
    """
    store = Store(settings.store_path, read_only=read_only, hold_lock=hold_lock,
                  wait=STAFF_WAIT_SECONDS)
    try:
        source = build_source(settings, create=not read_only)
        transport = None if read_only else build_transport(settings)
        renderer = Renderer(settings.templates_dir, settings.network, settings.groups,
                            settings.departments)
    except BaseException:
        store.close()
        raise
    return Service(settings, source, transport, store, renderer, utc_now)


def _print_report(report: BatchReport, *, dry_run: bool) -> None:
    for handled in report.handled:
        print(f"{handled.key}  {handled.outcome.value}  {handled.summary}")
        for outcome, to, subject in handled.replies:
            verb = "would send" if dry_run else "reply"
            print(f"    {verb} {outcome} → {to}: {subject}")
    print(("dry run, nothing changed: " if dry_run else "") + report.summary())


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    if args.dry_run:
        service = build_service(settings, read_only=True)
        try:
            _print_report(service.run_batch(dry_run=True), dry_run=True)
        finally:
            service.store.close()
        return 0
    # One process reads the mailbox at a time: a second daemon (or a --once beside one) is refused.
    mailbox_lock = take_lock(settings.store_path.with_name(settings.store_path.name + ".daemon.lock"),
                             0.0, "another mailflow reads this mailbox ({holder}): stop it first")
    try:
        service = build_service(settings, read_only=False, hold_lock=args.once)
        try:
            with service.store.session() if not args.once else contextlib.nullcontext():
                service.clean_leftovers()
            if args.once:
                _print_report(service.run_batch(), dry_run=False)
                service.expire_holds()  # the digest has its own command: `digest --send`
                return 0
            _run_daemon(settings, service)
            return 0
        finally:
            service.source.close()
            service.store.close()
    finally:
        mailbox_lock.close()


def _run_daemon(settings: Settings, service: Service) -> None:
    """The daemon's jobs, each in a store session so that staff commands can act in between."""

    def in_session(job: Callable[[], object]) -> Callable[[], None]:
        def run() -> None:
            with service.store.session():
                job()
        return run

    def batch() -> None:
        report = service.poll()
        if report and (report.handled or report.sent or report.send_failed):
            log.info("%s", report.summary())

    waiter = service.source.wait if settings.mailbox.idle else sleep_until_stopped
    daemon = Daemon(waiter, on_wake=in_session(batch))
    daemon.every(settings.poll_seconds, "mailbox", in_session(batch))
    daemon.every(min(settings.delivery.retry_seconds), "delivery", in_session(service.deliver))
    daemon.every(60, "digest", in_session(service.digest_if_due))
    daemon.every(600, "holds", in_session(service.expire_holds))
    log.info("watching %s every %gs%s; replies go to %s",
             settings.mailbox.path or settings.mailbox.url, settings.poll_seconds,
             " and on IMAP IDLE" if settings.mailbox.server and settings.mailbox.idle else "",
             settings.delivery.path or settings.delivery.url)
    daemon.run()



def _group_rows(settings: Settings, state: State, now: datetime) -> list[dict[str, Any]]:
    rows = []
    for group in state.groups.values():
        summary = call_summary(state, group, now)
        mine = state.of_group(group.id)
        rows.append({
            "id": group.id,
            "title": group.title,
            "call": group.call.value,
            "accepting": summary.accepting,
            "closed_reason": closed_reason(group, now),
            "full": summary.places_left == 0,
            "capacity": group.capacity,
            "confirmed": sum(c.status is Status.CONFIRMED for c in mine),
            "needs_info": sum(c.status is Status.NEEDS_INFO for c in mine),
            "taken": summary.taken,
            "left": summary.places_left,
            "waiting": summary.waiting,
            "closes_at": group.closes_at.isoformat() if group.closes_at else None,
            "first_meeting": group.first_meeting.starts_at.isoformat(),
            "place": group.first_meeting.place,
        })
    return rows


def _call_label(row: dict[str, Any]) -> str:
    if not row["accepting"]:
        return "clos"
    return "complet" if row["full"] else "ouvert"


def _read_state(settings: Settings) -> State:
    with Store(settings.store_path, read_only=True) as store:
        return store.state(settings.groups, settings.departments)


def _emit(args: argparse.Namespace, data: Any, lines: Callable[[], list[str]]) -> int:
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print("\n".join(lines()))
    return 0


def cmd_status(settings: Settings, args: argparse.Namespace) -> int:
    rows = _group_rows(settings, _read_state(settings), utc_now())

    def lines() -> list[str]:
        out = [f"{'groupe':<20} {'appel':<8} {'places':>9} {'libres':>6} {'attente':>7}"]
        for r in rows:
            out.append(f"{r['id']:<20} {_call_label(r):<8} {r['taken']:>4} / {r['capacity']:<2} "
                       f"{r['left']:>6} {r['waiting']:>7}")
        return out

    return _emit(args, rows, lines)


def cmd_groups_list(settings: Settings, args: argparse.Namespace) -> int:
    rows = _group_rows(settings, _read_state(settings), utc_now())

    def lines() -> list[str]:
        return [f"{r['id']:<20} {_call_label(r):<8} {r['title']} — première rencontre "
                f"{r['first_meeting'][:10]}, {r['place']}" for r in rows]

    return _emit(args, rows, lines)


def _local(settings: Settings, text: str, option: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise StaffActionError(f"{option}: expected a date and time such as 2027-04-06T09:30, "
                               f"found {text!r}") from None
    return value if value.tzinfo else value.replace(tzinfo=settings.tz)


def cmd_groups_show(settings: Settings, args: argparse.Namespace) -> int:
    state = _read_state(settings)
    if args.group not in state.groups:
        raise StaffActionError(f"unknown group {args.group!r}; known groups: {', '.join(state.groups)}")
    group = state.groups[args.group]
    row = next(r for r in _group_rows(settings, state, utc_now()) if r["id"] == args.group)
    row.update({
        "context": group.context, "participants": group.participants,
        "commitment": group.commitment, "quotas": {"coastal": group.quota_coastal,
                                                   "inland": group.quota_inland},
        "criteria": {"roles": [r.value for r in group.criteria.roles or ()],
                     "excluded_territories": [t.value for t in group.criteria.excluded_territories],
                     "scale": group.criteria.scale.value if group.criteria.scale else None,
                     "fte_below": group.criteria.fte_below,
                     "max_population": group.criteria.max_population},
        "meeting_sequence": group.first_meeting.sequence,
    })

    def lines() -> list[str]:
        tz = settings.tz
        out = [f"« {group.title} » ({group.id})",
               f"appel : {_call_label(row)}" + (f" — {row['closed_reason']}" if row["closed_reason"] else ""),
               f"places : {row['taken']} / {row['capacity']} prises, {row['left']} libres, "
               f"{row['waiting']} en liste d’attente",
               f"première rencontre : {format_date_fr(group.first_meeting.starts_at, tz)}, "
               f"{group.first_meeting.place}"]
        if group.closes_at:
            out.append(f"clôture : {format_date_fr(group.closes_at, tz)}")
        if group.quota_coastal is not None or group.quota_inland is not None:
            out.append(f"quotas : {group.quota_coastal} par département littoral, "
                       f"{group.quota_inland} par autre département")
        return out

    return _emit(args, row, lines)


def cmd_groups_set(settings: Settings, args: argparse.Namespace) -> int:
    closes: datetime | str | None = "keep"
    if args.closes_at is not None:
        closes = None if args.closes_at.lower() in ("none", "aucune") else _local(
            settings, args.closes_at, "--closes-at")
    starts = _local(settings, args.meeting_date, "--meeting-date") if args.meeting_date else None
    service = build_service(settings, read_only=args.dry_run)
    try:
        change = plan_group_change(
            service, args.group, call=CallStatus(args.call) if args.call else None,
            capacity=args.capacity, starts_at=starts, place=args.place, closes_at=closes,
            now=utc_now())
        if not change.override:
            print(f"{args.group}: nothing to change")
            return 0
        for key, value in change.override.items():
            print(f"{args.group}: {key} → {value}")
        for note in change.notes:
            print(f"note: {note}")
        verb = "would send" if args.dry_run else "sends"
        for item in change.messages:
            print(f"    {verb} {item.outcome} → {', '.join(item.to)}: {item.subject}")
        if args.dry_run:
            print("dry run, nothing changed")
            return 0
        apply_group_change(service, change)
        print(f"{args.group}: done; {len(change.messages)} message(s) sent")
        return 0
    finally:
        service.source.close()
        service.store.close()


def _run_candidate_change(settings: Settings, args: argparse.Namespace,
                          plan: Callable[[Service], CandidateChange], reason: str) -> int:
    service = build_service(settings, read_only=args.dry_run)
    try:
        change = plan(service)
        print(change.summary)
        verb = "would send" if args.dry_run else "sends"
        for item in change.messages:
            print(f"    {verb} {item.outcome} → {', '.join(item.to)}: {item.subject}")
        if args.dry_run:
            print("dry run, nothing changed")
            return 0
        apply_candidate_change(service, change, reason)
        print(f"done; {len(change.messages)} message(s) sent")
        return 0
    finally:
        service.source.close()
        service.store.close()


def cmd_candidates_add(settings: Settings, args: argparse.Namespace) -> int:
    now = utc_now()
    received = _local(settings, args.received_at, "--received-at") if args.received_at else now
    return _run_candidate_change(settings, args, lambda service: plan_add(
        service, args.group, email=args.email, name=args.name, department=args.department,
        structure=args.structure, role=args.role, received_at=received, now=now),
        f"taken in person, received at {received.isoformat()}")


def cmd_candidates_action(settings: Settings, args: argparse.Namespace) -> int:
    return _run_candidate_change(settings, args, lambda service: plan_candidate_action(
        service, args.action, args.id, args.reason, utc_now()), args.reason)


def cmd_candidates_list(settings: Settings, args: argparse.Namespace) -> int:
    state = _read_state(settings)  # with the groups staff drafted from ideas
    if args.group not in state.groups:
        known = ", ".join(state.groups)
        print(f"mailflow: unknown group {args.group!r}; known groups: {known}", file=sys.stderr)
        return 2
    rows: list[dict[str, Any]] = []
    for cand in state.of_group(args.group):
        rows.append({
            "id": cand.id,
            "status": cand.status.value,
            "position": position(state, cand) if cand.status in (Status.CONFIRMED,
                                                                  Status.WAITLISTED) else None,
            "name": cand.name,
            "email": cand.email,
            "structure": cand.profile.structure,
            "role": cand.profile.role_text,
            "department": cand.profile.department,
            "received_at": cand.received_at.isoformat(),
            "reason": cand.reason,
            "missing": list(cand.missing),
        })

    def lines() -> list[str]:
        if not rows:
            return [f"aucune candidature pour {args.group}"]
        out = []
        for r in rows:
            where = french.STATUS[Status(r["status"])]
            if r["position"]:
                where += f" #{r['position']}"
            extra = r["reason"] or (", ".join(map(french.fact_short, r["missing"])) if r["missing"] else "")
            out.append(f"{r['id']}  {where:<20} {r['name'] or '?':<24} {r['email']:<32} "
                       f"{r['department'] or '?':>3}  {extra}")
        return out

    return _emit(args, rows, lines)


def cmd_digest(settings: Settings, args: argparse.Namespace) -> int:
    service = build_service(settings, read_only=args.print)
    try:
        message = service.digest(send=args.send)
    finally:
        service.source.close()
        service.store.close()
    if message is None:
        print("nothing happened since the last digest: no digest")
        return 0
    if args.print:
        body = message.get_body(("plain",))
        print(body.get_content() if body is not None else "")
    else:
        print(f"digest sent to {', '.join(settings.network.staff)}: {message['Subject']}")
    return 0


def cmd_check_config(settings: Settings, args: argparse.Namespace) -> int:
    problems: list[str] = []
    renderer = Renderer(settings.templates_dir, settings.network, settings.groups,
                        settings.departments)
    problems += [f"missing template: {name}" for name in renderer.check()]
    try:
        with Store(settings.store_path, read_only=True) as store:
            state = store.state(settings.groups, settings.departments)
            unknown = {c.group_id for c in state.candidatures} - set(state.groups)
            problems += [f"store holds candidatures of unknown group {g!r}" for g in unknown]
    except MailflowError as exc:
        problems.append(str(exc))
        state = None
    print(f"configuration: {settings.file}")
    print(f"network: {settings.network.name} <{settings.network.address}>, "
          f"staff {', '.join(settings.network.staff)}, time zone {settings.network.timezone}")
    print(f"mailbox: {settings.mailbox.url} (processed → {settings.mailbox.processed_folder}, "
          f"quarantine → {settings.mailbox.quarantine_folder})")
    authserv = settings.mailbox.trusted_authserv_id
    print("sender check: " + (
        f"DMARC (else aligned SPF or DKIM) as « {authserv} » stamps it in Authentication-Results"
        if authserv else "off (no mailbox.trusted_authserv_id): a forged From is not detected"))
    print(f"delivery: {settings.delivery.url}")
    print(f"store: {settings.store_path}"
          + (f" ({len(state.candidatures)} candidatures, {len(state.ideas)} ideas)" if state else ""))
    print(f"templates: {settings.templates_dir}")
    problems += _check_servers(settings)
    print(f"departments: {len(settings.departments)} "
          f"({sum(d.coastal for d in settings.departments.values())} coastal)")
    now = utc_now()
    for group in settings.groups.values():
        status = closed_reason(group, now) or "open"
        print(f"group {group.id}: {group.capacity} places, call {status}")
    for problem in problems:
        print(f"problem: {problem}", file=sys.stderr)
    print("configuration OK" if not problems else f"{len(problems)} problem(s)")
    return 0 if not problems else 1


def _check_servers(settings: Settings) -> list[str]:
    """Connect and log in to the configured servers; say in plain words what fails."""
    problems: list[str] = []
    box = settings.mailbox
    if box.server is not None:
        source = ImapSource(box.server, box.processed_folder, box.quarantine_folder, box.sent_folder)
        try:
            folders = source.check()
            print(f"mailbox: logged in to {box.server.host}:{box.server.port} as "
                  f"{box.server.auth.user}; folders: {', '.join(folders)}")
            if box.server.folder not in folders:
                problems.append(f"mailbox: the folder {box.server.folder!r} does not exist")
        except MailflowError as exc:
            problems.append(f"mailbox: {exc}")
        finally:
            source.close()
    if settings.delivery.server is not None:
        transport = SmtpTransport(settings.delivery.server, settings.network.address)
        try:
            print(f"delivery: {transport.check()}")
        except MailflowError as exc:
            problems.append(f"delivery: {exc}")
    return problems


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="mailflow",
        description="Runs the MONA working groups from one mailbox.",
    )
    top.add_argument("--config", type=Path, default=None,
                     help="configuration file (default: $MAILFLOW_CONFIG or config/mailflow.toml)")
    top.add_argument("-v", "--verbose", action="store_true", help="log debugging details")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="read the mailbox and answer (the daemon)")
    mode = run.add_mutually_exclusive_group()
    mode.add_argument("--once", action="store_true", help="process what is waiting, then exit")
    mode.add_argument("--dry-run", action="store_true", help="decide and print; change nothing")
    run.set_defaults(func=cmd_run)

    status = sub.add_parser("status", help="each group: places taken and left, waiting list")
    status.add_argument("--json", action="store_true", help="print JSON")
    status.set_defaults(func=cmd_status)

    groups = sub.add_parser("groups", help="the working groups")
    groups_sub = groups.add_subparsers(dest="groups_command", required=True, metavar="ACTION")
    glist = groups_sub.add_parser("list", help="list the groups and their calls")
    glist.add_argument("--json", action="store_true", help="print JSON")
    glist.set_defaults(func=cmd_groups_list)
    gshow = groups_sub.add_parser("show", help="one group: its call, places, meeting and rules")
    gshow.add_argument("group", help="group id, e.g. ot-ruraux")
    gshow.add_argument("--json", action="store_true", help="print JSON")
    gshow.set_defaults(func=cmd_groups_show)
    for verb, call_value in (("open", "open"), ("close", "closed")):
        gcall = groups_sub.add_parser(verb, help=f"{verb} the group's call for candidates")
        gcall.add_argument("group", help="group id")
        gcall.add_argument("--dry-run", action="store_true", help="show what would happen; change nothing")
        gcall.set_defaults(func=cmd_groups_set, call=call_value, capacity=None, meeting_date=None,
                           place=None, closes_at=None)
    gset = groups_sub.add_parser("set", help="change a group during its call; members are told")
    gset.add_argument("group", help="group id")
    gset.add_argument("--capacity", type=int, help="places in the group (raising it promotes)")
    gset.add_argument("--meeting-date", help="first meeting, local time: 2027-04-06T09:30 "
                      "(confirmed members get an updated invitation)")
    gset.add_argument("--place", help="first meeting's place (confirmed members are told)")
    gset.add_argument("--closes-at", help="closing of the call, local time, or « none »")
    gset.add_argument("--dry-run", action="store_true", help="show what would happen; change nothing")
    gset.set_defaults(func=cmd_groups_set, call=None)

    cands = sub.add_parser("candidates", help="the candidatures")
    cands_sub = cands.add_subparsers(dest="candidates_command", required=True, metavar="ACTION")
    clist = cands_sub.add_parser("list", help="list a group's candidatures in arrival order")
    clist.add_argument("group", help="group id, e.g. ot-ruraux")
    clist.add_argument("--json", action="store_true", help="print JSON")
    clist.set_defaults(func=cmd_candidates_list)
    cadd = cands_sub.add_parser("add", help="a candidature taken in person, placed by its time")
    cadd.add_argument("group", help="group id")
    cadd.add_argument("--email", required=True, help="the member's address (they are told)")
    cadd.add_argument("--name", required=True, help="first and last name")
    cadd.add_argument("--department", required=True, help="department code, e.g. 24")
    cadd.add_argument("--structure", help="the member's office or structure")
    cadd.add_argument("--role", help="the member's function, as said")
    cadd.add_argument("--received-at", help="when it was received, local time (default: now)")
    cadd.add_argument("--dry-run", action="store_true", help="show what would happen; change nothing")
    cadd.set_defaults(func=cmd_candidates_add)
    for verb, what in (("withdraw", "withdraw it (its place goes to the waiting list)"),
                       ("refuse", "refuse it, with the reason the member will read"),
                       ("promote", "give a waiting candidature a place, beyond quota or capacity")):
        caction = cands_sub.add_parser(verb, help=what)
        caction.add_argument("id", help="candidature id, e.g. C0012 (see candidates list)")
        caction.add_argument("--reason", required=True, help="why (French for refuse: the member reads it)")
        caction.add_argument("--dry-run", action="store_true", help="show what would happen; change nothing")
        caction.set_defaults(func=cmd_candidates_action, action=verb)

    digest = sub.add_parser("digest", help="the staff digest since the last one")
    how = digest.add_mutually_exclusive_group(required=True)
    how.add_argument("--send", action="store_true", help="send it to staff now (nothing on a quiet day)")
    how.add_argument("--print", action="store_true", help="print its text; send and change nothing")
    digest.set_defaults(func=cmd_digest)

    check = sub.add_parser("check-config", help="validate the configuration and say what it found")
    check.set_defaults(func=cmd_check_config)
    newsletter.register(sub)
    ideas.register(sub)
    questions.register(sub)
    records.register(sub, cands_sub)
    return top


#: Exit statuses: 0 done; 1 could not be done (a server, the store); 2 refused as asked (a
#: wrong option, configuration or id); 70 (EX_SOFTWARE) an error mailflow did not expect.
EXIT_FAILED, EXIT_REFUSED, EXIT_UNEXPECTED = 1, 2, 70


def _crash_report(settings: Settings | None, exc: BaseException) -> Path | None:
    """Write the details of an unexpected error where the operator keeps mailflow's files."""
    folder = settings.store_path.parent if settings is not None else Path(tempfile.gettempdir())
    report = folder / "mailflow-erreurs.log"
    text = (f"--- {utc_now().isoformat(timespec='seconds')} mailflow {' '.join(sys.argv[1:])}\n"
            + "".join(traceback.format_exception(exc)))
    try:
        fd = os.open(report, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            handle.write(text)
    except OSError:
        return None
    return report


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    settings: Settings | None = None
    try:
        settings = config_mod.load(args.config)
        code: int = args.func(settings, args)
        return code
    except ConfigError as exc:
        print(f"mailflow : erreur de configuration : {exc}", file=sys.stderr)
        return EXIT_REFUSED
    except StaffActionError as exc:
        print(f"mailflow : {exc}", file=sys.stderr)
        return EXIT_REFUSED
    except MailflowError as exc:
        print(f"mailflow : {exc}", file=sys.stderr)
        return EXIT_FAILED
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        print("mailflow : interrompu", file=sys.stderr)
        return 130
    except Exception as exc:  # the last guard: no traceback for the person at the keyboard
        log.debug("unexpected error", exc_info=exc)
        report = _crash_report(settings, exc)
        where = f" ; détails pour l’équipe technique dans {report}" if report else ""
        print(f"mailflow : erreur inattendue ({type(exc).__name__} : {exc}){where}",
              file=sys.stderr)
        return EXIT_UNEXPECTED
