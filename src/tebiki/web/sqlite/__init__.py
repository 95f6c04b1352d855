"""tebiki's SQLite database backend: Django's own, with its placeholder conversion done once per statement."""
