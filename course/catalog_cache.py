"""The loaded course kept on disk, so an app server restarted on the same content and code starts at once.

Loading validates everything (the casus check alone walks up to 20,000 states), which took most of a second
at every start of every worker. The cache holds the Catalog that a full load built, under a key made of
every content file's SHA-256, the domain code's own SHA-256, the libraries that render content, Python's
version, the content folder and the URL prefix: any change to one of them is a different key, hence a full
load, which validates and reports errors as always. Broken content is never cached (loading raises first).

The file is a pickle: it lives in the app's instance folder, which only the app can write (it holds the
secret key too), and a file that cannot be read back as this key's Catalog is ignored and replaced.
"""

from __future__ import annotations

import contextlib
import copyreg
import hashlib
import logging
import os
import pickle
import sys
import tempfile
import time
from pathlib import Path
from types import MappingProxyType
from typing import Any

import markdown_it
import mdit_py_plugins
import pydantic
import yaml

from course.catalog import CONTENT_ENTRIES, Catalog, load_catalog
from course.content.loader import ContentUrls

log = logging.getLogger(__name__)

FORMAT = 1  # bump when the file's layout changes
_PREFIX, _SUFFIX = "catalog-", ".pickle"
ABANDONED_SECONDS = 600  # a temporary file this old was left by a server stopped while writing it
_PACKAGE = Path(__file__).resolve().parent


def load_catalog_cached(root: Path, urls: ContentUrls | None, cache_dir: Path) -> Catalog:
    """The course under ``root`` as ``load_catalog`` returns it, read from ``cache_dir`` when a load of the
    same content by the same code is kept there, otherwise loaded in full and kept for the next start.

    Raises ContentErrors like ``load_catalog`` (a broken course is never read from nor written to the cache).
    A missing, unreadable, corrupt or unwritable cache only costs the full load.
    """
    root, urls = root.resolve(), urls or ContentUrls()
    key = cache_key(root, urls)
    path = cache_dir / f"{_PREFIX}{key}{_SUFFIX}"
    cached = _read(path, key)
    if cached is not None:
        return cached
    catalog = load_catalog(root, urls)
    # A file edited while it was being loaded: what was loaded may be either version, so keep nothing.
    if cache_key(root, urls) == key:
        _write(path, key, catalog)
    return catalog


def cache_key(root: Path, urls: ContentUrls) -> str:
    """SHA-256 (hex) of everything a loaded Catalog depends on: content files, code, libraries, settings."""
    digest = hashlib.sha256()
    for part in (str(FORMAT), sys.version, code_fingerprint(_PACKAGE), _library_versions(), str(root),
                 urls.prefix, content_fingerprint(root)):
        digest.update(part.encode("utf-8") + b"\0")
    return digest.hexdigest()


def content_fingerprint(root: Path) -> str:
    """SHA-256 (hex) over the name and bytes of every file ``load_catalog`` may read under ``root``."""
    digest = hashlib.sha256()
    for entry in CONTENT_ENTRIES:
        files = _files(root / entry)
        digest.update(f"{entry}\0{len(files)}\0".encode())
        for file in files:
            digest.update(file.relative_to(root).as_posix().encode("utf-8") + b"\0")
            try:
                digest.update(hashlib.sha256(file.read_bytes()).digest())
            except OSError:  # a dangling link, a file gone meanwhile: the full load says what it makes of it
                digest.update(b"unreadable")
    return digest.hexdigest()


def _files(top: Path) -> list[Path]:
    """The files under ``top`` (or ``top`` itself), through symbolic links as the loader goes through them
    (a module folder may be a link to another checkout); a folder reached twice is listed once."""
    if not top.is_dir():
        return [top] if top.exists() or top.is_symlink() else []
    found, folders = [], set()
    for folder, subfolders, names in os.walk(top, followlinks=True):
        real = os.path.realpath(folder)
        if real in folders:
            subfolders.clear()
            continue
        folders.add(real)
        found.extend(Path(folder, name) for name in names)
    return sorted(found)


def code_fingerprint(package: Path) -> str:
    """SHA-256 (hex) over the name and bytes of every Python file of ``package``: a deployment that changes
    any of the domain's code (a validation rule, the Markdown setup, a model) never reads an older load."""
    digest = hashlib.sha256()
    for file in sorted(package.rglob("*.py")):
        digest.update(file.relative_to(package).as_posix().encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()


def _library_versions() -> str:
    """The libraries whose output the Catalog holds: rendered HTML, parsed YAML, validated definitions."""
    return " ".join((markdown_it.__version__, mdit_py_plugins.__version__, yaml.__version__, pydantic.VERSION))


def _mapping_proxy(data: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    return MappingProxyType(data)


class _Pickler(pickle.Pickler):
    # The Catalog's read-only mappings; pickle cannot save a mappingproxy itself.
    dispatch_table = copyreg.dispatch_table.copy()
    dispatch_table[MappingProxyType] = lambda proxy: (_mapping_proxy, (dict(proxy),))


def _read(path: Path, key: str) -> Catalog | None:
    try:
        with path.open("rb") as file:
            kept = pickle.load(file)  # noqa: S301 - the app's own file in its instance folder, see above
    except FileNotFoundError:
        return None
    except Exception as exc:  # any unreadable file (truncated, garbage, renamed classes) is only a miss
        log.warning("course cache %s unreadable, loading the course in full: %r", path, exc)
        return None
    if not (isinstance(kept, tuple) and len(kept) == 3 and kept[:2] == (FORMAT, key)
            and isinstance(kept[2], Catalog)):
        log.warning("course cache %s holds something else, loading the course in full", path)
        return None
    return kept[2]


def _write(path: Path, key: str, catalog: Catalog) -> None:
    """Write to a file of this process's own, then rename it into place: servers starting at once each
    write a whole file, and a reader sees one whole file or none, never half of one."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        log.warning("course cache not written to %s: %s", path.parent, exc)
        return
    try:
        with os.fdopen(fd, "wb") as file:
            _Pickler(file, protocol=pickle.HIGHEST_PROTOCOL).dump((FORMAT, key, catalog))
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except Exception as exc:  # a cache that cannot be written (disk full, ...) must not stop the app
        log.warning("course cache not written to %s: %r", path, exc)
        with contextlib.suppress(OSError):
            Path(temporary).unlink(missing_ok=True)
        return
    _remove_others(path)


def _remove_others(path: Path) -> None:
    """Remove loads of older content or code, and files a server stopped while writing left behind (one
    being written right now by another server is young, and stays)."""
    stale = time.time() - ABANDONED_SECONDS
    for other in path.parent.glob(f"{_PREFIX}*{_SUFFIX}"):
        if other != path:
            with contextlib.suppress(OSError):  # left behind it is only never read
                other.unlink(missing_ok=True)
    for temporary in path.parent.glob(f".{_PREFIX}*"):
        with contextlib.suppress(OSError):
            if temporary.stat().st_mtime < stale:
                temporary.unlink(missing_ok=True)
