"""The organisation's mails: an invitation with a signed, expiring link, or word that someone was added; the
reminders ``flask reminders send`` mails (about assignments and expiring certificates)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from app import mail
from app.auth.tokens import external_url, make_token
from app.db import db_session
from app.org.labels import STATUS_LABELS
from course.db import Organisation, User
from course.services import accounts, sso
from course.services.reminders import Reminder


def send_invitation(user: User, organisation: Organisation, *, new_account: bool) -> bool:
    """Mail ``user``, just added to ``organisation``. Needs a request context (the CLI makes one).

    A new account gets a link to choose a password (it confirms the address too); an existing one is told.
    When the organisation makes signing in through it mandatory for the person, the link goes there instead.
    """
    if sso.mandatory_organisation(db_session, user) is not None:
        # Members sign in through the organisation: no password to choose, the link goes there.
        return mail.send_template(user, _l("Uitnodiging voor Leerlijn van %(organisation)s",
                                           organisation=organisation.name),
                                  "org/mail/invitation_sso.txt", organisation=organisation.name,
                                  link=external_url("sso.login", slug=organisation.slug))
    if new_account:
        token = make_token("org-invite", user.id, accounts.account_fingerprint(user), org=organisation.slug)
        return mail.send_template(user, _l("Uitnodiging voor Leerlijn van %(organisation)s",
                                           organisation=organisation.name),
                                  "org/mail/invitation.txt", organisation=organisation.name,
                                  link=external_url("org.accept_invitation", token=token))
    return mail.send_template(user, _l("Je bent toegevoegd aan %(organisation)s op Leerlijn",
                                       organisation=organisation.name),
                              "org/mail/added.txt", organisation=organisation.name,
                              link=external_url("learn.overview"))


def send_reminder(session: Session, reminder: Reminder) -> bool:
    """Mail one reminder (see course.services.reminders) to its recipient."""
    user = session.get(User, reminder.user_id)
    session.commit()  # end the transaction (on SQLite, the write lock) before talking to the mail server
    if user is None:
        return False
    link = external_url("learn.overview")
    if reminder.kind == "due":
        return mail.send_template(user, _l("Deadline %(title)s nadert", title=reminder.assignment),
                                  "org/mail/reminder_due.txt", reminder=reminder, link=link,
                                  settings=external_url("auth.account", _anchor="organisaties"))
    if reminder.kind == "overdue":
        return mail.send_template(user, _l("%(learner)s heeft %(title)s nog niet af", learner=reminder.learner,
                                           title=reminder.assignment),
                                  "org/mail/reminder_overdue.txt", reminder=reminder,
                                  settings=external_url("auth.account", _anchor="organisaties"))
    if reminder.kind == "expiry":
        return mail.send_template(user, _l("Je certificaat voor %(course)s verloopt binnenkort",
                                           course=reminder.assignment),
                                  "certificates/mail/expiry.txt", reminder=reminder,
                                  link=external_url("certificates.index"))
    if reminder.kind == "expiry_admin":
        return mail.send_template(user, _l("Certificaat van %(learner)s verloopt binnenkort", learner=reminder.learner),
                                  "certificates/mail/expiry_admin.txt", reminder=reminder,
                                  link=external_url("org.index"),
                                  settings=external_url("auth.account", _anchor="organisaties"))
    if reminder.kind == "api_token":
        return mail.send_template(user, _l("API-sleutel %(name)s van %(organisation)s verloopt binnenkort",
                                           name=reminder.assignment, organisation=reminder.organisation),
                                  "org/mail/api_token.txt", reminder=reminder,
                                  link=external_url("org.api_tokens_page", slug=reminder.slug))
    return mail.send_template(user, _l("Weekoverzicht %(organisation)s", organisation=reminder.organisation),
                              "org/mail/digest.txt", reminder=reminder, labels=STATUS_LABELS,
                              settings=external_url("auth.account", _anchor="organisaties"))
