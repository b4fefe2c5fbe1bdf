"""``python -m forecast``: the command line."""

from forecast.cli import main

main(prog_name="forecast")
