"""`guidance setup`: register the engine's search attributes on the namespace, and show the worker deployment's
versions and the steps of a rollout (docs/operating.md).

`starter.cli` lists it with its help and imports this module when it runs.
"""

from __future__ import annotations

import typer

from config.settings import AppSettings
from language.current import gettext as _
from starter import commands
from starter.connect import connect_config
from starter.deployment import describe_deployment, rollout_steps
from starter.localized import typer_app
from starter.search_attributes import register_search_attributes

#: The command; `starter.cli` names it on the root and gives its help.
app = typer_app()


@app.command("setup")
def setup(ctx: typer.Context) -> None:
    with commands.reported():
        added = commands.run(ctx, f"namespace {_namespace()}", register_search_attributes)
        if added:
            print(
                _("Registered on %(namespace)s: %(attributes)s")
                % {"namespace": _namespace(), "attributes": ", ".join(added)}
            )
        else:
            print(
                _("Nothing to do: %(namespace)s has every search attribute of the engine already.")
                % {"namespace": _namespace()}
            )
        name = AppSettings().deployment_name
        summary = commands.run(ctx, f"deployment {name}", lambda client: describe_deployment(client, name))
        print("\n".join(rollout_steps(summary, name)))


def _namespace() -> str:
    return str(connect_config().get("namespace", "default"))
