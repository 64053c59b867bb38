"""Phone numbers to E.164, whatever form they are typed in (0812…, +62 812…, 62812…)."""

from __future__ import annotations

import phonenumbers


def normalize_phone(typed: str, region: str = "ID") -> str | None:
    """The number in E.164 (`+6281234567890`), or None when it is not a valid number."""
    text = typed.strip()
    digits = "".join(c for c in text if c.isdigit())
    if text.startswith("+") or (digits.startswith("62") and len(digits) >= 10):
        candidate = "+" + digits
    else:
        candidate = digits
    try:
        number = phonenumbers.parse(candidate, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
