"""Reproduce the headline figures of real published data (see each folder's README for its source).

The data are public: NHS Digital's Mental Health Services Monthly Statistics (MHSDS, also shipped in
src/rrp/measures/published/), NHS England's Mental Health Act annual statistics
(https://digital.nhs.uk/data-and-information/publications/statistical/mental-health-act-statistics-annual-figures)
and the US CMS inpatient psychiatric facility measures
(https://data.cms.gov/provider-data/topics/inpatient-psychiatric-facilities). The tests look for a
``real-data`` folder of them beside the repository (``../shared/real-data``, or under RRP_SHARED_DIR) and
skip, saying where they looked, when it is absent.
"""

from __future__ import annotations

import glob
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rrp import charts
from rrp.cli.spc import main
from rrp.spc import analyse


def shared_real_data() -> Path:
    """../shared/real-data beside the repository root (override the shared folder with RRP_SHARED_DIR)."""
    override = os.environ.get("RRP_SHARED_DIR")
    base = Path(override) if override else Path(__file__).resolve().parents[2] / ".." / "shared"
    return (base / "real-data").resolve()


REAL = shared_real_data()
MHSDS = REAL / "mhsds-provider-monthly-restraint-2021-22"
CMS = REAL / "cms-ipfqr-hbips" / "cy2022" / "IPFQR_QualityMeasures_Facility.csv"
needs_mhsds = pytest.mark.skipif(
    not MHSDS.is_dir(), reason=f"real data not found at {MHSDS} (set RRP_SHARED_DIR)"
)
needs_cms = pytest.mark.skipif(not CMS.is_file(), reason=f"real data not found at {CMS} (set RRP_SHARED_DIR)")


def _read(prefix: str, name: str) -> pd.DataFrame:
    frames = []
    for path in sorted(glob.glob(os.path.join(MHSDS, f"{prefix}*.csv"))):
        d = pd.read_csv(path, header=None, names=["month", "provider", "measure", name], dtype=str)
        frames.append(d)
    d = pd.concat(frames, ignore_index=True)
    # most files use DD/MM/YYYY, four use ISO YYYY-MM-DD (README)
    uk = pd.to_datetime(d["month"], format="%d/%m/%Y", errors="coerce")
    d["month"] = uk.fillna(pd.to_datetime(d["month"], format="%Y-%m-%d", errors="coerce"))
    d[name] = pd.to_numeric(d[name].replace("*", np.nan))
    return d[["month", "provider", name]]


@pytest.fixture(scope="module")
def restraint_rates() -> pd.DataFrame:
    rstr = _read("rstr", "people")
    beds = _read("beds", "bed_days")
    return rstr.merge(beds, on=["month", "provider"], how="left")


@needs_mhsds
def test_mhsds_sum_of_people_matches_readme(restraint_rates):
    sep = restraint_rates[restraint_rates.month == "2021-09-01"]
    assert sep.people.sum() == 2340
    assert restraint_rates.people.sum() == 28100


@needs_mhsds
def test_mhsds_nottinghamshire_u_chart_per_1000_bed_days(restraint_rates):
    d = restraint_rates[restraint_rates.provider == "NOTTINGHAMSHIRE HEALTHCARE NHS FOUNDATION TRUST"]
    r = analyse(
        "u",
        dates=d.month.to_numpy(),
        numerators=d.people.to_numpy(),
        denominators=d.bed_days.to_numpy(),
        multiplier=1000,
        improvement_direction="decrease",
    )
    first = int(np.argmin(d.month.to_numpy()))
    assert r.value[first] == pytest.approx(7.439, abs=5e-4)  # README: 175 / 23,525
    assert r.centre[0] == pytest.approx(7.206, abs=5e-4)  # README: 2,025 / 281,030 pooled over 12 months
    assert r.summaries[0].n == 12


@needs_mhsds
def test_mhsds_st_andrews_pooled_and_lowest_month(restraint_rates):
    d = restraint_rates[restraint_rates.provider == "ST ANDREW'S HEALTHCARE"]
    r = analyse(
        "u",
        dates=d.month.to_numpy(),
        numerators=d.people.to_numpy(),
        denominators=d.bed_days.to_numpy(),
        multiplier=1000,
    )
    assert r.summaries[0].n == 11
    assert r.centre[0] == pytest.approx(6.795, abs=5e-4)
    assert np.nanmin(r.value) == pytest.approx(4.857, abs=5e-4)


@needs_mhsds
def test_mhsds_pooled_rate_over_all_provider_months_by_funnel(restraint_rates):
    both = restraint_rates.dropna(subset=["people", "bed_days"])
    assert len(both) == 531
    r = analyse(
        "funnel",
        dates=None,
        numerators=both.people.to_numpy(),
        denominators=both.bed_days.to_numpy(),
        groups=(both.provider + " " + both.month.dt.strftime("%Y-%m")).to_numpy(),
        multiplier=1000,
    )
    assert r.centre[0] == pytest.approx(4.883, abs=5e-4)  # README: 28,075 / 5,749,635


@needs_mhsds
def test_mhsds_charts_every_provider_with_the_cli(restraint_rates, tmp_path):
    src = tmp_path / "mhsds.csv"
    restraint_rates.assign(month=restraint_rates.month.dt.strftime("%Y-%m-%d")).to_csv(src, index=False)
    out, svg = tmp_path / "out.csv", tmp_path / "chart.svg"
    code = main(
        [
            "xmr",
            "--input",
            str(src),
            "--output",
            str(out),
            "--date-column",
            "month",
            "--group-column",
            "provider",
            "--numerator-column",
            "people",
            "--denominator-column",
            "bed_days",
            "--multiplier",
            "1000",
            "--improvement",
            "decrease",
            "--chart-output",
            str(svg),
        ]
    )
    assert code == 0
    result = pd.read_csv(out)
    assert len(result) == len(restraint_rates)
    assert svg.read_text().startswith("<svg")


@needs_cms
def test_cms_hbips2_national_rate_and_facility_by_funnel():
    d = pd.read_csv(CMS, dtype={"Facility ID": str})
    num = pd.to_numeric(d["HBIPS-2 Overall Num"], errors="coerce")
    den = pd.to_numeric(d["HBIPS-2 Overall Den"], errors="coerce")
    ok = num.notna() & den.notna() & (den > 0)
    d, num, den = d[ok], num[ok], den[ok]
    # rate per 1,000 patient hours: the denominator is patient days, so multiply by 1000 / 24
    r = analyse(
        "funnel",
        dates=None,
        numerators=num.to_numpy(),
        denominators=den.to_numpy(),
        groups=d["Facility ID"].to_numpy(),
        multiplier=1000 / 24,
        improvement_direction="decrease",
    )
    assert r.centre[0] == pytest.approx(0.3244, abs=5e-5)  # README: facility-file sum 193,245.95 / 24,821,432
    metro = np.flatnonzero(d["Facility ID"].to_numpy() == "054133")[0]
    assert r.value[metro] == pytest.approx(1.44, abs=0.005)
    assert r.point_type_labels()[metro] == "special_cause_concern"
    spec = charts.spc_chart_spec(r, title="HBIPS-2 restraint hours per 1,000 patient hours, CY2022")
    assert spec["layer"][-1]["encoding"]["x"]["field"] == "denominator"


@needs_cms
def test_cms_hbips2_state_rates():
    d = pd.read_csv(CMS, dtype={"Facility ID": str})
    d["num"] = pd.to_numeric(d["HBIPS-2 Overall Num"], errors="coerce")
    d["den"] = pd.to_numeric(d["HBIPS-2 Overall Den"], errors="coerce")
    states = d.dropna(subset=["num", "den"]).groupby("State")[["num", "den"]].sum().reset_index()
    r = analyse(
        "funnel",
        dates=None,
        numerators=states.num.to_numpy(),
        denominators=states.den.to_numpy(),
        groups=states.State.to_numpy(),
        multiplier=1000 / 24,
    )
    rate = dict(zip(states.State, np.round(r.value, 2), strict=True))
    assert (rate["CA"], rate["NY"], rate["TX"], rate["AK"]) == (0.52, 0.19, 0.09, 0.18)
