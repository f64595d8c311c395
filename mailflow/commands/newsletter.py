"""`mailflow newsletter`: the calls as blocks ready to paste into the MONA Infos newsletter."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from ..config.settings import Settings
from ..core.decide.staff_plans import find_group
from ..core.write.newsletter import render_newsletter
from ..store import Store


def cmd_newsletter(settings: Settings, args: argparse.Namespace) -> int:
    """Print the blocks of the groups asked (else of every open call) and the idea block."""
    with Store(settings.store_path, read_only=True) as store:
        state = store.state(settings.groups, settings.departments)  # drafted groups included
    groups = [find_group(state, g) for g in args.groups]  # any case; an unknown one is refused
    out = render_newsletter(settings.templates_dir, settings.network, state, datetime.now(UTC),
                            groups, html=args.format == "html")
    sys.stdout.write(out if out.endswith("\n") else out + "\n")
    return 0
