"""Windows rules over PowerShell's ConvertTo-Json (5.1: enums as numbers; 7: enums as names) and netsh."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from .engine import Capture, Unknown, rule
from .wifi import wifi_verdict


def _truthy(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return value == 1
    if isinstance(value, str) and value.strip().lower() in ("true", "1", "on", "yes"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("false", "0", "off", "no"):
        return False
    return None


def _enum(value: Any, names: tuple[str, ...]) -> str | None:
    """An enum value as its name, whether PowerShell wrote the number or the name."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(names):
        return names[value]
    if isinstance(value, str) and value.replace(" ", "").lower() in {n.lower() for n in names}:
        return next(n for n in names if n.lower() == value.replace(" ", "").lower())
    return None


def _ps_date(value: Any, name: str) -> dt.date:
    """PowerShell dates in JSON: "/Date(1700000000000)/", {"DateTime": …, "value": …} or ISO text."""
    if isinstance(value, dict):
        value = value.get("value") or value.get("DateTime")
    if isinstance(value, str):
        m = re.match(r"/Date\((-?\d{1,15})", value)
        try:
            if m:
                return dt.datetime.fromtimestamp(int(m[1]) / 1000, dt.UTC).date()
            return dt.date.fromisoformat(value[:10])
        except (ValueError, OverflowError, OSError):
            pass
    raise Unknown("date", name=name, value=str(value))


def _object(cap: Capture, name: str) -> dict:
    data = cap.json(name)
    data = data[0] if isinstance(data, list) and len(data) == 1 else data
    if not isinstance(data, dict):
        raise Unknown("shape", name=name, detail=("not one object", "1 つのオブジェクトではありません"))
    return data


def _require(data: dict, name: str, *keys: str) -> None:
    missing = [k for k in keys if k not in data]
    if missing:
        raise Unknown("shape", name=name, detail=("no " + ", ".join(missing), ", ".join(missing) + " がありません"))


VOLUME_STATUS = ("FullyDecrypted", "FullyEncrypted", "EncryptionInProgress", "DecryptionInProgress",
                 "EncryptionPaused", "DecryptionPaused")
PROTECTION_STATUS = ("Off", "On", "Unknown")


@rule("disk_encryption", "windows", sources=["windows/bitlocker.json"])
def disk_encryption(cap: Capture, limits, as_of):
    name = "windows/bitlocker.json"
    vol = _object(cap, name)
    _require(vol, name, "ProtectionStatus", "VolumeStatus")
    protection, status = _enum(vol["ProtectionStatus"], PROTECTION_STATUS), _enum(vol["VolumeStatus"], VOLUME_STATUS)
    if protection in (None, "Unknown") or status is None:
        raise Unknown("shape", name=name, detail=f"ProtectionStatus {vol['ProtectionStatus']!r}, "
                                                 f"VolumeStatus {vol['VolumeStatus']!r}")
    ok = protection == "On" and status == "FullyEncrypted"
    return ("pass" if ok else "fail"), {"ProtectionStatus": protection, "VolumeStatus": status,
                                        "EncryptionPercentage": vol.get("EncryptionPercentage")}


PROFILES = {"Domain", "Private", "Public"}


@rule("firewall", "windows", sources=["windows/firewall.json"])
def firewall(cap: Capture, limits, as_of):
    """Every profile enabled (Enabled is a GpoBoolean: 1/0 in PowerShell 5.1, True/False in 7); a pass needs
    all three profiles listed."""
    name = "windows/firewall.json"
    data = cap.json(name)
    profiles = data if isinstance(data, list) else [data]
    if not all(isinstance(p, dict) and isinstance(p.get("Name"), str) for p in profiles):
        raise Unknown("shape", name=name, detail=("profiles without names", "名前のないプロファイルがあります"))
    states = {p["Name"]: _truthy(p.get("Enabled")) for p in profiles}
    if not states or None in states.values():
        raise Unknown("shape", name=name, detail=("no readable Enabled values", "Enabled の値を読み取れません"))
    if not all(states.values()):
        return "fail", {"profiles": states}
    if not set(states) >= PROFILES:
        raise Unknown("shape", name=name, detail=("not every profile listed (Domain, Private, Public)",
                      "すべてのプロファイル（Domain、Private、Public）がそろっていません"))
    return "pass", {"profiles": states}


DEFENDER_ACTIVE = ("normal",)  # AMRunningMode; passive or EDR block mode means another product protects the PC


@rule("antivirus", "windows", sources=["windows/defender.json"], limits=("max_signature_age_days",))
def antivirus(cap: Capture, limits, as_of):
    name = "windows/defender.json"
    data = _object(cap, name)
    _require(data, name, "AntivirusEnabled", "RealTimeProtectionEnabled", "AntivirusSignatureLastUpdated")
    enabled, realtime = _truthy(data["AntivirusEnabled"]), _truthy(data["RealTimeProtectionEnabled"])
    if enabled is None or realtime is None:
        raise Unknown("shape", name=name, detail=("AntivirusEnabled / RealTimeProtectionEnabled are not true or false",
                      "AntivirusEnabled / RealTimeProtectionEnabled が true/false ではありません"))
    mode = data.get("AMRunningMode")
    if mode is not None and str(mode).strip().lower() not in DEFENDER_ACTIVE:
        raise Unknown("defender_passive", mode=str(mode))
    age = (as_of - _ps_date(data["AntivirusSignatureLastUpdated"], name)).days
    ok = enabled and realtime and 0 <= age <= limits["max_signature_age_days"]
    return ("pass" if ok else "fail"), {"AntivirusEnabled": enabled, "RealTimeProtectionEnabled": realtime,
                                        "signature_age_days": age}


@rule("os_updates", "windows", sources=["windows/hotfix.json"], limits=("max_update_age_days",))
def os_updates(cap: Capture, limits, as_of):
    name = "windows/hotfix.json"
    data = cap.json(name)
    items = data if isinstance(data, list) else [data]
    dates = []
    for h in items:
        if isinstance(h, dict) and h.get("InstalledOn"):
            try:
                dates.append(_ps_date(h["InstalledOn"], name))
            except Unknown:
                continue
    if not dates:
        raise Unknown("shape", name=name, detail=("no InstalledOn dates", "InstalledOn の日付がありません"))
    age = (as_of - max(dates)).days
    ok = 0 <= age <= limits["max_update_age_days"]
    return ("pass" if ok else "fail"), {"last_update": max(dates).isoformat(), "age_days": age}


def _seconds(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 10:
        return int(value)
    return None


@rule("screen_lock", "windows", sources=["windows/screenlock.json"], limits=("max_idle_minutes",))
def screen_lock(cap: Capture, limits, as_of):
    """The machine's inactivity limit, or a password-protected screen saver, within the limit. The capture
    writes all four values (null when not set); without them the answer is unknown."""
    name = "windows/screenlock.json"
    data = _object(cap, name)
    _require(data, name, "InactivityTimeoutSecs", "ScreenSaveActive", "ScreenSaverIsSecure", "ScreenSaveTimeOut")
    limit = limits["max_idle_minutes"] * 60
    timeout, saver = _seconds(data["InactivityTimeoutSecs"]), _seconds(data["ScreenSaveTimeOut"])
    active, secure = _truthy(data["ScreenSaveActive"]), _truthy(data["ScreenSaverIsSecure"])
    for key, raw, read in (("InactivityTimeoutSecs", data["InactivityTimeoutSecs"], timeout),
                           ("ScreenSaveTimeOut", data["ScreenSaveTimeOut"], saver),
                           ("ScreenSaveActive", data["ScreenSaveActive"], active),
                           ("ScreenSaverIsSecure", data["ScreenSaverIsSecure"], secure)):
        if raw is not None and read is None:
            raise Unknown("shape", name=name, detail=(f"{key} is {str(raw)[:20]!r}", f"{key} が {str(raw)[:20]!r} です"))
    ok = bool(timeout and 0 < timeout <= limit) or bool(active and secure and saver and 0 < saver <= limit)
    return ("pass" if ok else "fail"), {"InactivityTimeoutSecs": timeout, "ScreenSaveActive": active,
                                        "ScreenSaverIsSecure": secure, "ScreenSaveTimeOut": saver}


def _flag(cap: Capture, name: str, key: str) -> bool:
    data = _object(cap, name)
    value = _truthy(data.get(key))
    if value is None:
        raise Unknown("shape", name=name, detail=(f"no readable {key}", f"{key} を読み取れません"))
    return value


@rule("remote_desktop_off", "windows", sources=["windows/rdp.json"])
def remote_desktop_off(cap: Capture, limits, as_of):
    deny = _flag(cap, "windows/rdp.json", "fDenyTSConnections")
    return ("pass" if deny else "fail"), {"fDenyTSConnections": deny}


@rule("smb1_off", "windows", sources=["windows/smb.json"])
def smb1_off(cap: Capture, limits, as_of):
    smb1 = _flag(cap, "windows/smb.json", "EnableSMB1Protocol")
    return ("fail" if smb1 else "pass"), {"EnableSMB1Protocol": smb1}


@rule("file_sharing_off", "windows", sources=["windows/shares.json"])
def file_sharing_off(cap: Capture, limits, as_of):
    """Shares other than Windows' own administrative ones (C$, ADMIN$, IPC$: Special) mean the PC shares
    folders or printers."""
    name = "windows/shares.json"
    data = cap.json(name)
    shares = data if isinstance(data, list) else [data]
    if not shares or not all(isinstance(x, dict) and isinstance(x.get("Name"), str) for x in shares):
        raise Unknown("shape", name=name, detail=("no shares with names", "名前のある共有がありません"))
    special = [_truthy(x.get("Special")) for x in shares]
    if None in special:
        raise Unknown("shape", name=name, detail=("shares without a readable Special flag",
                      "Special の値を読み取れない共有があります"))
    shared = sorted(x["Name"] for x, sp in zip(shares, special, strict=True) if not sp)
    return ("fail" if shared else "pass"), {"shares": shared[:20], "share_count": len(shared)}


WLAN_FIELD = re.compile(r"^\s*(Authentication|認証|State|状態)\s*:\s*(.*?)\s*$", re.M)


@rule("wifi_security", "windows", sources=["windows/wlan.txt"])
def wifi_security(cap: Capture, limits, as_of):
    """`netsh wlan show interfaces`, read in English or Japanese: the authentication of each connected
    interface. No Wi-Fi service, or only disconnected interfaces, pass (no Wi-Fi in use). netsh exits 1
    when the Wi-Fi service is not running."""
    text = cap.whole("windows/wlan.txt", ok_exits=(0, 1))
    if "wlansvc" in text:  # "The Wireless AutoConfig Service (wlansvc) is not running." (also in Japanese)
        return "pass", {"connected": False, "wlansvc": False}
    fields = WLAN_FIELD.findall(text)
    auth = [value for label, value in fields if label in ("Authentication", "認証")]
    if auth:
        return wifi_verdict(auth)
    if any(label in ("State", "状態") for label, _ in fields):
        return "pass", {"connected": False}
    raise Unknown("shape", name="windows/wlan.txt",
        detail=("no interface state or authentication", "インターフェイスの状態も認証方式もありません"))
