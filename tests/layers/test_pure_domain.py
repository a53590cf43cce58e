"""The domain reads no file and no environment variable: no module of `domain/` imports a module that reads them,
and none calls `open` or `input`. What is read from files and the environment lives in `config/`; the domain is
imported inside the workflow sandbox and stays deterministic. A deliberately reading line breaks the check."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: Modules that read files or the environment (or reach them through another name), and our own edge.
READING_MODULES = (
    "os",
    "pathlib",
    "io",
    "glob",
    "shutil",
    "tempfile",
    "fileinput",
    "sys",
    "importlib",
    "pkgutil",
    "tomllib",
    "csv",
    "json",
    "configparser",
    "dotenv",
    "pydantic_settings",
    "config",
)
#: Built-in functions that read a file or the terminal.
READING_CALLS = ("open", "input", "__import__")


def _reads(name: str) -> bool:
    return any(name == module or name.startswith(f"{module}.") for module in READING_MODULES)


def reading_lines(package: Path) -> list[str]:
    """``file:line: what`` for every import of a reading module and every reading call in the package."""
    found: list[str] = []
    for path in sorted(package.rglob("*.py")):
        where = path.relative_to(package.parent)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in READING_CALLS:
                found.append(f"{where}:{node.lineno}: calls {node.func.id}()")
                continue
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module is not None:
                module = node.module
                names = [module] if _reads(module) else [f"{module}.{alias.name}" for alias in node.names]
            else:
                continue
            refused = sorted({name for name in names if _reads(name)})
            if refused:
                found.append(f"{where}:{node.lineno}: imports {', '.join(refused)}")
    return found


def test_no_module_of_the_domain_reads_files_or_the_environment() -> None:
    assert reading_lines(ROOT / "domain") == []


@pytest.mark.parametrize(
    ("wrong_line", "reported"),
    [
        ("import os", "imports os"),
        ("from os import environ", "imports os"),
        ("from pathlib import Path", "imports pathlib"),
        ("from importlib import resources", "imports importlib"),
        ("from pydantic_settings import BaseSettings", "imports pydantic_settings"),
        ("import tomllib", "imports tomllib"),
        ("from config.settings import AppSettings", "imports config.settings"),
        ("def read() -> str:\n    with open('plans/x.toml') as f:\n        return f.read()", "calls open()"),
    ],
)
def test_a_deliberately_reading_line_breaks_the_check(tmp_path: Path, wrong_line: str, reported: str) -> None:
    domain = shutil.copytree(ROOT / "domain", tmp_path / "domain", ignore=shutil.ignore_patterns("__pycache__"))
    module = domain / "calendar.py"
    module.write_text(module.read_text(encoding="utf-8") + f"\n{wrong_line}  # deliberately reading\n")
    found = reading_lines(domain)
    assert len(found) == 1, found
    assert found[0].startswith("domain/calendar.py:") and found[0].endswith(reported), found
