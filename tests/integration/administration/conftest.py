"""The use-of-force tests' complete incident on ward a1, to show an administrator cannot open it."""

from tests.integration.force.conftest import (  # noqa: F401 - the force tests' fixtures, shared here
    complete_incident,
    nurse,
    patient,
    roster_nurse,
    ward,
)
