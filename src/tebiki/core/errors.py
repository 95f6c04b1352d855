"""One error type for bad user data (profiles, assessments, answers), naming file, line and field."""

from __future__ import annotations

from collections.abc import Sequence

import yaml
from pydantic import ValidationError


class DataError(ValueError):
    """Bad input: the message says where (file, line, field) and what is expected."""

    def __init__(self, origin: str, field: str, reason: str, line: int | None = None) -> None:
        self.origin, self.field, self.reason, self.line = origin, field, reason, line
        where = f"{origin}:{line}" if line else origin
        super().__init__(f"{where}: {field}: {reason}" if field else f"{where}: {reason}")

    @classmethod
    def from_validation(cls, err: ValidationError, origin: str, text: str | None = None) -> DataError:
        errors = err.errors()
        # a misspelt key shows up as both "unknown" and "missing": name the misspelling
        first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
        loc = tuple(first["loc"])
        reason = first["msg"].removeprefix("Value error, ")
        if first["type"] == "extra_forbidden":
            reason = "unknown field (check the spelling)"
        elif first["type"] == "missing":
            reason = "required field is missing"
        elif "input" in first and first["type"] not in ("value_error",):
            reason = f"{reason} (got {first['input']!r})"
        field = ".".join(str(p) for p in loc)
        return cls(origin, field, reason, locate(text, loc) if text else None)


def locate(text: str, path: Sequence[str | int]) -> int | None:
    """The 1-based line of the YAML/JSON node at *path*, or of its nearest existing parent."""
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return None
    line = node.start_mark.line + 1 if node is not None else None
    for part in path:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == str(part)), None)
            if match is None:
                return line
            key_node = next(k for k, v in node.value if v is match)
            node, line = match, key_node.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def read_yaml(text: str, origin: str) -> object:
    """Parse YAML (JSON is YAML too) or raise DataError with the line of the problem."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise DataError(origin, "", f"not valid YAML/JSON: {getattr(err, 'problem', err)}",
                        mark.line + 1 if mark else None) from None
