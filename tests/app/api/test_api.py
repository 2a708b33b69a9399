"""GET /api/v1/members and /api/v1/completions: a token's own organisation only, cursor pages, the date
filter, JSON errors, scopes, rate limits, and every use recorded."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from course.assignments import local_today
from course.db import ApiToken, ApiTokenUse, Assignment, Certificate, Membership, SecurityEvent, utcnow
from course.services import org_report, orgs
from course.services.progress import record_visit
from tests.app.api.conftest import add_assignment_certificates, add_work, new_token
from tests.conftest import make_app


def emails(response) -> set[str]:
    return {row["email"] for row in response.get_json()["items"]}


def test_members_are_the_tokens_organisation_only(call, token, org, other_org):
    """Organisation A's token lists A's five members, with their role and team, and none of B's."""
    mine = call("/api/v1/members", token)
    assert mine.status_code == 200 and mine.headers["Content-Type"] == "application/json"
    assert emails(mine) == {u.email for u in [org.admin, org.lead, *org.members]}
    lead = next(row for row in mine.get_json()["items"] if row["email"] == org.lead.email)
    assert lead["role"] == "team_lead" and lead["team"] == "Jeugdzorg Noord Oost" and lead["active"] is True


def test_teams_list_the_tokens_organisation_with_ids_to_assign_work_to(session, call, token, org, other_org):
    """A's token lists A's two teams with their active members (B's teams never); the ids are the ones a
    new assignment takes and the ones members carry."""
    response = call("/api/v1/teams", token)
    assert response.status_code == 200
    teams = {t["name"]: t for t in response.get_json()["items"]}
    assert set(teams) == set(org.teams)  # "Jeugdzorg Noord Oost", "… West"; none of B's
    east, west = (org.teams[name] for name in org.teams)
    # The first team: its lead and two members; the second: one member. Deactivating one drops the count.
    assert (teams[east.name]["active_members"], teams[west.name]["active_members"]) == (3, 1)
    leaver = session.scalars(select(Membership).filter_by(user_id=org.members[0].id)).one()
    leaver.deactivated_at = utcnow()
    session.commit()
    assert {t["name"]: t["active_members"] for t in call("/api/v1/teams", token).get_json()["items"]}[
        east.name] == 2
    lead = next(m for m in call("/api/v1/members", token).get_json()["items"] if m["email"] == org.lead.email)
    assert lead["team_id"] == teams[east.name]["id"] == east.id
    first = call("/api/v1/teams", token, limit=1).get_json()
    assert len(first["items"]) == 1 and first["next_cursor"]
    second = call("/api/v1/teams", token, limit=1, cursor=first["next_cursor"]).get_json()
    assert [t["name"] for t in first["items"] + second["items"]] == [east.name, west.name]
    assert second["next_cursor"] is None


def test_isolation_both_ways(session, call, org, other_org):
    """A token of organisation A never sees B's data, in members or completions, and vice versa."""
    a, b = new_token(session, org), new_token(session, other_org)
    a_people = {u.email for u in [org.admin, org.lead, *org.members]}
    b_people = {u.email for u in [other_org.admin, other_org.lead, *other_org.members]}
    for path in ("/api/v1/members", "/api/v1/completions"):
        assert emails(call(path, a)) == a_people
        assert emails(call(path, b)) == b_people
    # Another organisation's assignment answers like a missing one.
    foreign = Assignment(organisation_id=other_org.organisation.id, title="B's", module_ids=[], casus_ids=[],
                         due_on=local_today(utcnow()))
    session.add(foreign)
    session.commit()
    hidden, missing = (call("/api/v1/completions", a, assignment_id=i) for i in (foreign.id, 2**31 - 1))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.get_json() == missing.get_json() and hidden.get_json()["error"]["status"] == 404
    assert call("/api/v1/completions", b, assignment_id=foreign.id).status_code == 200


def test_cursor_pages_cover_every_member_once(call, token, org):
    seen, cursor, pages = [], None, 0
    while True:
        response = call("/api/v1/members", token, limit=2, **({"cursor": cursor} if cursor else {}))
        body = response.get_json()
        assert response.status_code == 200 and len(body["items"]) <= 2
        seen += [row["id"] for row in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == 3 and len(seen) == len(set(seen)) == 5 and seen == sorted(seen)


def test_a_limit_above_the_cap_is_cut_and_bad_paging_input_is_a_json_400(call, token, monkeypatch):
    monkeypatch.setattr("app.api.schemas.MAX_LIMIT", 3)  # the cap, without making 100 members
    assert len(call("/api/v1/members", token, limit=1000).get_json()["items"]) == 3
    for query in ({"limit": 0}, {"limit": "veel"}, {"cursor": "niet-van-ons"}, {"cursor": "YWZ0ZXI6LTE"},
                  {"updated_since": "gisteren"}, {"updated_since": "2027-01-31"}, {"updated_since": "1700000000"},
                  {"updated_sinse": "2027-01-31T00:00:00Z"}):
        response = call("/api/v1/members", token, **query)
        assert response.status_code == 400, query
        assert response.get_json()["error"]["status"] == 400 and response.get_json()["error"]["message"]


def test_updated_since_lists_who_joined_or_was_deactivated_since(session, call, token, org):
    past = utcnow() - timedelta(days=30)
    session.execute(update(Membership).where(Membership.organisation_id == org.organisation.id)
                    .values(created_at=past))
    session.commit()
    leaver = session.scalars(select(Membership).filter_by(user_id=org.members[2].id)).one()
    leaver.deactivated_at = utcnow()
    session.commit()
    since = (utcnow() - timedelta(days=1)).isoformat().replace("+00:00", "Z")
    response = call("/api/v1/members", token, updated_since=since)
    [row] = response.get_json()["items"]
    assert row["email"] == org.members[2].email and row["active"] is False and row["deactivated_at"]
    assert len(call("/api/v1/members", token, updated_since="2000-01-01T00:00:00").get_json()["items"]) == 5


def test_completions_are_the_completion_reports_rows(app, session, call, token, org, valid_catalog):
    """The same statuses and counts as the organisation's completion report, keyed by the member's id."""
    record_visit(session, org.members[0].id, valid_catalog.pages[0], read=True)
    access = orgs.acting_access(session, None, org.slug)
    report = org_report.completion_report(session, valid_catalog, access, local_today(utcnow()))
    rows = {r["member_id"]: r for r in call("/api/v1/completions", token).get_json()["items"]}
    assert len(rows) == len(report.rows) == 5
    for expected in report.rows:
        got = rows[expected.user_id]
        assert (got["email"], got["status"], got["modules_done"], got["minutes_on_task"]) == (
            expected.email, expected.status.value, expected.modules_done, expected.minutes_on_task)
    assert rows[org.members[0].id]["status"] == "in_progress"


def test_no_wrong_or_revoked_token_is_a_json_401(session, call, token):
    for presented in (None, "llapi_bestaat-niet", token.upper(), "x" * 500):
        response = call("/api/v1/members", presented)
        assert response.status_code == 401 and response.get_json()["error"]["status"] == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    response = call("/api/v1/members", None)
    assert "Set-Cookie" not in response.headers


def test_a_token_without_the_scope_gets_a_json_403(session, call, org):
    members_only = new_token(session, org, ["read:members"])
    assert call("/api/v1/members", members_only).status_code == 200
    response = call("/api/v1/completions", members_only)
    assert response.status_code == 403 and "read:completions" in response.get_json()["error"]["message"]


def test_every_use_is_recorded_with_the_last_use_time(session, call, token):
    assert call("/api/v1/members", token).status_code == 200
    assert call("/api/v1/members", token, limit=0).status_code == 400
    session.expire_all()
    stored = session.scalars(select(ApiToken)).one()
    uses = session.scalars(select(ApiTokenUse).order_by(ApiTokenUse.id)).all()
    assert [(u.method, u.path, u.status) for u in uses] == [("GET", "/api/v1/members", 200),
                                                             ("GET", "/api/v1/members", 400)]
    assert stored.last_used_at is not None and stored.last_used_at >= uses[0].at


@pytest.fixture
def limited_app(connection, valid_catalog, tmp_path):
    return make_app(connection, valid_catalog, tmp_path, RATELIMIT_ENABLED=True, API_LIMIT_PER_TOKEN="2 per minute")


def test_too_many_requests_with_one_token_is_a_json_429_and_other_tokens_go_on(limited_app, session, org):
    client = limited_app.test_client()
    first, second = new_token(session, org), new_token(session, org)
    answers = [client.get("/api/v1/members", headers={"Authorization": f"Bearer {first}"}) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].get_json()["error"]["status"] == 429 and int(answers[2].headers["Retry-After"]) > 0
    assert client.get("/api/v1/members", headers={"Authorization": f"Bearer {second}"}).status_code == 200
    # Requests without a token count per address, apart from the tokens' counters.
    assert [client.get("/api/v1/openapi.json").status_code for _ in range(3)] == [200, 200, 429]
    assert client.get("/api/v1/openapi.json", environ_base={"REMOTE_ADDR": "192.0.2.7"}).status_code == 200
    session.expire_all()
    assert session.scalar(select(ApiTokenUse.status).order_by(ApiTokenUse.id.desc()).where(
        ApiTokenUse.status == 429)) == 429


@pytest.fixture
def refusing_app(connection, valid_catalog, tmp_path):
    return make_app(connection, valid_catalog, tmp_path, RATELIMIT_ENABLED=True,
                    API_LIMIT_REFUSED_PER_ADDRESS="3 per minute")


def test_an_address_trying_tokens_that_fail_is_stopped_and_working_tokens_never_count(refusing_app, session,
                                                                                       org):
    """Guessing tokens from one address ends in a 429 after a few refusals, for that address only; requests
    with a valid token, however many, do not count towards it."""
    client = refusing_app.test_client()
    token = new_token(session, org)
    for _ in range(5):
        assert client.get("/api/v1/members", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    guesses = [client.get("/api/v1/members", headers={"Authorization": f"Bearer llapi_geraden{n}"})
               for n in range(4)]
    assert [g.status_code for g in guesses] == [401, 401, 401, 429]
    assert guesses[3].get_json()["error"]["status"] == 429
    assert client.get("/api/v1/members", headers={"Authorization": "Bearer llapi_x"},
                      environ_base={"REMOTE_ADDR": "192.0.2.9"}).status_code == 401


def test_unknown_api_paths_answer_json(call, token):
    response = call("/api/v1/bestaat-niet", token)
    assert response.status_code == 404 and response.get_json()["error"]["status"] == 404


def test_assignments_and_certificates_are_the_tokens_organisation_only(session, call, org, other_org,
                                                                        valid_catalog):
    """Each organisation's token lists its own assignment and its members' certificates, with validity."""
    mine, _ = add_work(session, org, valid_catalog)
    theirs, _ = add_work(session, other_org, valid_catalog)
    a = new_token(session, org)
    [row] = call("/api/v1/assignments", a).get_json()["items"]
    assert (row["id"], row["title"], row["team"], row["due_on"]) == (mine.id, mine.title, "Jeugdzorg Noord Oost",
                                                                     "2030-01-01")
    certificates = call("/api/v1/certificates", a).get_json()["items"]
    assert [c["status"] for c in certificates] == ["valid", "expired", "revoked"]
    assert {c["member_id"] for c in certificates} == {org.members[0].id}
    b = call("/api/v1/certificates", new_token(session, other_org)).get_json()["items"]
    assert {c["member_id"] for c in b} == {other_org.members[0].id} and theirs.id not in {row["id"]}


def test_a_certificate_says_which_assignment_it_is_for(session, call, token, org, valid_catalog):
    """Course certificates have no assignment; one for an assignment names it (id and title), also after the
    organisation withdrew it (id null, title kept)."""
    assignment, _ = add_work(session, org, valid_catalog)
    current, withdrawn = add_assignment_certificates(session, org, assignment, valid_catalog)
    items = {c["id"]: c for c in call("/api/v1/certificates", token).get_json()["items"]}
    assert items[current.id]["assignment"] == {"id": assignment.id, "title": assignment.title}
    assert items[withdrawn.id]["assignment"] == {"id": None, "title": "Ingetrokken opdracht"}
    assert items[current.id]["valid_until"] is None and items[current.id]["status"] == "valid"
    assert [c["assignment"] for i, c in items.items() if i not in (current.id, withdrawn.id)] == [None] * 3


def test_someone_who_left_the_organisation_takes_their_certificates_along(session, call, token, org,
                                                                           valid_catalog):
    add_work(session, org, valid_catalog)
    session.delete(session.scalars(select(Membership).filter_by(user_id=org.members[0].id)).one())
    session.commit()
    assert call("/api/v1/certificates", token).get_json()["items"] == []


def test_certificates_updated_since_lists_those_issued_or_revoked_since(session, call, token, org, valid_catalog):
    _, (_valid, _expired, revoked) = add_work(session, org, valid_catalog)
    session.execute(update(Certificate).values(issued_at=utcnow() - timedelta(days=30)))
    session.commit()
    since = (utcnow() - timedelta(days=1)).isoformat()
    assert [c["id"] for c in call("/api/v1/certificates", token, updated_since=since).get_json()["items"]] == [
        revoked.id]


def post(client, token: str, body: object):
    return client.post("/api/v1/assignments", json=body, headers={"Authorization": f"Bearer {token}"})


def test_a_token_with_write_assignments_sets_work_for_a_team(client, session, call, org, other_org):
    """The assignment appears for the organisation as if its admin had set it; the log names the token."""
    token = new_token(session, org, ["write:assignments", "read:completions"])
    team = next(iter(org.teams.values()))
    response = post(client, token, {"title": "Meldcode 2027", "target": "team", "team_id": team.id,
                                    "due_on": "2030-06-30", "min_quiz_percent": 80})
    assert response.status_code == 201
    made = response.get_json()
    assert (made["title"], made["team"], made["due_on"], made["min_quiz_percent"]) == (
        "Meldcode 2027", team.name, "2030-06-30", 80)
    stored = session.get(Assignment, made["id"])
    assert stored.organisation_id == org.organisation.id and stored.created_by_id is None
    assert [a["id"] for a in call("/api/v1/assignments", token).get_json()["items"]] == [made["id"]]
    event = session.scalars(select(SecurityEvent).order_by(SecurityEvent.id.desc())).first()
    assert event.detail["action"] == "org.assignment.create" and event.detail["api_token_id"]
    assert event.actor_id is None


def test_an_assignment_for_another_organisations_team_or_member_is_refused(client, session, org, other_org):
    token = new_token(session, org, ["write:assignments"])
    foreign_team = next(iter(other_org.teams.values()))
    for body, field in (({"title": "X", "target": "team", "team_id": foreign_team.id, "due_on": "2030-01-01"},
                         "team_id"),
                        ({"title": "X", "target": "person", "member_email": other_org.members[0].email,
                          "due_on": "2030-01-01"}, "member_email"),
                        ({"title": "X", "target": "organisation", "due_on": "2000-01-01"}, "due_on"),
                        ({"title": "X", "target": "organisation", "module_ids": ["bestaat-niet"],
                          "due_on": "2030-01-01"}, "module_ids")):
        response = post(client, token, body)
        assert response.status_code == 422 and response.get_json()["error"]["message"].startswith(field), body
    assert session.scalars(select(Assignment)).all() == []


def test_a_bad_body_or_a_token_without_the_scope_is_refused(client, session, org):
    reader = new_token(session, org, ["read:members", "read:completions"])
    body = {"title": "X", "target": "organisation", "due_on": "2030-01-01"}
    assert post(client, reader, body).status_code == 403
    writer = new_token(session, org, ["write:assignments"])
    for bad in ({**body, "due_on": 20300101}, {**body, "extra": 1}, {"title": "X"}, "geen object"):
        response = post(client, writer, bad)
        assert response.status_code == 400 and response.get_json()["error"]["status"] == 400, bad
    raw = client.post("/api/v1/assignments", data="{niet json", headers={"Authorization": f"Bearer {writer}",
                                                                          "Content-Type": "application/json"})
    assert raw.status_code == 400
    assert session.scalars(select(Assignment)).all() == []
