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


def test_the_security_page_names_only_code_that_exists():
    import re

    root = DOCS.parent
    text = (DOCS / "security.md").read_text(encoding="utf-8")
    paths = set(re.findall(r"`((?:web/|tests/)[\w/.-]+|report\.py)`", text))
    paths |= {m for m in re.findall(r"(test_\w+\.py)", text)}
    assert len(paths) >= 10
    for p in paths:
        name = p if "/" in p else f"tests/web/{p}" if p.startswith("test_") else p
        candidates = [root / name, root / "src" / "tebiki" / name]
        assert any(c.exists() for c in candidates), f"docs/security.md names {p}, which does not exist"


def test_the_readme_links_the_security_page():
    assert "docs/security.md" in (DOCS.parent / "README.md").read_text(encoding="utf-8")
