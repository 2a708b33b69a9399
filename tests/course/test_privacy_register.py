"""The register of personal data covers every table that refers to a person (Moodle's Privacy API, as a test).

A new table with a user column, or a table hanging under one, fails here until it has an entry in
course/privacy.py, which is what makes "download my data" and "delete my account" include it.
"""

from __future__ import annotations

from sqlalchemy import Table

import course.db  # noqa: F401  (registers every table)
from course.db.base import Base
from course.privacy import PERSONAL_DATA

TABLES = Base.metadata.tables


def refers_to_a_person(table: Table, column_name: str) -> bool:
    """A foreign key to users, or a name that says it holds a user id (a log may keep one without a key)."""
    column = table.c[column_name]
    if any(fk.column.table.name == "users" for fk in column.foreign_keys):
        return True
    return column_name == "user_id" or column_name.endswith("_user_id")


def registered() -> set[tuple[str, str]]:
    return {(entry.table, entry.user_column) for entry in PERSONAL_DATA}


def nested() -> set[str]:
    return {n.table for entry in PERSONAL_DATA for n in entry.nested}


def test_every_column_that_refers_to_a_person_is_in_the_register():
    """Export and delete find every row about a person: no user column is left out of the register."""
    columns = {(table.name, column.name) for table in TABLES.values() for column in table.columns
               if refers_to_a_person(table, column.name)} | {("users", "id")}
    missing = columns - registered()
    assert not missing, f"add these (table, column) to course/privacy.py PERSONAL_DATA: {sorted(missing)}"


def test_every_table_under_personal_rows_is_exported_and_erased_with_them():
    """Rows hanging under a person's rows (answers under attempts…) are covered, however deep."""
    personal = {table for table, _ in registered()} | nested()
    for table in TABLES.values():
        parents = {fk.column.table.name for fk in table.foreign_keys} & personal
        assert not parents or table.name in personal, (
            f"table '{table.name}' hangs under {sorted(parents)}, which hold personal data: register it in "
            "course/privacy.py, as an entry or as Nested under its parent")


def test_register_names_only_real_tables_and_columns():
    sections = [entry.section for entry in PERSONAL_DATA]
    assert len(sections) == len(set(sections)), "export sections must be unique"
    for entry in PERSONAL_DATA:
        table = TABLES[entry.table]
        for column in {entry.user_column, entry.order_by, *entry.omit, *entry.activity, *entry.anonymise}:
            assert column in table.c, f"{entry.table}.{column} does not exist"
        assert "id" in table.c and "id" not in entry.omit, f"{entry.table} needs an exported id"
        if entry.erase.value == "anonymise":
            assert table.c[entry.user_column].nullable, f"{entry.table}.{entry.user_column} must be nullable"
        for child in entry.nested:
            child_table = TABLES[child.table]
            assert child.parent_column in child_table.c and child.order_by in child_table.c
            assert {fk.column.table.name for fk in child_table.c[child.parent_column].foreign_keys} == {entry.table}
    assert PERSONAL_DATA[0].table == "users", "the account is erased last, so it comes first in the register"


def test_secrets_never_leave_in_an_export():
    account = next(entry for entry in PERSONAL_DATA if entry.table == "users")
    assert {"password_hash", "session_version"} <= account.omit
    for entry in PERSONAL_DATA:
        for table_name, omit in [(entry.table, entry.omit), *((n.table, n.omit) for n in entry.nested)]:
            secret_like = {column.name for column in TABLES[table_name].columns
                           if any(word in column.name for word in ("password", "token", "secret", "otp"))}
            assert secret_like <= omit, f"leave {sorted(secret_like - omit)} of {table_name} out of the export"
