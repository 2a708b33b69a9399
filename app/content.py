"""The course catalog, loaded and validated once when the app is created."""

from __future__ import annotations

from flask import Flask, current_app

from course.catalog import Catalog, load_catalog
from course.catalog_cache import load_catalog_cached
from course.content.loader import ContentUrls


def init_app(app: Flask) -> Catalog:
    """Load the course; ContentErrors propagates, so an app with broken content never starts."""
    # Tests hand in an already loaded catalog (CATALOG) so each test app does not re-read the course.
    catalog = app.config.get("CATALOG")
    if catalog is None:
        root, cache = app.config["CONTENT_DIR"], app.config.get("CATALOG_CACHE_DIR")
        urls = ContentUrls(prefix=app.config.get("APPLICATION_ROOT", "/").rstrip("/"))
        catalog = load_catalog_cached(root, urls, cache) if cache else load_catalog(root, urls)
    app.extensions["leerlijn.catalog"] = catalog
    return catalog


def catalog() -> Catalog:
    return current_app._get_current_object().extensions["leerlijn.catalog"]  # type: ignore[attr-defined,no-any-return]
