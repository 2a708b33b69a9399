"""Organisations: admins manage members and teams, team leads see their own team, members see and leave
their organisations; another organisation's pages and ids answer like missing ones."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from course.db import EventKind, Membership, Organisation, Role, SecurityEvent, Team, User
from tests.app.org.conftest import PASSWORD, Org, logged_in, make_org, make_user, membership
from tests.app.trainer.conftest import text
from tests.conftest import link_in, outbox, without_csrf_tokens


def admin_actions(session: Session) -> list[str]:
    session.expire_all()
    return [e.detail["action"] for e in session.scalars(
        select(SecurityEvent).where(SecurityEvent.kind == EventKind.ADMIN_ACTION).order_by(SecurityEvent.id))]


def test_the_admin_sees_every_member_with_team_role_and_status(admin: FlaskClient, org: Org) -> None:
    page = text(admin.get(f"/organisatie/{org.slug}/"))
    assert "Jeugdzorg Noord" in page and "5 leden" in page
    for user in [org.admin, org.lead, *org.members]:
        assert user.name in page and user.email in page
    assert "Leider Jeugdzorg Noord lead@jeugdzorg-noord.example.org Jeugdzorg Noord Oost Teamleider actief" in page
    assert "Jeugdzorg Noord Oost (3 actieve leden)" in page and "Jeugdzorg Noord West (1 actief lid)" in page
    filtered = text(admin.get(f"/organisatie/{org.slug}/?team={org.teams['Jeugdzorg Noord West'].id}"))
    assert "1 lid" in filtered and "Lid 2" in filtered and "Lid 0" not in filtered


def test_a_team_lead_sees_only_their_own_team_and_changes_nothing(app: Flask, session: Session, org: Org) -> None:
    lead = logged_in(app, session, org.lead)
    page = text(lead.get(f"/organisatie/{org.slug}/"))
    assert "Je ziet de leden van je eigen team." in page
    assert "Lid 0" in page and "Lid 1" in page and "Lid 2" not in page and "Beheerder" not in page
    assert "Iemand uitnodigen" not in page and "Wijzigen" not in page
    other_team = membership(session, org, org.members[2]).id
    own_team = membership(session, org, org.members[0]).id
    for path in [f"/organisatie/{org.slug}/leden/{own_team}", f"/organisatie/{org.slug}/uitnodigen"]:
        assert lead.get(path).status_code == 404
    assert lead.post(f"/organisatie/{org.slug}/leden/{other_team}/deactiveren").status_code == 404
    assert lead.post(f"/organisatie/{org.slug}/teams", data={"name": "Eigen team"}).status_code == 404
    assert "Jeugdzorg Noord" in text(lead.get("/organisatie/"))


def test_a_plain_member_and_a_stranger_get_the_missing_page(app: Flask, session: Session, org: Org) -> None:
    stranger = make_user(session, "iemand@example.org")
    for user in (org.members[0], stranger):
        client = logged_in(app, session, user)
        assert client.get(f"/organisatie/{org.slug}/").status_code == 404
        assert "Je beheert geen organisatie" in text(client.get("/organisatie/"))
    assert app.test_client().get(f"/organisatie/{org.slug}/").status_code == 302  # to the login page


def test_another_organisations_slug_and_ids_answer_like_missing_ones(admin: FlaskClient, session: Session, org: Org,
                                                                     other_org: Org) -> None:
    """The admin of one organisation learns nothing about another: every foreign id is a plain 404."""
    foreign = membership(session, other_org, other_org.members[0]).id
    missing = 2**31 - 1
    pairs = [
        (f"/organisatie/{other_org.slug}/", "/organisatie/bestaat-niet/"),
        (f"/organisatie/{org.slug}/leden/{foreign}", f"/organisatie/{org.slug}/leden/{missing}"),
        (f"/organisatie/{other_org.slug}/uitnodigen", "/organisatie/bestaat-niet/uitnodigen"),
    ]
    for foreign_path, missing_path in pairs:
        a, b = admin.get(foreign_path), admin.get(missing_path)
        assert a.status_code == b.status_code == 404
        assert without_csrf_tokens(a.get_data(as_text=True).replace(foreign_path, "")) == without_csrf_tokens(
            b.get_data(as_text=True).replace(missing_path, ""))
    for action in ("deactiveren", "activeren"):
        assert admin.post(f"/organisatie/{org.slug}/leden/{foreign}/{action}").status_code == 404
    # A team of the other organisation, named in a form of one's own, is refused too.
    other_team = next(iter(other_org.teams.values())).id
    own = membership(session, org, org.members[0]).id
    response = admin.post(f"/organisatie/{org.slug}/leden/{own}", data={"team": str(other_team), "role": "learner"})
    assert response.status_code == 422
    session.expire_all()
    assert membership(session, other_org, other_org.members[0]).active
    assert membership(session, org, org.members[0]).team_id == org.teams["Jeugdzorg Noord Oost"].id


def test_the_admin_adds_a_team_and_a_duplicate_name_is_refused(admin: FlaskClient, session: Session, org: Org) -> None:
    response = admin.post(f"/organisatie/{org.slug}/teams", data={"name": "  Locatie   Zwolle "})
    assert response.status_code == 302
    assert "Locatie Zwolle (0 actieve leden)" in text(admin.get(f"/organisatie/{org.slug}/"))
    response = admin.post(f"/organisatie/{org.slug}/teams", data={"name": "locatie zwolle"})
    assert response.status_code == 422 and "Er is al een team met deze naam." in text(response)
    assert len(session.scalars(select(Team).where(Team.organisation_id == org.organisation.id)).all()) == 3
    assert admin_actions(session) == ["org.team.create"]


def test_inviting_a_new_person_makes_an_account_they_claim_through_the_mailed_link(
        app: Flask, admin: FlaskClient, session: Session, org: Org) -> None:
    west = org.teams["Jeugdzorg Noord West"].id
    response = admin.post(f"/organisatie/{org.slug}/uitnodigen", data={
        "email": "Nieuw@Example.org", "name": "Noor Nieuw", "team": str(west), "role": "learner"})
    assert response.status_code == 302
    page = text(admin.get(f"/organisatie/{org.slug}/"))
    assert "Noor Nieuw nieuw@example.org Jeugdzorg Noord West Medewerker uitgenodigd" in page
    user = session.scalar(select(User).where(User.email == "nieuw@example.org"))
    assert user.email_confirmed_at is None
    (mail,) = outbox(app, "nieuw@example.org")
    assert "Jeugdzorg Noord" in mail["Subject"]
    link = link_in(mail, "/organisatie/uitnodiging/")
    # Nobody can log in before the link is used.
    assert app.test_client().post("/inloggen", data={"email": "nieuw@example.org", "password": PASSWORD}
                                  ).status_code == 200
    client = app.test_client()
    assert "Je account klaarzetten" in text(client.get(link))
    response = client.post(link, data={"password": "mijn eigen wachtwoord", "password_repeat": "mijn eigen wachtwoord"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Welkom, Noor Nieuw" in text(client.get("/"))
    assert client.post(link, data={"password": "nog een wachtwoord", "password_repeat": "nog een wachtwoord"}
                       ).status_code == 400  # the link works once
    assert "actief" in text(admin.get(f"/organisatie/{org.slug}/leden/{membership(session, org, user).id}"))
    assert admin_actions(session) == ["org.invite"]


def test_inviting_an_existing_account_links_it_without_a_second_account(
        app: Flask, admin: FlaskClient, session: Session, org: Org, other_org: Org) -> None:
    """A freelancer in two organisations has one account and two memberships."""
    freelancer = other_org.members[0]
    response = admin.post(f"/organisatie/{org.slug}/uitnodigen",
                          data={"email": freelancer.email.upper(), "name": "", "team": "", "role": "learner"})
    assert response.status_code == 302
    assert len(session.scalars(select(User).where(User.email == freelancer.email)).all()) == 1
    orgs = session.scalars(select(Membership.organisation_id).where(Membership.user_id == freelancer.id)).all()
    assert sorted(orgs) == sorted([org.organisation.id, other_org.organisation.id])
    (mail,) = outbox(app, freelancer.email)
    assert "toegevoegd" in mail["Subject"] and "/organisatie/uitnodiging/" not in mail.get_body().get_content()
    again = admin.post(f"/organisatie/{org.slug}/uitnodigen", data={"email": freelancer.email, "role": "learner"})
    assert again.status_code == 422 and "Deze persoon is al lid van de organisatie." in text(again)
    missing_name = admin.post(f"/organisatie/{org.slug}/uitnodigen", data={"email": "x@example.org", "role": "learner"})
    assert missing_name.status_code == 422 and "Vul de naam in" in text(missing_name)


def test_the_admin_moves_a_member_and_makes_them_team_lead(admin: FlaskClient, session: Session, org: Org) -> None:
    member = membership(session, org, org.members[2])
    west = org.teams["Jeugdzorg Noord West"].id
    response = admin.post(f"/organisatie/{org.slug}/leden/{member.id}", data={"team": "", "role": "team_lead"})
    assert response.status_code == 422 and "Een teamleider hoort bij een team" in text(response)
    response = admin.post(f"/organisatie/{org.slug}/leden/{member.id}", data={"team": str(west), "role": "team_lead"})
    assert response.status_code == 302
    session.expire_all()
    assert (member.role, member.team_id) == (Role.TEAM_LEAD, west)
    assert admin_actions(session) == ["org.member.update"]


def test_an_organisation_always_keeps_an_admin(admin: FlaskClient, session: Session, org: Org) -> None:
    own = membership(session, org, org.admin)
    response = admin.post(f"/organisatie/{org.slug}/leden/{own.id}", data={"team": "", "role": "learner"})
    assert response.status_code == 422 and "Een organisatie heeft altijd een beheerder." in text(response)
    response = admin.post(f"/organisatie/{org.slug}/leden/{own.id}/deactiveren")
    assert "Een organisatie heeft altijd een beheerder." in text(admin.get(response.headers["Location"]))
    response = admin.post(f"/organisatie/{org.slug}/verlaten")
    assert "Een organisatie heeft altijd een beheerder." in text(admin.get(response.headers["Location"]))
    session.expire_all()
    assert own.role == Role.ORG_ADMIN and own.active


def test_a_deactivated_team_lead_keeps_their_history_but_loses_the_pages(
        app: Flask, admin: FlaskClient, session: Session, org: Org) -> None:
    lead = logged_in(app, session, org.lead)
    assert lead.get(f"/organisatie/{org.slug}/").status_code == 200
    row = membership(session, org, org.lead)
    assert admin.post(f"/organisatie/{org.slug}/leden/{row.id}/deactiveren").status_code == 302
    assert lead.get(f"/organisatie/{org.slug}/").status_code == 404
    page = text(admin.get(f"/organisatie/{org.slug}/"))
    assert "Leider Jeugdzorg Noord" in page and "gedeactiveerd" in page
    assert "Jeugdzorg Noord Oost (2 actieve leden)" in page
    assert "gedeactiveerd" in text(lead.get("/account"))
    assert admin.post(f"/organisatie/{org.slug}/leden/{row.id}/activeren").status_code == 302
    assert lead.get(f"/organisatie/{org.slug}/").status_code == 200
    assert admin_actions(session) == ["org.member.deactivate", "org.member.activate"]


def test_a_member_of_two_organisations_leaves_one_from_the_account_page(
        app: Flask, session: Session, org: Org, other_org: Org) -> None:
    freelancer = org.members[0]
    session.add(Membership(user_id=freelancer.id, organisation_id=other_org.organisation.id))
    session.commit()
    client = logged_in(app, session, freelancer)
    account = text(client.get("/account"))
    assert "Jeugdzorg Noord" in account and "GGZ Zuid" in account
    response = client.post(f"/organisatie/{other_org.slug}/verlaten")
    assert response.status_code == 302 and response.headers["Location"] == "/account#organisaties"
    account = text(client.get("/account"))
    assert "Je hoort niet meer bij GGZ Zuid." in account and "Jeugdzorg Noord" in account
    assert client.post(f"/organisatie/{other_org.slug}/verlaten").status_code == 404
    session.expire_all()
    assert [m.organisation_id for m in session.scalars(select(Membership).where(Membership.user_id == freelancer.id))
            ] == [org.organisation.id]


def test_org_create_from_the_command_line_invites_the_first_admin(app: Flask, session: Session) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["org", "create", "wijkteam-zwolle", "--name", "Wijkteam Zwolle",
                                 "--admin-email", "coordinator@zwolle.example.org"])
    assert result.exit_code == 0, result.output
    assert "Created organisation wijkteam-zwolle with admin coordinator@zwolle.example.org" in result.output
    organisation = session.scalar(select(Organisation).where(Organisation.slug == "wijkteam-zwolle"))
    (admin,) = organisation.memberships
    assert admin.role == Role.ORG_ADMIN and admin.user.email_confirmed_at is None
    (mail,) = outbox(app, "coordinator@zwolle.example.org")
    assert link_in(mail, "/organisatie/uitnodiging/").startswith("/organisatie/uitnodiging/")
    again = runner.invoke(args=["org", "create", "wijkteam-zwolle", "--name", "X", "--admin-email", "a@example.org"])
    assert again.exit_code == 1 and "Er is al een organisatie met deze korte naam." in again.output
    bad = runner.invoke(args=["org", "create", "Wijkteam Zwolle!", "--name", "X", "--admin-email", "a@example.org"])
    assert bad.exit_code == 1 and "kleine letters" in bad.output
    assert len(session.scalars(select(Organisation)).all()) == 1


def test_the_first_admin_of_an_existing_account_is_linked(app: Flask, session: Session) -> None:
    existing = make_user(session, "hr@example.org", "Hanna HR")
    result = app.test_cli_runner().invoke(args=["org", "create", "ggz-oost", "--name", "GGZ Oost",
                                                "--admin-email", "HR@example.org"])
    assert result.exit_code == 0, result.output
    session.expire_all()
    assert [m.organisation.slug for m in session.get(User, existing.id).memberships] == ["ggz-oost"]
    # The new admin must set up two-step verification before anything else.
    client = app.test_client()
    client.post("/inloggen", data={"email": "hr@example.org", "password": PASSWORD})
    assert client.get("/organisatie/ggz-oost/").headers["Location"] == "/account/tweestaps"


def test_two_organisations_with_the_same_people_stay_apart(app: Flask, session: Session) -> None:
    first, second = make_org(session, "een", "Een"), make_org(session, "twee", "Twee")
    client = logged_in(app, session, first.admin)
    page = text(client.get("/organisatie/een/"))
    assert "Lid 0 Een" in page and "Lid 0 Twee" not in page
    assert client.get(f"/organisatie/{second.slug}/").status_code == 404


def test_a_large_organisation_is_shown_two_hundred_members_a_page(admin: FlaskClient, session: Session,
                                                                  org: Org) -> None:
    west = org.teams["Jeugdzorg Noord West"]
    for n in range(210):
        session.add(User(email=f"veel{n:03d}@example.org", name=f"Veel {n:03d}", password_hash="!"))
    session.flush()
    for user in session.scalars(select(User).where(User.email.like("veel%"))):
        session.add(Membership(user_id=user.id, organisation_id=org.organisation.id, team_id=west.id))
    session.commit()
    first = admin.get(f"/organisatie/{org.slug}/?team={west.id}")
    html = first.get_data(as_text=True)
    assert "211 leden" in text(first) and "Pagina 1 van 2" in text(first)
    assert html.count("<th scope=\"row\">") == 200
    assert f'href="/organisatie/{org.slug}/?pagina=2&amp;team={west.id}"' in html
    second = admin.get(f"/organisatie/{org.slug}/?team={west.id}&pagina=2")
    assert second.get_data(as_text=True).count("<th scope=\"row\">") == 11 and "Veel 209" in text(second)
    assert admin.get(f"/organisatie/{org.slug}/?pagina=999").status_code == 200  # the last page
