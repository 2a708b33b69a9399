"""Groups (cohorts): a trainer creates one, learners join with its code, the trainer follows the group.

The trainer sees each member's progress and the group's answers in aggregate — never one member's
answers, and never reflection texts unless the member chose to share them. Aggregates appear only when
enough members contributed that no one can be picked out.
"""

from __future__ import annotations

import secrets
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
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

    Six queries whatever the group's size. A spread appears only when at least ``minimum`` members
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


def answer_spreads(session: Session, catalog: Catalog, user_ids: Sequence[int], minimum: int = MIN_CONTRIBUTORS
                   ) -> tuple[tuple[Spread, ...], tuple[Spread, ...], int]:
    """How these learners answered each knowledge-check question and chose at each casus fork:
    (questions, forks, withheld), each spread only with at least ``minimum`` contributors. Two queries."""
    questions, withheld_q = _question_spreads(session, catalog, user_ids, minimum)
    forks, withheld_f = _fork_spreads(session, catalog, user_ids, minimum)
    return questions, forks, withheld_q + withheld_f


def _question_spreads(session: Session, catalog: Catalog, user_ids: Sequence[int], minimum: int
                      ) -> tuple[tuple[Spread, ...], int]:
    if not user_ids:
        return (), 0
    answers = session.execute(
        select(QuizAttempt.user_id, QuizAttempt.quiz_id, AttemptAnswer.question_id, AttemptAnswer.raw,
               AttemptAnswer.correct)
        .join(AttemptAnswer, AttemptAnswer.attempt_id == QuizAttempt.id)
        .where(QuizAttempt.user_id.in_(user_ids), QuizAttempt.status == AttemptStatus.SUBMITTED)).all()
    chosen: dict[tuple[str, str], dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    contributors: dict[tuple[str, str], set[int]] = defaultdict(set)
    for user_id, quiz_id, question_id, raw, correct in answers:
        key = (quiz_id, question_id)
        contributors[key].add(user_id)
        for value in _chosen_values(raw):
            chosen[key][value].add(user_id)
        chosen[key]["__correct" if correct else "__wrong"].add(user_id)
    spreads, withheld = [], 0
    for (quiz_id, question_id), users in sorted(contributors.items()):
        quiz = catalog.quizzes.get(quiz_id)
        question = quiz.question(question_id) if quiz else None
        if question is None:
            continue
        if len(users) < minimum:
            withheld += 1
            continue
        counts = chosen[(quiz_id, question_id)]
        options = _question_options(question, counts)
        spreads.append(Spread(question_id, question.prompt, len(users), options, quiz.title))
    return tuple(spreads), withheld


def _chosen_values(raw: Any) -> list[str]:
    if not isinstance(raw, dict):
        return []
    return [str(v) for v in raw.get("", []) if isinstance(v, str)]


def _question_options(question: Any, counts: dict[str, set[int]]) -> tuple[tuple[str, str, int, bool], ...]:
    options = getattr(question, "options", None)
    if options:
        return tuple((o.id, o.text, len(counts.get(o.id, ())), bool(o.correct)) for o in options)
    if hasattr(question, "feedback_true"):
        right = "true" if question.answer else "false"
        return tuple((v, label, len(counts.get(v, ())), v == right)
                     for v, label in (("true", "Juist"), ("false", "Onjuist")))
    # Orderings, categories and typed answers: right or not, per member.
    return (("correct", "Goed", len(counts.get("__correct", ())), True),
            ("wrong", "Niet (helemaal) goed", len(counts.get("__wrong", ())), False))


def _fork_spreads(session: Session, catalog: Catalog, user_ids: Sequence[int], minimum: int
                  ) -> tuple[tuple[Spread, ...], int]:
    if not user_ids:
        return (), 0
    decisions = session.execute(
        select(CasusRun.user_id, CasusDecision.casus_id, CasusDecision.step_id, CasusDecision.choice)
        .join(CasusRun, CasusRun.id == CasusDecision.run_id)
        .where(CasusRun.user_id.in_(user_ids), CasusDecision.kind == "choice")).all()
    by_option: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    seen: set[tuple[str, str, int, str]] = set()
    contributors: dict[tuple[str, str], set[int]] = defaultdict(set)
    for user_id, casus_id, step_id, choice in decisions:
        option = choice.get("option") if isinstance(choice, dict) else None
        if not isinstance(option, str) or (casus_id, step_id, user_id, option) in seen:
            continue
        seen.add((casus_id, step_id, user_id, option))
        contributors[(casus_id, step_id)].add(user_id)
        by_option[(casus_id, step_id)][option] += 1
    spreads, withheld = [], 0
    for casus in catalog.casuses.values():
        for step in casus.steps:
            key = (casus.id, step.id)
            if not isinstance(step, ChoiceStep) or key not in contributors:
                continue
            if len(contributors[key]) < minimum:
                withheld += 1
                continue
            options = tuple((o.id, o.text_html, by_option[key][o.id], o.recommended) for o in step.options)
            spreads.append(Spread(step.title, step.prompt_html, len(contributors[key]), options, casus.title,
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
