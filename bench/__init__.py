"""Benchmarks, run by `make bench` and `make bench-quick` (never by the tests)."""
