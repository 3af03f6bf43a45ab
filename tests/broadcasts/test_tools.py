"""The community of practice: import (YAML, CSV, all or nothing), search, add and retire."""

from __future__ import annotations

import textwrap

from sqlalchemy import func, select

from bot.models.tools import PracticeTool
from bot.services import tools

GOOD_YAML = textwrap.dedent("""\
    tools:
      - key: guide-hebergement
        title: {fr: "Guide d'hébergement d'urgence", en: Emergency shelter guide}
        summary: {fr: Où orienter un jeune la nuit., en: Where to refer a youth at night.}
        url: https://example.org/guide
        tags: [guide]
        regions: ["06"]
        organisation: Organisme test (fictif)
        date: 2025-06-01
      - key: checklist-securite
        title: {fr: Liste de vérification sécurité}
        summary: {fr: Les points à vérifier avant une sortie.}
        text: {fr: Vérifier le transport et la personne de confiance.}
        tags: [checklist, safety]
        organisation: Organisme test (fictif)
    """)

GOOD_CSV = (
    "key,title_fr,title_en,summary_fr,summary_en,url,text_fr,text_en,tags,regions,organisation,date\n"
    "formation-leurre,Formation sur le leurre,Training on luring,Deux heures en ligne.,"
    "Two hours online.,https://example.org/f,,,training;online,06;13,Organisme test (fictif),"
    "2025-05-01\n"
)


async def count(app) -> int:  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(PracticeTool)) or 0)


async def test_yaml_and_csv_import_then_update_by_key(app, tmp_path):
    (tmp_path / "a.yaml").write_text(GOOD_YAML, encoding="utf-8")
    (tmp_path / "b.csv").write_text(GOOD_CSV, encoding="utf-8")
    report = await tools.import_file(app, tmp_path / "a.yaml")
    assert report.ok and (report.created, report.updated) == (2, 0)
    report = await tools.import_file(app, tmp_path / "b.csv")
    assert report.ok and report.created == 1
    async with app.sessionmaker() as session:
        item = await session.scalar(select(PracticeTool).where(PracticeTool.key == "formation-leurre"))
        assert item.tags == ["training", "online"] and item.regions == ["06", "13"]
        assert item.title_en == "Training on luring"
    report = await tools.import_file(app, tmp_path / "a.yaml")
    assert (report.created, report.updated) == (0, 2)
    assert await count(app) == 3


async def test_malformed_file_changes_nothing_and_names_rows_and_fields(app, tmp_path):
    (tmp_path / "a.yaml").write_text(GOOD_YAML, encoding="utf-8")
    await tools.import_file(app, tmp_path / "a.yaml")
    bad = GOOD_YAML.replace("Emergency shelter guide", "Emergency shelter guide UPDATED") + (
        "  - key: broken\n"
        "    summary: {fr: Sans titre}\n"
        "    url: ftp://nope\n"
        "    regions: ['99']\n"
        "    organisation: X\n"
        "    date: 2025-13-45\n"
    )
    (tmp_path / "bad.yaml").write_text(bad, encoding="utf-8")
    report = await tools.import_file(app, tmp_path / "bad.yaml")
    problems = {(p.row, p.field) for p in report.problems}
    assert {(3, "title"), (3, "url"), (3, "regions"), (3, "date")} <= problems, report.problems
    async with app.sessionmaker() as session:
        titles = (await session.scalars(select(PracticeTool.title_en))).all()
    assert "Emergency shelter guide" in titles  # the good row was not applied either
    assert await count(app) == 2
    csv_bad = GOOD_CSV + "dup,,,,,,,,,,,\n" + GOOD_CSV.splitlines()[1] + "\n"
    (tmp_path / "bad.csv").write_text(csv_bad, encoding="utf-8")
    report = await tools.import_file(app, tmp_path / "bad.csv")
    fields = {(p.row, p.field) for p in report.problems}
    assert (3, "title") in fields and (3, "organisation") in fields and (4, "key") in fields
    assert await count(app) == 2
    (tmp_path / "syntax.yaml").write_text("tools: [ {title: ", encoding="utf-8")
    assert not (await tools.import_file(app, tmp_path / "syntax.yaml")).ok
    assert await count(app) == 2


async def test_identifying_text_in_a_file_is_refused(app, tmp_path):
    flagged = GOOD_YAML.replace("Où orienter un jeune la nuit.",
                                "Appeler la jeune au 514-555-0199 la nuit.")
    (tmp_path / "f.yaml").write_text(flagged, encoding="utf-8")
    report = await tools.import_file(app, tmp_path / "f.yaml")
    assert [(p.row, p.field) for p in report.problems] == [(1, "summary_fr")]
    assert "PHONE" in report.problems[0].message and "514" not in report.problems[0].message
    assert await count(app) == 0


async def test_starter_set_loads_once(app):
    assert await tools.ensure_starter_tools(app) >= 10
    assert await tools.ensure_starter_tools(app) == 0
    async with app.sessionmaker() as session:
        items = await tools.active_tools(session)
    assert all(t.title_fr and t.title_en for t in items)
    assert any("1-833-900-1010" in (t.body_en or "") for t in items)


async def test_search_in_both_languages_fuzzy_and_without_accents(app):
    await tools.ensure_starter_tools(app)
    async with app.sessionmaker() as session:
        async def top(query: str) -> str:
            hits = await tools.search(session, query)
            assert hits, query
            return hits[0][0].key

        assert await top("plan de securite") == "plan-securite"  # no accents
        assert await top("safety plan") == "plan-securite"  # English
        assert await top("recrutement en ligne") == "checklist-recrutement-en-ligne"
        assert await top("online recruitment") == "checklist-recrutement-en-ligne"
        assert await top("chekclist recrutment") == "checklist-recrutement-en-ligne"  # typos
        assert await top("traite personnes") == "hotline-traite-personnes"
        assert await top("human trafficking hotline") == "hotline-traite-personnes"
        assert await top("TRANSFERT PERSONNALISÉ") == "bonne-pratique-transfert-personnalise"
        assert await tools.search(session, "zxqv wplk") == []


async def test_search_and_browse_in_the_chat(bchat, app):
    await tools.ensure_starter_tools(app)
    await bchat.register("bob", lang="en")
    events = await bchat.say("bob", "/tools safety plan")
    assert "Safety plan to build" in bchat.texts("bob", events)
    events = await bchat.press("bob", 1)
    shown = bchat.texts("bob", events)
    assert "trusted people" in shown and "all of Québec" in shown
    assert bchat.buttons("bob") == [b for b in bchat.buttons("bob") if "Edit" not in b]
    events = await bchat.say("bob", "/tools")
    assert any("training" in label for label in bchat.buttons("bob"))
    events = await bchat.press("bob", "training")
    assert "Training: trauma-informed" in bchat.texts("bob", events)
    events = await bchat.say("bob", "/tools formation trauma", lang="fr")
    assert "trauma" in bchat.texts("bob", events).lower()


async def test_coordinator_adds_edits_and_retires_an_item(bchat, app):
    await bchat.register("alice", role="coordinator", regions=("06",), lang="fr")
    await bchat.register("bob", regions=("06",), lang="en")
    await bchat.say("alice", "/tools add")
    await bchat.say("alice", "Répertoire des ressources de nuit")
    await bchat.say("alice", "Les ressources ouvertes la nuit à Montréal.")
    await bchat.say("alice", "https://example.org/nuit")
    events = await bchat.say("alice", "contacts, hébergement")
    shown = bchat.texts("alice", events)
    assert "Ajoutée à la bibliothèque" in shown and "Répertoire des ressources de nuit" in shown
    assert "06 Montréal" in shown
    # bob finds it with an English query? No English version yet: a French query works
    events = await bchat.say("bob", "/tools ressources nuit")
    assert "Répertoire des ressources de nuit" in bchat.texts("bob", events)
    # alice adds the English title through Edit (her texts go into her language: French)
    await bchat.say("alice", "/tools ressources nuit")
    await bchat.press("alice", 1)
    await bchat.press("alice", "Modifier")
    await bchat.press("alice", "Titre")
    events = await bchat.say("alice", "Ressources de nuit — répertoire")
    assert "Ressources de nuit — répertoire" in bchat.texts("alice", events)
    # a flagged text is refused and not stored
    await bchat.press("alice", "Modifier")
    await bchat.press("alice", "Résumé")
    events = await bchat.say("alice", "Demander Jessica Tremblay, 514-555-0199.")
    assert "delete" in [e.kind for e in events]
    async with app.sessionmaker() as session:
        item = await session.scalar(select(PracticeTool))
        assert "514" not in (item.summary_fr or "")
    # retire
    await bchat.say("alice", "/tools ressources nuit")
    await bchat.press("alice", 1)
    await bchat.press("alice", "Retirer")
    events = await bchat.press("alice", "Oui, la retirer")
    assert "a été retirée" in bchat.texts("alice", events)
    events = await bchat.say("bob", "/tools ressources nuit")
    assert "Nothing found" in bchat.texts("bob", events)


async def test_workers_cannot_add_items(bchat, app):
    await bchat.register("bob", lang="en")
    events = await bchat.say("bob", "/tools add")
    assert "Only the coordinators" in bchat.texts("bob", events)
    assert await count(app) == 0
