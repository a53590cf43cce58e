"""The import rules between the layers (`[tool.importlinter]` in pyproject.toml) hold on the tree, and a deliberately
wrong import breaks them: `lint-imports` in `make test` is a check that can fail."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = [
    "domain",
    "config",
    "selection",
    "workflows",
    "activities",
    "starter",
    "readmodel",
    "webapp",
    "devstack",
    "language",
]
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
    assert "9 kept, 0 broken" in result.stdout, result.stdout


@pytest.mark.parametrize(
    ("module", "wrong_import", "broken"),
    [
        ("domain/calendar.py", "import workflows.guidance_period", "domain imports nothing of ours"),
        ("domain/programme.py", "import config.plan_files", "domain imports nothing of ours"),
        ("config/owners.py", "import activities.record_store", "config imports the domain only"),
        ("selection/scoring.py", "import activities.record_store", "selection imports the domain and config only"),
        ("workflows/cohort.py", "import starter.client", "workflows import the domain only"),
        (
            "workflows/guidance_period.py",
            "from config.settings import resolve_plan",
            "workflows import the domain only",
        ),
        ("activities/period_starts.py", "from workflows.cohort import CohortWorkflow", "activities never import"),
        (
            "readmodel/records.py",
            "from activities.db import create_pool",
            "the read model imports the domain, config and the selection's pure rules only",
        ),
        ("starter/report_cli.py", "from webapp.pages import cohort_report_pdf", "the CLI never imports the web app"),
        ("webapp/pages.py", "import workflows.guidance_period", "the web app reaches Temporal through"),
        ("language/formats.py", "import readmodel.display", "language (catalogs, formats) imports nothing of ours"),
        ("workflows/guidance_period.py", "import language.current", "workflows import the domain only"),
        ("domain/period.py", "from language import formats", "domain imports nothing of ours"),
    ],
)
def test_a_deliberately_wrong_import_breaks_its_rule(
    tmp_path: Path, module: str, wrong_import: str, broken: str
) -> None:
    tree = copy_of_the_tree(tmp_path)
    source = tree / module
    source.write_text(source.read_text() + f"\n{wrong_import}  # deliberately wrong\n")
    result = lint_imports(tree)
    assert result.returncode != 0
    broken_line = next(line for line in result.stdout.splitlines() if line.startswith(broken))
    assert broken_line.endswith("BROKEN"), result.stdout
    importer = module.removesuffix(".py").replace("/", ".")
    assert f"{importer} -> " in result.stdout, result.stdout
