"""Per-client sequence planning: duplicates, applies and the first gap."""

import pytest

from server.sync.engine.seq import classify, last_seq_after, plan_batch


@pytest.mark.parametrize(
    ("last_seq", "seq", "verdict"),
    [
        (0, 1, "apply"),
        (16, 17, "apply"),
        (17, 17, "duplicate"),
        (17, 3, "duplicate"),
        (0, 0, "duplicate"),
        (16, 18, "gap"),
        (0, 2, "gap"),
    ],
)
def test_classify(last_seq: int, seq: int, verdict: str) -> None:
    assert classify(last_seq, seq) == verdict


@pytest.mark.parametrize(
    ("last_seq", "seqs", "plan"),
    [
        (0, [], []),
        (0, [1, 2, 3], ["apply", "apply", "apply"]),
        # a lost response: the whole batch comes again
        (3, [1, 2, 3], ["duplicate", "duplicate", "duplicate"]),
        # part of the batch was applied before
        (2, [1, 2, 3, 4], ["duplicate", "duplicate", "apply", "apply"]),
        # the same seq twice in one batch: the second is a duplicate of the first
        (0, [1, 1, 2], ["apply", "duplicate", "apply"]),
        # a gap at the start: nothing is applied
        (0, [2, 3], ["out_of_order", "out_of_order"]),
        # after the first gap even a fitting seq and a duplicate are out of order
        (0, [1, 3, 2, 1], ["apply", "out_of_order", "out_of_order", "out_of_order"]),
        (5, [6, 8, 7], ["apply", "out_of_order", "out_of_order"]),
    ],
)
def test_plan_batch(last_seq: int, seqs: list[int], plan: list[str]) -> None:
    assert plan_batch(last_seq, seqs) == plan


@pytest.mark.parametrize(
    ("last_seq", "seqs", "after"),
    [(0, [], 0), (0, [1, 2], 2), (4, [1, 2], 4), (2, [1, 2, 3, 5, 4], 3), (0, [2], 0)],
)
def test_last_seq_after(last_seq: int, seqs: list[int], after: int) -> None:
    assert last_seq_after(last_seq, seqs) == after
