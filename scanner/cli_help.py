"""``--help`` laid out for an 80-column terminal: options grouped under headings.

typer's rich layout gives every option five table columns and cuts long names off at 80 columns
("--bundled-advis…"). depscan uses click's plain layout instead (name, then help, wrapped at the
terminal width, a long name on its own line) and groups the options under the heading each one
names with ``rich_help_panel``; an option that names none is listed under "Other options".
"""

from __future__ import annotations

from typer._click.core import Context
from typer._click.formatting import HelpFormatter
from typer.core import TyperCommand

OTHER_OPTIONS = "Other options"


class PanelledCommand(TyperCommand):
    """A command whose help lists its arguments, then its options heading by heading."""

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
        for title, rows in [*panels.items(), (OTHER_OPTIONS, other)]:
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)
