"""Command line: the ``forecast`` group (:mod:`forecast.cli.app`), one module per command."""

from __future__ import annotations

from forecast.cli.app import main
from forecast.cli.backtest import backtest
from forecast.cli.calibrate import calibrate
from forecast.cli.compare import compare
from forecast.cli.plan import plan
from forecast.cli.priors import priors
from forecast.cli.report import plot, report
from forecast.cli.run import run
from forecast.cli.sensitivity import sensitivity
from forecast.cli.solve import solve
from forecast.cli.validate import schema, validate

for _command in (run, validate, calibrate, backtest, priors, schema, compare, solve, report,
                 plot, plan, sensitivity):
    main.add_command(_command)
main.add_command(__import__("forecast.cli.update", fromlist=["update"]).update)
main.add_command(__import__("forecast.cli.export", fromlist=["export"]).export)
main.add_command(__import__("forecast.cli.holdout", fromlist=["holdout"]).holdout)

__all__ = ["main"]
