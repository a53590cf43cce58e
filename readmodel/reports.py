"""Cohort progress: phase distribution, overdue list, meetings held, gatherings attended, development
areas and the competence environments proposed and agreed; as a model for the printable page and as CSV (no I/O
beyond the text it returns)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from language.current import N_, gettext
from readmodel.charts import BarChart
from readmodel.competence import competence_cell, competence_summary
from readmodel.labels import chosen_area_label, phase_label
from readmodel.overview import DISPLAY_ZONE, days_in_phase, deadline_day, is_at_risk, is_overdue, local_today
from readmodel.plans import PlanFacts
from readmodel.records import CompetenceRow, MilestoneRow, PeriodRecords, PeriodRow
from readmodel.spreadsheet import csv_text


@dataclass(frozen=True)
class OwnerProgress:
    """One owner's line of the report."""

    period: PeriodRow
    days_in_phase: int | None
    phase_due_on: date | None
    overdue: bool
    meetings_held: int
    meetings_planned: int
    gatherings_attended: int
    gatherings_coming: int
    #: Its plan's early warning has passed, the phase not closed nor yet overdue.
    at_risk: bool = False
    #: The competence environments of the period's current cycle.
    competence: tuple[CompetenceRow, ...] = ()

    @property
    def competence_text(self) -> str:
        return competence_summary(list(self.competence))


@dataclass(frozen=True)
class CohortReport:
    """The progress of one cohort at `generated_at`."""

    cohort: str
    generated_at: datetime
    owners: list[OwnerProgress]
    phase_distribution: list[tuple[str, int]]
    development_areas: list[tuple[str, int]]
    #: Per phase with an open period, in the distribution's order: how many of them are overdue.
    overdue_by_phase: list[tuple[str, int]]
    #: The plan that names each phase (the charts say a phase as its plan calls it, in the reader's language).
    phase_plans: dict[str, PlanFacts] = field(default_factory=dict)
    #: The milestones that recorded a partner or a report (the follow-up scheme), with their periods, in time order.
    recorded: list[tuple[PeriodRow, MilestoneRow]] = field(default_factory=list)

    def _named(self, counts: list[tuple[str, int]]) -> list[tuple[str, int]]:
        return [(phase_label(self.phase_plans.get(phase), phase), count) for phase, count in counts]

    @property
    def overdue(self) -> list[OwnerProgress]:
        """The overdue owners, longest overdue first."""
        late = [o for o in self.owners if o.overdue]
        return sorted(late, key=lambda o: (o.phase_due_on or date.max, o.period.owner_id))

    @property
    def at_risk(self) -> list[OwnerProgress]:
        """The owners at risk of running late, soonest due first."""
        warned = [o for o in self.owners if o.at_risk]
        return sorted(warned, key=lambda o: (o.phase_due_on or date.max, o.period.owner_id))

    @property
    def charts(self) -> list[BarChart]:
        """The phase distribution and the overdue counts as bar charts (the numbers of the tables beside them), in
        the current language."""
        return [
            BarChart(
                "phase-chart",
                gettext("Periods per phase"),
                self._named(self.phase_distribution),
                gettext("periods"),
                gettext("No periods to show."),
            ),
            BarChart(
                "overdue-chart",
                gettext("Overdue periods per phase"),
                self._named(self.overdue_by_phase),
                gettext("overdue"),
                gettext("No open periods."),
            ),
        ]


def cohort_report(cohort: str, records: PeriodRecords, now: datetime) -> CohortReport:
    """The report of the periods in `records` (all of one cohort).

    Meetings count as held once they have begun; a gathering counts as attended once its day has
    passed, since the record store keeps invitations, not attendance lists.
    """
    today = local_today(now)
    owners = []
    for period in records.periods:
        meetings = records.standing_meetings_of(period.workflow_id)
        gatherings = records.gatherings_of(period.workflow_id)
        held = sum(1 for m in meetings if m.starts_at <= now)
        owners.append(
            OwnerProgress(
                period=period,
                days_in_phase=days_in_phase(period, today),
                phase_due_on=deadline_day(period.phase_due_at) if period.phase_due_at else None,
                overdue=is_overdue(period, now),
                meetings_held=held,
                meetings_planned=len(meetings) - held,
                gatherings_attended=sum(1 for g in gatherings if g.gathering_date < today),
                gatherings_coming=sum(1 for g in gatherings if g.gathering_date >= today),
                at_risk=is_at_risk(period, now),
                competence=tuple(records.current_competence_of(period)),
            )
        )
    phases = Counter(p.phase for p in records.periods)
    order = {name: i for p in records.periods for i, name in enumerate(records.plan_of(p).phases)}
    distribution = sorted(phases.items(), key=lambda item: (order.get(item[0], len(order)), item[0]))
    # Said as each period's plan calls the area, in the reader's language (the CSV keeps the codes).
    areas = Counter(
        chosen_area_label(records.plan_of(p), p.development_area, p.development_area_other)
        for p in records.periods
        if p.development_area
    )
    open_phases = {o.period.phase for o in owners if o.period.is_open}
    late = Counter(o.period.phase for o in owners if o.overdue)
    overdue_by_phase = [(phase, late[phase]) for phase, _ in distribution if phase in open_phases]
    return CohortReport(
        cohort=cohort,
        generated_at=now,
        owners=owners,
        phase_distribution=distribution,
        development_areas=sorted(areas.items(), key=lambda item: (-item[1], item[0])),
        overdue_by_phase=overdue_by_phase,
        phase_plans=records.phase_plans(),
        recorded=sorted(
            (
                (p, m)
                for p in records.periods
                for m in records.milestones_of(p.workflow_id)
                if m.partner or m.report_date is not None
            ),
            key=lambda pair: (pair[1].recorded_at, pair[0].owner_id),
        ),
    )


#: The report's columns: an id each, and its header (English, translated into the reader's language).
CSV_COLUMNS: dict[str, str] = {
    "cohort": N_("Cohort"),
    "owner_id": N_("Owner id"),
    "owner_name": N_("School owner"),
    "county": N_("County"),
    "advisers": N_("Advisers"),
    "phase": N_("Phase"),
    "cycle": N_("Cycle"),
    "days_in_phase": N_("Days in phase"),
    "phase_due_on": N_("Phase due on"),
    "overdue": N_("Overdue"),
    "at_risk": N_("At risk"),
    "meetings_held": N_("Meetings held"),
    "meetings_planned": N_("Meetings planned"),
    "gatherings_attended": N_("Gatherings attended"),
    "development_area": N_("Development area"),
    "goals": N_("Goals"),
    "competence_environments": N_("Competence environments"),
    "ended_on": N_("Ended on"),
    "end_reason": N_("End reason"),
}


def csv_headers() -> list[str]:
    """The header row in the current language (the coordinator's: the web app's or the CLI's)."""
    return [gettext(header) for header in CSV_COLUMNS.values()]


def report_csv(report: CohortReport) -> str:
    """One row per owner (CSV_COLUMNS), headed in the current language; lists are joined with "; " so a
    spreadsheet shows one cell each. Dates stay ISO and ids stay ids, so the file sorts and filters as data. Typed
    text cannot turn into a formula (`readmodel.spreadsheet`)."""
    return csv_text(csv_headers(), [_csv_row(owner) for owner in report.owners])


def _csv_row(owner: OwnerProgress) -> list[object]:
    p = owner.period
    return [
        p.cohort,
        p.owner_id,
        p.owner_name,
        p.county,
        "; ".join(p.advisers),
        p.phase,
        p.cycle,
        "" if owner.days_in_phase is None else owner.days_in_phase,
        owner.phase_due_on.isoformat() if owner.phase_due_on else "",
        gettext("yes") if owner.overdue else gettext("no"),
        gettext("yes") if owner.at_risk else gettext("no"),
        owner.meetings_held,
        owner.meetings_planned,
        owner.gatherings_attended,
        p.development_area_label,
        "; ".join(p.goals),
        competence_cell(list(owner.competence)),
        p.ended_at.astimezone(DISPLAY_ZONE).date().isoformat() if p.ended_at else "",
        p.end_reason or "",
    ]
