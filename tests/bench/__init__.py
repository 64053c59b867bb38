"""The benchmarks run small, so they keep working."""
