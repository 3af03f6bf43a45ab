"""The invented sample directory: counts, coverage, ids, phones, categories, HSDS validity."""

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from knowledge.places import load_gazetteer
from knowledge.regions import load_regions
from knowledge.sample import load_sample_directory, sample_directory_path
from knowledge.taxonomy import load_taxonomy

HOTLINE = "1-833-900-1010"
MARK = "[Données fictives / Sample data]"
HSDS = Path(__file__).resolve().parents[1] / "data" / "hsds" / "schema" / "compiled"


@pytest.fixture(scope="module")
def data():
    return load_sample_directory()


@pytest.fixture(scope="module")
def services(data):
    return [s for o in data["organizations"] for s in o["services"]]


def service_regions(service):
    """Regions served: x_regions, else service_areas names, else the address city."""
    gaz = load_gazetteer()
    if "x_regions" in service:
        codes = service["x_regions"]
        return list(load_regions()) if codes == ["*"] else codes
    codes = []
    for area in service.get("service_areas", []):
        codes += [c for m in gaz.resolve(area["name"])[:1] if m.score == 100 for c in m.region_codes]
    if not codes:
        for sal in service.get("service_at_locations", []):
            for addr in sal["location"]["addresses"]:
                codes += list(gaz.resolve(addr["city"])[0].region_codes)
    return codes


def test_file_and_notice(data):
    assert sample_directory_path().is_file()
    assert "invented" in data["_notice"].lower() and HOTLINE in data["_notice"]


def test_counts_and_region_coverage(data, services):
    assert len(data["organizations"]) >= 40
    assert len(services) >= 85
    per_region = Counter(c for s in services for c in set(service_regions(s)))
    for code in load_regions():
        assert per_region[code] >= 3, code
    for code in ("06", "16", "03", "13", "05", "07"):
        assert per_region[code] >= 8, code
    assert sum(s.get("x_regions") == ["*"] for s in services) >= 3


def test_descriptions_marked_as_sample(data, services):
    for org in data["organizations"]:
        assert MARK in org["description"]
    for service in services:
        assert MARK in service["description"] and MARK in service["x_description_en"]


def test_ids_unique_and_uuid(data, services):
    ids = []

    def walk(node):
        if isinstance(node, dict):
            if "id" in node and not (isinstance(node.get("code"), str) and "taxonomy" in node):
                ids.append(node["id"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(data["organizations"])
    uuid_re = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
    assert all(uuid_re.match(i) for i in ids)
    # shared objects (taxonomy terms, the bed unit) reuse one id on purpose; everything else is unique
    unit_ids = {c["unit"]["id"] for s in services for c in s.get("capacities", [])}
    counts = Counter(i for i in ids if i not in unit_ids)
    assert [i for i, n in counts.items() if n > 1] == []
    assert len(unit_ids) == 1


def test_phones_are_fictional_except_the_hotline(services):
    fictional = re.compile(r"^(1-8\d\d|\d{3})-555-01\d\d$")
    real = [p["number"] for s in services for p in s["phones"] if not fictional.match(p["number"])]
    assert real == [HOTLINE]


def test_categories_exist(services):
    tax = load_taxonomy()
    used = set()
    for s in services:
        assert s["attributes"]
        for a in s["attributes"]:
            term = a["taxonomy_term"]
            assert term["taxonomy"] == "relais" and term["code"] in tax.categories
            assert term["name"] == tax.label(term["code"], "fr")
            used.add(term["code"])
    assert used == set(tax.categories)


def test_region_codes_valid(services):
    regions = set(load_regions())
    for s in services:
        codes = s.get("x_regions")
        if codes is not None:
            assert codes == ["*"] or (codes and set(codes) <= regions), s["name"]
        assert set(service_regions(s)) <= regions and service_regions(s), s["name"]


def test_service_fields(services):
    statuses = Counter(s["status"] for s in services)
    assert statuses["temporarily closed"] >= 2 and statuses["inactive"] >= 1
    assert set(statuses) <= {"active", "inactive", "defunct", "temporarily closed"}
    for s in services:
        assert s["x_timezone"] == "America/Toronto"
        assert s["x_name_en"] and s["x_eligibility_en"]
        assert isinstance(s["x_open_24_7"], bool) and isinstance(s["x_confidential_address"], bool)
        assert s["x_verified_days_ago"] >= 0 and re.match(r"^\d{4}-\d{2}-\d{2}$", s["assured_date"])
        lo, hi = s.get("minimum_age"), s.get("maximum_age")
        if lo is not None and hi is not None:
            assert lo <= hi
        for lang in s["languages"]:
            assert 2 <= len(lang["code"]) <= 3
        if s["x_confidential_address"]:
            for sal in s.get("service_at_locations", []):
                for addr in sal["location"]["addresses"]:
                    assert "confidentiel" in addr["address_1"].lower()
                    assert len(addr["postal_code"]) == 3
    assert any(s["x_open_24_7"] for s in services) and any(not s["x_open_24_7"] for s in services)
    assert {lang["code"] for s in services for lang in s["languages"]} >= {"fr", "en", "es", "ht", "cr", "iu"}
    assert len({(s.get("minimum_age"), s.get("maximum_age")) for s in services}) >= 8


def test_capacity_timestamps(services):
    shelters = [s for s in services if any(a["taxonomy_term"]["code"] == "hebergement-urgence-jeunesse"
                                           for a in s["attributes"])]
    assert len(shelters) >= 17
    for s in shelters:
        (cap,) = s["capacities"]
        assert 0 <= cap["available"] <= cap["maximum"]
        assert re.search(r"[+-]\d\d:\d\d$", cap["updated"])
        assert cap["unit"]["name"] == "lit"
        assert s["x_updated_hours_ago"] == cap["x_updated_hours_ago"] >= 0
        assert s["x_confidential_address"]


def test_valid_hsds(data):
    import jsonschema
    service_schema = json.loads((HSDS / "service.json").read_text(encoding="utf-8"))
    org_schema = json.loads((HSDS / "organization.json").read_text(encoding="utf-8"))
    service_validator = jsonschema.Draft202012Validator(service_schema)
    org_validator = jsonschema.Draft202012Validator(org_schema)
    for org in data["organizations"]:
        assert not list(org_validator.iter_errors({k: v for k, v in org.items() if k != "services"}))
        for s in org["services"]:
            errors = [e.message for e in service_validator.iter_errors(s)]
            assert errors == [], (s["name"], errors[:3])
