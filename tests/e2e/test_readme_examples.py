"""The README's shell examples, and the cohort guide's (docs/cohorts.md), run exactly as printed on the dev stack.

Each fenced block is taken from the file as it is and every line runs through a shell, unchanged, in a folder laid
out as a checkout (`.venv` and `scripts` there, `var/` for the files the examples write), with `guidance` and
`temporal` pointed at the test's `python -m devstack` (what `make dev` runs) by their environment variables. A
transcript block (lines beginning `$ `) must print what follows it, exactly. The dev server keeps real time, so an
example whose dates have passed fails here, naming the date: move the examples forward then.
"""

from __future__ import annotations

import asyncio
import re
import shlex
import subprocess
import sys
from datetime import date
from pathlib import Path

from config.mail import MailSettings
from tests.devstack.stack_process import RunningStack, clean_environment, eventually
from tests.helpers.clock import real_today
from webapp.settings import WebSettings

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
COHORT_GUIDE = ROOT / "docs" / "cohorts.md"
FENCE = re.compile(r"^( *)```([a-z]*)\n(.*?)^ *```", re.DOTALL | re.MULTILINE)
DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
#: The README's first block: `make dev` is what the `stack` fixture runs (`python -m devstack`), `make test` the suite
#: this test belongs to; neither can run inside a test.
STACK_LINES = ["make dev", "make test"]
# Visibility follows an update with a lag (longer on a loaded CI machine).
WAIT_SECONDS = 30.0


def fenced_blocks(text: str) -> list[tuple[str, str]]:
    """Every fenced block of a Markdown text: its language and its lines, with a list item's indent taken off."""
    blocks = []
    for indent, language, body in FENCE.findall(text):
        lines = [line[len(indent) :] if line.startswith(indent) else line for line in body.splitlines()]
        blocks.append((language, "\n".join(lines) + "\n"))
    return blocks


def shell_lines(body: str) -> list[str]:
    """A shell block's commands as the shell reads them: continuation lines joined, empty and comment lines left out."""
    return [
        line for line in body.replace("\\\n", " ").splitlines() if line.strip() and not line.lstrip().startswith("#")
    ]


def without_comment(line: str) -> str:
    return shlex.join(shlex.split(line, comments=True))


def transcript(body: str) -> tuple[str, list[str]]:
    """A `$ command` block: the command and the lines it prints."""
    first, *printed = body.splitlines()
    return first.removeprefix("$ "), printed


def checkout(folder: Path) -> Path:
    """A folder laid out as the examples expect a checkout: this virtualenv as `.venv`, the scripts, `var/`."""
    folder.mkdir()
    (folder / ".venv").symlink_to(Path(sys.prefix))
    (folder / "scripts").symlink_to(ROOT / "scripts")
    (folder / "var").mkdir()
    return folder


async def run_line(stack: RunningStack, folder: Path, line: str) -> subprocess.CompletedProcess[str]:
    """One line, as written, through bash in `folder`, its commands pointed at the stack."""
    env = clean_environment(
        TEMPORAL_ADDRESS=stack.address,
        DATABASE_URL=stack.database_url,
        PATH=f"{Path(sys.prefix) / 'bin'}:/usr/bin:/bin",
        COLUMNS="250",
    )
    return await asyncio.to_thread(
        subprocess.run,
        ["bash", "-c", line],
        capture_output=True,
        text=True,
        cwd=folder,
        env=env,
        timeout=300,
        check=False,
    )


def assert_known_settings(body: str, folder: Path) -> None:
    """A block of settings (production's sign-in and mail) names only settings that exist and that take its values,
    read as the services read a `.env` file."""
    known = {f"GUIDANCE_WEB_{name.upper()}" for name in WebSettings.model_fields} | {
        f"GUIDANCE_MAIL_{name.upper()}" for name in MailSettings.model_fields
    }
    for line in body.splitlines():
        key, equals, value = line.partition("=")
        assert equals and value, f"not KEY=VALUE: {line}"
        assert key in known, f"{key} is no setting of the web app or of mail"
    env_file = folder / "example.env"
    env_file.write_text(body)
    WebSettings(_env_file=env_file)
    MailSettings(_env_file=env_file)


def assert_dates_ahead(lines: list[str], today: date, *, started: str | None = None) -> None:
    """Every date of `lines` (but the period's start `started`) lies after today, or the examples cannot run."""
    dates = {d for line in lines for d in DATE.findall(line) if d != started}
    passed = sorted(d for d in dates if date.fromisoformat(d) <= today)
    assert not passed, f"the examples use {', '.join(passed)}, not after today ({today}): move their dates forward"


async def test_every_readme_example_runs_as_printed(stack: RunningStack, tmp_path: Path) -> None:
    folder = checkout(tmp_path / "checkout")
    blocks = fenced_blocks(README.read_text())
    shell = [shell_lines(body) for language, body in blocks if language == "sh"]
    transcripts = [transcript(body) for language, body in blocks if language == "" and body.startswith("$ ")]
    settings = [body for language, body in blocks if language == "dotenv"]
    assert len(blocks) == len(shell) + len(transcripts) + len(settings), (
        "a README block that is neither a shell block, a $ line nor settings"
    )
    for body in settings:
        assert_known_settings(body, tmp_path)
    assert [without_comment(line) for line in shell[0]] == STACK_LINES
    tour = [line for lines in shell[1:] for line in lines]
    assert_dates_ahead(tour + [command for command, _ in transcripts], real_today(), started="2026-11-30")

    outputs = []
    for line in tour:
        done = await run_line(stack, folder, line)
        assert done.returncode == 0, f"{line}\n{done.stdout}\n{done.stderr}"
        outputs.append(done.stdout)
    for command, printed in transcripts:
        done = await run_line(stack, folder, command)
        assert done.returncode == 1, f"{command}\n{done.stdout}\n{done.stderr}"
        assert (done.stdout + done.stderr).splitlines() == printed

    status = next(out for line, out in zip(tour, outputs, strict=True) if " status " in line)
    assert "Anchoring" in status and "Drammen" in status, status
    # The last line lists the period once its phase has reached visibility; the same line, run again, shows it.
    listing = await eventually(
        lambda: run_line(stack, folder, tour[-1]),
        lambda done: "guidance-period-2026-3301" in done.stdout,
        seconds=WAIT_SECONDS,
    )
    assert "guidance-period-2026-3301" in listing.stdout, listing.stdout


async def test_the_cohort_guides_example_runs_as_printed_from_select_to_show(
    stack: RunningStack, tmp_path: Path
) -> None:
    folder = checkout(tmp_path / "checkout")
    text = COHORT_GUIDE.read_text()
    section = text[text.index("## Running a cohort") :]
    blocks = fenced_blocks(section)
    lines = shell_lines(next(body for language, body in blocks if language == "sh"))
    assignment = next(body for language, body in blocks if body.startswith("owner_id,advisers"))
    assert_dates_ahead(lines, real_today())
    (folder / "var" / "assign.csv").write_text(assignment)

    outputs = []
    for line in lines:
        done = await run_line(stack, folder, line)
        assert done.returncode == 0, f"{line}\n{done.stdout}\n{done.stderr}"
        outputs.append(done.stdout)

    shortlist = (folder / "var" / "shortlist.csv").read_text().splitlines()
    chosen = {row.split(",")[1] for row in shortlist[1:]}
    assert {row.split(",")[0] for row in assignment.splitlines()[1:]} <= chosen
    started = next(out for line, out in zip(lines, outputs, strict=True) if "cohort start" in line)
    assert f"Started cohort-2028: {len(chosen)} school owners" in started, started
    answer = next(out for line, out in zip(lines, outputs, strict=True) if "cohort answer" in line)
    assert "Lærdal (4642) accepted in cohort 2028" in answer, answer
    network = next(out for line, out in zip(lines, outputs, strict=True) if "network-meeting" in line)
    assert "sent to 1 running period: Lærdal (4642)" in network, network
    for shown in ("Lærdal", "Høyanger", "Sarpsborg", "Sogn", "The school owner role"):
        assert shown in outputs[-1], outputs[-1]
