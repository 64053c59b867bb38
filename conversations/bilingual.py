"""A text in both languages, and dates written the way readers of each language expect."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, field_validator

from conversations.messages import Language

MONTHS: dict[Language, tuple[str, ...]] = {
    "id": (
        "Januari", "Februari", "Maret", "April", "Mei", "Juni",
        "Juli", "Agustus", "September", "Oktober", "November", "Desember",
    ),
    "en": (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
}  # fmt: skip


class Bilingual(BaseModel):
    """One text in Bahasa Indonesia (`id`) and English (`en`); both are required."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    en: str

    @field_validator("id", "en")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value.strip()

    def get(self, language: Language) -> str:
        """The text in `language`."""
        return self.id if language == "id" else self.en

    def format(self, **args: object) -> Bilingual:
        """Both texts with {placeholders} filled in."""
        return Bilingual(id=self.id.format(**args), en=self.en.format(**args))


def long_date(day: dt.date, language: Language) -> str:
    """`14 Februari 2024` / `14 February 2024`."""
    return f"{day.day} {MONTHS[language][day.month - 1]} {day.year}"


WEEKDAYS: dict[Language, tuple[str, ...]] = {
    "id": ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}


def weekday_date(day: dt.date, language: Language) -> str:
    """`Senin, 5 Februari 2024` / `Monday, 5 February 2024`."""
    return f"{WEEKDAYS[language][day.weekday()]}, {long_date(day, language)}"


def both_dates(day: dt.date) -> Bilingual:
    """A date written in both languages."""
    return Bilingual(id=long_date(day, "id"), en=long_date(day, "en"))
