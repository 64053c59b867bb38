"""The layers as the README draws them: core ← storage ← application ← faces ← composition root.

The core (`conversations/`) imports no channel, database or web library; storage only the core;
the application layer (`service/`) the core and storage, and nothing of a channel; a face
(`bot/`, `web/`, `whatsapp/`) the core and the application layer, never storage and never
another face; the sandbox is a room of its own that only the composition root (`lapor/`)
reaches. No SQL outside
`storage/`, no status or body named outside its one constant, no cycle between packages.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.paths import ROOT

SQL_START = ("SELECT ", "INSERT ", "UPDATE ", "DELETE FROM", "CREATE ", "PRAGMA ", "WITH ")

CORE, STORAGE, APPLICATION, ROOT_PACKAGE, SANDBOX = (
    "conversations",
    "storage",
    "service",
    "lapor",
    "sandbox",
)
FACES = ("bot", "web", "whatsapp")
PACKAGES = (CORE, STORAGE, APPLICATION, *FACES, ROOT_PACKAGE, SANDBOX)
CHANNEL_LIBRARIES = {"telegram", "aiohttp", "pywa", "jinja2", "markupsafe"}
DATABASE_LIBRARIES = {"aiosqlite", "sqlite3", "asyncpg"}

# What each package may import of the project's packages and of the libraries that tie code to a
# channel or a database (other libraries are free).
ALLOWED: dict[str, set[str]] = {
    CORE: set(),
    STORAGE: {CORE, *DATABASE_LIBRARIES},
    APPLICATION: {CORE, STORAGE},
    "bot": {CORE, APPLICATION, "telegram", "aiohttp"},
    "web": {CORE, APPLICATION, "aiohttp", "jinja2", "markupsafe"},
    # its own small Cloud API client on aiohttp (README: why not pywa)
    "whatsapp": {CORE, APPLICATION, "aiohttp"},
    # the sandbox drives the Telegram adapter against its fake Bot API (a tool for every face)
    SANDBOX: {CORE, APPLICATION, "bot", "aiohttp", "telegram"},
    ROOT_PACKAGE: {CORE, APPLICATION, *FACES, SANDBOX, "aiohttp", "telegram"},
}
WATCHED = set(PACKAGES) | CHANNEL_LIBRARIES | DATABASE_LIBRARIES


def modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def imported(path: Path) -> set[str]:
    """Top-level names a module imports, those inside functions and TYPE_CHECKING too."""
    tree = ast.parse(path.read_text("utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def forbidden_imports(package: str, names: set[str]) -> set[str]:
    """What a module of `package` imports that its layer may not."""
    return (names & WATCHED) - ALLOWED[package] - {package}


def sql_strings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text("utf-8"))
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value.lstrip().startswith(SQL_START)  # the project writes SQL in capitals
    ]


SHIPPED = [(package, path) for package in PACKAGES for path in modules(package)]


@pytest.mark.parametrize(
    ("package", "path"), SHIPPED, ids=[str(p.relative_to(ROOT)) for _, p in SHIPPED]
)
def test_each_module_imports_only_what_its_layer_may(package: str, path: Path) -> None:
    assert forbidden_imports(package, imported(path)) == set()


@pytest.mark.parametrize(
    ("package", "names", "refused"),
    [
        ("bot", {"web", "telegram"}, {"web"}),  # a face into another face
        ("whatsapp", {"bot", "telegram", "storage"}, {"bot", "telegram", "storage"}),
        ("web", {"storage", "service"}, {"storage"}),  # a face past the application layer
        ("service", {"bot", "storage"}, {"bot"}),  # the application layer into a face
        ("service", {"telegram"}, {"telegram"}),  # the application layer tied to a channel
        ("conversations", {"storage", "aiohttp"}, {"storage", "aiohttp"}),
        ("storage", {"service"}, {"service"}),
        ("bot", {"sandbox"}, {"sandbox"}),
        ("sandbox", {"lapor"}, {"lapor"}),
    ],
)
def test_the_rule_refuses_each_wrong_arrow(
    package: str, names: set[str], refused: set[str]
) -> None:
    assert forbidden_imports(package, names) == refused


def package_graph() -> dict[str, set[str]]:
    """Which project packages each package imports."""
    graph: dict[str, set[str]] = {package: set() for package in PACKAGES}
    for package, path in SHIPPED:
        graph[package] |= (imported(path) & set(PACKAGES)) - {package}
    return graph


def cycle_in(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle of the graph as a path, or None."""
    state: dict[str, str] = {}

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return [*path, node, nxt]
            if nxt not in state and (found := visit(nxt, [*path, node])):
                return found
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node, [])):
            return found
    return None


def test_no_cycle_between_packages() -> None:
    assert cycle_in(package_graph()) is None


def test_the_cycle_finder_finds_cycles() -> None:
    assert cycle_in({"bot": {"web"}, "web": {"service", "bot"}, "service": set()}) is not None
    assert cycle_in({"bot": {"service"}, "web": {"service"}, "service": set()}) is None


@pytest.mark.parametrize("path", [p for _, p in SHIPPED], ids=lambda p: str(p.relative_to(ROOT)))
def test_no_sql_outside_storage(path: Path) -> None:
    if path.is_relative_to(ROOT / STORAGE):
        return
    assert sql_strings(path) == []


def test_the_sql_finder_finds_sql() -> None:
    assert sql_strings(ROOT / "storage" / "sessions.py")


def test_the_sandbox_is_a_room_of_its_own() -> None:
    assert not (ROOT / "bot" / "sandbox").exists()
    reaching = {package for package, path in SHIPPED if SANDBOX in imported(path)} - {SANDBOX}
    assert reaching == {ROOT_PACKAGE}
    assert {"fake_api.py", "fake_users.py", "terminal.py"} <= {p.name for p in modules(SANDBOX)}


def _named_constants() -> dict[str, str]:
    """Every status and every body id, with the one module allowed to spell it."""
    from conversations.jurisdiction.ruleset import shipped_rules
    from conversations.statuses import STATUSES

    named = {status: "conversations/statuses.py" for status in STATUSES}
    # body ids live in rules.toml; Python names one only where its data has a shape of its own
    named |= {body: "conversations/jurisdiction/offices.py" for body in shipped_rules().bodies}
    return named


# Words a person types that happen to spell a status ("selesai": done adding files).
TYPED_WORDS = {("conversations/questions.py", "selesai")}


@pytest.mark.parametrize(
    "path",
    [p for package, p in SHIPPED if package not in {SANDBOX}],  # the sandbox's sample users
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_no_status_or_body_is_spelled_twice(path: Path) -> None:
    named = _named_constants()
    where = str(path.relative_to(ROOT))
    tree = ast.parse(path.read_text("utf-8"))
    spelled = {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in named
    }
    assert {
        word for word in spelled if named[word] != where and (where, word) not in TYPED_WORDS
    } == set()
