"""`python -m webapp.password_hash`: read a password (not echoed) and print its argon2 hash for the users file."""

from __future__ import annotations

import getpass
import sys

from webapp.users import hash_password


def main() -> int:
    password = getpass.getpass("Password: ") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")
    if len(password) < 12:
        print("error: a password needs at least 12 characters", file=sys.stderr)
        return 2
    print(hash_password(password))
    return 0


if __name__ == "__main__":
    sys.exit(main())
