"""`guidance contact`: the school owner's contact person of a period, whom its invitations reach at the owner.

    guidance contact set --cohort 2027 --owner 3301 --name "Kari Nordmann" --email kari@drammen.kommune.no \\
        [--phone "+47 32 04 70 00"] [--role "Kommunalsjef oppvekst"] --by k.nilsen
    guidance contact clear --cohort 2027 --owner 3301 --by k.nilsen
    guidance contact show --cohort 2027 --owner 3301 [--json]

`set` and `clear` go through `OwnerContactWorkflow` (`starter.contacts`) like the period page's form; `show` reads
the record store (``DATABASE_URL``) and, for a period without its own contact, names the people file's default
(``GUIDANCE_PEOPLE_FILE``, config/people.py). `starter.cli` lists the group as ``contact``.
"""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

import asyncpg
import typer
from rich.text import Text

from activities.db import create_pool
from config.people import PeopleFileError, load_people
from config.settings import AppSettings
from domain.contacts import ContactPerson, OwnerContactChange
from domain.contract import TASK_QUEUE
from language.current import N_
from language.current import gettext as _
from readmodel.records import ContactRow, PeriodRow, RecordReader
from starter import commands
from starter.commands import CohortOption, OwnerOption, WorkflowIdOption
from starter.contacts import ContactChangeBusy, ContactRefused, change_contact
from starter.localized import typer_app

app = typer_app(
    name="contact",
    no_args_is_help=True,
)

ByOption = Annotated[
    str,
    typer.Option("--by", help=N_("Who sets it: a coordinator or one of the period's advisers."), show_default=False),
]
#: The options that carry each field, for a validation error naming the option.
OPTIONS = {"name": "--name", "email": "--email", "phone": "--phone", "role": "--role", "by": "--by"}


def _send(ctx: typer.Context, change: OwnerContactChange, task_queue: str) -> None:
    try:
        commands.run(
            ctx, change.period_workflow_id, lambda client: change_contact(client, change, task_queue=task_queue)
        )
    except ContactChangeBusy:
        raise commands.Mistake(
            _("another change of this period's contact person is being saved; try again in a moment"),
            commands.EXIT_REJECTED,
        ) from None
    except ContactRefused as refused:
        raise commands.Mistake(
            _("the record store refused the contact person: %(reason)s") % {"reason": refused}, commands.EXIT_REJECTED
        ) from None


@app.command("set", help=N_("Set the owner's contact person of a period (invitations and calendar feeds name them)."))
def set_contact(
    ctx: typer.Context,
    name: Annotated[str, typer.Option("--name", help=N_("Their full name."), show_default=False)],
    email: Annotated[str, typer.Option("--email", help=N_("Their mail address."), show_default=False)],
    by: ByOption,
    cohort: CohortOption = None,
    owner: OwnerOption = None,
    workflow_id: WorkflowIdOption = None,
    phone: Annotated[str | None, typer.Option("--phone", help=N_("Their phone number (optional)."))] = None,
    role: Annotated[str | None, typer.Option("--role", help=N_("Their role at the school owner (optional)."))] = None,
    task_queue: commands.TaskQueueOption = TASK_QUEUE,
) -> None:
    with commands.reported():
        target = commands.period_id(cohort, owner, workflow_id)
        contact = commands.build(ContactPerson, OPTIONS, name=name, email=email, phone=phone or None, role=role or None)
        change = commands.build(OwnerContactChange, OPTIONS, period_workflow_id=target, contact=contact, by=by)
        _send(ctx, change, task_queue)
        commands.console().print(
            Text(
                _("The contact person of %(period)s is %(name)s <%(email)s>.") % {"period": target, **_fields(contact)}
            )
        )


@app.command("clear", help=N_("Clear the period's own contact person (the people file's default applies again)."))
def clear_contact(
    ctx: typer.Context,
    by: ByOption,
    cohort: CohortOption = None,
    owner: OwnerOption = None,
    workflow_id: WorkflowIdOption = None,
    task_queue: commands.TaskQueueOption = TASK_QUEUE,
) -> None:
    with commands.reported():
        target = commands.period_id(cohort, owner, workflow_id)
        change = commands.build(OwnerContactChange, OPTIONS, period_workflow_id=target, contact=None, by=by)
        _send(ctx, change, task_queue)
        commands.console().print(Text(_("Cleared the contact person of %(period)s.") % {"period": target}))


@app.command("show", help=N_("Show the period's contact person: its own, or the people file's default."))
def show_contact(
    cohort: CohortOption = None,
    owner: OwnerOption = None,
    workflow_id: WorkflowIdOption = None,
    as_json: Annotated[bool, typer.Option("--json", help=N_("Print it as JSON."))] = False,
) -> None:
    with commands.reported():
        target = commands.period_id(cohort, owner, workflow_id)
        settings = AppSettings()
        try:
            people = load_people(settings.people_file, settings.adviser_mail_domain)
        except PeopleFileError as error:
            raise commands.Mistake(str(error), commands.EXIT_USAGE) from None
        period, kept = _read(settings, target)
        contact = people.owner_contact(period.owner_id, kept.person if kept else None)
        source = "period" if kept is not None else "people_file" if contact is not None else None
        if as_json:
            shown = {
                "period": target,
                "source": source,
                "contact": contact.model_dump() if contact else None,
                "set_by": kept.set_by if kept else None,
                "set_at": kept.set_at.isoformat() if kept else None,
            }
            typer.echo(json.dumps(shown, indent=2, ensure_ascii=False))
            return
        out = commands.console()
        if contact is None:
            out.print(
                Text(
                    _("%(period)s has no contact person, and the people file names none for its owner.")
                    % {"period": target}
                )
            )
            return
        line = _("%(name)s <%(email)s>") % _fields(contact)
        extras = [value for value in (contact.role, contact.phone) if value]
        out.print(Text(", ".join([line, *extras])))
        if kept is not None:
            out.print(Text(_("Set by %(by)s on %(at)s.") % {"by": kept.set_by, "at": kept.set_at.date().isoformat()}))
        else:
            out.print(
                Text(
                    _("From the people file (the default for %(owner)s); the period has none of its own.")
                    % {"owner": period.owner_id}
                )
            )


def _fields(contact: ContactPerson) -> dict[str, str]:
    return {"name": contact.name, "email": contact.email}


def _read(settings: AppSettings, workflow_id: str) -> tuple[PeriodRow, ContactRow | None]:
    url = commands.record_store_url(settings.database_url)

    async def read() -> tuple[PeriodRow | None, ContactRow | None]:
        pool = await create_pool(url, min_size=1, max_size=2)
        try:
            reader = RecordReader(pool)
            return await reader.period(workflow_id), await reader.owner_contact(workflow_id)
        finally:
            await pool.close()

    try:
        period, kept = asyncio.run(read())
    except (OSError, asyncpg.PostgresError) as error:
        raise commands.Mistake(
            _("the record store did not answer: %(error)s") % {"error": error}, commands.EXIT_UNAVAILABLE
        ) from None
    if period is None:
        raise commands.Mistake(
            _("the record store has no period %(period)r") % {"period": workflow_id}, commands.EXIT_REJECTED
        )
    return period, kept
