"""The staff digest and the immediate alerts, produced by the real pipeline on the embedded default."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest

from mailflow.app.wiring import build_service
from mailflow.cli import main
from mailflow.config.settings import Settings
from mailflow.core.write.digest import build_digest
from mailflow.model.values import State

from .helpers.messages import deliver, role_ot_applicants
from .helpers.project import ROOT, SAMPLES
from .helpers.runs import Clock, body_html, body_text, run_job, staff_mail
from .helpers.worlds import digest_after_the_samples


def test_no_digest_when_nothing_happened(workspace: Settings) -> None:
    state = State(workspace.groups, workspace.departments)
    now = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)
    assert build_digest(state, [], [], now - timedelta(days=1), now) is None


def test_digest_tells_the_day(workspace: Settings) -> None:
    message, clock = digest_after_the_samples(workspace, send=True)
    assert isinstance(message, EmailMessage)
    assert message["To"].addresses[0].addr_spec == "animation@monatourisme.fr"
    assert message["Subject"].startswith("[mailflow] Le point du ")
    assert "6 candidatures" in message["Subject"]
    text = body_text(message).replace("\u00a0", " ").replace("\u202f", " ")  # French spaces read as spaces
    for expected in [
        "6 nouvelles candidatures, 1 nouvelle idée",
        "« Offices de Tourisme ruraux » — ouvert",
        "■■■□□□□□□□□□□□□□□□□□  3 / 20 places prises, 17 libres",
        "Marie Dupont, Office de Tourisme du Périgord Noir (24) : confirmée",
        "Luc Garnier",  # withdrew: still listed among the day's candidatures
        "Sophie Lacombe : ETP demandé le",
        "Julie Moreau",
        "refusée — ce groupe est réservé aux directeurs et directrices",
        "« Idée de groupe de travail : accueil hors les murs », de Thomas Bernard",
        "fiche-projet-accueil-hors-les-murs.pdf",
        "Messages mis en quarantaine (1)",
        "contenu binaire, pas un e-mail",
        "Questions en attente d’une réponse de l’équipe (1)",
        "Claire Fontaine — « Renseignements »",
    ]:
        assert expected in text, expected
    html = body_html(message)
    assert "Groupes de travail — le point" in html
    assert html.count('background:#1f4e5a;">&nbsp;</td>') >= 3 + 1  # gauge cells taken
    assert "<script" not in html and "http" not in html.replace("http-equiv", "")
    # Sent once, and the next one is empty until something happens.
    assert len(staff_mail(workspace, "digest")) == 1
    service = build_service(workspace, read_only=False)
    service.clock = Clock(clock.now + timedelta(hours=1))
    try:
        assert service.digest(send=True) is None
    finally:
        service.store.close()
    assert len(staff_mail(workspace, "digest")) == 1


def test_digest_runs_once_a_day_at_its_time_even_after_a_restart(workspace: Settings) -> None:
    deliver(workspace, SAMPLES[:2])
    # 06:59 in Paris (UTC+1 in December): too early.
    clock = Clock(datetime(2026, 12, 1, 5, 59, tzinfo=UTC))
    run_job(workspace, clock, "run_batch")
    assert run_job(workspace, clock, "digest_if_due") is None
    clock.now = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)  # 08:00 in Paris
    assert isinstance(run_job(workspace, clock, "digest_if_due"), EmailMessage)
    deliver(workspace, SAMPLES[2:4])
    run_job(workspace, clock, "run_batch")
    clock.now += timedelta(hours=3)  # a restart later the same day: no second digest
    assert run_job(workspace, clock, "digest_if_due") is None
    clock.now += timedelta(days=1)
    second = run_job(workspace, clock, "digest_if_due")
    assert isinstance(second, EmailMessage)
    assert "2 nouvelles candidatures" in body_text(second)
    assert len(staff_mail(workspace, "digest")) == 2


def test_digest_print_changes_nothing(workspace: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    deliver(workspace, SAMPLES[:3])
    assert main(["--config", str(workspace.file), "run", "--once"]) == 0
    capsys.readouterr()
    assert main(["--config", str(workspace.file), "digest", "--print"]) == 0
    out = capsys.readouterr().out
    assert "Voici le point sur les groupes de travail" in out
    assert staff_mail(workspace, "digest") == []
    assert main(["--config", str(workspace.file), "digest", "--send"]) == 0
    assert "Point envoyé à animation@monatourisme.fr" in capsys.readouterr().out
    assert len(staff_mail(workspace, "digest")) == 1


def test_staff_are_told_at_once_when_a_group_fills(workspace: Settings, tmp_path: Path) -> None:
    files = role_ot_applicants(tmp_path, 16)
    deliver(workspace, files[:10])
    clock = Clock(datetime.now(UTC))
    run_job(workspace, clock, "run_batch")
    assert staff_mail(workspace, "group-full") == []
    deliver(workspace, files[10:])
    run_job(workspace, clock, "run_batch")
    (alert,) = staff_mail(workspace, "group-full")
    title = "Communiquer sur le rôle de l’Office de Tourisme"
    assert alert["Subject"] == f"[mailflow] Groupe complet\u00a0: {title}"
    assert "d14@ot.fr" in body_text(alert)


def test_digest_renders_in_a_browser(workspace: Settings, tmp_path: Path) -> None:
    chromium = shutil.which("chromium")
    if chromium is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed: CI must render the digest")
        pytest.skip("chromium is not installed")
    message, _clock = digest_after_the_samples(workspace, send=False)
    assert message is not None
    page = tmp_path / "digest.html"
    page.write_text(body_html(message), encoding="utf-8")
    shot = ROOT / "test-artifacts" / "digest.png"
    shot.parent.mkdir(exist_ok=True)
    done = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--hide-scrollbars", "--window-size=720,1700",
         f"--screenshot={shot}", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Offices de Tourisme ruraux" in done.stdout and "Messages mis en quarantaine" in done.stdout
    assert shot.stat().st_size > 10_000
