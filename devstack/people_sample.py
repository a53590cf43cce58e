"""The people file of `make dev` (config/people.py): the development advisers' addresses and a few owners' contacts.

Written once to ``<data>/people.toml`` and then left alone, so a newcomer can edit it and restart; used unless
``GUIDANCE_PEOPLE_FILE`` names another. The addresses are on reserved test domains: nothing leaves the machine
anyway (the local mail server keeps every message), and a copy pasted elsewhere reaches nobody.
"""

from __future__ import annotations

from pathlib import Path

#: The file's name in the data folder.
PEOPLE_FILE = "people.toml"

SAMPLE = """\
# Who receives what (config/people.py, docs/operating.md "The people file"). Edit, then restart `make dev`.
# An adviser not listed here gets <id>@GUIDANCE_ADVISER_MAIL_DOMAIN; an owner not listed has no contact person.

[[advisers]]
id = "a.hansen"
name = "Anne Hansen"
address = "anne.hansen@veiledere.example.no"

[[advisers]]
id = "b.olsen"
name = "Bjørn Olsen"
address = "bjorn.olsen@veiledere.example.no"

[[advisers]]
id = "c.berg"
name = "Camilla Berg"
address = "camilla.berg@veiledere.example.no"

[[owners]]
owner_id = "3301"
name = "Kari Nordmann"
address = "kari.nordmann@drammen.example.no"

[[owners]]
owner_id = "4601"
name = "Ola Vik"
address = "ola.vik@bergen.example.no"

[[owners]]
owner_id = "5510"
name = "Sara Eira"
address = "sara.eira@kvafjord.example.no"
"""


def sample_people_file(data_dir: Path) -> Path:
    """``<data>/people.toml``, written with the sample if it does not exist yet."""
    path = data_dir / PEOPLE_FILE
    if not path.exists():
        path.write_text(SAMPLE, encoding="utf-8")
    return path
