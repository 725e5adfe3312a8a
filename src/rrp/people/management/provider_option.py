"""The --provider ODS option the patient administration system's imports share."""

from __future__ import annotations

from rrp.core.validation.cli import bad_input
from rrp.organisations.models import Provider


def provider_from(value: object) -> Provider:
    """The provider with this ODS code, or the command's exit-2 error naming the option."""
    provider = Provider.objects.filter(ods_code__iexact=str(value).strip()).first()
    if provider is None:
        raise bad_input(f"--provider: no provider has the ODS code {value!r}")
    return provider
