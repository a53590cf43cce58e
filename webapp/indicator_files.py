"""The indicator files coordinators upload, kept by content under the web app's data folder.

``<data_dir>/indicator-files/<sha256>.csv`` holds a file's bytes, and ``<sha256>.json`` who uploaded it, when, and
under which name; the same file uploaded twice is kept once, with its first upload's facts. Only a file that reads
without a problem is kept (`selection.indicator_file`, the same rules as `guidance select`), so every file offered
for picking scores. A file's rows are read, and its shortlist scored, once per process and kept for the few latest
files (the outcomes page compares two files' rows).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

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
    """The folder of uploaded indicator files."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def check(self, data: bytes, name: str) -> None:
        """Read the file as `guidance select` does.

        Raises:
            UploadTooLarge: Over `MAX_UPLOAD_BYTES`.
            selection.indicator_file.IndicatorFileError: Every problem, by line and column.
        """
        if len(data) > MAX_UPLOAD_BYTES:
            raise UploadTooLarge(len(data))
        parse_indicator_bytes(data, file_name(name), indicators=load_selection_config().indicators)

    def keep(self, data: bytes, name: str, by: str, at: datetime) -> IndicatorFile:
        """Keep a checked file (a file kept already keeps its first upload's facts)."""
        sha = hashlib.sha256(data).hexdigest()
        found = self.get(sha)
        if found is not None:
            return found
        self.folder.mkdir(parents=True, exist_ok=True)
        kept = IndicatorFile(sha, file_name(name), len(data), by, at)
        _write(self.folder / f"{sha}.csv", data)
        facts = {**asdict(kept), "uploaded_at": at.isoformat()}
        # The facts last: a file is listed only once both are whole.
        _write(self.folder / f"{sha}.json", json.dumps(facts, ensure_ascii=False).encode())
        return kept

    def get(self, sha256: str) -> IndicatorFile | None:
        if not _HASH.match(sha256):
            return None
        try:
            facts = json.loads((self.folder / f"{sha256}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return IndicatorFile(
            sha256=sha256,
            name=str(facts["name"]),
            size=int(facts["size"]),
            uploaded_by=str(facts["uploaded_by"]),
            uploaded_at=datetime.fromisoformat(facts["uploaded_at"]),
        )

    def listed(self) -> list[IndicatorFile]:
        """The kept files, newest upload first."""
        if not self.folder.is_dir():
            return []
        found = [self.get(path.stem) for path in self.folder.glob("*.json")]
        return sorted((f for f in found if f is not None), key=lambda f: f.uploaded_at, reverse=True)[:MAX_LISTED]

    def shortlist(self, sha256: str) -> Shortlist:
        """The file's shortlist under the shipped selection configuration (seconds for a country's file)."""
        return _shortlist(self.folder / f"{sha256}.csv")

    def rows(self, sha256: str) -> tuple[IndicatorRow, ...]:
        """The file's rows (read once per process for the few latest files: a country's file takes seconds)."""
        return _rows(self.folder / f"{sha256}.csv")


@functools.lru_cache(maxsize=4)
def _rows(path: Path) -> tuple[IndicatorRow, ...]:
    config = load_selection_config()
    return tuple(parse_indicator_bytes(path.read_bytes(), path.name, indicators=config.indicators))


@functools.lru_cache(maxsize=4)
def _shortlist(path: Path) -> Shortlist:
    return select(_rows(path), load_selection_config())


def _write(path: Path, data: bytes) -> None:
    """Write whole or not at all: a reader never sees half a file."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_bytes(data)
    partial.replace(path)
