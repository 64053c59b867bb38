"""Where the tests find the project and their own data, wherever a test file lives."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]  # the project
DATA = Path(__file__).resolve().parent / "data"  # the tests' own tables
