"""The database adapter (SQLAlchemy). One SQLite file by default, a PostgreSQL URL in production.

Tables defined here: plan versions. Other adapters (feed tokens, outbox, RSVPs, ...) declare their
tables on the same :class:`Base` so ``create_all`` builds the whole schema.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, Integer, String, Text, create_engine, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from scheduler_service.errors import StoreError
from scheduler_service.model import Plan


class Base(DeclarativeBase):
    pass


class PlanVersion(Base):
    __tablename__ = "plan_versions"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    plan_json: Mapped[str] = mapped_column(Text)
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    note: Mapped[str] = mapped_column(String(200), default="")


class Store:
    """Owns the engine and the session factory; every stateful adapter goes through it."""

    def __init__(self, url: str) -> None:
        try:
            self.engine: Engine = create_engine(url, future=True)
            self._import_tables()
            Base.metadata.create_all(self.engine)
        except Exception as exc:  # SQLAlchemy raises many kinds; the user needs the URL
            raise StoreError(f"cannot open database {url!r}: {exc}") from exc
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @staticmethod
    def _import_tables() -> None:
        """Import modules that declare tables so create_all sees them."""
        import importlib

        for name in ("scheduler_service.feeds.tokens", "scheduler_service.ical.state"):
            try:
                importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name != name:
                    raise

    def session(self) -> Session:
        return self.sessions()

    # --- plan versions -------------------------------------------------------------------

    def save_plan(self, plan: Plan, note: str = "") -> int:
        with self.session() as db, db.begin():
            row = PlanVersion(
                created_at=plan.generated_at,
                plan_json=json.dumps(plan.to_json(), sort_keys=True),
                published=False,
                note=note,
            )
            db.add(row)
            db.flush()
            return int(row.version)

    def load_plan(self, version: int) -> Plan | None:
        with self.session() as db:
            row = db.get(PlanVersion, version)
            return None if row is None else _plan(row.plan_json)

    def latest_plan(self) -> tuple[int, Plan] | None:
        with self.session() as db:
            row = db.scalars(select(PlanVersion).order_by(PlanVersion.version.desc())).first()
            return None if row is None else (row.version, _plan(row.plan_json))

    def latest_published(self) -> tuple[int, Plan] | None:
        with self.session() as db:
            row = db.scalars(
                select(PlanVersion)
                .where(PlanVersion.published.is_(True))
                .order_by(PlanVersion.version.desc())
            ).first()
            return None if row is None else (row.version, _plan(row.plan_json))

    def mark_published(self, version: int, at: datetime) -> None:
        with self.session() as db, db.begin():
            row = db.get(PlanVersion, version)
            if row is None:
                raise StoreError(f"no plan version {version}")
            row.published = True
            row.published_at = at


def _plan(text: str) -> Plan:
    data: dict[str, Any] = json.loads(text)
    return Plan.from_json(data)
