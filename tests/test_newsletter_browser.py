"""The newsletter block in a real browser: headless Chromium resolves the links and takes pictures."""

from __future__ import annotations

import html as html_mod
import itertools
import json
import os
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from mailflow.config.settings import Settings
from mailflow.core.write.newsletter import candidature_form, candidature_subject, idea_block
from mailflow.model.values import CallStatus, State, Status

from .helpers.project import GROUP_IDS, NOW, ROOT
from .helpers.runs import decode_mailto, newsletter
from .helpers.worlds import state_with, taken

ARTIFACTS = ROOT / "test-artifacts"
#: Set to 1 to refresh the README's picture from this run (docs/newsletter.png).
UPDATE_DOCS = os.environ.get("MAILFLOW_UPDATE_DOCS") == "1"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_runs = itertools.count(1)


@pytest.fixture(scope="module")
def chromium() -> str:
    """Debian's chromium; its absence fails the test in CI (a skip would hide it), else skips."""
    path = shutil.which("chromium") or (
        "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed: CI must render the newsletter in a browser")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return path


def run_chromium(binary: str, work: Path, page: Path, *args: str) -> str:
    """Run headless Chromium once on `page` with a fresh profile; its standard output."""
    profile = work / f"chromium-profile-{next(_runs)}"
    command = [
        binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-extensions", "--hide-scrollbars", f"--user-data-dir={profile}",
        *args, page.as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 0, f"chromium failed ({done.returncode}): {done.stderr[-2000:]}"
    return done.stdout


def page(fragment: str, *, script: bool) -> str:
    """The block as a member's mail client shows it: the fragment in a plain page."""
    probe = (
        '<pre id="hrefs"></pre>\n<script>\n'
        "document.getElementById('hrefs').textContent = JSON.stringify(\n"
        "  Array.from(document.querySelectorAll('a.cta'), a => [a.className, a.href]));\n"
        "</script>\n"
    ) if script else ""
    return (
        '<!DOCTYPE html>\n<html lang="fr">\n<head>\n<meta charset="utf-8">\n'
        "<title>MONA Infos</title>\n</head>\n"
        '<body style="margin:0;padding:0;background-color:#f3f4f1;">\n'
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0">\n'
        '<tr>\n<td align="center" style="padding:24px 12px;">\n'
        f"{fragment}\n</td>\n</tr>\n</table>\n{probe}</body>\n</html>\n"
    )


def resolved_links(binary: str, work: Path, fragment: str) -> list[tuple[str, str]]:
    """(class, href) of every button as the browser resolved it (entities decoded, URL parsed)."""
    file = work / "probe.html"
    file.write_text(page(fragment, script=True), encoding="utf-8")
    dom = run_chromium(binary, work, file, "--dump-dom")
    found = re.search(r'<pre id="hrefs">(.*?)</pre>', dom, re.DOTALL)
    assert found, dom[-2000:]
    return [(cls, href) for cls, href in json.loads(html_mod.unescape(found[1]))]


def screenshot(binary: str, work: Path, fragment: str, target: Path) -> None:
    file = work / "preview.html"
    file.write_text(page(fragment, script=False), encoding="utf-8")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    run_chromium(binary, work, file, f"--screenshot={target}", "--window-size=800,1000")
    assert target.read_bytes()[:8] == PNG_MAGIC
    assert target.stat().st_size > 20_000  # a rendered block, not an empty page


def a_few_taken(settings: Settings) -> State:
    """A state as the newsletter goes out: some places already taken."""
    return state_with(settings, *taken("porteurs-de-projet", 4), *taken("ot-ruraux", 3),
                      *taken("role-ot", 15), *taken("role-ot", 2, Status.WAITLISTED))


@pytest.mark.parametrize("group_id", GROUP_IDS)
def test_the_browser_resolves_the_button_to_the_exact_subject_and_form(
    chromium: str, shipped_settings: Settings, tmp_path: Path, group_id: str
) -> None:
    fragment = newsletter(shipped_settings, None, group_id)
    buttons = resolved_links(chromium, tmp_path, fragment)
    assert [cls for cls, _ in buttons] == ["cta", "cta idea"]
    group = shipped_settings.groups[group_id]
    to, fields = decode_mailto(buttons[0][1])
    assert to == shipped_settings.network.address
    assert fields == {"subject": candidature_subject(group),
                      "body": candidature_form(group).replace("\n", "\r\n")}
    idea = idea_block(shipped_settings.network)
    assert decode_mailto(buttons[1][1]) == (
        shipped_settings.network.address, {"subject": idea.subject, "body": idea.body.replace("\n", "\r\n")})
    screenshot(chromium, tmp_path, fragment, ARTIFACTS / f"newsletter-{group_id}.png")


def test_the_full_group_and_the_whole_newsletter_render(
    chromium: str, shipped_settings: Settings, tmp_path: Path
) -> None:
    state = a_few_taken(shipped_settings)
    full = newsletter(shipped_settings, state, "role-ot")
    (button, _idea) = resolved_links(chromium, tmp_path, full)
    _, fields = decode_mailto(button[1])
    assert fields["subject"].startswith("Liste d’attente – groupe")
    screenshot(chromium, tmp_path, full, ARTIFACTS / "newsletter-full.png")

    ruraux = newsletter(shipped_settings, state, "ot-ruraux")
    assert "17 places disponibles sur 20" in ruraux
    picture = ARTIFACTS / "newsletter-readme.png"
    screenshot(chromium, tmp_path, ruraux, picture)
    if UPDATE_DOCS:
        shutil.copyfile(picture, ROOT / "docs" / "newsletter.png")
    closed = state_with(shipped_settings, ot_ruraux=replace(shipped_settings.groups["ot-ruraux"],
                                                            call=CallStatus.CLOSED))
    screenshot(chromium, tmp_path, newsletter(shipped_settings, closed, "ot-ruraux"),
               ARTIFACTS / "newsletter-closed.png")
    everything = newsletter(shipped_settings, state, now=NOW)
    assert len(resolved_links(chromium, tmp_path, everything)) == 4
