"""The words of the report and the charts: a view of the one message catalog
(:mod:`forecast.messages`) for one language.

Indicator and target labels are not here: they come from the scenario (``label: {en, vi}``).
Numbers are written by :mod:`forecast.formatting` (Babel): ``1,234.5`` in English, ``1.234,5``
in Vietnamese.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from forecast.formatting import number
from forecast.messages import LANGUAGES, table

HOW_KEYS = ("how_1", "how_2", "how_3", "how_4")


def strings(lang: str) -> Mapping[str, Any]:
    """The words of one language, by key (``how_text``: the reading guide's paragraphs).

    Raises
    ------
    InputError
        If ``lang`` is not one of :data:`LANGUAGES`.
    """
    words: dict[str, Any] = dict(table(lang))
    words["how_text"] = [words[key] for key in HOW_KEYS]
    return words


__all__ = ["HOW_KEYS", "LANGUAGES", "number", "strings"]
