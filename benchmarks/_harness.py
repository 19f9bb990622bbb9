"""Timing and reporting shared by every benchmark suite.

Each measurement calls a function in a tight loop for a calibrated number of
iterations, repeats that several times, and keeps the median time per call, so
one noisy repeat on a shared machine does not decide the result. All candidates
of one case run in the same process, one after the other, and are reported as
ratios against tether: "2.5x" means the peer takes 2.5 times as long.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

BASELINE = "tether"


@dataclass(frozen=True)
class Result:
    """The median seconds per call of one candidate in one case."""

    case: str
    candidate: str
    seconds: float


def _loops_for(func: Callable[[], object], target: float) -> int:
    loops = 1
    while True:
        start = time.perf_counter()
        for _ in range(loops):
            func()
        if time.perf_counter() - start >= target:
            return loops
        loops *= 2


def measure(func: Callable[[], object], *, repeat: int = 7, target: float = 0.05) -> float:
    """Return the median seconds per call of `func` over `repeat` timed batches."""
    loops = _loops_for(func, target)
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(loops):
            func()
        samples.append((time.perf_counter() - start) / loops)
    return statistics.median(samples)


def compare(
    case: str, candidates: Mapping[str, Callable[[], object]], *, repeat: int = 7
) -> list[Result]:
    """Time every candidate of one case; the baseline (tether) must be among them."""
    if BASELINE not in candidates:
        raise ValueError(f"case {case!r} has no {BASELINE!r} candidate")
    return [Result(case, name, measure(func, repeat=repeat)) for name, func in candidates.items()]


def _format_time(seconds: float) -> str:
    if seconds >= 1e-3:
        return f"{seconds * 1e3:9.2f} ms"
    return f"{seconds * 1e6:9.2f} us"


def report(title: str, results: list[Result]) -> str:
    """Render results as a table: median time per call and ratio peer/tether."""
    lines = [title, "=" * len(title)]
    lines.append(f"{'case':<28} {'candidate':<16} {'median':>12} {'vs tether':>10}")
    by_case: dict[str, list[Result]] = {}
    for result in results:
        by_case.setdefault(result.case, []).append(result)
    for case, rows in by_case.items():
        base = next(r.seconds for r in rows if r.candidate == BASELINE)
        for row in rows:
            ratio = "1.00x" if row.candidate == BASELINE else f"{row.seconds / base:.2f}x"
            lines.append(
                f"{case:<28} {row.candidate:<16} {_format_time(row.seconds):>12} {ratio:>10}"
            )
        lines.append("")
    lines.append("vs tether: the peer's median time divided by tether's (above 1 = tether faster).")
    return "\n".join(lines)
