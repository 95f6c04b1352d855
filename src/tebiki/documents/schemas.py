"""JSON Schemas of tebiki's public files, generated from the pydantic models that validate them.

- catalog: `tebiki catalog export --format json` (schema tebiki-catalog/1)
- profile: an organisation profile file (examples/*.yaml)
- assessment: an assessment file (`tebiki assess init` and `set` write it)
- template: an organisation template (`tebiki assess template export`, the web app's template download)

docs/schemas/*.json holds the published copies; tests/test_schemas.py fails when they fall behind the models.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from tebiki.catalog.loader import EXPORT_SCHEMA, KINDS
from tebiki.core.assessment import Assessment
from tebiki.core.profile import Profile
from tebiki.documents.org_template import OrgTemplate

BASE_URI = "https://tebiki.example/schemas/"


def _catalog_export_model() -> type[BaseModel]:
    fields: dict[str, Any] = {"schema_": (Literal[EXPORT_SCHEMA], Field(alias="schema"))}  # type: ignore[valid-type]
    for kind, (model, is_list) in KINDS.items():
        if kind == "source":
            fields["sources"] = (list[model], ...)  # type: ignore[valid-type]
        elif is_list:
            fields[kind] = (list[model], [])  # type: ignore[valid-type]
        else:
            fields[kind] = (model | None, None)
    return create_model("CatalogExport", __config__=ConfigDict(extra="forbid"), **fields)


MODELS: dict[str, Any] = {"catalog": _catalog_export_model, "profile": lambda: Profile, "assessment": lambda: Assessment,
                          "template": lambda: OrgTemplate}
TITLES = {"catalog": "tebiki catalog export (tebiki-catalog/1)", "profile": "tebiki organisation profile",
          "assessment": "tebiki assessment file", "template": "tebiki organisation template (tebiki-org-template/1)"}


def _accept_version_1_departments(schema: dict[str, Any]) -> dict[str, Any]:
    """A department may still give the version-1 `terminals` + `devices` lists instead of `equipment` (the model
    converts them before validating, so its own schema does not show them)."""
    dept = schema.get("$defs", {}).get("Department")
    if dept is None or "equipment" not in dept.get("properties", {}):
        return schema
    dept["properties"]["terminals"] = {"type": "array", "items": {"enum": ["company", "byod"]}, "minItems": 1,
                                       "uniqueItems": True, "description": "version 1: owners (use equipment)"}
    dept["properties"]["devices"] = {"type": "array", "items": {"enum": ["pc", "mobile"]}, "minItems": 1,
                                     "uniqueItems": True, "description": "version 1: kinds (use equipment)"}
    dept["required"] = [r for r in dept.get("required", []) if r != "equipment"]
    dept["anyOf"] = [{"required": ["equipment"]}, {"required": ["terminals", "devices"]}]
    return schema


def json_schema(name: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one public file kind."""
    if name not in MODELS:
        raise KeyError(f"{name!r} is not one of {', '.join(MODELS)}")
    schema = MODELS[name]().model_json_schema()
    if name in ("profile", "assessment", "template"):
        schema = _accept_version_1_departments(schema)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": f"{BASE_URI}{name}.schema.json",
            "title": TITLES[name], **{k: v for k, v in schema.items() if k != "title"}}
