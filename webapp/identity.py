"""Signing in through the identity provider: OpenID Connect's authorization code flow with PKCE (Authlib).

The provider is found by its discovery document (``{issuer}/.well-known/openid-configuration``). After the
person signs in there, the provider sends them back with a code; Authlib exchanges it for tokens, checks the ID
token (signature, issuer, audience, nonce) and its claims name the person and their role (`person`). Signing out
ends this app's session and, where the provider has an end-session endpoint, the provider's session too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from authlib.integrations.starlette_client import OAuth, OAuthError, StarletteOAuth2App
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from config.owners import counties
from language.current import gettext as _
from webapp.settings import WebSettings
from webapp.users import Role, User

# The user names of this app (and adviser ids on the periods), as the users file allows them.
NAME = re.compile(r"^[a-z][a-z0-9._-]{1,63}$")


class NotAllowed(Exception):
    """The provider signed the person in, but their claims give no user of this app; the message says why."""


@dataclass(frozen=True)
class ClaimRules:
    """Which claims name the person and give their role (``GUIDANCE_WEB_OIDC_*``)."""

    name_claim: str
    role_claim: str
    coordinator_values: frozenset[str]
    adviser_values: frozenset[str]
    #: A county governor's group: this prefix and the county's number.
    county_governor_prefix: str = "veilederkorpset-statsforvalter-"

    @classmethod
    def of(cls, settings: WebSettings) -> ClaimRules:
        return cls(
            settings.oidc_name_claim,
            settings.oidc_role_claim,
            frozenset(settings.oidc_coordinator_values),
            frozenset(settings.oidc_adviser_values),
            settings.oidc_county_governor_prefix,
        )

    def county_governed(self, held: set[str]) -> str | None:
        """The county whose county governor the groups make the person (a known county's number), if any."""
        found = sorted(
            value.removeprefix(self.county_governor_prefix)
            for value in held
            if value.startswith(self.county_governor_prefix)
            and value.removeprefix(self.county_governor_prefix) in counties()
        )
        return found[0] if len(found) == 1 else None


def person(claims: Mapping[str, object], rules: ClaimRules) -> User:
    """The user the ID token's claims name, with the role their groups give.

    Raises:
        NotAllowed: The name claim is missing or not a user name, or the person is in neither group.
    """
    raw = claims.get(rules.name_claim)
    if not isinstance(raw, str) or not raw.strip():
        raise NotAllowed(
            _("the identity provider sent no %(claim)s claim to name you by") % {"claim": repr(rules.name_claim)}
        )
    name = raw.strip().lower().split("@", 1)[0]
    if not NAME.fullmatch(name):
        raise NotAllowed(
            _(
                "%(name)s (claim %(claim)s) is not a user name here: lower-case letters, digits, '.', '_' "
                "and '-', starting with a letter, 2 to 64 characters"
            )
            % {"name": repr(raw), "claim": repr(rules.name_claim)}
        )
    held = _values(claims.get(rules.role_claim))
    role: Role
    county = None
    if held & rules.coordinator_values:
        role = "coordinator"
    elif held & rules.adviser_values:
        role = "adviser"
    elif (county := rules.county_governed(held)) is not None:
        # Only one county: a person in the groups of two would see both, which no county governor does.
        role = "county_governor"
    else:
        wanted = ", ".join(
            [*sorted(rules.coordinator_values | rules.adviser_values), f"{rules.county_governor_prefix}NN"]
        )
        raise NotAllowed(
            _("%(name)s is in none of the groups that may use this service (%(claim)s: %(groups)s)")
            % {"name": name, "claim": rules.role_claim, "groups": wanted}
        )
    return User(name=name, role=role, county=county)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _values(claim: object) -> set[str]:
    """A groups claim as a set: providers send a list, or one text when there is one group."""
    if isinstance(claim, str):
        return {claim}
    if isinstance(claim, list):
        return {value for value in claim if isinstance(value, str)}
    return set()


class IdentityProvider:
    """The configured provider, as Authlib's Starlette client (its discovery document read on first use)."""

    def __init__(self, settings: WebSettings) -> None:
        assert settings.oidc_issuer is not None
        self.name = settings.oidc_provider_name
        self._rules = ClaimRules.of(settings)
        self._redirect_url = settings.oidc_redirect_url
        oauth = OAuth()
        oauth.register(
            "provider",
            server_metadata_url=settings.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration",
            client_id=settings.oidc_client_id,
            client_secret=settings.oidc_client_secret.get_secret_value() if settings.oidc_client_secret else None,
            client_kwargs={
                "scope": settings.oidc_scopes,
                "code_challenge_method": "S256",
                "timeout": 10,
                # Authlib makes an HTTP client for each sign-in; with a TLS context of its own each loaded the CA
                # certificates again, most of a sign-in's CPU on the event loop (profiled under bench/web_load.py).
                # One context, made as httpx makes its default, serves them all.
                "verify": httpx.create_ssl_context(),
            },
        )
        client = oauth.create_client("provider")  # type: ignore[no-untyped-call]
        assert isinstance(client, StarletteOAuth2App)
        self._client = client
        # Until the discovery document is read, the provider's end-session endpoint is taken to be on its issuer.
        self._end_session_origin = _origin(settings.oidc_issuer)

    def form_targets(self) -> tuple[str, ...]:
        """The origin a page's sign-out form may lead to: the provider's end-session endpoint."""
        return (self._end_session_origin,)

    async def _metadata(self) -> dict[str, object]:
        metadata: dict[str, object] = await self._client.load_server_metadata()
        endpoint = metadata.get("end_session_endpoint")
        if isinstance(endpoint, str):
            self._end_session_origin = _origin(endpoint)
        return metadata

    async def begin(self, request: Request) -> Response:
        """Send the person to the provider (state, nonce and the PKCE verifier are kept in the session)."""
        redirect = self._redirect_url or str(request.url_for("oidc_callback"))
        await self._metadata()
        response: Response = await self._client.authorize_redirect(request, redirect)
        return response

    async def finish(self, request: Request) -> tuple[User, str]:
        """The user the provider sent back, and their ID token.

        Raises:
            NotAllowed: The provider refused, the answer does not check out, or the claims give no user.
        """
        try:
            token = await self._client.authorize_access_token(request)  # type: ignore[no-untyped-call]
        except OAuthError as error:
            raise NotAllowed(
                _("the identity provider did not sign you in (%(error)s: %(description)s)")
                % {"error": error.error, "description": error.description}
            ) from None
        claims = token.get("userinfo") or {}
        return person(claims, self._rules), str(token.get("id_token", ""))

    async def end_session(self, request: Request, id_token: str, after: str) -> Response:
        """Send the person to the provider's end-session endpoint, if it has one, else straight to `after`."""
        metadata = await self._metadata()
        if not isinstance(metadata.get("end_session_endpoint"), str):
            return RedirectResponse(after, status_code=303)
        response: Response = await self._client.logout_redirect(
            request, post_logout_redirect_uri=after, id_token_hint=id_token
        )
        return response
