"""The import rules between the layers (`[tool.importlinter]` in pyproject.toml) hold on the tree, and a deliberately
wrong import breaks them: `lint-imports` in `make test` is a check that can fail."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["domain", "selection", "workflows", "activities", "starter", "webapp", "devstack"]
LINT_IMPORTS = str(Path(sys.executable).parent / "lint-imports")


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    """`lint-imports` on the packages in `tree`, with that tree's pyproject.toml."""
    environment = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [LINT_IMPORTS, "--config", str(tree / "pyproject.toml"), "--no-cache"],
        cwd=tree,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def copy_of_the_tree(folder: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(ROOT / package, folder / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", folder / "pyproject.toml")
    return folder


def test_the_tree_keeps_the_import_rules(tmp_path: Path) -> None:
    result = lint_imports(copy_of_the_tree(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "5 kept, 0 broken" in result.stdout, result.stdout


def test_the_domain_importing_a_workflow_breaks_a_rule(tmp_path: Path) -> None:
    tree = copy_of_the_tree(tmp_path)
    calendar = tree / "domain" / "calendar.py"
    calendar.write_text(calendar.read_text() + "\nimport workflows.guidance_period  # deliberately wrong\n")
    result = lint_imports(tree)
    assert result.returncode != 0
    assert "domain imports nothing of ours BROKEN" in result.stdout, result.stdout
    assert "domain.calendar -> workflows.guidance_period" in result.stdout, result.stdout


def test_an_activity_importing_a_workflow_breaks_a_rule(tmp_path: Path) -> None:
    tree = copy_of_the_tree(tmp_path)
    starts = tree / "activities" / "period_starts.py"
    starts.write_text(starts.read_text() + "\nfrom workflows.cohort import CohortWorkflow  # deliberately wrong\n")
    result = lint_imports(tree)
    assert result.returncode != 0
    assert "activities never import workflows or clients BROKEN" in result.stdout, result.stdout
