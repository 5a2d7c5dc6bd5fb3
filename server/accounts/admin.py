"""The admin API: accounts and teams of the admin's own school."""

from __future__ import annotations

import uuid
from typing import Any

from flask import current_app

from schemas.accounts import (
    TeamCreateSchema,
    TeamPatchSchema,
    TeamSchema,
    UserCreateSchema,
    UserPatchSchema,
    UserSchema,
)
from server.accounts import service
from server.accounts.auth import admin_required, current_user
from server.blueprint import JSON_BODY, Blueprint
from server.models import Team, User

blp = Blueprint("admin", __name__, url_prefix="/api/v1/admin", description="School administration")
ADMIN = (401, 403)  # every view here: signed in, and an admin
EMAIL_TAKEN = {409: "an account with this email already exists (email_taken)"}
TEAM_EXISTS = {409: "the school already has a team of that name (team_exists)"}


def _profile() -> str:
    profile: str = current_app.config["PASSWORD_HASH_PROFILE"]
    return profile


@blp.route("/users", methods=["POST"])
@admin_required
@blp.errors(*ADMIN, 409, *JSON_BODY, codes=EMAIL_TAKEN)
@blp.arguments(UserCreateSchema)
@blp.response(201, UserSchema)
def create_user(data: dict[str, Any]) -> User:
    """Create an account in my school; a duplicate email is a 409."""
    return service.create_user(current_user().school_id, data, _profile())


@blp.route("/users", methods=["GET"])
@admin_required
@blp.errors(*ADMIN)
@blp.response(200, UserSchema(many=True))
def list_users() -> list[User]:
    """Every account of my school."""
    return service.list_users(current_user().school_id)


@blp.route("/users/<uuid:user_id>", methods=["PATCH"])
@admin_required
@blp.errors(
    *ADMIN,
    404,
    409,
    *JSON_BODY,
    codes={409: "this is the school's last active admin (last_admin)"},
)
@blp.arguments(UserPatchSchema)
@blp.response(200, UserSchema)
def update_user(data: dict[str, Any], user_id: uuid.UUID) -> User:
    """Change role, name, active, teams (or set a new password)."""
    return service.update_user(current_user().school_id, user_id, data, _profile())


@blp.route("/users/<uuid:user_id>/revoke-devices", methods=["POST"])
@admin_required
@blp.errors(*ADMIN, 404)
@blp.response(204)
def revoke_devices(user_id: uuid.UUID) -> None:
    """Sign a user out everywhere (a lost phone)."""
    service.revoke_all_devices(service.school_user(current_user().school_id, user_id))


@blp.route("/teams", methods=["POST"])
@admin_required
@blp.errors(*ADMIN, 409, *JSON_BODY, codes=TEAM_EXISTS)
@blp.arguments(TeamCreateSchema)
@blp.response(201, TeamSchema)
def create_team(data: dict[str, Any]) -> Team:
    """Create a team (department, year group, PLT...)."""
    return service.create_team(current_user().school_id, data)


@blp.route("/teams", methods=["GET"])
@admin_required
@blp.errors(*ADMIN)
@blp.response(200, TeamSchema(many=True))
def list_teams() -> list[Team]:
    """Every team of my school."""
    return service.list_teams(current_user().school_id)


@blp.route("/teams/<uuid:team_id>", methods=["PATCH"])
@admin_required
@blp.errors(*ADMIN, 404, 409, *JSON_BODY, codes=TEAM_EXISTS)
@blp.arguments(TeamPatchSchema)
@blp.response(200, TeamSchema)
def update_team(data: dict[str, Any], team_id: uuid.UUID) -> Team:
    """Rename a team or change its kind."""
    return service.update_team(current_user().school_id, team_id, data)
