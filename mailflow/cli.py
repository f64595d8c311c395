"""The command line: its parser, and `main`, which loads the configuration and runs one command.

Each command's module is imported only when it runs, so that `mailflow --help` starts at once.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
import tempfile
import traceback
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    from .config import Settings

log = logging.getLogger("mailflow")

# A string: argparse's class is generic for type checkers only.
SubParsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"

DRY_RUN_HELP = "show what would happen; change nothing"


def _command(parser: argparse.ArgumentParser, handler: str, **defaults: Any) -> None:
    """`handler` is « module:function » in mailflow.commands, imported when the command runs."""
    parser.set_defaults(handler=handler, **defaults)


def _json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON")


def _dry_run(parser: argparse.ArgumentParser, text: str = DRY_RUN_HELP) -> None:
    parser.add_argument("--dry-run", action="store_true", help=text)


def _groups(sub: SubParsers) -> None:
    status = sub.add_parser("status", help="each group: places taken and left, waiting list")
    _json(status)
    _command(status, "groups:cmd_status")
    groups = sub.add_parser("groups", help="the working groups")
    groups_sub = groups.add_subparsers(dest="groups_command", required=True, metavar="ACTION")
    glist = groups_sub.add_parser("list", help="list the groups and their calls")
    _json(glist)
    _command(glist, "groups:cmd_groups_list")
    gshow = groups_sub.add_parser("show", help="one group: its call, places, meeting and rules")
    gshow.add_argument("group", help="group id, e.g. ot-ruraux")
    _json(gshow)
    _command(gshow, "groups:cmd_groups_show")
    for verb, call_value in (("open", "open"), ("close", "closed")):
        gcall = groups_sub.add_parser(verb, help=f"{verb} the group's call for candidates")
        gcall.add_argument("group", help="group id")
        _dry_run(gcall)
        _command(gcall, "groups:cmd_groups_set", call=call_value, capacity=None, meeting_date=None,
                 place=None, closes_at=None)
    gset = groups_sub.add_parser("set", help="change a group during its call; members are told")
    gset.add_argument("group", help="group id")
    gset.add_argument("--capacity", type=int, help="places in the group (raising it promotes)")
    gset.add_argument("--meeting-date", help="first meeting, local time: 2027-04-06T09:30 "
                      "(confirmed members get an updated invitation)")
    gset.add_argument("--place", help="first meeting's place (confirmed members are told)")
    gset.add_argument("--closes-at", help="closing of the call, local time, or « none »")
    _dry_run(gset)
    _command(gset, "groups:cmd_groups_set", call=None)


def _candidates(sub: SubParsers) -> None:
    cands = sub.add_parser("candidates", help="the candidatures")
    cands_sub = cands.add_subparsers(dest="candidates_command", required=True, metavar="ACTION")
    clist = cands_sub.add_parser("list", help="list a group's candidatures in arrival order")
    clist.add_argument("group", help="group id, e.g. ot-ruraux")
    _json(clist)
    _command(clist, "candidates:cmd_candidates_list")
    cadd = cands_sub.add_parser("add", help="a candidature taken in person, placed by its time")
    cadd.add_argument("group", help="group id")
    cadd.add_argument("--email", required=True, help="the member's address (they are told)")
    cadd.add_argument("--name", required=True, help="first and last name")
    cadd.add_argument("--department", required=True, help="department code, e.g. 24")
    cadd.add_argument("--structure", help="the member's office or structure")
    cadd.add_argument("--role", help="the member's function, as said")
    cadd.add_argument("--received-at", help="when it was received, local time (default: now)")
    _dry_run(cadd)
    _command(cadd, "candidates:cmd_candidates_add")
    for verb, what in (("withdraw", "withdraw it (its place goes to the waiting list)"),
                       ("refuse", "refuse it, with the reason the member will read"),
                       ("promote", "give a waiting candidature a place, beyond quota or capacity")):
        caction = cands_sub.add_parser(verb, help=what)
        caction.add_argument("id", help="candidature id, e.g. C0012 (see candidates list)")
        caction.add_argument("--reason", required=True, help="why (French for refuse: the member reads it)")
        _dry_run(caction)
        _command(caction, "candidates:cmd_candidates_action", action=verb)
    export = cands_sub.add_parser(
        "export", help="a group's candidatures as CSV for French Excel (UTF-8 BOM, ';')")
    export.add_argument("group", help="group id, e.g. ot-ruraux")
    export.add_argument("--output", type=Path, default=None,
                        help="write this file (default: standard output)")
    _command(export, "records:cmd_candidates_export")


def _ideas(sub: SubParsers) -> None:
    ideas = sub.add_parser("ideas", help="the ideas of new working groups")
    ideas_sub = ideas.add_subparsers(dest="ideas_command", required=True, metavar="ACTION")
    ilist = ideas_sub.add_parser("list", help="every idea: id, date, sender, status, subject")
    _json(ilist)
    _command(ilist, "ideas:cmd_ideas_list")
    ishow = ideas_sub.add_parser("show", help="one idea: its text, note, history and attachments")
    ishow.add_argument("idea", help="idea id, e.g. I0005")
    _json(ishow)
    _command(ishow, "ideas:cmd_ideas_show")

    def changing(name: str, help_text: str) -> argparse.ArgumentParser:
        p = ideas_sub.add_parser(name, help=help_text)
        p.add_argument("idea", help="idea id, e.g. I0005")
        _dry_run(p, "show what would change and be sent; change nothing")
        return p

    _command(changing("advance", "received → discussion → note-received (the member is told)"),
             "ideas:cmd_ideas_advance")
    ival = changing("validate", "record the board's validation (the member is told)")
    ival.add_argument("--board-date", required=True, help="the board's meeting: 2027-01-12")
    ival.add_argument("--not-co-animated", action="store_true",
                      help="the MONA team will not co-animate it (outside the 5 a year)")
    _command(ival, "ideas:cmd_ideas_validate")
    idec = changing("decline", "decline the idea (the member is told why)")
    idec.add_argument("--reason", required=True, help="why, in French: the member reads it")
    _command(idec, "ideas:cmd_ideas_decline")
    idra = changing("draft", "draft a group from a validated idea, to complete and open")
    idra.add_argument("--group-id", help="the new group's id (default: from the subject)")
    idra.add_argument("--title", help="the group's title (default: from the subject)")
    idra.add_argument("--context", help="the group's context (default: the idea's text)")
    _command(idra, "ideas:cmd_ideas_draft")


def _records(sub: SubParsers) -> None:
    questions = sub.add_parser(
        "questions", help="the questions handed to staff (a person answers them)")
    q_sub = questions.add_subparsers(dest="questions_command", required=True, metavar="ACTION")
    qlist = q_sub.add_parser("list", help="the questions waiting for an answer, oldest first")
    qlist.add_argument("--all", action="store_true", help="answered ones too")
    _json(qlist)
    _command(qlist, "questions:cmd_questions_list")
    done = q_sub.add_parser("done", help="close a question answered outside the mailbox")
    done.add_argument("id", help="question id, e.g. Q0004 (see questions list)")
    _dry_run(done, "show what would change; change nothing")
    _command(done, "questions:cmd_questions_done")

    hist = sub.add_parser(
        "history", help="the audit trail: staff actions, messages, replies, oldest first")
    hist.add_argument("target", nargs="?", default=None, metavar="GROUP|EMAIL",
                      help="only this group (its id) or this address (any case)")
    _json(hist)
    _command(hist, "records:cmd_history")
    privacy = sub.add_parser("privacy", help="personal data (RGPD): export, purge")
    privacy_sub = privacy.add_subparsers(dest="privacy_command", required=True, metavar="ACTION")
    pexport = privacy_sub.add_parser("export", help="everything held on one address, as JSON")
    pexport.add_argument("email", help="the person's address")
    _command(pexport, "records:cmd_privacy_export")
    purge = privacy_sub.add_parser(
        "purge", help="anonymise the candidatures of groups that met before DATE, counts kept")
    purge.add_argument("--before", required=True, metavar="DATE",
                       help="groups whose first meeting is before this date (2027-01-31)")
    _dry_run(purge, "show what would change; change nothing")
    _command(purge, "records:cmd_privacy_purge")


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
    _command(run, "run:cmd_run")
    _groups(sub)
    _candidates(sub)

    digest = sub.add_parser("digest", help="the staff digest since the last one")
    how = digest.add_mutually_exclusive_group(required=True)
    how.add_argument("--send", action="store_true", help="send it to staff now (nothing on a quiet day)")
    how.add_argument("--print", action="store_true", help="print its text; send and change nothing")
    _command(digest, "digest:cmd_digest")

    check = sub.add_parser("check-config", help="validate the configuration and say what it found")
    _command(check, "check:cmd_check_config")
    news = sub.add_parser(
        "newsletter", help="print the open calls as blocks for the MONA Infos newsletter")
    news.add_argument("groups", nargs="*", metavar="GROUP",
                      help="group ids (default: every open call); closed ones then say so")
    fmt = news.add_mutually_exclusive_group(required=True)
    fmt.add_argument("--html", dest="format", action="store_const", const="html",
                     help="an HTML fragment (tables and inline styles) to paste")
    fmt.add_argument("--text", dest="format", action="store_const", const="text",
                     help="plain text, links written out")
    _command(news, "newsletter:cmd_newsletter")
    _ideas(sub)
    _records(sub)
    return top


#: Exit statuses: 0 done; 1 could not be done (a server, the store); 2 refused as asked (a
#: wrong option, configuration or id); 70 (EX_SOFTWARE) an error mailflow did not expect.
EXIT_FAILED, EXIT_REFUSED, EXIT_UNEXPECTED = 1, 2, 70


def _crash_report(settings: Settings | None, exc: BaseException) -> Path | None:
    """Write the details of an unexpected error where the operator keeps mailflow's files."""
    folder = settings.store_path.parent if settings is not None else Path(tempfile.gettempdir())
    report = folder / "mailflow-erreurs.log"
    text = (f"--- {datetime.now(UTC).isoformat(timespec='seconds')} mailflow {' '.join(sys.argv[1:])}\n"
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
    from . import config
    from .errors import ConfigError, MailflowError, StaffActionError

    settings: Settings | None = None
    try:
        settings = config.load(args.config)
        module, function = args.handler.split(":")
        command = getattr(importlib.import_module(f".commands.{module}", __package__), function)
        code: int = command(settings, args)
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
