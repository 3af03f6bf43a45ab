"""The case card: what a participant sees of a case, its timeline, and the buttons to act on it.

Sent with ``protect_content=True``; its buttons carry signed callback data (:mod:`handlers.secure`)
bound to the user it was sent to.
"""

from __future__ import annotations

from datetime import date
from html import escape

from aiogram.types import InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.models.cases import Case
from bot.models.core import Worker
from bot.services import cases
from handlers.cases.labels import need_label, region_label
from handlers.replies import reply_after_commit
from handlers.secure import sign
from handlers.ui import keyboard, lang

TEXT_BUDGET = 3800  # Telegram's limit is 4096 characters: the oldest timeline lines give way
# ``html.escape`` (quotes escaped too), not ``handlers.ui.esc``: the card's text stays as it was.


def _about(case: Case) -> str:
    """Age (or band), gender and languages of the youth, as one line."""
    about = [_(cases.AGE_BANDS.get(case.age_band, cases.AGE_BANDS["unknown"]))]
    if case.age is not None:
        about[0] = _("{age} years").format(age=case.age)
    if case.gender:
        about.append(_(cases.GENDERS.get(case.gender, case.gender)))
    languages = ", ".join(_(cases.LANGUAGE_NAMES.get(code, code)) for code in case.languages)
    if languages:
        about.append(languages)
    return " · ".join(about)


def _consent(app: App, case: Case, people: list[Worker]) -> str:
    """Whether consent was recorded, by whom and when."""
    if case.consent is None:
        return _("not recorded")
    t = app.translator.text(lang())
    recorder = next((w.display_name for w in people if w.id == case.consent_by_id), "?")
    return (_("yes") if case.consent else _("no")) + " ({who}, {when})".format(
        who=escape(recorder), when=t.datetime(case.consent_at, "short"))


def _month(app: App, month: str) -> str:
    """"2027-03" as a reader writes it ("mars 2027", "March 2027"), never as an ISO month."""
    try:
        year, number = (int(part) for part in month.split("-"))
        return app.translator.text(lang()).date(date(year, number, 1), "MMMM y")
    except ValueError:
        return month


def _participant_names(case: Case, people: list[Worker]) -> str:
    names = []
    for worker in people:
        name = escape(worker.display_name)
        if worker.id == case.created_by_id:
            name += " (" + _("created the case") + ")"
        names.append(name)
    return ", ".join(names)


def _timeline_lines(app: App, entries: list[cases.TimelineEntry], budget: int) -> list[str]:
    """The timeline, most recent lines kept first within ``budget`` characters ("…" if cut)."""
    t = app.translator.text(lang())
    timeline_lines = [
        "{when} — {what}".format(
            when=t.datetime(entry.at, "short"),
            what=_(entry.text).format(**{k: escape(str(v)) for k, v in entry.params.items()}),
        )
        for entry in entries
    ]
    kept: list[str] = []
    for line in reversed(timeline_lines):  # the most recent lines fit first
        if len(line) + 1 > budget:
            kept.append("…")
            break
        kept.append(line)
        budget -= len(line) + 1
    return list(reversed(kept))


def case_card(app: App, case: Case, people: list[Worker], entries: list[cases.TimelineEntry],
              *, with_timeline: bool = True) -> str:
    """The card's text (HTML): status, needs, youth, regions, consent, participants, timeline."""
    needs = ", ".join(escape(need_label(app, n)) for n in case.needs) or _("none recorded")
    lines = [
        _("<b>Case {code}</b> · {status}").format(
            code=case.code, status=_(cases.STATUS_LABELS.get(case.status, case.status))),
        _("Needs: {needs}").format(needs=needs),
        _("Youth: {about}").format(about=escape(_about(case))),
        _("Regions: origin {origin} · now {current}").format(
            origin=escape(region_label(case.region_origin)),
            current=escape(region_label(case.region_current))),
        _("Consent to referral and sharing: {consent}").format(
            consent=_consent(app, case, people)),
    ]
    if case.turns_18_month:
        lines.append(_("Turns 18: {month}").format(
            month=escape(_month(app, case.turns_18_month))))
    lines.append(_("Participants: {names}").format(names=_participant_names(case, people)))
    if with_timeline and entries:
        lines += ["", _("<b>Timeline</b>")]
        budget = TEXT_BUDGET - sum(len(line) + 1 for line in lines)
        lines += _timeline_lines(app, entries, budget)
    return "\n".join(lines)


def case_buttons(app: App, case: Case, user_id: int) -> InlineKeyboardMarkup:
    """Write in the thread, record consent (or its absence), close; none once closed."""
    if not case.is_open:
        return keyboard([])
    consent_button = (
        (_("Record: no consent"), sign(app, "case.consent", case.id, user_id, "n"))
        if case.consent else
        (_("Record: youth consents"), sign(app, "case.consent", case.id, user_id, "y"))
    )
    return keyboard([
        [(_("Write in the thread"), sign(app, "case.reply", case.id, user_id))],
        [consent_button],
        [(_("Close the case"), sign(app, "case.close", case.id, user_id))],
    ])


async def show_case(
    app: App, session: AsyncSession, target: Message, case: Case, user_id: int, *,
    after_commit: bool = False,
) -> None:
    """Send the case card (protected) with its buttons for ``user_id``; once the update is
    committed when ``after_commit`` (the card shows a change just made)."""
    people = await cases.participants(session, case)
    entries = await cases.timeline(app, session, case)
    markup = case_buttons(app, case, user_id)
    text = case_card(app, case, people, entries)
    reply_markup = markup if markup.inline_keyboard else None
    if after_commit:
        reply_after_commit(session, target.answer, text, protect_content=True,
                           reply_markup=reply_markup)
        return
    await target.answer(text, protect_content=True, reply_markup=reply_markup)
