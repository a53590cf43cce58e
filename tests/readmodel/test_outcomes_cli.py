"""`guidance report outcomes`: a cohort's owners at selection and now, from the record store and two indicator
files: the hand-computed pair (`tests.readmodel.outcome_files`) and two generated files three years apart."""

from __future__ import annotations

import csv
import hashlib
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest
from typer.testing import CliRunner

from language.current import using
from readmodel.outcomes import share_text
from scripts import generate_indicators
from selection.indicator_file import parse_indicator_csv
from selection.scoring import load_selection_config, select
from starter.cli import app
from tests.activities.factories import selection_decision
from tests.readmodel.outcome_files import BY_HAND, LATER, SELECTION, STAVANGER
from tests.readmodel.pdf import page_count, page_sizes_mm, title
from tests.readmodel.rows import NOW, insert_period
from webapp.indicator_files import IndicatorFiles

runner = CliRunner()


@pytest.fixture
async def files(pool: asyncpg.Pool, tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The hand-written pair in `tmp_path`, Stavanger added to cohort 2027, and the command on the store."""
    await insert_period(pool, STAVANGER)
    (tmp_path / "selection.csv").write_text(SELECTION, encoding="utf-8")
    (tmp_path / "later.csv").write_text(LATER, encoding="utf-8")
    monkeypatch.setenv("DATABASE_URL", database_url)
    return tmp_path


def test_the_table_and_the_csv_give_the_hand_computed_shares(files: Path) -> None:
    sheet = files / "out" / "outcomes.csv"

    done = runner.invoke(
        app,
        ["report", "outcomes", "--cohort", "2027", "--file", str(files / "later.csv"),
         "--selection-file", str(files / "selection.csv"), "--csv", str(sheet)],
        terminal_width=160,
    )  # fmt: skip

    assert done.exit_code == 0, done.output
    assert "Cohort 2027: outcomes, 2022-23–2024-25 and 2025-26–2027-28" in done.output
    drammen = next(line for line in done.output.splitlines() if "Drammen" in line)
    assert drammen.split() == ["3301", "Drammen", "39.4%", "12.1%", "−27.3", "pp", "better", "1/1"]
    assert "4 owners: better: 1, unchanged: 1, worse: 1, cannot tell: 1 (unchanged within ±5.0 pp)" in done.output
    with sheet.open(encoding="utf-8") as rows:
        totals = {row["Owner id"]: row for row in csv.DictReader(rows) if not row["Indicator"]}
    for owner_id, (then, now, moved) in BY_HAND.items():
        row = totals[owner_id]
        assert row["Movement"] == moved
        assert (row["Points at selection"], row["Possible at selection"]) == tuple(str(n) for n in then)  # type: ignore[union-attr]
        assert row["Share now"] == ("" if now is None else str(round(now[0] / now[1], 4)))


async def _decision_on(pool: asyncpg.Pool, sha: str) -> None:
    """Cohort 2027's selection decision, on the indicator file of SHA-256 `sha`."""
    record = selection_decision(datetime(2026, 12, 1, tzinfo=UTC), cohort="2027")
    decision = record.decision.model_copy(update={"indicator_file": sha})
    await pool.execute(
        "INSERT INTO selection_decisions (cohort, decision, decided_by, decided_at, indicator_file)"
        " VALUES ($1, $2::jsonb, $3, $4, $5)",
        "2027", decision.model_dump(mode="json"), "coordinator", record.decided_at, sha,
    )  # fmt: skip


@pytest.fixture
async def decided(files: Path, pool: asyncpg.Pool) -> str:
    """Cohort 2027's selection decision on the hand-written selection file, which the web app kept in the record
    store; its SHA-256."""
    kept = await IndicatorFiles(pool).keep(SELECTION.encode(), "selection.csv", "coordinator", NOW)
    await _decision_on(pool, kept.sha256)
    return kept.sha256


def test_the_selection_file_is_the_decisions_file_the_web_app_kept(files: Path, decided: str) -> None:
    done = runner.invoke(app, ["report", "outcomes", "--cohort", "2027", "--file", str(files / "later.csv")])

    assert done.exit_code == 0, done.output
    assert "39.4%" in done.output

    other = runner.invoke(
        app,
        ["report", "outcomes", "--cohort", "2027", "--file", str(files / "later.csv"),
         "--selection-file", str(files / "later.csv")],
    )  # fmt: skip
    assert other.exit_code == 2
    assert f"is not the file cohort 2027 was selected from (SHA-256 {decided[:12]})" in " ".join(other.output.split())


@pytest.fixture
async def decided_not_kept(files: Path, pool: asyncpg.Pool) -> str:
    """Cohort 2027's selection decision on the hand-written selection file, which the record store does not hold
    (uploaded to a web app on another database, or kept in a folder not imported); its SHA-256."""
    sha = hashlib.sha256(SELECTION.encode()).hexdigest()
    await _decision_on(pool, sha)
    return sha


def test_a_decisions_file_the_record_store_does_not_hold_is_named_with_what_to_do(
    files: Path, decided_not_kept: str
) -> None:
    sha = decided_not_kept

    done = runner.invoke(app, ["report", "outcomes", "--cohort", "2027", "--file", str(files / "later.csv")])

    assert done.exit_code == 2, done.output
    said = " ".join(done.output.split())
    assert f"the indicator file of cohort 2027's decision (SHA-256 {sha[:12]}) is not among the files uploaded" in said
    assert "name the file it was selected from with --selection-file" in said
    given = runner.invoke(
        app,
        ["report", "outcomes", "--cohort", "2027", "--file", str(files / "later.csv"),
         "--selection-file", str(files / "selection.csv")],
    )  # fmt: skip
    assert given.exit_code == 0, given.output


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        ([], 2, "cohort 2027 has no selection decision in the record store"),
        (["--tolerance", "0.9"], 2, "tolerance: a share between 0 and 0.5"),
        (["--selection-file", "missing.csv"], 2, "--selection-file: cannot read"),
        (["--selection-file", "later.csv"], 1, "is not after the selection file's"),
    ],
)
def test_mistakes_are_named(
    files: Path, args: list[str], code: int, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(files)

    done = runner.invoke(app, ["report", "outcomes", "--cohort", "2027", "--file", "later.csv", *args])

    assert done.exit_code == code, done.output
    assert message in " ".join(done.output.split())


def test_two_generated_files_three_years_apart(
    pool: asyncpg.Pool, tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The seeded sample and the same world three school years later: the share at selection is the one the
    selection scored, and every owner of the cohort is counted once."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    first, later = tmp_path / "indicators.csv", tmp_path / "indicators-later.csv"
    first.write_text(generate_indicators.generate(seed=2026), encoding="utf-8")
    later.write_text(generate_indicators.generate(seed=2026, after=3), encoding="utf-8")
    sheet = tmp_path / "outcomes.csv"

    done = runner.invoke(
        app,
        ["report", "outcomes", "--cohort", "2027", "--file", str(later), "--selection-file", str(first),
         "--csv", str(sheet)],
        terminal_width=160,
    )  # fmt: skip

    assert done.exit_code == 0, done.output
    assert "2022-23–2024-25 and 2025-26–2027-28" in done.output
    config = load_selection_config()
    shortlist = select(
        parse_indicator_csv(first.read_text(encoding="utf-8"), indicators=config.indicators), config, top=400
    )
    scored = {s.assessment.owner_id: s.assessment.share for s in shortlist.selected}
    with sheet.open(encoding="utf-8") as rows:
        totals = {row["Owner id"]: row for row in csv.DictReader(rows) if not row["Indicator"]}
    assert sorted(totals) == ["3301", "3303", "4601"]
    for owner_id, row in totals.items():
        assert float(row["Share at selection"]) == pytest.approx(scored[owner_id], abs=5e-5)
        assert row["Share now"], "the later file scores every owner"
        with using("en"):
            assert share_text(scored[owner_id]) in done.output
    assert "3 owners: better: " in done.output


def test_the_report_as_html_and_pdf_in_the_language_asked_for(files: Path) -> None:
    page, printed = files / "outcomes.html", files / "outcomes.pdf"

    done = runner.invoke(
        app,
        ["report", "outcomes", "--cohort", "2027", "--file", str(files / "later.csv"),
         "--selection-file", str(files / "selection.csv"), "--language", "nn", "--html", str(page),
         "--pdf", str(printed)],
    )  # fmt: skip

    assert done.exit_code == 0, done.output
    html = page.read_text(encoding="utf-8")
    assert '<html lang="nn">' in html and "<h1>Pulje 2027: resultat</h1>" in html
    assert "39,4" in html and "ingen verdi" in html, "nynorsk numbers, and the suppressed values said"
    pdf = printed.read_bytes()
    assert pdf.startswith(b"%PDF-") and page_count(pdf) >= 1
    assert page_sizes_mm(pdf) == {(297, 210)}, "A4 landscape, as the cohort report"
    assert title(pdf) == "Pulje 2027: resultat · Veilederkorpset"
