"""`aegis users` and `aegis roles`: accounts and role assignments from the console."""

from __future__ import annotations

import sys

import typer
from pydantic import ValidationError

from aegis.cli.context import unit_of_work
from aegis.core.authz import Role
from aegis.domains.auth import mfa
from aegis.domains.units import service as units
from aegis.domains.users import erasure
from aegis.domains.users import service as users
from aegis.domains.users.schemas import RoleAssignmentCreate, UserCreate

app = typer.Typer(help="User accounts.", no_args_is_help=True)
roles_app = typer.Typer(help="Role assignments.", no_args_is_help=True)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        typer.secho("No terminal: pass the password with --password-stdin", err=True)
        raise typer.Exit(2)
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


def _fail_on_invalid(exc: ValidationError) -> None:
    for error in exc.errors():
        field = ".".join(str(p) for p in error["loc"]) or "input"
        typer.secho(f"Error: {field}: {error['msg']}", fg=typer.colors.RED, err=True)
    raise typer.Exit(1)


@app.command("create")
def create(
    email: str = typer.Option(..., "--email", help="Sign-in e-mail address"),
    name: str = typer.Option(..., "--name", help="Display name"),
    role: Role = typer.Option(..., "--role", help="Role on the unit"),
    unit: str | None = typer.Option(None, "--unit", help="Unit id or name (default: root)"),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read password from stdin"),
    include_children: bool = typer.Option(True, help="The role also covers the sub-units"),
) -> None:
    """Create a user with a role on a unit; they replace the password at their first sign-in."""
    password = _read_password(password_stdin)
    with unit_of_work() as session:
        target = units.resolve_unit_ref(session=session, ref=unit)
        try:
            data = UserCreate(
                email=email,
                name=name,
                password=password,
                role=role,
                unit_id=target.id,
                include_children=include_children,
            )
        except ValidationError as exc:
            _fail_on_invalid(exc)
            return
        user = users.create_user(session=session, principal=None, data=data)
        users.require_password_change(session=session, user_id=user.id)
    typer.echo(f"Created user {user.id} <{user.email}> as {role.value} of '{target.name}'")


@app.command("set-password")
def set_password(
    email: str = typer.Option(..., "--email"),
    password_stdin: bool = typer.Option(False, "--password-stdin"),
) -> None:
    """Set a user's password and sign them out everywhere; they choose their own at sign-in."""
    password = _read_password(password_stdin)
    with unit_of_work() as session:
        user_id = users.user_id_by_email(session=session, email=email)
        try:
            users.set_password(session=session, user_id=user_id, password=password)
        except ValidationError as exc:
            _fail_on_invalid(exc)
    typer.echo(f"Password of <{email}> changed")


@app.command("unlock")
def unlock(email: str = typer.Option(..., "--email")) -> None:
    """Lift the lock that repeated failed sign-ins put on a user's account."""
    with unit_of_work() as session:
        user_id = users.user_id_by_email(session=session, email=email)
        was_locked = users.unlock_user(session=session, principal=None, user_id=user_id)
    if was_locked:
        typer.echo(f"Sign-in of <{email}> unlocked")
    else:
        typer.echo(f"Sign-in of <{email}> was not locked; its failed attempts are forgotten")


@app.command("reset-mfa")
def reset_mfa(email: str = typer.Argument(..., help="The user's sign-in e-mail address")) -> None:
    """Remove a user's multi-factor sign-in (a lost phone); they set it up again."""
    with unit_of_work() as session:
        user_id = users.user_id_by_email(session=session, email=email)
        had = mfa.reset(session=session, principal=None, user_id=user_id)
    if had:
        typer.echo(
            f"Multi-factor sign-in of <{email}> reset: their app and recovery codes no longer work"
        )
    else:
        typer.echo(f"<{email}> had no authenticator app; nothing else to reset")


@app.command("erase")
def erase(
    email: str = typer.Argument(..., help="The disabled user's sign-in e-mail address"),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation"),
) -> None:
    """Erase a disabled user's personal data on their request; their records stay, renamed."""
    if not yes and not typer.confirm(
        f"Erase the name, e-mail address and credentials of <{email}>? This cannot be undone"
    ):
        raise typer.Exit(1)
    with unit_of_work() as session:
        user_id = users.user_id_by_email(session=session, email=email)
        erased = erasure.erase_personal_data(session=session, principal=None, user_id=user_id)
    typer.echo(
        f"Personal data of <{email}> erased: now '{erased.user.name}' <{erased.user.email}>; "
        f"{erased.sessions} sessions, {erased.api_tokens} API tokens and "
        f"{erased.second_factors} second factors removed. Their records and the audit trail stay."
    )


@roles_app.command("grant")
def grant(
    email: str = typer.Option(..., "--email"),
    role: Role = typer.Option(..., "--role"),
    unit: str | None = typer.Option(None, "--unit", help="Unit id or name (default: root)"),
    include_children: bool = typer.Option(True),
) -> None:
    """Grant a user a role on a unit."""
    with unit_of_work() as session:
        target = units.resolve_unit_ref(session=session, ref=unit)
        user_id = users.user_id_by_email(session=session, email=email)
        users.grant_role(
            session=session,
            principal=None,
            data=RoleAssignmentCreate(
                user_id=user_id, role=role, unit_id=target.id, include_children=include_children
            ),
        )
    typer.echo(f"<{email}> is now {role.value} of '{target.name}'")
