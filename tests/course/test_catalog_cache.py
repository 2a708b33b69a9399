"""The course kept on disk between starts: used only for the very content and code it was loaded from."""

from __future__ import annotations

import os
import pickle
import shutil
import time
from pathlib import Path

import pytest

import course.catalog_cache as catalog_cache
from course.catalog import load_catalog
from course.catalog_cache import FORMAT, cache_key, code_fingerprint, load_catalog_cached
from course.content.loader import ContentUrls
from course.errors import ContentErrors

VALID = Path(__file__).parent.parent / "fixtures" / "content" / "valid"
PAGE = "modules/01-eerste/01-begin.md"


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(VALID, root)
    return root


@pytest.fixture
def full_loads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The content folders loaded and validated in full (rather than read from the cache)."""
    loads: list[Path] = []

    def counted(root: Path, urls: ContentUrls | None = None):
        loads.append(root)
        return load_catalog(root, urls)
    monkeypatch.setattr(catalog_cache, "load_catalog", counted)
    return loads


def page_html(catalog) -> str:
    return "".join(v for k, v in catalog.module("eerste").page("begin").segments if k == "html")


def cache_files(cache: Path) -> list[str]:
    return sorted(p.name for p in cache.iterdir()) if cache.exists() else []


def test_a_restart_on_unchanged_content_serves_the_same_course_without_loading_it_again(content, tmp_path,
                                                                                         full_loads):
    first = load_catalog_cached(content, None, tmp_path / "cache")
    again = load_catalog_cached(content, None, tmp_path / "cache")
    assert full_loads == [content.resolve()]
    assert again == first == load_catalog(content)
    assert page_html(again) == page_html(first) and again.media == first.media


@pytest.mark.parametrize("change", ["edit", "new page", "removed file"])
def test_changed_content_is_loaded_in_full_and_shown(content, tmp_path, full_loads, change):
    cache = tmp_path / "cache"
    load_catalog_cached(content, None, cache)
    page = content / PAGE
    if change == "edit":
        page.write_text(page.read_text().replace("Meer tekst.", "Heel andere tekst."))
    elif change == "new page":
        (content / "modules/01-eerste/03-extra.md").write_text("---\ntitle: Extra\nminutes: 2\n---\nNieuw.\n")
    else:
        (content / "jobaids/kindcheck.md").unlink()
    catalog = load_catalog_cached(content, None, cache)
    assert len(full_loads) == 2
    if change == "edit":
        assert "Heel andere tekst." in page_html(catalog) and "Meer tekst." not in page_html(catalog)
    elif change == "new page":
        assert [p.id for p in catalog.module("eerste").pages] == ["begin", "vervolg", "extra"]
    else:
        assert not catalog.jobaids
    assert len(cache_files(cache)) == 1  # the older load is gone


def test_a_code_change_loads_the_course_in_full(content, tmp_path, full_loads, monkeypatch):
    load_catalog_cached(content, None, tmp_path / "cache")
    monkeypatch.setattr(catalog_cache, "code_fingerprint", lambda _package: "the next release")
    load_catalog_cached(content, None, tmp_path / "cache")
    assert len(full_loads) == 2


def test_the_code_fingerprint_changes_with_any_python_file_of_the_package(tmp_path):
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "a.py").write_text("A = 1\n")
    (package / "sub" / "b.py").write_text("B = 2\n")
    before = code_fingerprint(package)
    (package / "sub" / "b.py").write_text("B = 3\n")
    edited = code_fingerprint(package)
    (package / "sub" / "c.py").write_text("")
    added = code_fingerprint(package)
    assert len({before, edited, added}) == 3


def test_another_url_prefix_or_content_folder_is_another_load(content, tmp_path, full_loads):
    cache = tmp_path / "cache"
    load_catalog_cached(content, None, cache)
    prefixed = load_catalog_cached(content, ContentUrls(prefix="/leren"), cache)
    assert prefixed.module("eerste").pages[0] is not None
    assert any(url.startswith("/leren/") for url in prefixed.page_urls.values())
    other = tmp_path / "elders"
    shutil.copytree(content, other)
    assert load_catalog_cached(other, None, cache).root == other.resolve()
    assert len(full_loads) == 3


def test_broken_content_reports_file_and_line_although_a_load_of_it_is_cached(content, tmp_path):
    cache = tmp_path / "cache"
    load_catalog_cached(content, None, cache)
    page = content / "modules/02-tweede/01-enige.md"
    page.write_text("---\ntitle: x\n---\n[kapot](weg.md)\n")
    with pytest.raises(ContentErrors) as info:
        load_catalog_cached(content, None, cache)
    assert [str(e) for e in info.value.errors] == [
        "modules/02-tweede/01-enige.md:2: missing required key 'minutes'",
        "modules/02-tweede/01-enige.md:4: broken link 'weg.md': no such page",
    ]
    with pytest.raises(ContentErrors):  # and again: a broken course is never kept
        load_catalog_cached(content, None, cache)


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "another key", "not a catalog"])
def test_a_corrupt_cache_file_falls_back_to_a_full_load_and_is_replaced(content, tmp_path, full_loads, damage):
    cache = tmp_path / "cache"
    expected = load_catalog_cached(content, None, cache)
    (kept,) = cache.iterdir()
    good = kept.read_bytes()
    key = cache_key(content.resolve(), ContentUrls())
    kept.write_bytes({
        "garbage": b"\x80\x05 dit is geen pickle",
        "truncated": good[: len(good) // 2],
        "empty": b"",
        "another key": good.replace(key.encode(), b"0" * 64),  # e.g. renamed by hand
        "not a catalog": pickle.dumps((FORMAT, key, {"modules": ()})),
    }[damage])
    assert load_catalog_cached(content, None, cache) == expected
    assert len(full_loads) == 2
    assert load_catalog_cached(content, None, cache) == expected  # the file was written whole again
    assert len(full_loads) == 2


def test_a_write_that_fails_halfway_leaves_no_file_behind_and_the_course_loads(content, tmp_path, monkeypatch):
    cache = tmp_path / "cache"

    def disk_full(self, _obj):
        self._file.write(b"\x80\x05half a catalog")
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(catalog_cache._Pickler, "__init__",
                        lambda self, file, protocol: setattr(self, "_file", file))
    monkeypatch.setattr(catalog_cache._Pickler, "dump", disk_full)
    catalog = load_catalog_cached(content, None, cache)
    assert catalog == load_catalog(content)
    assert cache_files(cache) == []


def test_an_unwritable_cache_folder_only_costs_the_full_load(content, tmp_path):
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("")
    assert load_catalog_cached(content, None, blocked / "cache") == load_catalog(content)


def test_an_edit_in_a_module_folder_linked_from_elsewhere_is_loaded(content, tmp_path, full_loads):
    """A module folder may be a symbolic link (e.g. to another checkout): editing it is a change too."""
    elsewhere = tmp_path / "gedeeld" / "02-tweede"
    shutil.move(content / "modules" / "02-tweede", elsewhere)
    (content / "modules" / "02-tweede").symlink_to(elsewhere, target_is_directory=True)
    cache = tmp_path / "cache"
    load_catalog_cached(content, None, cache)
    page = elsewhere / "01-enige.md"
    page.write_text(page.read_text() + "\nTekst van elders.\n")
    catalog = load_catalog_cached(content, None, cache)
    assert "Tekst van elders." in "".join(v for k, v in catalog.module("tweede").pages[0].segments if k == "html")
    assert len(full_loads) == 2


def test_a_dangling_link_in_the_content_does_not_stop_the_start(content, tmp_path):
    (content / "jobaids" / "weg.txt").symlink_to(tmp_path / "bestaat-niet")
    assert load_catalog_cached(content, None, tmp_path / "cache") == load_catalog(content)


def test_a_half_file_left_by_a_server_stopped_while_writing_is_removed_but_not_one_being_written(content,
                                                                                                  tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    abandoned, being_written = cache / ".catalog-oud.pickle.k3j4", cache / ".catalog-nu.pickle.x9y8"
    abandoned.write_bytes(b"\x80\x05half")
    being_written.write_bytes(b"\x80\x05half")
    an_hour_ago = time.time() - 3600
    os.utime(abandoned, (an_hour_ago, an_hour_ago))
    load_catalog_cached(content, None, cache)
    assert not abandoned.exists() and being_written.exists()
