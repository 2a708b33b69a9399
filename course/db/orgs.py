"""What organisations add around their memberships (course/db/users.py): teams."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from course.db.base import Base, utcnow


class Team(Base):
    """A department or location of an organisation; its team lead sees its members only."""

    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))  # unique within the organisation: CSV imports name it
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
