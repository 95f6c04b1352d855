"""The built wheel carries every file the package needs: each non-Python file git tracks under src/tebiki.

The wheel is built from a copy of the tracked files (as CI's clean clone would have them), so a file left out by the
package-data rule shows up here and not as a 500 on an installed server.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def tracked_files() -> list[str]:
    """What git tracks, plus new files not yet added (not the ignored ones): the checkout a commit would give."""
    out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                         capture_output=True, check=True).stdout
    return [p for p in out.decode().split("\0") if p and (ROOT / p).is_file()]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    src = tmp_path_factory.mktemp("checkout")
    for rel in tracked_files():
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, src / rel)
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "-w", str(out), str(src)], check=True, capture_output=True)
    (built,) = out.glob("tebiki-*.whl")
    return zipfile.ZipFile(built)


def test_the_wheel_holds_every_tracked_non_python_file_under_src(wheel):
    tracked = {p.removeprefix("src/") for p in tracked_files()
               if p.startswith("src/tebiki/") and not p.endswith(".py")}
    packaged = {n for n in wheel.namelist() if n.startswith("tebiki/") and not n.endswith(".py")}
    assert tracked - packaged == set(), "tracked files missing from the wheel"
    assert packaged - tracked == set(), "files in the wheel that git does not track"


def test_the_wheel_holds_the_incident_mail_templates_and_no_bytecode(wheel):
    names = set(wheel.namelist())
    assert {"tebiki/web/templates/incidents/email_subject.txt", "tebiki/web/templates/incidents/email_body.txt",
            "tebiki/web/locale/ja/LC_MESSAGES/django.mo"} <= names
    assert not [n for n in names if n.endswith(".pyc") or "__pycache__" in n]


def test_the_wheel_holds_every_python_module(wheel):
    tracked = {p.removeprefix("src/") for p in tracked_files() if p.startswith("src/tebiki/") and p.endswith(".py")}
    assert tracked <= set(wheel.namelist())
