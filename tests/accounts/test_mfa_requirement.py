"""A school's second-factor requirement: for leads (and admins) or everyone, on both backends."""

from __future__ import annotations

import time

import pyotp
import pytest

from server.accounts import mfa
from tests.support.factories import PASSWORD, Session

PULL = "/api/v1/sync/pull"


def sign_in(client, user):
    response = client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    return body, Session(client, body["token"], body["client_id"], body["user"])


def require(admin, who):
    response = admin.patch("/api/v1/admin/mfa-requirement", json={"required_for": who})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_a_new_school_requires_nothing_and_recommends_leads(factory):
    school = factory.school()
    factory.user(school, role="lead")
    admin = factory.session(school, role="admin")
    assert admin.get("/api/v1/admin/mfa-requirement").get_json() == {
        "required_for": "nobody",
        "recommended": "leads",
        "leads_without_second_factor": 2,
        "staff_without_second_factor": 2,
    }


def test_a_bootstrapped_school_requires_nothing(app, runner):
    result = runner.invoke(
        args=[
            "bootstrap",
            "--school",
            "Boot School",
            "--admin-email",
            "boot@example.org",
            "--admin-password",
            "a long password",
        ]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        from server.extensions import db
        from server.models import School

        school = db.session.query(School).filter_by(name="Boot School").one()
        assert mfa.requirement(school.id) == "nobody"


def test_the_requirement_is_enforced_for_leads_not_teachers(factory, client):
    school = factory.school()
    lead, teacher = factory.user(school, role="lead"), factory.user(school, role="teacher")
    admin = factory.session(school, role="admin")
    summary = require(admin, "leads")
    assert summary["required_for"] == "leads"

    body, teacher_session = sign_in(client, teacher)
    assert "mfa_enrolment_required" not in body
    assert teacher_session.get(PULL).status_code == 200

    body, lead_session = sign_in(client, lead)
    assert body["mfa_enrolment_required"] is True
    refused = lead_session.get(PULL)
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "mfa_enrolment_required"
    assert admin.get("/api/v1/admin/users").status_code == 403  # admins are leads too
    assert lead_session.get("/api/v1/me").status_code == 200
    assert lead_session.get("/api/v1/me/mfa").get_json()["required"] is True

    secret = lead_session.post("/api/v1/me/mfa").get_json()["secret"]
    otp = pyotp.TOTP(secret).now()
    assert lead_session.post("/api/v1/me/mfa/confirm", json={"otp": otp}).status_code == 200
    assert lead_session.get(PULL).status_code == 200  # the same device, now enrolled
    off = lead_session.delete(
        "/api/v1/me/mfa", json={"otp": pyotp.TOTP(secret).at(time.time() + 30)}
    )
    assert off.status_code == 409
    assert off.get_json()["error"]["code"] == "mfa_required_by_school"


def test_everyone_means_teachers_too(factory, client):
    school = factory.school()
    teacher = factory.user(school)
    require(factory.session(school, role="admin"), "everyone")
    body, session = sign_in(client, teacher)
    assert body["mfa_enrolment_required"] is True
    assert session.get(PULL).get_json()["error"]["code"] == "mfa_enrolment_required"
    assert session.post("/api/v1/auth/logout").status_code == 204


def test_only_admins_set_the_requirement(factory):
    school = factory.school()
    lead = factory.session(school, role="lead")
    response = lead.patch("/api/v1/admin/mfa-requirement", json={"required_for": "everyone"})
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize("body", [{}, {"required_for": "sometimes"}, {"required_for": None}])
def test_a_bad_requirement_changes_nothing(factory, body):
    admin = factory.session(factory.school(), role="admin")
    response = admin.patch("/api/v1/admin/mfa-requirement", json=body)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "validation_error"
    assert admin.get("/api/v1/admin/mfa-requirement").get_json()["required_for"] == "nobody"
