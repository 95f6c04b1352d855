"""The catalog and the endpoint check: validating the whole catalog costs at most 2.5× the bare YAML parse of the
same files; `tebiki check` at most 1.2× its bare probe commands run in parallel (and far faster than Lynis)."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import time

import yaml

from tebiki.catalog import load_catalog, load_export
from tebiki.catalog.loader import YAML_LOADER, catalog_files

from .timing import Row, best_of, paired


def catalog_rows() -> list[Row]:
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


def check_rows() -> list[Row]:
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
    return shutil.which(cmd) is not None
