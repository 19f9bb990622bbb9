"""The network transport against its peers, on nginx over loopback.

``python -m benchmarks transport`` starts nginx (`benchmarks/nginx/run.sh`, installing
it with apt-get if missing) with one worker pinned to CPU core 0, pins this process to
core 1, and runs every scenario for every candidate in `_transport_candidates`:

- sync: sequential small GETs; 10 MiB downloads; 10 MiB uploads.
- async: small GETs at concurrency 10, 100 and 1000; 10 MiB downloads and uploads.

Unlike the other suites, this one measures throughput: each run makes a fresh client,
warms it up (opening its connections; for small GETs a tenth of the count), then times
a fixed number of requests. The candidates take turns, one run each per round, and the
median of `REPEAT` rounds is reported in requests or MiB per second, with the ratio
baseline/candidate ("2.0x": the baseline does twice the work in the same time). The
baseline is tether, or the h11 loop while tether's transport does not exist. A PNG
chart goes to ``benchmarks/results/transport.png``. ``TETHER_BENCH_SCALE=0.2`` shortens
every count; ``TETHER_BENCH_SCENARIOS="sync small,x100"`` keeps the scenarios whose name
contains one of the parts, and ``TETHER_BENCH_CANDIDATES="tether,h11 loop"`` the
candidates named. With ``--docs`` (``python -m benchmarks transport --docs``), the chart
and the table as Markdown are also written to ``docs/assets/benchmarks/``, which the
docs' benchmarks page includes.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from benchmarks._transport_candidates import (
    AsyncCandidate,
    SyncCandidate,
    Unavailable,
    async_candidates,
    sync_candidates,
)

HERE = Path(__file__).resolve().parent
RUN_NGINX = HERE / "nginx" / "run.sh"
RESULTS = HERE / "results"
DOCS_ASSETS = HERE.parent / "docs" / "assets" / "benchmarks"
HOST = "127.0.0.1"
SERVER_CORE, CLIENT_CORE = 0, 1
REPEAT = 3
MIB = 1 << 20
BIG = 10 * MIB
UPLOAD_BODY = os.urandom(BIG)
SMALL_PATH, BIG_PATH, UPLOAD_PATH = "/small", "/10mb", "/upload"
BASELINES = ("tether", "h11 loop")


@dataclass(frozen=True)
class Scenario:
    """One row group of the report: what is sent, how often, how many at once."""

    name: str
    kind: str  # "sync" or "async"
    action: str  # "small", "download" or "upload"
    count: int
    concurrency: int = 1

    @property
    def unit(self) -> str:
        return "req/s" if self.action == "small" else "MiB/s"


@dataclass(frozen=True)
class Outcome:
    """The median rate of one candidate in one scenario, or why it has none."""

    scenario: Scenario
    candidate: str
    rate: float | None
    note: str = ""


def scenarios(scale: float) -> list[Scenario]:
    """Every scenario, with its request count multiplied by `scale` (at least 2)."""

    def n(count: int) -> int:
        return max(2, int(count * scale))

    return [
        Scenario("sync small GET", "sync", "small", n(2000)),
        Scenario("sync 10 MiB download", "sync", "download", n(10)),
        Scenario("sync 10 MiB upload", "sync", "upload", n(10)),
        Scenario("async small GET x10", "async", "small", n(2000), 10),
        Scenario("async small GET x100", "async", "small", n(3000), 100),
        Scenario("async small GET x1000", "async", "small", n(4000), 1000),
        Scenario("async 10 MiB download", "async", "download", n(10)),
        Scenario("async 10 MiB upload", "async", "upload", n(10)),
    ]


# -- running ------------------------------------------------------------------------------------


def _sync_call(client: SyncCandidate, action: str) -> Callable[[], object]:
    if action == "small":
        return lambda: client.get(SMALL_PATH)
    if action == "download":
        return lambda: _expect(client.get(BIG_PATH), BIG)
    return lambda: client.post(UPLOAD_PATH, UPLOAD_BODY)


def _expect(received: int, size: int) -> None:
    if received != size:
        raise RuntimeError(f"received {received} bytes, expected {size}")


def _rate(scenario: Scenario, seconds: float) -> float:
    if scenario.action == "small":
        return scenario.count / seconds
    return scenario.count * BIG / MIB / seconds


def _warm_up_count(scenario: Scenario) -> int:
    """Requests sent before timing: enough to open the connections and warm the code.

    One request per connection for big bodies; for small GETs a tenth of the timed
    count, so no candidate is timed while its (or nginx's) caches are still cold.
    """
    if scenario.action != "small":
        return scenario.concurrency
    return max(scenario.concurrency, scenario.count // 10)


def sync_sample(scenario: Scenario, factory: Callable[[], SyncCandidate]) -> float:
    """One timed run of `scenario` on a fresh client: its rate."""
    client = factory()
    try:
        call = _sync_call(client, scenario.action)
        for _ in range(_warm_up_count(scenario)):
            call()
        start = time.perf_counter()
        for _ in range(scenario.count):
            call()
        return _rate(scenario, time.perf_counter() - start)
    finally:
        client.close()


def _async_call(client: AsyncCandidate, action: str) -> Callable[[], Awaitable[object]]:
    async def download() -> None:
        _expect(await client.get(BIG_PATH), BIG)

    if action == "small":
        return lambda: client.get(SMALL_PATH)
    if action == "download":
        return download
    return lambda: client.post(UPLOAD_PATH, UPLOAD_BODY)


async def _async_sample(scenario: Scenario, factory: Callable[[int], AsyncCandidate]) -> float:
    client = factory(scenario.concurrency)
    call = _async_call(client, scenario.action)

    async def worker(requests: int) -> None:
        for _ in range(requests):
            await call()

    async def batch(total: int) -> float:
        share, extra = divmod(total, scenario.concurrency)
        start = time.perf_counter()
        await asyncio.gather(
            *(
                worker(share + (i < extra))
                for i in range(scenario.concurrency)
                if share or i < extra
            )
        )
        return time.perf_counter() - start

    try:
        await batch(_warm_up_count(scenario))  # opens every connection
        return _rate(scenario, await batch(scenario.count))
    finally:
        await client.aclose()


def async_sample(scenario: Scenario, factory: Callable[[int], AsyncCandidate]) -> float:
    """One timed run of `scenario` on a fresh client and event loop: its rate."""
    return asyncio.run(_async_sample(scenario, factory))


def _selection(variable: str) -> list[str]:
    """The comma-separated names in environment `variable` (empty: everything)."""
    return [part.strip() for part in os.environ.get(variable, "").split(",") if part.strip()]


def run_all(port: int, scale: float, log: Callable[[str], None]) -> list[Outcome]:
    """Every candidate in every scenario; failures and absences become notes.

    The candidates take turns: each of the `REPEAT` rounds times every candidate once,
    so a slow spell of the machine (or a warming-up server) falls on all of them
    rather than on whichever happened to run then.
    """
    sync, async_ = sync_candidates(HOST, port), async_candidates(HOST, port)
    only = _selection("TETHER_BENCH_SCENARIOS")
    who = _selection("TETHER_BENCH_CANDIDATES")
    outcomes = []
    for scenario in scenarios(scale):
        if only and not any(part in scenario.name for part in only):
            continue
        names = [
            name for name in (sync if scenario.kind == "sync" else async_) if not who or name in who
        ]
        samples: dict[str, list[float]] = {name: [] for name in names}
        notes: dict[str, str] = {}
        for _ in range(REPEAT):
            for name in names:
                if name in notes:
                    continue
                try:
                    if scenario.kind == "sync":
                        rate = sync_sample(scenario, sync[name])
                    else:
                        rate = async_sample(scenario, async_[name])
                except Unavailable as exc:
                    notes[name] = f"not available: {exc}"
                except Exception as exc:
                    notes[name] = f"failed: {type(exc).__name__}: {exc}"
                else:
                    samples[name].append(rate)
        for name in names:
            if name in notes:
                outcome = Outcome(scenario, name, None, notes[name])
            else:
                outcome = Outcome(scenario, name, statistics.median(samples[name]))
            outcomes.append(outcome)
            shown = f"{outcome.rate:,.0f} {scenario.unit}" if outcome.rate else outcome.note
            log(f"  {scenario.name:<24} {name:<23} {shown}")
    return outcomes


# -- reporting ----------------------------------------------------------------------------------


def baseline_of(outcomes: list[Outcome]) -> str:
    """tether if it ran anywhere, else the h11 loop."""
    ran = {o.candidate for o in outcomes if o.rate is not None}
    return next((name for name in BASELINES if name in ran), BASELINES[-1])


def report(outcomes: list[Outcome], baseline: str, header: str) -> str:
    """The table: rate and ratio baseline/candidate, grouped by scenario."""
    lines = [header, ""]
    lines.append(f"{'scenario':<24} {'candidate':<23} {'rate':>16} {'vs ' + baseline:>12}")
    by_scenario: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        by_scenario.setdefault(outcome.scenario.name, []).append(outcome)
    notes: dict[str, str] = {}
    for name, rows in by_scenario.items():
        base = next((r.rate for r in rows if r.candidate == baseline and r.rate), None)
        for row in rows:
            if row.rate is None:
                if row.note.startswith("not available"):
                    notes.setdefault(row.candidate, row.note)
                    continue
                lines.append(f"{name:<24} {row.candidate:<23} {row.note}")
                continue
            ratio = f"{base / row.rate:.2f}x" if base else "-"
            rate = f"{row.rate:,.0f} {row.scenario.unit}"
            lines.append(f"{name:<24} {row.candidate:<23} {rate:>16} {ratio:>12}")
        lines.append("")
    for candidate, note in notes.items():
        lines.append(f"{candidate}: {note}")
    lines.append(f"vs {baseline}: its rate over the candidate's (above 1 = {baseline} faster).")
    return "\n".join(lines)


def markdown_table(outcomes: list[Outcome], baseline: str, header: str) -> str:
    """The report as a Markdown table, for the docs' benchmarks page."""
    lines = [f"{line}  " for line in header.splitlines()[2:]]
    lines += ["", f"| scenario | client | rate | vs {baseline} |", "| --- | --- | ---: | ---: |"]
    missing: dict[str, str] = {}
    for outcome in outcomes:
        if outcome.rate is None:
            if outcome.note.startswith("not available"):
                missing.setdefault(outcome.candidate, outcome.note)
            else:
                lines.append(
                    f"| {outcome.scenario.name} | {outcome.candidate} | {outcome.note} | |"
                )
            continue
        base = next(
            (
                o.rate
                for o in outcomes
                if o.scenario == outcome.scenario and o.candidate == baseline and o.rate
            ),
            None,
        )
        ratio = f"{base / outcome.rate:.2f}x" if base else "-"
        rate = f"{outcome.rate:,.0f} {outcome.scenario.unit}"
        lines.append(f"| {outcome.scenario.name} | {outcome.candidate} | {rate} | {ratio} |")
    lines.append("")
    for candidate, note in missing.items():
        lines.append(f"- {candidate}: {note}")
    lines.append(f"- vs {baseline}: its rate over the client's (above 1 = {baseline} is faster).")
    return "\n".join(lines) + "\n"


def chart(outcomes: list[Outcome], baseline: str, path: Path) -> str:
    """Draw one bar panel per scenario into `path`; return a line saying where or why not."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "chart: matplotlib is not installed"
    groups: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        if outcome.rate is not None:
            groups.setdefault(outcome.scenario.name, []).append(outcome)
    columns = 2
    rows = (len(groups) + columns - 1) // columns
    figure, axes = plt.subplots(rows, columns, figsize=(13, 3.2 * rows), squeeze=False)
    for axis, (name, group) in zip(axes.flat, groups.items(), strict=False):
        labels = [o.candidate for o in group]
        rates = [o.rate or 0.0 for o in group]
        colours = ["tab:orange" if label == baseline else "tab:blue" for label in labels]
        axis.barh(labels, rates, color=colours)
        if max(rates) > 20 * min(rates):  # spans decades: a log axis keeps the slow visible
            axis.set_xscale("log")
        axis.invert_yaxis()
        axis.set_title(name)
        axis.set_xlabel(group[0].scenario.unit)
    for axis in list(axes.flat)[len(groups) :]:
        axis.axis("off")
    figure.suptitle(f"HTTP/1.1 clients on nginx over loopback (baseline: {baseline})")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=90)
    plt.close(figure)
    return f"chart: {path}"


# -- nginx and CPU pinning ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
    return port


def start_nginx(port: int, prefix: str) -> str:
    done = subprocess.run(
        ["bash", str(RUN_NGINX), "start", str(port), prefix],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"nginx did not start: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout.strip()


def stop_nginx(prefix: str) -> None:
    subprocess.run(["bash", str(RUN_NGINX), "stop", prefix], capture_output=True, check=False)


def pin_client() -> tuple[set[int] | None, str]:
    """Pin this process to CLIENT_CORE where the machine has one; return the old set."""
    if not hasattr(os, "sched_setaffinity") or (os.cpu_count() or 1) <= CLIENT_CORE:
        return None, "client: not pinned (one core)"
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {CLIENT_CORE})
    return before, f"client: pinned to core {CLIENT_CORE}"


def main(docs: bool = False) -> str:
    """Start nginx, run every scenario, stop nginx; return the report.

    With `docs`, also write the chart and a Markdown table to `DOCS_ASSETS`.
    """
    scale = float(os.environ.get("TETHER_BENCH_SCALE", "1"))
    port = free_port()
    # A prefix of its own per run: two runs at once must not stop each other's nginx.
    prefix = tempfile.mkdtemp(prefix="tether-bench-nginx-")
    os.chmod(prefix, 0o755)  # nginx's workers (not root) must reach the files under it
    server = start_nginx(port, prefix)
    previous, pinned = pin_client()
    try:
        outcomes = run_all(port, scale, lambda line: print(line, file=sys.stderr, flush=True))
    finally:
        if previous is not None:
            os.sched_setaffinity(0, previous)
        stop_nginx(prefix)
        shutil.rmtree(prefix, ignore_errors=True)
    baseline = baseline_of(outcomes)
    header = "\n".join(
        [
            "HTTP/1.1 transport: throughput on nginx over loopback",
            "=" * 52,
            f"{server}; {pinned}; median of {REPEAT} rounds (candidates take turns); "
            f"Python {sys.version.split()[0]}"
            + ("" if scale == 1 else f"; TETHER_BENCH_SCALE={scale:g}"),
        ]
    )
    text = (
        report(outcomes, baseline, header)
        + "\n"
        + chart(outcomes, baseline, RESULTS / "transport.png")
    )
    if docs:
        DOCS_ASSETS.mkdir(parents=True, exist_ok=True)
        table = DOCS_ASSETS / "transport.md"
        table.write_text(markdown_table(outcomes, baseline, header), encoding="utf-8")
        text += "\n" + chart(outcomes, baseline, DOCS_ASSETS / "transport.png")
        text += f"\ntable: {table}"
    return text
