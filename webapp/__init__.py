"""The coordinators' and advisers' web application: cohort overview, period pages, task lists,
timelines, reports and calendar feeds.

It reads the PostgreSQL record store for everything it lists through the read model (`readmodel`), the
same one `guidance report` prints from, and acts only through the same Temporal client API as the
`guidance` command (`starter.client`), so the workflow's validators stay the one place that decides what
may happen to a period. What is here is the web's own: routes and pages, sign-in and users, actions,
calendar feeds, settings, the pages' templates and style sheet.
"""
