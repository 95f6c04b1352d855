"""An organisation's profile: who teleworks how. Plain data, validated; the web app stores the same shape.

The profile is what decides which catalog entries apply (see applicability.py). Facts are named with
the vocabulary of catalog conditions (tebiki.catalog.schema.FACTS).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from tebiki.catalog.schema import CloudKind, DeviceKind, MethodId, Terminal, WifiKind, WorkFormId

from .errors import DataError, locate

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Department(_Strict):
    """A department or group whose people telework the same way."""

    id: Slug
    name: Name
    people: int = Field(default=1, ge=1, le=100_000)
    methods: list[MethodId] = Field(min_length=1)
    work_forms: list[WorkFormId] = Field(min_length=1)
    terminals: list[Terminal] = Field(min_length=1)
    devices: list[DeviceKind] = Field(min_length=1)

    @model_validator(mode="after")
    def _no_repeats(self) -> Department:
        for name in ("methods", "work_forms", "terminals", "devices"):
            values = getattr(self, name)
            if len(values) != len(set(values)):
                raise ValueError(f"{name}: a value is listed twice")
        return self


class Profile(_Strict):
    """The organisation: size, departments and the shared IT facts that are true for all of them."""

    name: Name
    size: int = Field(ge=1, le=1_000_000)
    departments: list[Department] = Field(min_length=1)
    cloud: list[CloudKind] = []
    active_directory: bool = False
    windows: bool = True
    wifi: list[WifiKind] = []
    external_media: bool = False
    local_breakout: bool = False
    admin: Literal["inhouse", "outsourced"] = "inhouse"

    @model_validator(mode="after")
    def _consistent(self) -> Profile:
        ids = [d.id for d in self.departments]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"departments: id {dupes[0]!r} is used twice")
        people = sum(d.people for d in self.departments)
        if people > self.size:
            raise ValueError(f"size: {self.size} is less than the {people} people in the departments")
        return self

    def department(self, dept_id: str) -> Department:
        return next(d for d in self.departments if d.id == dept_id)

    @property
    def methods(self) -> list[str]:
        """Every method any department uses, in catalog order of first appearance."""
        seen: list[str] = []
        for d in self.departments:
            seen += [m for m in d.methods if m not in seen]
        return seen


def parse_profile(data: Any, origin: str = "<profile>", text: str | None = None) -> Profile:
    """Validate plain data as a Profile; errors name origin, line (when *text* is given) and field."""
    try:
        return Profile.model_validate(data)
    except ValidationError as err:
        raise DataError.from_validation(err, origin, text) from None


__all__ = ["Department", "Profile", "parse_profile", "DataError", "locate"]
