"""An archive made by another installation on SQLite (the default) restores here: on the PostgreSQL run of the
suite this is the move from SQLite to PostgreSQL a growing consultancy makes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from django.db import connection
from typer.testing import CliRunner

from tebiki.cli import app
from tebiki.web import backup
from tebiki.web.assessments.service import save_item
from tebiki.web.devices.models import CheckReport, EnrolmentToken
from tebiki.web.devices.service import ingest
from tebiki.web.orgs.models import Organisation

from .test_backup import media  # noqa: F401  (fixture)

CANONICAL = "import json; from tebiki.web.backup import canonical_dump; print(json.dumps(canonical_dump()))"


def sqlite_site(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(TEBIKI_DATA_DIR=str(tmp_path / "site"), DJANGO_SETTINGS_MODULE="tebiki.web.settings")

    def run(*args: str) -> str:
        done = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    run("-m", "tebiki.web", "migrate", "-v0")
    run("-m", "tebiki.web", "demo")
    return run


def test_a_sqlite_installations_archive_restores_here_whole_and_keeps_working(db, media, tmp_path):  # noqa: F811
    run = sqlite_site(tmp_path)
    archive = tmp_path / "from-sqlite.tar.gz"
    source = json.loads(run("-m", "tebiki.web", "shell", "--no-imports", "-c", CANONICAL))
    run("-c", "from tebiki.cli import app; app()", "backup", str(archive))  # audited after the archive is written

    refused = CliRunner().invoke(app, ["restore", str(archive), "--force"])
    assert refused.exit_code == 2 and "--key" in refused.stderr  # each installation has its own key
    key = (tmp_path / "site" / "backup_key").read_text()  # made by the site's first backup
    r = CliRunner().invoke(app, ["restore", str(archive), "--force", "--key", "-"], input=key)
    assert r.exit_code == 0, r.output

    def comparable(objs):  # the restore itself adds one audit entry and moves the chain's head
        return [o for o in objs if o["model"] != "audit.audithead"
                and not (o["model"] == "audit.auditentry" and o["fields"]["action"] == "backup.restore")]

    here = backup.canonical_dump()
    assert comparable(here) == comparable(source), connection.vendor
    assert {o["model"] for o in here} >= {"orgs.organisation", "assessments.itemrecord", "devices.checkresult",
                                          "people.worker", "incidents.incident"}

    # new rows continue after the restored ids, on every engine
    org = Organisation.objects.get(name="サンプル商事株式会社")  # the demo organisation
    newcomer = Organisation.objects.create(name="移行後の会社")
    assert newcomer.id > max(o["pk"] for o in source if o["model"] == "orgs.organisation")
    save_item(org, "mic-v5:admin:A-1", "organisation", {"status": "done", "decision": "done"}, None)
    token, _ = EnrolmentToken.issue(org, "移行後", None)
    before = CheckReport.objects.count()
    stored = ingest(token, "after-move-0001", {"key": "demo-000", "hostname": "PC", "os": "windows"},
                    org.check_reports.first().as_of, {"firewall": {"verdict": "pass"}}, "agent")
    assert stored["created"] and CheckReport.objects.count() == before + 1
    assert CliRunner().invoke(app, ["audit", "verify"]).exit_code == 0
