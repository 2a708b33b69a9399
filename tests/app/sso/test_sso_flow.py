"""Signing in through an organisation's OpenID Connect provider, end to end against a real provider (Authlib's
server side on a local port): discovery, the code flow with PKCE, the checks on the ID token, and every way
it can go wrong ending on the login page with a message."""

from __future__ import annotations

import base64
import hashlib

import pytest
import requests
from sqlalchemy import func, select

from course.db import EventKind, Membership, Role, SecurityEvent, SsoIdentity, User
from course.services import accounts, two_factor
from tests.app.org.conftest import PASSWORD
from tests.app.sso.conftest import CLIENT_ID, DOMAIN, SLUG, configure, page_after, sso_login


def logged_in_as(client) -> str | None:
    """The name on the progress page when the client is logged in; None when it is sent to the login page."""
    response = client.get("/voortgang")
    return None if response.status_code == 302 else response.get_data(as_text=True)


def users_named(session, email: str) -> list[User]:
    session.expire_all()
    return list(session.scalars(select(User).where(User.email == email)))


def events(session, kind: EventKind) -> list[SecurityEvent]:
    session.expire_all()
    return list(session.scalars(select(SecurityEvent).where(SecurityEvent.kind == kind).order_by(SecurityEvent.id)))


def test_first_sign_in_makes_the_account_and_membership_through_discovery_and_pkce(app, client, session, org,
                                                                                  provider):
    """Someone new signs in with their work account: they are logged in, with an account and a membership."""
    provider.sign_in_as("medewerker-17", f"Fatima.Yilmaz@{DOMAIN}", name="Fatima Yılmaz")

    response = sso_login(client, next_url="/hulpmiddelen/")

    assert response.status_code == 302 and response.headers["Location"] == "/hulpmiddelen/"
    page = logged_in_as(client)
    assert page is not None and "Fatima Yılmaz" in page
    [user] = users_named(session, f"fatima.yilmaz@{DOMAIN}")
    assert user.role == Role.LEARNER and user.email_confirmed_at is not None
    assert accounts.authenticate(session, user.email, "") is None  # no password: nothing to guess
    [membership] = session.scalars(select(Membership).where(Membership.user_id == user.id))
    assert membership.organisation_id == org.organisation.id and membership.role == Role.LEARNER
    [identity] = session.scalars(select(SsoIdentity).where(SsoIdentity.user_id == user.id))
    assert (identity.issuer, identity.subject) == (provider.issuer, "medewerker-17")
    # The provider was asked for the code flow with PKCE (S256), a state and a nonce; the token request
    # carried the verifier that matches the challenge, and the client's own credentials.
    [asked] = provider.requests
    assert asked["response_type"] == "code" and asked["client_id"] == CLIENT_ID
    assert asked["code_challenge_method"] == "S256" and len(asked["state"]) >= 32 and len(asked["nonce"]) >= 32
    assert "openid" in asked["scope"].split() and "email" in asked["scope"].split()
    [exchange] = provider.token_requests
    digest = hashlib.sha256(exchange["code_verifier"].encode()).digest()
    assert base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == asked["code_challenge"]
    assert "client_secret" not in exchange or exchange.get("client_id") == CLIENT_ID
    assert [e.detail.get("method") for e in events(session, EventKind.LOGIN) if e.user_id == user.id] == ["sso"]
    assert [e.user_id for e in events(session, EventKind.REGISTERED)] == [user.id]


def test_later_sign_ins_find_the_account_by_subject_even_after_the_address_changed(app, session, org, provider):
    """The provider's subject, not the email, says who someone is: a new address keeps the same account."""
    provider.sign_in_as("medewerker-18", f"jan@{DOMAIN}")
    sso_login(app.test_client())
    [user] = users_named(session, f"jan@{DOMAIN}")

    provider.sign_in_as("medewerker-18", f"jan.de.vries@{DOMAIN}")
    client = app.test_client()
    sso_login(client)

    assert logged_in_as(client) is not None
    assert users_named(session, f"jan.de.vries@{DOMAIN}") == []
    assert session.scalar(select(func.count()).select_from(SsoIdentity)) == 1
    assert session.get(SsoIdentity, session.scalar(select(SsoIdentity.id))).user_id == user.id


def test_an_existing_account_with_a_verified_address_is_linked(app, client, session, org, provider):
    """A member who had a password account signs in through the organisation: the same account, now linked."""
    member = org.members[0]
    provider.sign_in_as("lid-0", member.email.upper(), email_verified=True)

    page_after(client, sso_login(client))

    assert member.name in logged_in_as(client)
    assert len(users_named(session, member.email)) == 1
    identity = session.scalar(select(SsoIdentity).where(SsoIdentity.subject == "lid-0"))
    assert identity.user_id == member.id
    assert [e.user_id for e in events(session, EventKind.SSO_LINKED)] == [member.id]
    assert accounts.authenticate(session, member.email, PASSWORD) is not None  # SSO is optional here


@pytest.mark.parametrize("verified", [None, False])
def test_an_existing_account_is_not_linked_without_a_verified_address(app, client, session, org, provider, verified):
    """Without the provider vouching for the address, the account that has it stays out of reach."""
    member = org.members[0]
    provider.sign_in_as("indringer", member.email, email_verified=verified)

    page = page_after(client, sso_login(client))

    assert ("bevestigt niet dat het adres van jou is" if verified is None else
            "geen bevestigd e-mailadres") in page
    assert logged_in_as(client) is None
    assert session.scalar(select(func.count()).select_from(SsoIdentity)) == 0


def test_a_new_person_without_email_verified_claim_still_gets_an_account(app, client, session, org, provider):
    """A provider that leaves email_verified out (many do) can still sign in someone new of its own domain."""
    provider.sign_in_as("nieuw-1", f"nieuw@{DOMAIN}", email_verified=None)
    sso_login(client)
    assert logged_in_as(client) is not None
    assert len(users_named(session, f"nieuw@{DOMAIN}")) == 1


def test_linking_an_unconfirmed_account_drops_the_password_someone_else_may_have_chosen(app, client, session, org,
                                                                                       provider):
    """Whoever registered an address without confirming it cannot keep a password into the real owner's account."""
    squatter = accounts.create_user(session, email=f"nog-niet@{DOMAIN}", name="Iemand", password=PASSWORD,
                                    confirmed=False)
    provider.sign_in_as("echte-eigenaar", squatter.email)

    sso_login(client)

    session.expire_all()
    assert logged_in_as(client) is not None
    assert session.get(User, squatter.id).email_confirmed_at is not None
    assert accounts.authenticate(session, squatter.email, PASSWORD) is None


FAILURES = [
    ("sign_with_other_key", True, "niet echt ondertekend", "signature"),
    ("token_issuer", "http://127.0.0.1:1/nep", "gaf zich uit voor een andere dienst", "issuer"),
    ("discovery_issuer", "https://nep.example.org", "gaf zich uit voor een andere dienst", "issuer"),
    ("expired", True, "was verlopen", "expired"),
    ("nonce", "een-andere-nonce", "hoorde niet bij deze inlogpoging", "nonce"),
    ("audience", "een-andere-client", "antwoord dat we niet kunnen gebruiken", "audience"),
]


@pytest.mark.parametrize(("switch", "value", "message", "reason"), FAILURES, ids=[f[0] for f in FAILURES])
def test_a_provider_that_gets_the_id_token_wrong_logs_nobody_in(app, client, session, org, provider, switch, value,
                                                                message, reason):
    """Forged signature, wrong issuer, expired token, another nonce or audience: the login page says so."""
    provider.sign_in_as("medewerker-20", f"pieter@{DOMAIN}")
    provider.misbehave[switch] = value

    response = sso_login(client)

    assert response.status_code == 302 and response.headers["Location"] == "/inloggen"
    assert message in client.get("/inloggen").get_data(as_text=True)
    assert logged_in_as(client) is None
    assert users_named(session, f"pieter@{DOMAIN}") == []
    [failed] = events(session, EventKind.LOGIN_FAILED)
    assert failed.detail["reason"] == reason and failed.detail["organisation"] == SLUG


def test_the_same_provider_behaving_again_logs_in(app, client, session, org, provider):
    """The failure tests' provider is the real thing: set right again, the same person gets in."""
    provider.sign_in_as("medewerker-20", f"pieter@{DOMAIN}")
    provider.misbehave["sign_with_other_key"] = True
    sso_login(client)
    provider.misbehave.clear()
    sso_login(client)
    assert logged_in_as(client) is not None


def test_an_address_outside_the_organisations_domains_is_refused(app, client, session, org, provider):
    """The provider may vouch only for the organisation's own domains."""
    provider.sign_in_as("gast-1", "gast@gmail.com")

    page = page_after(client, sso_login(client))

    assert "Met een e-mailadres van dit domein kun je niet via deze organisatie inloggen" in page
    assert logged_in_as(client) is None and users_named(session, "gast@gmail.com") == []


def test_a_changed_state_or_a_replayed_answer_logs_nobody_in(app, client, session, org, provider):
    """The answer must carry the state this browser sent, and works once."""
    provider.sign_in_as("medewerker-21", f"anne@{DOMAIN}")
    start = client.get(f"/sso/{SLUG}/login")
    back = requests.get(start.headers["Location"], allow_redirects=False, timeout=10).headers["Location"]
    path = back.removeprefix("http://localhost")
    tampered = path.replace("state=", "state=x")

    page = page_after(client, client.get(tampered))
    assert "verlopen of al gebruikt" in page and logged_in_as(client) is None

    # The real answer after that: the attempt was used up by the tampered one.
    assert "verlopen of al gebruikt" in page_after(client, client.get(path))
    assert logged_in_as(client) is None

    # Another browser that never started a sign-in cannot use someone's answer either.
    start = client.get(f"/sso/{SLUG}/login")
    back = requests.get(start.headers["Location"], allow_redirects=False, timeout=10).headers["Location"]
    stranger = app.test_client()
    assert "verlopen of al gebruikt" in page_after(stranger, stranger.get(back.removeprefix("http://localhost")))
    assert users_named(session, f"anne@{DOMAIN}") == []
    # ... while this browser's own answer is good, once.
    client.get(back.removeprefix("http://localhost"))
    assert logged_in_as(client) is not None
    client.post("/uitloggen")
    assert "verlopen of al gebruikt" in page_after(client, client.get(back.removeprefix("http://localhost")))
    assert logged_in_as(client) is None


def test_an_unreachable_provider_is_said_plainly(app, client, session, org, provider):
    """A provider that does not answer: a message, not an error page."""
    configure(app, session, SLUG, "http://127.0.0.1:9", [DOMAIN])

    response = sso_login(client)

    assert "nu niet bereikbaar" in page_after(client, response)


def test_an_organisation_without_single_sign_on_says_so(app, client, session, org):
    """An unknown organisation and one without settings look the same: not set up."""
    for slug in ("bestaat-niet", "ggz-zuid"):
        assert "niet (volledig) ingesteld" in page_after(client, client.get(f"/sso/{slug}/login"))


def test_a_disabled_account_cannot_sign_in_through_the_organisation(app, client, session, org, provider):
    """Disabling an account shuts the organisation's door too."""
    member = org.members[1]
    provider.sign_in_as("lid-1", member.email)
    sso_login(app.test_client())
    member.disabled_at = member.created_at
    session.commit()

    page = page_after(client, sso_login(client))

    assert "Dit account is uitgezet" in page and logged_in_as(client) is None


def test_the_provider_cancelling_ends_on_the_login_page(app, client, session, org, provider):
    """Someone who says no at their provider comes back to the login page with a message."""
    provider.person = {}  # the provider's consent step: nobody granted
    page = page_after(client, sso_login(client))
    assert "niet toegestaan of het is afgebroken" in page


def test_an_account_with_two_step_verification_still_gives_its_code(app, client, session, org, provider):
    """The provider stands in for the password, not for the second step (an admin's account, say)."""
    provider.sign_in_as("beheerder", org.admin.email)

    response = sso_login(client)

    assert response.headers["Location"] == "/inloggen/code"
    assert logged_in_as(client) is None
    code = two_factor.new_recovery_codes(session, org.admin.id)[0]
    assert client.post("/inloggen/code", data={"code": code}).status_code == 302
    assert logged_in_as(client) is not None
    [login] = [e for e in events(session, EventKind.LOGIN) if e.user_id == org.admin.id]
    assert login.detail == {"second_step": "recovery", "method": "sso"}


def test_find_the_organisation_by_the_email_domain(app, client, session, org, provider):
    """The login page's button asks for a work address and points to that organisation's sign-in."""
    login_page = client.get("/inloggen").get_data(as_text=True)
    assert "Inloggen via je organisatie" in login_page and "/inloggen/organisatie" in login_page

    found = client.post("/inloggen/organisatie", data={"email": f"iemand@{DOMAIN.upper()}"})
    assert found.status_code == 200
    assert f'href="/sso/{SLUG}/login' in found.get_data(as_text=True)

    unknown = client.post("/inloggen/organisatie", data={"email": "iemand@elders.example.org"})
    assert unknown.status_code == 422
    assert "geen inloggen via een organisatie ingesteld" in unknown.get_data(as_text=True)


@pytest.mark.parametrize(("status", "message"), [(504, "nu niet bereikbaar"), (200, "antwoord dat we niet kunnen")])
def test_a_provider_whose_discovery_document_is_down_or_nonsense_is_said_plainly(app, client, org, provider, status,
                                                                               message):
    """A gateway error or an HTML page where the discovery document should be: a message, never a 500."""
    provider.misbehave["discovery_status"] = status
    assert message in page_after(client, sso_login(client))


def test_a_site_administrator_never_signs_in_through_an_organisation(app, client, session, org, provider):
    """The platform's operators are not vouched for by an organisation's provider, whatever it says."""
    operator = org.members[2]
    operator.role = Role.SITE_ADMIN
    session.commit()
    provider.sign_in_as("operator", operator.email)

    page = page_after(client, sso_login(client))

    assert "Beheerders van Leerlijn loggen in met hun wachtwoord" in page and logged_in_as(client) is None
    assert session.scalar(select(func.count()).select_from(SsoIdentity)) == 0


def test_an_answer_after_the_attempt_expired_logs_nobody_in(app, client, session, org, provider):
    """A sign-in left at the provider for longer than ten minutes must be started again."""
    provider.sign_in_as("medewerker-30", f"tom@{DOMAIN}")
    start = client.get(f"/sso/{SLUG}/login")
    with client.session_transaction() as cookie:
        cookie["leerlijn.sso"] = {**cookie["leerlijn.sso"], "at": cookie["leerlijn.sso"]["at"] - 601}
    back = requests.get(start.headers["Location"], allow_redirects=False, timeout=10).headers["Location"]

    assert "verlopen of al gebruikt" in page_after(client, client.get(back.removeprefix("http://localhost")))
    assert logged_in_as(client) is None and users_named(session, f"tom@{DOMAIN}") == []


def test_a_deactivated_member_signing_in_stays_deactivated(app, client, session, org, provider):
    """Signing in through the organisation logs the person in, but does not undo the admin's deactivation."""
    member = org.members[0]
    membership = session.scalar(select(Membership).where(Membership.user_id == member.id))
    membership.deactivated_at = membership.created_at
    session.commit()
    provider.sign_in_as("lid-0", member.email)

    sso_login(client)

    session.expire_all()
    assert logged_in_as(client) is not None
    assert session.get(Membership, membership.id).deactivated_at is not None
    assert session.scalar(select(func.count()).select_from(Membership).where(Membership.user_id == member.id)) == 1


def test_a_provider_on_a_private_network_is_refused_unless_the_platform_allows_it(app, client, session, org,
                                                                                   provider):
    """The test provider runs on 127.0.0.1: with private hosts not allowed (the default), nobody signs in
    through it and the security log says why; the operator's setting lets an on-premises provider in."""
    provider.sign_in_as("medewerker-30", f"ria@{DOMAIN}")
    app.config["SSO_ALLOW_PRIVATE_HOSTS"] = False
    app.extensions.pop("leerlijn.oidc_cache", None)

    assert "wijst naar een intern netwerk" in page_after(client, sso_login(client))
    assert logged_in_as(client) is None and provider.fetches["discovery"] == 0
    [failed] = events(session, EventKind.LOGIN_FAILED)
    assert failed.detail["reason"] == "private"
    app.config["SSO_ALLOW_PRIVATE_HOSTS"] = True
    sso_login(client)
    assert logged_in_as(client) is not None
