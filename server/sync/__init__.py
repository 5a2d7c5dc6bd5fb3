"""Sync: the push flow, the batch store, pull, codecs, audiences; the pure engine in engine/."""
