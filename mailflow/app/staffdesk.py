"""A staff member's message in a batch: the action described with its code, or applied."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from ..core.decide import apply
from ..core.plan_text import plan_lines
from ..core.staff import Plan
from ..core.staffmail import staff_decide
from ..model import Decision, Intent, State
from .alerts import alert_message
from .apply import plan_alerts, render_plan
from .context import Context
from .outbox import Outgoing, outgoing


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
        return StaffOutcome(decision, apply(state, decision),
                            [*(outgoing(ctx.renderer, r, now) for r in decision.replies), *alerts])
    try:
        members = render_plan(ctx, plan)  # written with the groups as they will be
        told = plan_lines(plan, [(m.outcome, m.to, m.subject) for m in members],
                          applied=answer.apply, tz=settings.tz)
        details = _nested(told[1:])  # the first line repeats the action
        if not answer.apply:
            ctx.renderer.use_groups(state.groups)  # nothing changed: the groups as they are
        answers = [outgoing(ctx.renderer, replace(r, details=details), now)
                   for r in decision.replies]
        if answer.apply:
            alerts += plan_alerts(ctx, plan)
    except BaseException:
        ctx.renderer.use_groups(state.groups)  # nothing applied: later mail of the batch neither
        raise
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
