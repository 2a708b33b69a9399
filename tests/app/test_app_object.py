"""The app object: Flask, with what it works out per function kept (app/__init__.py)."""

from __future__ import annotations


def test_a_plain_view_runs_as_itself_every_time(app):
    def view() -> str:
        return "ok"
    assert app.ensure_sync(view) is view
    assert app.ensure_sync(view) is view


def test_an_async_view_is_still_handed_to_flask(app, monkeypatch):
    """Kept or not, a coroutine function goes to async_to_sync (which needs Flask's async extra here)."""
    handed = []
    monkeypatch.setattr(app, "async_to_sync", lambda func: handed.append(func) or (lambda: "sync"))

    async def view() -> str:
        return "ok"
    for _ in range(2):
        assert app.ensure_sync(view)() == "sync"
    assert handed == [view]  # worked out once


def test_functions_made_per_call_are_not_kept_without_end(app):
    for n in range(app._SYNC_LIMIT + 10):
        app.ensure_sync(lambda n=n: n)
    assert len(app._sync_of) <= app._SYNC_LIMIT
