"""`aegis units`: the organisational tree from the console."""

from __future__ import annotations

import typer

from aegis.cli.context import unit_of_work
from aegis.domains.units import service as units

app = typer.Typer(help="Organisational units.", no_args_is_help=True)


@app.command("create")
def create(
    name: str = typer.Option(..., "--name"),
    parent: str | None = typer.Option(None, "--parent", help="Parent id or name; none = root"),
    description: str = typer.Option("", "--description"),
) -> None:
    """Create the root unit (without --parent) or a unit below a parent."""
    with unit_of_work() as session:
        if parent is None:
            unit = units.create_root_unit(session=session, name=name, description=description)
        else:
            parent_unit = units.resolve_unit_ref(session=session, ref=parent)
            unit = units.create_child_unit(
                session=session, parent_id=parent_unit.id, name=name, description=description
            )
        unit_id = unit.id
    typer.echo(f"Created unit {unit_id} '{name}'")


@app.command("list")
def list_units() -> None:
    """Print the unit tree."""
    with unit_of_work() as session:
        rows = units.tree(session=session)
    for depth, unit_id, name in rows:
        typer.echo(f"{'  ' * depth}{unit_id}\t{name}")
