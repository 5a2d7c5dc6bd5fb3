"""Command line: bootstrap, demo, import-staff (db upgrade comes from Flask-Migrate)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from marshmallow import ValidationError
from sqlalchemy import func, select

from schemas.accounts import PASSWORD_MIN, Email
from server import demo, policy
from server.accounts import staff_import
from server.accounts.oidc import gone as oidc_gone
from server.accounts.passwords import hash_password
from server.accounts.roster_cli import roster_command
from server.extensions import db
from server.models import School, User
from server.photos.staging import photos_cli
from server.reminders.worker import worker_command
from server.rights import cli as rights_cli


def register_cli(app: Flask) -> None:
    """Attach the commands to `flask --app wsgi ...`."""
    app.cli.add_command(bootstrap)
    app.cli.add_command(import_staff)
    app.cli.add_command(demo_command)
    app.cli.add_command(worker_command)
    app.cli.add_command(roster_command)
    for command in rights_cli.commands():
        app.cli.add_command(command)
    app.cli.add_command(oidc_gone.oidc_cli)  # flask oidc check-accounts (issue 14)
    app.cli.add_command(photos_cli)  # flask photos clean-staging (issue 16)


@click.command("bootstrap")
@with_appcontext
@click.option("--school", "school_name", required=True, help="The school's name.")
@click.option("--admin-email", required=True, help="The first admin's email.")
@click.option("--admin-password", required=True, help=f"At least {PASSWORD_MIN} characters.")
@click.option(
    "--admin-name", default="School admin", show_default=True, help="The admin's display name."
)
def bootstrap(school_name: str, admin_email: str, admin_password: str, admin_name: str) -> None:
    """Create a school and its first admin."""
    try:
        email = Email().deserialize(admin_email)
    except ValidationError as exc:
        raise click.UsageError(f"--admin-email: '{admin_email}' is not an email address") from exc
    if len(admin_password) < PASSWORD_MIN:
        raise click.UsageError(f"--admin-password: use at least {PASSWORD_MIN} characters")
    if not school_name.strip() or len(school_name) > 200:
        raise click.UsageError("--school: give a name of 1 to 200 characters")
    if db.session.execute(
        select(School.id).where(func.lower(School.name) == school_name.strip().lower())
    ).first():
        raise click.ClickException(f"a school called '{school_name}' already exists")
    if db.session.execute(select(User.id).where(User.email == email)).first():
        raise click.ClickException(f"an account with {email} already exists")
    school = School(name=school_name.strip(), change_counter=1)
    db.session.add(school)
    db.session.flush()
    profile = current_app.config["PASSWORD_HASH_PROFILE"]
    admin = User(
        school_id=school.id,
        email=email,
        display_name=admin_name,
        role=policy.ADMIN_ROLE,
        password_hash=hash_password(admin_password, profile),
        version=1,
    )
    db.session.add(admin)
    db.session.commit()
    click.echo(f"Created school '{school.name}' ({school.id}) with admin {email}.")


@click.command("import-staff")
@with_appcontext
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--school", "school_name", default=None, help="The school (needed when there are several)."
)
def import_staff(csv_file: Path, school_name: str | None) -> None:
    """Import staff from CSV (email, display_name, role, team); all rows or none."""
    school_id, reason = staff_import.school_by_name(school_name)
    if school_id is None:
        raise click.ClickException(reason)
    try:
        text = csv_file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise click.ClickException("the file is not UTF-8 text; save it as CSV UTF-8") from exc
    report = staff_import.import_staff(school_id, text, current_app.config["PASSWORD_HASH_PROFILE"])
    if report.errors:
        for error in report.errors:
            click.echo(error, err=True)
        raise click.ClickException(f"{len(report.errors)} problem(s) found; nothing was imported")
    for name in report.teams_created:
        click.echo(f"created team: {name}")
    click.echo(f"Imported {len(report.created)} staff. Give each their temporary password:")
    for email, password in report.created:
        click.echo(f"  {email}  {password}")


@click.command("demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Load only when the database has no school yet.")
def demo_command(if_empty: bool) -> None:
    """Fill a demo school (staff, focuses, a term of observations) and print the logins."""
    existing = demo.demo_school()
    if existing is None:
        if if_empty and db.session.execute(select(School.id)).first():
            click.echo("The database already has a school; the demo school was not loaded.")
            return
        click.echo(f"Loading the demo school '{demo.SCHOOL_NAME}' ...")
        demo.load_demo(current_app.config["PASSWORD_HASH_PROFILE"])
    click.echo(
        f"Demo school: {demo.SCHOOL_NAME}. Every demo login uses the password "
        f"'{demo.DEMO_PASSWORD}':"
    )
    for email, role, name in demo.logins():
        click.echo(f"  {role:<8} {email:<34} {name}")
