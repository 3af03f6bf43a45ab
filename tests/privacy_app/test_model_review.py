"""No column anywhere holds a youth's name, date of birth, address or another identifier.

Walks every table of ``Base.metadata`` (all features' models loaded) and fails on any column whose
name suggests identifying data, unless the (table, column) pair is in the commented allow list
below. A feature adding ``youth_name`` or ``date_of_birth`` makes this test fail: do not add such
a column; if a new column is legitimately about workers or directory services, add it to the
allow list with a comment saying why it never describes a youth.
"""

from __future__ import annotations

import re

import sqlalchemy as sa

from bot.db.base import Base
from bot.models import load_all_models

# Whole words of a column name (split on "_") that suggest identifying data.
SUSPECT_WORDS = {
    "name", "names", "nom", "prenom", "firstname", "lastname", "surname", "fullname", "nickname",
    "alias", "dob", "birth", "birthday", "birthdate", "born", "naissance", "ddn", "age_exact",
    "address", "addresses", "adresse", "street", "rue", "civic", "postal", "postcode", "zip",
    "apartment", "apt", "phone", "phones", "tel", "telephone", "cell", "mobile",
    "email", "mail", "courriel", "ramq", "nam", "nas", "sin", "ssn", "insurance", "passport",
    "licence", "license", "handle", "username", "instagram", "snapchat", "tiktok", "facebook",
    "school", "ecole", "photo", "picture", "selfie", "ip", "latitude", "longitude", "lat", "lon",
    "gps", "identity", "guardian", "mother", "father",
}
# Fragments that are suspicious anywhere in a column name.
SUSPECT_FRAGMENTS = ("birth", "naissance", "address", "adress", "phone", "email", "courriel",
                     "surname", "firstname", "lastname", "prenom", "ramq", "username", "school")

# Allowed (table, column) pairs, each with the reason it never identifies a youth.
ALLOWED = {
    # Workers and partner organisations: professionals using Relais, not youth.
    ("workers", "display_name"),
    ("organisations", "name"),
    # The public service directory (HSDS): organisations, services, their sites and published
    # contact points. Confidential shelter addresses carry a flag and are never shown in chat.
    ("directory_organizations", "name"),
    ("directory_organizations", "name_en"),
    ("directory_organizations", "alternate_name"),
    ("directory_organizations", "email"),
    ("directory_services", "name"),
    ("directory_services", "name_en"),
    ("directory_services", "alternate_name"),
    ("directory_services", "email"),
    ("directory_services", "confidential_address"),  # a yes/no flag, not an address
    ("directory_reports", "service_name"),  # the reported listing's public name
    ("directory_locations", "name"),
    ("directory_locations", "alternate_name"),
    ("directory_locations", "latitude"),  # a service site, never a youth's whereabouts
    ("directory_locations", "longitude"),
    ("directory_addresses", "address_1"),  # addresses of service sites
    ("directory_addresses", "address_2"),
    ("directory_addresses", "postal_code"),
    ("directory_addresses", "address_type"),
    ("directory_service_areas", "name"),  # an area a service covers
    ("directory_languages", "name"),  # a language a service offers
    ("directory_languages", "phone_id"),  # link to a service's phone line
    ("directory_contacts", "name"),  # a service's published staff contact
    ("directory_contacts", "email"),
    ("directory_taxonomies", "name"),  # vocabularies of other directories
    ("directory_taxonomy_terms", "name"),
    ("directory_units", "name"),  # units of capacity (beds, places)
    # Handoffs: the name of the directory service a youth is referred to.
    ("handoffs", "service_name"),
}


def suspicious(column_name: str) -> bool:
    name = column_name.lower()
    words = set(re.split(r"[_\W]+", name)) | {name}
    return bool(words & SUSPECT_WORDS) or any(f in name for f in SUSPECT_FRAGMENTS)


def review(metadata: sa.MetaData) -> list[tuple[str, str]]:
    """Suspicious (table, column) pairs that are not allowed."""
    return sorted(
        (table.name, column.name)
        for table in metadata.sorted_tables
        for column in table.columns
        if suspicious(column.name) and (table.name, column.name) not in ALLOWED
    )


def test_no_column_holds_identifying_data():
    load_all_models()
    assert "cases" in Base.metadata.tables and "case_messages" in Base.metadata.tables
    found = review(Base.metadata)
    assert found == [], (
        "columns that look like identifying data (never store a youth's identity; if this is "
        f"about workers or the directory, add it to ALLOWED with a reason): {found}"
    )


def test_review_catches_a_youth_name_column():
    metadata = sa.MetaData()
    sa.Table("cases", metadata, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("code", sa.String(8)), sa.Column("youth_name", sa.String(100)),
             sa.Column("date_of_birth", sa.Date), sa.Column("dob", sa.Date),
             sa.Column("home_address", sa.String), sa.Column("youth_phone", sa.String),
             sa.Column("email", sa.String), sa.Column("ramq", sa.String),
             sa.Column("nas", sa.String), sa.Column("sin_number", sa.String),
             sa.Column("insta_handle", sa.String), sa.Column("school_attended", sa.String),
             sa.Column("prenom", sa.String), sa.Column("region_current", sa.String(4)),
             sa.Column("turns_18_month", sa.String(7)), sa.Column("age_band", sa.String))
    assert review(metadata) == sorted(("cases", c) for c in (
        "youth_name", "date_of_birth", "dob", "home_address", "youth_phone", "email", "ramq",
        "nas", "sin_number", "insta_handle", "school_attended", "prenom"))


def test_allow_list_is_not_stale():
    """Every allowed pair still exists, so the list cannot silently cover a renamed column."""
    load_all_models()
    existing = {(t.name, c.name) for t in Base.metadata.sorted_tables for c in t.columns}
    missing_tables = {t for t, _ in ALLOWED} - {t.name for t in Base.metadata.sorted_tables}
    stale = sorted(pair for pair in ALLOWED - existing if pair[0] not in missing_tables)
    assert stale == []
