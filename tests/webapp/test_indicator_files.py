"""The uploaded indicator files live in the record store (webapp/indicator_files.py, table `web_indicator_files`):
a file uploaded through one instance of the web app is listed, scored and compared by another on the same database;
two instances keeping the same content at once keep one row with the first's facts; and the files an earlier
version kept in its data folder are imported at the web app's start, a broken pair left with a log line."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
import pytest
from structlog.testing import capture_logs

from config.people import People
from readmodel.records import RecordReader
from tests.readmodel.outcome_files import LATER, SELECTION, STAVANGER
from tests.readmodel.rows import NOW, insert_period
from tests.selection.test_select_cli import indicator_file
from tests.webapp.conftest import SECRET, _no_temporal, app_client
from tests.webapp.test_pages import _csrf, sign_in
from webapp import indicator_files
from webapp.indicator_files import EARLIER_FOLDER, IndicatorFile, IndicatorFiles
from webapp.server import bind_socket, web_app_running
from webapp.settings import WebSettings


async def _upload(http: httpx.AsyncClient, text: str, name: str) -> str:
    """Upload the file on the selection page; its SHA-256."""
    token = _csrf(await http.get("/selection"))
    answer = await http.post(
        "/selection/files", data={"csrftoken": token}, files={"indicators": (name, text.encode(), "text/csv")}
    )
    assert answer.status_code == 303, answer.text[:500]
    return str(answer.headers["location"]).rsplit("/", 1)[1]


def _forget_parsed() -> None:
    """Forget this process's parsed files, as another instance (another process) never had them."""
    indicator_files._ROWS.clear()
    indicator_files._SHORTLISTS.clear()


async def test_a_file_uploaded_through_one_instance_is_listed_scored_and_compared_by_another(
    pool: asyncpg.Pool, second_pool: asyncpg.Pool
) -> None:
    await insert_period(pool, STAVANGER)
    async with app_client(RecordReader(pool)) as first:
        await sign_in(first, "coordinator", "coordinator-dev")
        shortlisted = await _upload(first, indicator_file(), "ind.csv")
        then = await _upload(first, SELECTION, "selection.csv")
        now = await _upload(first, LATER, "later.csv")
    _forget_parsed()

    # Its own data folder, its own pool: only the database is shared.
    async with app_client(RecordReader(second_pool)) as second:
        await sign_in(second, "coordinator", "coordinator-dev")
        listed = await second.get("/selection")
        shortlist = await second.get(f"/selection/files/{shortlisted}")
        outcomes = await second.get(f"/cohorts/2027/outcomes?then={then}&now={now}")

    assert listed.status_code == 200
    for sha, name in ((shortlisted, "ind.csv"), (then, "selection.csv"), (now, "later.csv")):
        assert f'href="/selection/files/{sha}">{name}</a>' in listed.text
    assert shortlist.status_code == 200
    ranked = re.findall(r'<tr id="owner-(\d+)" class="track-(\w+)', shortlist.text)
    assert ranked[:2] == [("1101", "rank"), ("3301", "rank")]
    assert "uploaded by coordinator" in shortlist.text
    assert outcomes.status_code == 200, outcomes.text[:500]
    assert "4 owners: better: 1, unchanged: 1, worse: 1, cannot tell: 1 (unchanged within ±5.0 pp)" in outcomes.text


async def test_two_instances_keeping_the_same_content_at_once_keep_one_row_with_one_uploads_facts(
    pool: asyncpg.Pool, second_pool: asyncpg.Pool
) -> None:
    data = indicator_file().encode()
    later = NOW + timedelta(minutes=1)

    kept = await asyncio.gather(
        IndicatorFiles(pool).keep(data, "first.csv", "coordinator", NOW),
        IndicatorFiles(second_pool).keep(data, "second.csv", "k.nilsen", later),
    )
    again = await IndicatorFiles(second_pool).keep(data, "third.csv", "a.hansen", later)

    assert kept[0] == kept[1] == again, "every upload answers with the facts the row holds"
    assert (again.name, again.uploaded_by, again.uploaded_at) in {
        ("first.csv", "coordinator", NOW),
        ("second.csv", "k.nilsen", later),
    }
    assert again.sha256 == hashlib.sha256(data).hexdigest() and again.size == len(data)
    assert await pool.fetchval("SELECT count(*) FROM web_indicator_files") == 1
    assert await IndicatorFiles(pool).listed() == [again]


async def test_files_are_listed_newest_first_and_a_malformed_sha256_finds_nothing(pool: asyncpg.Pool) -> None:
    files = IndicatorFiles(pool)
    older = await files.keep(SELECTION.encode(), "selection.csv", "coordinator", NOW - timedelta(days=400))
    newer = await files.keep(LATER.encode(), "later.csv", "coordinator", NOW)

    assert await files.listed() == [newer, older]
    assert await files.get("' OR 1=1 --") is None
    assert await files.get(newer.sha256.upper()) is None
    with pytest.raises(LookupError):
        await files.rows("../" + newer.sha256)


def _earlier_pair(folder: Path, data: bytes, facts: dict[str, object] | str | None) -> str:
    """A file as an earlier version kept it in its data folder: ``<sha256>.csv`` and the ``<sha256>.json`` facts."""
    sha = hashlib.sha256(data).hexdigest()
    (folder / f"{sha}.csv").write_bytes(data)
    if facts is not None:
        text = facts if isinstance(facts, str) else json.dumps({"sha256": sha, "size": len(data), **facts})
        (folder / f"{sha}.json").write_text(text, encoding="utf-8")
    return sha


async def test_uploads_beyond_the_kept_number_remove_the_oldest_files_that_no_decision_or_assessment_names(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(indicator_files, "MAX_KEPT", 3)
    files = IndicatorFiles(pool)

    async def upload(i: int) -> IndicatorFile:
        return await files.keep(f"file {i}\n".encode(), f"f{i}.csv", "coordinator", NOW + timedelta(minutes=i))

    oldest = [await upload(i) for i in range(3)]
    await pool.execute(
        "INSERT INTO selection_decisions (cohort, decision, decided_by, decided_at, indicator_file)"
        " VALUES ('2027', '{}', 'coordinator', $1, $2)",
        NOW,
        oldest[0].sha256,
    )
    await pool.execute(
        "INSERT INTO county_assessments (cohort, owner_id, workflow_id, owner_name, county, rank, state,"
        " requested_by, reply_by, indicator_file, updated_at)"
        " VALUES ('2027', '3301', 'assessment-2027-33', 'Drammen', '33', 1, 'requested', 'coordinator', $1, $2, $3)",
        NOW.date(),
        oldest[1].sha256,
        NOW,
    )
    with capture_logs() as logs:
        newest = [await upload(i) for i in range(3, 6)]
        again = await files.keep(b"file 3\n", "again.csv", "k.nilsen", NOW + timedelta(days=1))

    kept = await pool.fetchval("SELECT array_agg(sha256 ORDER BY uploaded_at) FROM web_indicator_files")
    assert kept == [oldest[0].sha256, oldest[1].sha256, *(f.sha256 for f in newest)]
    assert await files.get(oldest[2].sha256) is None
    assert again == newest[0], "the same content again adds nothing and removes nothing"
    forgotten = [e["files"] for e in logs if e["event"] == "indicator_files_forgotten"]
    assert forgotten == [[oldest[2].short]]


async def test_uploads_at_once_on_two_instances_each_get_their_file_and_leave_one_beyond_the_bound_at_most(
    pool: asyncpg.Pool, second_pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(indicator_files, "MAX_KEPT", 2)
    for i in range(12):
        await IndicatorFiles(pool).keep(
            f"old {i}\n".encode(), "old.csv", "coordinator", NOW - timedelta(days=1, minutes=i)
        )

    at_once = await asyncio.gather(
        *(
            IndicatorFiles(instance).keep(
                f"new {i}\n".encode(), f"new{i}.csv", "coordinator", NOW + timedelta(minutes=i)
            )
            for i, instance in enumerate([pool, second_pool] * 6)
        )
    )

    assert [f.name for f in at_once] == [f"new{i}.csv" for i in range(12)], "every upload answers with its own file"
    left = await pool.fetchval("SELECT count(*) FROM web_indicator_files")
    assert left <= 3, f"{left} files kept: the last upload's own file may stay beyond the bound, no other"
    last = await IndicatorFiles(pool).keep(b"last\n", "last.csv", "coordinator", NOW + timedelta(hours=1))
    kept = await pool.fetchval("SELECT array_agg(sha256 ORDER BY uploaded_at) FROM web_indicator_files")
    assert kept == [at_once[-1].sha256, last.sha256]


async def test_the_files_an_earlier_version_kept_in_its_folder_are_imported_once_with_their_facts(
    pool: asyncpg.Pool, tmp_path: Path
) -> None:
    folder = tmp_path / "var" / EARLIER_FOLDER
    folder.mkdir(parents=True)
    uploaded = datetime(2026, 9, 1, 10, 30, tzinfo=UTC)
    good = _earlier_pair(
        folder,
        SELECTION.encode(),
        {"name": "selection.csv", "uploaded_by": "coordinator", "uploaded_at": uploaded.isoformat()},
    )
    files = IndicatorFiles(pool)
    # Uploaded again since (the same content): the row keeps its own facts.
    already = await files.keep(LATER.encode(), "later-again.csv", "k.nilsen", NOW)
    _earlier_pair(folder, LATER.encode(), {"name": "later.csv", "uploaded_by": "coordinator", "uploaded_at": "x"})
    broken = [
        _earlier_pair(folder, b"no facts beside it\n", None),
        _earlier_pair(folder, b"facts not JSON\n", "{"),
        _earlier_pair(folder, b"facts without a name\n", {"uploaded_by": "c", "uploaded_at": uploaded.isoformat()}),
        _earlier_pair(folder, b"no time zone\n", {"name": "a.csv", "uploaded_by": "c", "uploaded_at": "2026-09-01"}),
    ]
    changed = _earlier_pair(
        folder, b"changed since\n", {"name": "b.csv", "uploaded_by": "c", "uploaded_at": uploaded.isoformat()}
    )
    (folder / f"{changed}.csv").write_bytes(b"other bytes\n")
    (folder / "notes.csv").write_text("not a kept file", encoding="utf-8")

    with capture_logs() as logs:
        added = await files.import_folder(folder)

    assert added == 1
    assert await files.get(good) == IndicatorFile(
        good, "selection.csv", len(SELECTION.encode()), "coordinator", uploaded
    )
    assert await files.get(already.sha256) == already
    assert await pool.fetchval("SELECT content FROM web_indicator_files WHERE sha256 = $1", good) == SELECTION.encode()
    assert await pool.fetchval("SELECT count(*) FROM web_indicator_files") == 2
    left = sorted(Path(e["file"]).stem for e in logs if e["event"] == "indicator_file_not_imported")
    assert left == sorted([*broken, changed])
    assert [e["files"] for e in logs if e["event"] == "indicator_files_imported"] == [1]
    _forget_parsed()
    assert len(await files.rows(good)) > 0, "an imported file reads as an uploaded one"
    assert await files.import_folder(folder) == 0, "a second start adds nothing"
    assert await files.import_folder(tmp_path / "no-such-folder") == 0


async def test_the_web_app_imports_the_earlier_folder_at_its_start(
    pool: asyncpg.Pool, database_url: str, tmp_path: Path
) -> None:
    data_dir = tmp_path / "var"
    (data_dir / EARLIER_FOLDER).mkdir(parents=True)
    sha = _earlier_pair(
        data_dir / EARLIER_FOLDER,
        SELECTION.encode(),
        {"name": "selection.csv", "uploaded_by": "coordinator", "uploaded_at": NOW.isoformat()},
    )
    switch_interval = sys.getswitchinterval()
    sock = bind_socket("127.0.0.1", 0)
    try:
        async with web_app_running(
            sock,
            database_url=database_url,
            temporal=_no_temporal,
            data_dir=data_dir,
            settings=WebSettings(_env_file=None, secret=SECRET),
            people=People("veileder.test"),
        ):
            kept = await IndicatorFiles(pool).get(sha)
    finally:
        sock.close()
        sys.setswitchinterval(switch_interval)

    assert kept is not None and (kept.name, kept.uploaded_at) == ("selection.csv", NOW)
