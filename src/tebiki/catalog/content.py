"""The content files beside the guideline catalog (training, worker guide, incident situations, diagnosis,
policy document): each is a kind with a strict schema, read and cross-checked against the catalog here.

A kind is declared by the module that uses it (`content.kind(...)`, next to its models), and loaded only through
`load()`, which raises the catalog's one error type, CatalogError("<file>: <entry>.<field>: <reason>").
`tebiki catalog validate` loads every kind (see `validate_all`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .loader import Catalog, CatalogError

CONTENT_DIR = Path(__file__).resolve().parent.parent / "core" / "data"
M = TypeVar("M", bound=BaseModel)


class Problem(Exception):
    """Raised by a kind's cross-check; load() turns it into a CatalogError naming the file."""

    def __init__(self, where: str, reason: str):
        super().__init__(f"{where}: {reason}")
        self.where, self.reason = where, reason


@dataclass(frozen=True)
class Kind(Generic[M]):
    name: str
    file: str  # under CONTENT_DIR
    model: type[M]
    check: Callable[[Catalog, M], None] | None = None  # raises Problem

    @property
    def path(self) -> Path:
        return CONTENT_DIR / self.file


KINDS: dict[str, Kind] = {}


def kind(name: str, file: str, model: type[M], check: Callable[[Catalog, M], None] | None = None) -> Kind[M]:
    """Declare a content kind (once, at import of the module that owns it)."""
    k = Kind(name, file, model, check)
    if KINDS.get(name, k) != k:
        raise ValueError(f"content kind {name!r} is declared twice")
    KINDS[name] = k
    return k


def _entry_path(raw: Any, loc: tuple) -> str:
    """The error's location, with list positions replaced by the entry's id (or item) where it has one."""
    parts, node = [], raw
    for part in loc:
        if isinstance(part, int) and isinstance(node, list) and part < len(node):
            node = node[part]
            name = node.get("id") or node.get("item") if isinstance(node, dict) else None
            parts.append(str(name) if name else f"#{part + 1}")
        else:
            node = node.get(part) if isinstance(node, dict) else None
            parts.append(str(part))
    return ".".join(parts) or "(file)"


def load(k: Kind[M], catalog: Catalog | None, text: str | None = None, origin: str | None = None) -> M:
    """Read *k*'s file (or *text*), validate it and cross-check it against *catalog* (None: schema only)."""
    origin = origin or k.file
    if text is None:
        text = k.path.read_text(encoding="utf-8")
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark else ""
        raise CatalogError(f"{origin}:{line}: not valid YAML: {getattr(err, 'problem', err)}") from None
    try:
        data = k.model.model_validate(raw)
    except ValidationError as err:
        first = next((e for e in err.errors() if e["type"] == "extra_forbidden"), err.errors()[0])
        reason = ("unknown field (check the spelling)" if first["type"] == "extra_forbidden"
                  else first["msg"].removeprefix("Value error, "))
        raise CatalogError(f"{origin}: {_entry_path(raw, tuple(first['loc']))}: {reason}") from None
    if k.check is not None and catalog is not None:
        try:
            k.check(catalog, data)
        except Problem as p:
            raise CatalogError(f"{origin}: {p.where}: {p.reason}") from None
    return data


def validate_all(catalog: Catalog) -> dict[str, int]:
    """Load every declared kind; the number of top-level entries of each. Raises CatalogError."""
    import tebiki.core.basic_policy
    import tebiki.core.diagnose
    import tebiki.core.incidents
    import tebiki.core.policy
    import tebiki.core.training
    import tebiki.core.worker_guide  # noqa: F401  (each declares its kind on import)

    out = {}
    for name, k in sorted(KINDS.items()):
        data = load(k, catalog)
        lists = [v for v in data.__dict__.values() if isinstance(v, list)]
        out[name] = len(lists[0]) if lists else 1
    return out


def unknown_refs(refs: list[str], known: set[str]) -> str | None:
    """The first reference that is not among *known*, for a kind's cross-check."""
    return next((r for r in refs if r not in known), None)
