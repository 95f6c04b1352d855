"""The one vocabulary: every code a person may see has one ja/en label, and the copies derive from it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

import pytest

from tebiki.catalog import schema
from tebiki.core import assessment
from tebiki.core.vocabulary import AUDIT_ACTION, SETS, STATUS, Terms, lang_of

SRC = Path(__file__).resolve().parents[2] / "src" / "tebiki"


def test_every_term_has_both_labels_and_no_set_repeats_a_label():
    for name, terms in SETS.items():
        for t in terms:
            assert t.ja and t.en, (name, t.code)
        for lang in ("ja", "en"):
            labels = [t.label(lang) for t in terms]
            assert len(labels) == len(set(labels)), (name, lang, labels)


def test_labels_follow_the_language_and_unknown_codes_are_refused():
    assert STATUS.label("partly", "ja") == "一部実施"
    assert STATUS.label("partly", "en-us") == "Partly done"
    assert lang_of(None) == "ja" and lang_of("EN") == "en"
    with pytest.raises(KeyError, match="'half' is not a status"):
        STATUS.label("half", "ja")
    with pytest.raises(ValueError, match="listed twice"):
        Terms("x", ("a", "あ", "A"), ("a", "い", "B"))


def test_the_literals_of_core_and_catalog_are_the_vocabularys_codes():
    assert get_args(assessment.Status) == STATUS.codes
    assert get_args(assessment.Decision) == ("done", "will_do", "not_needed")
    assert get_args(schema.Role) == ("executive", "admin", "worker")
    assert get_args(schema.WorkFormId) == schema.FACTS["work_form"]


def test_every_audit_action_the_code_records_has_a_label():
    written = set()
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        written |= set(re.findall(r'\brecord\(\s*"([a-z_]+\.[a-z_]+)"', text))
        written |= set(re.findall(r'\baction(?:: str)? ?= ?"([a-z_]+\.[a-z_]+)"', text))
        written |= set(re.findall(r'^[A-Z_]+ = "([a-z_]+\.[a-z_]+)"', text, re.M)) & {"audit.purge"}
    assert len(written) > 30
    assert sorted(written - set(AUDIT_ACTION.codes)) == []


def test_reports_use_the_screens_words():
    from tebiki.documents.report import DECISION_JA, EXPOSURE_JA, STATUS_JA

    assert STATUS_JA["partly"] == "一部実施" and STATUS_JA["not_done"] == "未実施"
    assert DECISION_JA["will_do"] == "対応予定" and EXPOSURE_JA["exposed"] == "影響あり"
