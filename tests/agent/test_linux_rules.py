"""Linux rules at the edges mutation testing found untested: nftables input chains and dm-crypt roots."""

from __future__ import annotations

import json

import pytest

from .test_rules import LINUX_GOOD, run

UFW_INACTIVE = "Status: inactive\n"


def nft(*chains: str) -> str:
    return "table inet filter {\n" + "".join(chains) + "}\n"


def chain(name: str, head: str, *rules: str) -> str:
    return f"\tchain {name} {{\n\t\t{head}\n" + "".join(f"\t\t{r}\n" for r in rules) + "\t}\n"


def firewall(ruleset: str) -> dict:
    return run("linux", {**LINUX_GOOD, "linux/ufw.txt": UFW_INACTIVE, "linux/nft.txt": ruleset})["firewall"]


@pytest.mark.parametrize(("ruleset", "verdict", "nft_input"), [
    (nft(chain("input", "type filter hook input priority 0; policy drop;", "ct state established accept")),
     "pass", "drop"),
    (nft(chain("filter_INPUT", "type filter hook input priority 10; policy accept;", "ct state established accept",
               "reject with icmpx admin-prohibited", "# firewalld writes this chain")),  # the comment is not a rule
     "pass", "reject"),
    (nft(chain("input", "type filter hook input priority 0; policy accept;", "tcp dport 22 accept")),
     "fail", "accept"),
    (nft(chain("input", "type filter hook input priority 0;", "tcp dport 22 accept")),  # no policy: accept
     "fail", "accept"),
    (nft(chain("output", "type filter hook output priority 0; policy drop;")),  # not the input hook
     "fail", "accept"),
    (nft(chain("input", "type filter hook input priority 0; policy accept;"),
         chain("input2", "type filter hook input priority 5; policy drop;")),  # any input base chain that drops
     "pass", "drop"),
])
def test_an_nftables_input_chain_decides_the_firewall_when_ufw_is_off(ruleset, verdict, nft_input):
    result = firewall(ruleset)
    assert result["verdict"] == verdict
    assert result["evidence"] == {"ufw": "inactive", "nft_input": nft_input}


def lsblk(*devices: dict) -> str:
    return json.dumps({"blockdevices": list(devices)})


def test_a_root_on_plain_dm_crypt_counts_as_encrypted():
    """Plain dm-crypt has no LUKS header: the partition shows no crypto_LUKS, only the mapped device is "crypt"."""
    plain = lsblk({"name": "sda", "type": "disk", "children": [
        {"name": "sda2", "type": "part", "fstype": None, "children": [
            {"name": "cryptroot", "type": "crypt", "fstype": None, "children": [
                {"name": "vg-root", "type": "lvm", "fstype": "ext4", "mountpoints": ["/"]}]}]}]})
    result = run("linux", {**LINUX_GOOD, "linux/lsblk.json": plain})["disk_encryption"]
    assert result["verdict"] == "pass" and result["evidence"] == {"root_device": "vg-root", "encrypted": True}
    clear = lsblk({"name": "sda", "type": "disk", "children": [
        {"name": "sda2", "type": "part", "fstype": "ext4", "mountpoints": ["/"]}]})
    result = run("linux", {**LINUX_GOOD, "linux/lsblk.json": clear})["disk_encryption"]
    assert result["verdict"] == "fail" and result["evidence"] == {"root_device": "sda2", "encrypted": False}


def test_a_block_device_that_is_not_an_object_is_unknown_and_says_so():
    result = run("linux", {**LINUX_GOOD, "linux/lsblk.json": lsblk("sda")})["disk_encryption"]
    assert result["verdict"] == "unknown"
    assert "linux/lsblk.json" in result["reason"] and "a block device is not an object" in result["reason"]


def test_a_blank_line_in_the_socket_list_does_not_hide_the_listeners_after_it():
    ss = ("tcp LISTEN 0 128 127.0.0.1:631 0.0.0.0:*\n\n"
          "tcp LISTEN 0 5 0.0.0.0:3389 0.0.0.0:* users:((\"xrdp\",pid=2,fd=3))\n")
    result = run("linux", {**LINUX_GOOD, "linux/ss-listen.txt": ss})["remote_desktop_off"]
    assert result["verdict"] == "fail" and result["evidence"] == {"listening": ["0.0.0.0:3389"]}


@pytest.mark.parametrize("line", ["Cannot open netlink socket: Permission denied", "tcp LISTEN 0 5 0.0.0.0:rdp 0.0.0.0:*"])
def test_a_socket_line_that_is_not_understood_is_unknown_and_quoted(line):
    result = run("linux", {**LINUX_GOOD, "linux/ss-listen.txt": line + "\n"})["remote_desktop_off"]
    assert result["verdict"] == "unknown"
    assert "linux/ss-listen.txt" in result["reason"] and line[:20] in result["reason"]


@pytest.mark.parametrize("local", ["127.0.0.1:3389", "[::1]:3389", "[::ffff:127.0.0.1]:3389", "localhost:3389"])
def test_a_remote_desktop_port_on_loopback_only_is_not_exposed(local):
    ss = f"tcp LISTEN 0 5 {local} 0.0.0.0:*\n"
    assert run("linux", {**LINUX_GOOD, "linux/ss-listen.txt": ss})["remote_desktop_off"]["verdict"] == "pass"
