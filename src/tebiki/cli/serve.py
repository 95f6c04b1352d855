"""`tebiki serve`: the production web server (gunicorn) in front of the Django app."""

from __future__ import annotations

import os

import typer

from .common import err_console


def default_workers() -> int:
    """Gunicorn's rule of thumb, 2 × CPUs + 1, counting only the CPUs this process may run on."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return 2 * cpus + 1


ACCESS_LOG_FORMAT = '%(h)s %({x-forwarded-for}i)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s"'


def serve_command(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (keep 127.0.0.1 behind a proxy)."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="TCP port."),
    workers: int = typer.Option(None, "--workers", "-w", min=1, help="Worker processes (default: 2 × CPUs + 1)."),
    threads: int = typer.Option(4, "--threads", min=1, help="Threads per worker."),
    timeout: int = typer.Option(120, "--timeout", min=10, help="Seconds before a silent worker is restarted."),
    access_log: str = typer.Option("-", "--access-log", help="File for the access log; '-' is standard output."),
) -> None:
    """Serve the web app with gunicorn: static files with hashed names and long cache headers, a masked access log.

    First it checks that the database is migrated, collects static files into $TEBIKI_DATA_DIR/static and creates the cache table.

    Settings come from the environment as for every command (TEBIKI_ENV, DATABASE_URL, ALLOWED_HOSTS …; see docs/deploy.md).

    Graceful restart: `kill -HUP <master pid>` (systemctl reload tebiki) starts new workers; old ones finish their requests.

    Exit status 0 after a clean stop, 1 when the database needs `python -m tebiki.web migrate`.

    Example: tebiki serve --host 127.0.0.1 --port 8000 --workers 3
    """
    os.environ["TEBIKI_STATIC_MANIFEST"] = "1"  # read by the settings: hashed static names, served from STATIC_ROOT
    from .server import django_setup

    django_setup()
    pending = _pending_migrations()
    if pending:
        err_console.print(f"[red]error:[/red] {len(pending)} database migration(s) not applied (first: {pending[0]}); "
                          "run `python -m tebiki.web migrate` first")
        raise typer.Exit(1)
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    options = {"bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}", "workers": workers or default_workers(),
               "worker_class": "gthread", "threads": threads, "timeout": timeout, "graceful_timeout": 30,
               "accesslog": access_log, "errorlog": "-", "access_log_format": ACCESS_LOG_FORMAT,
               "forwarded_allow_ips": "127.0.0.1,::1", "proc_name": "tebiki"}
    _application(options).run()


def _pending_migrations() -> list[str]:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return [f"{m.app_label}.{m.name}" for m, _ in executor.migration_plan(executor.loader.graph.leaf_nodes())]


def _application(options: dict):
    """Gunicorn run in-process with these options (no config file to keep in step). Imported here, not at the top:
    gunicorn needs Unix, and the rest of the command line (`tebiki check`) also runs on Windows."""
    from gunicorn.app.base import BaseApplication
    from gunicorn.glogging import Logger

    from tebiki.web.logs import protect

    class RedactingLogger(Logger):
        """Gunicorn's logger with the app's redaction filter on the access and error logs."""

        def setup(self, cfg) -> None:
            super().setup(cfg)
            protect(self.access_log.name, self.error_log.name)

    class TebikiApplication(BaseApplication):
        def load_config(self) -> None:
            for key, value in {**options, "logger_class": RedactingLogger}.items():
                self.cfg.set(key, value)

        def load(self):
            from tebiki.web.wsgi import application

            return application

    return TebikiApplication()
