"""A staff member's message in a batch: the action described with its code, or applied."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from ..core.decide import apply
from ..core.plan_text import plan_lines
from ..core.staffmail import staff_decide
from ..model import Decision, Intent, State
from .apply import render_plan, stage_plan
from .context import Context
from .outbox import Outgoing, outgoing


def staff_message(ctx: Context, state: State, intent: Intent,
                  now: datetime) -> tuple[Decision, State, list[Outgoing]]:
    """Decide a staff member's message: the state after it and the mail it sends.

    An action described (not applied) renders its members' mail only to say what will go; an
    action confirmed is staged in the batch's commit, its mail queued with the answer to staff.
    """
    settings = ctx.settings
    own = (*settings.network.staff, settings.network.address.lower())
    answer = staff_decide(state, intent, now, ctx.new_token(), settings.tz, own)
    decision, plan = answer.decision, answer.plan
    if plan is None:
        after = apply(state, decision)
        return decision, after, [outgoing(ctx.renderer, r, now) for r in decision.replies]
    members = render_plan(ctx, plan)
    told = plan_lines(plan, [(m.outcome, m.to, m.subject) for m in members], applied=answer.apply,
                      tz=settings.tz)
    details = _nested(told[1:])  # the first line repeats the action
    replies = [replace(r, details=details) for r in decision.replies]
    if not answer.apply:
        ctx.renderer.use_groups(state.groups)  # nothing changed: the groups as they are
        after = apply(state, decision)
        return decision, after, [outgoing(ctx.renderer, r, now) for r in replies]
    stage_plan(ctx, plan, members, intent.sender)
    after = apply(plan.after, decision)
    return decision, after, [*members, *(outgoing(ctx.renderer, r, now) for r in replies)]


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
