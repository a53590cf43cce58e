"""A cohort's outcomes side by side in the web app (coordinators only; advisers get 403).

- ``/cohorts/{cohort}/outcomes?then=<sha256>&now=<sha256>``: pick the file the cohort was selected from (by
  default its selection decision's) and a later one among the uploaded indicator files, or upload the later one;
  with both, each owner's indicators, shares and movement, and the cohort's counts, with their charts
  (`readmodel/outcomes.py`, the same computation as `guidance report outcomes`);
- ``/cohorts/{cohort}/outcomes/files``: the later file's upload, read and kept as the selection's upload keeps a
  file (`selection_pages.received_file`);
- ``/cohorts/{cohort}/outcomes.pdf`` and ``.csv``: the same comparison as a PDF and as CSV.

The files are the web app's kept indicator files (`webapp.indicator_files`, in the record store); no workflow
reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from language.current import gettext as _
from readmodel.documents import DocumentError, outcomes_html, report_pdf
from readmodel.outcomes import TEMPLATE_HELPERS, CohortOutcomes, OutcomesError, compare, outcomes_csv
from selection.indicator_file import FileProblems
from selection.scoring import load_selection_config
from webapp.indicator_files import MAX_UPLOAD_BYTES, IndicatorFile
from webapp.pages import FLASH, _render, _web
from webapp.security import content_disposition
from webapp.selection_pages import UploadRefused, _coordinator, _files, received_file


@dataclass(frozen=True)
class _Choice:
    """The cohort, its owners, the files offered and the two chosen (None: not chosen yet)."""

    cohort: str
    owners: list[tuple[str, str]]
    files: list[IndicatorFile]
    then: IndicatorFile | None
    now: IndicatorFile | None
    decided_file: str | None

    @property
    def query(self) -> str:
        return urlencode({k: f.sha256 for k, f in (("then", self.then), ("now", self.now)) if f is not None})


async def _choice(request: Request) -> _Choice:
    web, files = _web(request), _files(request)
    cohort = request.path_params["cohort"]
    owners = sorted({(p.owner_id, p.owner_name) for p in await web.reader.periods(cohort=cohort)})
    if not owners:
        raise HTTPException(404, _("cohort %(cohort)s has no periods in the record store") % {"cohort": repr(cohort)})
    decision = await web.reader.decision(cohort)
    decided = decision.indicator_file if decision is not None else None

    async def chosen(key: str, default: str | None) -> IndicatorFile | None:
        """The file the address names (404 when none has that content), else `default` if it is still kept."""
        asked = request.query_params.get(key)
        found = await files.get(asked or default or "")
        if asked and found is None:
            raise HTTPException(404, _("%(key)s: no indicator file with that content has been uploaded") % {"key": key})
        return found

    return _Choice(
        cohort=cohort,
        owners=owners,
        files=await files.listed(),
        then=await chosen("then", decided),
        now=await chosen("now", None),
        decided_file=decided,
    )


async def _compared(request: Request, choice: _Choice) -> CohortOutcomes:
    """The comparison of the two chosen files (a country's file is read once per process, off the event loop).

    Raises:
        OutcomesError: the later file is not later.
    """
    assert choice.then is not None and choice.now is not None
    files = _files(request)
    then_rows = await files.rows(choice.then.sha256)
    now_rows = await files.rows(choice.now.sha256)
    return compare(
        choice.cohort,
        choice.owners,
        then_rows,
        now_rows,
        load_selection_config(),
        then_file=choice.then.name,
        now_file=choice.now.name,
    )


async def outcomes(request: Request) -> Response:
    _coordinator(request)
    return await _outcomes_page(request)


async def _outcomes_page(
    request: Request, *, upload_error: str = "", problems: FileProblems | None = None, status_code: int = 200
) -> Response:
    choice = await _choice(request)
    found, error = None, ""
    if choice.then is not None and choice.now is not None:
        try:
            found = await _compared(request, choice)
        except OutcomesError as refused:
            error, status_code = str(refused), 422
    context: dict[str, Any] = {
        "choice": choice,
        "outcomes": found,
        "error": error,
        "upload_error": upload_error,
        "problems": problems,
        "max_mb": MAX_UPLOAD_BYTES // 1024 // 1024,
        "flash": request.session.pop(FLASH, ""),
        **TEMPLATE_HELPERS,
    }
    return await _render(request, "outcomes.html", context, status_code=status_code)


async def upload_later(request: Request) -> Response:
    """Keep the later file and show it beside the selection's (the ``then`` of the address, else the decision's)."""
    user = _coordinator(request)
    choice = await _choice(request)  # a cohort without periods keeps no file
    try:
        kept = await received_file(request, user)
    except UploadRefused as refused:
        return await _outcomes_page(
            request, upload_error=refused.error, problems=refused.problems, status_code=refused.status_code
        )
    query = {"now": kept.sha256, **({"then": choice.then.sha256} if choice.then is not None else {})}
    return RedirectResponse(f"/cohorts/{choice.cohort}/outcomes?{urlencode(query)}", status_code=303)


async def _both(request: Request) -> CohortOutcomes:
    _coordinator(request)
    choice = await _choice(request)
    if choice.then is None or choice.now is None:
        raise HTTPException(400, _("name both files: ?then=<SHA-256>&now=<SHA-256>"))
    try:
        return await _compared(request, choice)
    except OutcomesError as refused:
        raise HTTPException(422, str(refused)) from None


async def outcomes_pdf(request: Request) -> Response:
    found = await _both(request)
    web = _web(request)
    page = outcomes_html(found, web.clock())
    try:
        pdf = await web.pdf_renders.render(lambda: report_pdf(page))
    except DocumentError as error:
        raise HTTPException(503, _("The PDF cannot be made on this server: %(error)s") % {"error": error}) from None
    headers = {"Content-Disposition": content_disposition("inline", f"cohort-{found.cohort}-outcomes.pdf")}
    return Response(pdf, media_type="application/pdf", headers=headers)


async def outcomes_sheet(request: Request) -> Response:
    found = await _both(request)
    headers = {"Content-Disposition": content_disposition("attachment", f"cohort-{found.cohort}-outcomes.csv")}
    return Response(outcomes_csv(found), media_type="text/csv; charset=utf-8", headers=headers)


ROUTES = [
    Route("/cohorts/{cohort}/outcomes", outcomes),
    Route("/cohorts/{cohort}/outcomes/files", upload_later, methods=["POST"]),
    Route("/cohorts/{cohort}/outcomes.pdf", outcomes_pdf),
    Route("/cohorts/{cohort}/outcomes.csv", outcomes_sheet),
]
