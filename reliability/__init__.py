"""Reliability campaigns: crash (SIGKILL) and faults, run by `make reliability`."""
