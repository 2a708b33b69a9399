"""Groups (cohorts): a trainer creates one, learners join with its code, the trainer follows the group.

The trainer sees each member's progress and the group's answers in aggregate — never one member's
answers, and never reflection texts unless the member chose to share them. Aggregates appear only when
enough members contributed that no one can be picked out.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    ScalarSelect,
    String,
    and_,
    case,
    distinct,
    func,
    literal,
    literal_column,
    select,
    true,
    type_coerce,
    union_all,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from course.casus.engine import RunState
from course.casus.kinds import ChoiceStep, ReflectionStep
from course.catalog import Catalog
from course.db import (
    AttemptAnswer,
    AttemptStatus,
    CasusDecision,
    CasusRun,
    CasusVersion,
    Group,
    GroupMember,
    QuizAttempt,
    Role,
    User,
    status_is,
    utcnow,
)
from course.errors import N_, DomainError, NotFound
from course.progress import CourseProgress
from course.services.progress import course_progress_of

JOIN_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: read aloud and typed on a phone
JOIN_CODE_LENGTH = 8
MIN_CONTRIBUTORS = 5


class NotATrainer(DomainError):
    """Only trainers (and site administrators) run groups and live sessions."""


def require_trainer(user: User) -> None:
    """Raises NotATrainer unless ``user`` may run groups and live sessions."""
    if user.role not in (Role.TRAINER, Role.SITE_ADMIN):
        raise NotATrainer(N_("Alleen trainers kunnen groepen en live sessies beheren."))


def new_code(length: int) -> str:
    """A random code from an alphabet that survives being read aloud."""
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(length))


def normalise_code(code: str) -> str:
    """A code as typed (spaces, lower case, a dash) in the form it is stored."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


# --- the trainer's side -----------------------------------------------------------------------------------

def create_group(session: Session, trainer: User, name: str, starts_on: date | None = None,
                 ends_on: date | None = None) -> Group:
    """A new open group of ``trainer`` with a fresh join code; commits. Raises DomainError for bad dates."""
    require_trainer(trainer)
    if starts_on and ends_on and ends_on < starts_on:
        raise DomainError(N_("De einddatum ligt voor de begindatum."), field="ends_on")
    for _ in range(5):
        group = Group(trainer_id=trainer.id, name=name.strip(), starts_on=starts_on, ends_on=ends_on,
                      join_code=new_code(JOIN_CODE_LENGTH))
        session.add(group)
        try:
            session.commit()
            return group
        except IntegrityError:  # the code was taken: astronomically rare, so simply draw again
            session.rollback()
    raise DomainError(N_("Er kon geen groepscode worden gemaakt; probeer het opnieuw."))


def trainer_group(session: Session, trainer: User, group_id: int) -> Group:
    """The group ``group_id`` if ``trainer`` runs it. Raises NotFound otherwise (another trainer's group too:
    its members' progress is for their own trainer)."""
    group = session.get(Group, group_id)
    if group is None or group.trainer_id != trainer.id:
        raise NotFound(N_("Deze groep bestaat niet."))
    return group


@dataclass(frozen=True)
class GroupSummary:
    group: Group
    members: int


def trainer_groups(session: Session, trainer: User) -> list[GroupSummary]:
    """The trainer's groups, newest first, with their member counts (one query)."""
    rows = session.execute(
        select(Group, func.count(GroupMember.id)).outerjoin(GroupMember, GroupMember.group_id == Group.id)
        .where(Group.trainer_id == trainer.id).group_by(Group.id).order_by(Group.created_at.desc(), Group.id.desc()))
    return [GroupSummary(group, count) for group, count in rows]


def close_group(session: Session, trainer: User, group_id: int) -> Group:
    """Close the group to new members (members stay); commits. Closing twice is harmless."""
    group = trainer_group(session, trainer, group_id)
    if group.closed_at is None:
        group.closed_at = utcnow()
        session.commit()
    return group


def remove_member(session: Session, trainer: User, group_id: int, user_id: int) -> None:
    """Take a learner out of the trainer's group; commits. Raises NotFound for a group or member not there."""
    group = trainer_group(session, trainer, group_id)
    member = session.scalars(select(GroupMember).where(
        GroupMember.group_id == group.id, GroupMember.user_id == user_id)).one_or_none()
    if member is None:
        raise NotFound(N_("Deze deelnemer zit niet (meer) in de groep."))
    session.delete(member)
    session.commit()


# --- the learner's side -----------------------------------------------------------------------------------

def join_group(session: Session, user_id: int, code: str) -> Group:
    """Add the learner to the group with ``code``; commits. Joining twice is harmless.

    Raises DomainError for an unknown code or a closed group.
    """
    group = session.scalars(select(Group).where(Group.join_code == normalise_code(code))).one_or_none()
    if group is None:
        raise DomainError(N_("Er is geen groep met deze code. Controleer de code bij je trainer."), field="code")
    if session.scalars(select(GroupMember.id).where(GroupMember.group_id == group.id,
                                                    GroupMember.user_id == user_id)).first() is not None:
        return group
    if group.closed:
        raise DomainError(N_("Deze groep is gesloten; vraag je trainer om een nieuwe code."), field="code")
    session.add(GroupMember(group_id=group.id, user_id=user_id))
    try:
        session.commit()
    except IntegrityError:  # a double click joined already
        session.rollback()
    return group


@dataclass(frozen=True)
class Membership:
    group: Group
    trainer_name: str
    shares_reflections: bool


def my_groups(session: Session, user_id: int) -> list[Membership]:
    """The groups the learner is in, with their trainer's name and the learner's sharing choice (one query)."""
    rows = session.execute(
        select(Group, User.name, GroupMember.shares_reflections)
        .join(GroupMember, GroupMember.group_id == Group.id).join(User, User.id == Group.trainer_id)
        .where(GroupMember.user_id == user_id).order_by(Group.created_at.desc()))
    return [Membership(group, trainer, shares) for group, trainer, shares in rows]


def set_sharing(session: Session, user_id: int, group_id: int, share: bool) -> None:
    """Share (or stop sharing) the learner's reflection texts with the group's trainer; commits."""
    member = _own_membership(session, user_id, group_id)
    member.shares_reflections = share
    session.commit()


def leave_group(session: Session, user_id: int, group_id: int) -> None:
    """Leave a group; commits. The trainer no longer sees the learner."""
    session.delete(_own_membership(session, user_id, group_id))
    session.commit()


def _own_membership(session: Session, user_id: int, group_id: int) -> GroupMember:
    member = session.scalars(select(GroupMember).where(
        GroupMember.group_id == group_id, GroupMember.user_id == user_id)).one_or_none()
    if member is None:
        raise NotFound(N_("Deze groep bestaat niet."))
    return member


# --- the overview -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MemberRow:
    user_id: int
    name: str
    joined_at: datetime
    shares_reflections: bool
    progress: CourseProgress


@dataclass(frozen=True)
class Spread:
    """How the group answered one question or fork: count per option, among ``contributors`` members."""

    title: str
    prompt_html: str
    contributors: int
    options: tuple[tuple[str, str, int, bool], ...]  # (id, label html, members, recommended/correct)
    context: str  # the quiz or casus title
    meldcode_step: int | None = None

    @property
    def recommended_percent(self) -> int:
        chose = sum(count for _id, _label, count, good in self.options if good)
        return round(100 * chose / self.contributors) if self.contributors else 0

    def percent(self, count: int) -> int:
        return round(100 * count / self.contributors) if self.contributors else 0


@dataclass(frozen=True)
class GroupOverview:
    group: Group
    members: tuple[MemberRow, ...]
    questions: tuple[Spread, ...]  # only those with enough contributors
    forks: tuple[Spread, ...]
    withheld: int  # questions and forks not shown because too few members contributed
    minimum: int


def group_overview(session: Session, catalog: Catalog, group: Group, minimum: int = MIN_CONTRIBUTORS
                   ) -> GroupOverview:
    """Every member's progress and the group's answer spread per question and per fork.

    Seven queries whatever the group's size. A spread appears only when at least ``minimum`` members
    contributed to it; each member counts once per option they chose (over all their attempts and runs).
    """
    members = session.execute(
        select(GroupMember.user_id, User.name, GroupMember.joined_at, GroupMember.shares_reflections)
        .join(User, User.id == GroupMember.user_id).where(GroupMember.group_id == group.id)
        .order_by(User.name)).all()
    user_ids = [m.user_id for m in members]
    progress = course_progress_of(session, catalog, user_ids) if user_ids else {}
    rows = tuple(MemberRow(m.user_id, m.name, m.joined_at, m.shares_reflections, progress[m.user_id])
                 for m in members)
    questions, withheld_q = _question_spreads(session, catalog, user_ids, minimum)
    forks, withheld_f = _fork_spreads(session, catalog, user_ids, minimum)
    return GroupOverview(group, rows, questions, forks, withheld_q + withheld_f, minimum)


def answer_spreads(session: Session, catalog: Catalog, user_ids: Sequence[int] | ScalarSelect[int],
                   minimum: int = MIN_CONTRIBUTORS) -> tuple[tuple[Spread, ...], tuple[Spread, ...], int]:
    """How these learners (ids, or a select of them) answered each knowledge-check question and chose at each
    casus fork: (questions, forks, withheld), each spread only with at least ``minimum`` contributors.

    Three queries, counted by the database: an organisation's tens of thousands of answers never travel.
    """
    questions, withheld_q = _question_spreads(session, catalog, user_ids, minimum)
    forks, withheld_f = _fork_spreads(session, catalog, user_ids, minimum)
    return questions, forks, withheld_q + withheld_f


def _nobody(user_ids: Sequence[int] | ScalarSelect[int]) -> bool:
    return isinstance(user_ids, Sequence) and not user_ids


def _question_spreads(session: Session, catalog: Catalog, user_ids: Sequence[int] | ScalarSelect[int],
                      minimum: int) -> tuple[tuple[Spread, ...], int]:
    """Per question: members who answered it, who got it right at least once, who got it wrong (or not
    graded) at least once, and who chose each option (each member once per option, over all attempts)."""
    if _nobody(user_ids):
        return (), 0
    who = QuizAttempt.user_id
    answers = (select(QuizAttempt.quiz_id, AttemptAnswer.question_id)
               .join(AttemptAnswer, AttemptAnswer.attempt_id == QuizAttempt.id)
               .where(who.in_(user_ids), status_is(QuizAttempt.status, AttemptStatus.SUBMITTED)))
    totals = session.execute(answers.add_columns(
        func.count(distinct(who)), func.count(distinct(case((AttemptAnswer.correct.is_(True), who)))),
        func.count(distinct(case((AttemptAnswer.correct.is_(True), None), else_=who))))
        .group_by(QuizAttempt.quiz_id, AttemptAnswer.question_id)).all()
    contributors: dict[tuple[str, str], int] = {}
    chosen: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for quiz_id, question_id, users, right, wrong in totals:
        contributors[(quiz_id, question_id)] = users
        chosen[(quiz_id, question_id)].update({"__correct": right, "__wrong": wrong})
    value, chose, listed = _chosen_values(session)
    for quiz_id, question_id, option, users in session.execute(
            answers.join(chose, true()).where(listed).add_columns(value, func.count(distinct(who)))
            .group_by(QuizAttempt.quiz_id, AttemptAnswer.question_id, value)):
        chosen[(quiz_id, question_id)][option] = users
    spreads, withheld = [], 0
    for (quiz_id, question_id), users in sorted(contributors.items()):
        quiz = catalog.quizzes.get(quiz_id)
        question = quiz.question(question_id) if quiz else None
        if question is None:
            continue
        if users < minimum:
            withheld += 1
            continue
        options = _question_options(question, chosen[(quiz_id, question_id)])
        spreads.append(Spread(question_id, question.prompt, users, options, quiz.title))
    return tuple(spreads), withheld


def _chosen_values(session: Session) -> tuple[ColumnElement[str], Any, ColumnElement[bool]]:
    """(the value, the FROM item giving it, the condition) for each text value an answer's form field ""
    holds: the options a member chose. A field that is not a list, and values that are not text, give none."""
    if session.get_bind().dialect.name == "postgresql":
        listed = ("CASE WHEN json_typeof(quiz_attempt_answers.raw -> '') = 'array'"
                  " THEN quiz_attempt_answers.raw -> '' ELSE '[]'::json END")
        chose = func.json_array_elements(literal_column(listed)).table_valued("value").alias("chose")
        return (type_coerce(literal_column("chose.value #>> '{}'"), String()), chose,
                func.json_typeof(chose.c.value) == "string")
    field = literal_column("""'$.""'""")  # the form field "": SQLite's path to an empty key
    chose = func.json_each(AttemptAnswer.raw, field).table_valued("value", "type").alias("chose")
    return chose.c.value, chose, and_(chose.c.type == "text", func.json_type(AttemptAnswer.raw, field) == "array")


def _question_options(question: Any, counts: Mapping[str, int]) -> tuple[tuple[str, str, int, bool], ...]:
    options = getattr(question, "options", None)
    if options:
        return tuple((o.id, o.text, counts.get(o.id, 0), bool(o.correct)) for o in options)
    if hasattr(question, "feedback_true"):
        right = "true" if question.answer else "false"
        return tuple((v, label, counts.get(v, 0), v == right)
                     for v, label in (("true", "Juist"), ("false", "Onjuist")))
    # Orderings, categories and typed answers: right or not, per member.
    return (("correct", "Goed", counts.get("__correct", 0), True),
            ("wrong", "Niet (helemaal) goed", counts.get("__wrong", 0), False))


def _fork_spreads(session: Session, catalog: Catalog, user_ids: Sequence[int] | ScalarSelect[int],
                  minimum: int) -> tuple[tuple[Spread, ...], int]:
    """Per choice step: members who chose there, and who chose each option (each member once per option)."""
    if _nobody(user_ids):
        return (), 0
    if session.get_bind().dialect.name == "postgresql":
        # Keys written into the SQL, not bound: PostgreSQL matches the grouped expression by its text.
        option: ColumnElement[Any] = type_coerce(CasusDecision.choice.op("->>")(literal_column("'option'")),
                                                 String())
        is_text = func.json_typeof(CasusDecision.choice.op("->")(literal_column("'option'"))) == "string"
    else:
        option = type_coerce(func.json_extract(CasusDecision.choice, literal_column("'$.option'")), String())
        is_text = func.json_type(CasusDecision.choice, literal_column("'$.option'")) == "text"
    who = CasusRun.user_id
    decisions = (select(CasusDecision.casus_id, CasusDecision.step_id)
                 .join(CasusRun, CasusRun.id == CasusDecision.run_id)
                 .where(who.in_(user_ids), CasusDecision.kind == "choice", is_text))
    per_step = union_all(
        decisions.add_columns(literal(None, String()).label("option"), func.count(distinct(who)).label("users"))
        .group_by(CasusDecision.casus_id, CasusDecision.step_id),
        decisions.add_columns(option.label("option"), func.count(distinct(who)).label("users"))
        .group_by(CasusDecision.casus_id, CasusDecision.step_id, option))
    contributors: dict[tuple[str, str], int] = {}
    by_option: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for casus_id, step_id, chosen, users in session.execute(per_step):
        if chosen is None:
            contributors[(casus_id, step_id)] = users
        else:
            by_option[(casus_id, step_id)][chosen] = users
    spreads, withheld = [], 0
    for casus in catalog.casuses.values():
        for step in casus.steps:
            key = (casus.id, step.id)
            if not isinstance(step, ChoiceStep) or key not in contributors:
                continue
            if contributors[key] < minimum:
                withheld += 1
                continue
            options = tuple((o.id, o.text_html, by_option[key].get(o.id, 0), o.recommended) for o in step.options)
            spreads.append(Spread(step.title, step.prompt_html, contributors[key], options, casus.title,
                                  step.meldcode_step))
    return tuple(spreads), withheld


@dataclass(frozen=True)
class SharedReflection:
    member: str
    casus_title: str
    step_title: str
    text: str


def shared_reflections(session: Session, catalog: Catalog, group: Group) -> list[SharedReflection]:
    """Reflection texts of the members who chose to share them with this group's trainer (one query; two
    when a casus changed since a run: each run is read with the version it ran on, see casus_versions)."""
    rows = session.execute(
        select(User.name, CasusRun.casus_id, CasusRun.state, CasusRun.content_hash)
        .join(GroupMember, GroupMember.user_id == User.id).join(CasusRun, CasusRun.user_id == User.id)
        .where(GroupMember.group_id == group.id, GroupMember.shares_reflections.is_(True))
        .order_by(User.name, CasusRun.casus_id, CasusRun.number)).all()
    older = {row.content_hash for row in rows if row.casus_id in catalog.casuses
             and row.content_hash != catalog.casuses[row.casus_id].content_hash}
    sources = dict(session.execute(select(CasusVersion.content_hash, CasusVersion.source).where(
        CasusVersion.content_hash.in_(older))).all()) if older else {}
    result = []
    for name, casus_id, stored, content_hash in rows:
        casus = catalog.casuses.get(casus_id)
        if casus is None:
            continue
        if content_hash in sources:
            casus = catalog.casus_version(casus_id, sources[content_hash]) or casus
        try:
            state = RunState.from_json(casus, stored)
        except DomainError:
            continue
        for decision in state.path:
            step = casus.step(decision.step)
            if isinstance(step, ReflectionStep) and decision.answer:
                result.append(SharedReflection(name, casus.title, step.title, str(decision.answer)))
    return result
