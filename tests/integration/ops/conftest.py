"""Fixtures shared by the ops tests: the use-of-force tests' complete incident on ward a1 (with rapid
tranquillisation and a statement outstanding), and the seclusion tests' episode started three hours ago."""

from tests.integration.force.conftest import (  # noqa: F401 - the force tests' fixtures, shared here
    complete_incident,
    nurse,
    patient,
    roster_nurse,
    ward,
)
from tests.integration.segregation.conftest import (  # noqa: F401 - the seclusion tests' fixtures
    nurse_user,
    roster,
    seclusion,
    started,
)
