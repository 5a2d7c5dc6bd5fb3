"""Factories for test data: schools, accounts and signed-in API clients."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from server.accounts.passwords import hash_password
from server.extensions import db
from server.models import School, Team, User
from server.sync.versions import write_transaction

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


@dataclass
class Session:
    """A signed-in device: its token, client id and user, with request helpers."""

    client: FlaskClient
    token: str
    client_id: str
    user: dict[str, Any]

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def get(self, url: str, **kwargs: Any) -> TestResponse:
        return self.client.get(url, headers=self.headers, **kwargs)

    def post(self, url: str, json: Any = None, **kwargs: Any) -> TestResponse:
        return self.client.post(url, headers=self.headers, json=json, **kwargs)

    def patch(self, url: str, json: Any = None, **kwargs: Any) -> TestResponse:
        return self.client.patch(url, headers=self.headers, json=json, **kwargs)

    def delete(self, url: str, json: Any = None, **kwargs: Any) -> TestResponse:
        return self.client.delete(url, headers=self.headers, json=json, **kwargs)


class Factory:
    """Makes schools, users and sessions in one app."""

    def __init__(self, app: Flask, client: FlaskClient) -> None:
        self.app = app
        self.client = client

    def school(self, name: str | None = None) -> School:
        with self.app.app_context():
            school = School(name=name or f"School {next(_counter)}", change_counter=0)
            db.session.add(school)
            db.session.commit()
            return school

    def team(self, school: School, name: str, kind: str = "department") -> Team:
        with self.app.app_context(), write_transaction(school.id) as versions:
            team = Team(school_id=school.id, name=name, kind=kind, version=versions.next())
            db.session.add(team)
        return team

    def user(
        self,
        school: School,
        role: str = "teacher",
        name: str | None = None,
        email: str | None = None,
        password: str = PASSWORD,
    ) -> User:
        n = next(_counter)
        with self.app.app_context(), write_transaction(school.id) as versions:
            user = User(
                school_id=school.id,
                email=email or f"user{n}@example.org",
                display_name=name or f"Teacher {n}",
                role=role,
                password_hash=hash_password(password, "fast"),
                version=versions.next(),
            )
            db.session.add(user)
        return user

    def login(
        self, user: User, password: str = PASSWORD, device_name: str = "test phone"
    ) -> Session:
        response = self.client.post(
            "/api/v1/auth/login",
            json={"email": user.email, "password": password, "device_name": device_name},
        )
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        return Session(self.client, body["token"], body["client_id"], body["user"])

    def session(self, school: School, role: str = "teacher", name: str | None = None) -> Session:
        return self.login(self.user(school, role=role, name=name))


def new_id() -> str:
    """A client-generated UUID."""
    return str(uuid.uuid4())
