"""Fixtures shared by the accounts tests: the use-of-force tests' complete incident on ward a1."""

from tests.integration.force.conftest import (  # noqa: F401 - the force tests' fixtures, shared here
    complete_incident,
    nurse,
    patient,
    roster_nurse,
    ward,
)
from tests.oidc import oidc_server, sso_on  # noqa: F401 - the single sign-on tests' provider
