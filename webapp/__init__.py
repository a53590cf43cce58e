"""The coordinators' and advisers' web application: cohort overview, period pages, task lists,
timelines, reports and calendar feeds.

It reads the PostgreSQL record store for everything it lists and acts only through the same Temporal
client API as the `guidance` command (`starter.client`), so the workflow's validators stay the one
place that decides what may happen to a period.
"""
