"""Command line of the rights room: retention, a school's export and import."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from server.extensions import db
from server.models import School, utcnow
from server.rights import retention


def _school(name: str) -> School:
    school = db.session.execute(
        select(School).where(func.lower(School.name) == name.strip().lower())
    ).scalar_one_or_none()
    if school is None:
        raise click.ClickException(f"there is no school called '{name}'")
    return school


@click.command("retention")
@with_appcontext
@click.option("--school", "school_name", default=None, help="One school (default: every school).")
@click.option("--dry-run", is_flag=True, help="Only say what would be deleted.")
def retention_command(school_name: str | None, dry_run: bool) -> None:
    """Delete for good what is past each school's retention (the worker does it daily)."""
    schools = (
        [_school(school_name)]
        if school_name
        else list(db.session.execute(select(School).order_by(School.name)).scalars())
    )
    now = utcnow()
    for school in schools:
        if dry_run:
            click.echo(f"{school.name}: {json.dumps(retention.preview(school, now))}")
        else:
            click.echo(f"{school.name}: deleted {json.dumps(retention.run(school.id, now))}")


def commands() -> list[click.Command]:
    """The commands to register."""
    return [retention_command]
