"""What a device's page shows, for managers (signed in) and for the worker who uses it (personal link): the newest
check with the reason, the fix and the steps for the device's OS, and how to run the check again."""

from __future__ import annotations

import json
from typing import Any

from django.urls import reverse

from tebiki.agent.engine import advice_texts, reason_texts
from tebiki.agent.rules import CHECK_IDS, check_texts

from .models import CheckReport, CheckResult, Device


def reason_of(result: CheckResult) -> dict[str, str] | str:
    """Why a check is unknown, in both languages when the report gave a reason code; else the text as stored
    (reports from before reason codes, or a code this server does not know)."""
    if result.reason_code:
        texts = reason_texts(result.reason_code, result.reason_params or {})
        if texts:
            return texts
    return result.reason


def newest_checks(dev: Device, verdicts: dict[str, CheckResult]) -> list[dict[str, Any]]:
    """One row per check of a report, in check order: title, result, evidence lines, for a failed check the fix and
    the steps for the device's OS, and for one that could not be decided what the person at the device can do."""
    texts = check_texts()
    rows = []
    for cid in CHECK_IDS:
        res = verdicts.get(cid)
        if res is None:
            continue
        failed = res.verdict == "fail"
        rows.append({"id": cid, "title": texts[cid]["title"], "result": res, "reason": reason_of(res),
                     "advice": advice_texts(res.reason_code) if res.verdict == "unknown" else None,
                     "evidence": _evidence_lines(res.evidence), "measures": texts[cid]["measures"],
                     "fix": texts[cid]["fix"] if failed else None,
                     "steps": texts[cid]["steps"].get(dev.os) if failed else None})
    return rows


def _evidence_lines(evidence) -> list[tuple[str, str]]:
    """The values that decided a check, as (name, value) text; lists joined, nested values as JSON."""
    if not isinstance(evidence, dict):
        return []
    out = []
    for key, value in evidence.items():
        if isinstance(value, list):
            text = ", ".join(v if isinstance(v, str) else json.dumps(v, ensure_ascii=False) for v in value)
        elif isinstance(value, str):
            text = value
        else:
            text = json.dumps(value, ensure_ascii=False)
        out.append((str(key), text or "–"))
    return out


def newest_report(dev: Device) -> CheckReport | None:
    """The device's newest report by check date, its results prefetched."""
    return (CheckReport.objects.filter(device=dev).order_by("-as_of", "-received_at", "-id")
            .prefetch_related("results").first())


def check_again(request, dev: Device, source: str) -> dict[str, str]:
    """The commands that check this device again, as its last report was made: the agent, or the capture script
    for its OS (downloaded from this server). TOKEN stands for the enrolment token the manager handed out."""
    api = request.build_absolute_uri("/api/v1/")
    if source == "agent":
        return {"run": f"tebiki check --report {api} --token TOKEN"}
    name = "capture.ps1" if dev.os == "windows" else "capture.sh"
    script = request.build_absolute_uri(reverse("agent_script", args=[name]))
    if dev.os == "windows":
        return {"script": script, "name": name,
                "download": f'Invoke-WebRequest -Uri {script} -OutFile {name}',
                "run": f"powershell -ExecutionPolicy Bypass -File {name} -Url {api} -Token TOKEN"}
    return {"script": script, "name": name, "download": f"curl -fsSLO {script}",
            "run": f"sh {name} {api} TOKEN"}


def device_block(request, dev: Device) -> dict[str, Any]:
    """Everything the worker's page shows of one device."""
    report = newest_report(dev)
    verdicts = {r.check_id: r for r in report.results.all()} if report else {}
    rows = newest_checks(dev, verdicts)
    return {"device": dev, "report": report, "rows": rows,
            "failed": [r for r in rows if r["result"].verdict == "fail"],
            "unknown": [r for r in rows if r["result"].verdict == "unknown"],
            "again": check_again(request, dev, report.source if report else "capture")}
