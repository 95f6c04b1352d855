"""An organisation's profile: who teleworks how. Plain data, validated; the web app stores the same shape.

The profile is what decides which catalog entries apply (see applicability.py). Facts are named with
the vocabulary of catalog conditions (tebiki.catalog.schema.FACTS). docs/assessment.md describes every field.

Version 2 (still reads version-1 files unchanged):
- each department lists its `equipment` as pairs of kind and owner ({kind: pc, owner: company},
  {kind: mobile, owner: private}); the older `terminals` + `devices` lists are read as every pairing of the two,
  which gives the same facts as before;
- a department may state its own `cloud`, `wifi` and `removable_media`; when absent it inherits the organisation's
  `cloud`, `wifi` and `external_media`. A department that works standalone only inherits none of them: it is offline;
- the organisation says whether it runs `servers` (or a NAS) on premises, which `remote_access` equipment is
  reachable from the internet, and which `information` it handles. The first two default to what the chosen
  methods imply (see `servers_on_premises` and `remote_access_equipment`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from tebiki.catalog.schema import (
    CloudKind,
    DeviceKind,
    Information,
    MethodId,
    Owner,
    RemoteAccess,
    Terminal,
    WifiKind,
    WorkFormId,
)

from .errors import DataError, locate

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")]

# The version-1 `terminals` values and the owners they mean.
LEGACY_OWNER: dict[Terminal, Owner] = {"company": "company", "byod": "private"}
TERMINAL_OF_OWNER = {owner: terminal for terminal, owner in LEGACY_OWNER.items()}
# Methods that put a gateway on the internet when the organisation does not say otherwise.
REMOTE_ACCESS_OF_METHOD: dict[str, RemoteAccess] = {
    "vpn": "vpn_appliance", "remote_desktop": "rd_gateway", "vdi": "vdi_gateway"}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Equipment(_Strict):
    """One kind of device people use, and who owns it (private = BYOD)."""

    kind: DeviceKind
    owner: Owner


def _no_repeats(values: list[Any], name: str) -> None:
    if len(values) != len(set(values)):
        raise ValueError(f"{name}: a value is listed twice")


class Department(_Strict):
    """A department or group whose people telework the same way.

    `equipment` is the fact; `terminals` and `devices` are its version-1 view, accepted instead of it (read as
    every pairing) and always kept in step with it, so older readers of a dump still find them.
    """

    id: Slug
    name: Name
    people: int = Field(default=1, ge=1, le=100_000)
    methods: list[MethodId] = Field(min_length=1)
    work_forms: list[WorkFormId] = Field(min_length=1)
    equipment: list[Equipment] = []
    cloud: list[CloudKind] | None = None  # None: as the organisation
    wifi: list[WifiKind] | None = None  # None: as the organisation; [] = no Wi-Fi
    removable_media: bool | None = None  # None: as the organisation's external_media
    terminals: list[Terminal] = []  # version-1 view of equipment: the owners
    devices: list[DeviceKind] = []  # version-1 view of equipment: the kinds

    @model_validator(mode="before")
    @classmethod
    def _equipment_and_version_1(cls, data: Any) -> Any:
        """Version 1 listed owners (`terminals`) and kinds (`devices`) apart: read them as every pairing;
        with `equipment`, derive them (and refuse them when they disagree with it)."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        terminals, devices, equipment = data.get("terminals"), data.get("devices"), data.get("equipment")
        if equipment is None:
            if terminals is None or devices is None:
                return data  # half a version-1 pair: reported as missing equipment (or a misspelt key) below
            if not isinstance(terminals, list) or not isinstance(devices, list) or not terminals or not devices:
                raise ValueError("terminals, devices: expected non-empty lists")
            _no_repeats(terminals, "terminals")
            _no_repeats(devices, "devices")
            unknown = [t for t in terminals if t not in LEGACY_OWNER]
            if unknown:
                raise ValueError(f"terminals: {unknown[0]!r} is not one of company, byod")
            data["equipment"] = [{"kind": d, "owner": LEGACY_OWNER[t]} for t in terminals for d in devices]
            return data
        try:
            derived = [Equipment.model_validate(e) for e in equipment]
        except (ValidationError, TypeError):
            return data  # the equipment error is reported by the field itself
        owners = [TERMINAL_OF_OWNER[o] for o in ("company", "private") if any(e.owner == o for e in derived)]
        kinds = [k for k in ("pc", "mobile") if any(e.kind == k for e in derived)]
        if ((terminals is not None and sorted(set(terminals)) != sorted(owners))
                or (devices is not None and sorted(set(devices)) != sorted(kinds))):
            raise ValueError("equipment: disagrees with terminals/devices; give equipment only")
        data["terminals"], data["devices"] = owners, kinds
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Department:
        if not self.equipment:
            raise ValueError("equipment: required, e.g. [{kind: pc, owner: company}] (or terminals and devices)")
        for name in ("methods", "work_forms", "equipment", "cloud", "wifi"):
            _no_repeats(getattr(self, name) or [], name)
        if self.offline and (self.cloud or self.wifi):
            raise ValueError("cloud, wifi: a department that works standalone only uses no network; "
                             "remove them or add the method it connects with")
        return self

    @property
    def offline(self) -> bool:
        """Works standalone only: no office connection, no cloud, no network at all."""
        return set(self.methods) == {"standalone"}

    @property
    def byod(self) -> bool:
        return any(e.owner == "private" for e in self.equipment)


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
    servers: bool | None = None  # servers or a NAS on premises; None: as the methods and AD imply
    remote_access: list[RemoteAccess] | None = None  # reachable from the internet; None: as the methods imply
    information: list[Information] = []

    @model_validator(mode="after")
    def _consistent(self) -> Profile:
        ids = [d.id for d in self.departments]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"departments: id {dupes[0]!r} is used twice")
        people = sum(d.people for d in self.departments)
        if people > self.size:
            raise ValueError(f"size: {self.size} is less than the {people} people in the departments")
        for name in ("cloud", "wifi", "remote_access", "information"):
            _no_repeats(getattr(self, name) or [], name)
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

    @property
    def people(self) -> int:
        """Teleworkers in all departments (size counts everyone, teleworking or not)."""
        return sum(d.people for d in self.departments)

    def cloud_of(self, dept: Department) -> list[str]:
        """The cloud services *dept* uses: its own list, else the organisation's; none when offline."""
        if dept.offline:
            return []
        cloud = list(self.cloud if dept.cloud is None else dept.cloud)
        if "cloud_service" in dept.methods and not cloud:
            cloud.append("saas")  # the cloud method means some cloud service is in use even if none is listed
        return cloud

    def wifi_of(self, dept: Department) -> list[str]:
        if dept.offline:
            return []
        return list(self.wifi if dept.wifi is None else dept.wifi)

    def removable_media_of(self, dept: Department) -> bool:
        return self.external_media if dept.removable_media is None else dept.removable_media

    @property
    def servers_on_premises(self) -> bool:
        """As stated; otherwise implied by Active Directory or a method that reaches office systems."""
        if self.servers is not None:
            return self.servers
        return self.active_directory or any(m in REMOTE_ACCESS_OF_METHOD for m in self.methods)

    @property
    def remote_access_equipment(self) -> list[str]:
        """As stated; otherwise the gateway each remote-access method normally puts on the internet."""
        if self.remote_access is not None:
            return list(self.remote_access)
        return [REMOTE_ACCESS_OF_METHOD[m] for m in self.methods if m in REMOTE_ACCESS_OF_METHOD]


def parse_profile(data: Any, origin: str = "<profile>", text: str | None = None) -> Profile:
    """Validate plain data as a Profile; errors name origin, line (when *text* is given) and field."""
    try:
        return Profile.model_validate(data)
    except ValidationError as err:
        raise DataError.from_validation(err, origin, text) from None


__all__ = ["Department", "Equipment", "Profile", "parse_profile", "DataError", "locate"]
