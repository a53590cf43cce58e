"""What a person at a terminal sees of a command's progress bars: the raw bytes rich draws, read back as the
last screen, and a command run with its stderr on a real pseudo-terminal."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# Cursor movement, erasing, colours, showing and hiding the cursor.
_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
# rich redraws its live display from the start of the line, erasing it, then moving up a line per line drawn.
_REDRAW = "\r\x1b[2K"
# ... and a transient display, once done, moves up and erases every line it drew.
CLEARED = "\x1b[1A\x1b[2K"


def last_screen(raw: str) -> list[str]:
    """The lines of the last frame a live display drew (as it stays on screen unless the display is transient)."""
    if _REDRAW not in raw:
        return []
    frame = raw[raw.rindex(_REDRAW) :]
    return [line for line in _ESCAPE.sub("", frame).replace("\r", "").split("\n") if line.strip()]


@dataclass(frozen=True)
class TerminalRun:
    returncode: int
    stdout: str
    terminal: str
    """What the command drew on its stderr, a pseudo-terminal."""


def run_with_terminal_stderr(args: Sequence[str], env: Mapping[str, str], timeout: float = 60.0) -> TerminalRun:
    """Run a command with stdout on a pipe and stderr on a pseudo-terminal, as `guidance ... > file` at a prompt."""
    leader, follower = pty.openpty()
    drawn: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the command has ended and closed the terminal
                return
            if not chunk:
                return
            drawn.append(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        done = subprocess.run(
            args, stdout=subprocess.PIPE, stderr=follower, env=dict(env), timeout=timeout, check=False
        )
    finally:
        os.close(follower)
        reader.join(timeout=10)
        os.close(leader)
    return TerminalRun(done.returncode, done.stdout.decode(), b"".join(drawn).decode(errors="replace"))
