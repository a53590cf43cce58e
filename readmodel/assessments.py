"""The county governors' assessment as people read it: one wording of each owner's state for the shortlist (page and
`guidance select`), the assessment page and `guidance assessment status`, and the cohorts a county governor sees.

The assessment itself lives in its workflow (`starter.assessments` asks it); the record store's
`county_assessments` rows (activities/assessments.py) say which cohorts have one, by county
(`RecordReader.assessed_cohorts`).
"""

from __future__ import annotations

from domain.assessment import AssessmentRequest, AssessmentStatus, RequestState
from language.current import gettext as _
from language.formats import long_day


def state_label(request: AssessmentRequest, status: AssessmentStatus) -> str:
    """Where one owner's request stands: waiting (by when), answered (with its priority), or past its deadline."""
    day = long_day(status.reply_by)
    if request.state == RequestState.ANSWERED:
        return _("answered: priority %(priority)s") % {"priority": request.priority}
    if request.state == RequestState.NO_REPLY:
        return _("past its deadline (%(day)s): no reply") % {"day": day}
    if request.state == RequestState.REMINDED:
        return _("waiting, reminded (reply by %(day)s)") % {"day": day}
    return _("waiting (reply by %(day)s)") % {"day": day}


def recorded_as_label(request: AssessmentRequest) -> str:
    """Who recorded the answer: the county governor, or a coordinator on their behalf."""
    if request.recorded_as == "coordinator":
        return _("%(user)s on the county governor's behalf") % {"user": request.recorded_by}
    return _("%(user)s (county governor)") % {"user": request.recorded_by}
