"""`python -m starter`: the `guidance` command without its console script."""

from starter.cli import main

main()
