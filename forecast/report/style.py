"""The look every chart shares: palette, axes, tick labels and how a figure becomes bytes.

Colours are the Okabe-Ito palette (safe for the common colour-vision deficiencies); every series
also differs by line style, marker, hatch or lightness so that a chart printed in grey still reads.
Figures are built on the Agg canvas without pyplot, so no global figure state is touched.
"""

from __future__ import annotations

import textwrap
from contextlib import contextmanager
from typing import Any

from forecast.formatting import number, rate_unit
from forecast.messages import unit_text

# Okabe & Ito (2008), "Color Universal Design".
BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"
SERIES = (BLUE, ORANGE, GREEN, PURPLE, SKY_BLUE, VERMILLION, YELLOW)
LINESTYLES = ("-", (0, (5, 2)), (0, (1, 1.5)), (0, (6, 2, 1, 2)), (0, (3, 1, 1, 1, 1, 1)))
HATCHES = ("", "///", "...", "xxx", "\\\\\\", "ooo")
MARKERS = ("o", "s", "^", "v", "P", "X")

RC: dict[str, Any] = {
    "font.family": "DejaVu Sans",     # has every Vietnamese letter
    "font.size": 9.5,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.labelsize": 9.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.fontsize": 8.5,
    "legend.frameon": False,
    "hatch.linewidth": 0.8,
    "svg.fonttype": "none",           # text as text: selectable, searchable, read aloud
    "svg.hashsalt": "forecast",       # stable element ids, so the same run gives the same file
    "pdf.fonttype": 42,
    "text.parse_math": False,         # labels come from files: '$5$' is text, not mathtext
    "text.usetex": False,
}
FORMATS = ("png", "svg", "pdf")
_METADATA = {"svg": {"Date": None}, "pdf": {"CreationDate": None}, "png": {}}


@contextmanager
def chart_style():
    """Apply :data:`RC` while a chart is built or saved."""
    import matplotlib

    with matplotlib.rc_context(RC):
        yield


def new_axes(ax, size: tuple[float, float]):
    """``ax`` and its figure, or a new figure of ``size`` inches on the Agg canvas."""
    if ax is not None:
        return ax.figure, ax
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=size, layout="constrained")
    FigureCanvasAgg(figure)
    return figure, figure.add_subplot()


def wrap(text: str, width: int) -> str:
    """``text`` broken into lines of at most ``width`` characters."""
    return "\n".join(textwrap.wrap(text, width)) or text


def unit_label(unit: str, lang: str = "en") -> str:
    """The axis label of a unit (shares are shown in percent), in ``lang``."""
    return "%" if unit == "share" else unit_text(unit, lang)


def value_formatter(unit: str, lang: str):
    """Tick labels in ``unit``: thousands separators, as many decimals as the tick spacing needs,
    shares in percent, numbers written for ``lang``."""
    from matplotlib.ticker import Formatter

    scale = 100.0 if unit == "share" else 1.0

    class ValueFormatter(Formatter):
        ticks: list[float] = []

        def set_locs(self, locs):
            self.ticks = [scale * v for v in locs]

        def __call__(self, x, pos=None):
            locs = self.ticks or [scale * x]
            decimals = _decimals(locs)
            value = round(scale * x, decimals)
            return number(value if value != 0 else 0.0, decimals, lang)  # never "-0"

    return ValueFormatter()


def _decimals(values: list[float]) -> int:
    """The fewest decimals (up to 4) that write every value exactly, to 1e-6 of its spread."""
    spread = max(max(values) - min(values), max(abs(v) for v in values), 1e-12)
    for decimals in range(5):
        if all(abs(round(v, decimals) - v) <= 1e-6 * spread for v in values):
            return decimals
    return 4


def value_locator():
    """At most 7 ticks, at 1, 2, 5 or 10 times a power of ten."""
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator(nbins=7, steps=[1, 2, 5, 10])


def rate_formatter(kind: str, unit: str, lang: str):
    """Tick labels of yearly rates: growth and share changes in percent or points."""
    return value_formatter("share" if kind == "growth" or unit == "share" else unit, lang)


def rate_unit_label(kind: str, unit: str, lang: str) -> str:
    """The axis label of a yearly rate: ``%/yr``, ``pt/yr`` or ``<unit>/yr``."""
    return rate_unit(kind, unit, lang)


def year_axis(axis) -> None:
    """Integer years, no thousands separator."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True, nbins=8))
    axis.set_major_formatter(FuncFormatter(lambda x, pos=None: f"{x:.0f}"))


def figure_bytes(figure, fmt: str, *, dpi: int = 150) -> bytes:
    """The figure saved as ``png``, ``svg`` or ``pdf``; the same figure gives the same bytes."""
    import io

    buffer = io.BytesIO()
    with chart_style():
        figure.savefig(buffer, format=fmt, dpi=dpi, metadata=_METADATA[fmt])
    return buffer.getvalue()
