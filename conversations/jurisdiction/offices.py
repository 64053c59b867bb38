"""Which office of each body handles a place (`data/offices.toml`)."""

from __future__ import annotations

from functools import cache
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field, model_validator

from conversations.datafiles import DataFileError, parse_model
from conversations.places import Places, Region

# the body whose offices follow the provinces (offices.toml's [ombudsman], not [offices.*])
OMBUDSMAN = "ombudsman"


class OfficesError(DataFileError):
    """The offices file is malformed."""


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class OmbudsmanOffices(_Strict):
    """Ombudsman representative offices: one per province, with exceptions."""

    office_prefix: str
    province_names: dict[str, str]
    exceptions: dict[str, str] = Field(default_factory=dict)


class OfficeNames(_Strict):
    """How a body's office at a place is named: the first pattern that applies is used
    (`regency` when the regency is known, then `province`, then `national`)."""

    regency: str | None = None
    province: str | None = None
    national: str | None = None

    @model_validator(mode="after")
    def _has_a_name(self) -> OfficeNames:
        if self.province is None and self.national is None:
            raise ValueError("needs `province` or `national` (a regency may be unknown)")
        return self

    def name(self, province: Region, regency: Region | None) -> str:
        """The office's name for this place."""
        if regency is not None and self.regency is not None:
            return self.regency.format(regency=regency.name, province=province.name)
        if self.province is not None:
            return self.province.format(province=province.name)
        assert self.national is not None
        return self.national


class Offices(_Strict):
    """The whole offices file."""

    ombudsman: OmbudsmanOffices
    offices: dict[str, OfficeNames] = Field(default_factory=dict)

    def check(self, places: Places, bodies: list[str]) -> None:
        """Every province has an Ombudsman office; every body has names; every code exists."""
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
        for body in bodies:
            if body != OMBUDSMAN and body not in self.offices:
                raise OfficesError(f"offices.toml: no [offices.{body}] for body {body!r}")

    def office_name(self, body: str, province: Region, regency: Region | None) -> str:
        """The name of `body`'s office handling this place, e.g. `Bawaslu Kota Serang`."""
        if body == OMBUDSMAN:
            return self.ombudsman_office(province, regency)
        return self.offices[body].name(province, regency)

    def ombudsman_office(self, province: Region, regency: Region | None) -> str:
        """`Ombudsman RI Perwakilan <province>`, following the exceptions."""
        covering = province.code
        if regency is not None and regency.code in self.ombudsman.exceptions:
            covering = self.ombudsman.exceptions[regency.code]
        elif province.code in self.ombudsman.exceptions:
            covering = self.ombudsman.exceptions[province.code]
        return f"{self.ombudsman.office_prefix} {self.ombudsman.province_names[covering]}"


def parse_offices(text: str) -> Offices:
    """Validate an offices file."""
    return parse_model(Offices, text, "offices.toml", OfficesError)


@cache
def shipped_offices() -> Offices:
    """The shipped offices file, loaded once."""
    return parse_offices(
        resources.files("conversations").joinpath("data/offices.toml").read_text("utf-8")
    )
