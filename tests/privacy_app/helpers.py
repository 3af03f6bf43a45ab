"""Helpers of the case/privacy tests: a case created through the service, quick DB reads."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.app import App
from bot.models.cases import Case, CaseMessage
from bot.models.core import AuditEntry, Worker
from bot.services import cases


async def make_case(
    app: App, creator: Worker, *, others: tuple[Worker, ...] = (), region: str = "06",
    consent: bool | None = True,
) -> Case:
    async with app.sessionmaker() as session:
        creator = await session.get(Worker, creator.id)
        draft = cases.CaseDraft(
            age=15, gender="girl", languages=["fr"], region_origin=region,
            region_current=region, needs=["hebergement-urgence-jeunesse"], consent=consent,
            participant_ids=[w.id for w in others],
        )
        case = await cases.create_case(session, creator=creator, draft=draft, now=app.clock.now())
        await session.commit()
        return case


async def count(app: App, model) -> int:  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def messages(app: App) -> list[CaseMessage]:
    async with app.sessionmaker() as session:
        return list((await session.scalars(select(CaseMessage).order_by(CaseMessage.id))).all())


async def audit_actions(app: App, action: str | None = None) -> list[AuditEntry]:
    async with app.sessionmaker() as session:
        query = select(AuditEntry).order_by(AuditEntry.id)
        if action:
            query = query.where(AuditEntry.action == action)
        return list((await session.scalars(query)).all())
