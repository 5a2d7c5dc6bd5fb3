"""The command line of PROTOCOL.md: db upgrade, bootstrap, import-staff."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, select

from server import audit  # noqa: F401  (its table is part of the metadata, as in create_app)
from server.extensions import db
from server.models import School, Team, User

ROOT = Path(__file__).resolve().parent.parent


def flask_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_db_upgrade_builds_the_schema_from_nothing(backend, tmp_path, request):
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    else:
        cluster = request.getfixturevalue("pg_cluster")
        name = "fresh_" + uuid.uuid4().hex[:8]
        cluster.execute(f"CREATE DATABASE {name}")
        url = cluster.url(name)
    env = {"LESSONLOOP_DATABASE_URL": url, "LESSONLOOP_INSTANCE_PATH": str(tmp_path / "instance")}
    result = flask_cli("db", "upgrade", env=env)
    assert result.returncode == 0, result.stderr
    engine = create_engine(url)
    tables = set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        # The migrations build exactly the models' tables, columns and indexes.
        drift = compare_metadata(MigrationContext.configure(connection), db.metadata)
    engine.dispose()
    assert drift == []
    assert {
        "school",
        "app_user",
        "device",
        "team",
        "observation",
        "note",
        "next_step",
        "focus",
        "lookfor",
        "eviction",
        "job",
        "push_subscription",
    } <= tables
    again = flask_cli("db", "upgrade", env=env)
    assert again.returncode == 0, again.stderr


def test_bootstrap_creates_a_school_and_an_admin_who_can_sign_in(runner, app, client):
    result = runner.invoke(
        args=[
            "bootstrap",
            "--school",
            "Hill Primary",
            "--admin-email",
            "Head@Hill.example",
            "--admin-password",
            "a long password",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Hill Primary" in result.output
    response = client.post(
        "/api/v1/auth/login", json={"email": "head@hill.example", "password": "a long password"}
    )
    assert response.status_code == 200
    assert response.get_json()["user"]["role"] == "admin"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--admin-email", "not-an-email", "--admin-password", "a long password"], "not an email"),
        (["--admin-email", "a@b.example", "--admin-password", "short"], "at least"),
    ],
)
def test_bootstrap_refuses_bad_input_and_creates_nothing(runner, app, args, message):
    result = runner.invoke(args=["bootstrap", "--school", "Hill Primary", *args])
    assert result.exit_code != 0
    assert message in result.output
    with app.app_context():
        assert db.session.execute(select(School)).first() is None


def test_bootstrap_refuses_a_taken_name_or_email(runner, app):
    base = [
        "bootstrap",
        "--school",
        "Hill",
        "--admin-email",
        "a@b.example",
        "--admin-password",
        "a long password",
    ]
    assert runner.invoke(args=base).exit_code == 0
    again = runner.invoke(args=base)
    assert again.exit_code != 0
    assert "already exists" in again.output
    other = runner.invoke(
        args=[
            "bootstrap",
            "--school",
            "Dale",
            "--admin-email",
            "a@b.example",
            "--admin-password",
            "a long password",
        ]
    )
    assert other.exit_code != 0
    assert "already exists" in other.output


def write_csv(tmp_path, text):
    path = tmp_path / "staff.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.fixture
def one_school(factory):
    return factory.school("Oak Academy")


def test_import_staff_creates_accounts_and_teams(runner, app, client, one_school, tmp_path):
    csv_path = write_csv(
        tmp_path,
        "email,display_name,role,team\n"
        "ana@oak.example,Ana Silva,teacher,Maths\n"
        "ben@oak.example,Ben Okafor,lead,Maths;Science\n"
        "cy@oak.example,Cy Jones,admin,\n",
    )
    result = runner.invoke(args=["import-staff", csv_path])
    assert result.exit_code == 0, result.output
    assert "Imported 3 staff" in result.output
    password = next(
        line.split()[1] for line in result.output.splitlines() if "ben@oak.example" in line
    )
    login = client.post(
        "/api/v1/auth/login", json={"email": "ben@oak.example", "password": password}
    )
    assert login.status_code == 200
    assert len(login.get_json()["user"]["team_ids"]) == 2
    with app.app_context():
        assert sorted(t.name for t in db.session.execute(select(Team)).scalars()) == [
            "Maths",
            "Science",
        ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("email,display_name,role\na@x.example,A,teacher\n", "line 1: missing column(s): team"),
        (
            "email,display_name,role,team\na@x.example,A,teacher,\nnot-an-email,B,teacher,\n",
            "line 3: 'not-an-email' is not an email address",
        ),
        ("email,display_name,role,team\na@x.example,A,wizard,\n", "line 2: role 'wizard'"),
        (
            "email,display_name,role,team\na@x.example,A,teacher,\nA@x.example,B,teacher,\n",
            "line 3: a@x.example appears twice",
        ),
        ("email,display_name,role,team\na@x.example,,teacher,\n", "line 2: display_name"),
        ("email,display_name,role,team\n", "no staff rows"),
    ],
)
def test_import_staff_reports_bad_rows_and_imports_nothing(
    runner, app, one_school, tmp_path, text, expected
):
    result = runner.invoke(args=["import-staff", write_csv(tmp_path, text)])
    assert result.exit_code != 0
    assert expected in result.output
    assert "nothing was imported" in result.output
    with app.app_context():
        assert db.session.execute(select(User)).first() is None
        assert db.session.execute(select(Team)).first() is None


def test_import_staff_reports_every_bad_row(runner, app, one_school, tmp_path):
    text = "email,display_name,role,team\nbad,A,teacher,\nok@x.example,B,teacher,\nworse,C,chef,\n"
    result = runner.invoke(args=["import-staff", write_csv(tmp_path, text)])
    assert "line 2:" in result.output
    assert "line 4:" in result.output
    assert "line 3:" not in result.output
    assert "3 problem(s)" in result.output


def test_import_staff_refuses_existing_accounts(runner, app, factory, one_school, tmp_path):
    factory.user(one_school, email="taken@x.example")
    result = runner.invoke(
        args=[
            "import-staff",
            write_csv(
                tmp_path,
                "email,display_name,role,team\ntaken@x.example,T,teacher,\nnew@x.example,N,teacher,\n",
            ),
        ]
    )
    assert result.exit_code != 0
    assert "line 2: an account with taken@x.example already exists" in result.output
    with app.app_context():
        assert db.session.execute(select(User).where(User.email == "new@x.example")).first() is None


def test_import_staff_needs_a_school_when_there_are_several(runner, factory, tmp_path):
    factory.school("One")
    factory.school("Two")
    path = write_csv(tmp_path, "email,display_name,role,team\na@x.example,A,teacher,\n")
    result = runner.invoke(args=["import-staff", path])
    assert result.exit_code != 0
    assert "--school" in result.output
    assert runner.invoke(args=["import-staff", path, "--school", "two"]).exit_code == 0
