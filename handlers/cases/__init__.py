"""``/case new`` (guided, buttons only), ``/case CODE``, ``/cases``, the case thread, ``/audit CODE``.

Messages carrying case information are sent with ``protect_content=True``; buttons that act on an
existing case carry signed callback data (:mod:`handlers.secure`) and every action re-checks, in
:mod:`bot.services.cases`, that the worker takes part in the case.

Modules: :mod:`~handlers.cases.wizard` (``/case new``), :mod:`~handlers.cases.view` (the case
card's commands and buttons), :mod:`~handlers.cases.thread`,
:mod:`~handlers.cases.thread_or_search` (text typed while a thread is open),
:mod:`~handlers.cases.audit`.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command as CommandFilter
from aiogram.filters import StateFilter

from bot.i18n import N_
from handlers.cases import audit, thread, thread_or_search, view, wizard
from handlers.cases.states import NewCase, Step, Thread
from handlers.commands import Command
from handlers.secure import SecureCallback

COMMANDS = (
    Command("case", N_("A case by its code (/case K7-4QX), or a new one (/case new)")),
    Command("cases", N_("Your open cases")),
    Command("audit", N_("Audit trail of a case code, as a CSV file"), coordinator_only=True),
)

NEW_CASE_COMMAND = r"^/case(@\w+)?\s+(new|nouveau)\s*$"


def build_router() -> Router:
    """Register the case handlers, in the order aiogram must try them."""
    router = Router(name="cases")
    free_text = (F.text, ~F.text.startswith("/"))
    new_case = (CommandFilter("case"), F.text.regexp(NEW_CASE_COMMAND))
    # /case new, step by step
    router.message.register(wizard.new_case, *new_case)
    router.callback_query.register(wizard.choose_age, Step.filter(F.step == "age"))
    router.callback_query.register(wizard.choose_gender, Step.filter(F.step == "gender"))
    router.callback_query.register(wizard.choose_language, Step.filter(F.step == "lang"))
    router.callback_query.register(wizard.choose_origin, Step.filter(F.step == "orig"))
    router.callback_query.register(wizard.choose_current, Step.filter(F.step == "cur"))
    router.callback_query.register(wizard.choose_need, Step.filter(F.step == "need"))
    router.callback_query.register(wizard.choose_consent, Step.filter(F.step == "consent"))
    router.message.register(wizard.type_turns18, NewCase.turns18, *free_text)
    router.callback_query.register(wizard.skip_turns18, Step.filter(F.step == "t18"))
    router.callback_query.register(wizard.choose_participant, Step.filter(F.step == "who"))
    # /case CODE, /cases, the card's buttons
    router.message.register(view.open_case, CommandFilter("case"))
    router.message.register(view.list_cases, CommandFilter("cases"))
    router.callback_query.register(view.view_from_button, SecureCallback.filter("case.view"))
    router.callback_query.register(view.change_consent, SecureCallback.filter("case.consent"))
    router.callback_query.register(view.ask_close, SecureCallback.filter("case.close"))
    router.callback_query.register(view.close, SecureCallback.filter("case.closeok"))
    # the thread, and /cancel in the steps where one types
    router.callback_query.register(thread.start_writing, SecureCallback.filter("case.reply"))
    router.message.register(thread.cancel_writing, Thread.writing, CommandFilter("cancel"))
    router.message.register(wizard.cancel_new, NewCase.participants, CommandFilter("cancel"))
    router.message.register(wizard.cancel_new, NewCase.turns18, CommandFilter("cancel"))
    router.message.register(thread.write, Thread.writing, *free_text)
    # typed without a button while a thread is open: to the thread, or a search? (before the
    # directory's free text, which would read it as a search)
    router.message.register(thread_or_search.ask_where, StateFilter(None), *free_text,
                            thread_or_search.ThreadOpen())
    router.callback_query.register(thread_or_search.to_thread,
                                   SecureCallback.filter(thread_or_search.TO_THREAD))
    router.callback_query.register(thread_or_search.to_search,
                                   SecureCallback.filter(thread_or_search.TO_SEARCH))
    # /audit CODE
    router.message.register(audit.export_audit, CommandFilter("audit"))
    return router
