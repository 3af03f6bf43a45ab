"""The community of practice: a shared, bilingual library of tools and good practices.

Items (guides, checklists, contacts of regional tables, training offers) are added in the chat by
coordinators or imported from a YAML or CSV file (``relais tools import FILE``: all rows are
checked first; one bad row and nothing changes). Workers search them with fuzzy, accent-free
matching over both languages, or browse by tag. A starter set ships in
``knowledge/data/practice_tools.yaml`` and is loaded into an empty library
(:func:`ensure_starter_tools`).
"""

from __future__ import annotations

import csv
import io
import re
import secrets
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from rapidfuzz import fuzz, process
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.i18n import LANGUAGES, N_
from bot.models.core import Worker
from bot.models.tools import PracticeTool
from bot.services import audit
from knowledge.text import normalise

if TYPE_CHECKING:
    from bot.app import App

STARTER_FILE = Path(__file__).resolve().parents[2] / "knowledge" / "data" / "practice_tools.yaml"
TITLE_MAX = 200
SUMMARY_MAX = 1000
BODY_MAX = 3000
URL_MAX = 500
TAG_MAX = 30
MATCH_THRESHOLD = 72.0

# Tags with a label in both languages; any other tag is shown as written.
TAG_LABELS = {
    "guide": N_("intervention guides"),
    "checklist": N_("checklists"),
    "contacts": N_("contacts"),
    "regional-table": N_("regional tables"),
    "training": N_("training"),
    "good-practice": N_("good practices"),
    "helpline": N_("helplines"),
    "safety": N_("safety"),
    "trafficking": N_("human trafficking"),
    "online": N_("online exploitation"),
    "outreach": N_("outreach"),
}
# The same tags' names in both languages, so that a search in either finds them.
TAG_WORDS = {
    "guide": "guide guides intervention",
    "checklist": "checklist liste verification aide-memoire",
    "contacts": "contacts contact coordonnees",
    "regional-table": "table regionale regional table concertation",
    "training": "training formation formations",
    "good-practice": "good practice bonnes pratiques pratique",
    "helpline": "helpline ligne ecoute telephone urgence hotline",
    "safety": "safety securite",
    "trafficking": "trafficking traite",
    "online": "online en ligne internet reseaux sociaux",
    "outreach": "outreach travail de rue proximite",
}
# What a coordinator may type for a known tag, in either language: all of them are that one tag
# (compared without accents or case), shown with its label in the reader's language.
TAG_NAMES = {
    "guide": ("guide", "guides", "intervention guides", "guide d'intervention",
              "guides d'intervention"),
    "checklist": ("checklists", "liste de vérification", "listes de vérification",
                  "aide-mémoire"),
    "contacts": ("contact", "coordonnées"),
    "regional-table": ("regional table", "regional tables", "table régionale",
                       "tables régionales"),
    "training": ("trainings", "formation", "formations"),
    "good-practice": ("good practice", "good practices", "bonne pratique", "bonnes pratiques"),
    "helpline": ("helplines", "hotline", "ligne d'écoute", "lignes d'écoute"),
    "safety": ("sécurité",),
    "trafficking": ("human trafficking", "traite", "traite des personnes"),
    "online": ("online exploitation", "en ligne", "exploitation en ligne"),
    "outreach": ("travail de proximité", "travail de rue", "proximité"),
}
STOPWORDS = frozenset(
    ["le", "la", "les", "un", "une", "des", "de", "du", "et", "ou", "pour", "sur", "en", "au",
     "aux", "a", "the", "an", "and", "or", "for", "of", "on", "in", "to", "with", "avec", "d",
     "l", "s"]
)
FIELDS = ("title", "summary", "body")


# ---- records and validation --------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """Safe YAML with dates kept as text, so a bad date is a row problem, not a crash."""


_Loader.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
)


@dataclass
class ToolRecord:
    """One item as read from a file or the chat, before it is stored."""

    key: str
    title: dict[str, str]
    summary: dict[str, str]
    body: dict[str, str] = field(default_factory=dict)
    url: str | None = None
    tags: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    organisation: str = ""
    published_on: date | None = None


@dataclass(frozen=True)
class Problem:
    row: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, field {self.field}: {self.message}"


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def normalise_tag(tag: str) -> str:
    """The form tags are compared in: lower case, no accents, words joined by hyphens."""
    return normalise(str(tag)).replace(" ", "-")[:TAG_MAX]


_KNOWN_TAGS = {normalise_tag(name): key for key, names in TAG_NAMES.items()
               for name in (key, *names)}


def tag_key(tag: str) -> str:
    """One key per tag whatever its accents, case or language: "Sécurité" and "securite" are
    both ``safety``; an unknown tag is its accent-free form."""
    key = normalise_tag(tag)
    return _KNOWN_TAGS.get(key, key)


def tag_form(tag: str) -> str:
    """How a tag is stored: a known tag's key, else as typed (accents kept), lower case,
    words joined by hyphens."""
    key = tag_key(tag)
    if key in TAG_LABELS:
        return key
    words = re.findall(r"[^\W_]+(?:['’][^\W_]+)*", str(tag).lower())
    return "-".join(words)[:TAG_MAX].strip("-") or key


def _accents(tag: str) -> int:
    return sum(1 for char in tag if not char.isascii())


def slug(text: str) -> str:
    return normalise(text).replace(" ", "-")[:60].strip("-") or "item"


def _bilingual(raw: dict, name: str, row: int, problems: list[Problem],
               *, required: bool, limit: int) -> dict[str, str]:
    """``name`` as ``{fr:, en:}`` (YAML), or ``name_fr``/``name_en`` columns (CSV)."""
    value = raw.get(name)
    versions: dict[str, str] = {}
    if isinstance(value, dict):
        unknown = set(value) - set(LANGUAGES)
        if unknown:
            problems.append(Problem(row, name, f"unknown language(s) {sorted(unknown)}"))
        for lang in LANGUAGES:
            if value.get(lang) is not None:
                versions[lang] = str(value[lang]).strip()
    elif value is not None and not isinstance(value, str):
        problems.append(Problem(row, name, "expected text or {fr: ..., en: ...}"))
    elif isinstance(value, str) and value.strip():
        problems.append(Problem(row, name, "say which language: use {fr: ..., en: ...}"))
    for lang in LANGUAGES:
        column = raw.get(f"{name}_{lang}")
        if column is not None and str(column).strip():
            versions[lang] = str(column).strip()
    versions = {lang: text for lang, text in versions.items() if text}
    for lang, text in versions.items():
        if len(text) > limit:
            problems.append(Problem(row, f"{name}_{lang}", f"longer than {limit} characters"))
    if required and not versions:
        problems.append(Problem(row, name, "required in French or English (or both)"))
    return versions


def _list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in re.split(r"[;,|]", str(value)) if part.strip()]


def validate_rows(rows: list[dict], *, first_row: int = 1) -> tuple[list[ToolRecord], list[Problem]]:
    """Check every row; records are usable only when there is no problem at all."""
    from knowledge.regions import load_regions

    known_regions = set(load_regions())
    records: list[ToolRecord] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for offset, raw in enumerate(rows):
        row = first_row + offset
        if not isinstance(raw, dict):
            problems.append(Problem(row, "-", "expected a mapping of fields"))
            continue
        raw = {str(k).strip().lower(): v for k, v in raw.items() if k is not None}
        if "text" in raw and "body" not in raw:
            raw["body"] = raw.pop("text")
        for lang in LANGUAGES:
            if f"text_{lang}" in raw:
                raw.setdefault(f"body_{lang}", raw.pop(f"text_{lang}"))
        title = _bilingual(raw, "title", row, problems, required=True, limit=TITLE_MAX)
        summary = _bilingual(raw, "summary", row, problems, required=True, limit=SUMMARY_MAX)
        body = _bilingual(raw, "body", row, problems, required=False, limit=BODY_MAX)
        url = str(raw.get("url") or "").strip() or None
        if url is not None and (not re.match(r"^https?://\S+$", url) or len(url) > URL_MAX):
            problems.append(Problem(row, "url", "must be an http:// or https:// link"))
        if url is None and not body:
            problems.append(Problem(row, "url", "give a link (url) or a text (text)"))
        tags = _unique_tags(_list(raw.get("tags")))
        regions = _list(raw.get("regions"))
        regions = [r.zfill(2) if r.isdigit() else r for r in regions]
        bad = [r for r in regions if r not in known_regions]
        if bad:
            problems.append(Problem(row, "regions", f"unknown region code(s) {bad}"))
        organisation = str(raw.get("organisation") or raw.get("organization") or "").strip()
        if not organisation:
            problems.append(Problem(row, "organisation", "required"))
        elif len(organisation) > 200:
            problems.append(Problem(row, "organisation", "longer than 200 characters"))
        published = raw.get("date")
        published_on: date | None = None
        if isinstance(published, datetime):
            published_on = published.date()
        elif isinstance(published, date):
            published_on = published
        elif published not in (None, ""):
            try:
                published_on = date.fromisoformat(str(published).strip())
            except ValueError:
                problems.append(Problem(row, "date", "expected YYYY-MM-DD"))
        key = str(raw.get("key") or "").strip()
        if not key and title:
            key = slug(title.get("fr") or title.get("en") or "")
        if key and not re.match(r"^[a-z0-9][a-z0-9._-]{0,79}$", key):
            problems.append(Problem(row, "key", "letters a-z, digits, '.', '_' or '-' only"))
        if key in seen:
            problems.append(Problem(row, "key", f"same key as row {seen[key]}"))
        seen.setdefault(key, row)
        records.append(ToolRecord(
            key=key, title=title, summary=summary, body=body, url=url, tags=tags,
            regions=sorted(set(regions)), organisation=organisation, published_on=published_on,
        ))
    return (records if not problems else []), problems


def read_rows(path: Path) -> tuple[list[dict], int]:
    """Rows of a YAML (a list, or ``{tools: [...]}``) or CSV file, and the first row's number."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else 0
            raise InvalidInput(N_("The file is not valid YAML (line {line})."), line=line) from None
        if isinstance(data, dict):
            data = data.get("tools")
        if not isinstance(data, list):
            raise InvalidInput(N_("The YAML file must hold a list of items under 'tools'."))
        return data, 1
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(io.StringIO(text))
        return [dict(row) for row in reader], 2  # row 1 is the header
    raise InvalidInput(N_("Unknown file type: use .yaml, .yml or .csv."))


async def screen_records(app: App, session: AsyncSession, records: list[ToolRecord],
                         *, first_row: int = 1) -> list[Problem]:
    """Run every text of every record through the privacy screen (kinds only in problems):
    titles, summaries and texts in each language, the link and the tags."""
    from bot.services import screening

    problems: list[Problem] = []
    for offset, record in enumerate(records):
        texts: list[tuple[str, str, str | None]] = [
            (f"{name}_{lang}", text, lang)
            for name in FIELDS for lang, text in getattr(record, name).items()
        ]
        if record.url:
            texts.append(("url", record.url, None))
        if record.tags:
            texts.append(("tags", ", ".join(record.tags), None))
        for field_name, text, lang in texts:
            result = await screening.screen_text(app, session, text, lang)
            if result.identifying:
                kinds = ", ".join(screening.kinds_of(result)) or "?"
                problems.append(Problem(first_row + offset, field_name,
                                        f"identifying information ({kinds})"))
    return problems


async def store_records(
    session: AsyncSession, records: Iterable[ToolRecord], *, now: datetime, source: str,
    today: date, author: Worker | None = None,
) -> tuple[int, int]:
    """Create or update (by key) every record; (created, updated). A retired item comes back."""
    created = updated = 0
    for record in records:
        tool = await session.scalar(select(PracticeTool).where(PracticeTool.key == record.key))
        if tool is None:
            tool = PracticeTool(key=record.key, created_at=now, source=source,
                                author_id=author.id if author else None)
            session.add(tool)
            created += 1
        else:
            updated += 1
        for name in FIELDS:
            versions = getattr(record, name)
            for lang in LANGUAGES:
                setattr(tool, f"{name}_{lang}", versions.get(lang) or None)
        tool.url = record.url
        tool.tags = record.tags
        tool.regions = record.regions
        tool.organisation = record.organisation
        tool.published_on = record.published_on or today
        tool.updated_at = now
        tool.retired_at = None
    await session.flush()
    return created, updated


def today(app: App) -> date:
    return app.clock.now().astimezone(app.settings.zone).date()


async def import_file(app: App, path: Path, *, screen: bool = True, dry_run: bool = False,
                      source: str = "import") -> ImportReport:
    """Import a file in one transaction: any problem (format, field, privacy) changes nothing."""
    report = ImportReport()
    try:
        rows, first = read_rows(path)
    except InvalidInput as exc:
        report.problems.append(Problem(0, "-", exc.message.format(**exc.params)))
        return report
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        report.problems.append(Problem(0, "-", f"cannot read the file ({type(exc).__name__})"))
        return report
    records, problems = validate_rows(rows, first_row=first)
    if problems:
        report.problems = problems
        return report
    async with app.sessionmaker() as session:
        if screen:
            report.problems = await screen_records(app, session, records, first_row=first)
            if report.problems:
                return report
        now = app.clock.now()
        report.created, report.updated = await store_records(
            session, records, now=now, source=source, today=today(app)
        )
        await audit.record(session, at=now, action="tools.imported", created=report.created,
                           updated=report.updated, source=source, system="import")
        if dry_run:
            await session.rollback()
        else:
            await session.commit()
    return report


async def ensure_starter_tools(app: App, path: Path = STARTER_FILE) -> int:
    """Load the starter set when the library is empty (first run); items loaded."""
    async with app.sessionmaker() as session:
        if await session.scalar(select(func.count()).select_from(PracticeTool)):
            return 0
    report = await import_file(app, path, screen=False, source="starter")
    if report.problems:  # a broken starter file is a bug of ours: say so loudly
        raise RuntimeError("starter tools file invalid: " + "; ".join(map(str, report.problems)))
    return report.created


# ---- reading -----------------------------------------------------------------------------


async def active_tools(session: AsyncSession) -> list[PracticeTool]:
    rows = await session.scalars(
        select(PracticeTool).where(PracticeTool.retired_at.is_(None))
        .order_by(PracticeTool.published_on.desc(), PracticeTool.id)
    )
    return list(rows.all())


async def get_tool(session: AsyncSession, tool_id: int, *, include_retired: bool = False
                   ) -> PracticeTool:
    tool = await session.get(PracticeTool, tool_id)
    if tool is None or (tool.retired_at is not None and not include_retired):
        raise NotFound(N_("This item is no longer in the library."))
    return tool


async def tag_counts(session: AsyncSession) -> list[tuple[str, int]]:
    """Each tag once (compared without accents or case), in its accented form, most used first."""
    counts: Counter[str] = Counter()
    shown: dict[str, str] = {}
    for tool in await active_tools(session):
        keys = set()
        for tag in tool.tags or ():
            key = tag_key(tag)
            keys.add(key)
            form = key if key in TAG_LABELS else tag
            if key not in shown or _accents(form) > _accents(shown[key]):
                shown[key] = form
        counts.update(keys)
    return sorted(((shown[key], n) for key, n in counts.items()),
                  key=lambda item: (-item[1], tag_key(item[0])))


async def by_tag(session: AsyncSession, tag: str) -> list[PracticeTool]:
    """The items with this tag, written with or without accents, in either case."""
    key = tag_key(tag)
    return [tool for tool in await active_tools(session)
            if key in {tag_key(t) for t in tool.tags or ()}]


def _tokens(text: str) -> list[str]:
    return [tok for tok in normalise(text).split() if tok not in STOPWORDS and len(tok) > 1]


def _tool_tokens(tool: PracticeTool) -> tuple[list[str], list[str]]:
    """(title tokens, other tokens), both languages, accents folded."""
    title = _tokens(f"{tool.title_fr or ''} {tool.title_en or ''}")
    tags = " ".join(f"{tag} {TAG_WORDS.get(tag, '')}" for tag in tool.tags or ())
    rest = _tokens(" ".join([
        tool.summary_fr or "", tool.summary_en or "", (tool.body_fr or "")[:800],
        (tool.body_en or "")[:800], tags.replace("-", " "), tool.organisation or "",
    ]))
    return list(dict.fromkeys(title)), list(dict.fromkeys(rest))


def _best(word: str, tokens: list[str]) -> float:
    if not tokens:
        return 0.0
    if len(word) >= 4 and any(tok.startswith(word) for tok in tokens):
        return 100.0
    match = process.extractOne(word, tokens, scorer=fuzz.ratio)
    return float(match[1]) if match else 0.0


def score(query_words: list[str], tool: PracticeTool) -> float:
    """0-100: how well every query word matches a word of the item (title words weigh more)."""
    title, rest = _tool_tokens(tool)
    if not query_words:
        return 0.0
    total = 0.0
    for word in query_words:
        total += max(_best(word, title), 0.92 * _best(word, rest))
    return total / len(query_words)


async def search(session: AsyncSession, query: str, *, limit: int = 8
                 ) -> list[tuple[PracticeTool, float]]:
    """Items matching ``query`` in French or English, typos and accents forgiven, best first."""
    words = _tokens(query)
    if not words:
        return []
    scored = [(tool, score(words, tool)) for tool in await active_tools(session)]
    hits = [(tool, s) for tool, s in scored if s >= MATCH_THRESHOLD]
    hits.sort(key=lambda item: (-item[1], item[0].id))
    return hits[:limit]


# ---- changes from the chat ---------------------------------------------------------------


def may_edit(worker: Worker, tool: PracticeTool) -> bool:
    """Administrators edit everything; coordinators items of their regions, province-wide items
    and their own."""
    if worker.is_admin:
        return True
    if not worker.is_coordinator:
        return False
    return (tool.author_id == worker.id or not tool.regions
            or bool(set(tool.regions) & set(worker.regions)))


def require_editor(worker: Worker, tool: PracticeTool | None = None) -> None:
    if not worker.is_coordinator or (tool is not None and not may_edit(worker, tool)):
        raise NotAllowed(N_("Only the coordinators of its regions can change this item."))


async def editable_tool(session: AsyncSession, worker: Worker, tool_id: int) -> PracticeTool:
    """An item that is still in the library and that ``worker`` may change (edit or retire)."""
    tool = await get_tool(session, tool_id)
    require_editor(worker, tool)
    return tool


def check_length(text: str, limit: int) -> str:
    text = text.strip()
    if not text:
        raise InvalidInput(N_("Please write some text."))
    if len(text) > limit:
        raise InvalidInput(N_("Too long: at most {max} characters."), max=limit)
    return text


def _unique_tags(raw: Iterable[str]) -> list[str]:
    """Stored forms, each tag once (compared without accents or case), the accented kept."""
    chosen: dict[str, str] = {}
    for tag in raw:
        form = tag_form(tag)
        key = tag_key(form)
        if form and (key not in chosen or _accents(form) > _accents(chosen[key])):
            chosen[key] = form
    return list(chosen.values())


def parse_tags(text: str) -> list[str]:
    return _unique_tags(_list(text))[:8]


async def _with_library_forms(session: AsyncSession, tags: list[str]) -> list[str]:
    """A tag already in the library keeps one written form: the accented one."""
    forms = dict(await tag_counts(session))
    known = {tag_key(form): form for form in forms}
    return [known[tag_key(tag)] if tag_key(tag) in known
            and _accents(known[tag_key(tag)]) >= _accents(tag) else tag for tag in tags]


def link_or_text(value: str) -> tuple[str | None, str | None]:
    """A message that is one link is the item's link; anything else is its text."""
    value = value.strip()
    if re.match(r"^https?://\S+$", value) and len(value) <= URL_MAX:
        return value, None
    return None, check_length(value, BODY_MAX)


async def add_tool(
    session: AsyncSession, *, author: Worker, lang: str, title: str, summary: str,
    content: str, tags: str, now: datetime, today: date,
) -> PracticeTool:
    """A new item written in ``lang`` by a coordinator (texts already screened)."""
    require_editor(author)
    title = check_length(title, TITLE_MAX)
    summary = check_length(summary, SUMMARY_MAX)
    url, body = link_or_text(content)
    tool = PracticeTool(
        key=f"{slug(title)[:60]}-{secrets.token_hex(3)}", url=url,
        tags=await _with_library_forms(session, parse_tags(tags)),
        regions=[] if author.is_admin else author.regions,
        organisation=author.organisation.name if author.organisation else author.display_name,
        published_on=today, source="chat", author_id=author.id, created_at=now, updated_at=now,
    )
    setattr(tool, f"title_{lang}", title)
    setattr(tool, f"summary_{lang}", summary)
    setattr(tool, f"body_{lang}", body)
    session.add(tool)
    await session.flush()
    await audit.record(session, at=now, action="tools.added", actor=author,
                       subject_type="practice_tool", subject_id=str(tool.id))
    return tool


EDITABLE = ("title", "summary", "content", "tags")


async def edit_tool(
    session: AsyncSession, *, worker: Worker, tool_id: int, field_name: str, value: str,
    lang: str, now: datetime,
) -> PracticeTool:
    """Change one field; texts go to the ``lang`` version (so this also adds a translation)."""
    tool = await get_tool(session, tool_id)
    require_editor(worker, tool)
    if field_name == "title":
        setattr(tool, f"title_{lang}", check_length(value, TITLE_MAX))
    elif field_name == "summary":
        setattr(tool, f"summary_{lang}", check_length(value, SUMMARY_MAX))
    elif field_name == "content":
        url, body = link_or_text(value)
        if url is not None:
            tool.url = url
        else:
            setattr(tool, f"body_{lang}", body)
    elif field_name == "tags":
        tool.tags = await _with_library_forms(session, parse_tags(value))
    else:
        raise InvalidInput(N_("This field cannot be changed."))
    tool.updated_at = now
    await audit.record(session, at=now, action="tools.edited", actor=worker,
                       subject_type="practice_tool", subject_id=str(tool.id), field=field_name)
    return tool


async def retire_tool(session: AsyncSession, *, worker: Worker, tool_id: int, now: datetime
                      ) -> PracticeTool:
    tool = await get_tool(session, tool_id)
    require_editor(worker, tool)
    tool.retired_at = now
    tool.updated_at = now
    await audit.record(session, at=now, action="tools.retired", actor=worker,
                       subject_type="practice_tool", subject_id=str(tool.id))
    return tool
