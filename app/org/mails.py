"""The organisation's mails: an invitation with a signed, expiring link, or word that someone was added."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app import mail
from app.auth.tokens import external_url, make_token
from course.db import Organisation, User
from course.services import accounts


def send_invitation(user: User, organisation: Organisation, *, new_account: bool) -> bool:
    """Mail ``user``, just added to ``organisation``. Needs a request context (the CLI makes one).

    A new account gets a link to choose a password (it confirms the address too); an existing one is told.
    """
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
