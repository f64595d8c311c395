"""Worlds the tests start from: states built in memory, and stories played through the real
pipeline on a workspace (a configuration whose mailbox, outbox and store live in tmp_path)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

from mailflow.app.wiring import build_service
from mailflow.config.settings import Settings
from mailflow.core.decide.member import decide, state_after
from mailflow.model.values import (
    CallStatus,
    Candidature,
    Decision,
    DeliveryStatus,
    Group,
    Idea,
    IdeaStatus,
    Intent,
    IntentKind,
    Outcome,
    PendingAction,
    Profile,
    Question,
    QuestionStatus,
    State,
    Status,
)
from mailflow.ports import OutboxItem
from mailflow.store import Store

from .messages import LUC, MARIE, NADIA, STAFF, TOKEN, deliver, inbound, role_ot_applicants
from .project import NOW, SAMPLES
from .runs import Clock, run_job, run_once, staff_mail

# --- states, in memory -------------------------------------------------------------------------


def confirmed_withdrawal(state: State, leave: Intent, now: datetime = NOW) -> Decision:
    """A withdrawal asked by email, then confirmed by replying with the code: the final decision.

    When the request is not a confirmation request (no candidature, say), that answer is returned.
    """
    request = decide(state, leave, now, TOKEN)
    if request.outcome is not Outcome.CONFIRM_WITHDRAWAL:
        return request
    answer = Intent(IntentKind.QUESTION, inbound(leave.sender, "RE : Confirmez votre désistement"),
                    leave.sender, None, tokens=(TOKEN,))
    return decide(state_after(state, request), answer, now)


def taken(group_id: str, count: int, status: Status = Status.CONFIRMED) -> tuple[Candidature, ...]:
    """`count` candidatures of `group_id` with that status, in arrival order."""
    return tuple(
        Candidature(id=f"{group_id}-{n}", group_id=group_id, email=f"membre{n}@ot-exemple.fr",
                    name=f"Membre {n}", profile=Profile(), status=status, seq=n,
                    received_at=NOW, message_key=f"k{n}")
        for n in range(1, count + 1)
    )


def state_with(settings: Settings, *candidatures: Candidature, **groups: Group) -> State:
    """The shipped groups (some replaced by `groups`, keyed by id with _ for -), with candidatures."""
    all_groups = dict(settings.groups)
    for key, group in groups.items():
        all_groups[key.replace("_", "-")] = group
    return State(groups=all_groups, departments=settings.departments, candidatures=candidatures,
                 next_seq=len(candidatures) + 1)


# --- read back from a workspace's store --------------------------------------------------------


def stored_state(settings: Settings) -> State:
    """The state as the store holds it (with the groups as staff last changed them)."""
    with Store(settings.store_path, read_only=True) as store:
        return store.state(settings.groups, settings.departments)


def ot_ruraux_statuses(settings: Settings) -> dict[str, str]:
    """The status of each candidature to « OT ruraux », by email."""
    return {c.email: c.status.value for c in stored_state(settings).of_group("ot-ruraux")}


def call_of(settings: Settings, group: str) -> CallStatus:
    """Whether the group's call is open, as staff last set it."""
    return stored_state(settings).groups[group].call


def staff_history(settings: Settings) -> list[dict[str, object]]:
    """The history's entries of actions by the staff member (Claire, from STAFF)."""
    with Store(settings.store_path, read_only=True) as store:
        return [e for e in store.history() if e.get("actor") == STAFF]


# --- stories, through the real pipeline ----------------------------------------------------------


def dordogne_story(settings: Settings) -> None:
    """Marie and Luc take Dordogne's two places in « OT ruraux »; Nadia, third, waits."""
    deliver(settings, [SAMPLES[0], SAMPLES[8], SAMPLES[9]])
    run_once(settings)
    assert ot_ruraux_statuses(settings) == {MARIE: "confirmed", LUC: "confirmed", NADIA: "waitlisted"}


def fill_role_ot(settings: Settings, tmp: Path) -> EmailMessage:
    """The 15 places of role-ot taken by 15 directors; the « group full » alert staff got."""
    deliver(settings, role_ot_applicants(tmp, 15))
    run_job(settings, Clock(datetime.now(UTC)), "run_batch")
    (alert,) = staff_mail(settings, "group-full")
    return alert


def digest_after_the_samples(settings: Settings, *, send: bool) -> tuple[EmailMessage | None, Clock]:
    """The 13 samples answered, then a digest a few minutes later (sent, or only written)."""
    deliver(settings, SAMPLES)
    clock = Clock(datetime.now(UTC))
    run_job(settings, clock, "run_batch")
    clock.now += timedelta(minutes=5)
    service = build_service(settings, read_only=not send)
    service.clock = clock
    try:
        return service.digest(send=send), clock
    finally:
        service.store.close()


def every_status_store(settings: Settings) -> None:
    """The samples answered, then one candidature per status, one idea per stage and one reply
    per delivery state added, as staff and members would have left them over months."""
    deliver(settings, SAMPLES)
    run_once(settings)
    with Store(settings.store_path) as store:
        before = store.state(settings.groups, settings.departments)
        seq = before.next_seq
        # Each series goes on from the samples' last number (C0006, I0001, Q0001).
        first_c, first_i, first_q = (before.last_number(s) + 1 for s in "CIQ")
        extra: list[Candidature] = []
        for i, status in enumerate(Status):
            extra.append(Candidature(
                id=f"C{first_c + i:04d}", group_id="role-ot", email=f"membre{i}@ot-exemple.fr",
                name=f"Membre {i}", profile=Profile(name=f"Membre {i}", department="87"),
                status=status, seq=seq + i, received_at=NOW + timedelta(minutes=i),
                message_key=f"k{i}", reason="raison" if status is Status.REFUSED else "",
                missing=("fte",) if status is Status.NEEDS_INFO else (),
                updated_at=NOW + timedelta(hours=1)))
        seq += len(extra)
        ideas: list[Idea] = []
        for i, stage in enumerate(IdeaStatus):
            ideas.append(Idea(
                id=f"I{first_i + i:04d}", seq=seq + i, email=f"porteur{i}@pat-exemple.fr", name=None,
                subject=f"Idée {i}", summary="Un groupe sur l’accueil.", received_at=NOW,
                message_key=f"i{i}", status=stage,
                validated_on=date(2026, 12, 2) if stage in (IdeaStatus.VALIDATED,
                                                            IdeaStatus.DRAFTED) else None,
                co_animated=True if stage is IdeaStatus.VALIDATED else None,
                declined_reason="hors sujet" if stage is IdeaStatus.DECLINED else ""))
        seq += len(ideas)
        pending = PendingAction("0" * 64, "commit", extra[-1].id, extra[-1].email, NOW,
                                NOW + timedelta(hours=72))
        staff_action = PendingAction(  # a staff member's action waiting for its code
            "1" * 64, "staff", "ot-ruraux", "animation@monatourisme.fr", NOW, NOW + timedelta(hours=72),
            payload='{"fields": {"capacity": "25"}, "reason": "", "target": "ot-ruraux", '
                    '"verb": "capacity"}')
        questions = tuple(Question(
            id=f"Q{first_q + i:04d}", seq=seq + i, email=f"curieux{i}@ot-exemple.fr", name=None,
            subject="Une question", text="Qui peut participer ?", received_at=NOW,
            message_key=f"q{i}", group_id="ot-ruraux", status=status,
            answered_at=NOW + timedelta(hours=2) if status is QuestionStatus.ANSWERED else None,
            answered_by="animation@monatourisme.fr" if status is QuestionStatus.ANSWERED else None)
            for i, status in enumerate(QuestionStatus))
        seq += len(questions)
        after = replace(before, candidatures=(*before.candidatures, *extra),
                        ideas=(*before.ideas, *ideas), next_seq=seq,
                        pending=(*before.pending, pending, staff_action),
                        questions=(*before.questions, *questions),
                        numbers=before.numbered(*(c.id for c in extra), *(i.id for i in ideas),
                                                *(q.id for q in questions)))
        store.save_state(before, after)
        raw = (SAMPLES[0]).read_bytes()
        for i, delivery in enumerate(DeliveryStatus):
            store.enqueue(OutboxItem(
                id=f"<etat{i}@monatourisme.fr>", seq=store.next_outbox_seq(),
                to=[f"membre{i}@ot-exemple.fr"], outcome="confirmed", message_key=f"k{i}",
                created_at=NOW, raw=raw, subject="Re : Candidature", status=delivery,
                attempts=1 if delivery is not DeliveryStatus.PENDING else 0,
                last_error="451 plus tard" if delivery is not DeliveryStatus.SENT else ""))
        store.record_history({"at": NOW.isoformat(), "actor": "staff", "action": "group-change",
                              "group": "ot-ruraux", "changes": {"capacity": 21}, "sent": []})
        store.record_history({"at": NOW.isoformat(), "actor": "animation@monatourisme.fr",
                              "action": "candidate-promote", "group": "ot-ruraux",
                              "candidature": extra[-1].id, "summary": "place donnée",
                              "reason": "décision de l’équipe", "sent": ["confirmed → x@ot.fr"]})
        store.commit()
