"""One address, several instances (issue 17): real traffic through Debian's nginx on PostgreSQL.

scripts/cluster.py starts nginx in front of two sync instances, a live instance (the event
stream) and a reports instance; everything here goes through nginx's one port: sign-in, push,
pull, a `changed` event on a stream served by the live instance for a push served by a sync
instance, a report served by the reports instance, and a body over the limit refused by nginx
in the API's error shape. Without nginx the test fails and says how to install it.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scripts.cluster import Cluster
from server import create_app
from server.extensions import db
from tests.support.factories import PASSWORD, Factory
from tests.support.postgres import PostgresCluster
from tests.support.sync import hlc, iso
from tests.sync.test_live import Stream

pytestmark = pytest.mark.postgres
SECRET = "cluster-test-secret"
# Streams end after 6 s; no heartbeat (and so no safety-net read) before: events come by NOTIFY.
LIVE_ENV = {"LESSONLOOP_LIVE_STREAM_SECONDS": "6", "LESSONLOOP_LIVE_HEARTBEAT_SECONDS": "30"}


@pytest.fixture(scope="module")
def pg_url(pg_cluster: PostgresCluster, pg_template: str) -> Iterator[str]:
    name = "c_" + uuid.uuid4().hex[:16]
    pg_cluster.execute(f"CREATE DATABASE {name} TEMPLATE {pg_template}")
    yield pg_cluster.url(name)
    pg_cluster.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="module")
def cluster(pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """One cluster for the module's tests (it takes seconds to start)."""
    tmp_path = tmp_path_factory.mktemp("cluster")
    env = {
        "LESSONLOOP_DATABASE_URL": pg_url,
        "LESSONLOOP_INSTANCE_PATH": str(tmp_path / "instance"),
        "LESSONLOOP_SECRET_KEY": SECRET,
        "LESSONLOOP_PASSWORD_HASH_PROFILE": "fast",
        **LIVE_ENV,
    }
    running = Cluster(tmp_path / "cluster", env, workers=1, threads=4, live_threads=16)
    try:
        running.start()
    except RuntimeError as error:
        pytest.fail(str(error))  # nginx missing: the message says how to install it
    yield running
    running.stop()


@pytest.fixture
def people(pg_url: str, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """A new school with two teachers and a lead (written directly, signed in over HTTP)."""
    app = create_app(
        {
            "DATABASE_URL": pg_url,
            "INSTANCE_PATH": tmp_path / "writer",
            "SECRET_KEY": SECRET,
            "PASSWORD_HASH_PROFILE": "fast",
        }
    )
    factory = Factory(app, app.test_client())
    school = factory.school()
    yield {
        "observer": factory.user(school, name="Olu Observer").email,
        "observee": factory.user(school, name="Eve Observee").email,
        "lead": factory.user(school, role="lead", name="Lee Lead").email,
    }
    with app.app_context():
        db.engine.dispose()


def call(
    cluster: Cluster, method: str, path: str, body: Any = None, token: str | None = None
) -> tuple[int, Any, bytes]:
    """One request through nginx, on a new connection: (status, JSON or None, raw body)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(cluster.url + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            raw, status, kind = response.read(), response.status, response.headers["Content-Type"]
    except urllib.error.HTTPError as error:
        raw, status, kind = error.read(), error.code, error.headers["Content-Type"]
    decoded = json.loads(raw) if raw and kind.startswith("application/json") else None
    return status, decoded, raw


def login(cluster: Cluster, email: str) -> dict[str, Any]:
    status, body, _ = call(
        cluster, "POST", "/api/v1/auth/login", {"email": email, "password": PASSWORD}
    )
    assert status == 200, body
    return dict(body)


def observation(me: dict[str, Any], partner: dict[str, Any], seq: int) -> dict[str, Any]:
    fields = {
        "kind": "peer_observation",
        "title": "Year 8 maths",
        "starts_at": iso(),
        "participants": [
            {"user_id": me["user"]["id"], "role": "observer"},
            {"user_id": partner["user"]["id"], "role": "observee"},
        ],
    }
    return {
        "seq": seq,
        "entity": "observation",
        "id": str(uuid.uuid4()),
        "op": "put",
        "base_version": 0,
        "hlc": hlc(me["client_id"], counter=seq),
        "fields": fields,
    }


def push(cluster: Cluster, me: dict[str, Any], mutations: list[dict[str, Any]]) -> dict[str, Any]:
    body = {"client_id": me["client_id"], "mutations": mutations}
    status, answer, _ = call(cluster, "POST", "/api/v1/sync/push", body, me["token"])
    assert status == 200, answer
    assert [r["status"] for r in answer["results"]] == ["applied"] * len(mutations), answer
    return dict(answer)


def served(cluster: Cluster, role: str, what: str) -> list[int]:
    """How many requests containing `what` each instance of a role logged (a request is logged
    just after its answer is sent: wait until the logs stop growing)."""
    sizes: list[int] = []
    for _ in range(50):
        now = [cluster.log(m).stat().st_size for m in cluster.members if cluster.log(m).exists()]
        if now == sizes:
            break
        sizes = now
        time.sleep(0.2)
    return [
        cluster.log(m).read_text().count(what) if cluster.log(m).exists() else 0
        for m in cluster.members
        if m.role == role
    ]


def test_sign_in_push_pull_and_a_stream_through_one_address(cluster, people):
    observer, observee = login(cluster, people["observer"]), login(cluster, people["observee"])
    stream = Stream(cluster, observee["token"])  # type: ignore[arg-type]  (it needs a .port)
    assert stream.response.status == 200
    stream.start()
    assert stream.blocks.get(timeout=5) == {"retry": "3000", "comments": ["connected"]}
    answer = push(cluster, observer, [observation(observer, observee, 1)])
    event = stream.next_event("changed", timeout=5)  # through nginx, unbuffered
    assert json.loads(event["data"]) == {"version": answer["results"][0]["version"]}
    stream.join(timeout=15)  # the stream ends on its own after 6 s
    assert stream.ended is not None
    status, page, _ = call(cluster, "GET", "/api/v1/sync/pull", token=observee["token"])
    assert status == 200
    assert [c["entity"] for c in page["changes"] if c["entity"] == "observation"] == ["observation"]
    for seq in range(2, 8):  # more pushes, each on a new connection: both instances take some
        push(cluster, observer, [observation(observer, observee, seq)])
    assert all(count >= 1 for count in served(cluster, "app", "POST /api/v1/sync/push"))
    assert sum(served(cluster, "live", "GET /api/v1/sync/events")) == 1
    assert sum(served(cluster, "app", "/api/v1/sync/events")) == 0


def test_reports_are_served_by_their_own_instance(cluster, people):
    observer, observee = login(cluster, people["observer"]), login(cluster, people["observee"])
    mutation = observation(observer, observee, 1)
    push(cluster, observer, [mutation])
    path = f"/api/v1/reports/observations/{mutation['id']}.pdf"
    status, _, raw = call(cluster, "GET", path, token=observer["token"])
    assert status == 200
    assert raw.startswith(b"%PDF")
    assert sum(served(cluster, "reports", path)) == 1
    assert sum(served(cluster, "app", "/api/v1/reports/")) == 0
    # The permission check is made there too: the lead may not see a participants-only one.
    lead = login(cluster, people["lead"])
    status, body, _ = call(cluster, "GET", path, token=lead["token"])
    assert status == 404
    assert body["error"]["code"] == "not_found"


def test_a_body_over_the_limit_is_refused_by_nginx_in_the_error_shape(cluster, people):
    observer = login(cluster, people["observer"])
    padding = "x" * (5 * 1024 * 1024)
    body = {"client_id": observer["client_id"], "mutations": [], "padding": padding}
    before = served(cluster, "app", "POST /api/v1/sync/push")
    status, answer, _ = call(cluster, "POST", "/api/v1/sync/push", body, observer["token"])
    assert status == 413
    assert answer == {
        "error": {
            "code": "payload_too_large",
            "message": "The request body is too large (at most 5 MB).",
        }
    }
    assert served(cluster, "app", "POST /api/v1/sync/push") == before  # the app never saw it
    # Just under the limit reaches the app, which answers in the same shape.
    status, answer, _ = call(cluster, "POST", "/api/v1/sync/push", {"x": "y"}, observer["token"])
    assert status == 400
    assert answer["error"]["code"] == "validation_error"
