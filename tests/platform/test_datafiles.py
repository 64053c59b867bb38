"""Every data file people edit is read by one loader and a mistake in any of them is told the
same way: one line, `file: where: what`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from importlib import resources

import pytest

from conversations.casework import Casework, parse_casework
from conversations.datafiles import DataFileError
from conversations.jurisdiction.elections import Elections, parse_elections
from conversations.jurisdiction.offices import Offices, parse_offices
from conversations.jurisdiction.ruleset import RuleSet, parse_rules
from conversations.packet import Forms, parse_packets
from conversations.places import places


def shipped(name: str) -> str:
    return (resources.files("conversations") / "data" / name).read_text("utf-8")


PARSERS: dict[str, Callable[[str], object]] = {
    "rules.toml": parse_rules,
    "offices.toml": parse_offices,
    "elections.toml": parse_elections,
    "casework.toml": parse_casework,
    "packets.toml": parse_packets,
}


@pytest.mark.parametrize("name", PARSERS)
def test_the_shipped_files_load(name: str) -> None:
    """Each shipped file loads and holds what the bot relies on."""
    loaded = PARSERS[name](shipped(name))
    if isinstance(loaded, RuleSet):
        assert loaded.staff_agencies() == ["bawaslu", "ombudsman", "bkn", "inspektorat"]
        assert {"other"} <= {c.id for c in loaded.categories}
        assert {"unknown"} <= {k.id for k in loaded.person_kinds}
    elif isinstance(loaded, Offices):
        serang = places().get("36.73")
        assert loaded.office_name("bawaslu", places().get("36"), serang) == "Bawaslu Kota Serang"
    elif isinstance(loaded, Elections):
        running = loaded.running(dt.date(2024, 11, 20), "36", "36.73")
        assert running is not None and running.kind == "pilkada"
        assert loaded.running(dt.date(2025, 6, 10), "36", "36.73") is None
    elif isinstance(loaded, Casework):
        assert loaded.allowed("diterima", "diverifikasi") and "selesai" in loaded.final
    else:
        assert isinstance(loaded, Forms) and set(loaded.forms) == {"bawaslu", "ombudsman", "bkn"}


@pytest.mark.parametrize("name", PARSERS)
def test_broken_toml_is_one_line_naming_the_file(name: str) -> None:
    with pytest.raises(DataFileError) as caught:
        PARSERS[name](shipped(name) + "\n[[[broken\n")
    message = str(caught.value)
    assert message.startswith(f"{name}: not valid TOML: ") and "\n" not in message


@pytest.mark.parametrize(
    ("name", "change", "expected"),
    [
        ("rules.toml", ('id = "state_facilities"', 'id = "campaign_role"'), "appears twice"),
        ("elections.toml", ('name = "Pemilu 2024"', "name = 2024"),
         "elections[0] (2024).name: Input should be a valid string"),
        ("casework.toml", ("ditolak = []\n", ""), "transitions: no entry for ditolak"),
        ("offices.toml", ('office_prefix = "Ombudsman RI Perwakilan"', "office_prefix = 1"),
         "ombudsman.office_prefix: Input should be a valid string"),
        ("packets.toml", ('title = { id = "Identitas Pelapor", en = "Reporter" }', ""),
         "forms.bawaslu.sections[0].title: Field required"),
    ],
)  # fmt: skip
def test_a_bad_entry_is_one_line_naming_file_and_place(
    name: str, change: tuple[str, str], expected: str
) -> None:
    text = shipped(name)
    assert change[0] in text
    with pytest.raises(DataFileError) as caught:
        PARSERS[name](text.replace(change[0], change[1], 1))
    message = str(caught.value)
    assert message.startswith(f"{name}: ") and "\n" not in message
    assert expected in message
