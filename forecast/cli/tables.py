"""Tables the commands print, readable at 80 columns: identifiers (target ids, input names)
are never cut, labels and numbers wrap between words, and on a narrow terminal the tables drop
their outer border so that the columns keep the room."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

NARROW = 100
"""Below this many columns, tables drop their outer border and commands stack columns."""


def narrow(console: Any) -> bool:
    """Whether ``console`` (a rich Console) is narrower than :data:`NARROW` columns."""
    return console.width < NARROW


def make_table(console: Any, title: str | None = None, **options: Any):
    """A rich ``Table`` titled ``title`` (left), without its outer border on a narrow console.

    Parameters
    ----------
    console : rich.console.Console
        Where it will be printed.
    title : str, optional
    **options
        Further ``rich.table.Table`` options.

    Returns
    -------
    rich.table.Table
    """
    from rich.table import Table

    if narrow(console):
        options.setdefault("show_edge", False)
        options.setdefault("pad_edge", False)
    return Table(title=title, title_justify="left", **options)


def add_id_column(table: Any, header: str, ids: Iterable[str], *, extra: int = 0) -> None:
    """A first column as wide as the longest of ``ids`` (plus ``extra``, for a mark after an
    id): rich never narrows it, so ids are shown in full; longer text in it (a label under the
    id) wraps inside it.

    Parameters
    ----------
    table : rich.table.Table
    header : str
    ids : iterable of str
        Every identifier the column will hold.
    extra : int
        Characters that may follow an id on its line.
    """
    width = max((len(i) for i in ids), default=6) + extra
    longest_word = max((len(w) for w in header.split()), default=1)
    table.add_column(header, justify="left", width=max(width, longest_word), overflow="fold")


def add_columns(table: Any, headers: Iterable[tuple[str, str]]) -> None:
    """Columns of numbers or words that wrap between words (``(header, justify)`` pairs)."""
    for header, justify in headers:
        table.add_column(header, justify=justify, overflow="fold")


__all__ = ["NARROW", "add_columns", "add_id_column", "make_table", "narrow"]
