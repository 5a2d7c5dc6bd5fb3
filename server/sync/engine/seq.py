"""Per-client sequence numbers of the push protocol, as pure planning rules.

Rule: a seq at or below the client's last applied seq is a duplicate, last+1 is applied (and
becomes the new last), and the first gap makes that mutation and every one after it in the batch
out_of_order, because the client resends from last+1 anyway.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

Verdict = Literal["apply", "duplicate", "gap"]
Plan = Literal["apply", "duplicate", "out_of_order"]


def classify(last_seq: int, seq: int) -> Verdict:
    """What one seq is, given the last seq applied for its client."""
    if seq <= last_seq:
        return "duplicate"
    if seq == last_seq + 1:
        return "apply"
    return "gap"


def plan_batch(last_seq: int, seqs: Sequence[int]) -> list[Plan]:
    """What to do with each mutation of a batch, in order (a rejection still counts as apply)."""
    plan: list[Plan] = []
    for seq in seqs:
        verdict = classify(last_seq, seq)
        if verdict == "gap":
            return plan + ["out_of_order"] * (len(seqs) - len(plan))
        if verdict == "apply":
            last_seq = seq
            plan.append("apply")
        else:
            plan.append("duplicate")
    return plan


def last_seq_after(last_seq: int, seqs: Sequence[int]) -> int:
    """The client's last seq once a batch has been planned and carried out."""
    plan = plan_batch(last_seq, seqs)
    applied = [seq for seq, step in zip(seqs, plan, strict=True) if step == "apply"]
    return applied[-1] if applied else last_seq
