"""The development mailbox: what `make dev`'s local mail server received, for coordinators (webapp/dev_mailbox.py).

- ``/dev/mailbox?page=N``: the messages, newest first, a page at a time;
- ``/dev/mailbox/{key}``: one message, its text (calendar parts as text) and its attachments listed.

The routes exist only while ``GUIDANCE_WEB_DEV_MAILBOX`` is set (404 otherwise); advisers get 403. A deployment
never sets it: `check_dev_mailbox` refuses it beside an identity provider that is not on this machine.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from language.current import gettext as _
from webapp.dev_mailbox import DevMailbox, NoSuchMessage
from webapp.pages import _render, _user, _web
from webapp.settings import WebSettings

#: Hosts an identity provider of development runs on (devstack/identity_provider.py).
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


class DevMailboxRefused(RuntimeError):
    """``GUIDANCE_WEB_DEV_MAILBOX`` is set where it must not be: the app does not start."""


def check_dev_mailbox(settings: WebSettings) -> None:
    """Refuse the development mailbox beside a real identity provider: that is a deployment, with real mail.

    Raises:
        DevMailboxRefused: The mailbox is set and the identity provider is not on this machine.
    """
    if settings.dev_mailbox is None or settings.oidc_issuer is None:
        return
    host = urlsplit(settings.oidc_issuer).hostname or ""
    if host not in LOCAL_HOSTS:
        raise DevMailboxRefused(
            f"GUIDANCE_WEB_DEV_MAILBOX is for development only and cannot be used with the identity provider "
            f"{settings.oidc_issuer}; unset it"
        )


def _mailbox(request: Request) -> DevMailbox:
    """The mailbox, for a coordinator; 404 where it is not enabled, 403 for anyone else."""
    folder = _web(request).settings.dev_mailbox
    if folder is None:
        raise HTTPException(404, _("There is no development mailbox here."))
    if not _user(request).is_coordinator:
        raise HTTPException(403, _("Only a coordinator may read the development mailbox."))
    return DevMailbox(folder)


async def mailbox_list(request: Request) -> Response:
    box = _mailbox(request)
    try:
        page = int(request.query_params.get("page", "1"))
    except ValueError:
        page = 1
    listing = await asyncio.to_thread(box.listing, page)
    return await _render(request, "mailbox.html", {"listing": listing, "folder": str(box.folder)})


async def mailbox_message(request: Request) -> Response:
    box = _mailbox(request)
    key = request.path_params["key"]
    try:
        shown = await asyncio.to_thread(box.message, key)
    except NoSuchMessage:
        raise HTTPException(404, _("The development mailbox has no such message.")) from None
    return await _render(request, "mailbox_message.html", {"shown": shown})


ROUTES = [
    Route("/dev/mailbox", mailbox_list, name="dev_mailbox"),
    Route("/dev/mailbox/{key}", mailbox_message),
]
