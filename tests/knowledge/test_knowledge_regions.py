"""Regions: codes, names in both languages, aliases and neighbours."""

import pytest

from knowledge.regions import load_regions, neighbours, region_name


def test_seventeen_official_codes():
    regions = load_regions()
    assert list(regions) == [f"{i:02d}" for i in range(1, 18)]
    assert regions["16"].name_fr == "Montérégie"
    assert regions["05"].name_fr == "Estrie"


@pytest.mark.parametrize(
    ("code", "fr", "en"),
    [("06", "Montréal", "Montreal"), ("15", "Laurentides", "Laurentians"), ("13", "Laval", "Laval"),
     ("02", "Saguenay–Lac-Saint-Jean", "Saguenay–Lac-Saint-Jean")],
)
def test_region_name_both_languages(code, fr, en):
    assert region_name(code, "fr") == fr
    assert region_name(code, "en") == en


@pytest.mark.parametrize(
    ("alias", "code"),
    [("Lower St. Lawrence", "01"), ("Quebec City region", "03"), ("Eastern Townships", "05"),
     ("Cantons-de-l'Est", "05"), ("North Shore", "09"), ("Northern Quebec", "10"), ("Jamésie", "10"),
     ("Eeyou Istchee", "10"), ("Nunavik", "10"), ("Gaspé Peninsula", "11"), ("Magdalen Islands", "11"),
     ("Îles-de-la-Madeleine", "11"), ("Beauce", "12"), ("Laurentians", "15"), ("South Shore", "16"),
     ("Rive-Sud", "16"), ("Bois-Francs", "17"), ("Saguenay", "02"), ("Lac-Saint-Jean", "02"),
     ("Abitibi", "08"), ("Témiscamingue", "08"), ("Gaspésie", "11")],
)
def test_aliases(alias, code):
    assert alias in load_regions()[code].aliases


def test_neighbours_symmetric_and_known():
    regions = load_regions()
    for code in regions:
        for other in neighbours(code):
            assert other in regions and other != code
            assert code in neighbours(other), (code, other)
    assert set(neighbours("13")) == {"06", "14", "15"}
    assert {"13", "16"} <= set(neighbours("06"))
    assert "12" in neighbours("03")  # Québec–Lévis bridges
    assert neighbours("11") == ("01",)


def test_unknown_code_raises():
    with pytest.raises(KeyError):
        region_name("18")


def test_neighbour_map_matches_the_data_file_and_is_nearest_first():
    import json

    from knowledge.regions import DATA_DIR, NEIGHBOURS

    raw = json.loads((DATA_DIR / "regions.json").read_text(encoding="utf-8"))
    assert {r["code"]: set(r["neighbours"]) for r in raw["regions"]} == {
        code: set(near) for code, near in NEIGHBOURS.items()}
    assert neighbours("06") == ("13", "16", "14")  # Laval, Longueuil, then Lanaudière
    assert neighbours("15")[0] == "13" and neighbours("03")[0] == "12"
    assert neighbours("13")[0] == "06" and neighbours("16")[0] == "06"
