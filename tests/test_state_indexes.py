"""The state's lookups carried from decision to decision are those worked out from scratch."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from mailflow.model.values import Candidature, Indexes, Profile, State, Status

T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
GROUPS = ("ot-ruraux", "role-ot", "porteurs")
EMAILS = ("a@ot.fr", "b@ot.fr", "c@ot.fr", "d@ot.fr")

# One step: add a new candidature (group, address, minutes after T0: several share a minute, as
# in a burst) or change the status of one already there (chosen by its rank).
step = st.one_of(
    st.tuples(st.just("add"), st.sampled_from(GROUPS), st.sampled_from(EMAILS),
              st.integers(0, 5)),
    st.tuples(st.just("change"), st.integers(0, 50), st.sampled_from(list(Status)),
              st.integers(0, 5)),
)


def _apply(state: State, move: tuple[object, ...], seq: int) -> State:
    if move[0] == "add" or not state.candidatures:
        group = move[1] if move[0] == "add" else GROUPS[0]
        email = move[2] if move[0] == "add" else EMAILS[0]
        minutes = move[3]
        assert isinstance(group, str) and isinstance(email, str) and isinstance(minutes, int)
        cand = Candidature(id=f"C{seq:04d}", group_id=group, email=email, name=None,
                           profile=Profile(), status=Status.WAITLISTED, seq=seq,
                           received_at=T0 + timedelta(minutes=minutes), message_key=f"k{seq}")
        return state.with_candidatures(cand)
    rank, status = move[1], move[2]
    assert isinstance(rank, int) and isinstance(status, Status)
    target = state.candidatures[rank % len(state.candidatures)]
    return state.with_candidatures(replace(target, status=status))


@hsettings(max_examples=200, deadline=None)
@given(st.lists(step, max_size=40))
def test_carried_lookups_match_those_worked_out_afresh(moves: list[tuple[object, ...]]) -> None:
    state = State(groups={}, departments={})
    state.indexes()  # worked out once, then carried
    for seq, move in enumerate(moves, 1):
        state = _apply(state, move, seq)
    carried = state.indexes()
    fresh = Indexes.of(state.candidatures)
    assert carried.by_group == fresh.by_group
    assert carried.by_email == fresh.by_email
    assert carried.counts == fresh.counts
    assert carried.by_id == fresh.by_id
    assert carried.positions == fresh.positions
    assert len({c.id for c in state.candidatures}) == len(state.candidatures)


def test_a_change_keeps_the_candidature_in_its_place() -> None:
    first = Candidature("C0001", "ot-ruraux", "a@ot.fr", None, Profile(), Status.CONFIRMED, 1, T0, "k1")
    second = replace(first, id="C0002", seq=2, email="b@ot.fr", received_at=T0 + timedelta(1))
    state = State(groups={}, departments={}).with_candidatures(first, second)
    changed = state.with_candidatures(replace(first, status=Status.WITHDRAWN))
    assert [c.id for c in changed.candidatures] == ["C0001", "C0002"]
    assert changed.counts("ot-ruraux") == (1, 0)
    assert [c.status for c in changed.of_group("ot-ruraux")] == [Status.WITHDRAWN, Status.CONFIRMED]
