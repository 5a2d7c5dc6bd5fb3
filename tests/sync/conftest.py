"""The sync tests' shared world: a school, and two teachers on phones with the observation
they share (the observer wrote it; neither has pulled yet)."""

from __future__ import annotations

import pytest

from tests.support.sync import SyncClient, new_id, observation_fields


@pytest.fixture
def school(factory):
    return factory.school()


@pytest.fixture
def pair(factory, school):
    """An observer and an observee, each on a phone, and the observation they share."""
    observer = SyncClient(factory.session(school, name="Olu Observer"))
    observee = SyncClient(factory.session(school, name="Eve Observee"))
    obs_id = new_id()
    fields = observation_fields([(observer.user_id, "observer"), (observee.user_id, "observee")])
    assert observer.put("observation", obs_id, fields)["status"] == "applied"
    return observer, observee, obs_id
