"""RRP's statistical process control engine (Django-free: standard library and NumPy only).

Entry points: :func:`analyse` (long-format rows, many groups, rebase periods) and
:func:`spc_matrix` (a time x series matrix, the fast path). See docs/spc.md.
"""

from rrp.spc.engine import MatrixResult, analyse, assurance, spc_matrix
from rrp.spc.types import (
    Assurance,
    Chart,
    ImprovementDirection,
    PeriodSummary,
    PointType,
    Profile,
    RunsAnalysis,
    SpcInputError,
    SpcResult,
    SpecialCause,
)

__all__ = [
    "Assurance",
    "Chart",
    "ImprovementDirection",
    "MatrixResult",
    "PeriodSummary",
    "PointType",
    "Profile",
    "RunsAnalysis",
    "SpcInputError",
    "SpcResult",
    "SpecialCause",
    "analyse",
    "assurance",
    "spc_matrix",
]
