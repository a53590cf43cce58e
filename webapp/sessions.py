"""Server-side revocation of sessions: a signed session cookie alone stays valid until it expires, even after
signing out, so a copied cookie could be replayed.

Each session carries a random id (``sid``) and its user's *generation* at sign-in. Signing out raises the
user's generation, so every session of that user made before (this browser's and any copy of its cookie,
also on other devices) stops working at once. The generations are kept in ``<data_dir>/session-generations.json``
(one number per user, so the file stays small), so a restart does not bring a revoked cookie back; without a
data folder (tests) they live in memory.
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
from pathlib import Path

FILE_NAME = "session-generations.json"


class SessionGenerations:
    def __init__(self, path: Path | None) -> None:
        self._path = path
        self._generations: dict[str, int] = {}
        if path is not None and path.exists():
            loaded = json.loads(path.read_text(encoding="utf-8"))
            self._generations = {str(k): int(v) for k, v in loaded.items()}

    @classmethod
    def in_folder(cls, data_dir: Path | None) -> SessionGenerations:
        return cls(data_dir / FILE_NAME if data_dir is not None else None)

    def current(self, user: str) -> int:
        return self._generations.get(user, 0)

    def revoke_all(self, user: str) -> None:
        """Every session `user` has now stops working (signing out)."""
        self._generations[user] = self.current(user) + 1
        if self._path is not None:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            # Written whole and renamed, so a crash never leaves half a file (which would bring old sessions back).
            with tempfile.NamedTemporaryFile("w", dir=self._path.parent, delete=False, encoding="utf-8") as out:
                json.dump(self._generations, out)
            os.replace(out.name, self._path)


def new_session_id() -> str:
    return secrets.token_urlsafe(24)
