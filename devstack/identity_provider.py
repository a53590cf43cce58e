"""The local OpenID provider of `make dev` (oidc-provider-mock), so signing in works on a fresh machine.

It knows the development users (`webapp.users.DEV_USERS`) with the claims a real provider would send: their
user name and the group that makes them an adviser, a coordinator or a county governor (of Vestland). Its sign-in
page lists them as buttons; any other name typed there signs in a person in no group, whom the web app refuses.
Never for a deployment: it signs in whoever asks.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

import oidc_provider_mock
from pydantic import SecretStr

from webapp.settings import WebSettings
from webapp.users import DEV_COUNTIES, DEV_USERS

#: The client the web app registers as; the mock takes any id and secret.
CLIENT_ID = "guidance-dev"
CLIENT_SECRET = "guidance-dev-secret"


def dev_claims(settings: WebSettings) -> list[oidc_provider_mock.User]:
    """The development users as the provider's users, each in the group of their role."""
    groups = {"adviser": settings.oidc_adviser_values[0], "coordinator": settings.oidc_coordinator_values[0]}

    def group(name: str, role: str) -> str:
        if role == "county_governor":
            return settings.oidc_county_governor_prefix + DEV_COUNTIES[name]
        return groups[role]

    return [
        oidc_provider_mock.User(
            sub=name,
            claims={settings.oidc_name_claim: name, "name": name, settings.oidc_role_claim: [group(name, role)]},
        )
        for name, role, _ in DEV_USERS
    ]


@contextlib.contextmanager
def local_identity_provider(settings: WebSettings, port: int = 0) -> Iterator[WebSettings]:
    """Run the provider on loopback until the block ends; yield `settings` signing in through it."""
    # Its development server logs every request at INFO; the stack's own log is what a person reads.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with oidc_provider_mock.run_server_in_thread(port, user_claims=dev_claims(settings)) as server:
        issuer = f"http://localhost:{server.server_port}"
        yield settings.model_copy(
            update={
                "oidc_issuer": issuer,
                "oidc_client_id": CLIENT_ID,
                "oidc_client_secret": SecretStr(CLIENT_SECRET),
                "oidc_provider_name": "the local identity provider",
            }
        )
