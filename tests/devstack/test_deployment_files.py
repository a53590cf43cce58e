"""docker-compose.yml and the Dockerfile stay in step with the code they deploy.

Docker does not run in CI; what can run without it does: the one-shot script that registers the
namespace and search attributes runs here against a dev server, with the `temporal` CLI of the venv
standing in for the one in the admin-tools image.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from devstack.temporal_server import DevServer
from domain.contract import SEARCH_ATTRIBUTES
from readmodel.documents import CHROMIUM_CANDIDATES
from webapp.settings import INSTALLED_STYLE_DIR

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = (ROOT / "docker-compose.yml").read_text()


def _service_block(name: str) -> list[str]:
    lines = COMPOSE.splitlines()
    start = lines.index(f"  {name}:")
    block = []
    for line in lines[start + 1 :]:
        if line and not line.startswith("   "):
            break
        block.append(line)
    return block


def _command_script(service: str) -> str:
    """The `command: - |` shell script of a service, as Compose hands it to the shell (``$$`` -> ``$``)."""
    block = _service_block(service)
    start = block.index("      - |") + 1
    script = []
    for line in block[start:]:
        if line and not line.startswith("        "):
            break
        script.append(line[8:])
    return "\n".join(script).replace("$$", "$")


def _compose_search_attributes() -> dict[str, str]:
    found = re.findall(r'^\s+SEARCH_ATTRIBUTES: "([^"]*)"$', COMPOSE, flags=re.MULTILINE)
    assert len(found) == 1, "one SEARCH_ATTRIBUTES line in the temporal-admin-tools service"
    return dict(pair.split("=", 1) for pair in found[0].split())


def test_compose_registers_exactly_the_search_attributes_of_the_contract() -> None:
    assert _compose_search_attributes() == SEARCH_ATTRIBUTES


async def test_the_admin_tools_script_creates_the_namespace_and_attributes_and_can_run_again(
    dev_server: DevServer,
) -> None:
    script = _command_script("temporal-admin-tools")
    attributes = " ".join(f"{name}={kind}" for name, kind in _compose_search_attributes().items())
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "TEMPORAL_ADDRESS": dev_server.address,
        "TEMPORAL_NAMESPACE": "guidance-compose",
        "NAMESPACE_RETENTION": "720h",
        "SEARCH_ATTRIBUTES": attributes,
    }

    runs = [
        await asyncio.to_thread(
            subprocess.run, ["sh", "-c", script], env=env, capture_output=True, text=True, timeout=120
        )
        for _ in range(2)
    ]

    for run in runs:
        assert run.returncode == 0, run.stderr
        listed = dict(line.split() for line in run.stdout.splitlines() if line.strip() and len(line.split()) == 2)
        assert {name: listed.get(name) for name in SEARCH_ATTRIBUTES} == SEARCH_ATTRIBUTES


def test_the_schema_script_is_valid_shell() -> None:
    checked = subprocess.run(["sh", "-n", "-c", _command_script("temporal-schema")], capture_output=True, text=True)

    assert checked.returncode == 0, checked.stderr


def test_the_worker_image_copies_every_package_the_project_installs() -> None:
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    packages = {pattern.rstrip("*") for pattern in setuptools["packages"]["find"]["include"]}
    modules = {f"{name}.py" for name in setuptools.get("py-modules", [])}
    dockerfile = (ROOT / "Dockerfile").read_text()

    copied = {source for line in dockerfile.splitlines() if line.startswith("COPY ") for source in line.split()[1:-1]}

    assert packages | modules <= copied


def test_the_worker_image_has_the_plan_files_where_its_settings_look() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "COPY plans ./plans" in dockerfile and "WORKDIR /app" in dockerfile
    assert "GUIDANCE_PLANS_DIR=/app/plans" in dockerfile


def test_the_image_installs_designsystemet_where_the_web_app_looks_for_it() -> None:
    """The web app serves Designsystemet from node_modules (webapp/settings.py): the image installs it from the
    lock file and points GUIDANCE_WEB_STYLE_DIR at the folder the app's default names in a checkout."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "COPY package.json package-lock.json ./" in dockerfile and "npm ci --omit=dev" in dockerfile
    style_dir = re.search(r"GUIDANCE_WEB_STYLE_DIR=(\S+)", dockerfile)
    assert style_dir is not None
    assert style_dir.group(1) == "/app/" + str(INSTALLED_STYLE_DIR.relative_to(ROOT))
    lock = json.loads((ROOT / "package-lock.json").read_text())
    assert "node_modules/@digdir/designsystemet-css" in lock["packages"], "the lock file pins Designsystemet"


def _stages() -> dict[str, str]:
    """The Dockerfile's build stages by name (``FROM ... AS name``), each with its lines."""
    stages: dict[str, str] = {}
    name = ""
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        found = re.match(r"FROM \S+ AS (\w+)$", line)
        if found:
            name = found.group(1)
        stages[name] = stages.get(name, "") + line + "\n"
    return stages


def test_the_web_image_has_chromium_for_the_pdf_reports_and_the_worker_image_does_not() -> None:
    """The web app's PDF reports need headless Chromium (readmodel/documents.py looks for it by name on the PATH):
    Compose builds the web app from the Dockerfile's `web` target, which installs Debian's package of a name the
    app looks for, with fonts; the worker builds the `worker` target, the last one (a plain `docker build .`)."""
    stages = _stages()
    assert list(stages)[-1] == "worker"
    web, worker = "\n".join(_service_block("web")), "\n".join(_service_block("worker"))
    assert "target: web" in web and "target: worker" in worker
    installed = re.search(r"apt-get install -y --no-install-recommends ([^\\\n]+)", stages["web"])
    assert installed is not None
    packages = installed.group(1).split()
    assert set(packages) & set(CHROMIUM_CANDIDATES) and any(p.startswith("fonts-") for p in packages)
    assert 'CMD ["python", "-m", "webapp"]' in stages["web"] and "USER guidance" in stages["web"]
    others = [lines for name, lines in stages.items() if name != "web"]
    assert not [lines for lines in others if re.search(r"apt-get install[^\n]*chromium", lines)]
