"""Generate docs/cli.md from the commands' own --help, so the reference cannot go stale.

Run: python -m tebiki.cli.reference > docs/cli.md   (a test fails when the file differs)
"""

from __future__ import annotations

import os

import typer
from typer.testing import CliRunner

HEADER = """# tebiki command reference

Generated from each command's `--help` by `python -m tebiki.cli.reference > docs/cli.md`; a test fails when
this file is stale. Exit status everywhere: 0 success, 1 the data asked for is missing or invalid (or a check
failed), 2 usage error.
"""


def _commands(group, prefix: list[str]):
    for name in sorted(group.commands):
        cmd = group.commands[name]
        path = [*prefix, name]
        yield path
        if hasattr(cmd, "commands"):
            yield from _commands(cmd, path)


def reference() -> str:
    from tebiki.cli import app

    os.environ.setdefault("TERMINAL_WIDTH", "100")
    runner = CliRunner()
    root = typer.main.get_command(app)
    parts = [HEADER]
    for path in [[], *_commands(root, [])]:
        result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"},
                               prog_name="tebiki")
        title = " ".join(["tebiki", *path])
        text = "\n".join(line.rstrip() for line in result.output.strip("\n").splitlines())
        parts.append(f"## `{title}`\n\n```text\n{text}\n```\n")
    return "\n".join(parts)


if __name__ == "__main__":
    print(reference(), end="")
