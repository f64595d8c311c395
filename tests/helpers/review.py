"""Review (« relecture ») as the tests play it: a workspace reviewing some outcomes, the mails to
the reviewers and their codes, what each member was sent, what waits."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

from mailflow.config.settings import Settings
from mailflow.model.review import Review
from mailflow.store import Store

from .messages import MARIE, deliver, staff_answer
from .project import SAMPLES
from .runs import run_once, sent_mail

#: What the hold-out check reviews: places given and waiting lists.
REVIEWED = ("confirmed", "waitlisted")


def with_review(config_file: Path, outcomes: tuple[str, ...] = REVIEWED, extra: str = "") -> Path:
    """The configuration, now holding the replies of these outcomes for staff to read."""
    listed = ", ".join(f'"{o}"' for o in outcomes)
    text = config_file.read_text(encoding="utf-8")
    config_file.write_text(f"{text}\n[review]\noutcomes = [{listed}]\n{extra}", encoding="utf-8")
    return config_file


def review_mails(settings: Settings) -> list[EmailMessage]:
    """The mails that asked the reviewers to read a reply (reminders included), in sending order."""
    return [m for m in sent_mail(settings) if m["X-Mailflow-Alert"] == "review"]


def review_mail_for(settings: Settings, member: str) -> EmailMessage:
    """The latest mail to the reviewers about the reply to this member."""
    found = [m for m in review_mails(settings) if member in _draft(m)["To"].addresses[0].addr_spec]
    assert found, f"no review mail for {member}"
    return found[-1]


def _draft(mail: EmailMessage) -> EmailMessage:
    """The reply held, as attached to the mail to the reviewers."""
    for part in mail.iter_attachments():
        if part.get_content_type() == "message/rfc822":
            inner = part.get_content()
            assert isinstance(inner, EmailMessage)
            return inner
    raise AssertionError("the review mail carries no draft")


def draft_of(mail: EmailMessage) -> EmailMessage:
    """The reply a mail to the reviewers shows, exactly as it will go."""
    return _draft(mail)


def code_of(mail: EmailMessage) -> str:
    """The code a mail carries in its subject: « … [MF-ABCDEFGH23] »."""
    return str(mail["Subject"]).rsplit("[", 1)[1].rstrip("]")


def mail_to(settings: Settings, member: str) -> list[EmailMessage]:
    """What one member was sent (their letters only: nothing of staff's), in sending order."""
    return [m for m in sent_mail(settings) if m["X-Mailflow-Alert"] is None
            and any(a.addr_spec == member for a in m["To"].addresses)]


def stored_reviews(settings: Settings) -> list[Review]:
    """The reviews the store keeps (waiting, and settled lately)."""
    with Store(settings.store_path, read_only=True) as store:
        return store.reviews()


def maries_review(settings: Settings) -> EmailMessage:
    """Marie applies (the first sample) and is given a place: the mail asking the reviewers to
    read the reply held for her."""
    deliver(settings, [SAMPLES[0]])
    run_once(settings)
    return review_mail_for(settings, MARIE)


def answer_review(settings: Settings, tmp: Path, review: EmailMessage, words: str) -> None:
    """A reviewer answers the review mail with `words`, and the mailbox is read."""
    deliver(settings, [staff_answer(tmp, review, words)])
    run_once(settings)
