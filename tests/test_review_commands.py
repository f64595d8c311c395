"""Review from the configuration and the command line: `[review]` checked and shown, `mailflow
review list|show|send|hold|stats|stop|resume`, and the reminder of a reply left waiting."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from mailflow import config
from mailflow.config.settings import Settings
from mailflow.errors import ConfigError

from .helpers.messages import MARIE, NADIA, deliver, staff_answer
from .helpers.project import MX, SAMPLES, trust_mx
from .helpers.review import code_of, mail_to, review_mails, stored_reviews, with_review
from .helpers.runs import Clock, body_text, cli, run_job, run_once, sent_mail, staff_mail

SOPHIE = "s.lacombe@tourisme-creuse-sud.fr"


def test_no_review_table_holds_nothing(workspace: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert workspace.review.outcomes == ()
    deliver(workspace, [SAMPLES[0]])
    run_once(workspace)
    assert [m["X-Mailflow-Outcome"] for m in mail_to(workspace, MARIE)] == ["confirmed"]
    code, out, _ = cli(capsys, workspace, "check-config")
    assert code == 0 and "relecture : aucune ([review] outcomes vide)" in out


def test_check_config_shows_what_is_reviewed_and_by_whom(review_workspace: Settings,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, review_workspace, "check-config")
    assert code == 0
    assert ("relecture : confirmed, waitlisted, par animation@monatourisme.fr ; rappel après 24 h ; "
            "arrêt proposé après 30 réponses de suite parties telles quelles") in out


@pytest.mark.parametrize(("outcomes", "said"), [
    ('["confirmed", "confirmd"]', "review.outcomes[1] : type de réponse inconnu « confirmd » ; "
                                  "vouliez-vous dire « confirmed » ? ; valeurs possibles : confirmed, "
                                  "waitlisted, refused, needs-info"),
    ('["all", "refused"]', "review.outcomes : « all » se suffit à lui-même"),
    ('"confirmed"', "review.outcomes : liste attendue, trouvé « confirmed »"),
])
def test_unknown_outcomes_are_refused_naming_the_key_and_the_known_ones(
        workspace_config: Path, outcomes: str, said: str) -> None:
    text = workspace_config.read_text(encoding="utf-8")
    workspace_config.write_text(f"{text}\n[review]\noutcomes = {outcomes}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        config.load(workspace_config)
    assert said in str(raised.value).replace("\u00a0", " ").replace("\u202f", " ")
    assert str(workspace_config.name) in str(raised.value)


def test_all_reviews_every_letter_to_members_and_nothing_of_staff(workspace_config: Path) -> None:
    settings = config.load(with_review(workspace_config, ("all",)))
    assert "refused" in settings.review.outcomes and settings.review.every
    deliver(settings, [SAMPLES[3], SAMPLES[7]])  # a refusal, a question forwarded to staff
    run_once(settings)
    assert mail_to(settings, "julie.moreau@larochelle-tourisme.fr") == []
    assert len(review_mails(settings)) == 2  # each letter to a member waits
    assert [m["X-Mailflow-Alert"] for m in sent_mail(settings)].count("question") == 1  # staff's goes


def test_list_show_send_and_hold_from_the_command_line(review_workspace: Settings,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    deliver(review_workspace, [SAMPLES[0], SAMPLES[8], SAMPLES[9]])
    run_once(review_workspace)
    code, out, _ = cli(capsys, review_workspace, "review", "list")
    assert code == 0 and "3 réponses en attente de relecture" in out
    assert "R0001  « inscription confirmée » à Marie Dupont <marie.dupont@ot-perigord-noir.fr>" in out
    code, out, _ = cli(capsys, review_workspace, "review", "show", "R0003")
    assert code == 0 and "liste d’attente" in out and "Je souhaite" in out and "position 1" in out
    code, out, _ = cli(capsys, review_workspace, "review", "send", "1", "--dry-run")
    assert code == 0 and mail_to(review_workspace, MARIE) == [] and "Essai à blanc" in out
    code, out, _ = cli(capsys, review_workspace, "review", "send", "1")
    assert code == 0 and [m["X-Mailflow-Outcome"] for m in mail_to(review_workspace, MARIE)] == ["confirmed"]
    code, out, _ = cli(capsys, review_workspace, "review", "hold", "3")
    assert code == 0 and "reste en attente" in out and mail_to(review_workspace, NADIA) == []
    code, _, err = cli(capsys, review_workspace, "review", "send", "1")
    assert code == 2 and "la relecture R0001 n’attend plus" in err
    code, out, _ = cli(capsys, review_workspace, "review", "stats")
    assert code == 0 and "confirmed" in out and "waitlisted" in out
    history = cli(capsys, review_workspace, "history", MARIE)[1]
    assert "réponse relue, envoyée telle quelle par" in history


def test_stop_and_resume_are_staff_changes_shown_by_check_config(
        review_workspace: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, review_workspace, "review", "stop", "confirmed")
    assert code == 0 and "partiront sans relecture" in out
    code, out, _ = cli(capsys, review_workspace, "check-config")
    assert "relecture : waitlisted" in out
    assert "attention : relecture de « confirmed » : mailflow.toml la demande ; l’équipe l’a arrêtée" in out
    deliver(review_workspace, [SAMPLES[0]])
    run_once(review_workspace)
    assert [m["X-Mailflow-Outcome"] for m in mail_to(review_workspace, MARIE)] == ["confirmed"]
    code, out, _ = cli(capsys, review_workspace, "review", "resume", "confirmed")
    assert code == 0
    code, out, _ = cli(capsys, review_workspace, "check-config")
    assert "relecture : confirmed, waitlisted" in out and "attention : relecture" not in out
    code, _, err = cli(capsys, review_workspace, "review", "stop", "confirmée")
    assert code == 2 and "type de réponse inconnu « confirmée »" in err


def test_a_reply_left_waiting_is_shown_again_once_with_a_code_of_its_own(review_workspace: Settings,
                                                                         tmp_path: Path) -> None:
    clock = Clock(datetime.now(UTC))
    deliver(review_workspace, [SAMPLES[0]], at=clock.now)
    run_job(review_workspace, clock, "run_batch")
    clock.advance(hours=23)
    assert run_job(review_workspace, clock, "remind_reviews") == 0
    clock.advance(hours=2)
    assert run_job(review_workspace, clock, "remind_reviews") == 1
    assert run_job(review_workspace, clock, "remind_reviews") == 0  # once
    first, reminder = review_mails(review_workspace)
    assert "(rappel)" in str(reminder["Subject"]) and code_of(reminder) != code_of(first)
    assert reminder["In-Reply-To"] == first["Message-ID"]
    deliver(review_workspace, [staff_answer(tmp_path, reminder, "OK")], at=clock.now)
    run_job(review_workspace, clock, "run_batch")
    assert [m["X-Mailflow-Outcome"] for m in mail_to(review_workspace, MARIE)] == ["confirmed"]
    assert [r.waiting for r in stored_reviews(review_workspace)] == [False]


def test_a_reply_no_message_asked_for_is_held_too(workspace_config: Path) -> None:
    """A place held for an answer that never came goes on: the member's letter is reviewed like
    any other, the mail to the reviewers saying no new message of theirs decided it."""
    settings = config.load(with_review(workspace_config, ("hold-expired",)))
    clock = Clock(datetime.now(UTC))
    deliver(settings, [SAMPLES[2]], at=clock.now)  # a candidature asked what is missing
    run_job(settings, clock, "run_batch")
    member = mail_to(settings, SOPHIE)
    assert [m["X-Mailflow-Outcome"] for m in member] == ["needs-info"]  # not reviewed: at once
    clock.advance(days=15)
    assert run_job(settings, clock, "expire_holds") == 1
    assert len(mail_to(settings, SOPHIE)) == 1  # the expiry's letter waits
    (review,) = review_mails(settings)
    said = " ".join(body_text(review).split())
    assert "place passée à la personne suivante" in said and "cette réponse part d’office" in said


def test_an_answer_the_server_does_not_vouch_for_does_nothing(workspace_config: Path,
                                                              tmp_path: Path) -> None:
    """Where the receiving server's results are trusted, a reviewer's « OK » counts only when
    DMARC passes for its sender, as a staff action's code does; staff hear of the other."""
    settings = config.load(with_review(trust_mx(workspace_config)))
    deliver(settings, [SAMPLES[0]])
    run_once(settings)
    (review,) = review_mails(settings)
    forged = (("Authentication-Results", f"{MX}; dmarc=fail header.from=monatourisme.fr"),)
    deliver(settings, [staff_answer(tmp_path, review, "OK", headers=forged),
                       staff_answer(tmp_path, review, "OK")])  # a failing verdict, and none at all
    run_once(settings)
    assert mail_to(settings, MARIE) == []
    assert len(staff_mail(settings, "quarantine")) == 1 and len(staff_mail(settings, "staff-unverified")) == 1
    vouched = (("Authentication-Results", f"{MX}; dmarc=pass header.from=monatourisme.fr"),)
    deliver(settings, [staff_answer(tmp_path, review, "OK", headers=vouched)])
    run_once(settings)
    assert [m["X-Mailflow-Outcome"] for m in mail_to(settings, MARIE)] == ["confirmed"]
