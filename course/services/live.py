"""Live sessions: the trainer asks, the group answers on their phones, the projector shows the spread.

Every change goes through the database (the session row is locked while it changes), so any number of
workers and app servers can serve one session. The trainer's console sends the version it showed with
every action: a double click or a second console that is behind gets a clear refusal instead of
skipping a question.
"""

from __future__ import annotations

import csv
import hashlib
import io
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, and_, bindparam, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, defer

from course.casus import engine
from course.casus.engine import RunState
from course.casus.model import Casus
from course.catalog import Catalog
from course.db import CasusRun, Group, LiveAnswer, LiveParticipant, LiveSession, LiveSource, RunStatus, User, utcnow
from course.errors import N_, DomainError, NotFound
from course.live import sources
from course.live.items import ItemKind, LiveItem, Tally, parse_answer, tally
from course.live.state import Action, LiveState, Phase, TransitionError, apply
from course.services import module_summaries, on_task
from course.services.casuses import keep_version
from course.services.groups import new_code, normalise_code, require_trainer

CODE_LENGTH = 6
MAX_NAME_LENGTH = 60


class StaleConsole(DomainError):
    """The console acted on a version of the session that has moved on."""


class AnswerRefused(DomainError):
    """An answer that cannot be taken (answering is locked, the question moved on, answered already)."""


ANSWERED_ALREADY = N_("Je had deze vraag al beantwoord; je eerste antwoord telt.")


def _state_of(live: LiveSession) -> LiveState:
    data = live.state or {}
    return LiveState(Phase(data.get("phase", "lobby")), int(data.get("index", 0)), bool(data.get("answering")),
                     bool(data.get("results_shown")), bool(data.get("answer_shown")))


def _store_state(live: LiveSession, state: LiveState) -> None:
    live.state = {**asdict(state), "phase": state.phase.value}
    live.version += 1


def state_of(live: LiveSession) -> LiveState:
    """The session's state machine position."""
    return _state_of(live)


# --- creating ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Prompt:
    kind: ItemKind
    text: str
    options: tuple[str, ...] = ()


def create_session(session: Session, catalog: Catalog, trainer: User, *, source: LiveSource, title: str,
                   source_id: str | None = None, prompts: Sequence[Prompt] = (), group: Group | None = None,
                   ask_names: bool = False, min_results: int = 3) -> LiveSession:
    """A new live session in the lobby, with a fresh 6-character code; commits.

    Raises DomainError for an unknown quiz or casus, a casus that cannot run live, a quiz without
    questions a group can vote on, or prompts that do not make a session.
    """
    require_trainer(trainer)
    items: list[dict[str, Any]] = []
    casus_state = casus_hash = None
    if source == LiveSource.QUIZ:
        quiz = catalog.quizzes.get(source_id or "")
        if quiz is None:
            raise DomainError(N_("Deze kennischeck bestaat niet."), field="source_id")
        items = [i.to_json() for i in sources.quiz_items(quiz)]
        if not items:
            raise DomainError(N_("Deze kennischeck heeft geen vragen waarop een groep kan stemmen."),
                              field="source_id")
    elif source == LiveSource.CASUS:
        casus = catalog.casuses.get(source_id or "")
        if casus is None or not sources.runs_live(casus):
            raise DomainError(N_("Deze casus kan niet live worden gespeeld."), field="source_id")
        state = engine.start(casus)
        casus_state, casus_hash = state.to_json(casus), casus.content_hash
        items = [sources.casus_item(casus, state).to_json()]
    else:
        if not prompts:
            raise DomainError(N_("Schrijf minstens één vraag."), field="prompts")
        if len(prompts) > sources.MAX_PROMPTS:
            raise DomainError(N_("Een sessie heeft hoogstens 12 vragen."), field="prompts")
        items = [sources.prompt_item(n, p.kind, p.text, p.options).to_json() for n, p in enumerate(prompts, 1)]
    for _ in range(5):
        live = LiveSession(trainer_id=trainer.id, group_id=group.id if group else None, code=new_code(CODE_LENGTH),
                           title=title.strip(), source=source, source_id=source_id, items=items,
                           casus_state=casus_state, casus_hash=casus_hash, ask_names=ask_names,
                           min_results=max(1, min_results), state={}, version=1)
        _store_state(live, LiveState())
        session.add(live)
        try:
            session.commit()
            return live
        except IntegrityError:  # the code was taken: draw again
            session.rollback()
    raise DomainError(N_("Er kon geen sessiecode worden gemaakt; probeer het opnieuw."))


def trainer_session(session: Session, trainer: User, live_id: int, *, lock: bool = False) -> LiveSession:
    """The live session ``live_id`` if ``trainer`` runs it. Raises NotFound otherwise."""
    query = select(LiveSession).where(LiveSession.id == live_id)
    if lock:
        query = query.with_for_update()
    live = session.scalars(query).one_or_none()
    if live is None or live.trainer_id != trainer.id:
        raise NotFound(N_("Deze live sessie bestaat niet."))
    return live


def trainer_sessions(session: Session, trainer: User) -> list[LiveSession]:
    """The trainer's live sessions, newest first (one query)."""
    return list(session.scalars(select(LiveSession).where(LiveSession.trainer_id == trainer.id)
                                .order_by(LiveSession.created_at.desc(), LiveSession.id.desc()).limit(50)))


def by_code(session: Session, code: str) -> LiveSession:
    """The session with join code ``code`` (as typed). Raises NotFound for an unknown code.

    Its items and casus state are read only when used (the items mostly come from items_of's cache).
    """
    live = session.scalars(select(LiveSession).options(defer(LiveSession.items), defer(LiveSession.casus_state))
                           .where(LiveSession.code == normalise_code(code)[:CODE_LENGTH])).one_or_none()
    if live is None:
        raise NotFound(N_("Er is geen sessie met deze code. Controleer de code op het scherm."))
    return live


@cache
def _poll_query() -> Select[tuple[int, dict[str, Any]]]:
    return select(LiveSession.version, LiveSession.state).where(LiveSession.code == bindparam("code"))


def poll_state(session: Session, code: str) -> tuple[int, Phase]:
    """The version and phase of the session with join code ``code``: what a polling phone compares (one
    query of two small columns). Raises NotFound for an unknown code."""
    row = session.execute(_poll_query(), {"code": normalise_code(code)[:CODE_LENGTH]}).one_or_none()
    if row is None:
        raise NotFound(N_("Er is geen sessie met deze code. Controleer de code op het scherm."))
    return row.version, Phase((row.state or {}).get("phase", "lobby"))


# --- items ------------------------------------------------------------------------------------------------

# The parsed items of recent sessions, per version. Every participant request needs the current item, and
# the items (a whole knowledge check: some 15 kB of JSON) change only together with the version, so each
# worker reads and parses them once per version instead of once per request. Keyed by code and creation
# moment too: SQLite may give a deleted session's id to a new one.
_ItemsKey = tuple[int, str, datetime, int]
_items_cache: OrderedDict[_ItemsKey, tuple[LiveItem, ...]] = OrderedDict()
_items_lock = threading.Lock()
ITEMS_CACHE_SIZE = 64


def items_of(live: LiveSession) -> tuple[LiveItem, ...]:
    """The session's items (read from the database only when this worker has not seen this version yet)."""
    key = (live.id, live.code, live.created_at, live.version)
    with _items_lock:
        items = _items_cache.get(key)
        if items is not None:
            _items_cache.move_to_end(key)
            return items
    # The items only ever grow (a live casus appends its next step), so items read at a newer version than
    # the session's state are still right for every index that state can point at.
    items = tuple(LiveItem.from_json(i) for i in live.items or ())
    with _items_lock:
        _items_cache[key] = items
        while len(_items_cache) > ITEMS_CACHE_SIZE:
            _items_cache.popitem(last=False)
    return items


def current_item(live: LiveSession) -> LiveItem | None:
    """The item on the screen, or None in the lobby."""
    state = _state_of(live)
    if state.phase == Phase.LOBBY:
        return None
    items = items_of(live)
    return items[state.index] if 0 <= state.index < len(items) else None


def _casus(catalog: Catalog, live: LiveSession) -> tuple[Casus, RunState]:
    casus = catalog.casuses.get(live.source_id or "")
    if casus is None:
        raise DomainError(N_("Deze casus bestaat niet meer."))
    return casus, RunState.from_json(casus, live.casus_state)


def casus_finished(catalog: Catalog, live: LiveSession) -> bool:
    """True when a live casus has reached its debrief."""
    if live.source != LiveSource.CASUS:
        return False
    casus, state = _casus(catalog, live)
    return engine.is_complete(casus, state)


# --- the trainer's controls -------------------------------------------------------------------------------

def control(session: Session, catalog: Catalog, trainer: User, live_id: int, action: Action,
            seen_version: int) -> LiveSession:
    """Apply the console's ``action``; commits.

    Raises StaleConsole when the console showed another version than the stored one, TransitionError
    for an action that does not fit, NotFound for someone else's session.
    """
    live = trainer_session(session, trainer, live_id, lock=True)
    _check_version(session, live, seen_version)
    state = _state_of(live)
    items = live.items or []
    is_casus = live.source == LiveSource.CASUS
    if is_casus and action == Action.NEXT:
        session.rollback()
        raise TransitionError(N_("Kies bij een casus welk pad de groep neemt."))
    current = current_item(live)
    answerable = current.answerable if current else LiveItem.from_json(items[0]).answerable
    try:
        new = apply(state, action, len(items), answerable=answerable, can_go_back=not is_casus)
    except TransitionError:
        session.rollback()
        raise
    if action in (Action.NEXT, Action.PREVIOUS) and LiveItem.from_json(items[new.index]).answerable:
        new = apply(new, Action.OPEN, len(items))
    if new.phase == Phase.ENDED and live.ended_at is None:
        live.ended_at = utcnow()
    _store_state(live, new)
    session.commit()
    return live


def take_path(session: Session, catalog: Catalog, trainer: User, live_id: int, chosen: Sequence[str],
              seen_version: int) -> LiveSession:
    """Move a live casus on along the group's decision ``chosen`` (option or item ids); commits.

    Raises StaleConsole, TransitionError (not a casus, not running, finished) or DomainError when the
    casus engine refuses the decision (e.g. no option chosen at a fork).
    """
    live = trainer_session(session, trainer, live_id, lock=True)
    _check_version(session, live, seen_version)
    state = _state_of(live)
    if live.source != LiveSource.CASUS or state.phase != Phase.RUNNING:
        session.rollback()
        raise TransitionError(N_("Er is geen casus om verder te spelen."))
    casus, run = _casus(catalog, live)
    try:
        after, _feedback = engine.advance(casus, run, run.current, sources.group_input(casus, run, chosen))
    except DomainError:
        session.rollback()
        raise
    item = sources.casus_item(casus, after)
    live.casus_state = after.to_json(casus)
    live.items = [*(live.items or []), item.to_json()]
    _store_state(live, LiveState(Phase.RUNNING, len(live.items) - 1, answering=item.answerable))
    session.commit()
    return live


def _check_version(session: Session, live: LiveSession, seen_version: int) -> None:
    if live.version != seen_version:
        session.rollback()
        raise StaleConsole(N_("De sessie was intussen al veranderd; je ziet nu de actuele stand."))


def set_hidden(session: Session, trainer: User, live_id: int, answer_id: int, hidden: bool) -> None:
    """Hide an open answer from the projector (or show it again); commits."""
    live = trainer_session(session, trainer, live_id, lock=True)
    answer = session.scalars(select(LiveAnswer).where(LiveAnswer.id == answer_id,
                                                      LiveAnswer.session_id == live.id)).one_or_none()
    if answer is None:
        session.rollback()
        raise NotFound(N_("Dit antwoord bestaat niet."))
    answer.hidden = hidden
    live.version += 1
    session.commit()


# --- participants -----------------------------------------------------------------------------------------

def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def join(session: Session, live: LiveSession, token: str, user_id: int | None = None,
         display_name: str | None = None) -> LiveParticipant:
    """The participant for this browser (``token``) or account; created on first join; commits.

    Rejoining with the same token or account returns the same participant, so answers are kept. A name
    is kept only when the trainer asked for names. Raises DomainError when the session has ended.
    """
    if _state_of(live).phase == Phase.ENDED:
        raise DomainError(N_("Deze sessie is afgelopen."))
    existing = find_participant(session, live, token, user_id)
    name = (display_name or "").strip()[:MAX_NAME_LENGTH] or None if live.ask_names else None
    if existing is not None:
        if name and existing.display_name != name:
            existing.display_name = name
            session.commit()
        return existing
    participant = LiveParticipant(session_id=live.id, token_hash=token_hash(token), user_id=user_id,
                                  display_name=name)
    session.add(participant)
    try:
        session.commit()
    except IntegrityError:  # two tabs joined at once: the other one won
        session.rollback()
        found = find_participant(session, live, token, user_id)
        if found is None:
            raise
        return found
    return participant


def find_participant(session: Session, live: LiveSession, token: str | None, user_id: int | None
                     ) -> LiveParticipant | None:
    """The participant of this token (or, for a logged-in learner, this account), or None (one query)."""
    conditions = []
    if token:
        conditions.append(LiveParticipant.token_hash == token_hash(token))
    if user_id is not None:
        conditions.append(LiveParticipant.user_id == user_id)
    if not conditions:
        return None
    return session.scalars(select(LiveParticipant).where(LiveParticipant.session_id == live.id, or_(*conditions))
                           .order_by(LiveParticipant.id)).first()


@dataclass(frozen=True)
class ParticipantView:
    """What one phone's request needs: the session, this browser's participant and their own answers."""

    live: LiveSession
    participant: LiveParticipant | None
    answers: Mapping[str, Any]  # item key → this participant's answer

    @property
    def state(self) -> LiveState:
        return _state_of(self.live)

    @property
    def item(self) -> LiveItem | None:
        return current_item(self.live)

    @property
    def mine(self) -> Any | None:
        """The participant's answer to the current item, or None."""
        item = self.item
        return self.answers.get(item.key) if item is not None else None


@cache
def _participant_query(to_answer: bool) -> Select[tuple[LiveSession, LiveParticipant | None, str | None, Any]]:
    # Built once: making the statement object costs more Python than running it. A NULL token hash or user
    # id matches no participant, so one statement serves anonymous, logged-in and new phones alike.
    query = (select(LiveSession, LiveParticipant, LiveAnswer.item_key, LiveAnswer.value).select_from(LiveSession)
             .options(defer(LiveSession.items), defer(LiveSession.casus_state))
             .outerjoin(LiveParticipant, and_(LiveParticipant.session_id == LiveSession.id,
                                              or_(LiveParticipant.token_hash == bindparam("token_hash"),
                                                  LiveParticipant.user_id == bindparam("user_id"))))
             .outerjoin(LiveAnswer, LiveAnswer.participant_id == LiveParticipant.id)
             .where(LiveSession.code == bindparam("code"))
             .order_by(LiveParticipant.id))
    # An answer is checked against the state it read (open, current item) and then stored: on PostgreSQL the
    # session row is share-locked until the commit, so the trainer's lock (which updates that row) either
    # waits for the answer or is seen by it, never slips in between. Answers do not wait for each other.
    # SQLite needs none: every writing transaction there holds the database's write lock from its start.
    return query.with_for_update(read=True, of=LiveSession) if to_answer else query


def participant_view(session: Session, code: str, token: str | None, user_id: int | None, *,
                     to_answer: bool = False) -> ParticipantView:
    """The session with join code ``code``, the participant of this token (or account) and their answers,
    in one query; the items come from the per-version cache (a second query only on a miss). With
    ``to_answer`` the session cannot change until the transaction ends (see answer()).

    Raises NotFound for an unknown code.
    """
    rows = session.execute(_participant_query(to_answer), {
        "code": normalise_code(code)[:CODE_LENGTH], "token_hash": token_hash(token) if token else None,
        "user_id": user_id}).all()
    if not rows:
        raise NotFound(N_("Er is geen sessie met deze code. Controleer de code op het scherm."))
    live, participant = rows[0][0], rows[0][1]
    # A browser that joined anonymously and later logged in may match two participants: the first one
    # counts, as in find_participant.
    answers = {key: value for _live, p, key, value in rows if p is participant and key is not None}
    return ParticipantView(live, participant, answers)


def answer(session: Session, live: LiveSession, participant: LiveParticipant, item_key: str,
           values: Sequence[str], answered: Mapping[str, Any] | None = None) -> LiveAnswer:
    """Store the participant's answer to the current item; commits.

    ``answered`` is what the participant had answered as read in this transaction (participant_view's
    answers): a double tap whose first answer is already in is then refused without trying the insert. The
    unique constraint still decides when two taps race.

    Raises AnswerRefused when answering is locked, ``item_key`` is not the current item (a stale phone),
    or the participant answered already (the first answer counts); LiveInputError for an answer to
    correct; DomainError for values no form sends.
    """
    if participant.session_id != live.id:
        raise NotFound(N_("Deze sessie bestaat niet."))
    state = _state_of(live)
    item = current_item(live)
    if state.phase != Phase.RUNNING or item is None:
        raise AnswerRefused(N_("Er staat nu geen vraag open."))
    if item.key != item_key:
        raise AnswerRefused(N_("Deze vraag is niet meer aan de beurt; je ziet nu de vraag van dit moment."))
    if not state.answering:
        raise AnswerRefused(N_("Antwoorden is gesloten voor deze vraag."))
    value = parse_answer(item, values)
    if answered is not None and item.key in answered:
        raise AnswerRefused(ANSWERED_ALREADY)
    row = LiveAnswer(session_id=live.id, participant_id=participant.id, item_key=item.key, value=value)
    session.add(row)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise AnswerRefused(ANSWERED_ALREADY) from None
    return row


def own_answer(session: Session, participant: LiveParticipant, item_key: str) -> Any | None:
    """What the participant answered to ``item_key``, or None (one query)."""
    return session.scalars(select(LiveAnswer.value).where(LiveAnswer.participant_id == participant.id,
                                                          LiveAnswer.item_key == item_key)).first()


# --- what the projector shows -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Board:
    """Everything the presenter and console show: the state, the item, the counts and the tally."""

    live: LiveSession
    state: LiveState
    item: LiveItem | None
    number: int  # 1-based position of the item
    total: int | None  # items in all; None for a casus (its length depends on the path)
    joined: int
    answered: int
    tally: Tally | None
    answers: tuple[tuple[int, str, bool], ...]  # open answers for moderation: (id, text, hidden)
    group_choice: tuple[str, ...]  # a casus fork: what the majority chose

    @property
    def etag(self) -> str:
        return f"{self.live.version}-{self.joined}-{self.answered}"


def board(session: Session, live: LiveSession) -> Board:
    """The presenter's view of ``live`` (two queries: participants, answers to the current item)."""
    state = _state_of(live)
    item = current_item(live)
    joined = session.scalar(select(func.count(LiveParticipant.id)).where(LiveParticipant.session_id == live.id)) or 0
    rows: list[tuple[int, Any, bool]] = []
    if item is not None:
        rows = [(r.id, r.value, r.hidden) for r in session.execute(
            select(LiveAnswer.id, LiveAnswer.value, LiveAnswer.hidden)
            .where(LiveAnswer.session_id == live.id, LiveAnswer.item_key == item.key).order_by(LiveAnswer.id))]
    result = tally(item, rows, live.min_results) if item is not None and item.answerable else None
    open_answers = tuple((i, str(v), h) for i, v, h in rows) if item and item.kind == ItemKind.OPEN else ()
    choice: tuple[str, ...] = ()
    if live.source == LiveSource.CASUS and item is not None:
        counts: dict[str, int] = {}
        for _i, value, _h in rows:
            for v in ([value] if isinstance(value, str) else value if isinstance(value, list) else []):
                counts[v] = counts.get(v, 0) + 1
        choice = sources.majority(item, counts, len(rows))
    total = None if live.source == LiveSource.CASUS else len(live.items or [])
    return Board(live, state, item, state.index + 1, total, joined, len(rows), result, open_answers, choice)


@dataclass(frozen=True)
class SummaryRow:
    number: int
    item: LiveItem
    tally: Tally


def summary(session: Session, live: LiveSession) -> list[SummaryRow]:
    """Every item with the group's tally (one query). Tallies below the session's minimum stay empty."""
    rows = session.execute(select(LiveAnswer.item_key, LiveAnswer.id, LiveAnswer.value, LiveAnswer.hidden)
                           .where(LiveAnswer.session_id == live.id).order_by(LiveAnswer.id)).all()
    by_item: dict[str, list[tuple[int, Any, bool]]] = {}
    for key, answer_id, value, hidden in rows:
        by_item.setdefault(key, []).append((answer_id, value, hidden))
    return [SummaryRow(n, item, tally(item, by_item.get(item.key, []), live.min_results))
            for n, item in enumerate(items_of(live), 1) if item.answerable]


def summary_csv(session: Session, live: LiveSession, strip_html: Any) -> str:
    """The aggregated results as CSV (never who answered what): one row per item and option or text."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["vraag", "nummer", "antwoord", "aantal", "procent", "aanbevolen"])
    for row in summary(session, live):
        prompt = strip_html(row.item.prompt_html)
        if not row.tally.visible:
            writer.writerow([prompt, row.number, "(te weinig antwoorden om te tonen)", row.tally.answered, "", ""])
        for bar in row.tally.bars:
            writer.writerow([prompt, row.number, strip_html(bar.option.label_html), bar.count, bar.percent,
                             "ja" if bar.recommended else ""])
        for word, count in row.tally.words:
            writer.writerow([prompt, row.number, word, count, "", ""])
        for _id, text in row.tally.texts:
            writer.writerow([prompt, row.number, text, 1, "", ""])
    return out.getvalue()


def group_path(catalog: Catalog, live: LiveSession) -> RunState | None:
    """The group's run of a live casus (None for other sessions or a casus changed beyond reading)."""
    if live.source != LiveSource.CASUS:
        return None
    try:
        return _casus(catalog, live)[1]
    except DomainError:
        return None


def keep_casus(session: Session, catalog: Catalog, live: LiveSession, participant: LiveParticipant,
               user_id: int) -> CasusRun:
    """Copy a finished live casus into the learner's own runs, as a completed run; commits.

    Raises DomainError unless the session is a finished casus the learner took part in with this account.
    Keeping it twice returns the run kept the first time.
    """
    if participant.user_id != user_id or participant.session_id != live.id:
        raise NotFound(N_("Deze sessie bestaat niet."))
    if not casus_finished(catalog, live):
        raise DomainError(N_("De casus is nog niet afgerond."))
    if participant.kept_run_id is not None:
        kept = session.get(CasusRun, participant.kept_run_id)
        if kept is not None:
            return kept
    casus, state = _casus(catalog, live)
    number = (session.scalar(select(func.max(CasusRun.number)).where(
        CasusRun.user_id == user_id, CasusRun.casus_id == casus.id)) or 0) + 1
    now = utcnow()
    run = CasusRun(user_id=user_id, casus_id=casus.id, number=number, content_hash=casus.content_hash,
                   state=state.to_json(casus), drafts={}, status=RunStatus.COMPLETED,
                   started_at=live.created_at, updated_at=now, completed_at=now)
    session.add(run)
    keep_version(session, casus)
    session.flush()
    participant.kept_run_id = run.id
    on_task.refresh(session, user_id)
    module_summaries.refresh(session, catalog, user_id)
    session.commit()
    return run
