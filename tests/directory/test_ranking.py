"""Eligibility and ranking on hand-made index entries (no database): each rule can fail alone."""

from __future__ import annotations

from bot.services.directory import Criteria, rank
from bot.services.directory.search import LINE, LOCAL, NEIGHBOUR, PROVINCE
from knowledge.regions import load_regions, neighbours
from tests.directory.conftest import NOW, capacity, entry, hours, index_of, verified

SHELTER = "hebergement-urgence-jeunesse"
ALL = frozenset(load_regions())


def ids(outcome) -> list[int]:  # type: ignore[no-untyped-def]
    return [r.entry.id for r in outcome.results]


def test_age_bounds_are_hard_filters() -> None:
    index = index_of(entry(1, min_age=12, max_age=17), entry(2, min_age=18, max_age=24),
                     entry(3, min_age=None, max_age=None), entry(4, min_age=16, max_age=None))
    assert set(ids(rank(index, Criteria(regions=("16",), age=17), now=NOW, limit=10))) == {1, 3, 4}
    assert set(ids(rank(index, Criteria(regions=("16",), age=18), now=NOW, limit=10))) == {2, 3, 4}
    assert set(ids(rank(index, Criteria(regions=("16",), age=12), now=NOW, limit=10))) == {1, 3}
    assert set(ids(rank(index, Criteria(regions=("16",)), now=NOW, limit=10))) == {1, 2, 3, 4}


def test_region_and_needs_and_status() -> None:
    index = index_of(
        entry(1), entry(2, regions=frozenset({"06"})), entry(3, status="inactive"),
        entry(4, status="temporarily closed"), entry(5, categories=frozenset({"dpj"})),
        entry(6, categories=frozenset({"dpj", SHELTER}), regions=frozenset({"06", "16"})),
    )
    found = rank(index, Criteria(regions=("16",), needs=(SHELTER,)), now=NOW, limit=10)
    assert ids(found)[:2] == [1, 6] or ids(found)[:2] == [6, 1]
    assert ids(found)[2:] == [2]  # fewer than three can take the youth: Montréal next door
    assert found.results[2].kind == NEIGHBOUR and found.results[2].via_region == "06"
    assert set(ids(rank(index, Criteria(regions=("16",), needs=("dpj",)), now=NOW, limit=10))) == {5, 6}
    assert set(ids(rank(index, Criteria(regions=("16",)), now=NOW, limit=10))) == {1, 5, 6}
    assert ids(rank(index, Criteria(needs=(SHELTER,)), now=NOW, limit=10)) == []  # region required


def test_open_now_ranks_before_closed_and_now_filters_closed() -> None:
    # NOW is Thursday 10:00 in Québec
    index = index_of(
        entry(1, name="A closed", openings=hours("18:00", "23:00")),
        entry(2, name="B open", openings=hours("08:00", "17:00")),
        entry(3, name="C unknown"),
        entry(4, name="D 24/7", open_24_7=True),
        entry(5, name="E overnight", openings=hours("20:00", "08:00")),
    )
    found = rank(index, Criteria(regions=("16",)), now=NOW, limit=10)
    assert ids(found)[:2] == [2, 4] or ids(found)[:2] == [4, 2]
    assert ids(found)[2] == 3 and set(ids(found)[3:]) == {1, 5}
    assert {r.entry.id: r.open_now for r in found.results} == {1: False, 2: True, 3: None, 4: True, 5: False}
    now_only = rank(index, Criteria(regions=("16",), now=True), now=NOW, limit=10)
    assert set(ids(now_only)) == {2, 3, 4}
    night = NOW.replace(hour=6)  # 01:00 in Québec: only the overnight and 24/7 ones
    assert set(ids(rank(index, Criteria(regions=("16",), now=True), now=night, limit=10))) == {3, 4, 5}


def test_fresh_capacity_before_unknown_before_full_or_stale() -> None:
    index = index_of(
        entry(1, name="A stale", capacity=capacity(5, hours_ago=30)),
        entry(2, name="B fresh", capacity=capacity(2, hours_ago=3)),
        entry(3, name="C full", capacity=capacity(0, hours_ago=1)),
        entry(4, name="D none"),
    )
    found = rank(index, Criteria(regions=("16",)), now=NOW, limit=10)
    assert ids(found)[0] == 2
    assert ids(found)[-1] == 3
    fresh = {r.entry.id: r.capacity_fresh for r in found.results}
    assert fresh == {1: False, 2: True, 3: True, 4: False}


def test_language_then_verification() -> None:
    index = index_of(
        entry(1, name="A fr", languages=("fr",), assured_date=verified(2)),
        entry(2, name="B en", languages=("fr", "en"), assured_date=verified(300)),
        entry(3, name="C fr old", languages=("fr",), assured_date=verified(200)),
    )
    english = rank(index, Criteria(regions=("16",), language="en"), now=NOW, limit=10)
    assert ids(english) == [2, 1, 3]
    any_language = rank(index, Criteria(regions=("16",)), now=NOW, limit=10)
    assert ids(any_language) == [1, 3, 2]


def test_open_outweighs_capacity_and_capacity_outweighs_language() -> None:
    index = index_of(
        entry(1, name="A closed with beds", openings=hours("18:00", "23:00"),
              capacity=capacity(3, 1), languages=("en",)),
        entry(2, name="B open no info", open_24_7=True, languages=("fr",)),
        entry(3, name="C open with beds", open_24_7=True, capacity=capacity(1, 2)),
    )
    assert ids(rank(index, Criteria(regions=("16",), language="en"), now=NOW, limit=5)) == [3, 2, 1]


def test_keywords_break_ties() -> None:
    index = index_of(entry(1, name="A"), entry(2, name="B", tokens=frozenset({"filles", "refuge"})))
    assert ids(rank(index, Criteria(regions=("16",), keywords=("filles",)), now=NOW, limit=5)) == [2, 1]


def test_paging_covers_every_result_once() -> None:
    index = index_of(*(entry(i, name=f"S{i:02}", assured_date=verified(i * 20)) for i in range(1, 11)))
    seen = []
    for page in range(4):
        outcome = rank(index, Criteria(regions=("16",)), now=NOW, limit=3, offset=page * 3)
        seen += ids(outcome)
        assert outcome.total == 10
        assert outcome.has_more == (page < 3)
    assert sorted(seen) == list(range(1, 11)) and len(seen) == 10


def test_nothing_local_offers_neighbours_and_province_lines_labelled() -> None:
    near = neighbours("09")[0]
    assert "06" not in neighbours("09")
    index = index_of(
        entry(1, regions=frozenset({near}), name="Neighbour shelter"),
        entry(2, regions=frozenset({"06"}), name="Far shelter"),
        entry(3, regions=ALL, province_wide=True, open_24_7=True, categories=frozenset({"lignes-aide"}),
              min_age=None, max_age=None, name="Line 24/7"),
        entry(4, regions=ALL, province_wide=True, open_24_7=False, categories=frozenset({"lignes-aide"}),
              name="Line daytime"),
    )
    found = rank(index, Criteria(regions=("09",), needs=(SHELTER,), age=15), now=NOW, limit=10)
    assert found.nothing_local
    assert [(r.entry.id, r.kind) for r in found.results] == [(1, NEIGHBOUR), (3, LINE)]
    assert found.results[0].via_region == near


def test_local_results_need_no_fallback_and_province_wide_is_labelled() -> None:
    index = index_of(entry(1), entry(3, regions=ALL, province_wide=True, open_24_7=True))
    found = rank(index, Criteria(regions=("16",), needs=(SHELTER,)), now=NOW, limit=10)
    assert not found.nothing_local
    assert {(r.entry.id, r.kind) for r in found.results} == {(1, LOCAL), (3, PROVINCE)}


def brute_force(index, criteria, now, limit, offset=0):  # type: ignore[no-untyped-def]
    """The reference: score every eligible entry and sort (what the bucket scan must equal)."""
    from bot.services.directory.ranking import eligible, score

    cache: dict = {}
    terms = frozenset(criteria.keywords)
    found = []
    for e in index.entries:
        serves = e.province_wide or bool(e.regions & set(criteria.regions))
        if not serves or not eligible(e, criteria):
            continue
        if criteria.needs and not e.categories & set(criteria.needs):
            continue
        s = score(e, criteria, now, cache, terms)
        if criteria.now and s.open_now is False:
            continue
        found.append(s)
    found.sort(key=lambda s: (-s.score, s.entry.name.casefold(), s.entry.id))
    return [s.entry.id for s in found][offset : offset + limit], len(found)


def test_bucket_scan_equals_brute_force_ranking() -> None:
    import random
    from datetime import timedelta

    rng = random.Random(3)
    cats = ["hebergement-urgence-jeunesse", "dpj", "travail-de-rue", "sante-sexuelle"]
    entries = []
    for i in range(1, 400):
        province = rng.random() < 0.05
        entries.append(entry(
            i, name=f"S{rng.randrange(60):02}",
            regions=ALL if province else frozenset(rng.sample(["06", "13", "16"], rng.choice([1, 1, 2]))),
            province_wide=province,
            categories=frozenset(rng.sample(cats, rng.choice([1, 2]))),
            min_age=rng.choice([None, 12, 14, 16]), max_age=rng.choice([None, 17, 21]),
            status="active" if rng.random() > 0.1 else "inactive",
            open_24_7=rng.random() < 0.2,
            openings=rng.choice([(), hours("08:00", "17:00"), hours("20:00", "08:00"), hours("09:00", "12:00", "MO,WE")]),
            capacity=rng.choice([None, capacity(rng.randrange(4), rng.choice([1, 5, 30]))]),
            languages=tuple(rng.sample(["fr", "en", "es"], rng.randrange(3))),
            assured_date=rng.choice([None, verified(rng.randrange(500))]),
            tokens=frozenset(rng.sample(["filles", "nuit", "refuge", "clinique"], rng.randrange(3))),
        ))
    index = index_of(*entries)
    for trial in range(150):
        criteria = Criteria(
            regions=tuple(rng.sample(["06", "13", "16"], rng.choice([1, 1, 2]))),
            needs=tuple(rng.sample(cats, rng.choice([0, 1, 1, 2]))),
            age=rng.choice([None, 13, 16, 17, 19]), language=rng.choice([None, "en"]),
            now=rng.random() < 0.4, keywords=tuple(rng.sample(["filles", "nuit"], rng.randrange(2))),
        )
        when = NOW + timedelta(hours=rng.randrange(0, 24 * 7))
        limit, offset = rng.choice([3, 5]), rng.choice([0, 0, 3])
        expected, total = brute_force(index, criteria, when, limit, offset)
        outcome = rank(index, criteria, now=when, limit=limit, offset=offset)
        assert ids(outcome) == expected, (trial, criteria)
        assert outcome.has_more == (total > offset + limit)
        assert outcome.total in (-1, total)


def test_fewer_than_three_takers_add_neighbours_nearest_first_then_full_then_lines() -> None:
    """Montréal: one shelter with a bed and one full; Laval, Longueuil and Lanaudière next door
    (nearest first), the 24/7 lines last."""
    index = index_of(
        entry(1, regions=frozenset({"06"}), name="Montréal bed", capacity=capacity(1, 1)),
        entry(2, regions=frozenset({"06"}), name="Montréal full", capacity=capacity(0, 1)),
        entry(3, regions=frozenset({"14"}), name="Lanaudière bed", capacity=capacity(3, 1)),
        entry(4, regions=frozenset({"13"}), name="Laval bed", capacity=capacity(1, 1)),
        entry(5, regions=frozenset({"16"}), name="Longueuil bed", capacity=capacity(2, 1)),
        entry(6, regions=frozenset({"13"}), name="Laval full", capacity=capacity(0, 1)),
        entry(7, regions=frozenset({"05"}), name="Estrie bed (not a neighbour)"),
        entry(8, regions=ALL, province_wide=True, open_24_7=True, min_age=None, max_age=None,
              categories=frozenset({"lignes-aide"}), name="Line 24/7"),
    )
    found = rank(index, Criteria(regions=("06",), needs=(SHELTER,), age=15), now=NOW, limit=10)
    assert found.widened and not found.nothing_local
    assert ids(found) == [1, 4, 5, 3, 2, 6, 8]
    assert [r.via_region for r in found.results] == [None, "13", "16", "14", None, "13", None]
    assert [r.kind for r in found.results] == [LOCAL, NEIGHBOUR, NEIGHBOUR, NEIGHBOUR, LOCAL,
                                               NEIGHBOUR, LINE]


def test_three_takers_need_no_neighbours_unless_asked() -> None:
    index = index_of(entry(1), entry(2), entry(3), entry(4, regions=frozenset({"06"})))
    found = rank(index, Criteria(regions=("16",), needs=(SHELTER,)), now=NOW, limit=10)
    assert not found.widened and set(ids(found)) == {1, 2, 3}
    asked = rank(index, Criteria(regions=("16",), needs=(SHELTER,), near=True), now=NOW, limit=10)
    assert asked.widened and ids(asked)[0] == 4 and asked.results[0].via_region == "06"
    assert set(ids(asked)[1:]) == {1, 2, 3}  # the region's own, already seen, after


def test_services_already_tried_do_not_count_as_takers() -> None:
    index = index_of(entry(1), entry(2), entry(3), entry(4, regions=frozenset({"06"})))
    found = rank(index, Criteria(regions=("16",), needs=(SHELTER,)), now=NOW, limit=10,
                 exclude=frozenset({1}))
    assert ids(found) == [2, 3, 4] or ids(found) == [3, 2, 4]
    assert found.results[-1].via_region == "06"


def test_closed_ones_rank_below_open_ones_and_are_left_out_when_needed_now() -> None:
    index = index_of(entry(1, name="A closed", openings=hours("18:00", "23:00")),
                     entry(2, name="B open", openings=hours("08:00", "17:00")))
    assert ids(rank(index, Criteria(regions=("16",)), now=NOW, limit=10))[:2] == [2, 1]
    assert 1 not in ids(rank(index, Criteria(regions=("16",), now=True), now=NOW, limit=10))


def test_located_here_before_serving_from_elsewhere() -> None:
    """A detox programme in Sainte-Agathe that serves Lanaudière ranks below the shelter in
    Terrebonne, other things equal."""
    index = index_of(
        entry(1, name="A detox in Sainte-Agathe", regions=frozenset({"14", "15"}),
              city="Sainte-Agathe-des-Monts", categories=frozenset({"dependances"}), open_24_7=True),
        entry(2, name="B shelter in Terrebonne", regions=frozenset({"14"}), city="Terrebonne",
              open_24_7=True),
        entry(3, name="C office in Joliette", regions=frozenset({"14"}), city="Joliette",
              categories=frozenset({"dpj"}), open_24_7=True),
    )
    found = rank(index, Criteria(regions=("14",), place="Terrebonne"), now=NOW, limit=10)
    assert ids(found) == [2, 3, 1]
    assert ids(rank(index, Criteria(regions=("14",)), now=NOW, limit=10)) == [2, 3, 1]


def test_a_minor_without_an_age_leaves_adult_only_services_out() -> None:
    index = index_of(entry(1, min_age=12, max_age=17), entry(2, min_age=18, max_age=24),
                     entry(3, min_age=None, max_age=None), entry(4, min_age=16, max_age=24))
    found = rank(index, Criteria(regions=("16",), youth=True), now=NOW, limit=10)
    assert set(ids(found)) == {1, 3, 4}


def test_widened_answer_pages_cover_the_same_order() -> None:
    import random

    rng = random.Random(7)
    near = ("06", "13", "14", "15", "04", "07", "08")
    entries = [entry(i, name=f"S{i:03}", regions=frozenset({rng.choice(near)}),
                     capacity=rng.choice([None, capacity(0, 1), capacity(2, 1)]),
                     openings=rng.choice([(), hours("08:00", "17:00"), hours("18:00", "23:00")]),
                     assured_date=verified(rng.randrange(400)))
               for i in range(1, 120)]
    index = index_of(*entries)
    criteria = Criteria(regions=("15",), needs=(SHELTER,))
    whole = ids(rank(index, criteria, now=NOW, limit=60))
    paged: list[int] = []
    for page in range(20):
        paged += ids(rank(index, criteria, now=NOW, limit=3, offset=page * 3))
    assert paged == whole[:60] and len(set(paged)) == len(paged)
