"""Django settings for the test suite: the real settings with a throw-away data directory.

DATABASE_URL selects the database as in production (SQLite in memory when unset; PostgreSQL in CI's second run).
"""

import os
import tempfile

os.environ.setdefault("TEBIKI_DATA_DIR", tempfile.mkdtemp(prefix="tebiki-test-"))

from tebiki.web.settings import *  # noqa: E402,F403
