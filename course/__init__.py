"""Leerlijn's domain: course content, grading, the casus engine, progress rules and persistence.

Nothing in this package imports Flask; the web layer in ``app/`` depends on it, never the reverse.
"""
