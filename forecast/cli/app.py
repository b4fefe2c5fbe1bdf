"""The ``forecast`` command group and its one error boundary.

Every command of the group is a :class:`Command`, whose :meth:`Command.invoke` is the only place
where the package's errors become text and an exit code: a :class:`~forecast.errors.
ForecastError` is printed as one paragraph on stderr with exit code 2, never as a traceback
(``forecast --debug`` shows one). Library errors name parameters (``lever``); the boundary
names them as the command's flags (``--lever``). Ctrl-C, and SIGTERM during a save, unwind the
command (the save removes its staging folder) and exit with 130 and 143.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from forecast import __version__
from forecast.limits import MAX_DRAWS, MAX_SEED

EXIT_INPUT = 2


class InputProblem(click.ClickException):
    """A bad input, reported without a traceback and with exit code 2."""

    exit_code = EXIT_INPUT

    def show(self, file: Any = None) -> None:
        click.echo(f"Error: {self.format_message()}", err=True)


def draws_option(minimum: int = 1) -> click.IntRange:
    """The type of a ``--draws`` flag: ``minimum`` to :data:`~forecast.limits.MAX_DRAWS`, the
    bound a scenario file has too."""
    return click.IntRange(min=minimum, max=MAX_DRAWS)


SEED = click.IntRange(min=0, max=MAX_SEED)
"""The type of a ``--seed`` flag: 0 to 2**63 - 1, as in a scenario file."""


def _as_flags(error: Exception, command: click.Command) -> str:
    """The error's text with every problem keyed by a parameter of ``command`` keyed by its
    flag instead (``lever`` -> ``--lever``)."""
    from forecast.errors import InputError, Problem

    if not isinstance(error, InputError):
        return str(error)
    flags = {p.name: p.opts[0] for p in command.params
             if isinstance(p, click.Option) and p.opts and p.name}
    problems = [Problem(p.file, p.line, flags.get(p.key, p.key), p.message)
                for p in error.problems]
    return str(type(error)(problems))


def _check_environment() -> None:
    """Refuse a malformed ``SOURCE_DATE_EPOCH`` before any work: libraries imported later
    (numpy's f2py, through scipy) would crash on it with a traceback."""
    import os

    if os.environ.get("SOURCE_DATE_EPOCH", "").strip():
        from forecast.results import run_date

        run_date()


class Command(click.Command):
    """A command whose bad input ends in one paragraph and exit code 2 (the one boundary)."""

    def invoke(self, ctx: click.Context) -> Any:
        from forecast.errors import ForecastError
        from forecast.io.writers import Terminated

        debug = ctx.find_root().params.get("debug", False)
        try:
            _check_environment()
            return super().invoke(ctx)
        except ForecastError as exc:
            if debug:
                raise
            raise InputProblem(_as_flags(exc, self)) from None
        except KeyboardInterrupt:
            click.echo("Interrupted; nothing was written.", err=True)
            sys.exit(130)
        except Terminated:
            click.echo("Terminated; nothing was written.", err=True)
            sys.exit(143)


class Group(click.Group):
    """The ``forecast`` group: its commands are :class:`Command` s."""

    command_class = Command


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show Python tracebacks on errors.")
@click.version_option(__version__, prog_name="forecast")  # the distribution is forecast-plan-odds
def main(debug: bool) -> None:
    """Odds of reaching the targets of a five-year plan, by Monte Carlo simulation."""


def console():
    """A rich console for the command's output (``COLUMNS`` wide when set, else the
    terminal's width, 160 columns when not on a terminal).

    Markup and emoji codes are off: what it prints includes text read from files (``why:``,
    units, sources), which is data, so ``[red]`` or ``[low, high]`` is shown as written.
    """
    from rich.console import Console

    import os

    out = Console(highlight=False, markup=False, emoji=False)
    if not out.is_terminal and not os.environ.get("COLUMNS", "").strip().isdigit():
        out = Console(highlight=False, markup=False, emoji=False, width=160)
    return out
