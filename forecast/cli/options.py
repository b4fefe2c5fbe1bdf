"""Options several commands share."""

from __future__ import annotations

import click

LANG = click.option("--lang", type=click.Choice(["en", "vi"]), default="en", show_default=True,
                    help="Language of what the command prints and writes (words from the "
                         "message catalog, numbers as the language writes them).")
"""``--lang en|vi``: the language of the terminal text and of the files written in words."""
