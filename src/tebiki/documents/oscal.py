"""The catalog and an assessment as NIST OSCAL 1.1 JSON (a catalog; assessment-results).

Plain dicts in, plain dicts out: no file reading here. OSCAL titles and prose hold one language, so the
Japanese text (the sources' language) is the title and main prose, and the English text follows in parts and
properties marked with `lang`. Every control carries its tebiki ID (`tebiki-id`), so a tool that reads the
export can come back to tebiki. UUIDs are derived (uuid5) from stable names, so exporting twice gives the
same identifiers and a diff shows only what changed.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable
from typing import Any

from tebiki.catalog import Catalog
from tebiki.catalog import schema as s

OSCAL_VERSION = "1.1.2"
NS = "https://tebiki.example/ns/oscal"  # namespace of tebiki's own property names
_UUID_NS = uuid.uuid5(uuid.NAMESPACE_URL, NS)
SOURCES = ("mic-v5", "csaj-2018")

# The OSCAL state of a finding for each tebiki status: done is satisfied, everything still open is not.
FINDING_STATE = {"done": "satisfied", "partly": "not-satisfied", "not_done": "not-satisfied",
                 "unchecked": "not-satisfied"}


def stable_uuid(*names: str) -> str:
    return str(uuid.uuid5(_UUID_NS, ":".join(names)))


def control_id(tebiki_id: str) -> str:
    """An OSCAL token for a tebiki ID: mic-v5:admin:C-2 → mic-v5_admin_c-2."""
    return re.sub(r"[^a-z0-9_.-]", "_", tebiki_id.lower().replace(":", "_"))


def _prop(name: str, value: Any, *, ours: bool = True, cls: str | None = None) -> dict[str, str]:
    prop = {"name": name, "value": " ".join(str(value).split())}
    if ours:
        prop["ns"] = NS
    if cls:
        prop["class"] = cls
    return prop


def _bilingual_parts(owner: str, name: str, text: s.Text | None, suffix: str) -> list[dict[str, Any]]:
    if text is None:
        return []
    return [{"id": f"{owner}_{suffix}", "name": name, "prose": text.ja, "props": [_prop("lang", "ja")]},
            {"id": f"{owner}_{suffix}.en", "name": name, "prose": text.en, "props": [_prop("lang", "en")]}]


def _metadata(catalog: Catalog, source_id: str, title_suffix: str, version: str, now: dt.datetime) -> dict[str, Any]:
    source = next(src for src in catalog.sources if src.id == source_id)
    publisher_uuid = stable_uuid("party", source_id)
    meta: dict[str, Any] = {
        "title": f"{source.title.ja}{title_suffix}",
        "last-modified": now.isoformat(timespec="seconds"),
        "version": version,
        "oscal-version": OSCAL_VERSION,
        "props": [_prop("source", source_id), _prop("title-en", source.title.en), _prop("published", source.published)],
        "roles": [{"id": "creator", "title": "Creator"}],
        "parties": [{"uuid": publisher_uuid, "type": "organization", "name": source.publisher.ja,
                     "props": [_prop("name-en", source.publisher.en)]}],
        "responsible-parties": [{"role-id": "creator", "party-uuids": [publisher_uuid]}],
        "remarks": ("The text is tebiki's own wording of the source (Japanese and English); identifiers and page"
                    " references follow the source."),
    }
    return meta


def _mapped(catalog: Catalog) -> dict[str, list[dict[str, str]]]:
    """measure ID -> props naming the controls of other frameworks it maps to (class = the relationship)."""
    out: dict[str, list[dict[str, str]]] = {}
    for mset in catalog.mapping_sets:
        for m in mset.mappings:
            out.setdefault(m.measure, []).extend(_prop(mset.id, link.target, cls=link.relationship) for link in m.targets)
    return out


def _measure_control(measure: s.Measure, mapped: list[dict[str, str]]) -> dict[str, Any]:
    cid = control_id(measure.id)
    label = measure.id.rsplit(":", 1)[1]
    ex = measure.explanation
    guidance_ja = f"{ex.what.ja}\n\n{ex.why.ja}"
    guidance_en = f"{ex.what.en}\n\n{ex.why.en}"
    return {
        "id": cid,
        "class": "measure",
        "title": measure.title.ja,
        "props": [
            _prop("label", label, ours=False),
            _prop("tebiki-id", measure.id),
            _prop("title-en", measure.title.en),
            _prop("role", measure.role),
            _prop("category", measure.category),
            _prop("level", measure.level),
            _prop("scope", measure.scope),
            _prop("page", measure.ref.page),
            _prop("explanation-page", ex.page),
            *mapped,
        ],
        "parts": [
            *_bilingual_parts(cid, "statement", measure.summary, "smt"),
            *_bilingual_parts(cid, "guidance", s.Text(ja=guidance_ja, en=guidance_en), "gdn"),
            *_bilingual_parts(cid, "assessment-method", ex.how_to_check, "chk"),
        ],
    }


def _mic_groups(catalog: Catalog) -> list[dict[str, Any]]:
    mapped = _mapped(catalog)
    groups = []
    for role in catalog.roles:
        subgroups = []
        for cat in catalog.categories:
            measures = [m for m in catalog.measures if m.role == role.id and m.category == cat.id]
            if not measures:
                continue
            subgroups.append({
                "id": f"{role.id}-{cat.id.lower()}", "class": "category", "title": cat.title.ja,
                "props": [_prop("label", cat.id, ours=False), _prop("title-en", cat.title.en)],
                "controls": [_measure_control(m, mapped.get(m.id, [])) for m in measures],
            })
        groups.append({"id": role.id, "class": "role", "title": role.title.ja,
                       "props": [_prop("title-en", role.title.en), _prop("page", role.ref.page)],
                       "parts": _bilingual_parts(role.id, "overview", role.summary, "ovw"),
                       "groups": subgroups})
    return groups


def _policy_control(policy: s.Policy) -> dict[str, Any]:
    cid = control_id(policy.id)
    control: dict[str, Any] = {
        "id": cid,
        "class": "policy-statement",
        "title": policy.title.ja,
        "props": [
            _prop("label", policy.id.split(":", 1)[1], ours=False),
            _prop("tebiki-id", policy.id),
            _prop("title-en", policy.title.en),
            _prop("level", policy.level),
            _prop("negative", str(policy.negative).lower()),
            _prop("side", policy.side),
            _prop("section", policy.section),
            *([_prop("page", policy.ref.page)] if policy.ref.page else []),
            *[_prop("related-measure", mid) for mid in policy.measures],
        ],
        "parts": [*_bilingual_parts(cid, "statement", policy.text, "smt"),
                  *_bilingual_parts(cid, "guidance", policy.rationale, "gdn")],
    }
    if policy.parameters:
        control["params"] = [{
            "id": f"{cid}_prm_{p.name}", "label": p.label.ja,
            "props": [_prop("label-en", p.label.en), *([_prop("unit", p.unit)] if p.unit else [])],
            "values": [str(v) for v in (p.value if isinstance(p.value, list) else [p.value])],
        } for p in policy.parameters]
    return control


def _csaj_groups(catalog: Catalog) -> list[dict[str, Any]]:
    groups: dict[str, dict[str, Any]] = {}
    for sec in catalog.policy_sections:
        policies = [p for p in catalog.policies if p.section == sec.section]
        if not policies:
            continue
        group = groups.setdefault(sec.group, {"id": sec.group, "class": "policy-group", "title": sec.group, "groups": []})
        group["groups"].append({
            "id": "sec-" + sec.section.replace(".", "-"), "class": "section", "title": sec.title.ja,
            "props": [_prop("label", sec.section, ours=False), _prop("title-en", sec.title.en), _prop("page", sec.page)],
            "controls": [_policy_control(p) for p in policies],
        })
    # The group's title is the first section's chapter heading where the catalog has one (5.1, 5.2 …).
    headings = {sec.section: sec for sec in catalog.policy_sections}
    for group in groups.values():
        first = group["groups"][0]["props"][0]["value"]  # e.g. 5.1.1
        chapter = headings.get(first.rsplit(".", 1)[0])
        if chapter is not None:
            group["title"] = chapter.title.ja
            group["props"] = [_prop("title-en", chapter.title.en)]
    return list(groups.values())


def catalog_document(catalog: Catalog, source_id: str, version: str, now: dt.datetime | None = None) -> dict[str, Any]:
    """One source of the catalog (mic-v5 or csaj-2018) as an OSCAL catalog document."""
    if source_id not in SOURCES:
        raise ValueError(f"source: {source_id!r} is not one of {', '.join(SOURCES)}")
    now = now or dt.datetime.now(dt.UTC)
    groups = _mic_groups(catalog) if source_id == "mic-v5" else _csaj_groups(catalog)
    return {"catalog": {
        "uuid": stable_uuid("catalog", source_id, version),
        "metadata": _metadata(catalog, source_id, "（tebiki）", version, now),
        "groups": groups,
    }}


def iter_controls(groups: Iterable[dict[str, Any]]) -> Iterable[dict[str, Any]]:
    """Every control under *groups*, depth first (for tests and readers)."""
    for group in groups:
        yield from group.get("controls", [])
        yield from iter_controls(group.get("groups", []))


def row_records(rows: Iterable[Any]) -> list[dict[str, Any]]:
    """core.plan rows as the plain records assessment_results reads (what the CLI and the web app both pass)."""
    return [{"item": r.item, "scope": r.scope, "scope_name": r.scope_name, "title": r.title, "applies": r.applies,
             "reason": r.reason, "status": r.status, "decision": r.decision, "owner": r.owner,
             "deadline": r.deadline.isoformat() if r.deadline else None, "note": r.note} for r in rows]


def assessment_results(organisation: str, date: str, rows: list[dict[str, Any]], version: str,
                       now: dt.datetime | None = None) -> dict[str, Any]:
    """An assessment's rows (one per measure and scope, as core.plan builds them) as OSCAL assessment-results.

    One finding per applicable measure and scope, with its status and decision; one observation per finding
    holding the recorded state, owner, deadline and the reason it applies. Rows that do not apply are named in the
    result's remarks only, since OSCAL has no finding state for "not applicable".
    """
    now = now or dt.datetime.now(dt.UTC)
    stamp = now.isoformat(timespec="seconds")
    observations, findings = [], []
    for row in (r for r in rows if r["applies"]):
        key = (organisation, row["item"], row["scope"])
        obs_uuid = stable_uuid("observation", *key)
        status, decision = row["status"], row.get("decision")
        state = "satisfied" if status == "done" or decision == "done" else FINDING_STATE.get(status, "not-satisfied")
        deadline = row.get("deadline")
        observations.append({
            "uuid": obs_uuid,
            "title": f"{row['item']} / {row.get('scope_name') or row['scope']}",
            "description": row["reason"]["ja"],
            "props": [_prop("status", status), *([_prop("decision", decision)] if decision else []),
                      *([_prop("owner", row["owner"])] if row.get("owner") else []),
                      *([_prop("deadline", str(deadline))] if deadline else [])],
            "methods": ["EXAMINE"],
            "collected": stamp,
            **({"remarks": row["note"]} if row.get("note") else {}),
        })
        findings.append({
            "uuid": stable_uuid("finding", *key),
            "title": row["title"]["ja"],
            "description": row["reason"]["en"],
            "props": [_prop("tebiki-id", row["item"]), _prop("scope", row["scope"])],
            "target": {"type": "objective-id", "target-id": control_id(row["item"]),
                       "status": {"state": state, **({"reason": decision or status} if state != "satisfied" else {})}},
            "related-observations": [{"observation-uuid": obs_uuid}],
        })
    result: dict[str, Any] = {
        "uuid": stable_uuid("result", organisation, date),
        "title": f"{organisation} のテレワークセキュリティ自己点検",
        "description": f"tebiki self-assessment of {organisation} against the MIC telework security guideline v5, {date}.",
        "start": stamp,
        "reviewed-controls": {"control-selections": [{"include-all": {}}]},
        "observations": observations,
        "findings": findings,
    }
    not_applicable = sorted({r["item"] for r in rows if not r["applies"]} - {f["props"][0]["value"] for f in findings})
    if not_applicable:
        result["remarks"] = "Not applicable to this organisation: " + ", ".join(not_applicable)
    return {"assessment-results": {
        "uuid": stable_uuid("assessment-results", organisation, date),
        "metadata": {"title": result["title"], "last-modified": stamp, "version": version,
                     "oscal-version": OSCAL_VERSION},
        "import-ap": {"href": "#tebiki-self-assessment"},
        "results": [result],
    }}
