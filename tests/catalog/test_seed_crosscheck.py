"""Re-derive facts from the seed documents themselves and compare with the catalog.

These run wherever ../shared/seeds sits beside the repository (developers' machines and CI).
"""

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tebiki.catalog import get_catalog

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
needs_seeds = pytest.mark.skipif(not (SHARED / "seeds").is_dir(), reason="../shared/seeds is not beside the repo")
ROLE = {"経営者": "executive", "管理者": "admin", "勤務者": "worker"}
MEASURE_LINE = re.compile(r"^(経営者|管理者|勤務者)\s*([A-M])-(\d+)\s*(基本対策|発展対策)")


def _seed(prefix):
    return next((SHARED / "seeds").glob(f"{prefix}_*.txt")).read_text(encoding="utf-8").split("\n")


@needs_seeds
def test_measures_and_levels_match_chapter_4_of_the_guideline():
    lines = _seed("001")
    start = next(i for i, line in enumerate(lines) if line.startswith("## 1. 経営者が実施すべき対策"))
    end = next(i for i, line in enumerate(lines) if i > start and line.startswith("## 第5章"))
    found = {}
    for line in lines[start:end]:
        m = MEASURE_LINE.match(line)
        if m:
            found[f"mic-v5:{ROLE[m[1]]}:{m[2]}-{m[3]}"] = "basic" if m[4] == "基本対策" else "advanced"
    assert {m.id: m.level for m in get_catalog().measures} == found


@needs_seeds
def test_trouble_case_measures_match_chapter_6():
    lines = _seed("001")
    start = max(i for i, line in enumerate(lines) if line.startswith("## 第6章"))
    end = next(i for i, line in enumerate(lines) if i > start and line.startswith("## 用語集"))
    cases, current = {}, None
    for line in lines[start:end]:
        head = re.match(r"^#+\s*(\d+)\.\s", line)
        if head:
            current = int(head[1])
            cases[current] = []
        m = MEASURE_LINE.match(line)
        if m and current:
            cases[current].append(f"mic-v5:{ROLE[m[1]]}:{m[2]}-{m[3]}")
    assert {c.number: c.measures for c in get_catalog().trouble_cases} == cases


@needs_seeds
def test_csaj_levels_match_the_markers_in_the_document():
    text = "\n".join(_seed("004"))
    body = text[text.index("5.1.1 貸与PCのセットアップ\n\n"):text.index("9.1 データの暗号化")]
    level = {"遵守事項": "shall", "推奨事項": "should", "許容事項": "may"}
    counts = Counter()
    section = None
    for chunk in re.split(r"\n(?=\d\.\d\.\d\s)", body):
        section = chunk.split()[0]
        for marker in re.findall(r"[(（]\s*(遵\s*守\s*事\s*項|推\s*奨\s*事\s*項|許\s*容\s*事\s*項)\s*[)）]", chunk):
            counts[(section, level[re.sub(r"\s", "", marker)])] += 1
    actual = Counter((p.section, p.level) for p in get_catalog().policies)
    assert actual == counts


@needs_seeds
def test_method_ratings_match_the_comparison_table():
    lines = _seed("001")
    rows = [line for line in lines if re.match(r"^[①-⑦]\S+方式\t", line)]
    numbered = {m.number: m for m in get_catalog().methods}
    assert len(rows) == 7
    for i, row in enumerate(rows, start=1):
        grades = [cell[0] for cell in row.split("\t")[1:6]]
        method = numbered[i]
        axes = [a.id for a in get_catalog().rating_scale.axes]
        assert [method.ratings[a].grade for a in axes] == grades, method.id


@needs_seeds
def test_no_sentence_is_copied_from_the_seeds():
    tool = SHARED / "tools" / "seed_overlap.py"
    result = subprocess.run([sys.executable, str(tool), str(ROOT)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:]
