"""The record of what S8-06 carried (0004), in ``public`` beside this project's version table:
each run of the data revision, and every legacy session and message it carried, by id."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from db.schema.base import Base

SCHEMA = "public"


class CarriedRun(Base):
    __tablename__ = "s8_06_runs"
    __table_args__ = ({"schema": SCHEMA},)

    run: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    began_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.text("now()")
    )
    legacy_schema: Mapped[str] = mapped_column(sa.Text)
    # pg_current_snapshot() just before the run's plan read the legacy tables (0006).
    read_snapshot: Mapped[str | None] = mapped_column(sa.Text)


class _Carried:
    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    run: Mapped[int] = mapped_column(sa.BigInteger)
    earlier_release: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.false())


class CarriedSession(_Carried, Base):
    __tablename__ = "s8_06_carried_sessions"
    __table_args__ = ({"schema": SCHEMA},)


class CarriedMessage(_Carried, Base):
    __tablename__ = "s8_06_carried_messages"
    __table_args__ = ({"schema": SCHEMA},)


class Retirement(Base):
    """Each retirement of the legacy tables by ``aria-finish`` (0006)."""

    __tablename__ = "s8_06_retirements"
    __table_args__ = ({"schema": SCHEMA},)

    id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    legacy_schema: Mapped[str] = mapped_column(sa.Text)
    retired_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.text("now()")
    )
    retired_by: Mapped[str] = mapped_column(sa.Text)
    undone_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    undone_by: Mapped[str | None] = mapped_column(sa.Text)
    dropped_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    dropped_by: Mapped[str | None] = mapped_column(sa.Text)
