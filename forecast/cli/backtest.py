"""``forecast backtest``: score the revenue model on the provincial panel."""

from __future__ import annotations

from pathlib import Path

import click

from forecast.cli.app import Command, console as make_console
from forecast.cli.options import LANG


def _prior_option(text: str, option: str, allowed: tuple[str | None, ...]):
    """``pooled``/``none`` or a distribution written as YAML flow (``{dist: halfnormal, ...}``)."""
    import yaml
    from pydantic import TypeAdapter, ValidationError

    from forecast.spec.distributions import Distribution
    from forecast.errors import InputError

    word = None if text == "none" else text
    if word in allowed:
        return word
    try:
        raw = yaml.safe_load(text)
        if isinstance(raw, dict):
            raw.setdefault("why", "given on the command line")
        return TypeAdapter(Distribution).validate_python(raw)
    except (yaml.YAMLError, ValidationError) as exc:
        choices = " or ".join(f"'{a or 'none'}'" for a in allowed)
        detail = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
        raise InputError.single(f"found {text!r} ({detail}); expected {choices} or a "
                                "distribution such as '{dist: halfnormal, scale: 0.1}'",
                                key=option) from None


# the English texts the backtest writes itself (not the prior library's reasons, which are
# shown as the library writes them), by their catalog key
_OWN_TEXTS = ("bt_what_unnamed", "bt_why_unnamed", "bt_what_year", "bt_why_few_levels",
              "bt_why_missing_year")


def _in_language(text: str, lang: str) -> str:
    """``text`` in ``lang`` when it is one of the backtest's own English texts (its fields kept
    as written), else as given."""
    import re

    from forecast.messages import CATALOG, message

    if lang == "en":
        return text
    for key in _OWN_TEXTS:
        parts = re.split(r"\{(\w+)\}", CATALOG[key]["en"])
        pattern = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)"
                          for i, part in enumerate(parts))
        match = re.fullmatch(pattern, text)
        if match:
            return message(key, lang, **match.groupdict())
    return text


def _method(name: str, lang: str) -> str:
    from forecast.messages import CATALOG, message

    return message(f"bt_method_{name}", lang) if f"bt_method_{name}" in CATALOG else name


def _coverage(r: dict, level: int, lang: str) -> str:
    from forecast.formatting import number, percent

    return (f"{percent(r[f'coverage{level}'], 0, lang)} ± "
            f"{number(100 * r[f'coverage{level}_se'], 0, lang)}")


def _widths(headers: list[str], rows: list[list[str]], *, whole: bool) -> list[int]:
    """Each column's width: its widest cell line and its header (``whole``) or the header's
    longest word."""
    return [max(([len(header)] if whole else [len(word) for word in header.split()])
                + [len(line) for row in rows for line in row[index].split("\n")])
            for index, header in enumerate(headers)]


def _layout(console, headers: list[str], rows: list[list[str]]) -> str:
    """How a table fits ``console``: ``natural`` (headers and cells each on one line, rich's
    widths), ``tight`` (cells on one line, each column as wide as its widest cell or header
    word, headers wrapping between words) or ``stacked`` (a narrow console, or one too narrow
    for ``tight``: paired numbers one above the other)."""
    from forecast.cli.tables import narrow

    def width(widths: list[int]) -> int:
        return sum(widths) + 3 * len(widths) + 1  # a space either side and a rule between

    if narrow(console) or width(_widths(headers, rows, whole=False)) > console.width:
        return "stacked"
    return "natural" if width(_widths(headers, rows, whole=True)) <= console.width else "tight"


def _print_backtest(result, console, lang: str = "en") -> None:
    from forecast.cli.tables import make_table
    from forecast.formatting import number
    from forecast.messages import message

    s = result.settings
    table = make_table(console, message("bt_title", lang, first=s.first_year, cutoff=s.cutoff,
                                        start=s.cutoff + 1, last=s.last_year,
                                        n=len(result.provinces), column=s.column))
    rows = [[_method(r["method"], lang),
             message("bt_all", lang) if r["horizon"] == "all" else str(r["horizon"]),
             number(r["forecasts"], 0, lang), _coverage(r, 50, lang), _coverage(r, 90, lang),
             f"{number(r['crps'], 3, lang)} ± {number(r['crps_se'], 3, lang)}",
             number(r["mean_pit"], 2, lang),
             " ".join(number(c, 0, lang).rjust(2) for c in r["pit_histogram"])]
            for r in result.records]
    keys = ("bt_method", "bt_horizon", "bt_n", "bt_coverage50", "bt_coverage90", "bt_crps",
            "bt_mean_pit", "bt_histogram")
    headers = [message(key, lang) for key in keys]
    layout = _layout(console, headers, rows)
    if layout == "stacked":  # the CRPS above its standard error
        for row in rows:
            row[5] = row[5].replace(" ± ", " ±\n")
    # but natural: each column as wide as its widest word or number (none is broken), the
    # header wrapping between its words; stacked, the histogram takes the rest
    widths = _widths(headers, rows, whole=False) if layout != "natural" else [None] * len(keys)
    if layout == "stacked":
        widths[-1] = None
    for key, name, width in zip(keys, headers, widths):
        table.add_column(name, justify="left" if key in ("bt_method", "bt_histogram")
                         else "right", overflow="fold", width=width)
    for row in rows:
        table.add_row(*row)
    console.print(table)
    for what, why in result.excluded:
        console.print("  " + message("bt_left_out", lang, what=_in_language(what, lang),
                                     why=_in_language(why, lang)))
    for item in result.skipped:
        console.print("  " + message("bt_skipped", lang, province=item["province"],
                                     why=_in_language(item["why"], lang)))
    console.print(message("bt_note", lang))


def _print_horizons(column: str, result: dict, console, lang: str = "en") -> None:
    from forecast.cli.tables import make_table
    from forecast.formatting import number
    from forecast.messages import CATALOG, message

    s = result["settings"]
    model = f"bt_model_{s['model']}"
    table = make_table(console, message("bt_horizons_title", lang, column=column, model=message(
        model, lang) if model in CATALOG else s["model"]))
    keys = ["bt_method", "bt_horizon", "bt_n", "bt_origins", "bt_coverage50", "bt_coverage90",
            "bt_crps", "bt_crps_vs_naive", "bt_vs_climatology", "bt_mean_pit", "bt_interval90"]
    ratio = lambda r, key: number(r[key], 2, lang) if key in r else ""  # noqa: E731
    rows = []
    for r in result["summary"]:
        origins = r["origins"]
        cells = [_method(r["method"], lang), str(r["horizon"]), number(r["forecasts"], 0, lang),
                 f"{origins[0]}-{origins[-1]}" if len(origins) > 1 else str(origins[0]),
                 _coverage(r, 50, lang), _coverage(r, 90, lang), number(r["crps"], 3, lang),
                 ratio(r, "crps_vs_naive"), ratio(r, "crps_vs_climatology"),
                 number(r["mean_pit"], 2, lang), number(r["interval90"], 3, lang)]
        rows.append(cells)
    layout = _layout(console, [message(key, lang) for key in keys], rows)
    if layout == "stacked":  # the two coverages and the two CRPS ratios, each pair in a column
        keys = ["bt_method", "bt_ahead", "bt_n", "bt_origins", "bt_cover", "bt_crps",
                "bt_ratio", "bt_mean_pit", "bt_is90"]
        rows = [cells[:4] + [f"{cells[4]}\n{cells[5]}", cells[6], f"{cells[7]}\n{cells[8]}",
                             cells[9], cells[10]] for cells in rows]
    headers = [message(key, lang) for key in keys]
    # but natural: each column as wide as its widest number (numbers are never broken), the
    # header wrapping between its words
    widths = _widths(headers, rows, whole=False) if layout != "natural" else [None] * len(keys)
    for key, name, width in zip(keys, headers, widths):
        table.add_column(name, justify="left" if key == "bt_method" else "right",
                         overflow="fold", width=width)
    for cells in rows:
        table.add_row(*cells)
    console.print(table)
    if layout == "stacked":
        console.print(message("bt_compact_note", lang))


@click.command(cls=Command)
@click.option("--panel", type=click.Path(dir_okay=False, path_type=Path),
              help="Panel CSV to backtest on (province, year, final_revenue, ...), with the "
              "exclusions of the prior library (default: the provincial budget panel shipped "
              "in the library).")
@click.option("--library", type=click.Path(file_okay=False, path_type=Path),
              help="Prior library folder, with priors.yaml (default: the one shipped in the "
              "package).")
@click.option("--first-year", type=int, default=2006, show_default=True,
              help="First level used for fitting.")
@click.option("--cutoff", type=int, default=2011, show_default=True,
              help="Last level used for fitting (the forecast origin).")
@click.option("--last-year", type=int, default=2014, show_default=True,
              help="Last year forecast and scored.")
@click.option("--volatility", default="pooled", show_default=True,
              help="'pooled' (re-derived from the other provinces' fitting years) or a "
              "distribution, e.g. '{dist: halfnormal, scale: 0.1}'.")
@click.option("--persistence", default="pooled", show_default=True,
              help="'pooled', 'none' (independent years) or a distribution.")
@click.option("--tail-dof", type=click.FloatRange(min=2, min_open=True),
              help="Student-t shocks with these degrees of freedom (default: normal).")
@click.option("--draws", type=click.IntRange(min=100), default=4000, show_default=True,
              help="Draws per province.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              default=Path("runs") / "backtest", show_default=True,
              help="Folder for backtest.json.")
@click.option("--force", is_flag=True, help="Replace an existing output folder.")
@click.option("--horizons", is_flag=True, help="Every origin from 2009 and horizons 1-5 on the "
              "settled and the planned revenue panels, scored per horizon against the naive "
              "and the panel-climatology benchmarks (the table of docs/validation.md).")
@click.option("--model", "model_name", type=click.Choice(["pooled", "independent"]),
              default="pooled", show_default=True, help="With --horizons: the common "
              "component with pooled drifts, or the earlier independent-province model.")
@LANG
def backtest(panel: Path | None, library: Path | None, first_year: int, cutoff: int,
             last_year: int, volatility: str, persistence: str, tail_dof: float | None,
             draws: int, seed: int, out: Path, force: bool, horizons: bool,
             model_name: str, lang: str = "en") -> None:
    """Fit the revenue model on every province up to a cut-off and score its forecasts of the
    later years against a naive benchmark (--horizons: at every origin and horizon)."""
    from forecast.analysis.backtest import BacktestSettings, run_backtest
    from forecast.io.panel import read_panel
    from forecast.io.prior_library import load_prior_library
    from forecast.io.writers import check_writable, write_folder
    from forecast.messages import message

    check_writable(out, force=force)
    if horizons:
        from forecast.analysis.horizons import COLUMNS, HorizonSettings, run_horizons

        loaded = load_prior_library(library)
        results = {column: run_horizons(loaded, HorizonSettings(
            column=column, model=model_name, draws=draws, seed=seed)) for column in COLUMNS}
        write_folder(out, {"backtest.json": {"horizons": results}}, force=force)
        console = make_console()
        for column, result in results.items():
            _print_horizons(column, result, console, lang)
        console.print(message("bt_horizons_note", lang))
        console.print(message("t_wrote", lang, files=out / "backtest.json"))
        return
    settings = BacktestSettings(
        first_year=first_year, cutoff=cutoff, last_year=last_year,
        volatility=_prior_option(volatility, "volatility", ("pooled",)),
        persistence=_prior_option(persistence, "persistence", ("pooled", None)),
        tail_dof=tail_dof, draws=draws, seed=seed)
    priors = load_prior_library(library)
    result = run_backtest(priors, settings,
                          panel=read_panel(panel) if panel is not None else None)
    write_folder(out, {"backtest.json": result.to_dict()}, force=force)
    path = out / "backtest.json"
    console = make_console()
    _print_backtest(result, console, lang)
    console.print(message("t_wrote", lang, files=path))
