"""Schemathesis over the published OpenAPI document: every operation, a bounded number of
generated requests each (valid ones and deliberately invalid ones), sent through the WSGI app
with an admin's real token, on SQLite. Any 5xx, and any error response outside the one error
shape, fails the test, so the next hostile input of issue 18's kind is found here, not by a
user. Derandomized (a fixed seed per operation): the same requests every run, so CI cannot
flake on a lucky draw; a failure lists each request as a curl command to replay by hand.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import orjson
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from marshmallow import ValidationError
from schemathesis import GenerationMode

from schemas.common import ErrorSchema

EXAMPLES = 100  # per operation and mode: up to 4,600 requests, about a minute on 2 cores
# Signing out would end the token the rest of the run uses, and requiring a second factor of
# leads would stop it with 403 mfa_enrolment_required (tests/accounts cover both).
SKIPPED = {"POST /api/v1/auth/logout", "PATCH /api/v1/admin/mfa-requirement"}
SHOWN = 5  # failures listed per operation


@pytest.fixture
def database_url(sqlite_template: Path, tmp_path: Path) -> str:
    """This test runs on SQLite only (the contract is the same on both databases)."""
    path = tmp_path / "schemathesis.sqlite3"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


def _problem(response: Any, method: str) -> str | None:
    """What is wrong with a response: a 5xx, or an error outside the one error shape (a HEAD
    answer has no body by HTTP's rule, RFC 9110 9.3.2: tus clients read its status and headers)."""
    status = response.status_code
    if status >= 500:
        return f"{status}: {response.content[:300]!r}"
    if status < 400 or method == "HEAD":
        return None
    if not response.headers.get("content-type", [""])[0].startswith("application/json"):
        return f"{status} is not JSON: {response.content[:200]!r}"
    try:
        ErrorSchema().load(orjson.loads(response.content))
    except (ValidationError, orjson.JSONDecodeError) as exc:
        return f"{status} outside the error shape ({exc}): {response.content[:200]!r}"
    return None


def _exercise(operation: Any, mode: GenerationMode, headers: dict[str, str]) -> list[str] | None:
    """The problems found in this operation's generated requests (None: none can be made)."""
    failures: list[str] = []

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        problem = _problem(case.call(headers=headers), case.method.upper())
        if problem and len(failures) < SHOWN:
            failures.append(
                f"{operation.label} ({mode.value}): {problem}\n  {case.as_curl_command()}"
            )

    try:
        run()
    except Unsatisfiable:
        # An operation with no parameters and no body has no invalid form (GET /me).
        assert mode is GenerationMode.NEGATIVE, operation.label
        return None
    return failures


def test_no_generated_request_gets_a_5xx_or_leaves_the_error_shape(app, factory):
    app.config["LIVE_STREAM_SECONDS"] = 0  # each event stream ends at once (tests/sync/test_live)
    school = factory.school()
    admin = factory.session(school, role="admin")
    factory.session(school)  # a colleague, so that ids of real people exist
    headers = {"Authorization": f"Bearer {admin.token}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    labels = {operation.label for operation in operations}
    assert len(labels) >= 24, labels
    assert labels >= SKIPPED
    failures: list[str] = []
    negative = 0
    for operation in operations:
        if operation.label in SKIPPED:
            continue
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            found = _exercise(operation, mode, headers)
            assert found is not None or mode is GenerationMode.NEGATIVE, operation.label
            negative += found is not None and mode is GenerationMode.NEGATIVE
            failures += found or []
    assert negative >= 15  # invalid requests were made for most operations
    assert admin.get("/api/v1/me").status_code == 200  # the run kept its token throughout
    _exports_finished(app)
    assert not failures, "\n".join(failures)


def _exports_finished(app: Any) -> None:
    """Wait for the export the run asked for (built by a thread) before the database goes."""
    from server.extensions import db
    from server.models import Job

    for _ in range(300):
        with app.app_context():
            busy = db.session.query(Job).filter(Job.status.in_(("x_queued", "x_running"))).count()
        if not busy:
            return
        time.sleep(0.1)
    raise AssertionError("an export job was still being built after 30 s")
