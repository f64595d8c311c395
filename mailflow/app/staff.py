"""Staff actions applied the one way, from a command or an email: a plan rendered, staged with
a commit, sent; and a staff member's message in a batch, its action described with a code or done."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime

from ..core.decide.member import apply
from ..core.decide.staff_answers import staff_decide
from ..core.decide.staff_plans import Plan
from ..core.write.plan_text import plan_lines
from ..model.values import Decision, Intent, State
from .alerts import alert_message, check_filled, promotion_alerts, queue_alerts
from .context import Context
from .delivery import deliver
from .outbox import Outgoing, enqueue, outgoing

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
    answer = staff_decide(state, intent, now, ctx.new_token(), settings.tz, own)
    decision, plan = answer.decision, answer.plan
    alerts = []
    if answer.unverified:  # nothing done, nothing sent to the sender: staff hear of it
        alerts.append(alert_message(ctx, "staff-unverified", sender=intent.sender,
                                    subject=intent.message.subject, reason=answer.unverified))
    if plan is None:
        renderer = ctx.renderer.for_groups(state.groups)
        return StaffOutcome(decision, apply(state, decision),
                            [*(outgoing(renderer, r, now) for r in decision.replies), *alerts])
    members = render_plan(ctx, plan)  # written with the groups as they will be
    told = plan_lines(plan, [(m.outcome, m.to, m.subject) for m in members],
                      applied=answer.apply, tz=settings.tz)
    details = _nested(told[1:])  # the first line repeats the action
    # The answer to staff: the groups as the plan leaves them once done, else as they are.
    renderer = ctx.renderer.for_groups((plan.after if answer.apply else state).groups)
    answers = [outgoing(renderer, replace(r, details=details), now) for r in decision.replies]
    if answer.apply:
        alerts += plan_alerts(ctx, plan)
    if not answer.apply:
        return StaffOutcome(decision, apply(state, decision), [*answers, *alerts])
    # The plan is staged with the batch's commit, once nothing of this message can fail.
    return StaffOutcome(decision, apply(plan.after, decision), [*members, *answers, *alerts],
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
