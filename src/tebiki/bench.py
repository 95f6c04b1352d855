"""`make bench`: performance goals measured side by side in one run, printed as a table.

Goals are ratios of two things measured side by side in one run, so that a slower or busier machine moves
both sides alike: validating the whole catalog costs at most 2.5× the bare YAML parse of the same files
(about 75 ms here on a quiet machine).
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable

import yaml
from rich.console import Console
from rich.table import Table

from tebiki.catalog import load_catalog, load_export
from tebiki.catalog.loader import YAML_LOADER, catalog_files


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


def catalog_rows() -> list[tuple[str, float, str, str]]:
    files = catalog_files()
    texts = [p.read_text(encoding="utf-8") for p in files]
    exported = json.dumps(load_catalog().to_export(), ensure_ascii=False)
    bare, full = paired(lambda: [yaml.load(t, Loader=YAML_LOADER) for t in texts], load_catalog, repeat=7)
    from_json = best_of(lambda: load_export(exported))
    return [
        ("bare YAML parse of the catalog files", bare, "1.00×", "baseline"),
        ("load_catalog() (parse + validate + cross-check)", full, f"{full / bare:.2f}×",
         "≤ 2.5× the bare parse " + ("✓" if full <= 2.5 * bare else "✗")),
        ("load_export() of the exported JSON", from_json, f"{from_json / bare:.2f}×", "round trip"),
    ]


def check_rows() -> list[tuple[str, float, str, str]]:
    import datetime as dt
    import os
    import subprocess

    from tebiki.agent.collect import collect, commands, current_os
    from tebiki.agent.rules import evaluate

    os_name = current_os()

    def bare() -> None:
        env = {**os.environ, "LC_ALL": "C", "LANG": "C"}  # as collect() runs them
        procs = [subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
                 for cmd in commands(os_name).values() if _exists(cmd[0])]
        for p in procs:
            p.wait()

    bare_t, full = paired(bare, lambda: evaluate(os_name, collect(os_name), dt.date.today()), repeat=7)
    rows = [
        ("bare probe commands, in parallel", bare_t, "1.00×", "baseline"),
        ("tebiki check (collect + evaluate)", full, f"{full / bare_t:.2f}×",
         "≤ 1.2× " + ("✓" if full <= 1.2 * bare_t else "✗")),
    ]
    if _exists("lynis"):  # Debian's lynis, the host auditor the check is measured against (run once: it is slow)
        start = time.perf_counter()
        subprocess.run(["lynis", "audit", "system", "--quick", "--no-colors", "--no-log"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        lynis = time.perf_counter() - start
        rows.append(("lynis audit system --quick", lynis, f"{lynis / full:.0f}× slower than tebiki check",
                     "tebiki ≥ 45× faster " + ("✓" if lynis / full >= 45 else "✗")))
    else:
        rows.append(("lynis audit system --quick", float("nan"), "–", "lynis not installed (apt-get install lynis)"))
    return rows


def _exists(cmd: str) -> bool:
    import shutil

    return shutil.which(cmd) is not None


def main() -> None:
    import sys

    table = Table(title="tebiki bench")
    for col in ("what", "median", "ratio", "goal"):
        table.add_column(col)
    from tebiki.web.bench import ingestion_rows, overview_rows, serve_rows

    if sys.argv[1:] == ["serve"]:  # `python -m tebiki.bench serve`: only the concurrent-clients rows
        rows = serve_rows()
    else:
        rows = [*catalog_rows(), *check_rows(), *overview_rows(best_of), *ingestion_rows(best_of, paired), *serve_rows()]
    for name, seconds, ratio, goal in rows:
        table.add_row(name, f"{seconds * 1000:.1f} ms", ratio, goal)
    Console(width=max(Console().width, 120)).print(table)


if __name__ == "__main__":
    main()
