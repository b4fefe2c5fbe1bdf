"""``forecast priors``: re-derive the pooled priors of the prior library and check the shipped
numbers against the re-derivation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from forecast.cli.app import Command

if TYPE_CHECKING:  # pragma: no cover
    from forecast.priors.library import PriorLibrary

EXIT_DIFFERS = 1
"""Exit code when a shipped distribution no longer matches its re-derivation."""


def _print_prior(name: str, library: PriorLibrary) -> None:
    """The derivation of one prior and whether the shipped distribution matches it."""
    prior, check, spec = library.derive(name), library.check(name), library.spec(name)
    summary = prior.summary()
    echo = click.echo
    echo(f"{name} ({spec.statistic} of {spec.column}, {spec.first_year}-{spec.last_year}): "
         f"{spec.description}")
    echo(f"  panel {prior.panel}")
    quantiles = ", ".join(f"{k} {v:g}" for k, v in summary["per_unit_quantiles"].items())
    echo(f"  {summary['units']} provinces, {summary['changes']} changes; per province "
         f"{quantiles}")
    for item in summary["excluded"]:
        echo(f"  left out {item['what']}: {item['why']}")
    echo("  fit: " + json.dumps(summary["fit"], indent=2, ensure_ascii=False)
         .replace("\n", "\n  "))
    for key in ("dropped_series_sd", "final_to_plan", "change_dispersion"):
        if summary[key]:
            echo(f"  {key}: " + json.dumps(summary[key], ensure_ascii=False))
    echo(f"  shipped:    {check.shipped.describe()}")
    echo(f"  re-derived: {check.derived.describe()} (mean {summary['chosen_mean']:g})")
    if check.matches:
        echo("  the shipped distribution matches the re-derivation")
        return
    echo("  THE SHIPPED DISTRIBUTION DIFFERS from the re-derivation: "
         + "; ".join(check.differences))
    echo("  re-derived, for priors.yaml: "
         + json.dumps({"distribution": check.derived.model_dump()}, ensure_ascii=False))


@click.command(cls=Command)
@click.argument("names", metavar="[NAME...]", nargs=-1)
@click.option("--json", "as_json", is_flag=True,
              help="Print each derivation and its check as JSON.")
@click.option("--library", type=click.Path(file_okay=False, path_type=Path),
              help="Prior library folder, with priors.yaml (default: the one shipped in the "
              "package).")
@click.pass_context
def priors(ctx: click.Context, names: tuple[str, ...], as_json: bool,
           library: Path | None) -> None:
    """Re-derive the pooled priors from the prior library and check the shipped numbers.

    Each prior NAME (default: every one) is derived again from the library's panel and its
    exclusions, the derivation printed, and the distribution shipped in the library compared
    with it. Exit code 1 if a shipped distribution no longer matches its re-derivation.
    """
    from forecast.io.prior_library import load_prior_library

    loaded = load_prior_library(library)
    chosen = list(dict.fromkeys(names)) or list(loaded.names)
    for name in chosen:
        loaded.spec(name)  # an unknown name fails before any derivation
    checks = [loaded.check(name) for name in chosen]
    if as_json:
        records = [{**loaded.derive(c.name).summary(), "check": c.to_dict()} for c in checks]
        click.echo(json.dumps({"library": loaded.source, "priors": records}, indent=2,
                              ensure_ascii=False))
    else:
        click.echo(f"Prior library {loaded.source}")
        for name in chosen:
            click.echo()
            _print_prior(name, loaded)
    if not all(c.matches for c in checks):
        ctx.exit(EXIT_DIFFERS)
