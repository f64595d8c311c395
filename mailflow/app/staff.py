"""Staff actions applied the one way, from a command or an email: a plan rendered, staged with
a commit, sent; a staff member's message in a batch, its action described with a code or done;
and the changes staff ask for on the command line (`StaffDesk`), the purge of old data included."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from ..core.decide.ideas import IdeaChange, IdeaError, advance, decline, draft_group, validate
from ..core.decide.ideas import find as find_idea
from ..core.decide.member import state_after
from ..core.decide.overrides import plan_group_reset, reset_keys
from ..core.decide.staff_answers import decide_staff_message
from ..core.decide.staff_plans import (
    Plan,
    find_group,
    plan_add,
    plan_candidate_action,
    plan_group_change,
    plan_idea,
    plan_question_done,
)
from ..core.write.plan_text import plan_lines
from ..core.write.privacy import PurgePlan, purge_plan
from ..errors import StaffActionError
from ..model.values import CallStatus, Decision, Intent, State
from ..ports import StatePort
from ..store.codecs import ledger_from_json
from .context import Context, read_records
from .delivery import deliver
from .outbox import (
    Outgoing,
    alert_message,
    check_filled,
    enqueue,
    outgoing,
    promotion_alerts,
    queue_alerts,
)
from .past import Past, archive, waiting_past
from .quarantine import Quarantined, choose, listing, release
from .review.settle import change_review, drop_superseded

log = logging.getLogger("mailflow.staff")


def render_plan(ctx: Context, plan: Plan) -> list[Outgoing]:
    """The mail the plan sends, written with the groups as they will be."""
    now = ctx.clock()
    renderer = ctx.renderer.for_groups(plan.after.groups)
    return [outgoing(renderer, reply, now) for reply in plan.replies]


def plan_alerts(ctx: Context, plan: Plan) -> list[Outgoing]:
    """The alerts a plan sends staff: the promotions they did not ask for themselves."""
    return promotion_alerts(ctx, plan.after, plan.replies) if plan.alert_promotions else []


def stage_plan(ctx: Context, plan: Plan, messages: list[Outgoing], actor: str) -> None:
    """What a plan writes besides the state and its mail: staff's change to a group (with when
    and by whom) or its return to the file's values, a drafted group, the history naming
    `actor` (plain records: nothing here can fail on the mail).

    Written with the commit that records the plan's state (a command's, or a mail batch's).
    """
    store = ctx.store
    if plan.reset and plan.group_id is not None:
        store.reset_group_override(plan.group_id, plan.reset)
    if plan.override and plan.group_id is not None:
        store.set_group_override(plan.group_id, plan.override, at=ctx.clock(), by=actor)
    if plan.drafted is not None:
        store.save_drafted_group(*plan.drafted)
    change_review(ctx, plan, actor)  # an outcome no longer reviewed, or reviewed again
    drop_superseded(ctx, plan, actor)  # a reply held for review the plan makes needless
    sent = {"sent": [f"{m.outcome} → {', '.join(m.to)}" for m in messages]} if plan.lists_sent else {}
    store.record_history({"at": ctx.clock().isoformat(), "actor": actor, "action": plan.action,
                          **plan.history, **sent})
    log.info("action de l’équipe par %s : %s", actor, plan.summary)


def apply_plan(ctx: Context, plan: Plan, messages: list[Outgoing], actor: str) -> None:
    """Record the change, queue its mail, write the history naming `actor`: one commit, then send.

    The plan must have been made from the store's current state (the store's lock held since).
    """
    store = ctx.store
    now = ctx.clock()
    with store.transaction():
        alerts = plan_alerts(ctx, plan)
        store.save_state(plan.before, plan.after)
        queue_alerts(ctx, alerts)
        stage_plan(ctx, plan, messages, actor)
        for item in messages:
            enqueue(store, item, plan.key, now)
        check_filled(ctx, plan.before, plan.after)
    deliver(ctx)


@dataclass
class StaffOutcome:
    """What a staff member's message leads to, nothing of it written yet: the decision, the
    state after it, the mail it sends, and the plan to stage with the batch's commit."""

    decision: Decision
    after: State
    messages: list[Outgoing] = field(default_factory=list)
    staged: tuple[Plan, list[Outgoing]] | None = None  # a plan confirmed, and its members' mail


def staff_message(ctx: Context, state: State, intent: Intent, now: datetime) -> StaffOutcome:
    """Decide a staff member's message: the state after it and the mail it sends.

    An action described (not applied) renders its members' mail only to say what will go; an
    action confirmed is staged in the batch's commit, its mail queued with the answer to staff.
    """
    settings = ctx.settings
    own = (*settings.network.staff, settings.network.address.lower())
    answer = decide_staff_message(state, intent, now, ctx.new_token, settings.tz, own)
    decision, plan = answer.decision, answer.plan
    alerts = []
    if answer.unverified:  # nothing done, nothing sent to the sender: staff hear of it
        alerts.append(alert_message(ctx, "staff-unverified", sender=intent.sender,
                                    subject=intent.message.subject, reason=answer.unverified))
    if plan is None:
        renderer = ctx.renderer.for_groups(state.groups)
        return StaffOutcome(decision, state_after(state, decision),
                            [*(outgoing(renderer, r, now) for r in decision.replies), *alerts])
    answers: list[Outgoing] = []
    members: list[Outgoing] = []
    # The answer to staff: the groups as the plan leaves them once done, else as they are.
    renderer = ctx.renderer.for_groups((plan.after if answer.confirmed else state).groups)
    for reply, described in zip(decision.replies, answer.plans or (plan,), strict=False):
        members = render_plan(ctx, described)  # written with the groups as they will be
        told = plan_lines(described, [(m.outcome, m.to, m.subject) for m in members],
                          applied=answer.confirmed, tz=settings.tz, by_email=True)
        # the first line repeats the action
        answers.append(outgoing(renderer, replace(reply, details=_nested(told[1:])), now))
    if answer.confirmed:
        alerts += plan_alerts(ctx, plan)
    if not answer.confirmed:
        return StaffOutcome(decision, state_after(state, decision), [*answers, *alerts])
    # The plan is staged with the batch's commit, once nothing of this message can fail.
    return StaffOutcome(decision, state_after(plan.after, decision), [*members, *answers, *alerts],
                        (plan, members))


def _nested(lines: list[str]) -> tuple[str, ...]:
    """The plan's lines as a list: indented only under a line that announces them (« : »)."""
    out: list[str] = []
    under = False
    for line in lines:
        if line[:1].isspace():
            out.append(f"  {line.strip()}" if under else line.strip())
        else:
            under = line.rstrip().endswith(":")
            out.append(line)
    return tuple(out)


# --- the command line's changes --------------------------------------------------------------

#: (outcome value, recipients, subject) of one message a change sends.
Send = tuple[str, list[str], str]
Make = Callable[[State, datetime], Plan]


@dataclass(frozen=True)
class StaffChange:
    """A change staff asked for: its plan, the mail it sends, and whether it was applied (not on
    a dry run; not when there was nothing to do, `unchanged`)."""

    plan: Plan
    sends: list[Send]
    applied: bool
    unchanged: bool = False


@dataclass(frozen=True)
class StaffDesk:
    """Staff's changes, each planned on the state as it stands, applied (unless a dry run) in
    one commit with its history naming `actor`, then its mail sent. `ctx` holds the store's lock
    from the plan to the commit: the plan applied is the one the command shows. A dry run's
    context is read-only."""

    ctx: Context
    actor: str
    dry_run: bool = False

    def carry_out(self, make: Make, idle: Callable[[Plan], bool] | None = None) -> StaffChange:
        """Plan with `make` on the current state; apply the plan unless `idle` says there is
        nothing to do, or this is a dry run."""
        plan = make(self.ctx.state(), self.ctx.clock())
        if idle is not None and idle(plan):
            return StaffChange(plan, [], applied=False, unchanged=True)
        messages = render_plan(self.ctx, plan)
        sends = [(item.outcome, item.to, item.subject) for item in messages]
        if not self.dry_run:
            apply_plan(self.ctx, plan, messages, self.actor)
        return StaffChange(plan, sends, applied=not self.dry_run)

    # candidatures

    def add_candidature(self, group: str, *, email: str, name: str, department: str,
                        structure: str | None, role: str | None,
                        received_at: datetime | None) -> StaffChange:
        """A candidature taken in person, placed by its time (now when none is given)."""
        return self.carry_out(lambda state, now: plan_add(
            state, group, now, email=email, name=name, department=department,
            structure=structure, role=role, received_at=received_at or now))

    def act_on_candidature(self, action: str, candidature_id: str, reason: str) -> StaffChange:
        """Withdraw, refuse or promote one candidature."""
        return self.carry_out(lambda state, now: plan_candidate_action(
            state, action, candidature_id, reason, now))

    # groups

    def change_group(self, group: str, *, call: CallStatus | None, capacity: int | None,
                     starts_at: datetime | None, place: str | None,
                     closes_at: datetime | str | None) -> StaffChange:
        """A group's call, capacity, first meeting or closing date changed; unchanged when it
        already is so."""
        return self.carry_out(lambda state, now: plan_group_change(
            state, group, now, call=call, capacity=capacity, starts_at=starts_at, place=place,
            closes_at=closes_at), idle=lambda plan: not plan.override)

    def reset_group(self, group: str, key: str | None) -> tuple[StaffChange, list[str]]:
        """Back to groups.toml's values (all of staff's changes, or the one named); the keys
        asked for, as the file names them, come with the change."""
        keys = reset_keys([key] if key else [])
        ctx = self.ctx

        def make(state: State, now: datetime) -> Plan:
            group_id = find_group(state, group)
            override = ctx.store.group_overrides().get(group_id, {})  # the store `state` is of
            return plan_group_reset(state, group_id, ctx.settings.groups, override, keys, now)

        return self.carry_out(make, idle=lambda plan: not plan.reset), keys

    # ideas and questions

    def advance_idea(self, idea_id: str) -> StaffChange:
        """received → discussion → note-received (the member is told their note is on file)."""
        return self._idea("idea-advance", lambda state, now: advance(find_idea(state, idea_id), now,
                                                                     self.actor))

    def validate_idea(self, idea_id: str, board: date, co_animated: bool) -> StaffChange:
        """The board validated the idea on that date (at most 5 co-animated groups a year)."""
        return self._idea("idea-validate", lambda state, now: validate(
            state, idea_id, board, co_animated, now, self.actor))

    def decline_idea(self, idea_id: str, reason: str) -> StaffChange:
        """The idea declined; the member is told the reason."""
        return self._idea("idea-decline", lambda state, now: decline(
            find_idea(state, idea_id), reason, now, self.actor))

    def draft_group(self, idea_id: str, *, group_id: str | None, title: str | None,
                    context: str | None) -> StaffChange:
        """A draft group from a validated idea, for staff to complete and open."""
        return self._idea("idea-draft", lambda state, now: draft_group(
            state, idea_id, now, self.actor, self.ctx.settings.tz, group_id=group_id, title=title,
            context=context))

    def _idea(self, action: str, change: Callable[[State, datetime], IdeaChange]) -> StaffChange:
        def make(state: State, now: datetime) -> Plan:
            try:
                return plan_idea(state, change(state, now), action, now)
            except IdeaError as exc:
                raise StaffActionError(str(exc), by_email=exc.by_email) from None

        return self.carry_out(make)

    def close_question(self, question_id: str) -> StaffChange:
        """A question answered outside the mailbox, closed; unchanged when it already was."""
        return self.carry_out(lambda state, now: plan_question_done(state, question_id, self.actor,
                                                                    now),
                              idle=lambda plan: plan.empty)

    # mail set aside

    def archive_old_mail(self) -> Past:
        """Set the mail older than mailflow's start aside as history, never answered (a dry run
        only counts it)."""
        if self.dry_run:
            return waiting_past(self.ctx, self.ctx.clock())
        return archive(self.ctx, self.actor, self.ctx.clock())

    def put_back(self, numbers: list[int], *, every: bool) -> list[Quarantined]:
        """Put messages of the quarantine back in the inbox, decided at the next look with their
        arrival kept; the messages chosen (a dry run only chooses them)."""
        chosen = choose(listing(self.ctx), numbers, every)
        if chosen and not self.dry_run:
            release(self.ctx, chosen, self.actor)
        return chosen

    # personal data

    def purge(self, before: datetime) -> PurgePlan:
        """Anonymise the candidatures of the groups that met before the date, in one commit (the
        backup made a copy of the result, so that the data is not kept there)."""
        store, network = self.ctx.store, self.ctx.settings.network
        kept = read_records(store, self.ctx.settings)
        plan = purge_plan(kept.state, kept.ledger, kept.outbox, kept.history, before,
                          secrets.token_bytes(16), staff=(*network.staff, network.address),
                          sent=store.sent_records())
        if plan.empty or self.dry_run:
            return plan
        with store.transaction():
            _stage_purge(store, kept.state, plan)
            # The record names no one: counts only, so the trail stays without the data it erased.
            store.record_history({"at": self.ctx.clock().isoformat(), "actor": self.actor,
                                  "action": "privacy-purge", "before": before.isoformat(),
                                  "groups": plan.groups, "counts": plan.counts()})
        store.forget_backup()
        return plan


def _stage_purge(store: StatePort, state: State, plan: PurgePlan) -> None:
    """The purge's changes to the state and to the journal's records, for the next commit."""
    changed = {c.id: c for c in plan.candidatures}
    gone = {q.token_hash for q in plan.pending}
    after = replace(
        state,
        candidatures=tuple(changed.get(c.id, c) for c in state.candidatures),
        pending=(*[p for p in state.pending if p.token_hash not in gone], *plan.pending),
        questions=tuple({q.id: q for q in (*state.questions, *plan.questions)}.values()),
    )
    store.save_state(state, after)
    store.rewrite_ledger([ledger_from_json(d) for d in plan.ledger])
    store.rewrite_delivered([{k: v for k, v in doc.items() if k != "raw_b64"} for doc in plan.outbox])
    if plan.history is not None:
        store.replace_history(plan.history)
    store.rewrite_sent(plan.sent)
