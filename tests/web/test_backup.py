"""`tebiki backup` / `tebiki restore`: a round trip gives back the same state; a doubtful archive changes nothing.

Written with the normal database fixtures only, so it runs on SQLite and on PostgreSQL (DATABASE_URL).
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.db import transaction
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from typer.testing import CliRunner

from tebiki.cli import app
from tebiki.web import backup
from tebiki.web.accounts.models import User
from tebiki.web.assessments.models import Evidence, ItemRecord
from tebiki.web.assessments.service import save_item
from tebiki.web.audit.models import AuditEntry
from tebiki.web.devices.models import CheckResult, Device, EnrolmentToken
from tebiki.web.orgs.models import Invitation, Organisation, Role

from .conftest import PASSWORD
from .test_devices import post, report
from .test_evidence import upload

runner = CliRunner()


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def snapshot(media: Path) -> tuple[list[dict], dict[str, bytes]]:
    return backup.canonical_dump(), files(media)


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "data" / "uploads"
    return settings.MEDIA_ROOT


@pytest.fixture
def state(cast, media):
    """Two organisations with members in every role, records and their history, evidence on disk, invitations,
    an enrolment token with a reporting device, MFA devices with recovery codes and a sign-in in the audit log."""
    admin = cast.client(cast.admin)
    for user in (cast.executive, cast.consultant, cast.worker):
        cast.client(user)
    save_item(cast.org, "mic-v5:admin:A-1", "organisation", {"status": "done", "decision": "done"}, cast.admin)
    save_item(cast.org, "mic-v5:admin:A-2", "organisation", {"status": "not_done", "decision": "will_do",
              "owner": "情報システム課", "deadline": dt.date(2027, 3, 31)}, cast.executive)
    save_item(cast.other, "mic-v5:admin:A-1", "organisation", {"status": "partly"}, cast.outsider)
    upload(admin, cast.org, "規程.pdf", b"%PDF-1.7 rules of the house")
    upload(admin, cast.org, "scan.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    Invitation.issue(cast.org, "new@test.example", Role.WORKER, cast.admin)
    _, secret = EnrolmentToken.issue(cast.org, "ノートPC", cast.admin)
    assert post(secret, report()).status_code == 201
    recovery = StaticDevice.objects.create(user=cast.admin, name="recovery", confirmed=True)
    StaticToken.objects.create(device=recovery, token="abcd1234")
    Client().post("/accounts/login/", {"username": cast.worker.email, "password": PASSWORD})
    assert Evidence.objects.count() == 2 and Device.objects.count() == 1 and CheckResult.objects.exists()
    assert AuditEntry.objects.count() >= 6 and len(files(media)) == 2
    return cast


def make_backup(path: Path) -> Path:
    r = runner.invoke(app, ["backup", str(path)])
    assert r.exit_code == 0, r.output
    return path


def assert_restored(before: tuple, media: Path) -> None:
    """The state equals *before* except for the one entry the restore appended, which continues the chain."""
    dump, stored = snapshot(media)
    restore_entry = AuditEntry.objects.order_by("-seq").first()
    assert restore_entry.action == "backup.restore"
    head_before = next(o for o in before[0] if o["model"] == "audit.audithead")
    assert restore_entry.prev_hash == head_before["fields"]["hash"]
    assert restore_entry.seq == head_before["fields"]["seq"] + 1

    def without_restore(objs):
        return [o for o in objs if o["model"] != "audit.audithead"
                and not (o["model"] == "audit.auditentry" and o["fields"]["action"] == "backup.restore")]

    assert without_restore(dump) == without_restore(before[0])
    assert stored == before[1]
    verified = runner.invoke(app, ["audit", "verify", "--format", "json"])
    assert verified.exit_code == 0 and json.loads(verified.stdout)["intact"] is True


def test_a_round_trip_into_an_empty_installation_restores_an_identical_state(state, media, tmp_path):
    before = snapshot(media)
    archive = make_backup(tmp_path / "tebiki.tar.gz")
    assert archive.stat().st_mode & 0o077 == 0  # password hashes and MFA secrets inside
    with transaction.atomic():
        backup._clear("default")
    shutil.rmtree(media)
    assert not backup.has_data()

    r = runner.invoke(app, ["restore", str(archive), "--format", "json"])

    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["files"] == 2 and out["audit_intact"] is True
    assert_restored(before, media)
    ev = Evidence.objects.get(original_name="規程.pdf")
    page = state.client(state.viewer).get(f"/o/{state.org.id}/evidence/{ev.key}/")
    assert b"".join(page.streaming_content) == b"%PDF-1.7 rules of the house"


def test_restore_with_force_replaces_a_changed_state(state, media, tmp_path):
    before = snapshot(media)
    archive = make_backup(tmp_path / "tebiki.tar.gz")
    save_item(state.org, "mic-v5:admin:A-3", "organisation", {"status": "done", "decision": "done"}, state.admin)
    Organisation.objects.create(name="後から来た会社")
    Evidence.objects.first().file.delete(save=False)
    (media / "stray.txt").write_bytes(b"not in the backup")

    r = runner.invoke(app, ["restore", str(archive), "--force"])

    assert r.exit_code == 0, r.output
    assert_restored(before, media)
    assert not ItemRecord.objects.filter(item="mic-v5:admin:A-3").exists()


def test_a_restore_moves_every_evidence_revision_past_any_before_it(state, media, tmp_path):
    """The revision keys the dashboards servers keep (orgs.evidence): it is not in the archive, and a restore sets it
    above what any organisation had, so a kept page of the replaced state is never shown for the restored one."""
    archive = make_backup(tmp_path / "tebiki.tar.gz")
    assert all("evidence_revision" not in o["fields"] for o in backup.canonical_dump() if o["model"] == "orgs.organisation")
    Device.objects.update(hostname="改名")  # the state the archive replaces moves on
    highest = max(Organisation.objects.values_list("evidence_revision", flat=True))
    assert runner.invoke(app, ["restore", str(archive), "--force"]).exit_code == 0
    restored = list(Organisation.objects.values_list("evidence_revision", flat=True))
    assert len(restored) == 2 and min(restored) > highest
    assert Device.objects.get().hostname != "改名"


def test_the_restored_database_accepts_new_rows(state, media, tmp_path):
    archive = make_backup(tmp_path / "tebiki.tar.gz")
    assert runner.invoke(app, ["restore", str(archive), "--force"]).exit_code == 0
    # sequences continue after the restored ids (PostgreSQL would raise IntegrityError otherwise)
    org = Organisation.objects.create(name="新しい会社")
    assert org.id > state.other.id
    save_item(state.org, "mic-v5:admin:A-4", "organisation", {"status": "done", "decision": "done"}, state.admin)
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0


def test_restore_signs_everyone_out(state, media, tmp_path):
    archive = make_backup(tmp_path / "tebiki.tar.gz")
    signed_in = state.client(state.admin)
    assert signed_in.get(f"/o/{state.org.id}/").status_code == 200
    assert runner.invoke(app, ["restore", str(archive), "--force"]).exit_code == 0
    assert signed_in.get(f"/o/{state.org.id}/").status_code == 302


def test_the_manifest_records_versions_and_a_hash_per_member(state, media, tmp_path):
    archive = make_backup(tmp_path / "tebiki.tar.gz")
    manifest, members = read_archive(archive)
    assert manifest["format"] == "tebiki-backup" and manifest["format_version"] == 2
    assert manifest["tebiki_version"] and manifest["created_at"] and manifest["migrations"]
    assert [m["name"] for m in manifest["members"]] == [name for name, _ in members]
    for m, (_, data) in zip(manifest["members"], members, strict=True):
        assert m["sha256"] == hashlib.sha256(data).hexdigest() and m["size"] == len(data)
    assert not any(o["model"] == "sessions.session" for o in json.loads(dict(members)["db.json"]))


def test_backup_will_not_overwrite_a_file_without_force(state, media, tmp_path):
    target = tmp_path / "exists.tar.gz"
    target.write_bytes(b"keep me")
    assert runner.invoke(app, ["backup", str(target)]).exit_code == 2
    assert target.read_bytes() == b"keep me"
    assert runner.invoke(app, ["backup", str(tmp_path / "no" / "such" / "dir.tar.gz")]).exit_code == 2


# ------------------------------------------------------------------------------------------- refusals


def read_archive(path: Path) -> tuple[dict, list[tuple[str, bytes]]]:
    """The manifest and the members it lists (the manifest's HMAC left out)."""
    with tarfile.open(path, "r:gz") as tar:
        members = [(m.name, tar.extractfile(m).read()) for m in tar.getmembers()]
    assert [n for n, _ in members[:2]] == ["manifest.json", "manifest.hmac"]
    return json.loads(members[0][1]), members[2:]


def write_archive(path: Path, manifest: dict, members: list[tuple[str, bytes]], *, seal: bool = True,
                  links: list[str] = (), key: bytes | None | bool = True, mac: bytes | None = None) -> Path:
    """An archive as a broken disk or someone holding the backup key would make it (*key* True: this server's key;
    None: no HMAC at all; *mac*: this manifest.hmac as it is); *seal* recomputes the manifest's sums."""
    if seal:
        manifest = {**manifest, "members": [{"name": n, "size": len(d), "sha256": hashlib.sha256(d).hexdigest()}
                                            for n, d in members] + [{"name": n, "size": 0,
                                                                     "sha256": hashlib.sha256(b"").hexdigest()}
                                                                    for n in links]}
    body = json.dumps(manifest).encode()
    key = backup.backup_key() if key is True else key
    sig = [("manifest.hmac", mac)] if mac else [] if key is None else [("manifest.hmac", backup.signature(key, body))]
    with tarfile.open(path, "w:gz") as tar:
        for name, data in [("manifest.json", body), *sig, *members]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for name in links:
            info = tarfile.TarInfo(name)
            info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
            tar.addfile(info)
    return path


@pytest.fixture
def good(state, media, tmp_path):
    """A valid archive of the state, and the state after it changed (what a refused restore must leave alone)."""
    archive = make_backup(tmp_path / "good.tar.gz")
    save_item(state.org, "mic-v5:admin:A-3", "organisation", {"status": "done", "decision": "done"}, state.admin)
    return archive, read_archive(archive)


def refused(archive: Path, media: Path, *extra: str) -> str:
    before = snapshot(media)
    r = runner.invoke(app, ["restore", str(archive), "--force", *extra])
    assert r.exit_code == 2, r.output
    assert snapshot(media) == before, "a refused restore changed the stored state"
    assert not list(media.parent.glob(".tebiki-restore-*")), "staging left behind"
    return r.stderr


def test_it_refuses_an_unknown_format_version(good, media, tmp_path):
    _, (manifest, members) = good
    bad = write_archive(tmp_path / "v99.tar.gz", {**manifest, "format_version": 99}, members)
    assert "format version 99" in refused(bad, media)


@pytest.mark.parametrize("change", [{"rows": "many"}, {"created_at": None}, {"migrations": [1]},
                                    {"members": [{"name": "db.json"}]}, {"format": "other"}])
def test_it_refuses_a_malformed_manifest(good, media, tmp_path, change):
    _, (manifest, members) = good
    bad = write_archive(tmp_path / "odd.tar.gz", {**manifest, **change}, members, seal="members" not in change)
    refused(bad, media)


def test_it_refuses_a_member_changed_after_the_backup(good, media, tmp_path):
    _, (manifest, members) = good
    original = dict(members)["db.json"]
    db = original.replace(b'"role": "worker"', b'"role": "viewer"', 1)  # same size: only the hash can tell
    assert db != original and len(db) == len(original)
    evil = [(n, db if n == "db.json" else d) for n, d in members]
    bad = write_archive(tmp_path / "tampered.tar.gz", manifest, evil, seal=False)
    assert "SHA-256" in refused(bad, media)


def test_it_refuses_a_changed_evidence_file(good, media, tmp_path):
    _, (manifest, members) = good
    evil = [(n, d[:-1] + b"X" if n.startswith("files/") else d) for n, d in members]
    bad = write_archive(tmp_path / "tampered.tar.gz", manifest, evil, seal=False)
    assert "SHA-256" in refused(bad, media)


def test_it_refuses_a_truncated_archive(good, media, tmp_path):
    archive, _ = good
    data = archive.read_bytes()
    bad = tmp_path / "truncated.tar.gz"
    bad.write_bytes(data[: len(data) // 2])
    assert "damaged or truncated" in refused(bad, media)


def test_it_refuses_an_archive_with_a_member_missing(good, media, tmp_path):
    _, (manifest, members) = good
    bad = write_archive(tmp_path / "short.tar.gz", manifest, members[:-1], seal=False)
    assert "incomplete" in refused(bad, media)


def test_it_refuses_a_file_that_is_not_an_archive(good, media, tmp_path):
    bad = tmp_path / "notes.tar.gz"
    bad.write_bytes(b"just some text, not gzip")
    assert "damaged or truncated" in refused(bad, media)


@pytest.mark.parametrize("name", ["files/../../../etc/cron.d/evil", "/etc/passwd", "files/evidence/../../x",
                                  "files\\..\\x", "files/", "secret_key", "files/a\x00b"])
def test_it_refuses_unsafe_member_names(good, media, tmp_path, name):
    _, (manifest, members) = good
    bad = write_archive(tmp_path / "traversal.tar.gz", manifest, [*members, (name, b"owned")])
    refused(bad, media)
    assert not (tmp_path / "etc").exists() and not (media.parent / "x").exists()


def test_it_refuses_an_unsafe_name_even_when_the_manifest_lists_a_safe_one(good, media, tmp_path):
    _, (manifest, members) = good
    sealed = [*members, ("files/evidence/extra", b"owned")]
    bad_members = [*members, ("files/../extra", b"owned")]
    manifest = {**manifest, "members": [{"name": n, "size": len(d), "sha256": hashlib.sha256(d).hexdigest()}
                                        for n, d in sealed]}
    bad = write_archive(tmp_path / "swap.tar.gz", manifest, bad_members, seal=False)
    assert "unsafe member name" in refused(bad, media)


def test_it_refuses_links(good, media, tmp_path):
    _, (manifest, members) = good
    bad = write_archive(tmp_path / "link.tar.gz", manifest, members, links=["files/evidence/passwd"])
    assert "not a regular file" in refused(bad, media)


def test_it_refuses_a_member_the_manifest_does_not_list(good, media, tmp_path):
    _, (manifest, members) = good
    bad = write_archive(tmp_path / "extra.tar.gz", manifest, [*members, ("files/evidence/extra", b"x")], seal=False)
    assert "not listed in the manifest" in refused(bad, media)


def test_it_refuses_an_archive_over_the_size_limit(good, media, settings):
    archive, _ = good
    settings.BACKUP_MAX_BYTES = 1000
    assert "too large" in refused(archive, media)


def test_it_refuses_a_compression_bomb(good, media, tmp_path):
    _, (manifest, members) = good
    bomb = [*members, ("files/evidence/zeros", bytes(backup.RATIO_FLOOR + 1024 * 1024))]
    bad = write_archive(tmp_path / "bomb.tar.gz", manifest, bomb)
    assert bad.stat().st_size < 1024 * 1024
    assert "bomb" in refused(bad, media)


def test_it_refuses_a_backup_from_a_newer_tebiki(good, media, tmp_path):
    _, (manifest, members) = good
    newer = {**manifest, "migrations": [*manifest["migrations"], "assessments.9999_from_the_future"]}
    bad = write_archive(tmp_path / "newer.tar.gz", newer, members)
    assert "newer tebiki" in refused(bad, media)


def test_it_refuses_a_database_that_is_not_empty_without_force(good, media):
    archive, _ = good
    before = snapshot(media)
    r = runner.invoke(app, ["restore", str(archive)])
    assert r.exit_code == 2 and "--force" in r.stderr
    assert snapshot(media) == before


def test_it_rolls_back_when_the_database_content_cannot_be_loaded(good, media, tmp_path):
    _, (manifest, members) = good
    db = json.loads(dict(members)["db.json"])
    db.append({"model": "orgs.membership", "pk": 999999, "fields": {"user": ["nobody@nowhere.example"],
                                                                     "organisation": 1, "role": "admin"}})
    evil = [(n, json.dumps(db).encode() if n == "db.json" else d) for n, d in members]
    bad = write_archive(tmp_path / "dangling.tar.gz", manifest, evil)
    assert "could not" in refused(bad, media)


def test_it_refuses_a_database_that_is_not_migrated_yet(good, tmp_path):
    archive, _ = good
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["TEBIKI_DATA_DIR"] = str(tmp_path / "fresh")  # a new installation: an empty SQLite file
    cli = [sys.executable, "-c", "from tebiki.cli import app; app()"]
    r = subprocess.run([*cli, "restore", str(archive)], env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 2, r.stderr
    assert "not migrated" in r.stderr and not (tmp_path / "fresh" / "uploads").exists()


# ------------------------------------------------------------------------------------------- authentication

OLD_KEY, NEW_KEY = "old-key-" + "o" * 20, "new-key-" + "n" * 20


def made_superuser(db_json: bytes, email: str) -> bytes:
    rows = json.loads(db_json)
    [user] = [r for r in rows if r["model"] == "accounts.user" and r["fields"]["email"] == email]
    assert user["fields"]["is_superuser"] is False
    user["fields"].update(is_superuser=True, is_staff=True)
    return json.dumps(rows).encode()


@pytest.mark.parametrize("mac,message", [
    ("kept", "does not match its HMAC"),            # the original HMAC, of the original manifest
    (b"attacker's own key, long enough", "another key"),
    (None, "not authenticated"),
])
def test_an_archive_resealed_to_make_an_outsider_superuser_is_refused(good, media, tmp_path, mac, message):
    archive, (manifest, members) = good
    evil = [(n, made_superuser(d, "outsider@other.example") if n == "db.json" else d) for n, d in members]
    with tarfile.open(archive) as tar:
        genuine = tar.extractfile("manifest.hmac").read()
    bad = write_archive(tmp_path / "superuser.tar.gz", manifest, evil, key=None if mac == "kept" else mac,
                        mac=genuine if mac == "kept" else None)
    assert message in refused(bad, media)
    assert not User.objects.filter(email="outsider@other.example", is_superuser=True).exists()


def test_a_format_1_archive_without_an_hmac_is_refused(good, media, tmp_path):
    _, (manifest, members) = good
    old = write_archive(tmp_path / "v1.tar.gz", {**manifest, "format_version": 1}, members, key=None)
    assert "not authenticated" in refused(old, media)


def test_an_archive_of_another_key_is_refused_and_restores_with_that_key(state, media, tmp_path, settings):
    settings.BACKUP_KEY = OLD_KEY
    archive = make_backup(tmp_path / "old.tar.gz")
    settings.BACKUP_KEY = NEW_KEY  # the key was rotated since
    message = refused(archive, media)
    assert "another key" in message and backup.key_id(OLD_KEY.encode()) in message
    assert OLD_KEY not in message and NEW_KEY not in message
    r = runner.invoke(app, ["restore", str(archive), "--force", "--key", OLD_KEY])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["restore", str(archive), "--force", "--key", "-"], input=OLD_KEY + "\n")
    assert r.exit_code == 0, r.output


def test_the_first_backup_writes_a_key_file_that_stays_out_of_the_archive(state, media, tmp_path, settings):
    settings.BACKUP_KEY = ""
    settings.BACKUP_KEY_FILE = tmp_path / "data" / "backup_key"
    r = runner.invoke(app, ["backup", str(tmp_path / "a.tar.gz"), "--format", "json"])
    assert r.exit_code == 0, r.output
    key_file = settings.BACKUP_KEY_FILE
    assert key_file.stat().st_mode & 0o777 == 0o600
    key = key_file.read_text().strip()
    assert json.loads(r.stdout)["key_id"] == backup.key_id(key.encode())
    with gzip.open(tmp_path / "a.tar.gz") as fh:
        assert key.encode() not in fh.read()
    assert runner.invoke(app, ["backup", str(tmp_path / "b.tar.gz")]).exit_code == 0
    assert key_file.read_text().strip() == key  # made once, then reused


def test_a_server_without_a_key_refuses_and_says_how_to_give_one(good, media, tmp_path, settings):
    archive, _ = good
    settings.BACKUP_KEY = ""
    settings.BACKUP_KEY_FILE = tmp_path / "nowhere" / "backup_key"
    assert "--key" in refused(archive, media)
