"""The one read model of periods and cohorts: what the PostgreSQL record store holds, read and turned into
what people look at. The web app's pages (`webapp`) and the `guidance report` command (`starter.report_cli`)
both use it, so a list, a timeline or a report says the same thing wherever it is shown.

`records` reads the store (`RecordReader`, `PeriodRecords` and the row types), `plans` knows the facts of the
plan version a period runs, `overview` holds the display rules (days in phase, overdue, deadline day, today in
Norwegian time, next meeting) and the cohort overview, `tasks` an adviser's task list, `reports` the cohort
report and its CSV, `timeline` the SVG timeline, and `documents` the report as an HTML, PDF or PNG file (its
templates and style sheet are here too). It imports the domain only: it writes nothing and never reaches
Temporal, the worker's activities or the web app.
"""
