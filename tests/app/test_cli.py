"""Command-line tools for authors and administrators."""

from __future__ import annotations

import json
import shutil

from click.testing import CliRunner
from sqlalchemy import select

from app.cli import course_cli
from course.catalog_cache import cache_key, load_catalog_cached
from course.content.loader import ContentUrls
from course.db import Role, User
from tests.conftest import VALID_CONTENT


def test_course_check_passes_on_valid_content():
    result = CliRunner().invoke(course_cli, ["check", "--content-dir", str(VALID_CONTENT)])
    assert result.exit_code == 0 and "Content OK: 2 modules, 3 pages" in result.output


def test_course_check_lists_every_problem_with_file_and_line_and_exits_1(tmp_path):
    root = tmp_path / "content"
    shutil.copytree(VALID_CONTENT, root)
    page = root / "modules/02-tweede/01-enige.md"
    page.write_text(page.read_text().replace("minutes: 3", "minutes: 3\nfoo: bar") + "\n[weg](nergens.md)\n")
    result = CliRunner().invoke(course_cli, ["check", "--content-dir", str(root)])
    assert result.exit_code == 1
    assert "modules/02-tweede/01-enige.md:4: unknown key 'foo'" in result.output
    assert "modules/02-tweede/01-enige.md:8: broken link 'nergens.md': no such page" in result.output
    assert "2 problem(s) found." in result.output


def test_course_check_validates_the_files_themselves_never_the_start_up_cache(tmp_path, monkeypatch):
    """Even a cache that claims the broken course is fine (written by hand) does not hide its problems."""
    root, cache = tmp_path / "content", tmp_path / "cache"
    shutil.copytree(VALID_CONTENT, root)
    load_catalog_cached(root, None, cache)
    (kept,) = cache.iterdir()
    valid_key = cache_key(root.resolve(), ContentUrls())
    page = root / "modules/02-tweede/01-enige.md"
    page.write_text(page.read_text() + "\n[weg](nergens.md)\n")
    broken_key = cache_key(root.resolve(), ContentUrls())
    forged = kept.read_bytes().replace(valid_key.encode(), broken_key.encode())
    (cache / kept.name.replace(valid_key, broken_key)).write_bytes(forged)
    assert load_catalog_cached(root, None, cache).module("tweede") is not None  # the forgery works there
    monkeypatch.setenv("LEERLIJN_CATALOG_CACHE_DIR", str(cache))
    result = CliRunner().invoke(course_cli, ["check", "--content-dir", str(root)])
    assert result.exit_code == 1
    assert "modules/02-tweede/01-enige.md:7: broken link 'nergens.md': no such page" in result.output


def test_course_stats_json_has_the_documented_keys():
    result = CliRunner().invoke(course_cli, ["stats", "--json", "--content-dir", str(VALID_CONTENT)])
    stats = json.loads(result.output)
    for key in ["modules", "pages", "words", "images", "quizzes", "questions", "question_types", "casuses",
                "casus_steps"]:
        assert key in stats
    assert stats["modules"] == 2 and stats["pages"] == 3 and stats["images"] == 1 and stats["words"] > 20
    assert isinstance(stats["question_types"], dict)


def test_users_create_makes_an_administrator(app, session):
    result = app.test_cli_runner().invoke(args=["users", "create", "--email", "Beheer@Example.org", "--role",
                                                "admin", "--password", "een-lang-wachtwoord"])
    assert result.exit_code == 0, result.output
    user = session.scalar(select(User).where(User.email == "beheer@example.org"))
    assert user is not None and user.role == Role.SITE_ADMIN


def test_users_create_refuses_a_duplicate_with_a_message(app):
    runner = app.test_cli_runner()
    args = ["users", "create", "--email", "a@example.org", "--password", "een-lang-wachtwoord"]
    runner.invoke(args=args)
    result = runner.invoke(args=args)
    assert result.exit_code != 0 and "Er bestaat al een account" in result.output


def test_course_stats_counts_banks_conversations_job_aids_and_measured_study_load(tmp_path):
    """An author sees how big the banks are, how many conversation steps there are, and the real study load."""
    from tests.app.quiz.conftest import build_course
    root = build_course(tmp_path / "course")
    gesprek = (VALID_CONTENT.parent / "casus" / "conversation" / "gesprek.yaml").read_text(encoding="utf-8")
    (root / "casuses" / "gesprek.yaml").write_text(gesprek.replace("module: meldcode", "module: tweede"),
                                                   encoding="utf-8")
    result = CliRunner().invoke(course_cli, ["stats", "--json", "--content-dir", str(root)])
    assert result.exit_code == 0, result.output
    stats = json.loads(result.output)
    assert stats["bank_questions"] == 9 and stats["practice_questions"] == 1  # 7 + 2 graded, 1 on a page
    assert stats["questions_per_attempt"] == 9
    assert stats["conversation_steps"] == 2 and stats["job_aids"] == 1
    assert stats["study_minutes_measured"] > 0
    assert sum(stats["study_minutes_per_module"].values()) >= stats["study_minutes_measured"]
