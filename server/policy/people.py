"""The rule book, continued: the audit trail and the person's rights (server.audit,
server.rights), school sign-in (server.accounts.oidc) and the second factor (server.accounts.mfa).

Callers import it beside the rest: `from server.policy import people`, then `people.may_erase`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, Select, or_, select

from server.models import Observation, ObservationParticipant, User
from server.policy import ADMIN_ROLE, is_lead, is_participant, role_is_admin, role_is_lead

# ---- roles in SQL: the clauses other rooms put in their queries (they never spell a role) ----

OBSERVEE_ROLE = "observee"
# The people a learning walk visits (its report groups them, a lead's copy of a record leaves
# those walks out): the observed teacher and a co-teacher, not the observers.
VISITED_ROLES = (OBSERVEE_ROLE, "co_teacher")
ERASED_ROLE = "teacher"  # an erased account keeps no lead's or admin's rights


def role_is_admin_sql(role: Any = User.role) -> ColumnElement[bool]:
    """SQL: this `app_user` role (or role column) is an admin's (see role_is_admin)."""
    clause: ColumnElement[bool] = role == ADMIN_ROLE
    return clause


def role_is_observee_sql(role: Any = ObservationParticipant.role) -> ColumnElement[bool]:
    """SQL: this participant role is the observed teacher's."""
    clause: ColumnElement[bool] = role == OBSERVEE_ROLE
    return clause


def role_was_visited_sql(role: Any = ObservationParticipant.role) -> ColumnElement[bool]:
    """SQL: a participant with this role is one a walk visited (see VISITED_ROLES)."""
    clause: ColumnElement[bool] = role.in_(VISITED_ROLES)
    return clause


def role_was_visited(role: str) -> bool:
    """A participant with this role is one a walk visited (see VISITED_ROLES)."""
    return role in VISITED_ROLES


# ---- the audit trail and the person's rights (server.audit, server.rights) -----------------


def read_only_as_lead(created_by: Any, observation_fields: Mapping[str, Any], user: User) -> bool:
    """Audited reads: a lead sees this observation only because it was shared with leads."""
    return (
        is_lead(user)
        and observation_fields.get("visibility") == "leads"
        and str(created_by) != str(user.id)
        and not is_participant(observation_fields, user.id)
    )


def observations_taken_part_in(user_id: Any) -> Select[uuid.UUID]:
    """The observations a person takes part in: as creator or as a participant."""
    as_participant = select(ObservationParticipant.observation_id).where(
        ObservationParticipant.user_id == user_id
    )
    return select(Observation.id).where(
        or_(Observation.created_by == user_id, Observation.id.in_(as_participant))
    )


def may_read_school_audit(user: User) -> bool:
    """The school's whole audit trail: its admins (a teacher reads the events about them)."""
    return role_is_admin(user.role)


def may_erase(user: User, person: User) -> bool:
    """Erasure: an admin of the person's school, never of themselves."""
    return role_is_admin(user.role) and user.school_id == person.school_id and user.id != person.id


def may_export_school(user: User) -> bool:
    """A school's whole export (leaving the service, backup): its admins."""
    return role_is_admin(user.role)


# ---- school sign-in (OpenID Connect; server/accounts/oidc) ----

FIRST_SIGN_IN_ROLE = "teacher"  # "create accounts on first sign-in" makes teachers only


def may_sign_in(user: User) -> bool:
    """Who may open a device through the school's provider: an active, unerased account."""
    return user.active and user.erased_at is None


# ---- second factor (TOTP; server/accounts/mfa.py) ----


def second_factor_required(role: str, required_for: str) -> bool:
    """A school requires a second factor of nobody, of its leads (admins too), or of everyone."""
    return required_for == "everyone" or (required_for == "leads" and role_is_lead(role))


def must_enrol_second_factor(role: str, required_for: str, enrolled: bool) -> bool:
    """Required and not enrolled: only sign-out, me and enrolment answer until they enrol."""
    return not enrolled and second_factor_required(role, required_for)


def second_factor_applies(via_provider: bool) -> bool:
    """Our second factor guards password sign-in; a device opened through the school's
    identity provider has passed the provider's own (the IT lead enforces it there)."""
    return not via_provider
