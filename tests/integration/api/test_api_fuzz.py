"""The whole API fuzzed from its own OpenAPI document with schemathesis (issue 12, What was seen and What
to build 7): for several roles, every operation gets schema-valid and schema-breaking requests, and every
answer must be no server error, a status the document declares, the content type it declares, and a body
and headers matching the declared schema.

Bounded so it runs in well under a minute on each database in CI: ``RRP_FUZZ_EXAMPLES`` cases per
operation and role (default 3; set it higher for a release run, see docs/reliability.md). Runs inside
the test's transaction, so what the fuzzer writes is rolled back."""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from rrp.api.services import api_token_create
from tests import factories

EXAMPLES = int(os.environ.get("RRP_FUZZ_EXAMPLES", "3"))
# No 5xx and no schema violation. Not negative_data_rejection: it counts an unknown query parameter
# being ignored as a failure, and the bearer header added here as a request "without" it; it found the
# lax booleans (durations_confirmed: 0 accepted as false) that BodyIn now refuses.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@schemathesis.serializer("x-application/hl7-v2+er7")
def _hl7_text(ctx: schemathesis.SerializationContext, value: object) -> bytes:
    """POST /api/adt takes one HL7 v2 message as its body: the fuzzer's string sent as it is (carriage
    returns and all), so the feed is fuzzed like every other operation rather than skipped."""
    return value.encode() if isinstance(value, str) else str(value).encode()


def _served_schema() -> schemathesis.schemas.BaseSchema:
    """The OpenAPI document as the API serves it (problem+json and the common errors added), called in
    process through the WSGI application, so requests go to the test database."""
    from rrp.api.api import api
    from rrp.config.wsgi import application

    loaded = schemathesis.openapi.from_dict(api.get_openapi_schema())
    loaded.app = application
    return loaded


def _bearer(world, role: str) -> dict[str, str]:
    _, token = api_token_create(user=world.users[role], by=None)
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Calling the WSGI application sends request_started and request_finished, whose handler closes the
    database connection: the test's own, holding its transaction (on PostgreSQL every later call then
    fails). Django's test client disconnects it the same way for the length of a request."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def patient(world):
    """A patient with an NHS number on ward a1, so creating and reading incidents can succeed."""
    person = factories.patient(provider=world.providers[0], nhs_number="9434765919")
    factories.stay(patient=person, ward=world.wards["a1"])
    return person


# One fixture per role: schemathesis' lazy schema resolves fixtures by name and takes no parametrised ones.
@pytest.fixture
def ward_staff(world) -> dict[str, str]:
    return _bearer(world, "ward_staff")


@pytest.fixture
def governance(world) -> dict[str, str]:
    return _bearer(world, "provider_governance")


@pytest.fixture
def regulator(world) -> dict[str, str]:
    return _bearer(world, "regulator")


schema = _served_schema()
bounded = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@pytest.mark.slow
@schema.parametrize()
@bounded
def test_as_ward_staff(case, ward_staff):
    case.call_and_validate(headers=ward_staff, checks=CHECKS)


@pytest.mark.slow
@schema.parametrize()
@bounded
def test_as_provider_governance(case, governance):
    case.call_and_validate(headers=governance, checks=CHECKS)


@pytest.mark.slow
@schema.parametrize()
@bounded
def test_as_the_regulator(case, regulator):
    case.call_and_validate(headers=regulator, checks=CHECKS)
