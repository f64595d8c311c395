"""`decide` as a specification: tables of cases and properties over random arrival sequences."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from mailflow.config.settings import Settings
from mailflow.core.decide.member import decide, state_after
from mailflow.core.decide.places import calls, position
from mailflow.model.values import (
    CallStatus,
    Decision,
    Figure,
    Intent,
    IntentKind,
    Outcome,
    Profile,
    Role,
    Scale,
    State,
    Status,
    Territory,
)

from .helpers.messages import RURAL_DIRECTOR, TOKEN, inbound, intent
from .helpers.project import NOW
from .helpers.worlds import confirmed_withdrawal


def run(state: State, *intents: Intent) -> tuple[State, list[Decision]]:
    decisions = []
    for it in intents:
        if it.kind is IntentKind.WITHDRAWAL:
            decision = confirmed_withdrawal(state, it)
        else:
            decision = decide(state, it, NOW)
        state = state_after(state, decision)
        decisions.append(decision)
    return state, decisions


def director(n: int, department: str, **changes: Any) -> Profile:
    return replace(RURAL_DIRECTOR, name=f"Membre {n}", department=department, **changes)


def apply_to(group: str, n: int, department: str = "24", **changes: Any) -> Intent:
    return intent(group=group, sender=f"m{n}@ot.fr", profile=director(n, department, **changes))


# --- tables of single decisions ----------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "outcome", "reason_part"),
    [
        ({}, Outcome.CONFIRMED, ""),
        ({"role": Role.OTHER, "role_text": "chargée de communication"}, Outcome.REFUSED,
         "réservé aux directeurs"),
        ({"territories": frozenset({Territory.COASTAL})}, Outcome.REFUSED, "littoral"),
        ({"territories": frozenset({Territory.MOUNTAIN})}, Outcome.REFUSED, "montagne"),
        ({"scale": Scale.COMMUNAL}, Outcome.REFUSED, "intercommunale"),
        ({"fte": Figure.exact(12)}, Outcome.REFUSED, "moins de 10 ETP"),
        ({"fte": Figure.exact(10)}, Outcome.REFUSED, "10 ETP"),
        ({"population": Figure.exact(25000)}, Outcome.REFUSED, "20\u202f000"),
        ({"population": Figure.exact(20000)}, Outcome.CONFIRMED, ""),
        # Figures said roughly: settled when the whole range is on one side, else asked about.
        ({"fte": Figure(0, 10, high_open=True, said="moins de 10 ETP")}, Outcome.CONFIRMED, ""),
        ({"fte": Figure(10, 12, low_open=True, said="un peu plus de 10 ETP")}, Outcome.REFUSED,
         "plus de"),
        ({"population": Figure(11250, 13750, said="environ 12 500")}, Outcome.CONFIRMED, ""),
        ({"population": Figure(18000, 22000, said="environ 20 000")}, Outcome.NEEDS_INFO, ""),
        ({"fte": Figure(0, 12, low_open=True, said="une dizaine de salariés")},
         Outcome.NEEDS_INFO, ""),
        # A count of people is at most that many ETP: never refused on it, asked when it may be over.
        ({"fte": Figure(11, 11, said="11 salariés", people=True)}, Outcome.NEEDS_INFO, ""),
        ({"fte": Figure(3, 3, said="on est 3", people=True)}, Outcome.CONFIRMED, ""),
        ({"fte": None}, Outcome.NEEDS_INFO, ""),
        ({"role": None}, Outcome.NEEDS_INFO, ""),
        ({"territories": frozenset()}, Outcome.NEEDS_INFO, ""),
        ({"territories": frozenset(), "not_territories": frozenset({Territory.COASTAL,
                                                                    Territory.MOUNTAIN})},
         Outcome.CONFIRMED, ""),
        ({"department": None}, Outcome.NEEDS_INFO, ""),
    ],
)
def test_one_candidature_to_the_rural_group(fresh_state: State, changes: dict[str, Any],
                                            outcome: Outcome, reason_part: str) -> None:
    profile = replace(RURAL_DIRECTOR, **changes)
    decision = decide(fresh_state, intent(profile=profile), NOW)
    assert decision.outcome is outcome
    assert len(decision.replies) == 1
    assert decision.replies[0].outcome is outcome
    assert reason_part in decision.replies[0].reason


@pytest.mark.parametrize(
    ("missing_fields", "expected"),
    [
        ({"fte": None}, ("fte",)),
        ({"fte": None, "population": None}, ("fte", "population")),
        ({"structure": None, "scale": None}, ("structure", "scale")),
        ({"department": None, "role": None}, ("role", "department")),
    ],
)
def test_needs_info_asks_for_exactly_what_is_missing(fresh_state: State,
                                                     missing_fields: dict[str, Any],
                                                     expected: tuple[str, ...]) -> None:
    profile = replace(RURAL_DIRECTOR, **missing_fields)
    decision = decide(fresh_state, intent(profile=profile), NOW)
    assert decision.replies[0].missing == expected


def test_contradiction_beats_missing_information(fresh_state: State) -> None:
    profile = replace(RURAL_DIRECTOR, fte=None, role=Role.OTHER, role_text="stagiaire")
    assert decide(fresh_state, intent(profile=profile), NOW).outcome is Outcome.REFUSED


def test_open_group_without_criteria_needs_no_profile_rule(fresh_state: State) -> None:
    profile = Profile(name="Paul Martin", structure="PAT Val de Garonne", role=Role.OTHER,
                      role_text="chargé de mission", department="47")
    decision = decide(fresh_state, intent(group="porteurs-de-projet", profile=profile), NOW)
    assert decision.outcome is Outcome.CONFIRMED
    assert decision.replies[0].position == 1


def test_confirmed_reply_gives_place_n(fresh_state: State) -> None:
    _state, decisions = run(fresh_state, *(apply_to("role-ot", n) for n in range(3)))
    assert [d.replies[0].position for d in decisions] == [1, 2, 3]


def test_same_address_same_group_gets_no_second_place(fresh_state: State) -> None:
    first = apply_to("role-ot", 1)
    again = intent(group="role-ot", sender="m1@ot.fr", profile=director(1, "24"))
    state, decisions = run(fresh_state, first, again)
    assert decisions[1].outcome is Outcome.DUPLICATE
    assert "place 1 sur 15" in decisions[1].replies[0].reason
    assert sum(c.email == "m1@ot.fr" for c in state.candidatures) == 1


def test_same_address_may_apply_to_two_groups(fresh_state: State) -> None:
    _state, decisions = run(fresh_state, apply_to("role-ot", 1), apply_to("ot-ruraux", 1))
    assert [d.outcome for d in decisions] == [Outcome.CONFIRMED, Outcome.CONFIRMED]


@pytest.mark.parametrize(
    ("call", "closes_in", "expected"),
    [
        (CallStatus.OPEN, None, Outcome.CONFIRMED),
        (CallStatus.CLOSED, None, Outcome.CLOSED),
        (CallStatus.DRAFT, None, Outcome.CLOSED),
        (CallStatus.OPEN, timedelta(hours=1), Outcome.CONFIRMED),
        (CallStatus.OPEN, timedelta(seconds=0), Outcome.CLOSED),
        (CallStatus.OPEN, -timedelta(days=1), Outcome.CLOSED),
    ],
)
def test_call_must_be_open(fresh_state: State, call: CallStatus, closes_in: timedelta | None,
                           expected: Outcome) -> None:
    group = replace(fresh_state.groups["role-ot"], call=call,
                    closes_at=NOW + closes_in if closes_in is not None else None)
    state = replace(fresh_state, groups={**fresh_state.groups, "role-ot": group})
    assert decide(state, apply_to("role-ot", 1), NOW).outcome is expected


def test_full_group_closes_itself_and_later_candidates_wait(fresh_state: State) -> None:
    state, decisions = run(fresh_state, *(apply_to("role-ot", n) for n in range(17)))
    outcomes = [d.outcome for d in decisions]
    assert outcomes == [Outcome.CONFIRMED] * 15 + [Outcome.WAITLISTED] * 2
    assert [d.replies[0].position for d in decisions[15:]] == [1, 2]
    assert decisions[16].replies[0].reason == "le groupe est complet"
    summary = next(c for c in calls(state, NOW) if c.group_id == "role-ot")
    assert (summary.taken, summary.places_left, summary.waiting) == (15, 0, 2)


def test_department_quota_sends_the_third_to_the_waiting_list(fresh_state: State) -> None:
    _state, decisions = run(fresh_state, *(apply_to("ot-ruraux", n, "24") for n in range(3)),
                           apply_to("ot-ruraux", 9, "23"))
    assert [d.outcome for d in decisions] == [Outcome.CONFIRMED, Outcome.CONFIRMED,
                                             Outcome.WAITLISTED, Outcome.CONFIRMED]
    assert "Dordogne (24)" in decisions[2].replies[0].reason
    assert "2 places" in decisions[2].replies[0].reason


def test_coastal_department_quota_is_one(fresh_state: State) -> None:
    # An inland, rural office can sit in a coastal department (inland Gironde).
    _, decisions = run(fresh_state, apply_to("ot-ruraux", 1, "33"), apply_to("ot-ruraux", 2, "33"))
    assert [d.outcome for d in decisions] == [Outcome.CONFIRMED, Outcome.WAITLISTED]
    assert "quota de 1 place pour le département Gironde (33)" in decisions[1].replies[0].reason


def test_withdrawal_frees_the_place_for_the_next_eligible(fresh_state: State) -> None:
    arrivals = [apply_to("role-ot", n) for n in range(16)]
    state, _ = run(fresh_state, *arrivals)
    leave = intent(IntentKind.WITHDRAWAL, group=None, sender="m3@ot.fr", profile=Profile())
    state, (decision,) = run(state, leave)
    assert decision.outcome is Outcome.WITHDRAWN
    assert [r.template for r in decision.replies] == ["withdrawn", "promoted"]
    assert decision.replies[1].to == "m15@ot.fr"
    promoted = next(c for c in state.candidatures if c.email == "m15@ot.fr")
    assert promoted.status is Status.CONFIRMED


def test_promotion_skips_a_department_whose_quota_is_full(fresh_state: State) -> None:
    # Fill the group: 8 inland departments x 2 + 4 coastal x 1 = 20 places.
    inland = ["16", "19", "23", "24", "47", "79", "86", "87"]
    coastal = ["17", "33", "40", "64"]
    arrivals = [apply_to("ot-ruraux", i * 10 + k, d) for i, d in enumerate(inland) for k in (0, 1)]
    arrivals += [apply_to("ot-ruraux", 200 + i, d) for i, d in enumerate(coastal)]
    waiting = [apply_to("ot-ruraux", 300, "24"), apply_to("ot-ruraux", 301, "16")]
    state, decisions = run(fresh_state, *arrivals, *waiting)
    assert [d.outcome for d in decisions[-2:]] == [Outcome.WAITLISTED, Outcome.WAITLISTED]
    # A member from Charente (16) leaves: the Dordogne (24) member waits on, the Charente one gets in.
    leave = intent(IntentKind.WITHDRAWAL, group="ot-ruraux", sender="m0@ot.fr", profile=Profile())
    state, (decision,) = run(state, leave)
    assert [r.to for r in decision.replies] == ["m0@ot.fr", "m301@ot.fr"]
    status = {c.email: c.status for c in state.candidatures}
    assert status["m300@ot.fr"] is Status.WAITLISTED
    assert status["m301@ot.fr"] is Status.CONFIRMED


def test_withdrawal_without_candidature_gets_help(fresh_state: State) -> None:
    leave = intent(IntentKind.WITHDRAWAL, group=None, sender="nobody@ot.fr", profile=Profile())
    decision = decide(fresh_state, leave, NOW, TOKEN)
    assert decision.outcome is Outcome.HELP
    assert "aucune candidature" in decision.replies[0].reason


def test_answer_to_needs_info_completes_in_the_original_place(fresh_state: State) -> None:
    partial = intent(profile=replace(RURAL_DIRECTOR, fte=None), sender="early@ot.fr")
    state, first = run(fresh_state, partial)
    assert first[0].outcome is Outcome.NEEDS_INFO
    # The answer names no group and tells only the missing figure.
    answer = intent(IntentKind.QUESTION, group=None, sender="early@ot.fr",
                    profile=Profile(fte=Figure.exact(4)))
    state, (second,) = run(state, answer)
    assert second.outcome is Outcome.CONFIRMED
    cand = next(c for c in state.candidatures if c.email == "early@ot.fr")
    assert cand.seq == first[0].candidatures[0].seq
    assert cand.profile.fte == Figure.exact(4)


def test_held_place_counts_against_capacity(fresh_state: State) -> None:
    partial = [intent(group="role-ot", sender=f"p{n}@ot.fr",
                      profile=replace(director(n, "24"), role=None)) for n in range(15)]
    _state, decisions = run(fresh_state, *partial, apply_to("role-ot", 99))
    assert decisions[-1].outcome is Outcome.WAITLISTED


def test_refusal_after_answer_frees_the_held_place(fresh_state: State) -> None:
    partial = [intent(group="role-ot", sender=f"p{n}@ot.fr",
                      profile=replace(director(n, "24"), role=None)) for n in range(15)]
    state, _ = run(fresh_state, *partial, apply_to("role-ot", 99))
    answer = intent(group="role-ot", sender="p0@ot.fr",
                    profile=Profile(role=Role.OTHER, role_text="conseillère en séjour"))
    state, (decision,) = run(state, answer)
    assert decision.outcome is Outcome.REFUSED
    assert [r.to for r in decision.replies] == ["p0@ot.fr", "m99@ot.fr"]
    assert decision.replies[1].template == "promoted"


def test_candidature_without_group_asks_which(fresh_state: State) -> None:
    decision = decide(fresh_state, intent(group=None), NOW)
    assert decision.outcome is Outcome.NEEDS_INFO
    assert decision.replies[0].missing == ("group",)
    assert {c.group_id for c in decision.replies[0].calls} == set(fresh_state.groups)


@pytest.mark.parametrize(
    ("kind", "outcome", "template"),
    [
        (IntentKind.ROBOT, Outcome.NO_REPLY, None),
        (IntentKind.IDEA, Outcome.IDEA_RECEIVED, "idea_received"),
        # Only a person can answer a question: staff get it, the member is told so.
        (IntentKind.QUESTION, Outcome.QUESTION_FORWARDED, "question_received"),
    ],
)
def test_other_intents(fresh_state: State, kind: IntentKind, outcome: Outcome,
                       template: str | None) -> None:
    decision = decide(fresh_state, intent(kind, group=None), NOW)
    assert decision.outcome is outcome
    assert [r.template for r in decision.replies] == ([template] if template else [])


def test_idea_is_recorded(fresh_state: State) -> None:
    state, (decision,) = run(fresh_state, intent(IntentKind.IDEA, group=None))
    assert len(state.ideas) == 1 and state.ideas[0].id == decision.ideas[0].id
    assert state.next_seq == fresh_state.next_seq + 1


def test_replies_thread_on_the_member_message(fresh_state: State) -> None:
    it = intent(subject="RE : Candidature OT ruraux")
    reply = decide(fresh_state, it, NOW).replies[0]
    assert reply.in_reply_to == it.message.message_id
    assert reply.subject == "RE : Candidature OT ruraux"


# --- properties over random arrival sequences ----------------------------------------------

DEPARTMENTS = ["16", "17", "19", "23", "24", "33", "40", "47", "64", "79", "86", "87"]

arrival = st.tuples(
    st.integers(min_value=0, max_value=25),          # who (several messages may share an address)
    st.sampled_from(["ot-ruraux", "role-ot", "porteurs-de-projet"]),
    st.sampled_from(DEPARTMENTS),
    st.sampled_from(["ok", "ok", "ok", "missing", "refused", "withdraw"]),
)


def to_intent(who: int, group: str, department: str, kind: str) -> Intent:
    sender = f"m{who}@ot.fr"
    if kind == "withdraw":
        return intent(IntentKind.WITHDRAWAL, group=group, sender=sender, profile=Profile())
    profile = director(who, department)
    if kind == "missing":
        profile = replace(profile, fte=None)
    if kind == "refused":
        profile = replace(profile, role=Role.OTHER, role_text="stagiaire")
    return intent(group=group, sender=sender, profile=profile)


@hsettings(max_examples=150, deadline=None)
@given(st.lists(arrival, max_size=60))
def test_invariants_hold_for_any_arrival_sequence(shipped_settings: Settings,
                                                  arrivals: list[tuple[int, str, str, str]]) -> None:
    cfg = shipped_settings
    state = State(groups=cfg.groups, departments=cfg.departments)
    told: dict[str, int] = {}  # the place each holder was last told
    for item in arrivals:
        it = to_intent(*item)
        if it.kind is IntentKind.WITHDRAWAL:
            decision = confirmed_withdrawal(state, it)
        else:
            decision = decide(state, it, NOW)
        assert isinstance(decision.outcome, Outcome)  # one outcome per message
        state = state_after(state, decision)
        for reply in decision.replies:
            cand = state.candidature(reply.candidature_id or "")
            if cand is not None and cand.status is Status.CONFIRMED and reply.position is not None:
                told[cand.id] = reply.position
        for group in cfg.groups.values():
            mine = state.of_group(group.id)
            holders = [c for c in mine if c.status.holds_place]
            assert len(holders) <= group.capacity
            # Each holder has its own place, within the capacity, the one it was told.
            seats = [c.seat for c in holders]
            assert None not in seats and len(set(seats)) == len(seats)
            assert all(1 <= (c.seat or 0) <= group.capacity for c in holders)
            assert all(told.get(c.id, c.seat) == c.seat for c in holders)
            for code, dep in cfg.departments.items():
                quota = group.quota_for(dep)
                if quota is not None:
                    assert sum(c.profile.department == code for c in holders) <= quota
            # At most one active candidature per address and group.
            active = [c.email for c in mine if c.status.active]
            assert len(active) == len(set(active))
            # Nobody waits while a place they could take is free.
            if len(holders) < group.capacity:
                for c in mine:
                    if c.status is Status.WAITLISTED:
                        assert "quota" in c.reason


@hsettings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40), st.sampled_from(DEPARTMENTS)), max_size=40))
def test_confirmed_are_the_earliest_eligible_arrivals(shipped_settings: Settings,
                                                      arrivals: list[tuple[int, str]]) -> None:
    cfg = shipped_settings
    state = State(groups=cfg.groups, departments=cfg.departments)
    group = cfg.groups["ot-ruraux"]
    expected: list[str] = []
    per_department: dict[str, int] = {}
    seen: set[str] = set()
    for who, department in arrivals:
        sender = f"m{who}@ot.fr"
        state = state_after(state, decide(state, apply_to("ot-ruraux", who, department), NOW))
        if sender in seen:
            continue
        seen.add(sender)
        quota = group.quota_for(cfg.departments[department]) or 0
        if len(expected) < group.capacity and per_department.get(department, 0) < quota:
            expected.append(sender)
            per_department[department] = per_department.get(department, 0) + 1
    confirmed = [c for c in state.of_group("ot-ruraux") if c.status is Status.CONFIRMED]
    assert [c.email for c in confirmed] == expected
    assert [position(state, c) for c in confirmed] == list(range(1, len(confirmed) + 1))


# --- withdrawals by email are confirmed by the registered address -------------------------------


def _confirmed_member(state: State) -> tuple[State, str]:
    state, _ = run(state, apply_to("role-ot", 1))
    return state, "m1@ot.fr"


def test_a_withdrawal_by_email_only_asks_for_confirmation(fresh_state: State) -> None:
    state, member = _confirmed_member(fresh_state)
    leave = intent(IntentKind.WITHDRAWAL, group=None, sender=member, profile=Profile())
    decision = decide(state, leave, NOW, TOKEN)
    assert decision.outcome is Outcome.CONFIRM_WITHDRAWAL
    (reply,) = decision.replies
    assert (reply.to, reply.token, reply.template) == (member, TOKEN, "confirm_withdrawal")
    assert reply.expires_at == NOW + timedelta(hours=72)
    (action,) = decision.pending
    assert action.token_hash != TOKEN and TOKEN not in repr(action)  # only the hash is kept
    after = state_after(state, decision)
    assert [c.status for c in after.candidatures] == [Status.CONFIRMED]


def test_the_code_from_another_address_confirms_nothing(fresh_state: State) -> None:
    state, member = _confirmed_member(fresh_state)
    leave = intent(IntentKind.WITHDRAWAL, group=None, sender=member, profile=Profile())
    state = state_after(state, decide(state, leave, NOW, TOKEN))
    stolen = Intent(IntentKind.QUESTION, inbound("intrus@example.com", "RE : confirmation"),
                    "intrus@example.com", None, tokens=(TOKEN,))
    decision = decide(state, stolen, NOW)
    assert decision.outcome is Outcome.QUESTION_FORWARDED  # a person looks at it; nothing changes
    assert [c.status for c in state_after(state, decision).candidatures] == [Status.CONFIRMED]


@pytest.mark.parametrize(("later", "uses"), [(timedelta(hours=73), 1), (timedelta(hours=1), 2)],
                         ids=["expired", "used-twice"])
def test_a_stale_code_is_refused_with_an_explanation(fresh_state: State, later: timedelta,
                                                     uses: int) -> None:
    state, member = _confirmed_member(fresh_state)
    leave = intent(IntentKind.WITHDRAWAL, group=None, sender=member, profile=Profile())
    state = state_after(state, decide(state, leave, NOW, TOKEN))
    answer = Intent(IntentKind.QUESTION, inbound(member, "RE : confirmation"), member, None,
                    tokens=(TOKEN,))
    for _ in range(uses):
        decision = decide(state, answer, NOW + later)
        state = state_after(state, decision)
    assert decision.outcome is Outcome.TOKEN_INVALID
    assert "a expiré ou a déjà servi" in decision.replies[0].reason
    expected = Status.CONFIRMED if uses == 1 else Status.WITHDRAWN
    assert [c.status for c in state.candidatures] == [expected]


def test_a_used_code_quoted_in_a_later_withdrawal_does_not_block_it(fresh_state: State) -> None:
    state, member = _confirmed_member(fresh_state)
    leave = intent(IntentKind.WITHDRAWAL, group=None, sender=member, profile=Profile())
    state = state_after(state, decide(state, leave, NOW, TOKEN))
    state = state_after(state, decide(state, Intent(IntentKind.QUESTION, inbound(member, "RE"), member,
                                              None, tokens=(TOKEN,)), NOW))
    assert [c.status for c in state.candidatures] == [Status.WITHDRAWN]
    state, _ = run(state, apply_to("role-ot", 1))  # back in the group, in a new thread
    again = Intent(IntentKind.WITHDRAWAL, inbound(member, "RE : RE : désistement"), member, None,
                   tokens=(TOKEN,))  # Outlook quotes the old code
    decision = decide(state, again, NOW, "MF-ZYXWVUTS98")
    assert decision.outcome is Outcome.CONFIRM_WITHDRAWAL
    assert decision.replies[0].token == "MF-ZYXWVUTS98"


# --- holds: double opt-in, late codes, replays ---------------------------------------------------


def _opt_in(state: State, hours: float = 48) -> State:
    group = replace(state.groups["role-ot"], confirm_within_hours=hours, capacity=2)
    return replace(state, groups={**state.groups, "role-ot": group})


def test_a_code_used_after_the_deadline_still_lets_the_hold_expire(fresh_state: State) -> None:
    from mailflow.core.decide.member import expire_unanswered

    state = _opt_in(fresh_state)
    state = state_after(state, decide(state, apply_to("role-ot", 1), NOW, TOKEN))
    assert [c.status for c in state.candidatures] == [Status.TO_CONFIRM]
    late = NOW + timedelta(hours=49)
    answer = Intent(IntentKind.QUESTION, inbound("m1@ot.fr", "RE"), "m1@ot.fr", None, tokens=(TOKEN,))
    decision = decide(state, answer, late)
    assert decision.outcome is Outcome.TOKEN_INVALID
    state = state_after(state, decision)
    state, expired = expire_unanswered(state, late, days=14)
    assert [d.outcome for d in expired] == [Outcome.HOLD_EXPIRED]
    assert [c.status for c in state.candidatures] == [Status.EXPIRED]


def test_places_held_for_confirmation_count_when_a_candidature_slots_in(fresh_state: State) -> None:
    from mailflow.core.decide.places import replay

    state = _opt_in(fresh_state)
    for n in (1, 2, 3):
        state = state_after(state, decide(state, apply_to("role-ot", n), NOW, f"MF-AAAAAAAAA{n}"))
    assert [c.status for c in state.of_group("role-ot")] == [Status.TO_CONFIRM, Status.TO_CONFIRM,
                                                              Status.WAITLISTED]
    state, up, _down = replay(state, "role-ot", NOW)
    assert up == []
    holders = [c for c in state.of_group("role-ot") if c.status.holds_place]
    assert len(holders) == 2


def test_expiry_ignores_a_group_removed_from_the_configuration(fresh_state: State) -> None:
    from mailflow.core.decide.member import expire_unanswered

    partial = intent(group="role-ot", sender="p@ot.fr", profile=replace(director(1, "24"), role=None))
    state = state_after(fresh_state, decide(fresh_state, partial, NOW))
    groups = {k: v for k, v in state.groups.items() if k != "role-ot"}
    state = replace(state, groups=groups)
    state, expired = expire_unanswered(state, NOW + timedelta(days=30), days=14)
    assert expired == []


def test_candidatures_and_ideas_are_numbered_each_in_their_own_series(shipped_settings: Settings) -> None:
    state = State(groups=shipped_settings.groups, departments=shipped_settings.departments)
    state, _ = run(state, intent(sender="rural@ot-confolentais.fr"))
    idea = intent(IntentKind.IDEA, None, "idee@ot-medoc.fr")
    state, _ = run(state, idea)
    state, _ = run(state, intent(sender="autre@ot-gers.fr"))
    assert [c.id for c in state.candidatures] == ["C0001", "C0002"]
    assert [i.id for i in state.ideas] == ["I0001"]
    assert state.new_id("Q") == "Q0001" and state.new_id("C") == "C0003"
    # a store from before the series counts from the ids it holds
    assert replace(state, numbers={}).new_id("I") == "I0002"
