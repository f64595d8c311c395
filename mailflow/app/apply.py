"""The one way a staff change is applied, from a command or an email: render, commit, send."""

from __future__ import annotations

import logging

from ..core.staff import Plan
from .alerts import check_filled, promotion_alerts, queue_alerts
from .context import Context
from .delivery import deliver
from .outbox import Outgoing, enqueue, outgoing

log = logging.getLogger("mailflow.staff")


def render_plan(ctx: Context, plan: Plan) -> list[Outgoing]:
    """The mail the plan sends, written with the groups as they will be."""
    now = ctx.clock()
    ctx.renderer.use_groups(plan.after.groups)
    return [outgoing(ctx.renderer, reply, now) for reply in plan.replies]


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
    try:
        alerts = plan_alerts(ctx, plan)
        store.save_state(plan.before, plan.after)
        queue_alerts(ctx, alerts)
        stage_plan(ctx, plan, messages, actor)
        for item in messages:
            enqueue(store, item, plan.key, now)
        check_filled(ctx, plan.before, plan.after)
        store.commit()
    except BaseException:
        store.rollback()
        raise
    deliver(ctx)
