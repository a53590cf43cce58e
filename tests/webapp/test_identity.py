"""The identity provider's claims name a user of the app and give their role, or the person is refused; with a
provider configured, the password form is off unless asked for as a development option."""

from __future__ import annotations

import httpx
import pytest

from language.current import using
from readmodel.records import RecordReader
from tests.webapp.conftest import SECRET, _no_temporal
from tests.webapp.test_pages import _csrf
from webapp.app import WebApp, create_app
from webapp.identity import ClaimRules, NotAllowed, person
from webapp.settings import WebSettings
from webapp.users import User, UserDirectory

RULES = ClaimRules.of(WebSettings(_env_file=None))


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        ({"preferred_username": "a.hansen", "groups": ["veilederkorpset-veileder"]}, User("a.hansen", "adviser")),
        ({"preferred_username": "A.Hansen@udir.no", "groups": "veilederkorpset-veileder"}, User("a.hansen", "adviser")),
        (
            {"preferred_username": "k.lie", "groups": ["veilederkorpset-veileder", "veilederkorpset-koordinator"]},
            User("k.lie", "coordinator"),
        ),
    ],
)
def test_the_claims_name_the_user_and_their_groups_give_the_role(claims: dict[str, object], expected: User) -> None:
    assert person(claims, RULES) == expected


@pytest.mark.parametrize(
    ("claims", "said"),
    [
        ({"groups": ["veilederkorpset-veileder"]}, "sent no 'preferred_username' claim"),
        ({"preferred_username": "  ", "groups": ["veilederkorpset-veileder"]}, "sent no 'preferred_username' claim"),
        ({"preferred_username": "Ålesund kommune", "groups": ["veilederkorpset-veileder"]}, "is not a user name"),
        ({"preferred_username": "eve", "groups": ["another-service"]}, "eve is in none of the groups"),
        ({"preferred_username": "eve", "groups": 42}, "eve is in none of the groups"),
        ({"preferred_username": "eve"}, "veilederkorpset-koordinator, veilederkorpset-veileder"),
    ],
)
def test_claims_that_give_no_user_are_refused_saying_why(claims: dict[str, object], said: str) -> None:
    with using("en"), pytest.raises(NotAllowed, match=said):
        person(claims, RULES)


def test_a_refusal_is_said_in_the_persons_language() -> None:
    with using("nn"), pytest.raises(NotAllowed, match="eve er ikkje med i nokon av gruppene"):
        person({"preferred_username": "eve", "groups": ["another-service"]}, RULES)


def test_other_claims_and_groups_are_configurable() -> None:
    rules = ClaimRules.of(
        WebSettings(
            _env_file=None,
            oidc_name_claim="upn",
            oidc_role_claim="roles",
            oidc_coordinator_values=["Coordinator"],
            oidc_adviser_values=["Adviser"],
        )
    )
    assert person({"upn": "c.berg@udir.no", "roles": ["Coordinator"]}, rules) == User("c.berg", "coordinator")


def test_passwords_are_on_without_a_provider_and_off_with_one_unless_asked_for() -> None:
    assert WebSettings(_env_file=None).passwords_allowed
    with_provider = WebSettings(_env_file=None, oidc_issuer="https://login.example.no")
    assert not with_provider.passwords_allowed
    assert WebSettings(_env_file=None, oidc_issuer="https://login.example.no", password_sign_in=True).passwords_allowed


async def test_with_a_provider_the_server_refuses_a_password_even_a_right_one(
    reader: RecordReader,
) -> None:
    settings = WebSettings(_env_file=None, secret=SECRET, oidc_issuer="https://login.example.no")
    web = WebApp(reader=reader, temporal=_no_temporal, users=UserDirectory.development(), settings=settings,
                 secret=SECRET)  # fmt: skip
    transport = httpx.ASGITransport(app=create_app(web))
    english = {"Accept-Language": "en"}
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver", headers=english) as http:
        form = await http.get("/login")
        assert 'href="/login/oidc?next=/"' in form.text
        assert 'name="password"' not in form.text
        answer = await http.post(
            "/login",
            data={"username": "coordinator", "password": "coordinator-dev", "next": "/", "csrftoken": _csrf(form)},
        )
        assert answer.status_code == 403
        assert "password is off here" in answer.text
        assert "form-action 'self' https://login.example.no" in answer.headers["content-security-policy"]
