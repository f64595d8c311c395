"""What staff read, from the store and the mailbox as they stand (nothing locked, nothing written,
nothing moved): the state, the calls, a group's candidatures, the ideas, the records, the
newsletter, the old mail and the quarantine, the store checked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..config.settings import Settings
from ..core.decide.ideas import IdeaError
from ..core.decide.ideas import current as current_ideas
from ..core.decide.ideas import find as find_idea
from ..core.decide.overrides import divergence_json, divergences
from ..core.decide.places import call_summary, closed_reason, position
from ..core.decide.staff_plans import find_group
from ..core.write.newsletter import render_newsletter
from ..core.write.privacy import privacy_export
from ..core.write.records import Event, history_view
from ..errors import MailflowError, StaffActionError
from ..model.network import Divergence
from ..model.values import Group, Idea, State, Status
from ..ports import SavedAttachment, StatePort
from .attachments import kept_attachments
from .context import read_records, read_state
from .past import Past, waiting_past
from .quarantine import Quarantined, choose, listing, readable_text
from .wiring import build_service, open_store, utc_now


def state(settings: Settings) -> State:
    """The state as it stands: the same as the daemon's (see `context.read_state`)."""
    with open_store(settings, read_only=True) as store:
        return read_state(store, settings)


@dataclass(frozen=True)
class Overview:
    """The state, and every setting where staff's change overrides the groups file."""

    state: State
    overrides: list[Divergence]

    def of_group(self, group_id: str) -> list[Divergence]:
        return [d for d in self.overrides if d.group_id == group_id]


def overview(settings: Settings) -> Overview:
    """The state and staff's changes in force over groups.toml, read together."""
    with open_store(settings, read_only=True) as store:
        return _overview(store, settings)


def _overview(store: StatePort, settings: Settings) -> Overview:
    found = read_state(store, settings)
    return Overview(found, divergences(settings.groups, found.groups, store.group_overrides()))


def group_rows(state: State, now: datetime,
               overrides: list[Divergence] | None = None) -> list[dict[str, Any]]:
    """Each group's call as `status` and `groups list` show it (and `--json` gives it)."""
    rows = []
    for group in state.groups.values():
        summary = call_summary(state, group, now)
        mine = state.of_group(group.id)
        rows.append({
            "id": group.id,
            "title": group.title,
            "call": group.call.value,
            "accepting": summary.accepting,
            "closed_reason": closed_reason(group, now),
            "full": summary.places_left == 0,
            "capacity": group.capacity,
            "confirmed": sum(c.status is Status.CONFIRMED for c in mine),
            "needs_info": sum(c.status is Status.NEEDS_INFO for c in mine),
            "taken": summary.taken,
            "left": summary.places_left,
            "waiting": summary.waiting,
            "closes_at": group.closes_at.isoformat() if group.closes_at else None,
            "first_meeting": group.first_meeting.starts_at.isoformat(),
            "place": group.first_meeting.place,
            **({"overrides": [divergence_json(d) for d in overrides if d.group_id == group.id]}
               if overrides is not None else {}),
        })
    return rows


def group_detail(settings: Settings, typed: str) -> tuple[Group, dict[str, Any], list[Divergence]]:
    """One group as `groups show` tells it: the group in force, its row with its rules, and the
    settings where staff's change overrides the file."""
    seen = overview(settings)
    group = seen.state.groups[find_group(seen.state, typed)]
    overrides = seen.of_group(group.id)
    row = next(r for r in group_rows(seen.state, utc_now(), overrides) if r["id"] == group.id)
    rules = group.criteria
    row.update({
        "context": group.context, "participants": group.participants,
        "commitment": group.commitment, "quotas": {"coastal": group.quota_coastal,
                                                   "inland": group.quota_inland},
        "criteria": {"roles": [r.value for r in rules.roles or ()],
                     "excluded_territories": [t.value for t in rules.excluded_territories],
                     "scale": rules.scale.value if rules.scale else None,
                     "fte_below": rules.fte_below,
                     "max_population": rules.max_population},
        "required": list(group.required),
        "confirm_within_hours": group.confirm_within_hours,
        "meeting_sequence": group.first_meeting.sequence,
    })
    return group, row, overrides


def candidatures(settings: Settings, typed: str) -> tuple[State, str, list[dict[str, Any]]]:
    """A group's candidatures in arrival order (drafted groups too), each with its place."""
    found = state(settings)
    group_id = find_group(found, typed)
    rows = [{
        "id": cand.id,
        "status": cand.status.value,
        "position": position(found, cand) if cand.status in (Status.CONFIRMED,
                                                             Status.WAITLISTED) else None,
        "name": cand.name,
        "email": cand.email,
        "structure": cand.profile.structure,
        "role": cand.profile.role_text,
        "department": cand.profile.department,
        "received_at": cand.received_at.isoformat(),
        "reason": cand.reason,
        "missing": list(cand.missing),
    } for cand in found.of_group(group_id)]
    return found, group_id, rows


def group_state(settings: Settings, typed: str) -> tuple[State, str]:
    """The state, and the id of the group staff typed (in any case; an unknown one is refused)."""
    found = state(settings)
    return found, find_group(found, typed)


def ideas(settings: Settings) -> list[Idea]:
    """Every idea as it stands, in arrival order."""
    return list(current_ideas(state(settings)).values())


@dataclass(frozen=True)
class IdeaView:
    """One idea, the staff actions on it, and the files kept (or refused) from its messages."""

    idea: Idea
    actions: list[dict[str, Any]]
    files: list[SavedAttachment]


def idea(settings: Settings, typed: str) -> IdeaView:
    """The idea with this id (any case), with what staff did to it and its files."""
    with open_store(settings, read_only=True) as store:
        try:
            found = find_idea(read_state(store, settings), typed)
        except IdeaError as exc:
            raise StaffActionError(str(exc)) from None
        actions = [h for h in store.history() if h.get("idea") == found.id]
    return IdeaView(found, actions, kept_attachments(settings, found.id))


def history(settings: Settings, target: str | None) -> tuple[str | None, list[Event]]:
    """The audit trail, all of it or one group's (typed in any case) or one address's."""
    with open_store(settings, read_only=True) as store:
        kept = read_records(store, settings)
    if target is not None and "@" not in target:
        try:
            target = find_group(kept.state, target)
        except StaffActionError:
            raise StaffActionError(f"« {target} » n’est ni un groupe ({', '.join(kept.state.groups)}) "
                                   "ni une adresse") from None
    return target, history_view(kept.state, kept.history, kept.ledger, kept.outbox, target,
                                settings.tz)


def personal_data(settings: Settings, email: str) -> dict[str, Any]:
    """Everything the store holds on one address (RGPD art. 15), as JSON values."""
    with open_store(settings, read_only=True) as store:
        kept = read_records(store, settings)
        reviews = store.reviews()
    return privacy_export(kept.state, kept.ledger, kept.outbox, kept.history, email, utc_now(), reviews)


def newsletter(settings: Settings, typed: list[str], *, html: bool) -> str:
    """The blocks of the groups asked (else of every open call) and the idea block."""
    found = state(settings)
    groups = [find_group(found, g) for g in typed]  # any case; an unknown one is refused
    return render_newsletter(settings.templates_dir, settings.network, found, utc_now(), groups,
                             html=html)


def old_mail(settings: Settings) -> Past:
    """The mail older than mailflow's start, waiting in the inbox unanswered."""
    service = build_service(settings, read_only=True)
    try:
        return waiting_past(service, utc_now())
    finally:
        service.close()


def quarantine(settings: Settings) -> list[Quarantined]:
    """The messages set aside, oldest first, numbered as staff name them."""
    service = build_service(settings, read_only=True)
    try:
        return listing(service)
    finally:
        service.close()


def quarantined(settings: Settings, number: int) -> tuple[Quarantined, str]:
    """One message set aside, and what it says as far as it can be read."""
    service = build_service(settings, read_only=True)
    try:
        item = choose(listing(service), [number], False)[0]
        raw = service.source.read_quarantined(item.key)
    finally:
        service.close()
    return item, readable_text(raw, item.key)


@dataclass(frozen=True)
class StoreCheck:
    """What `check-config` finds in the store: its state (None when unreadable), staff's changes
    in force over the file, each group's call as it stands, and the problems."""

    state: State | None
    overrides: list[Divergence]
    rows: list[dict[str, Any]]
    problems: list[str]


def check_store(settings: Settings) -> StoreCheck:
    """The store read as the daemon will read it, and what is wrong with it; when it cannot be
    read, the groups of the file with no candidature."""
    now = utc_now()
    try:
        seen = overview(settings)
    except MailflowError as exc:
        empty = State(groups=settings.groups, departments=settings.departments)
        return StoreCheck(None, [], group_rows(empty, now), [str(exc)])
    unknown = {c.group_id for c in seen.state.candidatures} - set(seen.state.groups)
    return StoreCheck(seen.state, seen.overrides, group_rows(seen.state, now),
                      [f"le fichier des données contient des candidatures du groupe inconnu « {g} »"
                       for g in unknown])
