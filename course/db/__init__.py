"""SQLAlchemy models, one file per domain. Importing this package registers every table on Base.metadata."""

from course.db.base import Base, utcnow
from course.db.progress import PageProgress
from course.db.users import Membership, Organisation, Role, User

__all__ = ["Base", "Membership", "Organisation", "PageProgress", "Role", "User", "utcnow"]
