"""Trust, measured over a month of simulated traffic: what went as drafted, corrected or held, per
outcome over 30 days; the digest proposing to stop reviewing an outcome trusted long enough, and
the line it proposes doing it by email, confirmed by its code."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mailflow import config
from mailflow.app.review.desk import figures
from mailflow.app.wiring import build_service
from mailflow.config.settings import Settings

from .helpers.messages import deliver, role_ot_applicants, staff_answer, staff_message
from .helpers.review import mail_to, review_mail_for, review_mails, with_review
from .helpers.runs import Clock, body_text, cli, run_job, staff_action_mail

START = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
LETTER = ("Bonjour,\n\nVotre place est confirmée : nous vous attendons à la première rencontre, "
          "avec vos questions sur la communication de votre office.\n\nBien cordialement,\nClaire")


def _day(settings: Settings, clock: Clock, applicant: Path, answer: str | None) -> None:
    """One day: a director applies in the morning, a reviewer answers an hour later."""
    deliver(settings, [applicant], at=clock.now)
    run_job(settings, clock, "run_batch")
    if answer is not None:
        review = review_mail_for(settings, f"{applicant.stem.replace('role', 'd')}@ot.fr")
        clock.advance(hours=1)
        deliver(settings, [staff_answer(applicant.parent / "answers", review, answer)], at=clock.now)
        run_job(settings, clock, "run_batch")


def _digest(settings: Settings, clock: Clock) -> str:
    service = build_service(settings, read_only=True)
    service.clock = clock
    try:
        message = service.digest(send=False)
    finally:
        service.store.close()
    assert message is not None
    return " ".join(body_text(message).replace("\u00a0", " ").replace("\u202f", " ").split())


@pytest.fixture
def month(workspace_config: Path, tmp_path: Path) -> tuple[Settings, Clock, list[Path]]:
    """A workspace reviewing places and waiting lists, whose digest proposes to stop after five
    sent as drafted in a row; 35 directors who will apply to « role-ot » (15 places), one a day."""
    settings = config.load(with_review(workspace_config, extra="trust_after = 5\n"))
    (tmp_path / "answers").mkdir()
    return settings, Clock(START), role_ot_applicants(tmp_path, 35)


def test_the_figures_and_the_proposal_after_a_month_of_traffic(
        month: tuple[Settings, Clock, list[Path]], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    settings, clock, applicants = month
    for day in range(21):  # three weeks: one corrected, one held a day, the rest as drafted
        clock.now = START + timedelta(days=day)
        if day == 4:
            _day(settings, clock, applicants[day], "Non, pas encore : j’attends son bulletin")
            held = review_mail_for(settings, "d4@ot.fr")
            continue
        _day(settings, clock, applicants[day], LETTER if day == 2 else "OK")
        if day == 5:  # the day after: the held one goes too, as drafted
            deliver(settings, [staff_answer(tmp_path / "answers", held, "OK")], at=clock.now)
            run_job(settings, clock, "run_batch")
    code, out, _ = cli(capsys, settings, "review", "stats", "--json")
    weeks = {f["outcome"]: f for f in json.loads(out)["outcomes"]}
    assert code == 0
    assert {k: weeks["confirmed"][k] for k in ("drafted", "corrected", "held", "waiting")} == {
        "drafted": 13, "corrected": 1, "held": 1, "waiting": 0}
    assert weeks["confirmed"]["in_a_row"] == 10 and weeks["confirmed"]["proposed"]
    assert (weeks["waitlisted"]["drafted"], weeks["waitlisted"]["in_a_row"]) == (6, 6)
    assert "Votre place est confirmée : nous vous attendons" in body_text(mail_to(settings, "d2@ot.fr")[0])
    said = _digest(settings, clock)
    assert "Les 10 dernières réponses « inscription confirmée » sont parties telles quelles" in said
    assert "- Arrêter la relecture des réponses « liste d’attente »" not in said
    assert "- Arrêter la relecture des réponses « waitlisted »" in said  # the line to send

    # Claire sends the proposed line; it is planned with a code, and done once she says yes.
    clock.advance(hours=2)
    line = "Arrêter la relecture des réponses « waitlisted »"
    deliver(settings, [staff_message(tmp_path / "answers", line)], at=clock.now)
    run_job(settings, clock, "run_batch")
    plan = staff_action_mail(settings)[-1]
    assert plan["X-Mailflow-Outcome"] == "staff-to-confirm" and "partiront sans relecture" in body_text(plan)
    deliver(settings, [staff_answer(tmp_path / "answers", plan, "Oui")], at=clock.now)
    run_job(settings, clock, "run_batch")
    code, out, _ = cli(capsys, settings, "check-config")
    assert "attention : relecture de « waitlisted » : mailflow.toml la demande ; l’équipe l’a arrêtée" in out

    # Two more weeks: waiting lists go at once; the window moves on past the first days.
    reviewed_before = len(review_mails(settings))
    for day in range(21, 35):
        clock.now = START + timedelta(days=day)
        _day(settings, clock, applicants[day], None)
        assert [m["X-Mailflow-Outcome"] for m in mail_to(settings, f"d{day}@ot.fr")] == ["waitlisted"]
    assert len(review_mails(settings)) == reviewed_before
    clock.advance(hours=2)  # 30 days after the fifth day: the held one and the correction are out
    service = build_service(settings, read_only=True)
    service.clock = clock
    try:
        found = figures(service)
    finally:
        service.store.close()
    counted = {t.outcome: t for t in found.figures}
    assert found.reviewed == ("confirmed",)
    confirmed = counted["confirmed"]
    assert (confirmed.drafted, confirmed.corrected, confirmed.held) == (10, 0, 0)
    assert counted["waitlisted"].drafted == 6 and not found.proposed(counted["waitlisted"])
