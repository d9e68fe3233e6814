"""`sidenote import`, `docs`, `show`, `stats` (to be filled in)."""

from __future__ import annotations

import click

commands: list[click.Command] = []
