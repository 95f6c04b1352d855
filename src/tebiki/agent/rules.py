"""Evaluate captured command output: pure functions from {file name: bytes} to check results.

Every rule says which file and values decided it. Missing, empty, garbled or truncated input gives
`unknown` with the reason, never a crash and never a guess.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

CHECK_IDS = ("disk_encryption", "firewall", "antivirus", "os_updates", "screen_lock", "remote_desktop_off",
             "smb1_off", "file_sharing_off", "wifi_security")
MAX_IDLE_SECONDS = 15 * 60
MAX_SIGNATURE_AGE_DAYS = 7
MAX_HOTFIX_AGE_DAYS = 45
REMOTE_DESKTOP_PORTS = {3389, 5900, 5901, 5902, 5903}
FILE_SHARING_PORTS = {139, 445, 2049, 548}


class Unknown(Exception):
    """The input cannot decide the check; the message says why."""


@dataclass
class Result:
    verdict: str  # pass / fail / unknown
    source: str
    evidence: dict[str, Any] = field(default_factory=dict)
    reason: str = ""


def decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16LE with BOM, or cp932 — the encodings the capture scripts meet."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace")
    if raw.startswith(b"\xff\xfe"):
        return raw[2:].decode("utf-16-le", errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp932", errors="replace")


def _text(files: dict[str, bytes], name: str) -> str:
    if name not in files:
        raise Unknown(f"{name} was not captured")
    text = decode(files[name]).strip()
    if not text:
        raise Unknown(f"{name} is empty")
    return text


def _json(files: dict[str, bytes], name: str) -> Any:
    try:
        return json.loads(_text(files, name))
    except json.JSONDecodeError as err:
        raise Unknown(f"{name} is not valid JSON (truncated?): {err.msg}") from None


def _truthy(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    if isinstance(value, str) and value.strip().lower() in ("true", "1", "on", "yes"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("false", "0", "off", "no"):
        return False
    return None


def _ps_date(value: Any) -> dt.date:
    """PowerShell dates in JSON: "/Date(1700000000000)/", {"DateTime": …, "value": …} or ISO text."""
    if isinstance(value, dict):
        value = value.get("value") or value.get("DateTime")
    if isinstance(value, str):
        m = re.match(r"/Date\((-?\d+)", value)
        if m:
            return dt.datetime.fromtimestamp(int(m[1]) / 1000, dt.UTC).date()
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            pass
    raise Unknown(f"unreadable date {value!r}")


# ---------------------------------------------------------------- Linux

def _walk(devices: list[dict], crypt: bool = False):
    for d in devices:
        here = crypt or d.get("type") == "crypt" or d.get("fstype") == "crypto_LUKS"
        points = d.get("mountpoints") or [d.get("mountpoint")]
        yield d, here, points
        yield from _walk(d.get("children") or [], here)


def linux_disk_encryption(files, as_of):
    data = _json(files, "linux/lsblk.json")
    if not isinstance(data, dict) or not isinstance(data.get("blockdevices"), list):
        raise Unknown("linux/lsblk.json has no blockdevices list")
    for dev, crypt, points in _walk(data["blockdevices"]):
        if "/" in points:
            return ("pass" if crypt else "fail"), {"root_device": dev.get("name"), "encrypted": crypt}
    raise Unknown("no device is mounted at /")


def linux_firewall(files, as_of):
    evidence = {}
    ufw = decode(files.get("linux/ufw.txt", b""))
    m = re.search(r"^Status:\s*(\w+)", ufw, re.M)
    if m:
        evidence["ufw"] = m[1]
        if m[1] == "active":
            return "pass", evidence
    text = decode(files.get("linux/nft.txt", b"")).strip()
    if text.startswith("table "):
        drop = re.search(r"hook input[^;]*;[^;]*policy (drop|reject)", text)
        evidence["nft_input_policy"] = drop[1] if drop else "accept or none"
        return ("pass" if drop else "fail"), evidence
    if evidence:
        return "fail", evidence
    raise Unknown("neither linux/ufw.txt nor linux/nft.txt says anything")


def linux_updates(files, as_of):
    lines = [ln for ln in _text(files, "linux/apt-upgradable.txt").splitlines()
             if "/" in ln and "[upgradable from" in ln]
    security = [ln.split("/")[0] for ln in lines if "-security" in ln]
    verdict = "fail" if security else "pass"
    return verdict, {"upgradable": len(lines), "security": security[:10]}


def linux_screen_lock(files, as_of):
    lines = _text(files, "linux/gsettings-lock.txt").splitlines()
    if len(lines) < 2:
        raise Unknown("linux/gsettings-lock.txt needs lock-enabled and idle-delay")
    enabled = _truthy(lines[0])
    m = re.search(r"(\d+)\s*$", lines[1])
    if enabled is None or not m:
        raise Unknown("linux/gsettings-lock.txt is not two settings values")
    delay = int(m[1])
    ok = enabled and 0 < delay <= MAX_IDLE_SECONDS
    return ("pass" if ok else "fail"), {"lock_enabled": enabled, "idle_delay_seconds": delay}


def _listening(files) -> list[tuple[str, int]]:
    out = []
    for line in _text(files, "linux/ss-listen.txt").splitlines():
        parts = line.split()
        if len(parts) >= 5:
            addr = parts[4]
            host, _, port = addr.rpartition(":")
            if port.isdigit():
                out.append((host.strip("[]"), int(port)))
    return out


def _exposed(files, ports: set[int]) -> list[str]:
    loopback = ("127.", "::1", "localhost")
    return sorted({f"{h}:{p}" for h, p in _listening(files) if p in ports and not h.startswith(loopback)})


def linux_remote_desktop(files, as_of):
    found = _exposed(files, REMOTE_DESKTOP_PORTS)
    return ("fail" if found else "pass"), {"listening": found}


def linux_file_sharing(files, as_of):
    found = _exposed(files, FILE_SHARING_PORTS)
    return ("fail" if found else "pass"), {"listening": found}


SMB1_DIALECTS = ("CORE", "COREPLUS", "LANMAN1", "LANMAN2", "NT1")  # Samba's names for SMB1 and older


def linux_smb1(files, as_of):
    """No SMB server listening passes; a Samba server passes when its lowest dialect (`server min protocol`,
    defaults included, from testparm) is SMB2 or newer."""
    found = _exposed(files, {139, 445})
    if not found:
        return "pass", {"smb_server": False}
    text = decode(files.get("linux/samba.txt", b"")).strip()
    dialect = text.splitlines()[-1].strip().upper() if text else ""
    if dialect in SMB1_DIALECTS:
        return "fail", {"smb_server": True, "server_min_protocol": dialect}
    if re.fullmatch(r"SMB[23](_\d\d)?", dialect):
        return "pass", {"smb_server": True, "server_min_protocol": dialect}
    raise Unknown(f"an SMB server listens ({', '.join(found)}); linux/samba.txt gives no server min protocol")


def linux_antivirus(files, as_of):
    """ClamAV: `clamscan --version` names the engine and the date of its newest signature database. Other
    products are not recognised, so no ClamAV means unknown, not fail."""
    if "linux/clamav.txt" in files and not decode(files["linux/clamav.txt"]).strip():
        raise Unknown("no known antivirus found: ClamAV's clamscan is not installed (other products are not read)")
    text = _text(files, "linux/clamav.txt")
    m = re.search(r"^ClamAV (\S+?)(?:/(\d+)/(.+))?$", text, re.M)
    if not m:
        raise Unknown("no known antivirus found (ClamAV's clamscan did not answer)")
    if not m[2]:
        return "fail", {"engine": m[1], "signatures": None}
    try:
        signed = dt.datetime.strptime(m[3].strip(), "%a %b %d %H:%M:%S %Y").date()
    except ValueError:
        raise Unknown(f"linux/clamav.txt: unreadable signature date {m[3].strip()[:40]!r}") from None
    age = (as_of - signed).days
    return ("pass" if age <= MAX_SIGNATURE_AGE_DAYS else "fail"), {"engine": m[1], "signatures": int(m[2]),
                                                                  "signature_age_days": age}


def _wifi_verdict(securities: list[str]) -> tuple[str, dict[str, Any]]:
    """The security of the Wi-Fi connections in use: WPA2 or WPA3 passes; open, WEP or (first) WPA anywhere
    fails, as the guideline asks the router not to offer them."""
    weak, strong = [], []
    for sec in securities:
        tokens = sec.upper().replace("-", " ").split()
        if not tokens or {"OPEN", "オープン", "NONE", "WEP"} & set(tokens) or {"WPA", "WPA1"} & set(tokens):
            weak.append(sec or "open")
        elif {"WPA2", "WPA3"} & set(tokens):
            strong.append(sec)
        else:
            raise Unknown(f"unrecognised Wi-Fi security {sec[:40]!r}")
    return ("fail" if weak else "pass"), {"connected": True, "security": (weak + strong)[:5]}


def linux_wifi(files, as_of):
    """`nmcli` lines of the active Wi-Fi network (ACTIVE:SECURITY, no network names)."""
    text = _text(files, "linux/wifi.txt")
    if text.startswith("nmcli: not installed"):
        raise Unknown("nmcli (NetworkManager) is not installed; no other Wi-Fi source is read")
    if text.startswith("nmcli failed"):
        raise Unknown(f"nmcli could not list Wi-Fi networks: {text[13:80]}")
    if text == "no active Wi-Fi":
        return "pass", {"connected": False}
    active = [line.split(":", 1)[1] for line in text.splitlines() if line.startswith("yes:")]
    if not active:
        raise Unknown("linux/wifi.txt names no active network")
    return _wifi_verdict(active)


# ---------------------------------------------------------------- Windows

def win_disk_encryption(files, as_of):
    data = _json(files, "windows/bitlocker.json")
    vol = data[0] if isinstance(data, list) and data else data
    if not isinstance(vol, dict) or "ProtectionStatus" not in vol:
        raise Unknown("windows/bitlocker.json has no ProtectionStatus")
    on = vol["ProtectionStatus"] in (1, "On")
    status = vol.get("VolumeStatus")
    full = status in (1, "FullyEncrypted") or vol.get("EncryptionPercentage") == 100
    return ("pass" if on and full else "fail"), {"ProtectionStatus": vol["ProtectionStatus"], "VolumeStatus": status}


def win_firewall(files, as_of):
    data = _json(files, "windows/firewall.json")
    profiles = data if isinstance(data, list) else [data]
    states = {str(p.get("Name")): _truthy(p.get("Enabled")) for p in profiles if isinstance(p, dict)}
    if not states or None in states.values():
        raise Unknown("windows/firewall.json has no readable Enabled values")
    return ("pass" if all(states.values()) else "fail"), {"profiles": states}


def win_antivirus(files, as_of):
    data = _json(files, "windows/defender.json")
    if not isinstance(data, dict):
        raise Unknown("windows/defender.json is not an object")
    enabled = _truthy(data.get("AntivirusEnabled"))
    realtime = _truthy(data.get("RealTimeProtectionEnabled"))
    if enabled is None or realtime is None:
        raise Unknown("windows/defender.json lacks AntivirusEnabled / RealTimeProtectionEnabled")
    updated = _ps_date(data.get("AntivirusSignatureLastUpdated"))
    age = (as_of - updated).days
    ok = enabled and realtime and age <= MAX_SIGNATURE_AGE_DAYS
    return ("pass" if ok else "fail"), {"AntivirusEnabled": enabled, "RealTimeProtectionEnabled": realtime,
                                        "signature_age_days": age}


def win_updates(files, as_of):
    data = _json(files, "windows/hotfix.json")
    items = data if isinstance(data, list) else [data]
    dates = []
    for h in items:
        if isinstance(h, dict) and h.get("InstalledOn"):
            try:
                dates.append(_ps_date(h["InstalledOn"]))
            except Unknown:
                continue
    if not dates:
        raise Unknown("windows/hotfix.json has no InstalledOn dates")
    age = (as_of - max(dates)).days
    return ("pass" if age <= MAX_HOTFIX_AGE_DAYS else "fail"), {"last_update": max(dates).isoformat(), "age_days": age}


def win_screen_lock(files, as_of):
    data = _json(files, "windows/screenlock.json")
    if not isinstance(data, dict):
        raise Unknown("windows/screenlock.json is not an object")
    timeout = data.get("InactivityTimeoutSecs")
    if isinstance(timeout, int) and 0 < timeout <= MAX_IDLE_SECONDS:
        return "pass", {"InactivityTimeoutSecs": timeout}
    active, secure = _truthy(data.get("ScreenSaveActive")), _truthy(data.get("ScreenSaverIsSecure"))
    try:
        saver = int(data.get("ScreenSaveTimeOut"))
    except (TypeError, ValueError):
        saver = None
    ok = bool(active and secure and saver and 0 < saver <= MAX_IDLE_SECONDS)
    return ("pass" if ok else "fail"), {"InactivityTimeoutSecs": timeout, "ScreenSaveActive": active,
                                        "ScreenSaverIsSecure": secure, "ScreenSaveTimeOut": saver}


def win_rdp(files, as_of):
    data = _json(files, "windows/rdp.json")
    deny = _truthy(data.get("fDenyTSConnections")) if isinstance(data, dict) else None
    if deny is None:
        raise Unknown("windows/rdp.json has no fDenyTSConnections")
    return ("pass" if deny else "fail"), {"fDenyTSConnections": deny}


def win_smb1(files, as_of):
    data = _json(files, "windows/smb.json")
    smb1 = _truthy(data.get("EnableSMB1Protocol")) if isinstance(data, dict) else None
    if smb1 is None:
        raise Unknown("windows/smb.json has no EnableSMB1Protocol")
    return ("fail" if smb1 else "pass"), {"EnableSMB1Protocol": smb1}


def win_file_sharing(files, as_of):
    """Shares other than Windows' own administrative ones (C$, ADMIN$, IPC$: Special) mean the PC shares
    folders or printers."""
    data = _json(files, "windows/shares.json")
    shares = data if isinstance(data, list) else [data]
    if not shares or not all(isinstance(x, dict) and isinstance(x.get("Name"), str) for x in shares):
        raise Unknown("windows/shares.json lists no shares with names")
    special = [_truthy(x.get("Special")) for x in shares]
    if None in special:
        raise Unknown("windows/shares.json has shares without a readable Special flag")
    shared = sorted(x["Name"] for x, sp in zip(shares, special, strict=True) if not sp)
    return ("fail" if shared else "pass"), {"shares": shared[:20]}


WLAN_FIELD = re.compile(r"^\s*(Authentication|認証|State|状態)\s*:\s*(.*?)\s*$", re.M)


def win_wifi(files, as_of):
    """`netsh wlan show interfaces`, read in English or Japanese: the authentication of each connected
    interface. No Wi-Fi service, or only disconnected interfaces, pass (no Wi-Fi in use)."""
    text = _text(files, "windows/wlan.txt")
    if "wlansvc" in text:  # "The Wireless AutoConfig Service (wlansvc) is not running." (also in Japanese)
        return "pass", {"connected": False, "wlansvc": False}
    fields = WLAN_FIELD.findall(text)
    auth = [value for label, value in fields if label in ("Authentication", "認証")]
    if auth:
        return _wifi_verdict(auth)
    if any(label in ("State", "状態") for label, _ in fields):
        return "pass", {"connected": False}
    raise Unknown("windows/wlan.txt shows no interface state or authentication")


# ---------------------------------------------------------------- macOS

def mac_disk_encryption(files, as_of):
    text = _text(files, "macos/fdesetup.txt")
    if "FileVault is On" in text:
        return "pass", {"fdesetup": "On"}
    if "FileVault is Off" in text:
        return "fail", {"fdesetup": "Off"}
    raise Unknown("macos/fdesetup.txt does not say On or Off")


def mac_firewall(files, as_of):
    text = _text(files, "macos/socketfilterfw.txt")
    m = re.search(r"State = (\d)", text)
    if m:
        return ("pass" if m[1] in ("1", "2") else "fail"), {"state": int(m[1])}
    if "enabled" in text.lower() or "disabled" in text.lower():
        on = "enabled" in text.lower()
        return ("pass" if on else "fail"), {"enabled": on}
    raise Unknown("macos/socketfilterfw.txt gives no state")


def mac_updates(files, as_of):
    text = _text(files, "macos/softwareupdate.txt")
    labels = re.findall(r"^\* Label: (.+)$", text, re.M)
    if labels:
        return "fail", {"pending": labels[:20]}
    if "No new software available" in text:
        return "pass", {"pending": []}
    raise Unknown("macos/softwareupdate.txt lists nothing recognisable")


def mac_screen_lock(files, as_of):
    text = _text(files, "macos/screenlock.txt")
    if re.search(r"screenLock is off", text):
        return "fail", {"screenLock": "off"}
    if "immediate" in text:
        return "pass", {"delay_seconds": 0}
    m = re.search(r"screenLock delay is (\d+) seconds", text)
    if m:
        delay = int(m[1])
        return ("pass" if delay <= MAX_IDLE_SECONDS else "fail"), {"delay_seconds": delay}
    raise Unknown("macos/screenlock.txt gives no screen lock state")


def _mac_service(files, label: str) -> bool | None:
    text = _text(files, "macos/sharing.txt")
    m = re.search(rf'"{re.escape(label)}"\s*=>\s*(\w+)', text)
    if not m:
        return None
    return m[1] in ("enabled", "false")  # launchctl prints "=> disabled"/"=> enabled" (or true/false for disabled)


def mac_remote_desktop(files, as_of):
    on = _mac_service(files, "com.apple.screensharing")
    return ("fail" if on else "pass"), {"com.apple.screensharing": "enabled" if on else "disabled or not set"}


def mac_file_sharing(files, as_of):
    on = _mac_service(files, "com.apple.smbd")
    return ("fail" if on else "pass"), {"com.apple.smbd": "enabled" if on else "disabled or not set"}


def not_applicable_here(reason: str) -> Callable:
    def rule(files, as_of):
        raise Unknown(reason)
    return rule


RULES: dict[str, dict[str, tuple[str, Callable]]] = {
    "linux": {
        "disk_encryption": ("linux/lsblk.json", linux_disk_encryption),
        "firewall": ("linux/ufw.txt", linux_firewall),
        "antivirus": ("linux/clamav.txt", linux_antivirus),
        "os_updates": ("linux/apt-upgradable.txt", linux_updates),
        "screen_lock": ("linux/gsettings-lock.txt", linux_screen_lock),
        "remote_desktop_off": ("linux/ss-listen.txt", linux_remote_desktop),
        "smb1_off": ("linux/ss-listen.txt", linux_smb1),
        "file_sharing_off": ("linux/ss-listen.txt", linux_file_sharing),
        "wifi_security": ("linux/wifi.txt", linux_wifi),
    },
    "windows": {
        "disk_encryption": ("windows/bitlocker.json", win_disk_encryption),
        "firewall": ("windows/firewall.json", win_firewall),
        "antivirus": ("windows/defender.json", win_antivirus),
        "os_updates": ("windows/hotfix.json", win_updates),
        "screen_lock": ("windows/screenlock.json", win_screen_lock),
        "remote_desktop_off": ("windows/rdp.json", win_rdp),
        "smb1_off": ("windows/smb.json", win_smb1),
        "file_sharing_off": ("windows/shares.json", win_file_sharing),
        "wifi_security": ("windows/wlan.txt", win_wifi),
    },
    "macos": {
        "disk_encryption": ("macos/fdesetup.txt", mac_disk_encryption),
        "firewall": ("macos/socketfilterfw.txt", mac_firewall),
        "antivirus": ("-", not_applicable_here("macOS has built-in XProtect; no source reads its state yet")),
        "os_updates": ("macos/softwareupdate.txt", mac_updates),
        "screen_lock": ("macos/screenlock.txt", mac_screen_lock),
        "remote_desktop_off": ("macos/sharing.txt", mac_remote_desktop),
        "smb1_off": ("-", not_applicable_here("macOS's SMB server does not offer SMB1 settings to capture")),
        "file_sharing_off": ("macos/sharing.txt", mac_file_sharing),
        "wifi_security": ("-", not_applicable_here("no Wi-Fi source on macOS yet (system_profiler is slow and lists "
                                                    "nearby networks)")),
    },
}


@cache
def check_texts() -> dict[str, dict[str, Any]]:
    """checks.yaml by check id (read once; treat as read-only)."""
    data = yaml.safe_load((Path(__file__).parent / "checks.yaml").read_text(encoding="utf-8"))
    return {c["id"]: c for c in data}


def evaluate(os_name: str, files: dict[str, bytes], as_of: dt.date) -> dict[str, Any]:
    """All checks for *os_name* over captured *files*: {"os": …, "checks": {id: {verdict, …}}}."""
    if os_name not in RULES:
        raise ValueError(f"unknown OS {os_name!r}; expected linux, windows or macos")
    out = {}
    for check_id in CHECK_IDS:
        source, rule = RULES[os_name][check_id]
        meta = check_texts()[check_id]
        try:
            verdict, evidence = rule(files, as_of)
            reason = ""
        except Unknown as err:
            verdict, evidence, reason = "unknown", {}, str(err)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as err:
            verdict, evidence, reason = "unknown", {}, f"{source} could not be read: {type(err).__name__}"
        out[check_id] = {"verdict": verdict, "source": source, "evidence": evidence, "reason": reason,
                         "title": dict(meta["title"]), "measures": list(meta["measures"]),
                         "policies": list(meta["policies"]), "fix": dict(meta["fix"]) if verdict == "fail" else None}
    return {"os": os_name, "as_of": as_of.isoformat(), "checks": out}
