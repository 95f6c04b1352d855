"""macOS rules: fdesetup, the application firewall, XProtect, softwareupdate, sysadminctl, launchctl and the
Wi-Fi lines of system_profiler."""

from __future__ import annotations

import re

from .engine import Capture, Unknown, rule
from .wifi import wifi_verdict

FDESETUP_PROGRESS = re.compile(r"^(Encryption|Decryption) in progress: Percent completed = (\d+(?:\.\d+)?)$")
FDESETUP_NEUTRAL = ("FileVault master keychain appears to be installed.",)


@rule("disk_encryption", "macos", sources=["macos/fdesetup.txt"])
def disk_encryption(cap: Capture, limits, as_of):
    """FileVault On with no conversion running passes; encryption (or decryption) still in progress fails,
    since part of the disk is not yet protected."""
    name = "macos/fdesetup.txt"
    lines = [ln.strip() for ln in cap.text(name).splitlines() if ln.strip()]
    if lines[0] not in ("FileVault is On.", "FileVault is Off."):
        raise Unknown("unrecognised", name=name, line=lines[0])
    on = lines[0] == "FileVault is On."
    evidence: dict = {"fdesetup": "On" if on else "Off"}
    for line in lines[1:]:
        m = FDESETUP_PROGRESS.match(line)
        if m:
            evidence.update(in_progress=m[1], percent=float(m[2]))
        elif not (line in FDESETUP_NEUTRAL or line.startswith("Deferred enablement")):
            raise Unknown("unrecognised", name=name, line=line)
    return ("pass" if on and "in_progress" not in evidence else "fail"), evidence


@rule("firewall", "macos", sources=["macos/socketfilterfw.txt"])
def firewall(cap: Capture, limits, as_of):
    text = cap.text("macos/socketfilterfw.txt")
    m = re.search(r"\(State = (\d)\)", text)
    if m and m[1] in "012":
        return ("pass" if m[1] in ("1", "2") else "fail"), {"state": int(m[1])}
    m = re.fullmatch(r"Firewall is (enabled|disabled)\.", text.strip())
    if m:
        return ("pass" if m[1] == "enabled" else "fail"), {"enabled": m[1] == "enabled"}
    raise Unknown("unrecognised", name="macos/socketfilterfw.txt", line=text.splitlines()[0])


@rule("antivirus", "macos", sources=["macos/xprotect.txt"])
def antivirus(cap: Capture, limits, as_of):
    """XProtect, macOS's built-in malware protection: its bundle is present and macOS installs its security
    data updates by itself (ConfigDataInstall = 1). An unset value is not evidence: a configuration profile may
    switch the updates off."""
    name = "macos/xprotect.txt"
    values = dict(re.findall(r"^(\w+)=(.*)$", cap.text(name), re.M))
    version, config = values.get("xprotect_version", "").strip(), values.get("ConfigDataInstall", "").strip()
    if not re.fullmatch(r"\d+(\.\d+)*", version):
        raise Unknown("shape", name=name, detail=("no XProtect version", "XProtect のバージョンがありません"))
    if config == "1":
        return "pass", {"xprotect_version": version, "ConfigDataInstall": 1}
    if config == "0":
        return "fail", {"xprotect_version": version, "ConfigDataInstall": 0}
    raise Unknown("not_set", name=name, setting="ConfigDataInstall")


@rule("os_updates", "macos", sources=["macos/softwareupdate.txt"])
def os_updates(cap: Capture, limits, as_of):
    text = cap.text("macos/softwareupdate.txt")
    labels = re.findall(r"^\* Label: (.+)$", text, re.M)
    if labels:
        return "fail", {"pending": labels[:20], "pending_count": len(labels)}
    if re.search(r"^No new software available\.$", text, re.M):
        return "pass", {"pending": [], "pending_count": 0}
    raise Unknown("shape", name="macos/softwareupdate.txt", detail=("neither updates nor 'No new software available'",
                      "更新の一覧も「No new software available」もありません"))


@rule("screen_lock", "macos", sources=["macos/screenlock.txt"], limits=("max_idle_minutes",))
def screen_lock(cap: Capture, limits, as_of):
    """The screen saver's idle time plus sysadminctl's delay until the password is asked: the latest moment the
    screen locks (display sleep may lock it sooner, so this never passes too early). An unset idle time is
    unknown."""
    name = "macos/screenlock.txt"
    text = cap.text(name)
    if re.search(r"screenLock is off", text):
        return "fail", {"screenLock": "off"}
    m = re.search(r"screenLock delay is (\d{1,9}) seconds", text)
    delay = 0 if re.search(r"screenLock is immediate", text) else int(m[1]) if m else None
    if delay is None:
        raise Unknown("shape", name=name, detail=("no screen lock state", "画面ロックの状態がありません"))
    idle = re.search(r"^idleTime=(.*)$", text, re.M)
    if not idle or not idle[1].strip().isdigit() or len(idle[1].strip()) > 9:
        raise Unknown("not_set", name=name, setting="com.apple.screensaver idleTime")
    idle_s = int(idle[1])
    ok = idle_s > 0 and idle_s + delay <= limits["max_idle_minutes"] * 60
    return ("pass" if ok else "fail"), {"screensaver_idle_seconds": idle_s, "delay_seconds": delay}


def _service(cap: Capture, label: str) -> str:
    """A launchd service's state in `launchctl print-disabled system`: "enabled", "disabled", or "not listed"
    (never switched; Apple ships screen sharing and SMB sharing off). Needs the whole listing."""
    name = "macos/sharing.txt"
    text = cap.whole(name)
    if not re.search(r"^disabled services = \{", text, re.M) or not text.rstrip().endswith("}"):
        raise Unknown("shape", name=name, detail=("not launchctl's list of disabled services",
                      "launchctl の無効化サービス一覧ではありません"))
    m = re.search(rf'^\s*"{re.escape(label)}"\s*=>\s*(\w+)\s*$', text, re.M)
    if not m:
        return "not listed"
    # macOS 10.x prints true/false (true = disabled); later versions print disabled/enabled
    state = {"disabled": "disabled", "true": "disabled", "enabled": "enabled", "false": "enabled"}.get(m[1])
    if state is None:
        raise Unknown("unrecognised", name=name, line=m[0].strip())
    return state


@rule("remote_desktop_off", "macos", sources=["macos/sharing.txt"])
def remote_desktop_off(cap: Capture, limits, as_of):
    state = _service(cap, "com.apple.screensharing")
    return ("fail" if state == "enabled" else "pass"), {"com.apple.screensharing": state}


@rule("file_sharing_off", "macos", sources=["macos/sharing.txt"])
def file_sharing_off(cap: Capture, limits, as_of):
    state = _service(cap, "com.apple.smbd")
    return ("fail" if state == "enabled" else "pass"), {"com.apple.smbd": state}


@rule("smb1_off", "macos", sources=["macos/sharing.txt"])
def smb1_off(cap: Capture, limits, as_of):
    """With SMB sharing off no SMB1 server can answer; with it on, macOS shows no setting for the lowest
    dialect its server accepts, so that is unknown."""
    if _service(cap, "com.apple.smbd") == "enabled":
        raise Unknown("mac_smb_dialect")
    return "pass", {"smb_server": False}


@rule("wifi_security", "macos", sources=["macos/wifi.txt"])
def wifi_security(cap: Capture, limits, as_of):
    """The Status and current network's Security lines of `system_profiler SPAirPortDataType` (the capture
    keeps no network names). Wi-Fi off or not connected passes."""
    name = "macos/wifi.txt"
    text = cap.whole(name)
    statuses = re.findall(r"^Status: (.+)$", text, re.M)
    security = re.findall(r"^Security: (.*)$", text, re.M)
    if security:
        return wifi_verdict([s.strip() for s in security])
    if statuses and "Connected" not in (s.strip() for s in statuses):
        return "pass", {"connected": False}
    raise Unknown("shape", name=name, detail=("no Wi-Fi status, or connected without a security line",
                      "Wi-Fi の状態がないか、接続中なのに暗号化方式の行がありません"))
