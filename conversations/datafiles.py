"""Reading the data files people edit (rules, offices, elections, casework, packets, messages,
place names): one loader and one error format, a single line `file: where: what`."""

from __future__ import annotations

import tomllib
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

Model = TypeVar("Model", bound=BaseModel)


class DataFileError(ValueError):
    """A data file is malformed; the message is one line naming the file and the entry."""


def read_toml(text: str, source: str, error: type[DataFileError] = DataFileError) -> dict[str, Any]:
    """The file's TOML as a dict, or `error` saying where the syntax broke."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{source}: not valid TOML: {exc}") from None


def parse_model(
    model: type[Model], text: str, source: str, error: type[DataFileError] = DataFileError
) -> Model:
    """The file read and checked against `model`, or `error` naming the first bad entry."""
    raw = read_toml(text, source, error)
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise error(f"{source}: {where(exc, raw)}") from None


def where(error: ValidationError, raw: dict[str, Any]) -> str:
    """`section[index] (its id or name).field: message` for the first error."""
    first = error.errors()[0]
    parts: list[str] = []
    node: object = raw
    for part in first["loc"]:
        if isinstance(part, int) and isinstance(node, list) and parts:
            node = node[part] if part < len(node) else None
            label = (node.get("id") or node.get("name")) if isinstance(node, dict) else None
            parts[-1] = f"{parts[-1]}[{part}]" + (f" ({label})" if label else "")
        else:
            parts.append(str(part))
            node = node.get(str(part)) if isinstance(node, dict) else None
    place = ".".join(parts) or "file"
    message = " ".join(str(first["msg"]).removeprefix("Value error, ").split())
    return f"{place}: {message}"
