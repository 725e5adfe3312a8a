"""The `rrp` words for the measures commands reach the right management commands."""

from __future__ import annotations

from rrp.cli.main import to_management_argv


def test_rrp_import_mhsds_provider_monthly_maps_to_its_command():
    assert to_management_argv(["import", "mhsds-provider-monthly", "DIR"]) == [
        "import_mhsds_provider_monthly",
        "DIR",
    ]


def test_rrp_benchmark_national_maps_to_its_command():
    argv = ["benchmark", "national", "--provider", "NAME", "--output", "out.csv"]

    assert to_management_argv(argv) == ["benchmark_national", "--provider", "NAME", "--output", "out.csv"]
