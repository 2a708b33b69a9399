"""Casus runs: start or resume, restart, answer the current step, save drafts, history, debrief, progress.

Every function takes a Session and the id of the learner acting; a run of someone else is NotFound.
Functions that change data commit, or write nothing at all when they raise. Functions that need the
casus itself take ``casuses`` (the catalog's casus id -> Casus mapping): runs refer to a casus by id.

A run is shown and continued with the version of the casus it started on, even after the file changed:
each version is kept in casus_versions when a run starts on it, and ``versions`` (the catalog's
``casus_version``) rebuilds it from there. Without ``versions``, or for a version never kept, the run
meets the current file (its state may then no longer fit: ``RunView.readable``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from course.casus import engine
from course.casus.debrief import Debrief, PathEntry, debrief, path_entries
from course.casus.engine import RunState, StepNotCurrent
from course.casus.kinds import MAX_TEXT_LENGTH, Answer, InputError, PlanStep, ReflectionStep, kind_of
from course.casus.kinds.reflection import ANSWER_FIELD
from course.casus.model import Casus, Step
from course.catalog import Catalog
from course.db.base import status_is, utcnow
from course.db.casus import CasusDecision, CasusRun, CasusVersion, RunStatus
from course.db.upsert import insert_for
from course.errors import N_, DomainError, NotFound
from course.services import module_summaries, on_task
from course.services.ownership import lock_learner, own

# The key of a draft that holds the ids chosen on a step without text (see keep_unsent).
CHOSEN = "chosen"
# (casus id, source) -> that version of the casus, or None when it is no longer valid.
Versions = Callable[[str, str], Casus | None]


@dataclass(frozen=True)
class CasusSummary:
    """One learner's standing on one casus, over all their runs."""

    runs: int
    completed: bool  # at least one run reached the debrief
    in_progress_run_id: int | None  # the newest run still in progress
    last_activity: datetime | None = None


@dataclass(frozen=True)
class RunView:
    """A run with its casus and state, ready to show.

    ``casus`` is the version the run started on when it was kept, else the current one. ``state`` is None
    when the stored state no longer fits that casus: the learner can only restart. ``changed`` says the
    casus file changed since the run started. ``previous`` is the last answered step and its feedback.
    """

    run: CasusRun
    casus: Casus
    state: RunState | None
    drafts: Mapping[str, Any] = field(default_factory=dict)
    changed: bool = False

    @property
    def on_own_version(self) -> bool:
        """The casus changed since the run started, and the run goes on with the version it started on."""
        return self.changed and self.casus.content_hash == self.run.content_hash

    @property
    def readable(self) -> bool:
        return self.state is not None

    @property
    def step(self) -> Step | None:
        return engine.current_step(self.casus, self.state) if self.state is not None else None

    @property
    def complete(self) -> bool:
        return self.state is not None and engine.is_complete(self.casus, self.state)

    @property
    def previous(self) -> tuple[Step, Any] | None:
        return engine.last_feedback(self.casus, self.state) if self.state is not None else None

    @property
    def debrief(self) -> Debrief | None:
        return debrief(self.casus, self.state) if self.complete and self.state is not None else None

    @property
    def path(self) -> tuple[PathEntry, ...]:
        return path_entries(self.casus, self.state) if self.state is not None else ()

    @property
    def answered(self) -> int:
        return len(self.state.path) if self.state is not None else 0


# --- reading ----------------------------------------------------------------------------------------

def _own_run(session: Session, user_id: int, run_id: int, *, lock: bool = False) -> CasusRun:
    return own(session, CasusRun, run_id, user_id, lock=lock, missing=N_("Deze casus-poging bestaat niet."))


def _casus_of(session: Session, run: CasusRun, casuses: Mapping[str, Casus], versions: Versions | None) -> Casus:
    """The version of the casus ``run`` started on if it was kept (and is still valid), else the current one."""
    current = casuses.get(run.casus_id)
    if current is None:
        raise NotFound(N_("Deze casus bestaat niet meer."))
    if run.content_hash == current.content_hash or versions is None:
        return current
    source = session.scalar(select(CasusVersion.source).where(CasusVersion.content_hash == run.content_hash))
    return (versions(run.casus_id, source) if source is not None else None) or current


def _view(run: CasusRun, casus: Casus, state: RunState | None, casuses: Mapping[str, Casus]) -> RunView:
    current = casuses.get(run.casus_id)
    return RunView(run, casus, state, MappingProxyType(dict(run.drafts or {})),
                   changed=current is not None and run.content_hash != current.content_hash)


def keep_version(session: Session, casus: Casus) -> None:
    """Store ``casus``'s text in casus_versions unless it is there already (does not commit)."""
    if not casus.source:  # a casus built in code, not from a file: nothing to rebuild it from
        return
    session.execute(insert_for(session, CasusVersion).values(
        content_hash=casus.content_hash, casus_id=casus.id, source=casus.source, stored_at=utcnow())
        .on_conflict_do_nothing(index_elements=["content_hash"]))


def _state(casus: Casus, run: CasusRun) -> RunState | None:
    try:
        return RunState.from_json(casus, run.state)
    except DomainError:
        return None


def view_run(session: Session, user_id: int, run_id: int, *, casuses: Mapping[str, Casus],
             versions: Versions | None = None) -> RunView:
    """The run with its casus (the version it started on, see the module docstring), state and drafts (one
    query; two when the casus changed since). Raises NotFound if it is not the user's."""
    run = _own_run(session, user_id, run_id)
    casus = _casus_of(session, run, casuses, versions)
    return _view(run, casus, _state(casus, run), casuses)


def run_history(session: Session, user_id: int, casus_id: str) -> list[CasusRun]:
    """The learner's runs of ``casus_id``, oldest first (one query)."""
    return list(session.scalars(select(CasusRun).where(
        CasusRun.user_id == user_id, CasusRun.casus_id == casus_id).order_by(CasusRun.number)))


def completed_casus_ids(session: Session, user_id: int) -> set[str]:
    """Ids of every casus the learner has completed at least once (one query)."""
    return completed_casus_ids_of(session, [user_id]).get(user_id, set())


def completed_casus_ids_of(session: Session, user_ids: Sequence[int]) -> dict[int, set[str]]:
    """User id → ids of the casussen they completed, for several learners at once (one query)."""
    result: dict[int, set[str]] = {}
    for user_id, casus_id in session.execute(select(CasusRun.user_id, CasusRun.casus_id).distinct().where(
            CasusRun.user_id.in_(user_ids), status_is(CasusRun.status, RunStatus.COMPLETED))):
        result.setdefault(user_id, set()).add(casus_id)
    return result


def casus_summaries(session: Session, user_id: int) -> dict[str, CasusSummary]:
    """Casus id -> the learner's runs, whether one was completed, and the run in progress (one query)."""
    rows = session.execute(
        select(CasusRun.casus_id, CasusRun.id, CasusRun.status, CasusRun.updated_at)
        .where(CasusRun.user_id == user_id).order_by(CasusRun.casus_id, CasusRun.number)).all()
    by_casus: dict[str, list[Any]] = {}
    for row in rows:
        by_casus.setdefault(row.casus_id, []).append(row)
    result = {}
    for casus_id, runs in by_casus.items():
        open_runs = [r.id for r in runs if r.status == RunStatus.IN_PROGRESS]
        result[casus_id] = CasusSummary(len(runs), any(r.status == RunStatus.COMPLETED for r in runs),
                                        open_runs[-1] if open_runs else None,
                                        max(r.updated_at for r in runs))
    return result


# --- starting -----------------------------------------------------------------------------------------

def _open_run(session: Session, user_id: int, casus_id: str) -> CasusRun | None:
    return session.scalars(select(CasusRun).where(
        CasusRun.user_id == user_id, CasusRun.casus_id == casus_id, status_is(CasusRun.status, RunStatus.IN_PROGRESS))
        .order_by(CasusRun.number.desc()).limit(1)).one_or_none()


def _fresh(run: CasusRun, casus: Casus) -> bool:
    """A run of the current casus file with nothing answered or written yet: a start, as good as a new one."""
    return (run.content_hash == casus.content_hash and not (run.state or {}).get("path")
            and not any(run.drafts or {}))


def _new_run(session: Session, user_id: int, casus: Casus) -> CasusRun:
    number = session.scalar(select(func.max(CasusRun.number)).where(
        CasusRun.user_id == user_id, CasusRun.casus_id == casus.id)) or 0
    now = utcnow()
    run = CasusRun(user_id=user_id, casus_id=casus.id, number=number + 1, content_hash=casus.content_hash,
                   state=engine.start(casus).to_json(casus), drafts={}, status=RunStatus.IN_PROGRESS,
                   started_at=now, updated_at=now)
    session.add(run)
    keep_version(session, casus)
    session.commit()
    return run


def start_or_resume(session: Session, user_id: int, casus: Casus) -> CasusRun:
    """The learner's newest run of ``casus`` in progress, or a new one (commits)."""
    lock_learner(session, user_id)
    existing = _open_run(session, user_id, casus.id)
    if existing is not None:
        session.commit()  # ends the lock
        return existing
    try:
        return _new_run(session, user_id, casus)
    except IntegrityError:
        session.rollback()  # two starts raced (a double click): use the run the other one made
        existing = _open_run(session, user_id, casus.id)
        if existing is None:
            raise
        return existing


def restart(session: Session, user_id: int, casus: Casus) -> CasusRun:
    """A fresh run of ``casus`` (commits); the run in progress stops. Earlier runs stay, with their answers,
    in the history.

    Idempotent for a double click: when the run in progress is still untouched, that run is returned.
    """
    lock_learner(session, user_id)
    existing = _open_run(session, user_id, casus.id)
    if existing is not None and _fresh(existing, casus):
        session.commit()  # ends the lock
        return existing
    try:
        session.execute(update(CasusRun).where(
            CasusRun.user_id == user_id, CasusRun.casus_id == casus.id,
            status_is(CasusRun.status, RunStatus.IN_PROGRESS)).values(status=RunStatus.STOPPED, updated_at=utcnow()))
        return _new_run(session, user_id, casus)
    except IntegrityError:
        session.rollback()  # a double click: the other request made the new run
        existing = _open_run(session, user_id, casus.id)
        if existing is None:
            raise
        return existing


# --- answering ----------------------------------------------------------------------------------------

def _recorded_choice(step: Step, answer: Answer) -> dict[str, Any]:
    """What a decision records for reports: ids, or only the length of a private text."""
    if step.kind == "choice":
        return {"option": str(answer)}
    if step.kind == "conversation":  # the line chosen, and which reply it drew
        return dict(answer) if isinstance(answer, Mapping) else {}
    if isinstance(answer, tuple):
        return {"selected": list(answer)}
    if isinstance(answer, str):
        return {"length": len(answer)}
    if isinstance(answer, Mapping):
        return {"lengths": {k: len(v) for k, v in answer.items()}}
    return {}


def _refuse_stopped(run: CasusRun) -> None:
    if run.stopped:
        raise DomainError(N_("Je bent deze casus opnieuw begonnen; in deze poging kun je niet meer verder. "
                             "Ga verder in je nieuwe poging."))


def _readable_state(casus: Casus, run: CasusRun) -> RunState:
    state = _state(casus, run)
    if state is None:
        raise DomainError(N_("Deze casus is veranderd sinds je begon; begin opnieuw."))
    return state


def submit_step(session: Session, user_id: int, run_id: int, step_id: str, raw_form: Mapping[str, Sequence[str]],
                *, casuses: Mapping[str, Casus], versions: Versions | None = None,
                catalog: Catalog | None = None) -> RunView:
    """Answer the current step of a run: apply the engine's transition, record the decision (commits).

    Returns the run after the answer. Posting the answer just given again (a double click) changes
    nothing and returns the run as it is. Raises NotFound (not the user's run), StepNotCurrent (a stale
    page or a forged step id), InputError (correctable: nothing chosen, a text too long...) or DomainError
    (unknown option ids, a finished or stopped run). Nothing is written when it raises.
    """
    run = _own_run(session, user_id, run_id, lock=True)
    try:
        casus = _casus_of(session, run, casuses, versions)
        _refuse_stopped(run)
        state = _readable_state(casus, run)
        try:
            new_state, _feedback = engine.advance(casus, state, step_id, raw_form)
        except StepNotCurrent:
            if engine.repeats_last(casus, state, step_id, raw_form):
                session.rollback()
                return _view(run, casus, state, casuses)
            raise
    except DomainError:
        session.rollback()
        raise
    decision = new_state.path[-1]
    step = casus.step(decision.step)
    now = utcnow()
    run.state = new_state.to_json(casus)
    run.drafts = {k: v for k, v in (run.drafts or {}).items() if k != step.id}
    run.updated_at = now
    if engine.is_complete(casus, new_state):
        run.status = RunStatus.COMPLETED
        run.completed_at = now
        if casus.content_hash == run.content_hash:
            keep_version(session, casus)  # for a run started before versions were kept
    session.add(CasusDecision(run_id=run.id, casus_id=run.casus_id, position=len(state.path), step_id=step.id,
                              kind=step.kind, choice=_recorded_choice(step, decision.answer), decided_at=now))
    if run.status == RunStatus.COMPLETED:
        on_task.refresh(session, run.user_id)
        if catalog is not None:  # the learner's standing per module, as the report reads it
            module_summaries.refresh(session, catalog, run.user_id)
    session.commit()
    return _view(run, casus, new_state, casuses)


def draft_from_form(step: Step, raw_form: Mapping[str, Sequence[str]]) -> str | dict[str, str]:
    """The draft text(s) in a posted step form: a reflection's answer, or a plan's fields by id."""
    def first(name: str) -> str:
        values = list(raw_form.get(name, ()))
        return values[0].replace("\r\n", "\n") if values else ""
    if isinstance(step, PlanStep):
        return {f.id: first(f.input_name) for f in step.fields}
    return first(ANSWER_FIELD)


def save_draft(session: Session, user_id: int, run_id: int, step_id: str, text: str | Mapping[str, str],
               *, casuses: Mapping[str, Casus], versions: Versions | None = None) -> datetime:
    """Keep unsubmitted text of the current reflection or plan step with the run (commits).

    ``text`` is a reflection's text, or a plan's texts by field id. Saving the same text again changes
    only the time. Returns when it was saved. Raises NotFound, StepNotCurrent, InputError (a text too
    long: nothing saved) or DomainError (a step without text, unknown plan fields).
    """
    return _save_draft(session, user_id, run_id, step_id, lambda _step: text, casuses, versions)


def save_draft_form(session: Session, user_id: int, run_id: int, step_id: str,
                    raw_form: Mapping[str, Sequence[str]], *, casuses: Mapping[str, Casus],
                    versions: Versions | None = None) -> datetime:
    """``save_draft`` with the text(s) taken from a posted step form (see ``draft_from_form``)."""
    return _save_draft(session, user_id, run_id, step_id, lambda step: draft_from_form(step, raw_form), casuses,
                       versions)


def _save_draft(session: Session, user_id: int, run_id: int, step_id: str,
                make: Callable[[Step], str | Mapping[str, str]], casuses: Mapping[str, Casus],
                versions: Versions | None) -> datetime:
    run = _own_run(session, user_id, run_id, lock=True)
    try:
        casus = _casus_of(session, run, casuses, versions)
        _refuse_stopped(run)
        state = _readable_state(casus, run)
        step = casus.step(step_id)
        if step.id != state.current:
            raise StepNotCurrent(N_("Deze stap is niet (meer) aan de beurt."), field="step")
        value = _checked_draft(step, make(step))
    except DomainError:
        session.rollback()
        raise
    now = utcnow()
    run.drafts = {**(run.drafts or {}), step.id: value}
    run.updated_at = now
    session.commit()
    return now


def keep_unsent(session: Session, user_id: int, run_id: int, step_id: str, raw_form: Mapping[str, Sequence[str]],
                *, casuses: Mapping[str, Casus], versions: Versions | None = None) -> str | None:
    """Keep what the learner posted to the current step without applying it, when the post cannot be applied
    for them now (their login ended, or someone else logged in in the same browser): a reflection's or
    plan's text as its draft, the options chosen on another step as a draft the step's form shows ticked.

    Returns "text", "choice", or None when there was nothing to keep (a stale page, a step without
    input, nothing chosen, unknown ids, a text too long); commits only what it keeps. Raises NotFound when
    the run is not the user's.
    """
    run = _own_run(session, user_id, run_id, lock=True)
    try:
        casus = _casus_of(session, run, casuses, versions)
        _refuse_stopped(run)
        state = _readable_state(casus, run)
        step = casus.step(step_id)
        if step.id != state.current:
            raise StepNotCurrent(N_("Deze stap is niet (meer) aan de beurt."), field="step")
        if isinstance(step, ReflectionStep | PlanStep):
            value: Any = _checked_draft(step, draft_from_form(step, raw_form))
        else:
            answer = kind_of(step).parse(step, raw_form)
            chosen = [answer] if isinstance(answer, str) else list(answer) if isinstance(answer, tuple) else []
            if not chosen:
                raise DomainError(N_("Bij deze stap valt niets op te slaan."), field="step")
            value = {CHOSEN: chosen}
    except DomainError:
        session.rollback()
        return None
    run.drafts = {**(run.drafts or {}), step.id: value}
    run.updated_at = utcnow()
    session.commit()
    return "text" if isinstance(step, ReflectionStep | PlanStep) else "choice"


def kept_choice(step: Step | None, drafts: Mapping[str, Any]) -> tuple[str, ...]:
    """The ids kept by ``keep_unsent`` for a step without text, to show them ticked; () if none."""
    draft = drafts.get(step.id) if step is not None and not isinstance(step, ReflectionStep | PlanStep) else None
    chosen = draft.get(CHOSEN) if isinstance(draft, Mapping) else None
    return tuple(c for c in chosen if isinstance(c, str)) if isinstance(chosen, list) else ()


def _checked_draft(step: Step, text: str | Mapping[str, str]) -> str | dict[str, str]:
    too_long = N_("Je tekst is te lang: maximaal 5000 tekens.")
    if isinstance(step, ReflectionStep) and isinstance(text, str):
        if len(text) > MAX_TEXT_LENGTH:
            raise InputError(too_long, field=ANSWER_FIELD)
        return text
    if isinstance(step, PlanStep) and isinstance(text, Mapping):
        ids = {f.id for f in step.fields}
        if not set(text) <= ids or not all(isinstance(v, str) for v in text.values()):
            raise DomainError(N_("Er is een onbekend onderdeel van het plan verstuurd."))
        for f in step.fields:
            if len(text.get(f.id, "")) > MAX_TEXT_LENGTH:
                raise InputError(too_long, field=f.input_name)
        return {f.id: text.get(f.id, "") for f in step.fields}
    raise DomainError(N_("Bij deze stap valt niets op te slaan."), field="step")


def kind_template(step: Step) -> str:
    """The template that renders ``step`` (its form, or the debrief)."""
    return kind_of(step).template
