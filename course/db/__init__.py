"""SQLAlchemy models, one file per domain. Importing this package registers every table on Base.metadata."""

from course.db.api import ApiScope, ApiToken, ApiTokenUse
from course.db.audit import EventKind, SecurityEvent
from course.db.base import Base, status_is, utcnow
from course.db.casus import CasusDecision, CasusRun, CasusVersion, RunStatus
from course.db.certificates import Certificate, CertificateKind, RegisterNumber
from course.db.orgs import Assignment, SentReminder, Team
from course.db.progress import ModuleSummary, PageProgress, TimeOnTask
from course.db.quiz import AttemptAnswer, AttemptStatus, EmbeddedCheck, QuizAttempt
from course.db.sso import SsoConfig, SsoIdentity
from course.db.trainer import Group, GroupMember, LiveAnswer, LiveParticipant, LiveSession, LiveSource
from course.db.users import LoginSession, Membership, Organisation, Role, User

__all__ = [
           "ApiScope",
           "ApiToken",
           "ApiTokenUse",
           "Assignment",
           "AttemptAnswer",
           "AttemptStatus",
           "Base",
           "CasusDecision",
           "CasusRun",
           "CasusVersion",
           "Certificate",
           "CertificateKind",
           "EmbeddedCheck",
           "EventKind",
           "Group",
           "GroupMember",
           "LiveAnswer",
           "LiveParticipant",
           "LiveSession",
           "LiveSource",
           "LoginSession",
           "Membership",
           "ModuleSummary",
           "Organisation",
           "PageProgress",
           "QuizAttempt",
           "RegisterNumber",
           "Role",
           "RunStatus",
           "SecurityEvent",
           "SentReminder",
           "SsoConfig",
           "SsoIdentity",
           "Team",
           "TimeOnTask",
           "User",
           "status_is",
           "utcnow",
]
