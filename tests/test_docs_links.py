"""The README's and CONTRIBUTING's links to sections of the README lead to a heading there."""

from __future__ import annotations

import re

import pytest
from cli_helpers import ROOT

HEADING = re.compile(r"^#{1,6} (.+)$", re.MULTILINE)
FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation but hyphens dropped, spaces as hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(markdown: str) -> set[str]:
    return {slug(h) for h in HEADING.findall(FENCE.sub("", markdown))}


def test_slugs_are_githubs():
    assert slug("What changed: `tracker diff`, `tracker history`, `--changed-since`") == (
        "what-changed-tracker-diff-tracker-history---changed-since"
    )
    assert slug("Checking the data: `tracker validate`") == "checking-the-data-tracker-validate"


@pytest.mark.parametrize(("name", "pattern"), [("README.md", r"\]\(#([^)]+)\)"), ("CONTRIBUTING.md", r"\]\(README\.md#([^)]+)\)")])  # fmt: skip
def test_every_link_to_a_readme_section_finds_its_heading(name, pattern):
    readme = anchors((ROOT / "README.md").read_text(encoding="utf-8"))
    linked = re.findall(pattern, (ROOT / name).read_text(encoding="utf-8"))
    assert linked, f"{name} links to sections of the README"
    assert sorted(set(linked) - readme) == []
