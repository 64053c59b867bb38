"""The layers as the README draws them: the core (`conversations/`) imports neither Telegram nor
the database nor the web console, no SQL is written outside `storage/`, and only the
composition root (`bot/cli.py`) reaches the sandbox, a room of its own."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.paths import ROOT

SQL_START = ("SELECT ", "INSERT ", "UPDATE ", "DELETE FROM", "CREATE ", "PRAGMA ", "WITH ")


def modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def sql_strings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text("utf-8"))
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value.lstrip().startswith(SQL_START)  # the project writes SQL in capitals
    ]


@pytest.mark.parametrize("path", modules("conversations"), ids=lambda p: p.name)
def test_the_core_has_no_telegram_and_no_database(path: Path) -> None:
    forbidden = {"telegram", "aiosqlite", "sqlite3", "storage", "bot", "aiohttp", "web", "jinja2"}
    assert not imported(path) & forbidden


@pytest.mark.parametrize(
    "path",
    modules("bot") + modules("conversations") + modules("web") + modules("sandbox"),
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_no_sql_outside_storage(path: Path) -> None:
    assert sql_strings(path) == []


def test_the_sql_finder_finds_sql() -> None:
    assert sql_strings(ROOT / "storage" / "sessions.py")


# the composition root: the one module that starts the sandbox (or the bot) as `make run` asks
COMPOSITION_ROOT = ROOT / "bot" / "cli.py"


@pytest.mark.parametrize(
    "path",
    [
        p
        for p in modules("bot") + modules("conversations") + modules("storage") + modules("web")
        if p != COMPOSITION_ROOT
    ],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_only_the_composition_root_reaches_the_sandbox(path: Path) -> None:
    assert "sandbox" not in imported(path)  # imports inside functions count too (ast.walk)


def test_the_sandbox_is_a_room_of_its_own() -> None:
    assert not (ROOT / "bot" / "sandbox").exists()
    assert "sandbox" in imported(COMPOSITION_ROOT)
    assert {"fake_api.py", "fake_users.py", "terminal.py"} <= {p.name for p in modules("sandbox")}
