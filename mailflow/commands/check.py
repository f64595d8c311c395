"""`mailflow check-config`: the configuration validated, the servers tried, what was found said."""

from __future__ import annotations

import argparse
import sys

from ..adapters.imap import ImapSource
from ..adapters.smtp import SmtpTransport
from ..app.wiring import build_renderer, utc_now
from ..config import Settings
from ..core.places import closed_reason
from ..errors import MailflowError
from ..store import Store


def cmd_check_config(settings: Settings, args: argparse.Namespace) -> int:
    problems: list[str] = []
    problems += [f"missing template: {name}" for name in build_renderer(settings).check()]
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
