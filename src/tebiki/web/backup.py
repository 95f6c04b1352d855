"""One archive with the whole database and the uploaded files, and a restore that refuses anything doubtful.

The archive is a gzipped tar:

    manifest.json   format and tebiki version, creation time, applied migrations, SHA-256 and size of every member
    manifest.hmac   HMAC-SHA256 of manifest.json's exact bytes under the backup key, and the key's id
    db.json         every row of every app, Django's JSON serialisation with natural keys for content types and
                    permissions (so it loads on SQLite and PostgreSQL alike) and datetimes to the microsecond
                    (the audit chain hashes them)
    files/…         everything under MEDIA_ROOT (evidence files)

The backup key is never inside the archive (TEBIKI_BACKUP_KEY, or a key file in the data directory made on the
first backup), so whoever can change an archive cannot make it verify: restore checks the HMAC before it believes
anything the manifest says, and the manifest's SHA-256 sums then cover every other member.

Restore reads and checks the whole archive into a staging directory before it touches anything, then replaces the
database content in one transaction and swaps the uploads directory in before that transaction commits.
Sessions are never backed up and are cleared on restore: a session of the old database must not sign anyone in.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import hmac
import io
import itertools
import json
import os
import secrets
import shutil
import tarfile
import tempfile
import zlib
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.json import Serializer as JSONSerializer
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Model

from tebiki.web.orgs import evidence

FORMAT = "tebiki-backup"
FORMAT_VERSION = 2  # 2: the manifest is authenticated (manifest.hmac); 1 was not, and is refused
MANIFEST, SIGNATURE, DATABASE, FILES = "manifest.json", "manifest.hmac", "db.json", "files"
MAC_CONTEXT = b"tebiki-backup manifest\n"  # so a MAC made with this key for anything else never fits
MIN_KEY_CHARS = 16
# Recreated by `migrate` (their ids differ between installations; rows refer to them by natural key) or never kept.
NOT_DUMPED = {"contenttypes.contenttype", "auth.permission", "sessions.session"}
# Columns that are not data but keys of what servers keep in memory: a restore sets them anew (restore_backup).
NOT_DUMPED_FIELDS = {("orgs.organisation", "evidence_revision")}
CLEARED_ON_RESTORE = {"sessions.session"}
MANIFEST_MAX_BYTES = 1024 * 1024
CHUNK = 1024 * 1024
RATIO_FLOOR = 16 * 1024 * 1024  # small archives of text compress well; judge the ratio only beyond this size


class BackupError(Exception):
    """The archive cannot be made or restored; the message says why. Nothing was changed."""


def backup_key(explicit: str | None = None, *, create: bool = False) -> bytes:
    """The key that authenticates archives: *explicit* (restore --key), else TEBIKI_BACKUP_KEY, else the key file
    in the data directory, which the first backup creates (mode 0600)."""
    if explicit:
        text = explicit
    elif settings.BACKUP_KEY:
        text = settings.BACKUP_KEY
    else:
        path = Path(settings.BACKUP_KEY_FILE)
        if not path.exists():
            if not create:
                raise BackupError(f"no backup key on this server ({path} is missing and TEBIKI_BACKUP_KEY is unset):"
                                  " pass the key of the server that made the archive with --key")
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(32) + "\n")
        text = path.read_text(encoding="utf-8")
    text = text.strip()
    if len(text) < MIN_KEY_CHARS:
        raise BackupError(f"a backup key has at least {MIN_KEY_CHARS} characters")
    return text.encode()


def key_id(key: bytes) -> str:
    """A short name for a key that does not reveal it, to tell keys apart in archives and messages."""
    return hmac.new(key, b"tebiki-backup key id", "sha256").hexdigest()[:16]


def _mac(key: bytes, manifest: bytes) -> str:
    return hmac.new(key, MAC_CONTEXT + manifest, "sha256").hexdigest()


def signature(key: bytes, manifest: bytes) -> bytes:
    """The manifest.hmac member for *manifest* (its exact bytes)."""
    return json.dumps({"algorithm": "HMAC-SHA256", "key_id": key_id(key), "mac": _mac(key, manifest)}).encode()


def _tebiki_version() -> str:
    try:
        return version("tebiki")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree without metadata
        return "unknown"


class _Encoder(DjangoJSONEncoder):
    """Django's encoder cuts datetimes to milliseconds; the audit chain hashes microseconds, so keep them."""

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime):
            return o.isoformat()
        if isinstance(o, dt.time):
            return o.isoformat()
        return super().default(o)


def data_models() -> list[type[Model]]:
    """Every concrete model whose rows belong in a backup, ordered so natural keys resolve on load."""
    app_list = [(cfg, None) for cfg in apps.get_app_configs() if cfg.models_module is not None]
    return [m for m in serializers.sort_dependencies(app_list, allow_cycles=True)
            if m._meta.label_lower not in NOT_DUMPED and not m._meta.proxy and m._meta.managed]


def dump_database(stream: IO[str], using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """Write every row as one JSON array; returns the number of rows per model."""
    counts: dict[str, int] = {}

    def rows(model):
        qs = model._base_manager.using(using).order_by(model._meta.pk.name)
        for n, obj in enumerate(qs.iterator(chunk_size=2000), start=1):
            counts[model._meta.label_lower] = n
            yield obj

    _Serializer().serialize(itertools.chain.from_iterable(rows(m) for m in data_models()), stream=stream,
                            cls=_Encoder, use_natural_foreign_keys=True, use_natural_primary_keys=False)
    return counts


class _Serializer(JSONSerializer):
    def handle_field(self, obj, field) -> None:
        if (obj._meta.label_lower, field.name) not in NOT_DUMPED_FIELDS:
            super().handle_field(obj, field)


def canonical_dump(using: str = DEFAULT_DB_ALIAS) -> list[dict]:
    """The database content as a sorted list, for comparing two states (JSON key order does not matter)."""
    buf = io.StringIO()
    dump_database(buf, using)
    return sorted(json.loads(buf.getvalue()), key=lambda o: (o["model"], json.dumps(o["pk"])))


def has_data(using: str = DEFAULT_DB_ALIAS) -> bool:
    return any(m._base_manager.using(using).exists() for m in data_models())


def _uploads() -> Path:
    return Path(settings.MEDIA_ROOT)


def upload_files() -> list[tuple[str, Path]]:
    """(member name, path) of every regular file under MEDIA_ROOT; symlinks are not followed."""
    root = _uploads()
    found = []
    if root.is_dir():
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for name in sorted(filenames):
                path = Path(dirpath) / name
                if path.is_file() and not path.is_symlink():
                    found.append((f"{FILES}/{path.relative_to(root).as_posix()}", path))
    return found


def _hash_file(path: Path) -> tuple[str, int]:
    h, size = hashlib.sha256(), 0
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def _applied_migrations(using: str) -> list[str]:
    return sorted(f"{app}.{name}" for app, name in MigrationRecorder(connections[using]).applied_migrations())


@dataclass
class BackupResult:
    path: Path
    manifest: dict = field(repr=False)
    key_id: str = ""

    @property
    def files(self) -> int:
        return sum(1 for m in self.manifest["members"] if m["name"].startswith(FILES + "/"))

    @property
    def rows(self) -> int:
        return sum(self.manifest["rows"].values())


def create_backup(target: Path, using: str = DEFAULT_DB_ALIAS) -> BackupResult:
    """Write the archive to *target* (mode 0600: it holds password hashes and MFA secrets) atomically."""
    target = Path(target)
    key = backup_key(create=True)
    connection = connections[using]
    snapshot = connection.vendor == "postgresql" and not connection.in_atomic_block
    with tempfile.TemporaryDirectory(prefix="tebiki-backup-") as tmp:
        db_path = Path(tmp) / DATABASE
        with transaction.atomic(using=using):
            if snapshot:
                # one snapshot for every table, so the audit head and its entries agree
                with connection.cursor() as cur:
                    cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            with db_path.open("w", encoding="utf-8") as fh:
                counts = dump_database(fh, using)
            migrations = _applied_migrations(using)
        members = []
        for name, path in [(DATABASE, db_path), *upload_files()]:
            digest, size = _hash_file(path)
            members.append({"name": name, "size": size, "sha256": digest, "path": path})
        manifest = {"format": FORMAT, "format_version": FORMAT_VERSION, "tebiki_version": _tebiki_version(),
                    "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    "database": connection.vendor, "migrations": migrations, "rows": counts,
                    "members": [{k: v for k, v in m.items() if k != "path"} for m in members]}
        partial = target.with_name(f".{target.name}.partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz", format=tarfile.PAX_FORMAT) as tar:
                body = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
                tar.addfile(_info(MANIFEST, len(body)), io.BytesIO(body))
                sig = signature(key, body)
                tar.addfile(_info(SIGNATURE, len(sig)), io.BytesIO(sig))
                for m in members:
                    with m["path"].open("rb") as fh:
                        tar.addfile(_info(m["name"], m["size"]), fh)
            os.replace(partial, target)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return BackupResult(target, manifest, key_id(key))


def _info(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = size, 0o600, int(dt.datetime.now(dt.UTC).timestamp())
    return info


# ---------------------------------------------------------------------------------------------------- restore


def _check_name(name: str) -> None:
    path = PurePosixPath(name)
    if (not name or "\\" in name or any(ord(c) < 32 for c in name) or path.is_absolute()
            or any(p in ("", ".", "..") for p in name.split("/"))):
        raise BackupError(f"unsafe member name in the archive: {name!r}")
    if name not in (MANIFEST, DATABASE) and not (path.parts[0] == FILES and len(path.parts) > 1):
        raise BackupError(f"unexpected member in the archive: {name!r}")


def _small_member(tar: tarfile.TarFile, name: str) -> bytes | None:
    member = tar.next()
    if member is None or member.name != name or not member.isreg():
        return None
    if member.size > MANIFEST_MAX_BYTES:
        raise BackupError(f"{name} is too large ({member.size} bytes)")
    return tar.extractfile(member).read()


def _authenticate(body: bytes, sig: bytes | None, key: bytes) -> None:
    """Raise BackupError unless *sig* is this key's HMAC of the manifest's bytes."""
    if sig is None:
        raise BackupError(f"the archive is not authenticated (no {SIGNATURE}; format 1 archives had none): anyone "
                          "could have written it. Restore refused; make a new backup with this tebiki")
    try:
        claimed = json.loads(sig)
        claimed_id, claimed_mac = str(claimed["key_id"]), str(claimed["mac"])
    except (ValueError, UnicodeDecodeError, KeyError, TypeError) as err:
        raise BackupError(f"{SIGNATURE} is malformed") from err
    if not hmac.compare_digest(claimed_mac, _mac(key, body)):
        if claimed_id != key_id(key):
            raise BackupError(f"the archive was authenticated with another key (key id {claimed_id[:16]!r}; this "
                              f"key is {key_id(key)!r}): pass the key that made it with --key")
        raise BackupError(f"{MANIFEST} does not match its HMAC: the archive was changed after it was made")


def _read_manifest(tar: tarfile.TarFile, key: bytes) -> dict:
    body = _small_member(tar, MANIFEST)
    if body is None:
        raise BackupError(f"not a tebiki backup: the archive does not start with {MANIFEST}")
    _authenticate(body, _small_member(tar, SIGNATURE), key)
    try:
        manifest = json.loads(body)
    except (ValueError, UnicodeDecodeError) as err:
        raise BackupError(f"{MANIFEST} is not valid JSON: {err}") from err
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("not a tebiki backup: the manifest names another format")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"unsupported backup format version {manifest.get('format_version')!r} "
                          f"(this tebiki reads version {FORMAT_VERSION})")
    members = manifest.get("members")
    if not isinstance(members, list) or not all(
            isinstance(m, dict) and isinstance(m.get("name"), str) and isinstance(m.get("size"), int)
            and isinstance(m.get("sha256"), str) for m in members):
        raise BackupError("the manifest's member list is malformed")
    names = [m["name"] for m in members]
    if len(set(names)) != len(names) or DATABASE not in names:
        raise BackupError("the manifest's member list is malformed (duplicates, or no db.json)")
    for name in names:
        _check_name(name)
    if not isinstance(manifest.get("migrations"), list) or not all(isinstance(m, str) for m in manifest["migrations"]):
        raise BackupError("the manifest has no migration list")
    rows = manifest.get("rows")
    if not (isinstance(rows, dict) and all(isinstance(v, int) for v in rows.values())
            and isinstance(manifest.get("created_at"), str) and isinstance(manifest.get("tebiki_version"), str)):
        raise BackupError("the manifest's row counts, creation time or version are malformed")
    return manifest


def _stage(archive: Path, staging: Path, key: bytes) -> dict:
    """Check and unpack the archive into *staging*; raises BackupError on anything doubtful."""
    compressed = archive.stat().st_size
    max_bytes = getattr(settings, "BACKUP_MAX_BYTES", 8 * 1024**3)
    max_ratio = getattr(settings, "BACKUP_MAX_RATIO", 200)
    max_members = getattr(settings, "BACKUP_MAX_MEMBERS", 200_000)
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            manifest = _read_manifest(tar, key)
            expected = {m["name"]: m for m in manifest["members"]}
            if len(expected) > max_members:
                raise BackupError(f"the archive has too many members ({len(expected)} > {max_members})")
            declared = sum(m["size"] for m in expected.values())
            if declared > max_bytes:
                raise BackupError(f"the archive is too large to restore (over {max_bytes} bytes unpacked)")
            if declared > max(compressed * max_ratio, RATIO_FLOOR):
                raise BackupError(f"the archive unpacks to more than {max_ratio} times its size: refused as a bomb")
            seen: set[str] = set()
            total = 0
            while (member := tar.next()) is not None:
                name = member.name
                _check_name(name)
                if not member.isreg():
                    raise BackupError(f"{name!r} is not a regular file (links and devices are refused)")
                if name not in expected or name in seen:
                    raise BackupError(f"{name!r} is not listed in the manifest, or appears twice")
                if member.size != expected[name]["size"]:
                    raise BackupError(f"{name!r} does not have the size the manifest records")
                total += member.size
                if total > max_bytes:
                    raise BackupError(f"the archive is too large to restore (over {max_bytes} bytes unpacked)")
                if total > max(compressed * max_ratio, RATIO_FLOOR):
                    raise BackupError(f"the archive unpacks to more than {max_ratio} times its size: refused as a bomb")
                dest = staging / name
                dest.parent.mkdir(parents=True, exist_ok=True)
                h = hashlib.sha256()
                src = tar.extractfile(member)
                with dest.open("wb") as out:
                    while chunk := src.read(CHUNK):
                        h.update(chunk)
                        out.write(chunk)
                if h.hexdigest() != expected[name]["sha256"]:
                    raise BackupError(f"{name!r} does not match its SHA-256 in the manifest: the archive was changed")
                seen.add(name)
            missing = sorted(set(expected) - seen)
            if missing:
                raise BackupError(f"the archive is incomplete: {len(missing)} member(s) missing, e.g. {missing[0]!r}")
    except BackupError:
        raise
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile, OSError) as err:
        raise BackupError(f"the archive is damaged or truncated: {err}") from err
    return manifest


def _require_migrated(using: str) -> None:
    executor = MigrationExecutor(connections[using])
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise BackupError("the database is not migrated: run `python -m tebiki.web migrate` first")


def _check_migrations(manifest: dict, using: str) -> None:
    unknown = sorted(set(manifest["migrations"]) - set(_applied_migrations(using)))
    if unknown:
        raise BackupError(f"the backup was made by a newer tebiki ({manifest.get('tebiki_version')}): "
                          f"migration {unknown[0]} is unknown here; upgrade tebiki first")


def _clear(using: str) -> None:
    """Empty every backed-up table (and sessions) in the current transaction."""
    connection = connections[using]
    labels = {m._meta.label_lower for m in data_models()} | CLEARED_ON_RESTORE
    tables = [m._meta.db_table for m in apps.get_models(include_auto_created=True)
              if m._meta.managed and not m._meta.proxy
              and (m._meta.label_lower in labels
                   or m._meta.auto_created and m._meta.auto_created._meta.label_lower in labels)]
    # DELETE rather than the TRUNCATE of sql_flush: PostgreSQL refuses TRUNCATE on a table with pending deferred
    # constraint checks in the same transaction. Foreign keys are deferred, so the order does not matter.
    with connection.cursor() as cur:
        for table in sorted(set(tables)):
            cur.execute(f"DELETE FROM {connection.ops.quote_name(table)}")


@dataclass
class RestoreResult:
    manifest: dict
    rows: int
    files: int


def restore_backup(archive: Path, force: bool = False, using: str = DEFAULT_DB_ALIAS,
                   key: str | None = None) -> RestoreResult:
    """Replace the database content and uploaded files with the archive's, or raise BackupError and change nothing.

    *key* is the backup key of the server that made the archive when it is not this server's (see backup_key)."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"{archive}: no such file")
    uploads = _uploads()

    def occupied() -> bool:
        return has_data(using) or (uploads.is_dir() and any(uploads.iterdir()))

    _require_migrated(using)
    secret = backup_key(key)
    if not force and occupied():
        raise BackupError("the database or the uploads directory is not empty: use --force to replace its content")
    uploads.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".tebiki-restore-", dir=uploads.parent))
    old = uploads.with_name(f"{staging.name}-old")
    try:
        manifest = _stage(archive, staging, secret)
        _check_migrations(manifest, using)
        new_files = staging / FILES
        new_files.mkdir(exist_ok=True)
        swapped = False
        try:
            with transaction.atomic(using=using):
                if occupied() and not force:
                    raise BackupError("the database or the uploads directory is not empty: use --force")
                floor = evidence.highest(using)
                _clear(using)
                try:
                    call_command("loaddata", str(staging / DATABASE), database=using, verbosity=0)
                    evidence.after_restore(floor, using)
                except DatabaseError as err:
                    raise BackupError(f"the database content could not be loaded: {err}") from err
                except Exception as err:  # DeserializationError and friends: a malformed db.json
                    raise BackupError(f"db.json could not be read: {err}") from err
                if uploads.exists():
                    uploads.rename(old)
                new_files.rename(uploads)
                swapped = True
        except BaseException:
            if swapped:
                uploads.rename(new_files)
            if old.exists():
                old.rename(uploads)
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
    files = sum(1 for m in manifest["members"] if m["name"].startswith(FILES + "/"))
    return RestoreResult(manifest, sum(manifest["rows"].values()), files)
