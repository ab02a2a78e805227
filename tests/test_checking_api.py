"""One API for check authors: every file of autograder/checks/ takes the kit from ``autograder.checking`` alone
(besides its exercise's own modules under ``autograder.checks``), and that API holds what the README lists."""

import ast
import re
from pathlib import Path

import autograder.checking as checking

from conftest import ROOT

CHECKS = ROOT / "autograder" / "checks"


def kit_imports(path: Path) -> list[str]:
    """The modules of the kit (``autograder...``) that ``path`` imports, anywhere in the file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append(node.module)
        elif isinstance(node, ast.ImportFrom):
            found.append("." * node.level + (node.module or ""))
        elif isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
    return [name for name in found if name.startswith(("autograder", "."))]


def test_check_files_import_only_the_checking_api():
    files = sorted(CHECKS.rglob("*.py"))
    assert len(files) >= 12, files
    wrong = {path.relative_to(ROOT).as_posix(): bad for path in files
             if (bad := [m for m in kit_imports(path)
                         if m != "autograder.checking" and not m.startswith("autograder.checks.")])}
    assert not wrong, f"check files that reach past autograder.checking: {wrong}"


def test_the_api_exports_what_it_lists_and_the_readme_documents_it():
    missing = [name for name in checking.__all__ if not hasattr(checking, name)]
    assert not missing, missing
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Writing a check: `autograder.checking`", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"`([A-Za-z_]+)`", section))
    undocumented = sorted(set(checking.__all__) - documented)
    assert not undocumented, f"autograder.checking exports {undocumented}, which the README's table does not name"
    named = {name for line in section.splitlines() if line.startswith("| `")
             for name in re.findall(r"`([A-Za-z_]+)`", line.split("|")[1])}
    stale = sorted(named - set(checking.__all__))
    assert not stale, f"the README's table names {stale}, which autograder.checking does not export"
