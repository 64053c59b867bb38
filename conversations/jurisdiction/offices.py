"""Which office of each body handles a place (`data/offices.toml`)."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from conversations.bilingual import Bilingual
from conversations.jurisdiction.errors import DataFileError
from conversations.places import Places, Region


class OfficesError(DataFileError):
    """The offices file is malformed."""


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SanctioningBody(_Strict):
    """The national body supervising civil-servant neutrality (configurable)."""

    name: Bilingual


class OmbudsmanOffices(_Strict):
    """Ombudsman representative offices: one per province, with exceptions."""

    office_prefix: str
    province_names: dict[str, str]
    exceptions: dict[str, str] = Field(default_factory=dict)


class BawasluOffices(_Strict):
    """How Bawaslu offices are named."""

    regency_office: str
    province_office: str


class Inspectorates(_Strict):
    """Provinces whose inspectorates take reports through the bot."""

    provinces: list[str] = Field(default_factory=list)
    office: str


class Offices(_Strict):
    """The whole offices file."""

    sanctioning_body: SanctioningBody
    ombudsman: OmbudsmanOffices
    bawaslu: BawasluOffices
    inspectorates: Inspectorates

    def check(self, places: Places) -> None:
        """Every province has an Ombudsman office; every code named exists."""
        for province in places.provinces():
            covering = self.ombudsman.exceptions.get(province.code, province.code)
            if covering not in self.ombudsman.province_names:
                raise OfficesError(
                    f"offices.toml: no Ombudsman office for province {province.code}"
                )
        for code in [*self.ombudsman.exceptions, *self.ombudsman.exceptions.values()]:
            if places.find(code) is None:
                raise OfficesError(
                    f"offices.toml: ombudsman.exceptions names unknown code {code!r}"
                )
        for code in self.inspectorates.provinces:
            if places.find(code) is None:
                raise OfficesError(f"offices.toml: inspectorates names unknown code {code!r}")

    def ombudsman_office(self, province: Region, regency: Region | None) -> str:
        """`Ombudsman RI Perwakilan <province>`, following the exceptions."""
        covering = province.code
        if regency is not None and regency.code in self.ombudsman.exceptions:
            covering = self.ombudsman.exceptions[regency.code]
        elif province.code in self.ombudsman.exceptions:
            covering = self.ombudsman.exceptions[province.code]
        return f"{self.ombudsman.office_prefix} {self.ombudsman.province_names[covering]}"

    def bawaslu_office(self, province: Region, regency: Region | None) -> str:
        """`Bawaslu Kota Serang`, or `Bawaslu Provinsi Banten` when the regency is unknown."""
        if regency is not None:
            return self.bawaslu.regency_office.format(regency=regency.name)
        return self.bawaslu.province_office.format(province=province.name)

    def inspectorate_office(self, province: Region) -> str | None:
        """The inspectorate taking reports in this province, if it has joined."""
        if province.code in self.inspectorates.provinces:
            return self.inspectorates.office.format(province=province.name)
        return None


def parse_offices(text: str) -> Offices:
    """Validate an offices file."""
    try:
        return Offices.model_validate(tomllib.loads(text))
    except (ValidationError, tomllib.TOMLDecodeError) as exc:
        raise OfficesError(f"offices.toml: {exc}") from None


@cache
def shipped_offices() -> Offices:
    """The shipped offices file, loaded once."""
    return parse_offices(
        resources.files("conversations").joinpath("data/offices.toml").read_text("utf-8")
    )
