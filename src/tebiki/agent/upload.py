"""Send check reports to a tebiki server, keeping unsent ones in an outbox and retrying them later.

Standard library only. Each report gets its idempotency key when it is made, so a retry after a lost
answer is stored once by the server. What is sent is listed in docs/agent.md.
"""

from __future__ import annotations

import json
import os
import platform
import socket
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TIMEOUT_SECONDS = 15
PERMANENT = {400, 401, 403, 404, 413, 422}  # retrying cannot help; the report is set aside


def state_dir() -> Path:
    if os.environ.get("TEBIKI_STATE_DIR"):
        return Path(os.environ["TEBIKI_STATE_DIR"])
    if platform.system() == "Windows" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "tebiki"
    return Path(os.environ.get("XDG_STATE_HOME", Path.home() / ".local" / "state")) / "tebiki"


def device_key(folder: Path) -> str:
    """A random ID made once per device and kept; it says nothing about the device itself."""
    path = folder / "device-id"
    if path.exists():
        key = path.read_text().strip()
        if 8 <= len(key) <= 100:
            return key
    folder.mkdir(parents=True, exist_ok=True)
    key = uuid.uuid4().hex
    path.write_text(key)
    return key


def build_report(result: dict[str, Any], key: str, owner: str = "", ownership: str = "unknown") -> dict[str, Any]:
    """Only what the server needs: verdicts, reasons and evidence values, the host name and OS version."""
    return {
        "idempotency_key": uuid.uuid4().hex,
        "device": {"key": key, "hostname": socket.gethostname()[:100] or "unknown", "os": result["os"],
                   "os_version": platform.release()[:100], "owner": owner[:100], "ownership": ownership},
        "as_of": result["as_of"],
        "checks": {cid: {"verdict": c["verdict"], "reason": c["reason"][:500], "evidence": c["evidence"]}
                   for cid, c in result["checks"].items()},
    }


def endpoint(url: str) -> str:
    url = url.rstrip("/")
    return url if url.endswith("/agent/reports") else url + ("/agent/reports" if url.endswith("/api/v1") else
                                                            "/api/v1/agent/reports")


class SendError(Exception):
    def __init__(self, message: str, permanent: bool):
        super().__init__(message)
        self.permanent = permanent


def send(url: str, token: str, report: dict[str, Any]) -> dict[str, Any]:
    body = json.dumps(report, ensure_ascii=False).encode("utf-8")
    req = urllib.request.Request(endpoint(url), data=body, method="POST", headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {token}", "User-Agent": "tebiki-check/1"})
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT_SECONDS) as resp:  # noqa: S310 (URL given by the user)
            return json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as err:
        raise SendError(f"server answered {err.code}", err.code in PERMANENT) from None
    except (urllib.error.URLError, OSError, ValueError) as err:
        raise SendError(f"could not reach the server: {err}", False) from None


@dataclass
class Outcome:
    sent: int = 0
    queued: int = 0
    rejected: int = 0
    last_error: str = ""


class Outbox:
    """Unsent reports, one JSON file each, oldest first."""

    def __init__(self, folder: Path):
        self.folder = folder / "outbox"
        self.rejected = folder / "rejected"

    def put(self, report: dict[str, Any]) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{report['idempotency_key']}.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
        return path

    def pending(self) -> list[Path]:
        if not self.folder.is_dir():
            return []
        return sorted(self.folder.glob("*.json"), key=lambda p: (p.stat().st_mtime, p.name))

    def flush(self, url: str, token: str) -> Outcome:
        out = Outcome()
        for path in self.pending():
            try:
                report = json.loads(path.read_text(encoding="utf-8"))
                send(url, token, report)
            except SendError as err:
                out.last_error = str(err)
                if err.permanent:
                    self.rejected.mkdir(parents=True, exist_ok=True)
                    os.replace(path, self.rejected / path.name)
                    out.rejected += 1
                    continue
                out.queued = len(self.pending())
                return out  # the server is unreachable; keep the rest for next time
            except ValueError:
                self.rejected.mkdir(parents=True, exist_ok=True)
                os.replace(path, self.rejected / path.name)
                out.rejected += 1
                continue
            path.unlink()
            out.sent += 1
        return out


def report_and_flush(result: dict[str, Any], url: str, token: str, owner: str = "", ownership: str = "unknown",
                     folder: Path | None = None) -> Outcome:
    """Queue this result, then send everything queued (this one included)."""
    folder = folder or state_dir()
    box = Outbox(folder)
    box.put(build_report(result, device_key(folder), owner, ownership))
    return box.flush(url, token)
