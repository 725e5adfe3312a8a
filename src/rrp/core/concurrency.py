"""Optimistic concurrency for amendable records (decision 0018).

A page or API client that amends a versioned record says which version it started from (a hidden
`base_version` field on the form, `base_version` in the API's body). The service compares it with the
latest version under the record's row lock: if someone else has saved since, the amendment is refused
with StaleVersion, nothing is saved, and the person sees both changes side by side (pages) or a 409
(the API) instead of silently putting back what the other person changed.
"""

from __future__ import annotations


class StaleVersion(Exception):
    """An amendment made from version `base` of a record whose latest version is now `current`."""

    def __init__(self, *, base: int, current: int, what: str = "record") -> None:
        self.base, self.current, self.what = base, current, what
        super().__init__(
            f"This {what} was changed by someone else after you opened it (you started from version "
            f"{base}; it is now at version {current}), so nothing was saved. Read the latest version and "
            "make your change again."
        )


def check_base_version(*, base: int | None, current: int, what: str = "record") -> None:
    """Refuse (StaleVersion) an amendment from a version that is no longer the latest; `base` None is
    a caller that works on whatever is latest by design (an import keyed by source id)."""
    if base is not None and base != current:
        raise StaleVersion(base=base, current=current, what=what)
