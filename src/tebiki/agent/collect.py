"""Collect: run a fixed set of read-only OS commands in parallel and keep their raw output.

File names are a public contract (capture layout); evaluation lives in rules.py.
"""

from __future__ import annotations

import os
import platform
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .engine import STATUS_FILE, status_line

TIMEOUT_SECONDS = 20  # apt builds its cache once in ~8 s on a loaded 2-core machine

PS = ["powershell", "-NoProfile", "-NonInteractive", "-Command"]
# The machine policy's inactivity limit and the user's screen saver settings, as one JSON object.
SCREENLOCK_PS = (
    "$p = Get-ItemProperty 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System' "
    "-ErrorAction SilentlyContinue; $d = Get-ItemProperty 'HKCU:\\Control Panel\\Desktop' -ErrorAction SilentlyContinue; "
    "[pscustomobject]@{InactivityTimeoutSecs=$p.InactivityTimeoutSecs; ScreenSaveActive=$d.ScreenSaveActive; "
    "ScreenSaverIsSecure=$d.ScreenSaverIsSecure; ScreenSaveTimeOut=$d.ScreenSaveTimeOut} | ConvertTo-Json"
)
# The security of the active Wi-Fi network only (no network names); says so when nmcli is missing or fails.
WIFI_SH = ('command -v nmcli >/dev/null 2>&1 || { echo "nmcli: not installed"; exit 0; }; '
           'out=$(nmcli -t -f ACTIVE,SECURITY device wifi list --rescan no 2>&1) || { echo "nmcli failed: $out"; '
           'exit 0; }; echo "$out" | grep "^yes:" || echo "no active Wi-Fi"')
# The desktop session first: without one gsettings answers its defaults, which say nothing about the device.
GSETTINGS_SH = ('echo "session=${XDG_SESSION_TYPE:-none} desktop=${XDG_CURRENT_DESKTOP:-none}"; '
                'gsettings get org.gnome.desktop.screensaver lock-enabled; gsettings get org.gnome.desktop.session idle-delay; '
                'gsettings get org.gnome.desktop.screensaver lock-delay')
# XProtect's version and whether macOS installs security data updates by itself (no network names anywhere).
XPROTECT_SH = ('echo "xprotect_version=$(defaults read /Library/Apple/System/Library/CoreServices/XProtect.bundle/'
               'Contents/Info.plist CFBundleShortVersionString 2>&1)"; echo "ConfigDataInstall=$(defaults read '
               '/Library/Preferences/com.apple.SoftwareUpdate ConfigDataInstall 2>&1)"')
# Only the Status lines and the current network's Security line of system_profiler (no names, no neighbours).
MAC_WIFI_SH = ("system_profiler SPAirPortDataType | awk '/^ *Status:/ {print \"Status: \" $2} "
               "/Current Network Information:/ {c=1; next} /Other Local Wi-Fi Networks:/ {c=0} "
               "c && /^ *Security:/ {sub(/^ *Security: */, \"\"); print \"Security: \" $0; c=0}'")
# The delay from screen saver to password (sysadminctl answers on stderr) and when the screen saver starts.
SCREENLOCK_MAC_SH = ('sysadminctl -screenLock status 2>&1; '
                     'echo "idleTime=$(defaults -currentHost read com.apple.screensaver idleTime 2>&1)"')
# Files the rules do not read but the device register shows (OS name and version).
INFO_SOURCES = {"linux": ["linux/os-release.txt"], "macos": ["macos/sw_vers.txt"], "windows": ["windows/os.json"]}
SOURCES: dict[str, dict[str, list[str]]] = {
    "linux": {
        "linux/lsblk.json": ["lsblk", "--json", "-o", "NAME,TYPE,FSTYPE,MOUNTPOINT"],
        "linux/ufw.txt": ["ufw", "status", "verbose"],
        "linux/nft.txt": ["nft", "list", "ruleset"],
        "linux/os-release.txt": ["cat", "/etc/os-release"],
        "linux/apt-upgradable.txt": ["apt", "-o", "Apt::Cmd::Disable-Script-Warning=true", "list", "--upgradable"],
        "linux/gsettings-lock.txt": ["sh", "-c", GSETTINGS_SH],
        "linux/ss-listen.txt": ["ss", "-tulpnH"],
        "linux/clamav.txt": ["clamscan", "--version"],
        "linux/samba.txt": ["testparm", "-s", "--parameter-name=server min protocol"],
        "linux/wifi.txt": ["sh", "-c", WIFI_SH],
    },
    "macos": {
        "macos/fdesetup.txt": ["fdesetup", "status"],
        "macos/socketfilterfw.txt": ["/usr/libexec/ApplicationFirewall/socketfilterfw", "--getglobalstate"],
        "macos/softwareupdate.txt": ["sh", "-c", "softwareupdate --list 2>&1"],  # "No new software" is on stderr
        "macos/sw_vers.txt": ["sw_vers"],
        "macos/screenlock.txt": ["sh", "-c", SCREENLOCK_MAC_SH],
        "macos/sharing.txt": ["launchctl", "print-disabled", "system"],
        "macos/xprotect.txt": ["sh", "-c", XPROTECT_SH],
        "macos/wifi.txt": ["sh", "-c", MAC_WIFI_SH],
    },
    "windows": {
        "windows/bitlocker.json": [*PS, "Get-BitLockerVolume -MountPoint C: | Select-Object MountPoint,VolumeStatus,"
                                        "ProtectionStatus,EncryptionPercentage,EncryptionMethod | ConvertTo-Json"],
        "windows/defender.json": [*PS, "Get-MpComputerStatus | ConvertTo-Json"],
        "windows/firewall.json": [*PS, "Get-NetFirewallProfile | Select-Object Name,Enabled,DefaultInboundAction"
                                       " | ConvertTo-Json"],
        "windows/rdp.json": [*PS, "Get-ItemProperty 'HKLM:\\System\\CurrentControlSet\\Control\\Terminal Server'"
                                  " | Select-Object fDenyTSConnections | ConvertTo-Json"],
        "windows/smb.json": [*PS, "Get-SmbServerConfiguration | Select-Object EnableSMB1Protocol,EnableSMB2Protocol"
                                  " | ConvertTo-Json"],
        "windows/os.json": [*PS, "Get-CimInstance Win32_OperatingSystem | Select-Object Caption,Version,BuildNumber,"
                                 "LastBootUpTime | ConvertTo-Json"],
        "windows/hotfix.json": [*PS, "Get-HotFix | Select-Object HotFixID,InstalledOn | ConvertTo-Json"],
        "windows/screenlock.json": [*PS, SCREENLOCK_PS],
        "windows/shares.json": [*PS, "Get-SmbShare | Select-Object Name,Special,ShareType | ConvertTo-Json"],
        "windows/wlan.txt": ["netsh", "wlan", "show", "interfaces"],
    },
}


def current_os() -> str:
    return {"Linux": "linux", "Darwin": "macos", "Windows": "windows"}.get(platform.system(), "linux")


def _run(cmd: list[str]) -> tuple[bytes, int | None, bool]:
    """(output, exit status or None on timeout, whether it wrote to stderr). The output is stdout, or stderr
    when stdout is empty (sysadminctl and friends answer on stderr; error texts are kept for the reason)."""
    env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT_SECONDS, env=env, check=False)
    except FileNotFoundError:
        return b"", 127, False  # as a shell reports a command that is not installed
    except OSError as err:
        return str(err).encode(), 126, True
    except subprocess.TimeoutExpired:
        return b"", None, False
    return done.stdout or done.stderr, done.returncode, bool(done.stderr)


# apt's binary cache of the package lists. Container images (Debian's docker-clean) switch it off, and then
# every apt call parses all the lists again: 1.5 s of `apt list --upgradable` here instead of 0.4 s.
SYSTEM_APT_CACHE = Path("/var/cache/apt/pkgcache.bin")


def cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "tebiki"


def commands(os_name: str) -> dict[str, list[str]]:
    """The commands collect() runs: SOURCES, except that where the system keeps no apt cache, apt is pointed at
    one in tebiki's cache folder (a copy of the public package index, nothing about the device; apt rebuilds it
    whenever the lists change, so the output is the same)."""
    probes = dict(SOURCES[os_name])
    apt = probes.get("linux/apt-upgradable.txt")
    if apt and not SYSTEM_APT_CACHE.exists():
        folder = cache_dir()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            return probes
        probes["linux/apt-upgradable.txt"] = [apt[0], "-o", f"Dir::Cache::pkgcache={folder / 'apt-pkgcache.bin'}",
                                              *apt[1:]]
    return probes


def collect(os_name: str | None = None) -> dict[str, bytes]:
    """Run every probe of *os_name* in parallel; their exit statuses go into <os>/exit-status.txt."""
    os_name = os_name or current_os()
    probes = commands(os_name)
    with ThreadPoolExecutor(max_workers=len(probes)) as pool:
        runs = list(pool.map(_run, probes.values()))
    files = {name: out for name, (out, _, _) in zip(probes, runs, strict=True)}
    files[f"{os_name}/{STATUS_FILE}"] = "".join(
        status_line(name.split("/", 1)[1], out, code, err) + "\n"
        for name, (out, code, err) in zip(probes, runs, strict=True)).encode()
    return files


def save(files: dict[str, bytes], folder: Path) -> None:
    for name, data in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def load(folder: Path) -> tuple[str, dict[str, bytes]]:
    """Read a capture folder; the OS is the one sub-folder (linux, macos or windows) it contains."""
    found = [d.name for d in folder.iterdir() if d.is_dir() and d.name in SOURCES] if folder.is_dir() else []
    if len(found) != 1:
        raise ValueError(f"{folder}: expected exactly one of linux/, macos/, windows/ inside")
    os_name = found[0]
    files = {f"{os_name}/{p.name}": p.read_bytes()[:1_000_000] for p in (folder / os_name).iterdir() if p.is_file()}
    return os_name, files
