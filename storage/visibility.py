"""The visibility policy's expressions (conversations/visibility.py) written as SQL: the
conditions on `cases` that lists, counts, exports and the one-case check use."""

from __future__ import annotations

import re

from conversations.visibility import AllOf, AnyOf, Expr, Handles, InArea, Never, PersonIn, StatusIs

_STATUS = re.compile(r"^[a-z_]+$")


def to_sql(expression: Expr, alias: str = "c") -> tuple[str, list[object]]:
    """The expression as a SQL condition on `cases AS alias`, with its parameters."""
    match expression:
        case Handles(agency):
            bodies = f"SELECT 1 FROM case_bodies b WHERE b.case_id = {alias}.id AND b.agency = ?"
            return f"EXISTS ({bodies})", [agency]
        case PersonIn(kinds):
            if not kinds:
                return "FALSE", []
            return f"{alias}.person_kind IN ({', '.join('?' for _ in kinds)})", list(kinds)
        case InArea(code):
            column = "regency_code" if "." in code else "province_code"
            return f"{alias}.{column} = ?", [code]
        case StatusIs(status):
            # a literal (a status constant, never typed text): partial indexes on it still apply
            if not _STATUS.match(status):
                raise ValueError(f"not a status: {status!r}")
            return f"{alias}.status = '{status}'", []
        case Never():
            return "FALSE", []
        case AllOf(terms) | AnyOf(terms):
            joiner = " AND " if isinstance(expression, AllOf) else " OR "
            parts = [to_sql(term, alias) for term in terms]
            # a composite part comes in its own parentheses already
            sql = joiner.join(
                part if isinstance(term, AllOf | AnyOf) else f"({part})"
                for term, (part, _) in zip(terms, parts, strict=True)
            )
            return f"({sql})", [param for _, params in parts for param in params]
    raise TypeError(expression)
