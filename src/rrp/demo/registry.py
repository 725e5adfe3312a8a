"""The ordered registry of demo-data steps, and the context they share.

A step is a function `step(ctx)` that makes one kind of synthetic record. It reads what earlier
steps made from `ctx.frames` (columns as numpy arrays, keyed by frame name), writes its rows with
`ctx.writer`, and publishes its own frame for later steps. A later app (use-of-force incidents,
seclusion episodes, QI projects) adds a module `rrp/demo/steps/<app>.py` with

    @demo_step("incidents", after=("ward_stays",), models=(Incident,))
    def incidents(ctx: DemoContext) -> None: ...

and names it in `rrp.demo.generate.STEP_MODULES`; the app itself never imports the demo (decision
0011). Each step gets its own random generator seeded from (seed, step name), so adding a step never
changes what the existing steps make for the same seed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from django.db import models

if TYPE_CHECKING:
    from rrp.demo.writer import TableWriter

Frame = dict[str, np.ndarray]
StepFunction = Callable[["DemoContext"], None]


@dataclass(frozen=True)
class DemoOptions:
    """The size and shape of a demo data set; with the seed, they fix every row."""

    providers: int = 3
    wards_per_provider: int = 4
    years: int = 2
    seed: int = 1
    end_date: dt.date | None = None  # last day of the period; None means yesterday

    def as_json(self) -> dict[str, Any]:
        return {
            "providers": self.providers,
            "wards_per_provider": self.wards_per_provider,
            "years": self.years,
            "seed": self.seed,
            "end_date": self.end_date.isoformat() if self.end_date else None,
        }


@dataclass
class DemoContext:
    """What a step needs: its random generator, the period, what earlier steps made, and a writer.

    `frames` holds each step's output as columns (numpy arrays of equal length, with an `id`
    column holding the primary keys the step assigned), so later steps can build children in bulk
    without querying the database.
    """

    options: DemoOptions
    first_day: dt.date
    last_day: dt.date
    writer: TableWriter
    frames: dict[str, Frame] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)
    rng: np.random.Generator = field(default_factory=lambda: np.random.default_rng(0))

    @property
    def seed(self) -> int:
        return self.options.seed

    @property
    def n_days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @property
    def day0(self) -> np.datetime64:
        """The first day of the period as a numpy day, the origin of every day number."""
        return np.datetime64(self.first_day, "D")

    def rng_for(self, name: str) -> np.random.Generator:
        """A generator that depends only on the seed and `name`, so steps are independent."""
        return np.random.default_rng([self.options.seed, zlib.crc32(name.encode())])

    def frame(self, name: str) -> Frame:
        try:
            return self.frames[name]
        except KeyError:
            raise KeyError(f"No step has made a '{name}' frame yet; check the step's `after`.") from None

    def publish(self, name: str, frame: Frame) -> None:
        """Keep a step's output for later steps (and the run's digest)."""
        lengths = {len(v) for v in frame.values()}
        if len(lengths) > 1:
            raise ValueError(f"Frame '{name}' has columns of different lengths: {lengths}")
        self.frames[name] = frame

    def digest(self) -> str:
        """A SHA-256 over every published frame, in publication order: equal digests, equal data."""
        h = hashlib.sha256()
        for name, frame in self.frames.items():
            h.update(name.encode())
            for column in sorted(frame):
                values = frame[column]
                h.update(column.encode())
                if values.dtype.kind in "OUS":
                    h.update("\x1f".join(map(str, values.tolist())).encode())
                else:
                    h.update(np.ascontiguousarray(values).tobytes())
        return h.hexdigest()


@dataclass(frozen=True)
class Step:
    """A registered step: its name, the steps it must follow, and the models whose rows it owns.

    The generator wipes `models` (in reverse step order) before a new run; a step with other rows to
    remove (the demo users) gives its own `wipe` function.
    """

    name: str
    function: StepFunction
    after: tuple[str, ...] = ()
    models: tuple[type[models.Model], ...] = ()
    wipe: StepFunction | None = None


_REGISTRY: dict[str, Step] = {}


def demo_step(
    name: str,
    *,
    after: Iterable[str] = (),
    models: Iterable[type[models.Model]] = (),
    wipe: StepFunction | None = None,
) -> Callable[[StepFunction], StepFunction]:
    """Register a function as the demo-data step `name` (a decorator)."""

    def register(function: StepFunction) -> StepFunction:
        _REGISTRY[name] = Step(
            name=name, function=function, after=tuple(after), models=tuple(models), wipe=wipe
        )
        return function

    return register


def ordered_steps(*, modules: Sequence[str] = ()) -> list[Step]:
    """Registered steps in run order: their modules' order in `modules` (any other module after them),
    then registration order, except that a step follows its `after`s. Ranking by module, not by
    when a module happened to be imported, keeps the run order the same in every process."""
    rank = {module: i for i, module in enumerate(modules)}
    registered = sorted(_REGISTRY.values(), key=lambda step: rank.get(step.function.__module__, len(rank)))
    ordered: list[Step] = []
    placed: set[str] = set()
    visiting: set[str] = set()

    def place(step: Step) -> None:
        if step.name in placed:
            return
        if step.name in visiting:
            raise ValueError(f"Demo steps depend on each other in a circle at '{step.name}'")
        visiting.add(step.name)
        for before in step.after:
            if before not in _REGISTRY:
                raise ValueError(f"Demo step '{step.name}' must follow '{before}', which is not registered")
            place(_REGISTRY[before])
        visiting.discard(step.name)
        placed.add(step.name)
        ordered.append(step)

    for step in registered:
        place(step)
    return ordered
