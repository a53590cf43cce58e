"""The indicator files coordinators upload, kept by content in the record store (table `web_indicator_files`).

Every instance of the web app (several may serve one database behind a load balancer) and `guidance report
outcomes` read the files, so they live in PostgreSQL, not on one instance's disk. A row holds a file's bytes, who
uploaded it, when, and under which name, keyed by the SHA-256 of the bytes; the same file uploaded twice is kept
once, with its first upload's facts. Only a file that reads without a problem is kept (`selection.indicator_file`,
the same rules as `guidance select`), so every file offered for picking scores. A file's rows are read, and its
shortlist scored, once per process and kept for the few latest files (the outcomes page compares two files' rows):
a file's content never changes under its SHA-256, so nothing cached goes stale.

Files an earlier version kept under ``<data_dir>/indicator-files/`` (``<sha256>.csv`` and its ``<sha256>.json``
facts) are imported at the web app's start (`IndicatorFiles.import_folder`).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Generic, TypeVar

import asyncpg
import structlog

from language.current import gettext as _
from language.formats import number
from selection.indicator_file import MAX_FILE_BYTES, parse_indicator_bytes
from selection.scoring import IndicatorRow, Shortlist, load_selection_config, select

#: The largest file taken: the indicator file's own bound.
MAX_UPLOAD_BYTES = MAX_FILE_BYTES
#: Files listed for picking, newest first.
MAX_LISTED = 50
_HASH = re.compile(r"^[0-9a-f]{64}$")
_NAME = re.compile(r"[^A-Za-z0-9._ -]+")
#: The folder under the web app's data folder where an earlier version kept the files (`IndicatorFiles.import_folder`).
EARLIER_FOLDER = "indicator-files"
#: Files whose rows (and shortlists) a process keeps parsed: the outcomes page compares two, a few people at once.
PARSED_FILES = 4
#: Uploads kept, newest first, beside every file a selection decision or a county governor's assessment names
#: (those are kept for good: the outcomes and the report read them). Each upload beyond them removes the oldest
#: of the rest, so a coordinator's account, or someone holding it, cannot fill the record store (8 MB a file).
MAX_KEPT = 100

log = structlog.get_logger("webapp")

_FACTS = "SELECT sha256, name, size, uploaded_by, uploaded_at FROM web_indicator_files"
_FACTS_OF = f"{_FACTS} WHERE sha256 = $1"
_KEEP = """
INSERT INTO web_indicator_files (sha256, name, size, uploaded_by, uploaded_at, content)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (sha256) DO NOTHING
"""
_KEEP_COUNTED = f"WITH added AS ({_KEEP} RETURNING 1) SELECT count(*) FROM added"
# $1: MAX_KEPT, $2: the file just kept. The files no decision or assessment names, but for the newest uploads.
_FORGET_OLDEST = """
DELETE FROM web_indicator_files AS f
WHERE f.sha256 IN (SELECT sha256 FROM web_indicator_files ORDER BY uploaded_at DESC, sha256 OFFSET $1)
  AND f.sha256 <> $2
  AND NOT EXISTS (SELECT 1 FROM selection_decisions d WHERE d.indicator_file = f.sha256)
  AND NOT EXISTS (SELECT 1 FROM county_assessments a WHERE a.indicator_file = f.sha256)
RETURNING f.sha256
"""
_ONE_REMOVING = "SELECT pg_advisory_xact_lock(hashtext('web_indicator_files'))"
_KEPT_OF = "SELECT sha256 FROM web_indicator_files WHERE sha256 = ANY($1::text[])"


class UploadTooLarge(ValueError):
    def __init__(self, size: int | None = None) -> None:
        limit = MAX_UPLOAD_BYTES // 1024 // 1024
        hint = _("a whole country's indicator export is about 5 MB: export only the indicators and years needed")
        if size is None:
            said = _("the file is larger than %(limit)s MB; %(hint)s") % {"limit": limit, "hint": hint}
        else:
            said = _("the file is larger than %(limit)s MB (%(size)s MB); %(hint)s") % {
                "limit": limit,
                "size": number(size / 1024 / 1024, 1),
                "hint": hint,
            }
        super().__init__(said)


@dataclass(frozen=True)
class IndicatorFile:
    sha256: str
    name: str
    size: int
    uploaded_by: str
    uploaded_at: datetime

    @property
    def short(self) -> str:
        return self.sha256[:12]


def file_name(name: str) -> str:
    """The uploaded file's name as shown (no path, no markup), at most 100 characters."""
    return _NAME.sub("_", Path(name.replace("\\", "/")).name)[:100] or "indicators.csv"


class IndicatorFiles:
    """The uploaded indicator files, in the record store the web app's pool reaches."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    def check(self, data: bytes, name: str) -> None:
        """Read the file as `guidance select` does.

        Raises:
            UploadTooLarge: Over `MAX_UPLOAD_BYTES`.
            selection.indicator_file.IndicatorFileError: Every problem, by line and column.
        """
        if len(data) > MAX_UPLOAD_BYTES:
            raise UploadTooLarge(len(data))
        parse_indicator_bytes(data, file_name(name), indicators=load_selection_config().indicators)

    async def keep(self, data: bytes, name: str, by: str, at: datetime) -> IndicatorFile:
        """Keep a checked file (a file kept already keeps its first upload's facts); beyond `MAX_KEPT` uploads, the
        oldest that nothing names are removed."""
        sha = hashlib.sha256(data).hexdigest()
        forgotten: list[asyncpg.Record] = []
        async with self._pool.acquire() as connection, connection.transaction():
            if await connection.fetchval(_KEEP_COUNTED, sha, file_name(name), len(data), by, at, data):
                # One upload removes at a time (uploads on other instances wait here), so each sees the files the
                # ones before it kept: uploads at once would each miss the others' and leave them all beyond the bound.
                await connection.execute(_ONE_REMOVING)
                forgotten = await connection.fetch(_FORGET_OLDEST, MAX_KEPT, sha)
            # Read back, not the facts given: another upload of the same content (here or on another instance)
            # may have been first. In the transaction, so that another upload's removal cannot come between.
            row = await connection.fetchrow(_FACTS_OF, sha)
        if forgotten:
            log.info("indicator_files_forgotten", files=[r["sha256"][:12] for r in forgotten], kept=MAX_KEPT)
        if row is None:
            raise LookupError(f"indicator file {sha} was kept but cannot be read back")
        return _file(row)

    async def get(self, sha256: str) -> IndicatorFile | None:
        """The file's facts (None: no file has that content, or `sha256` is no SHA-256)."""
        if not _HASH.match(sha256):
            return None
        row = await self._pool.fetchrow(_FACTS_OF, sha256)
        return _file(row) if row is not None else None

    async def listed(self) -> list[IndicatorFile]:
        """The kept files, newest upload first, at most `MAX_LISTED`."""
        rows = await self._pool.fetch(f"{_FACTS} ORDER BY uploaded_at DESC, sha256 LIMIT $1", MAX_LISTED)
        return [_file(row) for row in rows]

    async def rows(self, sha256: str) -> tuple[IndicatorRow, ...]:
        """The kept file's rows (read once per process for the few latest files: a country's file takes seconds).

        Raises:
            LookupError: No file with that content is kept.
        """
        found = _ROWS.get(sha256)
        if found is not None:
            return found
        row = None
        if _HASH.match(sha256):
            row = await self._pool.fetchrow("SELECT name, content FROM web_indicator_files WHERE sha256 = $1", sha256)
        if row is None:
            raise LookupError(f"no indicator file {sha256[:64]!r} is kept")
        found = await asyncio.to_thread(_parsed, row["content"], row["name"])
        _ROWS.put(sha256, found)
        return found

    async def shortlist(self, sha256: str) -> Shortlist:
        """The kept file's shortlist under the shipped selection configuration (seconds for a country's file).

        Raises:
            LookupError: No file with that content is kept.
        """
        found = _SHORTLISTS.get(sha256)
        if found is None:
            found = await asyncio.to_thread(select, await self.rows(sha256), load_selection_config())
            _SHORTLISTS.put(sha256, found)
        return found

    async def import_folder(self, folder: Path) -> int:
        """Keep the files an earlier version kept in `folder` (``<sha256>.csv`` with its ``<sha256>.json`` facts)
        that the table does not hold yet, with their facts; a pair that is incomplete or does not match its SHA-256
        is logged and left. Safe to run at every start, and on several instances at once.

        Returns:
            How many files were added.
        """
        added = 0
        candidates = await asyncio.to_thread(_folder_hashes, folder)
        kept = {r["sha256"] for r in await self._pool.fetch(_KEPT_OF, candidates)} if candidates else set()
        for sha in candidates:
            if sha in kept:
                continue
            path = folder / f"{sha}.csv"
            try:
                data, (name, by, at) = await asyncio.to_thread(_folder_pair, path)
                added += await self._pool.fetchval(_KEEP_COUNTED, sha, name, len(data), by, at, data)
            except (OSError, ValueError, KeyError, TypeError, asyncpg.DataError) as error:
                log.warning("indicator_file_not_imported", file=str(path), reason=str(error))
        if added:
            log.info("indicator_files_imported", folder=str(folder), files=added)
        return added


def _file(row: asyncpg.Record) -> IndicatorFile:
    return IndicatorFile(
        sha256=row["sha256"],
        name=row["name"],
        size=row["size"],
        uploaded_by=row["uploaded_by"],
        uploaded_at=row["uploaded_at"],
    )


def _parsed(data: bytes, name: str) -> tuple[IndicatorRow, ...]:
    return tuple(parse_indicator_bytes(data, name, indicators=load_selection_config().indicators))


def _folder_hashes(folder: Path) -> list[str]:
    """The SHA-256 of each file in the folder an earlier version kept (none when there is no folder)."""
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.glob("*.csv") if _HASH.match(p.stem))


def _folder_pair(path: Path) -> tuple[bytes, tuple[str, str, datetime]]:
    """A file of the folder an earlier version kept, and its facts: name, who uploaded it, when.

    Raises:
        OSError: Either file cannot be read.
        ValueError, KeyError, TypeError: The facts are malformed, or the bytes are not the named SHA-256's.
    """
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != path.stem:
        raise ValueError("the content does not match the SHA-256 of its name")
    facts = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    at = datetime.fromisoformat(facts["uploaded_at"])
    if at.tzinfo is None:
        raise ValueError("uploaded_at has no time zone")
    return data, (file_name(str(facts["name"])), str(facts["uploaded_by"]), at)


_T = TypeVar("_T")


class _Recent(Generic[_T]):
    """The few latest files' parsed rows or shortlists, by SHA-256 (used on the event loop only)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._kept: OrderedDict[str, _T] = OrderedDict()

    def get(self, sha256: str) -> _T | None:
        found = self._kept.get(sha256)
        if found is not None:
            self._kept.move_to_end(sha256)
        return found

    def put(self, sha256: str, value: _T) -> None:
        self._kept[sha256] = value
        self._kept.move_to_end(sha256)
        while len(self._kept) > self._size:
            self._kept.popitem(last=False)

    def clear(self) -> None:
        self._kept.clear()


_ROWS: _Recent[tuple[IndicatorRow, ...]] = _Recent(PARSED_FILES)
_SHORTLISTS: _Recent[Shortlist] = _Recent(PARSED_FILES)
