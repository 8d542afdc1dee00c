"""``--help`` laid out for an 80-column terminal: options grouped under headings.

typer's rich layout gives every option five table columns and cuts long names off at 80 columns
("--bundled-advis…"). depscan uses click's plain layout instead (name, then help, wrapped at the
terminal width, a long name on its own line) and groups the options under the heading each one
names with ``rich_help_panel``; an option that names none is listed under "Other options".
"""

from __future__ import annotations

from enum import StrEnum

from typer._click.core import Context
from typer._click.formatting import HelpFormatter
from typer.core import TyperCommand

OTHER_OPTIONS = "Other options"


class Level(StrEnum):
    """A severity as typed on the command line (``--fail-on``)."""

    critical = "critical"
    high = "high"
    medium = "medium"
    low = "low"
    info = "info"


class PanelledCommand(TyperCommand):
    """A command whose help lists its arguments, then its options heading by heading."""

    def collect_usage_pieces(self, ctx: Context) -> list[str]:
        # typer writes a required argument as {NAME}; the usage line shows NAME, as click does.
        return [piece.replace("{", "").replace("}", "")
                for piece in super().collect_usage_pieces(ctx)]

    def format_options(self, ctx: Context, formatter: HelpFormatter) -> None:
        arguments: list[tuple[str, str]] = []
        panels: dict[str, list[tuple[str, str]]] = {}
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if param.param_type_name == "argument":
                arguments.append(record)
                continue
            panel = getattr(param, "rich_help_panel", None) or OTHER_OPTIONS
            panels.setdefault(panel, []).append(record)
        if arguments:
            with formatter.section("Arguments"):
                formatter.write_dl(arguments)
        # "Other options" (--help and any option without a heading) comes last.
        other = panels.pop(OTHER_OPTIONS, [])
        # A command without headings lists its options under the usual one.
        last = OTHER_OPTIONS if panels else "Options"
        for title, rows in [*panels.items(), (last, other)]:
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)
