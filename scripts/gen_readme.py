#!/usr/bin/env python3
"""Build each addon's README.rst from its readme/*.md fragments, OCA style.

The fragments use the subset of Markdown that is also valid reStructuredText
(paragraphs, ``-`` bullets, ``*emphasis*``, ``**strong**``).

    python3 scripts/gen_readme.py          # write README.rst
    python3 scripts/gen_readme.py --check  # fail if README.rst is out of date
"""

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADDONS = [ROOT / "customer_mgmt", ROOT / "customer_mgmt_stock"]
SECTIONS = [
    ("CONFIGURE.md", "Configuration"),
    ("USAGE.md", "Usage"),
    ("CODEMAP.md", "Code map"),
    ("ROADMAP.md", "Known issues / Roadmap"),
]


def build(addon):
    manifest = ast.literal_eval((addon / "__manifest__.py").read_text())
    readme = addon / "readme"
    title = manifest["name"]
    license_badge = manifest["license"].replace("-", "--")
    parts = [
        "=" * len(title),
        title,
        "=" * len(title),
        "",
        f".. |badge1| image:: https://img.shields.io/badge/license-{license_badge}-blue.png",
        f"    :alt: License: {manifest['license']}",
        "",
        "|badge1|",
        "",
        (readme / "DESCRIPTION.md").read_text().strip(),
        "",
        "**Table of contents**",
        "",
        ".. contents::",
        "   :local:",
        "",
    ]
    for fragment, heading in SECTIONS:
        path = readme / fragment
        if path.exists():
            parts += [heading, "=" * len(heading), "", path.read_text().strip(), ""]
    parts += [
        "Credits",
        "=======",
        "",
        "Authors",
        "-------",
        "",
        f"- {manifest['author']}",
        "",
        "Contributors",
        "------------",
        "",
        (readme / "CONTRIBUTORS.md").read_text().strip(),
        "",
    ]
    return "\n".join(parts)


def main():
    for addon in ADDONS:
        text = build(addon)
        target = addon / "README.rst"
        if "--check" in sys.argv:
            if not target.exists() or target.read_text() != text:
                sys.exit(f"{addon.name}/README.rst is out of date: run python3 scripts/gen_readme.py")
            continue
        target.write_text(text)


if __name__ == "__main__":
    main()
