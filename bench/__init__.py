"""Benchmarks run by `make bench`; each module writes one section of BENCHMARKS.md."""
