"""The merge rules, one at a time (the numbers follow the header of server/sync/merge.py)."""

import copy
import uuid
from collections.abc import Mapping
from typing import Any

import pytest

from server.sync.engine.hlc import HLC, MAX_SKEW_MS
from server.sync.engine.merge import NAMESPACE, conflict_id, merge, same_value
from server.sync.engine.types import Conflict, FieldMeta, Mutation, Outcome, RecordState

RID = "0b6c1d5e-2f3a-4b5c-8d9e-0f1a2b3c4d5e"
NOW = 1_732_273_000_000


def at(offset_ms: int = 0, client: str = "phone-a", counter: int = 0) -> HLC:
    """A stamp offset_ms after NOW."""
    return HLC(NOW + offset_ms, counter, client)


def put(
    fields: Mapping[str, Any],
    *,
    base: int = 0,
    hlc: HLC | None = None,
    author: str = "user-a",
    resolves: tuple[str, ...] = (),
) -> Mutation:
    """A put of fields on RID."""
    return Mutation(RID, "put", base, hlc or at(), fields, resolves, author)


def delete(*, base: int = 0, hlc: HLC | None = None, author: str = "user-a") -> Mutation:
    """A delete of RID."""
    return Mutation(RID, "delete", base, hlc or at(), {}, (), author)


def apply(
    current: RecordState | None, mutation: Mutation, version: int, now_ms: int = NOW
) -> Outcome:
    """merge with the server clock at NOW unless told otherwise."""
    return merge(current, mutation, version=version, now_ms=now_ms)


def created(fields: Mapping[str, Any], version: int = 1) -> RecordState:
    """A record created by user-a at NOW with the given fields."""
    return apply(None, put(fields, hlc=at()), version).state


# Rule 1: the incoming stamp is clamped first, and the clamped stamp is stored.


def test_a_stamp_far_ahead_is_clamped_and_stored_clamped() -> None:
    outcome = apply(None, put({"title": "x"}, hlc=at(MAX_SKEW_MS + 1, "fast")), 1)
    assert outcome.clock_clamped
    assert outcome.state.meta["title"].hlc == str(HLC(NOW, 0, "fast"))


def test_a_stamp_within_the_skew_is_stored_as_sent() -> None:
    outcome = apply(None, put({"title": "x"}, hlc=at(MAX_SKEW_MS, "fast", 3)), 1)
    assert not outcome.clock_clamped
    assert outcome.state.meta["title"].hlc == str(at(MAX_SKEW_MS, "fast", 3))


def test_a_clamped_phone_does_not_beat_a_later_honest_edit() -> None:
    fast = apply(None, put({"title": "fast"}, hlc=at(86_400_000, "fast"), author="u-f"), 1).state
    honest = put({"title": "honest"}, hlc=at(1_000, "slow"), author="u-s")
    outcome = apply(fast, honest, 2, now_ms=NOW + 1_000)
    assert outcome.state.fields["title"] == "honest"
    assert [c.value for c in outcome.state.conflicts] == ["fast"]


# Rule 2: a create sets every given field.


def test_a_create_sets_every_field_with_the_incoming_meta() -> None:
    outcome = apply(None, put({"title": "Fractions", "tags": ["a"]}, author="user-a"), 7)
    meta = FieldMeta(7, str(at()), "user-a")
    assert outcome == Outcome(
        RecordState(
            RID, 7, {"title": "Fractions", "tags": ["a"]}, False, {"title": meta, "tags": meta}, ()
        ),
        changed=True,
        status="applied",
        conflicts_added=(),
        clock_clamped=False,
    )


def test_a_create_with_no_fields_still_creates_the_record() -> None:
    outcome = apply(None, put({}), 3)
    assert outcome.changed
    assert outcome.state == RecordState(RID, 3, {}, False, {}, ())


def test_a_delete_of_a_missing_record_yields_a_bare_tombstone() -> None:
    state = apply(None, delete(author="user-b"), 4).state
    assert state == RecordState(
        RID, 4, {}, True, {"deleted": FieldMeta(4, str(at()), "user-b")}, ()
    )


def test_a_create_that_states_deleted_false_records_its_meta() -> None:
    state = apply(None, put({"deleted": False, "title": "t"}), 2).state
    assert not state.deleted
    assert set(state.meta) == {"deleted", "title"}
    assert "deleted" not in state.fields


def test_a_create_ignores_resolves() -> None:
    outcome = apply(None, put({"title": "t"}, resolves=("no-such-conflict",)), 2)
    assert outcome.status == "applied"
    assert outcome.state.conflicts == ()


# Rule 4 (seen): a field last changed at or below base_version takes the new value.


def test_a_field_the_writer_saw_takes_the_new_value() -> None:
    current = created({"title": "old", "subject": "maths"}, version=5)
    outcome = apply(current, put({"title": "new"}, base=5, hlc=at(-60_000, "b"), author="u-b"), 9)
    assert outcome.state.fields == {"title": "new", "subject": "maths"}
    assert outcome.state.meta["title"] == FieldMeta(9, str(at(-60_000, "b")), "u-b")
    assert outcome.state.meta["subject"] == current.meta["subject"]
    assert (outcome.changed, outcome.status, outcome.state.version) == (True, "applied", 9)


def test_a_base_above_the_fields_version_is_also_seen() -> None:
    current = created({"title": "old"}, version=5)
    assert apply(current, put({"title": "new"}, base=8), 9).state.conflicts == ()


def test_rewriting_a_seen_field_with_its_value_is_no_change() -> None:
    current = created({"title": "same"}, version=5)
    outcome = apply(current, put({"title": "same"}, base=5, hlc=at(5, "b")), 9)
    assert outcome == Outcome(current, False, "applied", (), False)


def test_a_field_never_set_takes_the_value_whatever_the_base() -> None:
    current = created({"title": "t"}, version=5)
    outcome = apply(current, put({"subject": "art"}, base=0), 6)
    assert outcome.state.fields["subject"] == "art"
    assert outcome.status == "applied"


def test_a_field_without_meta_is_treated_as_seen() -> None:
    current = RecordState(RID, 5, {"title": "legacy"}, False, {}, ())
    assert apply(current, put({"title": "new"}, base=0), 6).state.fields["title"] == "new"


# Rule 5 (concurrent): the greater stamp wins, the loser is kept as a conflict.


def test_a_newer_concurrent_value_wins_and_the_old_one_is_kept() -> None:
    current = created({"title": "mine"}, version=5)
    outcome = apply(current, put({"title": "yours"}, base=4, hlc=at(10, "b"), author="u-b"), 6)
    kept = Conflict(
        conflict_id(RID, "title", str(at()), "mine"), "title", "mine", str(at()), "user-a"
    )
    assert outcome.state.fields["title"] == "yours"
    assert outcome.state.meta["title"] == FieldMeta(6, str(at(10, "b")), "u-b")
    assert outcome.state.conflicts == (kept,)
    assert (outcome.status, outcome.conflicts_added) == ("merged", (kept,))


def test_an_older_concurrent_value_loses_and_is_kept() -> None:
    current = created({"title": "mine"}, version=5)
    outcome = apply(current, put({"title": "yours"}, base=4, hlc=at(-10, "b"), author="u-b"), 6)
    lost = Conflict(
        conflict_id(RID, "title", str(at(-10, "b")), "yours"),
        "title",
        "yours",
        str(at(-10, "b")),
        "u-b",
    )
    assert outcome.state.fields["title"] == "mine"
    assert outcome.state.meta["title"] == current.meta["title"]
    assert outcome.state.conflicts == (lost,)
    assert (outcome.changed, outcome.status, outcome.state.version) == (True, "merged", 6)


def test_a_losing_clamped_value_is_kept_with_its_clamped_stamp() -> None:
    current = apply(None, put({"title": "mine"}, hlc=at(1_000, "b")), 5).state
    fast = put({"title": "fast"}, base=0, hlc=at(MAX_SKEW_MS + 1, "fast"), author="u-f")
    outcome = apply(current, fast, 6)
    assert outcome.clock_clamped
    assert outcome.state.conflicts[0].hlc == str(HLC(NOW, 0, "fast"))


def test_a_base_one_below_the_fields_version_is_concurrent() -> None:
    current = created({"title": "mine"}, version=5)
    assert apply(current, put({"title": "yours"}, base=4, hlc=at(1, "b")), 6).status == "merged"


def test_an_equal_concurrent_value_is_no_conflict_and_no_change() -> None:
    current = created({"title": "same"}, version=5)
    outcome = apply(current, put({"title": "same"}, base=0, hlc=at(10, "b")), 6)
    assert outcome == Outcome(current, False, "applied", (), False)


def test_a_device_never_conflicts_with_its_own_earlier_write() -> None:
    # Edited twice offline before any pull: both puts carry base 0.
    current = created({"title": "first"}, version=5)
    outcome = apply(current, put({"title": "second"}, base=0, hlc=at(1)), 6)
    assert outcome.state.fields["title"] == "second"
    assert (outcome.status, outcome.state.conflicts) == ("applied", ())


def test_on_equal_stamps_the_current_value_stays() -> None:
    # Equal stamps from two devices cannot happen (the client id is part of the stamp), so
    # equality is built here by hand: the current value must be beaten, not matched.
    current = apply(None, put({"title": "first"}, hlc=at(0, "a")), 5).state
    current = RecordState(
        current.id, 5, current.fields, False, {"title": FieldMeta(5, str(at(0, "b")), "u")}, ()
    )
    outcome = apply(current, put({"title": "second"}, base=0, hlc=at(0, "b")), 6)
    assert outcome.state.fields["title"] == "second"  # the same client: its own write
    other = RecordState(
        current.id, 5, current.fields, False, {"title": FieldMeta(5, str(at(0, "c")), "u")}, ()
    )
    lost = apply(other, put({"title": "second"}, base=0, hlc=at(0, "b")), 6)
    assert lost.state.fields["title"] == "first"  # "...:b" < "...:c": the incoming loses
    assert [c.value for c in lost.state.conflicts] == ["second"]


def test_only_the_concurrent_fields_of_a_put_conflict() -> None:
    current = created({"title": "t", "subject": "s"}, version=5)
    edited = apply(current, put({"title": "t2"}, base=5, hlc=at(1, "b")), 6).state
    outcome = apply(edited, put({"title": "t3", "subject": "s3"}, base=5, hlc=at(2, "c")), 7)
    assert outcome.state.fields == {"title": "t3", "subject": "s3"}
    assert [(c.field, c.value) for c in outcome.state.conflicts] == [("title", "t2")]


@pytest.mark.parametrize(
    ("mine", "yours", "conflict"),
    [
        (1, True, True),
        (1, 1.0, True),
        (0, False, True),
        (None, "", True),
        ([1, 2], [2, 1], True),
        ({"a": 1, "b": [2]}, {"b": [2], "a": 1}, False),
        ("é", "é", False),
    ],
)
def test_values_are_compared_as_json(mine: Any, yours: Any, conflict: bool) -> None:
    current = created({"f": mine}, version=5)
    outcome = apply(current, put({"f": yours}, base=0, hlc=at(1, "b")), 6)
    assert (outcome.status == "merged") == conflict
    assert same_value(mine, yours) == (not conflict)


# Rule 7: stable conflict ids, never added twice, never shared by two values.


def test_a_conflict_id_is_a_uuid5_of_record_field_stamp_and_value() -> None:
    expected = uuid.uuid5(NAMESPACE, f'{RID}\ntitle\n{at()}\n"mine"')
    assert conflict_id(RID, "title", str(at()), "mine") == str(expected)
    assert uuid.UUID(conflict_id(RID, "title", str(at()), "mine")).version == 5


@pytest.mark.parametrize("offset", [10, -10], ids=["incoming-wins", "incoming-loses"])
def test_applying_the_same_mutation_again_changes_nothing(offset: int) -> None:
    current = created({"title": "mine"}, version=5)
    mutation = put({"title": "yours"}, base=4, hlc=at(offset, "b"))
    once = apply(current, mutation, 6).state
    assert apply(once, mutation, 7) == Outcome(once, False, "applied", (), False)


def test_two_values_with_the_same_clamped_stamp_are_both_kept() -> None:
    # A phone an hour fast: both edits are clamped to the same stamp (NOW, 0, "fast"), and both
    # lose to the current value ("...:fast" < "...:slow"): two conflicts, two distinct ids.
    current = apply(None, put({"title": "a"}, hlc=at(0, "slow")), 5).state
    first = put({"title": "b"}, base=0, hlc=at(3_600_000, "fast", 0))
    second = put({"title": "c"}, base=0, hlc=at(3_600_000, "fast", 1))
    after_first = apply(current, first, 6).state
    state = apply(after_first, second, 7).state
    assert state.fields["title"] == "a"
    assert sorted(c.value for c in state.conflicts) == ["b", "c"]
    assert len({c.id for c in state.conflicts}) == 2
    assert len({c.hlc for c in state.conflicts}) == 1


# Rule 3: resolves clears conflicts before the fields merge.


def conflicted() -> RecordState:
    """A record whose title has two set-aside values."""
    state = created({"title": "a"}, version=1)
    state = apply(state, put({"title": "b"}, hlc=at(1, "b")), 2).state
    return apply(state, put({"title": "c"}, hlc=at(2, "c")), 3).state


def test_resolves_removes_the_listed_conflicts_and_ignores_unknown_ids() -> None:
    state = conflicted()
    first, second = state.conflicts
    outcome = apply(state, put({}, base=3, resolves=(first.id, "no-such-id")), 4)
    assert outcome.state.conflicts == (second,)
    assert (outcome.changed, outcome.status, outcome.state.version) == (True, "applied", 4)


def test_resolving_only_unknown_ids_is_no_change() -> None:
    state = conflicted()
    assert not apply(state, put({}, base=3, resolves=("no-such-id",)), 4).changed


def test_resolves_cannot_clear_a_conflict_its_own_mutation_sets_aside() -> None:
    state = created({"title": "a"}, version=5)
    losing = at(-1, "b")
    own_id = conflict_id(RID, "title", str(losing), "b")
    outcome = apply(state, put({"title": "b"}, base=0, hlc=losing, resolves=(own_id,)), 6)
    assert [c.id for c in outcome.state.conflicts] == [own_id]


def test_a_put_can_resolve_and_set_the_winning_value_together() -> None:
    state = conflicted()
    ids = tuple(c.id for c in state.conflicts)
    outcome = apply(state, put({"title": "agreed"}, base=3, hlc=at(9, "b"), resolves=ids), 4)
    assert (outcome.state.fields["title"], outcome.state.conflicts) == ("agreed", ())


# Rule 8: tombstones are a field like any other; fields survive a delete.


def test_a_delete_keeps_the_fields() -> None:
    current = created({"title": "t"}, version=5)
    state = apply(current, delete(base=5, hlc=at(1)), 6).state
    assert (state.deleted, state.fields) == (True, {"title": "t"})
    assert state.meta["deleted"] == FieldMeta(6, str(at(1)), "user-a")


def test_a_delete_ignores_fields_sent_along_with_it() -> None:
    current = created({"title": "t"}, version=5)
    mutation = Mutation(RID, "delete", 5, at(1), {"title": "smuggled", "deleted": False}, (), "u")
    state = apply(current, mutation, 6).state
    assert (state.deleted, state.fields) == (True, {"title": "t"})


def test_a_restore_undeletes() -> None:
    deleted = apply(created({"title": "t"}, version=5), delete(base=5, hlc=at(1)), 6).state
    state = apply(deleted, put({"deleted": False}, base=6, hlc=at(2)), 7).state
    assert (state.deleted, state.fields) == (False, {"title": "t"})


def test_deleting_a_deleted_record_is_no_change() -> None:
    deleted = apply(created({"title": "t"}, version=5), delete(base=5, hlc=at(1)), 6).state
    assert not apply(deleted, delete(base=0, hlc=at(2, "b")), 7).changed


def test_a_concurrent_delete_and_restore_conflict_on_the_flag() -> None:
    deleted = apply(created({"title": "t"}, version=5), delete(base=5, hlc=at(1)), 6).state
    outcome = apply(deleted, put({"deleted": False}, base=5, hlc=at(3, "b"), author="u-b"), 7)
    assert not outcome.state.deleted
    assert [(c.field, c.value) for c in outcome.state.conflicts] == [("deleted", True)]


def test_an_older_concurrent_restore_loses_to_the_delete() -> None:
    deleted = apply(created({"title": "t"}, version=5), delete(base=5, hlc=at(3)), 6).state
    outcome = apply(deleted, put({"deleted": False}, base=5, hlc=at(1, "b")), 7)
    assert outcome.state.deleted
    assert [(c.field, c.value) for c in outcome.state.conflicts] == [("deleted", False)]


def test_a_delete_and_a_concurrent_edit_of_a_field_both_apply() -> None:
    deleted = apply(created({"title": "t"}, version=5), delete(base=5, hlc=at(1)), 6).state
    outcome = apply(deleted, put({"title": "edited"}, base=5, hlc=at(2, "b")), 7)
    assert (outcome.state.deleted, outcome.state.fields["title"]) == (True, "edited")
    assert outcome.status == "applied"


def test_the_first_delete_of_a_live_record_is_never_concurrent() -> None:
    current = created({"title": "t"}, version=5)
    assert apply(current, delete(base=0, hlc=at(-99, "b")), 6).state.deleted


def test_the_deleted_flag_is_stored_as_a_bool() -> None:
    state = apply(created({"title": "t"}, version=5), put({"deleted": 1}, base=5), 6).state
    assert state.deleted is True


# Totality and purity.


def test_merge_never_mutates_its_inputs() -> None:
    current = conflicted()
    mutation = put(
        {"title": "z", "tags": ["x"]}, base=1, hlc=at(5, "z"), resolves=(current.conflicts[0].id,)
    )
    before = copy.deepcopy((current, mutation))
    apply(current, mutation, 4)
    assert (current, mutation) == before


def test_merge_is_total_for_values_json_cannot_hold() -> None:
    current = created({"title": {1, 2}}, version=5)
    outcome = apply(current, put({"title": {1, 2}}, base=0, hlc=at(1, "b")), 6)
    assert not outcome.changed


def test_resolving_the_very_value_that_loses_again_keeps_it_where_it_was() -> None:
    """Found by the property test: a mutation that settles conflict X while carrying X's own
    value (same stamp), which loses again, leaves the record as it was, and so does a replay."""
    mine, theirs = at(0, "phone-b", 1), at(1000, "phone-a")
    loser = conflict_id("rec", "title", str(mine), "")
    state = RecordState(
        "rec",
        9,
        {"title": "alpha"},
        False,
        {"title": FieldMeta(9, str(theirs), "user-a")},
        (Conflict(loser, "title", "", str(mine), "user-b"),),
    )
    again = Mutation("rec", "put", 0, mine, {"title": ""}, (loser,), "user-b")
    outcome = merge(state, again, version=10, now_ms=NOW)
    assert not outcome.changed
    assert outcome.state is state
    assert outcome.status == "applied"
