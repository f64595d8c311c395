"""`mailflow digest --send|--print`: the staff digest since the last one."""

from __future__ import annotations

import argparse

from ..app.wiring import build_service
from ..config.settings import Settings
from .common import say


def cmd_digest(settings: Settings, args: argparse.Namespace) -> int:
    service = build_service(settings, read_only=args.print)
    try:
        message = service.digest(send=args.send)
    finally:
        service.close()
    if message is None:
        say("Rien de nouveau depuis le dernier point : aucun point à envoyer.")
        return 0
    if args.print:
        body = message.get_body(("plain",))
        print(body.get_content() if body is not None else "")
    else:
        say(f"Point envoyé à {', '.join(settings.network.staff)} : « {message['Subject']} »")
    return 0
