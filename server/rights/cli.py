"""Command line of the rights room: retention, a school's export and import."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from server.errors import ApiError
from server.extensions import db
from server.models import School, utcnow
from server.rights import retention, school_export


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


@click.command("export-school")
@with_appcontext
@click.option("--school", "school_name", required=True, help="The school's name.")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
def export_school(school_name: str, out: Path) -> None:
    """Write a school's whole export (a ZIP restorable by import-school)."""
    school = _school(school_name)
    out.write_bytes(school_export.school_zip(school))
    click.echo(f"Exported '{school.name}' to {out}.")


@click.command("import-school")
@with_appcontext
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_school(archive: Path) -> None:
    """Restore a school's export into this (empty) database."""
    try:
        with zipfile.ZipFile(io.BytesIO(archive.read_bytes())) as files:
            document = json.loads(files.read("data.json"))
            photos = {n: files.read(n) for n in files.namelist() if n.startswith("photos/")}
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise click.ClickException(f"{archive} is not a Lesson Loop export ZIP") from exc
    try:
        school = school_export.import_document(document, photos)
    except ApiError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"Imported '{school.name}' ({school.id}).")


def commands() -> list[click.Command]:
    """The commands to register."""
    return [retention_command, export_school, import_school]
