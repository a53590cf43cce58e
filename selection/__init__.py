"""Selecting school owners for a cohort: indicator data scored as the public follow-up scheme does, read from
the indicator file a coordinator uploads, with `selection.toml` as the shipped configuration. Pure code: it
needs no Temporal server and no record store, and a coordinator decides."""
