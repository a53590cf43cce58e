"""What the `guidance` command says about the lookup errors of the client API and the owner list, in the current
language.

The errors keep their English messages for the logs and the client API's callers; `config` may not import
`language` (an import-linter contract: it reads files and settings only), so the CLI says them from the facts
each error carries (the id asked for, the suggestions, the plans there are).
"""

from __future__ import annotations

from config.owners import UnknownOwner
from config.settings import AppSettings, known_plans
from language.current import gettext as _
from starter import client as api
from starter import cohorts


def unknown_owner(err: UnknownOwner) -> str:
    message = _(
        "unknown school owner %(owner)r; a school owner id is a municipality's four-digit number (e.g. 3301) or a "
        "county authority's two-digit number (e.g. 11); Oslo is the municipality 0301 only"
    ) % {"owner": err.owner_id}
    if err.suggestions:
        suggestions = ", ".join(f"{o.id} {o.name}" for o in err.suggestions)
        message += "; " + _("did you mean: %(suggestions)s") % {"suggestions": suggestions}
    return message


def unknown_plan(name: str) -> str:
    known = ", ".join(known_plans())
    if not known:
        known = _("none (no .toml files in %(folder)s)") % {"folder": AppSettings().plans_dir}
    return _("plan: %(plan)r is not a programme plan; known plans: %(known)s") % {"plan": name, "known": known}


def period_already_exists(err: api.PeriodAlreadyExists) -> str:
    return _(
        "a guidance period for %(owner)s (%(owner_id)s) in cohort %(cohort)s already exists (workflow id "
        "%(workflow_id)s); each school owner has one period per cohort"
    ) % {"owner": err.owner.name, "owner_id": err.owner.id, "cohort": err.cohort, "workflow_id": err.workflow_id}


def period_not_found(err: api.PeriodNotFound) -> str:
    if err.ended:
        return _("the guidance period %(workflow_id)r has ended%(how)s; it takes no more updates or invitations") % {
            "workflow_id": err.workflow_id,
            "how": err.how_ended,
        }
    return _("no guidance period with workflow id %(workflow_id)r") % {"workflow_id": err.workflow_id}


def cohort_already_exists(err: cohorts.CohortAlreadyExists) -> str:
    return _("cohort workflow %(workflow_id)s already exists; a cohort is started once") % {
        "workflow_id": err.workflow_id
    }
