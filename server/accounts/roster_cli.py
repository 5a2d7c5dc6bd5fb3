"""`flask --app wsgi roster sync FILE [--dry-run]`: sync the staff with a roster."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from server.accounts import roster_sync, staff_import
from server.accounts.roster import RosterError, read_roster


@click.group("roster")
def roster_command() -> None:
    """Keep the staff current from a roster (OneRoster 1.2 zip, or the staff CSV)."""


def plan_lines(plan: roster_sync.Plan) -> list[str]:
    """The plan, one change a line, as the dry run and the apply print it."""
    lines = []
    for change in plan.changes:
        where = f" ({change.where})" if change.where else ""
        lines.append(
            f"{change.kind:<7}{change.email} {change.display_name}{where}: "
            + "; ".join(change.details)
        )
    lines += [f"kept   {email}: an admin not in the roster" for email in plan.kept_admins]
    if plan.teams_created:
        lines.append(f"teams to create: {', '.join(plan.teams_created)}")
    counts = {
        k: sum(c.kind == k for c in plan.changes) for k in ("join", "move", "return", "leave")
    }
    summary = ", ".join(f"{n} {kind}" for kind, n in counts.items() if n) or "no changes"
    lines.append(f"{len(plan.changes)} change(s): {summary}")
    return lines


@roster_command.command("sync")
@with_appcontext
@click.argument("roster_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="List each change and change nothing.")
@click.option("--school", "school_name", default=None, help="The school (when there are several).")
def sync_command(roster_file: Path, dry_run: bool, school_name: str | None) -> None:
    """Joiners created, movers updated, leavers deactivated (their records kept)."""
    school_id, reason = staff_import.school_by_name(school_name)
    if school_id is None:
        raise click.ClickException(reason)
    try:
        roster = read_roster(roster_file.read_bytes())
        if dry_run:
            plan = roster_sync.plan_sync(school_id, roster)
        else:
            plan = roster_sync.apply_sync(
                school_id, roster, current_app.config["PASSWORD_HASH_PROFILE"]
            )
    except RosterError as exc:
        for error in exc.errors:
            click.echo(error, err=True)
        raise click.ClickException("Nothing was changed.") from exc
    click.echo("Dry run: nothing was changed." if dry_run else "Applied:")
    for line in plan_lines(plan):
        click.echo(line)
    for email, password in plan.temporary_passwords.items():
        click.echo(f"temporary password for {email}: {password}")
