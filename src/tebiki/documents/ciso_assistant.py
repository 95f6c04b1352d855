"""The MIC guideline v5 as a CISO Assistant framework library (the YAML its library loader reads).

The structure follows CISO Assistant's published libraries (backend/library/libraries/*.yaml in
intuitem/ciso-assistant-community): a library header with `urn`, `locale`, `ref_id`, `name`, `version`,
`provider`, `translations`, and `objects.framework` with `implementation_groups_definition` and a flat list of
`requirement_nodes` linked by `parent_urn` and `depth`. Japanese is the library's locale; English is a
translation. Roles and 基本/発展 are implementation groups, so a CISO Assistant user can scope an audit to
"administrator, basic measures".
"""

from __future__ import annotations

from typing import Any

from tebiki.catalog import Catalog

LIBRARY = "mic-telework-security-v5"
URN_PREFIX = "urn:tebiki:risk"
LEVEL_GROUPS = {"basic": {"ja": "基本対策", "en": "Basic measures"},
                "advanced": {"ja": "発展対策", "en": "Advanced measures"}}


def _urn(kind: str, *parts: str) -> str:
    return ":".join([URN_PREFIX, kind, LIBRARY, *parts]).lower()


def _node(urn: str, depth: int, ref_id: str, name: dict[str, str], description: dict[str, str] | None,
          parent: str | None, assessable: bool, **extra: Any) -> dict[str, Any]:
    node: dict[str, Any] = {"urn": urn, "assessable": assessable, "depth": depth}
    if parent:
        node["parent_urn"] = parent
    node["ref_id"] = ref_id
    node["name"] = name["ja"]
    if description:
        node["description"] = description["ja"]
    node.update(extra)
    node["translations"] = {"en": {"name": name["en"], "description": description["en"] if description else None}}
    return node


def framework_library(catalog: Catalog, version: int = 1) -> dict[str, Any]:
    """The library document (to dump as YAML). *version* is the library's integer version."""
    source = next(src for src in catalog.sources if src.id == "mic-v5")
    description = {
        "ja": f"{source.publisher.ja}「{source.title.ja}」（{source.published}）の対策を tebiki が自分の言葉でまとめたもの。"
              "ID とページ番号は原本に従う。",
        "en": f"The measures of {source.publisher.en}'s {source.title.en} ({source.published}), in tebiki's own words;"
              " identifiers and page numbers follow the original.",
    }
    groups = [{"ref_id": r.id, "name": r.title.ja, "description": r.summary.ja,
               "translations": {"en": {"name": r.title.en, "description": r.summary.en}}} for r in catalog.roles]
    groups += [{"ref_id": level, "name": text["ja"], "description": None,
                "translations": {"en": {"name": text["en"], "description": None}}} for level, text in LEVEL_GROUPS.items()]
    nodes: list[dict[str, Any]] = []
    for role in catalog.roles:
        role_urn = _urn("req_node", role.id)
        nodes.append(_node(role_urn, 1, role.id, role.title.model_dump(), role.summary.model_dump(), None, False))
        for cat in catalog.categories:
            measures = [m for m in catalog.measures if m.role == role.id and m.category == cat.id]
            if not measures:
                continue
            cat_urn = _urn("req_node", role.id, cat.id)
            nodes.append(_node(cat_urn, 2, cat.id, cat.title.model_dump(), cat.description.model_dump(), role_urn, False))
            for m in measures:
                label = m.id.rsplit(":", 1)[1]
                nodes.append(_node(
                    _urn("req_node", role.id, label), 3, label, m.title.model_dump(), m.summary.model_dump(), cat_urn,
                    True, implementation_groups=[role.id, m.level], typical_evidence=m.explanation.how_to_check.ja,
                    annotation=f"tebiki: {m.id} · p.{m.ref.page}"))
    name = {"ja": source.title.ja, "en": source.title.en}
    return {
        "urn": _urn("library"),
        "locale": "ja",
        "ref_id": LIBRARY.upper(),
        "name": name["ja"],
        "description": description["ja"],
        "copyright": "Text: tebiki (Apache-2.0), re-expressed from the MIC guideline; facts and IDs: MIC.",
        "version": version,
        "provider": source.publisher.ja,
        "packager": "tebiki",
        "translations": {"en": {"name": name["en"], "description": description["en"], "provider": source.publisher.en}},
        "objects": {"framework": {
            "urn": _urn("framework"),
            "ref_id": LIBRARY.upper(),
            "name": name["ja"],
            "description": description["ja"],
            "translations": {"en": {"name": name["en"], "description": description["en"]}},
            "implementation_groups_definition": groups,
            "requirement_nodes": nodes,
        }},
    }
