"""Gherkin data tables as the steps read them: one dict per row, keyed by the header's words."""

from __future__ import annotations


def table_rows(datatable: list[list[str]]) -> list[dict[str, str]]:
    """The rows of a pytest-bdd data table (its first row is the header), cells stripped.

    A header that is missing a column a step needs fails with the header's names, so a typo in a
    feature reads as one rather than as a KeyError deep inside a step."""
    header, *rows = datatable
    names = [name.strip() for name in header]
    return [TableRow(zip(names, (cell.strip() for cell in row), strict=True)) for row in rows]


class TableRow(dict):
    def __missing__(self, key: str) -> str:
        raise AssertionError(f"the table has no column {key!r} (its columns: {', '.join(self)})")


def names(text: str) -> list[str]:
    """`a, b and c` or `a, b` → ["a", "b", "c"]; `-` or nothing → []."""
    text = text.strip()
    if text in ("", "-"):
        return []
    return [part.strip() for part in text.replace(" and ", ", ").split(",") if part.strip()]
