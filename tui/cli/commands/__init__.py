"""The `sidenote` subcommands, one module per area; `COMMANDS` maps name to command."""

from __future__ import annotations

import click

from . import corpus, exchange, history, links, quotes, reader, search

COMMANDS: dict[str, click.Command] = {}
for module in (corpus, reader, links, exchange, search, history, quotes):
    for command in module.commands:
        COMMANDS[command.name] = command
