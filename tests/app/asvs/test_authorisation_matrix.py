"""The authorisation matrix: every route of the URL map × every role × own, foreign and missing objects
(ASVS 4.0.3 V4.1.1, V4.1.3, V4.2.1; 5.0 V8.2.1–V8.2.2).

A route that is not in MATRIX fails test_every_route_has_an_entry: a new route must say who may use it.
A private object of someone else must answer exactly like an object that does not exist (same status,
same page), so that ids reveal nothing. Organisation admins and team leads are roles of their own, each
in an organisation of theirs; the victim administers another.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from flask import Flask
from sqlalchemy import select

from app.work_tokens import make_token
from course.catalog import Catalog
from course.db import QuizAttempt, User
from tests.app.asvs.conftest import ROLES, Actor, log_in

CSRF_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="[^"]+"')

ANONYMOUS = "anonymous"
LOGIN = "login"  # expected: sent to the login page (302 to /inloggen)
MISSING_ID = 2**31 - 1  # a valid id on every database that no row has
# Ids no database column holds (past PostgreSQL's INTEGER; past SQLite's 64 bits): they name nothing either.
HUGE_IDS = (2**31, 2**63)
ID_PLACEHOLDERS = ("attempt", "run", "group", "live", "member", "certificate", "user")
MISSING_SLUG = "bestaat-niet"


@dataclass(frozen=True)
class Entry:
    """Who may use a route. ``signed_in`` is one status for every role, or one per role."""

    # placeholders: {module} {page} {quiz} {question} {casus} {jobaid} {media} {static} {attempt} {run} {org}…
    # {certificate} {vcode}
    path: str
    anonymous: int | str
    signed_in: int | str | Mapping[str, int | str]
    # The answer to signed-in roles when the path names nothing that exists (one status, or one per role).
    missing: int | Mapping[str, int] | None = 404
    private: bool = False  # names someone's private object: another person's must look like a missing one
    token: str | None = None  # the work token the form carries (quiz-attempt | casus-run)
    data: Mapping[str, str] = field(default_factory=dict)


ADMIN_ONLY = {"learner": 403, "trainer": 403, "site_admin": 200, "org_admin": 403, "team_lead": 403}
ADMIN_REDIRECT = {**ADMIN_ONLY, "site_admin": 302}  # an admin's form: back to the page with a message
ADMIN_MISSING = {**ADMIN_ONLY, "site_admin": 404}


def trainers(status: int) -> dict[str, int]:
    """Trainers (and site administrators, who may train too) get ``status``; learners are refused."""
    return {"learner": 403, "trainer": status, "site_admin": status, "org_admin": 403, "team_lead": 403}


def org_managers(status: int) -> dict[str, int]:
    """An organisation's admins and team leads get ``status`` in their own; everyone else its missing page."""
    return {"learner": 404, "trainer": 404, "site_admin": 404, "org_admin": status, "team_lead": status}


def org_admins(status: int) -> dict[str, int]:
    """Only an organisation's admins; its team leads and everyone else get the missing page."""
    return {**org_managers(404), "org_admin": status}


TRAINERS_404 = trainers(404)  # a trainer's object that does not exist, or is another trainer's

MATRIX: dict[tuple[str, str], Entry] = {
    # Public pages.
    ("learn.overview", "GET"): Entry("/", 200, 200, missing=None),
    ("learn.content_note", "GET"): Entry("/over-deze-cursus", 200, 200, missing=None),
    ("privacy.statement", "GET"): Entry("/privacy", 200, 200, missing=None),
    ("learn.media", "GET"): Entry("/media/{module}/{media}", 200, 200),
    ("static", "GET"): Entry("/static/{static}", 200, 200),
    ("auth.login", "GET"): Entry("/inloggen", 200, 302, missing=None),
    ("auth.register", "GET"): Entry("/registreren", 200, 302, missing=None),
    ("auth.login", "POST"): Entry("/inloggen", 200, 302, missing=None),  # empty form: errors shown
    ("auth.register", "POST"): Entry("/registreren", 200, 302, missing=None),
    ("auth.language", "POST"): Entry("/taal", 302, 302, missing=None, data={"locale": "nl"}),
    ("auth.visitor_language", "GET"): Entry("/taal", 302, 302, missing=None),
    ("auth.forgot_password", "GET"): Entry("/wachtwoord-vergeten", 200, 200, missing=None),
    ("auth.forgot_password", "POST"): Entry("/wachtwoord-vergeten", 200, 200, missing=None),  # errors shown
    # Mailed links: a token that is not ours opens nothing, for anyone.
    ("auth.reset_password", "GET"): Entry("/wachtwoord-herstellen/ongeldig", 400, 400, missing=None),
    ("auth.reset_password", "POST"): Entry("/wachtwoord-herstellen/ongeldig", 400, 400, missing=None),
    ("auth.confirm_account", "GET"): Entry("/account-bevestigen/ongeldig", 400, 400, missing=None),
    ("auth.confirm_account", "POST"): Entry("/account-bevestigen/ongeldig", 400, 400, missing=None),
    ("auth.confirm_email", "GET"): Entry("/e-mailadres-bevestigen/ongeldig", 400, 400, missing=None),
    ("auth.confirm_email", "POST"): Entry("/e-mailadres-bevestigen/ongeldig", 400, 400, missing=None),
    # The second step of a login: only after a right password in this browser; otherwise back to the start.
    ("auth.login_code", "GET"): Entry("/inloggen/code", LOGIN, LOGIN, missing=None),
    ("auth.login_code", "POST"): Entry("/inloggen/code", LOGIN, LOGIN, missing=None),
    # Signing in through an organisation: finding it by email domain, going to its provider and back. Without
    # single sign-on set up (as here) both steps end on the login page with a message; signed in, there is
    # nothing to do (the callback without a sign-in of this browser's own: the login page, for anyone).
    ("sso.find", "GET"): Entry("/inloggen/organisatie", 200, 302, missing=None),
    ("sso.find", "POST"): Entry("/inloggen/organisatie", 422, 302, missing=None),  # empty form: errors shown
    ("sso.login", "GET"): Entry("/sso/{org}/login", LOGIN, 302, missing=None),
    ("sso.callback", "GET"): Entry("/sso/{org}/callback", LOGIN, LOGIN, missing=None),
    # Only right after this browser's own logout of a login through the organisation; else the login page.
    ("sso.logout", "GET"): Entry("/sso/{org}/uitloggen", LOGIN, LOGIN, missing=None),
    # Anyone signed in, on the course's own pages.
    ("auth.account", "GET"): Entry("/account", LOGIN, 200, missing=None),
    ("auth.profile", "POST"): Entry("/account/profiel", LOGIN, 400, missing=None),  # empty form: errors shown
    ("auth.change_password", "POST"): Entry("/account/wachtwoord", LOGIN, 400, missing=None),
    ("auth.change_email", "POST"): Entry("/account/e-mailadres", LOGIN, 400, missing=None),
    # Two-step verification: set-up for those without it (an empty code: errors shown), its state for admins.
    ("auth.two_factor_setup", "GET"): Entry("/account/tweestaps", LOGIN, 200, missing=None),
    ("auth.two_factor_setup", "POST"): Entry("/account/tweestaps", LOGIN,
                                             {"learner": 400, "trainer": 400, "site_admin": 200,
                                              "org_admin": 200, "team_lead": 400}, missing=None),
    ("auth.two_factor_recovery_codes", "POST"): Entry("/account/tweestaps/herstelcodes", LOGIN, 302, missing=None),
    ("auth.two_factor_disable", "POST"): Entry("/account/tweestaps/uitzetten", LOGIN, 302, missing=None),
    ("auth.keepalive", "POST"): Entry("/sessie/verlengen", LOGIN, 302, missing=None),
    ("learn.dashboard", "GET"): Entry("/voortgang", LOGIN, 200, missing=None),
    ("learn.interventions", "GET"): Entry("/interventies", LOGIN, 200, missing=None),
    ("learn.module", "GET"): Entry("/modules/{module}/", LOGIN, 200),
    ("jobaids.index", "GET"): Entry("/hulpmiddelen/", LOGIN, 200, missing=None),
    ("jobaids.aid", "GET"): Entry("/hulpmiddelen/{jobaid}", LOGIN, 200),
    ("jobaids.pdf", "GET"): Entry("/hulpmiddelen/{jobaid}.pdf", LOGIN, 200),
    ("learn.page", "GET"): Entry("/modules/{module}/{page}", LOGIN, 200),
    ("learn.mark_read", "POST"): Entry("/modules/{module}/{page}/gelezen", LOGIN, 302),
    ("quiz.overview", "GET"): Entry("/quiz/{quiz}/", LOGIN, 200),
    ("quiz.start", "POST"): Entry("/quiz/{quiz}/starten", LOGIN, 302),
    ("quiz.check_embedded", "POST"): Entry("/quiz/vraag/eerste-toets/{question}", LOGIN, 302),
    ("casus.index", "GET"): Entry("/casus/", LOGIN, 200, missing=None),
    ("casus.overview", "GET"): Entry("/casus/{casus}/", LOGIN, 200),
    ("casus.start", "POST"): Entry("/casus/{casus}/starten", LOGIN, 302),
    ("privacy.export", "POST"): Entry("/account/gegevens", LOGIN, 200, missing=None),
    ("privacy.delete_account", "GET"): Entry("/account/verwijderen", LOGIN, 200, missing=None),
    ("privacy.delete_account", "POST"): Entry("/account/verwijderen", LOGIN, 200, missing=None),  # no password
    # Private objects: only their owner, whatever the role.
    ("quiz.attempt", "GET"): Entry("/quiz/poging/{attempt}", LOGIN, 200, private=True),
    ("quiz.answer", "POST"): Entry("/quiz/poging/{attempt}", 400, 302, private=True, token="quiz-attempt",
                                   data={"action": "save"}),
    ("quiz.review", "GET"): Entry("/quiz/poging/{attempt}/resultaat", LOGIN, 302, private=True),  # open: back
    ("casus.run", "GET"): Entry("/casus/run/{run}", LOGIN, 200, private=True),
    ("casus.print_run", "GET"): Entry("/casus/run/{run}/afdrukken", LOGIN, 200, private=True),
    ("casus.answer", "POST"): Entry("/casus/run/{run}", 400, 302, private=True, token="casus-run",
                                    data={"action": "draft", "step": "plan", "field-zorgen": "concept"}),
    # Live sessions: anyone with the code (shown on the projector), with or without an account.
    ("live.join", "GET"): Entry("/live", 200, 200, missing=None),
    ("live.join", "POST"): Entry("/live", 422, 422, missing=None),  # empty form: the error is shown
    ("live.session", "GET"): Entry("/live/{code}", 200, 200),
    ("live.state", "GET"): Entry("/live/{code}/stand", 200, 200),
    # Not yet taking part (anonymous): back to the session page; taking part, an empty answer: refused.
    ("live.answer", "POST"): Entry("/live/{code}/antwoord", 302, 400),
    ("live.take_part", "POST"): Entry("/live/{code}/meedoen", 302, 302),
    ("live.keep", "POST"): Entry("/live/{code}/bewaren", LOGIN, 302),  # not a finished casus: said so
    # A learner's groups: their own membership only.
    ("groups.index", "GET"): Entry("/groepen/", LOGIN, 200, missing=None),
    ("groups.join_link", "GET"): Entry("/groepen/deelnemen/{joincode}", LOGIN, 200, missing=None),
    ("groups.join", "POST"): Entry("/groepen/deelnemen", LOGIN, 422, missing=None),  # empty form
    ("groups.sharing", "POST"): Entry("/groepen/{group}/delen", LOGIN, 302, private=True),
    # Trainers: their own groups and live sessions; someone else's answer like a missing one.
    ("trainer.index", "GET"): Entry("/trainer/", LOGIN, trainers(200), missing=None),
    ("trainer.guides", "GET"): Entry("/trainer/gids/", LOGIN, trainers(200), missing=None),
    ("trainer.guide", "GET"): Entry("/trainer/gids/{module}", LOGIN, trainers(200), missing=TRAINERS_404),
    ("trainer.new_group", "GET"): Entry("/trainer/groepen/nieuw", LOGIN, trainers(200), missing=None),
    ("trainer.new_group", "POST"): Entry("/trainer/groepen/nieuw", LOGIN, trainers(422), missing=None),
    ("trainer.group", "GET"): Entry("/trainer/groepen/{group}", LOGIN, trainers(200), missing=TRAINERS_404,
                                    private=True),
    ("trainer.reflections", "GET"): Entry("/trainer/groepen/{group}/reflecties", LOGIN, trainers(200),
                                          missing=TRAINERS_404, private=True),
    ("trainer.new_session", "GET"): Entry("/trainer/live/nieuw", LOGIN, trainers(200), missing=None),
    ("trainer.new_session", "POST"): Entry("/trainer/live/nieuw", LOGIN, trainers(422), missing=None),
    ("trainer.console", "GET"): Entry("/trainer/live/{live}", LOGIN, trainers(200), missing=TRAINERS_404,
                                      private=True),
    ("trainer.presenter", "GET"): Entry("/trainer/live/{live}/scherm", LOGIN, trainers(200),
                                        missing=TRAINERS_404, private=True),
    ("trainer.board_state", "GET"): Entry("/trainer/live/{live}/stand", LOGIN, trainers(200),
                                          missing=TRAINERS_404, private=True),
    ("trainer.summary", "GET"): Entry("/trainer/live/{live}/samenvatting", LOGIN, trainers(200),
                                      missing=TRAINERS_404, private=True),
    ("trainer.export", "GET"): Entry("/trainer/live/{live}/uitslagen.csv", LOGIN, trainers(200),
                                     missing=TRAINERS_404, private=True),
    # A console that is behind (version 0) is told so: nothing changes.
    ("trainer.control", "POST"): Entry("/trainer/live/{live}/bediening", LOGIN, trainers(302),
                                       missing=TRAINERS_404, private=True, data={"action": "lock", "version": "0"}),
    ("trainer.take_path", "POST"): Entry("/trainer/live/{live}/pad", LOGIN, trainers(302), missing=TRAINERS_404,
                                         private=True, data={"version": "0"}),
    # The answer named is nobody's: 404 for the owner too, so this row checks the refusals only.
    ("trainer.moderate", "POST"): Entry("/trainer/live/{live}/antwoorden", LOGIN, TRAINERS_404,
                                        missing=TRAINERS_404, private=True,
                                        data={"answer_id": str(2**31 - 1), "hidden": "1"}),
    # Organisations: their admins (and team leads, for their team) in their own organisation only; another
    # organisation's slug or ids answer like missing ones. Mailed invitations: a token not ours opens nothing.
    ("org.index", "GET"): Entry("/organisatie/", LOGIN, 200, missing=None),
    ("org.accept_invitation", "GET"): Entry("/organisatie/uitnodiging/ongeldig", 400, 400, missing=None),
    ("org.accept_invitation", "POST"): Entry("/organisatie/uitnodiging/ongeldig", 400, 400, missing=None),
    ("org.members", "GET"): Entry("/organisatie/{org}/", LOGIN, org_managers(200), private=True),
    ("org.create_team", "POST"): Entry("/organisatie/{org}/teams", LOGIN, org_admins(422), private=True),  # empty
    ("org.invite", "GET"): Entry("/organisatie/{org}/uitnodigen", LOGIN, org_admins(200), private=True),
    ("org.invite", "POST"): Entry("/organisatie/{org}/uitnodigen", LOGIN, org_admins(422), private=True),
    ("org.member", "GET"): Entry("/organisatie/{org}/leden/{orgmember}", LOGIN, org_admins(200), private=True),
    ("org.member", "POST"): Entry("/organisatie/{org}/leden/{orgmember}", LOGIN, org_admins(422), private=True),
    ("org.assignments", "GET"): Entry("/organisatie/{org}/opdrachten/", LOGIN, org_managers(200), private=True),
    ("org.new_assignment", "GET"): Entry("/organisatie/{org}/opdrachten/nieuw", LOGIN, org_admins(200), private=True),
    ("org.new_assignment", "POST"): Entry("/organisatie/{org}/opdrachten/nieuw", LOGIN, org_admins(422),
                                          private=True),
    ("org.assignment", "GET"): Entry("/organisatie/{org}/opdrachten/{assignment}", LOGIN, org_managers(200),
                                     private=True),
    ("org.report", "GET"): Entry("/organisatie/{org}/rapport", LOGIN, org_managers(200), private=True),
    ("org.missed", "GET"): Entry("/organisatie/{org}/rapport/meest-gemist", LOGIN, org_managers(200), private=True),
    ("org.report_csv", "GET"): Entry("/organisatie/{org}/rapport.csv", LOGIN, org_managers(200), private=True),
    ("org.report_xlsx", "GET"): Entry("/organisatie/{org}/rapport.xlsx", LOGIN, org_managers(200), private=True),
    ("org.points_csv", "GET"): Entry("/organisatie/{org}/accreditatiepunten.csv", LOGIN, org_admins(200),
                                     private=True),
    ("org.reminder_mail", "POST"): Entry("/organisatie/herinneringen", LOGIN, 400, missing=None),  # empty form
    ("org.import_members", "GET"): Entry("/organisatie/{org}/importeren", LOGIN, org_admins(200), private=True),
    ("org.import_members", "POST"): Entry("/organisatie/{org}/importeren", LOGIN, org_admins(422), private=True),
    ("org.apply_import", "POST"): Entry("/organisatie/{org}/importeren/toepassen", LOGIN, org_admins(400),
                                        private=True),  # no file came back with the form
    # API tokens: the organisation's admins only (an empty form: errors shown; no token named: refused).
    ("org.api_tokens_page", "GET"): Entry("/organisatie/{org}/api-sleutels", LOGIN, org_admins(200), private=True),
    ("org.api_tokens_page", "POST"): Entry("/organisatie/{org}/api-sleutels", LOGIN, org_admins(422), private=True),
    ("org.revoke_api_token", "POST"): Entry("/organisatie/{org}/api-sleutels/intrekken", LOGIN, org_admins(400),
                                            private=True),
    # Single sign-on settings: the organisation's admins only (an empty form: errors shown). Whether org A's admin
    # can change B's is the 'foreign' column: B's page answers like a missing one, and the POST changes nothing.
    ("org.sso_settings", "GET"): Entry("/organisatie/{org}/inloggen-via-organisatie", LOGIN, org_admins(200),
                                       private=True),
    ("org.sso_settings", "POST"): Entry("/organisatie/{org}/inloggen-via-organisatie", LOGIN, org_admins(422),
                                        private=True),
    # The JSON API: an organisation's API token only, never a login cookie (401 for every role here). Which
    # organisation a token sees is a matter of tokens, not roles: tests/app/api/test_api.py
    # (test_isolation_both_ways) checks that organisation A's token never sees B's members, completions or
    # assignments, and that B's answers like a missing one. The document is public.
    ("api.members", "GET"): Entry("/api/v1/members", 401, 401, missing=None),
    ("api.teams", "GET"): Entry("/api/v1/teams", 401, 401, missing=None),
    ("api.completions", "GET"): Entry("/api/v1/completions", 401, 401, missing=None),
    ("api.assignments", "GET"): Entry("/api/v1/assignments", 401, 401, missing=None),
    ("api.create_assignment", "POST"): Entry("/api/v1/assignments", 401, 401, missing=None),
    ("api.certificates", "GET"): Entry("/api/v1/certificates", 401, 401, missing=None),
    ("api.openapi", "GET"): Entry("/api/v1/openapi.json", 200, 200, missing=None),
    # Certificates: the learner's own; the verification page for anyone (an unknown code: 404, one page).
    ("certificates.index", "GET"): Entry("/certificaten/", LOGIN, 200, missing=None),
    ("certificates.register_numbers", "POST"): Entry("/certificaten/registernummers", LOGIN, 400, missing=None,
                                                     data={"skj": "12"}),  # not an SKJ number: said so
    ("certificates.pdf", "GET"): Entry("/certificaten/{certificate}.pdf", LOGIN, 200, private=True),
    ("certificates.find", "GET"): Entry("/verifieren", 200, 200, missing=None),
    ("certificates.verify", "GET"): Entry("/verifieren/{vcode}", 200, 200),
    # Site administrators only.
    ("admin.certificates", "GET"): Entry("/beheer/certificaten", LOGIN, ADMIN_ONLY, missing=None),
    # An empty reason: refused with the form again.
    ("admin.revoke_certificate", "POST"): Entry("/beheer/certificaten/{certificate}/intrekken", LOGIN,
                                                {**ADMIN_ONLY, "site_admin": 400},
                                                missing={**ADMIN_ONLY, "site_admin": 404}),
    ("admin.users", "GET"): Entry("/beheer/gebruikers", LOGIN, ADMIN_ONLY, missing=None),
    ("admin.security_log", "GET"): Entry("/beheer/beveiligingslog", LOGIN, ADMIN_ONLY, missing=None),
    # Any account, by id; {user} is the actor's own, which an administrator is told they cannot disable.
    ("admin.disable_user", "POST"): Entry("/beheer/gebruikers/{user}/uitzetten", LOGIN, ADMIN_REDIRECT,
                                          missing=ADMIN_MISSING),
    ("admin.enable_user", "POST"): Entry("/beheer/gebruikers/{user}/aanzetten", LOGIN, ADMIN_REDIRECT,
                                         missing=ADMIN_MISSING),
    # Last: these change what the requests after them see (a new run; the end of the session).
    ("casus.restart", "POST"): Entry("/casus/{casus}/opnieuw", LOGIN, 302),
    ("trainer.close_group", "POST"): Entry("/trainer/groepen/{group}/sluiten", LOGIN, trainers(302),
                                          missing=TRAINERS_404, private=True),
    ("groups.leave", "POST"): Entry("/groepen/{group}/verlaten", LOGIN, 302, private=True),
    ("org.delete_assignment", "POST"): Entry("/organisatie/{org}/opdrachten/{assignment}/verwijderen", LOGIN,
                                             org_admins(302), private=True),
    ("org.deactivate", "POST"): Entry("/organisatie/{org}/leden/{orgmember}/deactiveren", LOGIN, org_admins(302),
                                      private=True),
    ("org.activate", "POST"): Entry("/organisatie/{org}/leden/{orgmember}/activeren", LOGIN, org_admins(302),
                                    private=True),
    # Every actor is a member of their own organisation (its only admin is told they cannot leave).
    ("org.leave", "POST"): Entry("/organisatie/{org}/verlaten", LOGIN, 302, private=True),
    ("trainer.remove_member", "POST"): Entry("/trainer/groepen/{group}/leden/{member}/verwijderen", LOGIN,
                                             trainers(404), missing=TRAINERS_404, private=True),  # left already
    ("auth.logout", "POST"): Entry("/uitloggen", LOGIN, LOGIN, missing=None),
    ("auth.logout_everywhere", "POST"): Entry("/account/overal-uitloggen", LOGIN, LOGIN, missing=None),
}
# Routes that end the login of whoever posts them: the matrix logs in again after each.
SESSION_ENDERS = {"auth.logout", "auth.logout_everywhere"}


def values(catalog: Catalog, actor: Actor | None, variant: str, victim: Actor) -> dict[str, object]:
    """What to put in a path's placeholders: the actor's own objects, the victim's, or nothing that exists."""
    page = catalog.pages[0]
    module_id, media = next(iter(catalog.media))
    own = actor or victim  # anonymous visitors try the victim's objects
    found = {"module": module_id if variant != "missing" else MISSING_SLUG, "page": page.id,
             "quiz": "tweede-toets", "question": "oefenen", "casus": "oefencasus", "jobaid": "kindcheck",
             "media": media,
             "static": "css/leerlijn.css", "attempt": own.open_attempt_id, "run": own.learner.run_id,
             "group": own.learner.group_id, "member": own.learner.id, "joincode": own.learner.join_code,
             "live": own.learner.live_id, "code": own.learner.live_code, "org": own.learner.org_slug,
             "team": own.learner.team_id, "orgmember": own.learner.org_member_id,
             "assignment": own.learner.assignment_id,
             "certificate": own.learner.certificate_id, "vcode": own.learner.certificate_code, "user": own.learner.id}
    if variant == "missing":
        found.update(page=MISSING_SLUG, quiz=MISSING_SLUG, question=MISSING_SLUG, casus=MISSING_SLUG,
                     jobaid=MISSING_SLUG,
                     media="img/bestaat-niet.svg", static="bestaat-niet.css", attempt=MISSING_ID, run=MISSING_ID,
                     group=MISSING_ID, live=MISSING_ID, code="ZZZZZZ", org=MISSING_SLUG, team=MISSING_ID,
                     orgmember=MISSING_ID, assignment=MISSING_ID, certificate=MISSING_ID, vcode="A" * 32,
                     user=MISSING_ID)
    if variant == "foreign":
        found.update(attempt=victim.open_attempt_id, run=victim.learner.run_id, group=victim.learner.group_id,
                     live=victim.learner.live_id, org=victim.learner.org_slug, team=victim.learner.team_id,
                     orgmember=victim.learner.org_member_id, assignment=victim.learner.assignment_id,
                     certificate=victim.learner.certificate_id)
    return found


def token_for(app: Flask, session, entry: Entry, actor: Actor | None) -> dict[str, str]:
    """The work token a page of the actor's own object carries (anonymous visitors have none)."""
    if entry.token is None or actor is None:
        return {}
    user = session.get(User, actor.learner.id)
    object_id = actor.open_attempt_id if entry.token == "quiz-attempt" else actor.learner.run_id
    with app.test_request_context():
        token = make_token(entry.token, object_id, user.id, user.session_version)  # type: ignore[arg-type]
    return {"attempt_token" if entry.token == "quiz-attempt" else "run_token": token}


def routes(app: Flask) -> set[tuple[str, str]]:
    return {(rule.endpoint, method) for rule in app.url_map.iter_rules()
            for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}}


def test_every_route_has_an_entry_in_the_matrix(app):
    """A new route cannot slip in without saying who may use it (and a removed one leaves no stale entry)."""
    missing = routes(app) - set(MATRIX)
    assert not missing, f"add these routes to MATRIX in {__file__}: {sorted(missing)}"
    stale = set(MATRIX) - routes(app)
    assert not stale, f"these MATRIX entries name no route: {sorted(stale)}"


def _outcome(response) -> int | str:
    if response.status_code == 302 and "/inloggen" in response.headers["Location"]:
        return LOGIN
    return response.status_code


def test_every_route_answers_every_role_as_the_matrix_says(app, session, full_catalog, actors):
    """Anonymous, learner, trainer and site admin on every route, with own, foreign and missing objects."""
    victim = actors["victim"]
    clients = {ANONYMOUS: app.test_client()}
    for role in ROLES:
        clients[role] = app.test_client()
        log_in(clients[role], actors[role].learner.email)
    before = session.scalar(select(QuizAttempt.last_saved_at).where(QuizAttempt.id == victim.open_attempt_id))
    wrong: list[str] = []
    for (endpoint, method), entry in MATRIX.items():
        for who, client in clients.items():
            actor = actors.get(who)
            expected: int | str = entry.anonymous if who == ANONYMOUS else (
                entry.signed_in if not isinstance(entry.signed_in, Mapping) else entry.signed_in[who])
            variants = {"own": expected}
            missing = entry.missing[who] if isinstance(entry.missing, Mapping) and who != ANONYMOUS else entry.missing
            if who != ANONYMOUS and missing is not None:
                variants["missing"] = missing
            if entry.private:
                # Someone else's object: the same as a missing one, for every role (anonymous: log in first).
                variants["foreign"] = expected if who == ANONYMOUS else missing or 404
            bodies = {}
            for variant, status in variants.items():
                path = entry.path.format(**values(full_catalog, actor, variant, victim))
                data = {**entry.data, **token_for(app, session, entry, actor)}
                with client.session_transaction() as cookie:
                    cookie.pop("_flashes", None)  # a message left by the request before is not this answer
                response = client.open(path, method=method, data=data if method == "POST" else None)
                # The page names its own address (e.g. in the language form): compare without it.
                # (A PDF is bytes: decoded leniently, it still compares.)
                # The CSRF token is signed with the time: two pages a second apart differ in it, whatever else.
                bodies[variant] = CSRF_TOKEN.sub("", response.get_data().decode("utf-8", "replace").replace(path, ""))
                if _outcome(response) != status:
                    wrong.append(f"{method} {path} as {who} ({variant}): {_outcome(response)}, expected {status}")
                if endpoint in SESSION_ENDERS and who != ANONYMOUS:
                    log_in(client, actor.learner.email)
            if "foreign" in bodies and "missing" in bodies and bodies["foreign"] != bodies["missing"]:
                wrong.append(f"{method} {entry.path} as {who}: someone else's object answers unlike a missing one")
    assert not wrong, "\n".join(wrong)
    session.expire_all()
    attempt = session.get(QuizAttempt, victim.open_attempt_id)
    assert attempt.last_saved_at == before and attempt.status == "in_progress", "another role changed it"



def test_ids_too_large_for_the_database_are_not_found(app, full_catalog, actors):
    """Every route with an id in its path, for every role, with ids of 2**31 and 2**63: 404, never a 500.

    Such an id names nothing on any database, so the URL itself is not found, before any login or role check.
    """
    victim = actors["victim"]
    clients = {ANONYMOUS: app.test_client()}
    for role in ROLES:
        clients[role] = app.test_client()
        log_in(clients[role], actors[role].learner.email)
    wrong: list[str] = []
    checked = 0
    for (_endpoint, method), entry in MATRIX.items():
        if not any("{" + name + "}" in entry.path for name in ID_PLACEHOLDERS):
            continue
        for who, client in clients.items():
            for huge in HUGE_IDS:
                found = {**values(full_catalog, actors.get(who), "own", victim), **dict.fromkeys(ID_PLACEHOLDERS, huge)}
                path = entry.path.format(**found)
                response = client.open(path, method=method, data=dict(entry.data) if method == "POST" else None)
                checked += 1
                if response.status_code != 404 or "Pagina niet gevonden" not in response.get_data(as_text=True):
                    wrong.append(f"{method} {path} as {who}: {response.status_code}, expected 404")
    assert checked >= 20 * len(HUGE_IDS)
    assert not wrong, "\n".join(wrong)
