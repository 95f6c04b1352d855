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
BATCH_REPORTS = 100  # the server takes up to 500 reports and 2 MiB per batch
BATCH_BYTES = 1024 * 1024


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
        "checks": {cid: {"verdict": c["verdict"], "reason": c["reason"][:500], "evidence": c["evidence"],
                         **({"reason_code": c["reason_code"], "reason_params": c["reason_params"]}
                            if c.get("reason_code") else {})}
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


def send(url: str, token: str, report: dict[str, Any] | list[dict[str, Any]], link: bool = True) -> Any:
    """POST one report, or a list of reports to the batch endpoint (stored all or nothing). Without *link* the
    server is asked (Prefer: return=minimal) to make no personal link to the device's page: nobody would see it."""
    batch = isinstance(report, list)
    body = json.dumps({"reports": report} if batch else report, ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}", "User-Agent": "tebiki-check/1"}
    if not link and not batch:  # a batch's answer has no links anyway
        headers["Prefer"] = "return=minimal"
    req = urllib.request.Request(endpoint(url) + ("/batch" if batch else ""), data=body, method="POST",
                                 headers=headers)
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
    # the device's page on the server (a personal link), from the answer to the last new report sent with a link asked
    page: str = ""


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

    def flush(self, url: str, token: str, link: bool = True) -> Outcome:
        """Send everything queued, oldest first: several reports go in batches (one request each); a batch the
        server refuses for good is sent again report by report, so that only the bad ones are set aside. *link*:
        ask for the device page's personal link with a report sent alone (someone will see it)."""
        out = Outcome()
        pending = self.pending()
        while pending:
            chunk, size = [], 0
            while pending and len(chunk) < BATCH_REPORTS and (not chunk or size + pending[0].stat().st_size
                                                               <= BATCH_BYTES):
                size += pending[0].stat().st_size
                chunk.append(pending.pop(0))
            if len(chunk) > 1:
                try:
                    send(url, token, [json.loads(p.read_text(encoding="utf-8")) for p in chunk])
                except SendError as err:
                    if not err.permanent:
                        out.last_error = str(err)
                        out.queued = len(self.pending())
                        return out  # the server is unreachable; keep everything for next time
                except ValueError:
                    pass  # an unreadable file: the one-by-one pass below sets it aside
                else:
                    for path in chunk:
                        path.unlink()
                    out.sent += len(chunk)
                    continue
            for path in chunk:
                if not self._send_one(path, url, token, out, link):
                    out.queued = len(self.pending())
                    return out
        return out

    def _send_one(self, path: Path, url: str, token: str, out: Outcome, link: bool = True) -> bool:
        """Send one queued report; False when the server cannot be reached (stop and keep the rest)."""
        try:
            answer = send(url, token, json.loads(path.read_text(encoding="utf-8")), link)
        except SendError as err:
            out.last_error = str(err)
            if not err.permanent:
                return False
            self._set_aside(path, out)
            return True
        except ValueError:
            self._set_aside(path, out)
            return True
        path.unlink()
        out.sent += 1
        if isinstance(answer, dict) and isinstance(answer.get("page"), str):
            out.page = answer["page"]
        return True

    def _set_aside(self, path: Path, out: Outcome) -> None:
        self.rejected.mkdir(parents=True, exist_ok=True)
        os.replace(path, self.rejected / path.name)
        out.rejected += 1


def report_and_flush(result: dict[str, Any], url: str, token: str, owner: str = "", ownership: str = "unknown",
                     folder: Path | None = None, link: bool = True) -> Outcome:
    """Queue this result, then send everything queued (this one included); *link*: as Outbox.flush."""
    folder = folder or state_dir()
    box = Outbox(folder)
    box.put(build_report(result, device_key(folder), owner, ownership))
    return box.flush(url, token, link)
