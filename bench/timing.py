"""Medians of repeated runs, and of two things run alternately so that a busy machine slows both alike."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

Row = tuple[str, float, str, str]  # what, seconds (or NaN), ratio, goal


def best_of(fn: Callable[[], object], repeat: int = 7) -> float:
    """Median wall time of *fn* in seconds over *repeat* runs (after one warm-up)."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def paired(a: Callable[[], object], b: Callable[[], object], repeat: int = 5) -> tuple[float, float]:
    """Median wall times of *a* and *b*, run alternately (after one warm-up each), so that a busy machine
    slows both sides of a ratio alike instead of whichever happened to run during the busy moment."""
    a()
    b()
    ta, tb = [], []
    for _ in range(repeat):
        for fn, times in ((a, ta), (b, tb)):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    return statistics.median(ta), statistics.median(tb)


def goal(text: str, met: bool) -> str:
    return f"{text} {'✓' if met else '✗'}"
