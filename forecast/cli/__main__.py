"""``python -m forecast.cli``."""

from forecast.cli import main

main(prog_name="forecast")
