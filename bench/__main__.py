"""`make bench` (python -m bench [group …]): every goal measured in one run, printed as one table."""

from __future__ import annotations

import sys

from rich.console import Console
from rich.table import Table


def groups() -> dict:
    from . import catalog, web

    return {"catalog": catalog.catalog_rows, "check": catalog.check_rows, "overview": web.overview_rows,
            "pages": web.page_rows, "xlsx": web.xlsx_rows, "pdf": web.pdf_rows, "ingestion": web.ingestion_rows,
            "ingestion-pg": web.ingestion_pg_rows, "serve": web.serve_rows}


def main(argv: list[str]) -> None:
    known = groups()
    if argv == ["--list"]:
        print(" ".join(known))
        return
    unknown = [g for g in argv if g not in known]
    if unknown:
        sys.exit(f"unknown bench group {unknown[0]!r}; one of: {' '.join(known)}")
    table = Table(title="tebiki bench")
    for col in ("what", "median", "ratio", "goal"):
        table.add_column(col)
    for name in argv or known:
        try:
            rows = known[name]()
        except Exception as err:  # noqa: BLE001 - one failing group must not lose the others' rows
            rows = [(f"{name}: failed", float("nan"), "–", f"{type(err).__name__}: {err}"[:120])]
        for what, seconds, ratio, goal in rows:
            table.add_row(what, f"{seconds * 1000:.1f} ms", ratio, goal)
    Console(width=max(Console().width, 140)).print(table)


if __name__ == "__main__":
    main(sys.argv[1:])
