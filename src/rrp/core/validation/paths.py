"""The address adapter: ``<id:name>`` in a URL pattern matches a record id, 1 to 2^63 - 1.

Django's ``<int:...>`` matches any run of digits, so ``/incidents/18446744073709551616/`` reached the
database and overflowed (a 500 on SQLite); a number no record can have is simply not found (404).
Registered by ``rrp.core.apps.CoreConfig``; every RRP URL pattern uses it for ids.
"""

from __future__ import annotations

from rrp.core.validation.rules import ID_MAX


class IdConverter:
    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= ID_MAX:
            raise ValueError(f"{value} is not a record id")
        return number

    def to_url(self, value: int) -> str:
        return str(int(value))
