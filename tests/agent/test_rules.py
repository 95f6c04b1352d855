"""Replay tests over real-format outputs of every source, including hostile input, on all three OSes."""

import datetime as dt
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from tebiki.agent.engine import status_line
from tebiki.agent.rules import CHECK_IDS, decode, evaluate
from tebiki.cli import app

AS_OF = dt.date(2026, 11, 1)

# `netsh wlan show interfaces` on an English Windows 11 (network names replaced)
WLAN_EN = """
There is 1 interface on the system:

    Name                   : Wi-Fi
    Description            : Intel(R) Wi-Fi 6 AX201 160MHz
    GUID                   : 6b1e3c1a-2f1d-4c55-9d7e-0a1b2c3d4e5f
    Physical address       : 12:34:56:78:9a:bc
    Interface type         : Primary
    State                  : connected
    SSID                   : home-net
    AP BSSID               : 9a:bc:de:f0:12:34
    Band                   : 5 GHz
    Channel                : 36
    Network type           : Infrastructure
    Radio type             : 802.11ax
    Authentication         : WPA2-Personal
    Cipher                 : CCMP
    Connection mode        : Auto Connect
    Receive rate (Mbps)    : 1201
    Transmit rate (Mbps)   : 1201
    Signal                 : 92%
    Profile                : home-net

    Hosted network status  : Not available
"""

WIN_GOOD = {
    "windows/bitlocker.json": '{"MountPoint":"C:","VolumeStatus":1,"ProtectionStatus":1,"EncryptionPercentage":100,'
                              '"EncryptionMethod":6}',
    "windows/defender.json": '{"AntivirusEnabled":true,"RealTimeProtectionEnabled":true,'
                             '"AntivirusSignatureLastUpdated":"\\/Date(1793404800000)\\/"}',
    "windows/firewall.json": '[{"Name":"Domain","Enabled":1,"DefaultInboundAction":4},'
                             '{"Name":"Private","Enabled":1,"DefaultInboundAction":4},'
                             '{"Name":"Public","Enabled":1,"DefaultInboundAction":4}]',
    "windows/rdp.json": '{"fDenyTSConnections":1}',
    "windows/smb.json": '{"EnableSMB1Protocol":false,"EnableSMB2Protocol":true}',
    "windows/os.json": '{"Caption":"Microsoft Windows 11 Pro","Version":"10.0.26100","BuildNumber":"26100"}',
    "windows/hotfix.json": '[{"HotFixID":"KB5066835","InstalledOn":{"value":"\\/Date(1792022400000)\\/",'
                           '"DateTime":"2026年10月15日 0:00:00"}}]',
    "windows/screenlock.json": '{"InactivityTimeoutSecs":600,"ScreenSaveActive":"1","ScreenSaverIsSecure":"1",'
                               '"ScreenSaveTimeOut":"600"}',
    "windows/wlan.txt": WLAN_EN,
    "windows/shares.json": '[\r\n    {\r\n        "Name":  "ADMIN$",\r\n        "Special":  true,\r\n'
                           '        "ShareType":  0\r\n    },\r\n    {\r\n        "Name":  "C$",\r\n'
                           '        "Special":  true,\r\n        "ShareType":  0\r\n    },\r\n    {\r\n'
                           '        "Name":  "IPC$",\r\n        "Special":  true,\r\n        "ShareType":  2\r\n'
                           '    }\r\n]',
}
MAC_GOOD = {
    "macos/fdesetup.txt": "FileVault is On.\n",
    "macos/socketfilterfw.txt": "Firewall is enabled. (State = 1)\n",
    "macos/softwareupdate.txt": "Software Update Tool\n\nFinding available software\nNo new software available.\n",
    "macos/sw_vers.txt": "ProductName:\t\tmacOS\nProductVersion:\t\t15.1\n",
    "macos/screenlock.txt": "2026-11-01 10:00:00.000 sysadminctl[123:456] screenLock delay is 60 seconds\nidleTime=300\n",
    "macos/sharing.txt": 'disabled services = {\n\t"com.apple.screensharing" => disabled\n'
                         '\t"com.apple.smbd" => disabled\n}\n',
}
LINUX_GOOD = {
    "linux/lsblk.json": json.dumps({"blockdevices": [{"name": "nvme0n1", "type": "disk", "fstype": None,
        "mountpoint": None, "children": [
            {"name": "nvme0n1p1", "type": "part", "fstype": "vfat", "mountpoint": "/boot/efi"},
            {"name": "nvme0n1p2", "type": "part", "fstype": "crypto_LUKS", "mountpoint": None, "children": [
                {"name": "root", "type": "crypt", "fstype": "ext4", "mountpoint": "/"}]}]}]}),
    "linux/ufw.txt": "Status: active\nLogging: on (low)\nDefault: deny (incoming), allow (outgoing)\n",
    "linux/nft.txt": "",
    "linux/os-release.txt": 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n',
    "linux/apt-upgradable.txt": "Listing...\n",
    "linux/gsettings-lock.txt": "session=wayland desktop=GNOME\ntrue\nuint32 300\nuint32 30\n",
    "linux/ss-listen.txt": "tcp LISTEN 0 128 127.0.0.1:631 0.0.0.0:* users:((\"cupsd\",pid=1,fd=7))\n"
                           "udp UNCONN 0 0 0.0.0.0:5353 0.0.0.0:*\n",
    "linux/clamav.txt": "ClamAV 1.0.7/27440/Thu Oct 30 09:31:02 2026\n",
    "linux/samba.txt": "SMB2_02\n",
    "linux/wifi.txt": "yes:WPA2 WPA3\n",
}


def with_status(os_name, files):
    """The files as a capture holds them: bytes, with an exit-status file saying every command ran (exit 0)."""
    files = {k: v.encode() if isinstance(v, str) else v for k, v in files.items()}
    name = f"{os_name}/exit-status.txt"
    if name not in files:
        files[name] = "".join(status_line(k.split("/", 1)[1], v, 0, False) + "\n" for k, v in files.items()).encode()
    return files


def run(os_name, files):
    return evaluate(os_name, with_status(os_name, files), AS_OF)["checks"]


def verdicts(os_name, files):
    return {k: v["verdict"] for k, v in run(os_name, files).items()}


def test_a_well_kept_windows_pc_passes_everything():
    assert set(verdicts("windows", WIN_GOOD).values()) == {"pass"}


@pytest.mark.parametrize(("shares", "names"), [
    ('{"Name":"Users","Special":false,"ShareType":0}', ["Users"]),  # one share: ConvertTo-Json gives an object
    ('[{"Name":"IPC$","Special":true,"ShareType":2},{"Name":"print$","Special":false,"ShareType":0},'
     '{"Name":"営業資料","Special":false,"ShareType":0}]', ["print$", "営業資料"]),
])
def test_a_windows_pc_sharing_folders_or_printers_fails_and_names_the_shares(shares, names):
    result = run("windows", {**WIN_GOOD, "windows/shares.json": shares})["file_sharing_off"]
    assert result["verdict"] == "fail" and result["evidence"] == {"shares": names, "share_count": len(names)}
    cp932 = run("windows", {**WIN_GOOD, "windows/shares.json": shares.encode("cp932")})["file_sharing_off"]
    assert cp932["evidence"]["shares"] == names


def test_windows_shares_without_names_or_flags_are_unknown():
    for shares in ('[{"Special":true}]', '[{"Name":"C$","Special":"maybe"}]', "[]", '"IPC$"'):
        result = run("windows", {**WIN_GOOD, "windows/shares.json": shares})["file_sharing_off"]
        assert result["verdict"] == "unknown" and result["reason"], shares


@pytest.mark.parametrize(("output", "verdict", "evidence"), [
    ("ClamAV 1.0.7/27440/Thu Oct 30 09:31:02 2026\n", "pass",
     {"engine": "1.0.7", "signatures": 27440, "signature_age_days": 2}),
    ("ClamAV 0.103.11/26950/Sat Jul  4 08:20:11 2026\n", "fail",
     {"engine": "0.103.11", "signatures": 26950, "signature_age_days": 120}),
    ("ClamAV 1.0.7\n", "fail", {"engine": "1.0.7", "signatures": None}),  # installed, no signature database
])
def test_linux_antivirus_is_clamav_with_fresh_signatures(output, verdict, evidence):
    result = run("linux", {**LINUX_GOOD, "linux/clamav.txt": output})["antivirus"]
    assert (result["verdict"], result["evidence"]) == (verdict, evidence)


@pytest.mark.parametrize("output", ["", "sh: 1: clamscan: not found\n", "ClamAV 1.0.7/27440/yesterday\n"])
def test_linux_without_a_readable_clamav_answer_is_unknown_not_fail(output):
    result = run("linux", {**LINUX_GOOD, "linux/clamav.txt": output})["antivirus"]
    assert result["verdict"] == "unknown" and result["reason"]


@pytest.mark.parametrize(("name", "bad", "check"), [
    ("windows/bitlocker.json", '{"VolumeStatus":0,"ProtectionStatus":0}', "disk_encryption"),
    ("windows/firewall.json", '[{"Name":"Public","Enabled":0}]', "firewall"),
    ("windows/rdp.json", '{"fDenyTSConnections":0}', "remote_desktop_off"),
    ("windows/smb.json", '{"EnableSMB1Protocol":true}', "smb1_off"),
    ("windows/screenlock.json", '{"InactivityTimeoutSecs":1800,"ScreenSaveActive":null,"ScreenSaverIsSecure":null,'
                                '"ScreenSaveTimeOut":null}', "screen_lock"),
    ("windows/defender.json", '{"AntivirusEnabled":true,"RealTimeProtectionEnabled":false,'
                              '"AntivirusSignatureLastUpdated":"2026-10-31T00:00:00"}', "antivirus"),
])
def test_a_bad_windows_setting_fails_with_a_fix(name, bad, check):
    result = run("windows", {**WIN_GOOD, name: bad})[check]
    assert result["verdict"] == "fail"
    assert result["fix"]["ja"] and result["fix"]["en"] and result["measures"]


def test_signature_and_update_age_follow_as_of():
    files = {k: v.encode() for k, v in WIN_GOOD.items()}
    later = evaluate("windows", files, dt.date(2027, 3, 1))["checks"]
    assert later["antivirus"]["verdict"] == "fail" and later["os_updates"]["verdict"] == "fail"


def test_windows_output_in_utf16_with_bom_and_japanese_locale_reads_the_same():
    files = dict(WIN_GOOD)
    files["windows/hotfix.json"] = b"\xff\xfe" + WIN_GOOD["windows/hotfix.json"].encode("utf-16-le")
    files["windows/firewall.json"] = b"\xef\xbb\xbf" + WIN_GOOD["windows/firewall.json"].encode()
    assert verdicts("windows", files) == verdicts("windows", WIN_GOOD)


def test_cp932_is_decoded():
    assert decode("ファイアウォール".encode("cp932")) == "ファイアウォール"


def test_macos_good_and_bad():
    assert verdicts("macos", MAC_GOOD)["disk_encryption"] == "pass"
    assert verdicts("macos", MAC_GOOD)["remote_desktop_off"] == "pass"
    bad = {**MAC_GOOD, "macos/fdesetup.txt": "FileVault is Off.\n", "macos/screenlock.txt": "screenLock is off\n",
           "macos/softwareupdate.txt": "Software Update found the following new or updated software:\n"
                                       "* Label: macOS Sequoia 15.1.1-24B91\n",
           "macos/sharing.txt": 'disabled services = {\n\t"com.apple.screensharing" => enabled\n'
                                '\t"com.apple.smbd" => enabled\n}\n'}
    v = verdicts("macos", bad)
    assert [v[c] for c in ("disk_encryption", "screen_lock", "os_updates", "remote_desktop_off",
                           "file_sharing_off")] == ["fail"] * 5


def test_linux_luks_root_ufw_and_loopback_only_services_pass():
    v = verdicts("linux", LINUX_GOOD)
    for check in ("disk_encryption", "firewall", "antivirus", "os_updates", "screen_lock", "remote_desktop_off",
                  "file_sharing_off"):
        assert v[check] == "pass", check


def test_linux_exposed_services_and_security_updates_fail():
    bad = {**LINUX_GOOD,
           "linux/ss-listen.txt": "tcp LISTEN 0 50 0.0.0.0:445 0.0.0.0:*\ntcp LISTEN 0 5 *:3389 *:*\n",
           "linux/apt-upgradable.txt": "Listing...\nopenssl/stable-security 3.0.15-1~deb12u1 amd64 "
                                       "[upgradable from: 3.0.14-1~deb12u2]\n",
           "linux/ufw.txt": "Status: inactive\n",
           "linux/nft.txt": ("table inet filter {\n\tchain input {\n"
                             "\t\ttype filter hook input priority 0; policy accept;\n\t}\n}\n")}
    v = verdicts("linux", bad)
    assert v["file_sharing_off"] == v["remote_desktop_off"] == v["os_updates"] == v["firewall"] == "fail"
    assert v["smb1_off"] == "pass"  # Samba listens, with its default lowest dialect SMB2_02
    del bad["linux/samba.txt"]
    assert verdicts("linux", bad)["smb1_off"] == "unknown"  # testparm's answer was not captured


@pytest.mark.parametrize(("samba", "verdict"), [
    ("SMB2_02\n", "pass"),  # Samba's default since 4.11
    ("SMB3\n", "pass"),
    ("NT1\n", "fail"),
    ("LANMAN1\n", "fail"),
    ("Load smb config files from /etc/samba/smb.conf\nWARNING: Ignoring invalid value 'bogus' for parameter "
     "'server min protocol'\nError loading services.\n", "unknown"),
    ("", "unknown"),
])
def test_a_listening_samba_server_is_judged_by_its_lowest_dialect(samba, verdict):
    files = {**LINUX_GOOD, "linux/ss-listen.txt": "tcp LISTEN 0 50 0.0.0.0:445 0.0.0.0:* users:((\"smbd\",pid=9,fd=3))\n",
             "linux/samba.txt": samba}
    result = run("linux", files)["smb1_off"]
    assert result["verdict"] == verdict
    if verdict != "unknown":
        assert result["evidence"]["server_min_protocol"] == samba.strip()


@pytest.mark.parametrize("content", ["", "   ", "{", "[1, 2", "garbage \x00\x01", "null", "[]", "{\"a\": 1}"])
@pytest.mark.parametrize("os_name,good", [("windows", WIN_GOOD), ("macos", MAC_GOOD), ("linux", LINUX_GOOD)])
def test_hostile_input_gives_unknown_with_a_reason_never_a_crash(os_name, good, content):
    for name in good:
        result = run(os_name, {**good, name: content})
        for check in result.values():
            assert check["verdict"] in ("pass", "fail", "unknown")
            if check["verdict"] == "unknown":
                assert check["reason"]


def test_missing_files_are_unknown():
    assert set(verdicts("windows", {}).values()) == {"unknown"}
    assert set(verdicts("macos", {}).values()) == {"unknown"}


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300), st.sampled_from(sorted(WIN_GOOD)))
def test_random_bytes_never_crash(blob, name):
    checks = evaluate("windows", {**{k: v.encode() for k, v in WIN_GOOD.items()}, name: blob}, AS_OF)["checks"]
    assert set(checks) == set(CHECK_IDS)


def test_replay_cli_prints_the_contract_and_exit_status(tmp_path):
    for name, data in with_status("windows", WIN_GOOD).items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    runner = CliRunner()
    result = runner.invoke(app, ["check", "--replay", str(tmp_path), "--as-of", "2026-11-01", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["os"] == "windows" and data["checks"]["disk_encryption"]["verdict"] == "pass"
    (tmp_path / "windows" / "rdp.json").write_text('{"fDenyTSConnections":0}', encoding="utf-8")
    assert runner.invoke(app, ["check", "--replay", str(tmp_path), "--as-of", "2026-11-01"]).exit_code == 1
    assert runner.invoke(app, ["check", "--replay", str(tmp_path / "nope")]).exit_code == 2
    assert runner.invoke(app, ["check", "--as-of", "yesterday"]).exit_code == 2


def test_live_check_runs_on_this_machine(tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["check", "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    assert set(json.loads(result.stdout)["checks"]) == set(CHECK_IDS)
    assert runner.invoke(app, ["check", "--capture", str(tmp_path / "cap")]).exit_code == 0
    assert (tmp_path / "cap" / "linux" / "lsblk.json").exists()


def wifi(os_name, text, encoding="utf-8"):
    name = {"windows": "windows/wlan.txt", "linux": "linux/wifi.txt"}[os_name]
    good = {"windows": WIN_GOOD, "linux": LINUX_GOOD}[os_name]
    return run(os_name, {**good, name: text.encode(encoding)})["wifi_security"]


@pytest.mark.parametrize(("auth", "verdict"), [
    ("WPA2-Personal", "pass"), ("WPA3-Personal", "pass"), ("WPA2-Enterprise", "pass"),
    ("WPA-Personal", "fail"), ("Open", "fail"), ("WEP", "fail"),
])
def test_windows_wifi_follows_the_connected_interfaces_authentication(auth, verdict):
    result = wifi("windows", WLAN_EN.replace("WPA2-Personal", auth))
    assert result["verdict"] == verdict and result["evidence"] == {"connected": True, "security": [auth]}
    assert "home-net" not in json.dumps(result)  # the network's name is not kept


def test_windows_wifi_reads_a_japanese_netsh_in_cp932():
    ja = ("\r\nシステムに 1 つのインターフェイスがあります:\r\n\r\n    名前                   : Wi-Fi\r\n"
          "    状態                   : 接続されました\r\n    SSID                   : home-net\r\n"
          "    認証                   : WPA2-パーソナル\r\n    暗号                   : CCMP\r\n")
    assert wifi("windows", ja, "cp932")["verdict"] == "pass"
    assert wifi("windows", ja.replace("WPA2-パーソナル", "オープン"), "cp932")["verdict"] == "fail"
    off = "\r\n    名前                   : Wi-Fi\r\n    状態                   : 切断されました\r\n"
    assert wifi("windows", off, "cp932")["evidence"] == {"connected": False}


def test_a_windows_pc_without_wifi_passes_and_garbage_is_unknown():
    assert wifi("windows", "The Wireless AutoConfig Service (wlansvc) is not running.\n")["verdict"] == "pass"
    assert wifi("windows", "There is 1 interface on the system:\n    State : disconnected\n")["verdict"] == "pass"
    for text in ("garbage", "Authentication : Quantum-Safe-9000\n"):
        result = wifi("windows", text)
        assert result["verdict"] == "unknown" and result["reason"], text


@pytest.mark.parametrize(("text", "verdict"), [
    ("yes:WPA2\n", "pass"), ("yes:WPA3\n", "pass"), ("yes:WPA2 802.1X\n", "pass"),
    ("yes:WPA1 WPA2\n", "fail"),  # the router still offers the first WPA
    ("yes:WEP\n", "fail"), ("yes:\n", "fail"),  # an open network
    ("no active Wi-Fi\n", "pass"),
    ("nmcli: not installed\n", "unknown"), ("nmcli failed: Error: NetworkManager is not running.\n", "unknown"),
    ("", "unknown"),
])
def test_linux_wifi_from_nmcli(text, verdict):
    assert wifi("linux", text)["verdict"] == verdict



def test_the_powershell_capture_keeps_only_the_wifi_lines_the_rule_reads():
    """capture.ps1 filters netsh's output with a regex (written with \\u escapes, as the script is ASCII):
    applied here to English and Japanese output, it drops names and addresses and the verdict is unchanged."""
    import re
    from pathlib import Path

    import tebiki.agent

    script = (Path(tebiki.agent.__file__).parent / "scripts" / "capture.ps1").read_text(encoding="ascii")
    pattern = re.search(r'"wlan\.txt".*?-Pattern \'([^\']+)\'', script)[1]
    ja = ("    名前                   : Wi-Fi\r\n    状態                   : 接続されました\r\n"
          "    SSID                   : home-net\r\n    物理アドレス           : 12:34:56:78:9a:bc\r\n"
          "    認証                   : WPA-パーソナル\r\n")
    for text, verdict in ((WLAN_EN, "pass"), (ja, "fail")):
        kept = "\n".join(line for line in text.splitlines() if re.search(pattern, line))
        assert "home-net" not in kept and "12:34:56" not in kept and "Wi-Fi" not in kept
        assert wifi("windows", kept)["verdict"] == verdict == wifi("windows", text)["verdict"]
