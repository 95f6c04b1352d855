"""Documentation is tested too: the CLI reference is generated from --help and must be current."""

from pathlib import Path

from tebiki.cli.reference import reference

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_cli_reference_is_current():
    current = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert current == reference(), "docs/cli.md is stale: run python -m tebiki.cli.reference > docs/cli.md"


def test_every_command_has_an_example():
    text = reference()
    sections = text.split("\n## ")[1:]
    leaf_sections = [s for s in sections if "Commands" not in s]
    assert leaf_sections
    for section in leaf_sections:
        assert "Example: tebiki" in section, section.splitlines()[0]
