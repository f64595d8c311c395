"""`mailflow newsletter`: the calls as blocks ready to paste into the MONA Infos newsletter."""

from __future__ import annotations

import argparse
import sys

from ..app import views
from ..config.settings import Settings


def cmd_newsletter(settings: Settings, args: argparse.Namespace) -> int:
    """Print the blocks of the groups asked (else of every open call) and the idea block."""
    out = views.newsletter(settings, args.groups, html=args.format == "html")  # drafted groups too
    sys.stdout.write(out if out.endswith("\n") else out + "\n")
    return 0
