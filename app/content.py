"""The course catalog, loaded and validated once when the app is created."""

from __future__ import annotations

from flask import Flask

from app.request_objects import the_app
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
    return the_app().extensions["leerlijn.catalog"]  # type: ignore[no-any-return]
