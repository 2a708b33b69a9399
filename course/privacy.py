"""The register of personal data: every table that holds something about a person, and how it is
exported ("download all my data") and erased ("delete my account", the retention purge).

One entry per (table, user column). A table whose rows only make sense under a parent row (the answers
of an attempt, the decisions of a run) is listed as ``Nested`` under that parent: it is exported inside
the parent's rows and erased with them. tests/course/test_privacy_register.py reads the SQLAlchemy
metadata and fails when a table that refers to a user (or to such a table) is missing here, so a new area
(trainer groups, organisations, certificates…) adds its entry in this file when it adds its tables.

Moodle's Privacy API is the model: each component declares its data; the platform does the rest.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class Erase(enum.Enum):
    """What happens to a person's rows when their account is deleted."""

    DELETE = "delete"
    # Keep the row (it matters to others, e.g. a group's tally or a security log) but cut the link to the
    # person: the user column becomes NULL and the columns in ``anonymise`` get the values given there.
    ANONYMISE = "anonymise"


@dataclass(frozen=True)
class Nested:
    """A child table exported inside each parent row (under ``key``) and erased with its parent."""

    table: str
    parent_column: str  # the child's column holding the parent row's id
    key: str
    order_by: str = "id"
    omit: frozenset[str] = frozenset()


@dataclass(frozen=True)
class PersonalTable:
    """One table's personal data: found by ``user_column``, exported as ``section``, erased per ``erase``."""

    table: str
    user_column: str
    section: str  # the key in the export; unique
    erase: Erase = Erase.DELETE
    omit: frozenset[str] = frozenset()  # never exported: secrets such as password hashes
    nested: tuple[Nested, ...] = ()
    # Columns holding moments the person used the platform; their newest value over every table is the
    # account's last activity, which the retention purge compares with its limit.
    activity: tuple[str, ...] = ()
    anonymise: Mapping[str, Any] = field(default_factory=dict)  # with Erase.ANONYMISE: column -> new value
    single: bool = False  # exactly one row (the account itself): exported as an object, not a list
    order_by: str = "id"


# Erased in reverse order of this list, so children go before the rows they refer to; ``users`` is first
# here and so erased last.
PERSONAL_DATA: tuple[PersonalTable, ...] = (
    PersonalTable("users", "id", section="account", single=True,
                  omit=frozenset({"password_hash", "session_version", "totp_secret", "totp_last_step",
                                  "totp_enabled_at", "recovery_code_hashes"}), activity=("created_at",)),
    PersonalTable("memberships", "user_id", section="memberships", omit=frozenset({"user_id"})),
    # Work an organisation set for the person by name (work for everyone or a team names nobody).
    PersonalTable("assignments", "user_id", section="assignments", omit=frozenset({"user_id", "created_by_id"})),
    # The reminders mailed to the person (which event, when): so none is sent twice.
    PersonalTable("sent_reminders", "user_id", section="sent_reminders", omit=frozenset({"user_id"})),
    # Work the person set as an organisation admin: it stays the organisation's, without their name.
    PersonalTable("assignments", "created_by_id", section="assignments_set", erase=Erase.ANONYMISE,
                  omit=frozenset({"created_by_id", "user_id"})),
    PersonalTable("page_progress", "user_id", section="page_progress", omit=frozenset({"user_id"}),
                  activity=("last_seen_at", "read_at")),
    # The learner's time on task as the report counts it, derived from the rows above (course.services.on_task).
    # Not an activity moment: refresh-figures rewrites updated_at without the learner doing anything.
    PersonalTable("time_on_task", "user_id", section="time_on_task", omit=frozenset({"user_id"})),
    # The learner's standing per module as the report counts it, derived from the rows above and below
    # (course.services.module_summaries); done_at repeats a moment those rows hold.
    PersonalTable("module_summaries", "user_id", section="module_summaries", omit=frozenset({"user_id"})),
    PersonalTable("quiz_attempts", "user_id", section="quiz_attempts", omit=frozenset({"user_id"}),
                  nested=(Nested("quiz_attempt_answers", "attempt_id", "answers",
                                 omit=frozenset({"attempt_id"})),),
                  activity=("started_at", "last_saved_at", "submitted_at")),
    # An embedded question's answer just checked, until its page has shown the feedback.
    PersonalTable("embedded_checks", "user_id", section="embedded_checks", omit=frozenset({"user_id"}),
                  activity=("checked_at",)),
    PersonalTable("casus_runs", "user_id", section="casus_runs", omit=frozenset({"user_id"}),
                  nested=(Nested("casus_decisions", "run_id", "decisions", order_by="position",
                                 omit=frozenset({"run_id"})),),
                  activity=("updated_at",)),
    # Certificates go with the account: the verification page then knows the code no more. The learner's
    # own register numbers likewise. A certificate an administrator revoked keeps its reason, not who.
    PersonalTable("certificates", "user_id", section="certificates", omit=frozenset({"user_id"}),
                  activity=("issued_at",)),
    PersonalTable("certificates", "revoked_by_id", section="certificates_revoked", erase=Erase.ANONYMISE,
                  omit=frozenset({"revoked_by_id", "user_id", "register_numbers", "code"})),
    PersonalTable("register_numbers", "user_id", section="register_numbers", omit=frozenset({"user_id"})),
    # Which account the person is at their organisation's identity provider (issuer and subject), so that
    # signing in through the organisation finds their account.
    PersonalTable("sso_identities", "user_id", section="sso_identities", omit=frozenset({"user_id"}),
                  activity=("last_login_at",)),
    # The logins of each device; the secret's hash stays out of the export.
    PersonalTable("login_sessions", "user_id", section="logins", omit=frozenset({"user_id", "secret_hash"}),
                  activity=("last_seen_at",)),
    # The security log keeps what happened (an administrator may need it) but not who or from where.
    PersonalTable("security_events", "user_id", section="security_events", erase=Erase.ANONYMISE,
                  omit=frozenset({"user_id"}), anonymise={"ip": None}),
    # Events where the person acted on someone else's account (an administrator); the address is theirs.
    PersonalTable("security_events", "actor_id", section="security_events_as_actor", erase=Erase.ANONYMISE,
                  omit=frozenset({"actor_id", "user_id"}), anonymise={"ip": None}),
    # A trainer's groups and live sessions go with their account; a learner's place in a group with theirs.
    PersonalTable("groups", "trainer_id", section="groups_as_trainer", omit=frozenset({"trainer_id"}),
                  activity=("created_at",)),
    PersonalTable("group_members", "user_id", section="group_memberships", omit=frozenset({"user_id"}),
                  activity=("joined_at",)),
    PersonalTable("live_sessions", "trainer_id", section="live_sessions_as_trainer",
                  omit=frozenset({"trainer_id"}), activity=("created_at",)),
    # Taking part in a live session with one's account; anonymous participants are not linked to anyone.
    PersonalTable("live_participants", "user_id", section="live_participation",
                  omit=frozenset({"user_id", "token_hash"}), activity=("joined_at",),
                  nested=(Nested("live_answers", "participant_id", "answers",
                                 omit=frozenset({"participant_id"})),)),
)

# The format of the export, so that a reader of an old file knows what it holds.
EXPORT_FORMAT = "leerlijn-personal-data"
EXPORT_VERSION = 1
