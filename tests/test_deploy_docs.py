"""docs/deploy.md, deploy/ and tools/deploy-smoke stay in step: every file the doc names exists, every unit it
enables is shipped, and the script CI runs walks the doc's numbered steps."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
SCRIPT = (ROOT / "tools" / "deploy-smoke").read_text(encoding="utf-8")


def test_every_deploy_file_the_doc_names_exists():
    named = set(re.findall(r"deploy/[\w./-]+[\w]", DOC)) - {"deploy/systemd/"}
    assert len(named) >= 5
    for path in named:
        assert (ROOT / path.rstrip("*").rstrip("/")).exists(), f"docs/deploy.md names {path}, which does not exist"


def test_every_unit_the_doc_enables_is_shipped_and_every_shipped_unit_is_enabled():
    (enable,) = re.findall(r"systemctl enable --now (.+)", DOC)
    enabled = set(enable.split())
    shipped = {p.name for p in (ROOT / "deploy" / "systemd").iterdir() if p.suffix == ".timer" or p.name == "tebiki.service"}
    assert enabled == shipped


def test_the_smoke_script_walks_the_numbered_steps_of_the_doc():
    doc_steps = [int(n) for n in re.findall(r"^## (\d+)\. ", DOC, re.M)]
    script_steps = [int(n) for n in re.findall(r'^step "(\d+):', SCRIPT, re.M)]
    assert doc_steps == list(range(1, len(doc_steps) + 1))
    assert script_steps == sorted(script_steps) and set(script_steps) <= set(doc_steps) and len(script_steps) >= 6


def test_the_doc_is_in_japanese_and_english():
    assert "# Deployment (English)" in DOC and "本番環境" in DOC
    english = DOC.split("# Deployment (English)")[1]
    assert [int(n) for n in re.findall(r"^(\d+)\. \*\*", english, re.M)] == \
        [int(n) for n in re.findall(r"^## (\d+)\. ", DOC, re.M)]
