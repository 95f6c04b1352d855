"""Linux rules: lsblk, ufw/nftables, ClamAV, apt, GNOME settings, ss, Samba, nmcli."""

from __future__ import annotations

import datetime as dt
import re

from .engine import Capture, Unknown, rule
from .wifi import wifi_verdict

REMOTE_DESKTOP_PORTS = {3389, 5900, 5901, 5902, 5903}
FILE_SHARING_PORTS = {139, 445, 2049, 548}
SMB_PORTS = {139, 445}
SMB1_DIALECTS = ("CORE", "COREPLUS", "LANMAN1", "LANMAN2", "NT1")  # Samba's names for SMB1 and older
NOT_FOUND = 127  # the shell's exit status for a command that is not installed


def _walk(devices: list, crypt: bool = False):
    for d in devices:
        if not isinstance(d, dict):
            raise Unknown("shape", name="linux/lsblk.json",
                detail=("a block device is not an object", "ブロックデバイスがオブジェクトではありません"))
        here = crypt or d.get("type") == "crypt" or d.get("fstype") == "crypto_LUKS"
        points = d.get("mountpoints") or [d.get("mountpoint")]
        yield d, here, points
        yield from _walk(d.get("children") or [], here)


@rule("disk_encryption", "linux", sources=["linux/lsblk.json"])
def disk_encryption(cap: Capture, limits, as_of):
    data = cap.json("linux/lsblk.json")
    if not isinstance(data, dict) or not isinstance(data.get("blockdevices"), list):
        raise Unknown("shape", name="linux/lsblk.json", detail=("no blockdevices list", "blockdevices の一覧がありません"))
    for dev, crypt, points in _walk(data["blockdevices"]):
        if "/" in points:
            return ("pass" if crypt else "fail"), {"root_device": dev.get("name"), "encrypted": crypt}
    raise Unknown("no_root")


def _input_chains(ruleset: str) -> list[tuple[str, list[str]]]:
    """(policy, rules) of every base chain on the input hook, from `nft list ruleset`."""
    chains, current = [], None
    for line in ruleset.splitlines():
        s = line.strip()
        if s.startswith("chain ") and s.endswith("{"):
            current = []
        elif s == "}" and current is not None:
            head = next((r for r in current if "hook input" in r), None)
            if head:
                m = re.search(r"policy (\w+);", head)
                chains.append((m[1] if m else "accept", [r for r in current if r != head and not r.startswith("#")]))
            current = None
        elif current is not None and s:
            current.append(s)
    return chains


def _nft_input(ruleset: str) -> str:
    """How unsolicited input ends: "drop" (a base chain's policy), "reject" (its last rule rejects or drops
    everything, as firewalld's filter_INPUT does) or "accept"."""
    verdicts = []
    for policy, rules in _input_chains(ruleset):
        if policy == "drop":
            verdicts.append("drop")
        elif rules and re.fullmatch(r"(reject|drop)( with .*)?", rules[-1]):
            verdicts.append("reject")
    return verdicts[0] if verdicts else "accept"


@rule("firewall", "linux", sources=["linux/ufw.txt", "linux/nft.txt"])
def firewall(cap: Capture, limits, as_of):
    """ufw active, or an nftables input chain that drops or rejects by default (ufw and firewalld both write
    one). No ufw and an empty or accepting ruleset, both read without error, fail."""
    ufw = None
    st = cap.status("linux/ufw.txt")
    if st and st.exit == NOT_FOUND:
        ufw = "not installed"
    else:
        try:
            text = cap.text("linux/ufw.txt")
        except Unknown:
            text = ""
        m = re.search(r"^Status:\s*(active|inactive)\s*$", text, re.M)
        ufw = m[1] if m else None
        incoming = re.search(r"^Default:\s*(\w+) \(incoming\)", text, re.M)
        if ufw == "active" and incoming and incoming[1] in ("deny", "reject"):
            return "pass", {"ufw": "active", "ufw_incoming": incoming[1]}
    try:
        ruleset = cap.whole("linux/nft.txt")
    except Unknown as err:
        if cap.status("linux/nft.txt") and cap.status("linux/nft.txt").exit == NOT_FOUND:
            ruleset = ""  # nft is not installed: no nftables rules at all
        else:
            raise err
    if ruleset and not ruleset.startswith("table "):
        raise Unknown("unrecognised", name="linux/nft.txt", line=ruleset.splitlines()[0])
    nft = _nft_input(ruleset) if ruleset else "empty ruleset"
    evidence = {"ufw": ufw or "unreadable", "nft_input": nft}
    if nft in ("drop", "reject"):
        return "pass", evidence
    if ufw is None:
        raise Unknown("shape", name="linux/ufw.txt", detail=("no Status line", "Status の行がありません"))
    return "fail", evidence


@rule("antivirus", "linux", sources=["linux/clamav.txt"], limits=("max_signature_age_days",))
def antivirus(cap: Capture, limits, as_of):
    """ClamAV: `clamscan --version` names the engine and the date of its newest signature database. Other
    products are not recognised, so no ClamAV means unknown, not fail."""
    st = cap.status("linux/clamav.txt")
    if (st and st.exit == NOT_FOUND) or not cap.files.get("linux/clamav.txt", b"x").strip():
        raise Unknown("not_installed", tool="ClamAV (clamscan)",
            detail=("other antivirus products are not read", "他のウイルス対策製品は読み取りません"))
    text = cap.text("linux/clamav.txt")
    m = re.search(r"^ClamAV (\S+?)(?:/(\d+)/(.+))?$", text, re.M)
    if not m:
        raise Unknown("unrecognised", name="linux/clamav.txt", line=text.splitlines()[0])
    if not m[2]:
        return "fail", {"engine": m[1], "signatures": None}
    try:
        signed = dt.datetime.strptime(m[3].strip(), "%a %b %d %H:%M:%S %Y").date()
    except ValueError:
        raise Unknown("date", name="linux/clamav.txt", value=m[3].strip()) from None
    age = (as_of - signed).days
    ok = 0 <= age <= limits["max_signature_age_days"]
    return ("pass" if ok else "fail"), {"engine": m[1], "signatures": int(m[2]), "signature_age_days": age}


APT_LINE = re.compile(r"^(?P<pkg>[^/\s]+)/(?P<pockets>\S+) (?P<version>\S+) (?P<arch>\S+)(?: \[[^\]]*\])?$")


@rule("os_updates", "linux", sources=["linux/apt-upgradable.txt"])
def os_updates(cap: Capture, limits, as_of):
    """Pending upgrades from a -security pocket fail. The pocket names decide, whatever the language of the
    words around them; any line that is not apt's header, a package or a notice makes the answer unknown."""
    lines = cap.whole("linux/apt-upgradable.txt").splitlines()
    if not lines or "/" in lines[0] or not lines[0].rstrip().endswith("..."):
        raise Unknown("shape", name="linux/apt-upgradable.txt",
            detail=("no 'Listing...' header", "先頭の「Listing...」行がありません"))
    packages, security = 0, []
    for line in lines[1:]:
        if not line.strip() or line.startswith("N: "):
            continue
        m = APT_LINE.match(line.strip())
        if not m:
            raise Unknown("unrecognised", name="linux/apt-upgradable.txt", line=line)
        packages += 1
        if any(p.endswith("-security") for p in m["pockets"].split(",")):
            security.append(m["pkg"])
    return ("fail" if security else "pass"), {"upgradable": packages, "security_count": len(security),
                                              "security": security[:10]}


@rule("screen_lock", "linux", sources=["linux/gsettings-lock.txt"], limits=("max_idle_minutes",))
def screen_lock(cap: Capture, limits, as_of):
    """GNOME's lock-enabled, idle-delay (until the screen blanks) and lock-delay (from blank to locked), read
    only inside a graphical session: without one, gsettings answers its defaults, which say nothing."""
    lines = cap.text("linux/gsettings-lock.txt").splitlines()
    m = re.fullmatch(r"session=(\S*) desktop=(.*)", lines[0].strip())
    if not m:
        raise Unknown("shape", name="linux/gsettings-lock.txt", detail=("no session line", "セッションの行がありません"))
    if m[1] not in ("x11", "wayland"):
        raise Unknown("no_session")
    values = [ln.strip() for ln in lines[1:]]
    if len(values) != 3 or values[0] not in ("true", "false") or \
            not all(re.fullmatch(r"uint32 \d{1,9}", v) for v in values[1:]):
        raise Unknown("shape", name="linux/gsettings-lock.txt",
                      detail=("not lock-enabled, idle-delay and lock-delay values",
                              "lock-enabled、idle-delay、lock-delay の値ではありません"))
    enabled, idle, lock = values[0] == "true", int(values[1].split()[1]), int(values[2].split()[1])
    ok = enabled and idle > 0 and idle + lock <= limits["max_idle_minutes"] * 60
    return ("pass" if ok else "fail"), {"desktop": m[2], "lock_enabled": enabled, "idle_delay_seconds": idle,
                                        "lock_delay_seconds": lock}


SS_LINE = re.compile(r"^(?P<netid>tcp|udp|raw|sctp|mptcp|u_\w+|nl|p_\w+|v_\w+|xdp)\s+(?P<state>[A-Z-]+)\s+\d+\s+\d+"
                     r"\s+(?P<local>\S+)\s+(?P<peer>\S+)(?:\s+.*)?$")


def _listening(cap: Capture) -> list[tuple[str, int]]:
    """(host, port) of every socket `ss -tulpnH` lists; error text or any other line is Unknown."""
    out = []
    for line in cap.whole("linux/ss-listen.txt").splitlines():
        if not line.strip():
            continue
        m = SS_LINE.match(line.strip())
        host, _, port = m["local"].rpartition(":") if m else ("", "", "")
        if not m or not port.isdigit():
            raise Unknown("unrecognised", name="linux/ss-listen.txt", line=line)
        out.append((host.split("%")[0].strip("[]"), int(port)))
    return out


def _exposed(cap: Capture, ports: set[int]) -> list[str]:
    loopback = ("127.", "::1", "::ffff:127.", "localhost")
    return sorted({f"{h}:{p}" for h, p in _listening(cap) if p in ports and not h.startswith(loopback)})


@rule("remote_desktop_off", "linux", sources=["linux/ss-listen.txt"])
def remote_desktop_off(cap: Capture, limits, as_of):
    found = _exposed(cap, REMOTE_DESKTOP_PORTS)
    return ("fail" if found else "pass"), {"listening": found}


@rule("file_sharing_off", "linux", sources=["linux/ss-listen.txt"])
def file_sharing_off(cap: Capture, limits, as_of):
    found = _exposed(cap, FILE_SHARING_PORTS)
    return ("fail" if found else "pass"), {"listening": found}


@rule("smb1_off", "linux", sources=["linux/ss-listen.txt", "linux/samba.txt"])
def smb1_off(cap: Capture, limits, as_of):
    """No SMB server listening passes; a Samba server passes when its lowest dialect (`server min protocol`,
    defaults included, from testparm) is SMB2 or newer."""
    found = _exposed(cap, SMB_PORTS)
    if not found:
        return "pass", {"smb_server": False}
    try:
        dialect = cap.text("linux/samba.txt").splitlines()[-1].strip().upper()
    except Unknown:
        dialect = ""
    if dialect in SMB1_DIALECTS:
        return "fail", {"smb_server": True, "server_min_protocol": dialect}
    if re.fullmatch(r"SMB[23](_\d\d)?", dialect):
        return "pass", {"smb_server": True, "server_min_protocol": dialect}
    raise Unknown("no_smb_dialect", ports=", ".join(found), name="linux/samba.txt")


@rule("wifi_security", "linux", sources=["linux/wifi.txt"])
def wifi_security(cap: Capture, limits, as_of):
    """`nmcli` lines of the active Wi-Fi network (ACTIVE:SECURITY, no network names)."""
    text = cap.whole("linux/wifi.txt")
    if text.startswith("nmcli: not installed"):
        raise Unknown("not_installed", tool="nmcli (NetworkManager)",
            detail=("no other Wi-Fi source is read", "他の Wi-Fi の情報源は読み取りません"))
    if text.startswith("nmcli failed"):
        raise Unknown("failed", name="linux/wifi.txt", exit="nmcli", first=text[13:80])
    if text == "no active Wi-Fi":
        return "pass", {"connected": False}
    lines = text.splitlines()
    if not lines or not all(line.startswith("yes:") for line in lines):
        raise Unknown("shape", name="linux/wifi.txt", detail=("not the active network's nmcli line",
                      "接続中のネットワークを示す nmcli の行ではありません"))
    return wifi_verdict([line.split(":", 1)[1] for line in lines])
