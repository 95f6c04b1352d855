"""A copy of the packaged catalog that a test may break."""

import shutil

import pytest

from tebiki.catalog.loader import CATALOG_DIR


@pytest.fixture
def catalog_copy(tmp_path):
    root = tmp_path / "catalog"
    shutil.copytree(CATALOG_DIR, root, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return root
