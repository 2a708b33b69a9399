"""An organisation's single sign-on: its admin's page, the command line, mandatory SSO (no password login or
reset for its members), and isolation between organisations."""

from __future__ import annotations

import os
import re

from cryptography.fernet import Fernet
from sqlalchemy import select

from app.auth.tokens import make_token
from course.db import EventKind, Membership, Role, SecurityEvent, SsoConfig, SsoIdentity
from course.services import accounts, sso
from tests.app.org.conftest import PASSWORD, logged_in, make_org, make_user
from tests.app.sso.conftest import (
    CLIENT_ID,
    DOMAIN,
    OTHER_DOMAIN,
    OTHER_SLUG,
    SLUG,
    configure,
    page_after,
    sso_login,
)
from tests.conftest import link_in, outbox, without_csrf_tokens

MANDATORY = "laat je alleen inloggen met het account van je organisatie"


def config_of(session, organisation_id: int) -> SsoConfig | None:
    session.expire_all()
    return session.scalar(select(SsoConfig).where(SsoConfig.organisation_id == organisation_id))


def make_mandatory(app, session, provider) -> None:
    configure(app, session, SLUG, provider.issuer, [DOMAIN], mandatory=True)


# --- mandatory single sign-on ------------------------------------------------------------------------------

def test_mandatory_sso_refuses_the_right_password_and_points_to_the_organisation(app, client, session, org, provider):
    """A member of an organisation with mandatory SSO gets a message, not a login, for a right password."""
    make_mandatory(app, session, provider)
    member = org.members[0]

    right = client.post("/inloggen", data={"email": member.email, "password": PASSWORD})
    assert right.status_code == 200
    page = right.get_data(as_text=True)
    assert MANDATORY in page and "Inloggen via je organisatie" in page
    assert client.get("/voortgang").status_code == 302
    # A wrong password says what it always says: the message is no way to learn who is a member.
    wrong = client.post("/inloggen", data={"email": member.email, "password": "niet-het-wachtwoord"})
    assert MANDATORY not in wrong.get_data(as_text=True)

    provider.sign_in_as("lid-0", member.email)
    sso_login(client)
    assert client.get("/voortgang").status_code == 200


def test_mandatory_sso_counts_for_any_active_membership(app, session, org, provider):
    """Someone in two organisations is bound by the one that makes SSO mandatory; a deactivated membership and a
    site administrator's account are not."""
    make_mandatory(app, session, provider)
    other = make_org(session, OTHER_SLUG, "GGZ Zuid")
    both = org.members[0]  # also works for GGZ Zuid, which leaves SSO to its members
    session.add(Membership(user_id=both.id, organisation_id=other.organisation.id))
    session.commit()
    assert sso.mandatory_organisation(session, both).slug == SLUG
    assert sso.mandatory_organisation(session, other.members[1]) is None

    left = org.members[1]
    membership = session.scalar(select(Membership).where(Membership.user_id == left.id))
    membership.deactivated_at = membership.created_at
    session.commit()
    assert sso.mandatory_organisation(session, left) is None

    operator = org.members[2]
    operator.role = Role.SITE_ADMIN
    session.commit()
    assert sso.mandatory_organisation(session, operator) is None

    # The account page asks the same question in one query with its other one: the same answers.
    for user in (both, other.members[1], left, operator):
        expected = sso.mandatory_organisation(session, user)
        assert sso.account_sign_in(session, user).mandatory == expected
    client = app.test_client()
    response = client.post("/inloggen", data={"email": both.email, "password": PASSWORD})
    assert MANDATORY in response.get_data(as_text=True)
    assert app.test_client().post("/inloggen", data={"email": left.email, "password": PASSWORD}).status_code == 302


def test_mandatory_sso_refuses_a_password_reset_with_a_message(app, client, session, org, provider):
    """Asking for a new password mails how to sign in instead; a reset link from before no longer works."""
    member = org.members[0]
    with app.test_request_context():
        old_link = "/wachtwoord-herstellen/" + make_token("reset-password", member.id,
                                                          accounts.account_fingerprint(member))
    make_mandatory(app, session, provider)

    asked = client.post("/wachtwoord-vergeten", data={"email": member.email})
    assert asked.status_code == 200 and "Kijk in je mailbox" in asked.get_data(as_text=True)
    [mail] = outbox(app, member.email)
    body = mail.get_body(("plain",)).get_content()
    assert "/wachtwoord-herstellen/" not in body
    assert link_in(mail, f"/sso/{SLUG}/login") == f"/sso/{SLUG}/login"

    for response in (client.get(old_link), client.post(old_link, data={"password": "een-nieuw-wachtwoord-1",
                                                                       "password_repeat": "een-nieuw-wachtwoord-1"})):
        assert response.status_code == 403 and MANDATORY in response.get_data(as_text=True)
        assert f'href="/sso/{SLUG}/login"' in response.get_data(as_text=True)
    assert accounts.authenticate(session, member.email, PASSWORD) is not None  # unchanged


def test_mandatory_sso_refuses_choosing_a_password_through_an_invitation(app, client, session, org, provider):
    """An invitation to an organisation with mandatory SSO does not become a way in with a password."""
    make_mandatory(app, session, provider)
    invited = make_user(session, f"nieuw@{DOMAIN}")
    invited.password_hash = accounts.unusable_password()
    session.add(Membership(user_id=invited.id, organisation_id=org.organisation.id))
    session.commit()
    with app.test_request_context():
        link = "/organisatie/uitnodiging/" + make_token("org-invite", invited.id, accounts.account_fingerprint(invited))

    new = "een-nieuw-wachtwoord-1"
    response = client.post(link, data={"password": new, "password_repeat": new})

    assert response.status_code == 403 and MANDATORY in response.get_data(as_text=True)
    assert client.get("/voortgang").status_code == 302


# --- the organisation admin's page -------------------------------------------------------------------------

def test_the_admin_sets_issuer_client_and_an_encrypted_secret(app, session, provider):
    """The admin's page shows what to register at the provider; a secret is stored encrypted, never logged."""
    other = make_org(session, OTHER_SLUG, "GGZ Zuid")
    admin = logged_in(app, session, other.admin)

    page = admin.get(f"/organisatie/{OTHER_SLUG}/inloggen-via-organisatie").get_data(as_text=True)
    assert f"http://localhost/sso/{OTHER_SLUG}/callback" in page
    assert "LEERLIJN_SSO_SECRET_GGZ_ZUID" in page

    response = admin.post(f"/organisatie/{OTHER_SLUG}/inloggen-via-organisatie",
                          data={"issuer": "https://login.ggz-zuid.example.org", "client_id": "leerlijn",
                                "client_secret": "s3cr3t-van-ggz"})
    assert response.status_code == 302, response.get_data(as_text=True)
    config = config_of(session, other.organisation.id)
    assert (config.issuer, config.client_id, config.domains, config.mandatory) == (
        "https://login.ggz-zuid.example.org", "leerlijn", [], False)
    assert "s3cr3t" not in config.client_secret_encrypted
    assert Fernet(app.config["SSO_KEY"].encode()).decrypt(config.client_secret_encrypted.encode()) == b"s3cr3t-van-ggz"
    assert sso.client_secret(config, OTHER_SLUG, environ={}, key=app.config["SSO_KEY"]) == "s3cr3t-van-ggz"
    # The environment wins over the stored secret.
    assert sso.client_secret(config, OTHER_SLUG, environ={"LEERLIJN_SSO_SECRET_GGZ_ZUID": "uit-env"},
                             key=app.config["SSO_KEY"]) == "uit-env"
    [event] = session.scalars(select(SecurityEvent).where(SecurityEvent.kind == EventKind.ADMIN_ACTION))
    assert event.actor_id == other.admin.id and event.detail["action"] == "sso.configure"
    assert event.detail["organisation"] == OTHER_SLUG and "new_secret" in event.detail["changed"]
    assert "s3cr3t" not in str(event.detail)

    # Not usable yet: no domains, which only the operator sets. The page says so.
    page = admin.get(f"/organisatie/{OTHER_SLUG}/inloggen-via-organisatie").get_data(as_text=True)
    assert "nog geen: vraag de beheerder van Leerlijn" in page and "versleuteld bewaard" in page


def test_the_admin_page_refuses_bad_settings_and_changes_nothing(app, session, org, provider):
    """An http issuer (outside development), an empty client id: the form says what is wrong, nothing is saved."""
    admin = logged_in(app, session, org.admin)
    app.config["SSO_ALLOW_HTTP"] = False
    before = config_of(session, org.organisation.id).issuer

    response = admin.post(f"/organisatie/{SLUG}/inloggen-via-organisatie",
                          data={"issuer": "http://login.example.org", "client_id": "x"})
    assert response.status_code == 422 and "volledig https-adres" in response.get_data(as_text=True)
    response = admin.post(f"/organisatie/{SLUG}/inloggen-via-organisatie",
                          data={"issuer": "https://login.example.org", "client_id": ""})
    assert response.status_code == 422
    assert config_of(session, org.organisation.id).issuer == before


def test_the_admin_makes_sso_mandatory_only_after_signing_in_through_it(app, session, org, provider):
    """So that an admin cannot lock every member out with settings that do not work."""
    admin = logged_in(app, session, org.admin)
    data = {"issuer": provider.issuer, "client_id": CLIENT_ID, "mandatory": "y"}

    refused = admin.post(f"/organisatie/{SLUG}/inloggen-via-organisatie", data=data)
    assert refused.status_code == 422 and "Log eerst zelf een keer in via je organisatie" in refused.get_data(
        as_text=True)
    assert config_of(session, org.organisation.id).mandatory is False

    session.add(SsoIdentity(user_id=org.admin.id, issuer=provider.issuer, subject="beheerder"))
    session.commit()
    assert admin.post(f"/organisatie/{SLUG}/inloggen-via-organisatie", data=data).status_code == 302
    assert config_of(session, org.organisation.id).mandatory is True


def test_another_organisations_admin_cannot_see_or_change_its_settings(app, session, org, provider):
    """Organisation A's admin gets B's single sign-on page like a missing organisation's, and changes nothing."""
    other = make_org(session, OTHER_SLUG, "GGZ Zuid")
    outsider = logged_in(app, session, other.admin)
    before = (config_of(session, org.organisation.id).issuer, config_of(session, org.organisation.id).client_id)

    foreign = outsider.get(f"/organisatie/{SLUG}/inloggen-via-organisatie")
    missing = outsider.get("/organisatie/bestaat-niet/inloggen-via-organisatie")
    assert foreign.status_code == missing.status_code == 404
    assert without_csrf_tokens(foreign.get_data(as_text=True).replace(SLUG, "")) == without_csrf_tokens(
        missing.get_data(as_text=True).replace("bestaat-niet", ""))
    assert provider.issuer not in foreign.get_data(as_text=True)
    posted = outsider.post(f"/organisatie/{SLUG}/inloggen-via-organisatie",
                           data={"issuer": "https://kwaadwillend.example.org", "client_id": "x", "mandatory": "y"})
    assert posted.status_code == 404
    after = config_of(session, org.organisation.id)
    assert (after.issuer, after.client_id, after.mandatory) == (*before, False)
    # A team lead of the organisation itself is not its admin either.
    lead = logged_in(app, session, org.lead)
    assert lead.get(f"/organisatie/{SLUG}/inloggen-via-organisatie").status_code == 404


# --- the command line --------------------------------------------------------------------------------------

def test_the_operator_sets_up_sso_on_the_command_line(app, session, provider):
    """``flask org sso SLUG --issuer … --client-id … --domains a.nl,b.nl --mandatory`` sets it all up."""
    other = make_org(session, OTHER_SLUG, "GGZ Zuid")
    runner = app.test_cli_runner()

    result = runner.invoke(args=["org", "sso", OTHER_SLUG, "--issuer", "http://127.0.0.1:8080/realms/ggz",
                                 "--client-id", "leerlijn", "--domains", f"{OTHER_DOMAIN}, GGZ-zuid.nl",
                                 "--secret-stdin", "--mandatory"], input="geheim-op-stdin\n")

    assert result.exit_code == 0, result.output
    assert f"Redirect URI:  http://localhost/sso/{OTHER_SLUG}/callback" in result.output
    assert "Mandatory:     yes" in result.output and "Secret:        stored encrypted" in result.output
    config = config_of(session, other.organisation.id)
    assert config.domains == [OTHER_DOMAIN, "ggz-zuid.nl"] and config.mandatory
    assert "geheim-op-stdin" not in config.client_secret_encrypted
    event = session.scalar(select(SecurityEvent).where(SecurityEvent.kind == EventKind.ADMIN_ACTION))
    assert event.actor_id is None and event.detail["domains"] == f"{OTHER_DOMAIN},ggz-zuid.nl"

    shown = runner.invoke(args=["org", "sso", OTHER_SLUG])
    assert shown.exit_code == 0 and "Issuer:        http://127.0.0.1:8080/realms/ggz" in shown.output


def test_the_command_line_refuses_a_domain_of_another_organisation_and_bad_domains(app, session, org, provider):
    """A domain belongs to one organisation's provider; a typo is said plainly (exit 1) and changes nothing."""
    other = make_org(session, OTHER_SLUG, "GGZ Zuid")
    runner = app.test_cli_runner()
    base = ["org", "sso", OTHER_SLUG, "--issuer", "http://127.0.0.1:8080", "--client-id", "leerlijn"]

    taken = runner.invoke(args=[*base, "--domains", DOMAIN])
    assert taken.exit_code == 1 and "hoort al bij een andere organisatie" in taken.output
    bad = runner.invoke(args=[*base, "--domains", "geen domein!"])
    assert bad.exit_code == 1 and "geen lijst van domeinnamen" in bad.output
    assert config_of(session, other.organisation.id) is None
    unknown = runner.invoke(args=["org", "sso", "bestaat-niet", "--issuer", "https://x.example.org"])
    assert unknown.exit_code == 1

    removed = runner.invoke(args=["org", "sso", SLUG, "--remove"])
    assert removed.exit_code == 0 and config_of(session, org.organisation.id) is None
    client = app.test_client()
    assert "niet (volledig) ingesteld" in page_after(client, client.get(f"/sso/{SLUG}/login"))


def test_the_secret_comes_from_the_environment_variable_named_after_the_slug(app, session, org, provider,
                                                                              monkeypatch):
    """Without LEERLIJN_SSO_SECRET_<SLUG> (and nothing stored), single sign-on is not usable."""
    assert sso.secret_variable("jeugdzorg-noord") == "LEERLIJN_SSO_SECRET_JEUGDZORG_NOORD"
    monkeypatch.delenv(sso.secret_variable(SLUG))
    client = app.test_client()
    assert "niet (volledig) ingesteld" in page_after(client, client.get(f"/sso/{SLUG}/login"))
    monkeypatch.setenv(sso.secret_variable(SLUG), "een-verkeerd-geheim")
    provider.sign_in_as("lid-0", org.members[0].email)
    # The provider refuses the code for a wrong secret: a message, nobody logged in.
    assert "antwoord dat we niet kunnen gebruiken" in page_after(client, sso_login(client))
    assert client.get("/voortgang").status_code == 302
    assert re.fullmatch(r"LEERLIJN_SSO_SECRET_[A-Z0-9_]+", sso.secret_variable(SLUG))
    assert os.environ[sso.secret_variable(SLUG)] == "een-verkeerd-geheim"


def test_an_invitation_to_an_organisation_with_mandatory_sso_leads_to_its_sign_in(app, session, org, provider):
    """No password to choose: the invitation mail links to signing in through the organisation."""
    admin = logged_in(app, session, org.admin)  # before: from now on the admin signs in through the provider too
    make_mandatory(app, session, provider)

    response = admin.post(f"/organisatie/{SLUG}/uitnodigen", data={"email": f"nieuwkomer@{DOMAIN}", "name": "Nieuw",
                                                                   "role": "learner", "team": ""})

    assert response.status_code == 302, response.get_data(as_text=True)
    [mail] = outbox(app, f"nieuwkomer@{DOMAIN}")
    assert "/organisatie/uitnodiging/" not in mail.get_body(("plain",)).get_content()
    assert link_in(mail, f"/sso/{SLUG}/login") == f"/sso/{SLUG}/login"


def test_mandatory_sso_binds_only_addresses_of_the_organisations_domains(app, session, org, provider):
    """A member with an address the provider cannot sign in (a freelancer's own) keeps their password."""
    make_mandatory(app, session, provider)
    outsider = make_user(session, "zzp-er@eigen-bedrijf.example.com")
    session.add(Membership(user_id=outsider.id, organisation_id=org.organisation.id))
    session.commit()

    assert sso.mandatory_organisation(session, outsider) is None
    assert sso.mandatory_organisation(session, org.members[0]).slug == SLUG
    response = app.test_client().post("/inloggen", data={"email": outsider.email, "password": PASSWORD})
    assert response.status_code == 302
