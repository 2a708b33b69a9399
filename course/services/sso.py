"""Single sign-on through an organisation's identity provider: its settings, and who a signed-in person is.

Trust: the platform's operator decides which email domains an organisation's provider speaks for (the
command line), because a provider that vouches for an address can take over the account with it. The
organisation's admin sets the rest (issuer, client id and secret, whether SSO is mandatory). Accounts are
found by the provider's (issuer, subject); by email only the first time, and an existing account is linked
only when the provider says the address is verified. Every change of the settings is in the audit log.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from course.db import EventKind, Membership, Organisation, Role, SsoConfig, SsoIdentity, User, utcnow
from course.errors import N_, DomainError
from course.oidc import SsoError, check_url
from course.services import accounts
from course.services import orgs as org_service
from course.services.audit import record_event

DOMAIN = re.compile(r"(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
SECRET_PREFIX = "LEERLIJN_SSO_SECRET_"  # noqa: S105 - the name of an environment variable, not a secret


def not_configured() -> SsoError:
    return SsoError("not_configured", N_("Inloggen via deze organisatie is niet (volledig) ingesteld. Log in met je "
                                         "wachtwoord, of vraag de beheerder van je organisatie om hulp."))


def secret_variable(slug: str) -> str:
    """The environment variable that holds the client secret of organisation ``slug``."""
    return SECRET_PREFIX + slug.upper().replace("-", "_")


def encrypt_secret(secret: str, key: str) -> str:
    """``secret`` encrypted (Fernet: AES with an HMAC) with ``key``, for storing."""
    return Fernet(key.encode()).encrypt(secret.encode()).decode()


def check_key(key: str | None) -> str:
    """``key`` when it is a usable Fernet key; raises DomainError (field 'client_secret') otherwise."""
    try:
        if key:
            Fernet(key.encode())
            return key
    except ValueError:
        pass
    raise DomainError(N_("Een geheim kan hier pas worden bewaard als LEERLIJN_SSO_KEY op de server is ingesteld. "
                         "Of zet het geheim in de omgevingsvariabele die hieronder staat."), field="client_secret")


@dataclass(frozen=True)
class Settings:
    """An organisation's single sign-on, as its admin page and the login flow see it."""

    organisation: Organisation
    config: SsoConfig
    secret_source: str | None  # 'environment', 'stored' or None (no secret: SSO cannot work yet)

    @property
    def usable(self) -> bool:
        return self.secret_source is not None and bool(self.config.domains)


def client_secret(config: SsoConfig, slug: str, *, environ: Mapping[str, str], key: str | None) -> str | None:
    """The client secret: from the environment when set there, else the stored one decrypted; None when
    neither is there (or the stored one cannot be decrypted with ``key``: the key was changed)."""
    from_env = environ.get(secret_variable(slug), "").strip()
    if from_env:
        return from_env
    if config.client_secret_encrypted and key:
        try:
            return Fernet(key.encode()).decrypt(config.client_secret_encrypted.encode()).decode()
        except (InvalidToken, ValueError):
            return None
    return None


def _settings(organisation: Organisation, config: SsoConfig, environ: Mapping[str, str],
              key: str | None) -> Settings:
    source = None
    if environ.get(secret_variable(organisation.slug), "").strip():
        source = "environment"
    elif client_secret(config, organisation.slug, environ=environ, key=key):
        source = "stored"
    return Settings(organisation, config, source)


def settings_for_slug(session: Session, slug: str, *, environ: Mapping[str, str], key: str | None) -> Settings:
    """The single sign-on of organisation ``slug`` for the login flow. Raises SsoError 'not_configured' for an
    unknown organisation and one without (usable) settings: the two look the same."""
    row = session.execute(select(Organisation, SsoConfig).join(SsoConfig, SsoConfig.organisation_id == Organisation.id)
                          .where(Organisation.slug == slug)).one_or_none()
    if row is None:
        raise not_configured()
    settings = _settings(row.Organisation, row.SsoConfig, environ, key)
    if not settings.usable:
        raise not_configured()
    return settings


def admin_settings(session: Session, actor_id: int | None, slug: str, *, environ: Mapping[str, str],
                   key: str | None) -> tuple[org_service.OrgAccess, Settings | None]:
    """The organisation's single sign-on for its admin (``actor_id`` None: the command line); None when not set
    up. Raises NotFound for an organisation the actor does not administer, exactly as for a missing one."""
    access = org_service.acting_access(session, actor_id, slug)
    config = session.scalar(select(SsoConfig).where(SsoConfig.organisation_id == access.organisation.id))
    return access, (_settings(access.organisation, config, environ, key) if config else None)


def organisation_for_email(session: Session, email: str) -> Organisation | None:
    """The organisation whose provider signs in addresses of this email's domain, or None."""
    domain = accounts.normalise_email(email).rpartition("@")[2]
    if not domain:
        return None
    for organisation, domains in session.execute(
            select(Organisation, SsoConfig.domains).join(SsoConfig, SsoConfig.organisation_id == Organisation.id)):
        if domain in (domains or []):
            return organisation
    return None


def parse_domains(text: str) -> list[str]:
    """The domains in ``text`` (separated by commas or spaces), lower-cased, without duplicates.

    Raises DomainError (field 'domains') for anything that is not a domain name.
    """
    domains: list[str] = []
    for item in re.split(r"[\s,;]+", text.strip().lower()):
        item = item.lstrip("@")
        if not item:
            continue
        if not DOMAIN.fullmatch(item):
            raise DomainError(N_("Dit is geen lijst van domeinnamen (zoals voorbeeld.nl)."), field="domains")
        if item not in domains:
            domains.append(item)
    return domains


def configure(session: Session, actor_id: int | None, slug: str, *, environ: Mapping[str, str], key: str | None,
              allow_http: bool = False, issuer: str | None = None, client_id: str | None = None,
              client_secret: str | None = None, domains: list[str] | None = None,
              mandatory: bool | None = None, ip: str | None = None) -> Settings:
    """Set (parts of) the organisation's single sign-on as its admin, or with ``actor_id`` None the operator
    (command line); commits, with an ADMIN_ACTION naming what changed (never the secret). Arguments left None
    stay as they are; a new configuration needs an issuer and a client id.

    Only the operator sets ``domains``. A stored ``client_secret`` is encrypted with ``key``. Making SSO
    mandatory needs a usable configuration and, for an admin, a sign-in of their own through it first (so they
    cannot lock everyone out with settings that do not work). Raises NotFound (not the actor's organisation)
    or DomainError with the field at fault.
    """
    access = org_service.acting_access(session, actor_id, slug)
    organisation = access.organisation
    config = session.scalar(select(SsoConfig).where(SsoConfig.organisation_id == organisation.id))
    # Check everything before changing anything: a refusal leaves no half-written settings.
    if domains is not None and actor_id is not None:
        raise DomainError(N_("Alleen de beheerder van Leerlijn legt de domeinen vast."), field="domains")
    if config is None and (not issuer or not client_id):
        raise DomainError(N_("Vul het adres van de inlogdienst en de client-id in."),
                          field="issuer" if not issuer else "client_id")
    if issuer is not None:
        try:
            issuer = check_url(issuer, allow_http=allow_http)
        except SsoError as exc:
            raise DomainError(exc.message, field="issuer") from exc
        if len(issuer) > 255:
            raise DomainError(N_("Dit adres is te lang."), field="issuer")
    if client_id is not None:
        client_id = client_id.strip()
        if not client_id or len(client_id) > 255 or not client_id.isprintable():
            raise DomainError(N_("Vul de client-id in die de inlogdienst gaf."), field="client_id")
    encrypted = encrypt_secret(client_secret.strip(), check_key(key)) if client_secret else None
    if domains is not None:
        _check_domains_free(session, organisation.id, domains)
    changed: dict[str, Any] = {}
    if config is None:
        config = SsoConfig(organisation_id=organisation.id, issuer="", client_id="", domains=[], mandatory=False)
        session.add(config)
        changed["created"] = True
    if issuer is not None and issuer != config.issuer:
        config.issuer, changed["issuer"] = issuer, issuer
    if client_id is not None and client_id != config.client_id:
        config.client_id, changed["client_id"] = client_id, client_id
    if encrypted:
        config.client_secret_encrypted, changed["new_secret"] = encrypted, True
    if domains is not None and domains != config.domains:
        config.domains, changed["domains"] = list(domains), ",".join(domains)
    if mandatory is not None and mandatory != config.mandatory:
        if mandatory:
            try:
                _check_can_be_mandatory(session, actor_id, organisation, config, environ, key)
            except DomainError:
                session.rollback()
                raise
        config.mandatory, changed["mandatory"] = mandatory, mandatory
    if changed:
        config.updated_at = utcnow()
        record_event(session, EventKind.ADMIN_ACTION, actor_id=actor_id, ip=ip, commit=False, action="sso.configure",
                     organisation=organisation.slug, changed=sorted(changed),
                     **{k: v for k, v in changed.items() if k in ("issuer", "client_id", "domains", "mandatory")})
    session.commit()
    return _settings(organisation, config, environ, key)


def _check_domains_free(session: Session, organisation_id: int, domains: list[str]) -> None:
    for taken in session.scalars(select(SsoConfig.domains).where(SsoConfig.organisation_id != organisation_id)):
        if set(domains) & set(taken or []):
            raise DomainError(N_("Een van deze domeinen hoort al bij een andere organisatie."), field="domains")


def _check_can_be_mandatory(session: Session, actor_id: int | None, organisation: Organisation, config: SsoConfig,
                            environ: Mapping[str, str], key: str | None) -> None:
    if not _settings(organisation, config, environ, key).usable:
        raise DomainError(N_("Verplicht maken kan pas als inloggen via de organisatie helemaal is ingesteld "
                             "(ook het geheim en de domeinen)."), field="mandatory")
    if actor_id is not None and session.scalar(
            select(SsoIdentity.id).where(SsoIdentity.user_id == actor_id, SsoIdentity.issuer == config.issuer)) is None:
        raise DomainError(N_("Log eerst zelf een keer in via je organisatie, zodat vaststaat dat het werkt. Daarna "
                             "kun je het verplicht maken."), field="mandatory")


def remove(session: Session, actor_id: int | None, slug: str, *, ip: str | None = None) -> bool:
    """Remove the organisation's single sign-on (its people's links stay, for when it comes back); commits.

    Returns whether there was any. Raises NotFound as :func:`admin_settings`.
    """
    access = org_service.acting_access(session, actor_id, slug)
    config = session.scalar(select(SsoConfig).where(SsoConfig.organisation_id == access.organisation.id))
    if config is None:
        return False
    session.delete(config)
    record_event(session, EventKind.ADMIN_ACTION, actor_id=actor_id, ip=ip, commit=False, action="sso.remove",
                 organisation=access.organisation.slug)
    session.commit()
    return True


# --- signing in -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SignIn:
    user: User
    new_account: bool  # made just now (just-in-time)
    linked: bool  # an existing account, linked to the provider just now
    new_membership: bool


def _verified(claims: Mapping[str, Any]) -> bool | None:
    value = claims.get("email_verified")
    if isinstance(value, str):  # some providers send the JSON boolean as a string
        value = {"true": True, "false": False}.get(value.lower())
    return value if isinstance(value, bool) else None


def sign_in(session: Session, settings: Settings, claims: Mapping[str, Any]) -> SignIn:
    """The account the checked ID-token ``claims`` stand for, made or linked when needed, with a membership of
    the organisation; commits.

    Found by (issuer, subject); the first time by email: an existing account only when the provider says the
    address is verified (an unconfirmed account then loses its password: whoever registered it never proved
    the address), otherwise a new account without a password. A new membership is a learner's; a deactivated
    one stays deactivated. Raises SsoError: 'email' (no usable address, or the provider says it is not
    verified), 'domain' (not a domain of the organisation), 'unverified' (an account exists but the provider
    does not vouch for the address), 'disabled' or 'site_admin' (site administrators never sign in this way).
    """
    config, organisation = settings.config, settings.organisation
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email or len(email) > 254 or _verified(claims) is False:
        raise SsoError("email", N_("Je inlogdienst gaf geen bevestigd e-mailadres door. Vraag de beheerder van je "
                                   "organisatie om hulp."))
    email = accounts.normalise_email(email)
    if email.rpartition("@")[2] not in (config.domains or []):
        raise SsoError("domain", N_("Met een e-mailadres van dit domein kun je niet via deze organisatie inloggen. "
                                    "Log in met je wachtwoord, of vraag de beheerder van je organisatie om hulp."))
    subject = str(claims["sub"])[:255]
    identity = session.scalar(select(SsoIdentity).where(SsoIdentity.issuer == config.issuer,
                                                        SsoIdentity.subject == subject))
    new_account = linked = False
    if identity is not None:
        user = session.get(User, identity.user_id)
        assert user is not None  # noqa: S101 - the foreign key guarantees it
    else:
        user = accounts.find_user(session, email)
        if user is not None and _verified(claims) is not True:
            raise SsoError("unverified", N_("Er is al een account met dit e-mailadres, maar je inlogdienst bevestigt "
                                            "niet dat het adres van jou is. Log in met je wachtwoord, of vraag de "
                                            "beheerder van je organisatie om hulp."))
    if user is not None and not user.is_active:
        raise SsoError("disabled", N_("Dit account is uitgezet. Neem contact op met de beheerder van Leerlijn."))
    if user is not None and user.is_site_admin:
        # The platform's operators never depend on (nor can be vouched for by) one organisation's provider.
        raise SsoError("site_admin", N_("Beheerders van Leerlijn loggen in met hun wachtwoord en tweestapsverificatie, "
                                        "niet via een organisatie."))
    now = utcnow()
    if user is None:
        name = claims.get("name") if isinstance(claims.get("name"), str) and claims["name"].strip() else \
            email.partition("@")[0]
        user = User(email=email, name=name.strip()[:120], role=Role.LEARNER, password_hash=accounts.unusable_password(),
                    email_confirmed_at=now)
        session.add(user)
        session.flush()
        new_account = True
    if identity is None:
        if not new_account:
            linked = True
            if user.email_confirmed_at is None:
                user.password_hash = accounts.unusable_password()
                user.email_confirmed_at = now
        identity = SsoIdentity(user_id=user.id, issuer=config.issuer, subject=subject, created_at=now)
        session.add(identity)
    identity.last_login_at = now
    membership = session.scalar(select(Membership).where(Membership.user_id == user.id,
                                                         Membership.organisation_id == organisation.id))
    if membership is None:
        session.add(Membership(user_id=user.id, organisation_id=organisation.id, role=Role.LEARNER))
    try:
        session.commit()
    except IntegrityError as exc:  # a first sign-in of the same person at the same moment in another tab
        session.rollback()
        raise SsoError("race", N_("Inloggen lukte net niet. Probeer het opnieuw.")) from exc
    return SignIn(user, new_account, linked, membership is None)


def mandatory_organisation(session: Session, user: User) -> Organisation | None:
    """An organisation that makes the user sign in through it, or None: one with mandatory SSO in which the user
    has an active membership (any one counts) and whose domains include the user's address (someone outside
    them could not sign in through its provider at all, so keeps their password).

    Site administrators are never bound to one organisation's provider: the platform must not lose its
    operators when a provider goes down.
    """
    if user.is_site_admin:
        return None
    domain = user.email.rpartition("@")[2]
    rows = session.execute(select(Organisation, SsoConfig.domains)
                           .join(Membership, Membership.organisation_id == Organisation.id)
                           .join(SsoConfig, SsoConfig.organisation_id == Organisation.id)
                           .where(Membership.user_id == user.id, Membership.deactivated_at.is_(None),
                                  SsoConfig.mandatory.is_(True))
                           .order_by(Organisation.name))
    return next((organisation for organisation, domains in rows if domain in (domains or [])), None)


def identities(session: Session, user_id: int) -> list[SsoIdentity]:
    """The providers the account is linked to, oldest first."""
    return list(session.scalars(select(SsoIdentity).where(SsoIdentity.user_id == user_id).order_by(SsoIdentity.id)))



def sign_in_organisation(session: Session, user_id: int) -> Organisation | None:
    """An organisation whose provider the account is linked to (to sign in through again), or None."""
    return session.scalar(select(Organisation)
                          .join(SsoConfig, SsoConfig.organisation_id == Organisation.id)
                          .join(SsoIdentity, SsoIdentity.issuer == SsoConfig.issuer)
                          .where(SsoIdentity.user_id == user_id).order_by(Organisation.name).limit(1))


@dataclass(frozen=True)
class AccountSignIn:
    """How an account signs in through organisations, for its account page."""

    organisation: Organisation | None  # one whose provider the account is linked to
    mandatory: Organisation | None  # one that makes signing in through it mandatory (see mandatory_organisation)


def account_sign_in(session: Session, user: User) -> AccountSignIn:
    """What :func:`sign_in_organisation` and :func:`mandatory_organisation` say about ``user``, in one query."""
    linked = exists().where(SsoIdentity.user_id == user.id, SsoIdentity.issuer == SsoConfig.issuer)
    member = exists().where(Membership.user_id == user.id, Membership.organisation_id == Organisation.id,
                            Membership.deactivated_at.is_(None))
    rows = session.execute(select(Organisation, SsoConfig.mandatory, SsoConfig.domains, linked.label("linked"),
                                  member.label("member"))
                           .join(SsoConfig, SsoConfig.organisation_id == Organisation.id)
                           .where(linked | (SsoConfig.mandatory.is_(True) & member))
                           .order_by(Organisation.name)).all()
    domain = user.email.rpartition("@")[2]
    return AccountSignIn(
        organisation=next((row.Organisation for row in rows if row.linked), None),
        mandatory=None if user.is_site_admin else next(
            (row.Organisation for row in rows if row.mandatory and row.member and domain in (row.domains or [])),
            None))
