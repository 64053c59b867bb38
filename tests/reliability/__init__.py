"""Crashes, faults, hostile input, load, memory, several workers."""
