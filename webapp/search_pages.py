"""Finding a school owner by name or number across every cohort: the search box in every page's header."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from readmodel.search import MAX_OWNERS, SearchError, search_owners
from webapp.pages import _render, _user, _web


async def search(request: Request) -> Response:
    """``/search?q=...``: the owners matching the query, each with the cohorts it is in. An adviser finds the
    periods they follow only; a coordinator finds every period, and the invitations of owners without one."""
    user = _user(request)
    query = request.query_params.get("q", "")
    try:
        result = await search_owners(_web(request).reader, query, adviser=None if user.is_coordinator else user.name)
    except SearchError as error:
        raise HTTPException(400, str(error)) from None
    context = {"result": result, "q": query, "max_owners": MAX_OWNERS}
    return await _render(request, "search.html", context)
