"""The merge engine: pure Python, standard library only, no IO (a test scans the imports)."""

from .hlc import HLC, MAX_SKEW_MS, HLCError, clamp, parse_hlc
from .merge import NAMESPACE, conflict_id, create, merge, same_value
from .seq import classify, last_seq_after, plan_batch
from .types import (
    DELETED,
    Conflict,
    FieldMeta,
    Mutation,
    Outcome,
    RecordState,
    conflicts_from_json,
    conflicts_to_json,
    meta_from_json,
    meta_to_json,
)

__all__ = [
    "DELETED",
    "HLC",
    "MAX_SKEW_MS",
    "NAMESPACE",
    "Conflict",
    "FieldMeta",
    "HLCError",
    "Mutation",
    "Outcome",
    "RecordState",
    "clamp",
    "classify",
    "conflict_id",
    "conflicts_from_json",
    "conflicts_to_json",
    "create",
    "last_seq_after",
    "merge",
    "meta_from_json",
    "meta_to_json",
    "parse_hlc",
    "plan_batch",
    "same_value",
]
