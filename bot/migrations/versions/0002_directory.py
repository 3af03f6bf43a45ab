"""directory tables: HSDS 3.0 organizations, services, locations, ... plus 3.1 capacity and ours

Revision ID: 0002_directory
Revises: 0001_core
Create Date: 2026-11-29 02:10:00

Written by hand from the models in ``bot/models/directory.py``: only the directory tables
(``directory_*`` and ``service_receivers``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.db.base

revision = "0002_directory"
down_revision = "0001_core"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('directory_organizations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hsds_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('name_en', sa.String(length=300), nullable=True),
    sa.Column('alternate_name', sa.String(length=300), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('description_en', sa.Text(), nullable=True),
    sa.Column('email', sa.String(length=300), nullable=True),
    sa.Column('website', sa.String(length=500), nullable=True),
    sa.Column('parent_hsds_id', sa.String(length=64), nullable=True),
    sa.Column('extra', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_directory_organizations')),
    sa.UniqueConstraint('hsds_id', name=op.f('uq_directory_organizations_hsds_id'))
    )
    op.create_table('directory_state',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('changed_at', bot.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_directory_state'))
    )
    op.create_table('directory_taxonomies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hsds_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('uri', sa.String(length=500), nullable=True),
    sa.Column('version', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_directory_taxonomies')),
    sa.UniqueConstraint('hsds_id', name=op.f('uq_directory_taxonomies_hsds_id'))
    )
    op.create_table('directory_taxonomy_terms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hsds_id', sa.String(length=64), nullable=False),
    sa.Column('code', sa.String(length=200), nullable=True),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('parent_hsds_id', sa.String(length=64), nullable=True),
    sa.Column('taxonomy', sa.String(length=300), nullable=True),
    sa.Column('taxonomy_hsds_id', sa.String(length=64), nullable=True),
    sa.Column('language', sa.String(length=16), nullable=True),
    sa.Column('term_uri', sa.String(length=500), nullable=True),
    sa.Column('category', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_directory_taxonomy_terms')),
    sa.UniqueConstraint('hsds_id', name=op.f('uq_directory_taxonomy_terms_hsds_id'))
    )
    with op.batch_alter_table('directory_taxonomy_terms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_directory_taxonomy_terms_category'), ['category'], unique=False)

    op.create_table('directory_units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hsds_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('scheme', sa.String(length=100), nullable=True),
    sa.Column('identifier', sa.String(length=100), nullable=True),
    sa.Column('uri', sa.String(length=500), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_directory_units')),
    sa.UniqueConstraint('hsds_id', name=op.f('uq_directory_units_hsds_id'))
    )
    op.create_table('directory_attributes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hsds_id', sa.String(length=64), nullable=False),
    sa.Column('link_id', sa.String(length=64), nullable=False),
    sa.Column('link_type', sa.String(length=64), nullable=True),
    sa.Column('link_entity', sa.String(length=64), nullable=True),
    sa.Column('taxonomy_term_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['taxonomy_term_id'], ['directory_taxonomy_terms.id'], name=op.f('fk_directory_attributes_taxonomy_term_id_directory_taxonomy_terms'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_directory_attributes')),
    sa.UniqueConstraint('hsds_id', name=op.f('uq_directory_attributes_hsds_id'))
    )
    with op.batch_alter_table('directory_attributes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_directory_attributes_link_id'), ['link_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_directory_attributes_taxonomy_term_id'), ['taxonomy_term_id'], unique=False)

    op.create_table('directory_locations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hsds_id', sa.String(length=64), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('location_type', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=True),
    sa.Column('alternate_name', sa.String(length=300), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('transportation', sa.Text(), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('confidential', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['directory_organizations.id'], name=op.f('fk_directory_locations_organization_id_directory_organizations'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_directory_locations')),
    sa.UniqueConstraint('hsds_id', name=op.f('uq_directory_locations_hsds_id'))
    )
    op.create_table('directory_services',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hsds_id', sa.String(length=64), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('name_en', sa.String(length=300), nullable=True),
    sa.Column('alternate_name', sa.String(length=300), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('description_en', sa.Text(), nullable=True),
    sa.Column('url', sa.String(length=500), nullable=True),
    sa.Column('email', sa.String(length=300), nullable=True),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('interpretation_services', sa.Text(), nullable=True),
    sa.Column('application_process', sa.Text(), nullable=True),
    sa.Column('eligibility_description', sa.Text(), nullable=True),
    sa.Column('eligibility_en', sa.Text(), nullable=True),
    sa.Column('minimum_age', sa.Float(), nullable=True),
    sa.Column('maximum_age', sa.Float(), nullable=True),
    sa.Column('alert', sa.Text(), nullable=True),
    sa.Column('assured_date', sa.Date(), nullable=True),
    sa.Column('last_modified', bot.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('open_24_7', sa.Boolean(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('confidential_address', sa.Boolean(), nullable=False),
    sa.Column('province_wide', sa.Boolean(), nullable=False),
    sa.Column('extra', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['directory_organizations.id'], name=op.f('fk_directory_services_organization_id_directory_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_directory_services')),
    sa.UniqueConstraint('hsds_id', name=op.f('uq_directory_services_hsds_id'))
    )
    with op.batch_alter_table('directory_services', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_directory_services_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_directory_services_status'), ['status'], unique=False)

    op.create_table('directory_addresses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hsds_id', sa.String(length=64), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('attention', sa.String(length=300), nullable=True),
    sa.Column('address_1', sa.String(length=300), nullable=True),
    sa.Column('address_2', sa.String(length=300), nullable=True),
    sa.Column('city', sa.String(length=200), nullable=True),
    sa.Column('region', sa.String(length=200), nullable=True),
    sa.Column('state_province', sa.String(length=100), nullable=True),
    sa.Column('postal_code', sa.String(length=20), nullable=True),
    sa.Column('country', sa.String(length=8), nullable=True),
    sa.Column('address_type', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['location_id'], ['directory_locations.id'], name=op.f('fk_directory_addresses_location_id_directory_locations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_directory_addresses')),
    sa.UniqueConstraint('hsds_id', name=op.f('uq_directory_addresses_hsds_id'))
    )
    with op.batch_alter_table('directory_addresses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_directory_addresses_location_id'), ['location_id'], unique=False)

    op.create_table('directory_service_areas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hsds_id', sa.String(length=64), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('extent', sa.Text(), nullable=True),
    sa.Column('extent_type', sa.String(length=32), nullable=True),
    sa.Column('uri', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['service_id'], ['directory_services.id'], name=op.f('fk_directory_service_areas_service_id_directory_services'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_directory_service_areas')),
    sa.UniqueConstraint('hsds_id', name=op.f('uq_directory_service_areas_hsds_id'))
    )
    with op.batch_alter_table('directory_service_areas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_directory_service_areas_service_id'), ['service_id'], unique=False)

    op.create_table('directory_service_at_location',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hsds_id', sa.String(length=64), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['location_id'], ['directory_locations.id'], name=op.f('fk_directory_service_at_location_location_id_directory_locations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_id'], ['directory_services.id'], name=op.f('fk_directory_service_at_location_service_id_directory_services'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_directory_service_at_location')),
    sa.UniqueConstraint('hsds_id', name=op.f('uq_directory_service_at_location_hsds_id'))
    )
    with op.batch_alter_table('directory_service_at_location', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_directory_service_at_location_location_id'), ['location_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_directory_service_at_location_service_id'), ['service_id'], unique=False)

    op.create_table('directory_service_capacities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hsds_id', sa.String(length=64), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('available', sa.Float(), nullable=False),
    sa.Column('maximum', sa.Float(), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('updated', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['directory_services.id'], name=op.f('fk_directory_service_capacities_service_id_directory_services'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['directory_units.id'], name=op.f('fk_directory_service_capacities_unit_id_directory_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_directory_service_capacities')),
    sa.UniqueConstraint('hsds_id', name=op.f('uq_directory_service_capacities_hsds_id'))
    )
    with op.batch_alter_table('directory_service_capacities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_directory_service_capacities_service_id'), ['service_id'], unique=False)

    op.create_table('directory_service_categories',
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['directory_services.id'], name=op.f('fk_directory_service_categories_service_id_directory_services'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('service_id', 'category', name=op.f('pk_directory_service_categories'))
    )
    with op.batch_alter_table('directory_service_categories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_directory_service_categories_category'), ['category'], unique=False)

    op.create_table('directory_service_regions',
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('region', sa.String(length=4), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['directory_services.id'], name=op.f('fk_directory_service_regions_service_id_directory_services'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('service_id', 'region', name=op.f('pk_directory_service_regions'))
    )
    with op.batch_alter_table('directory_service_regions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_directory_service_regions_region'), ['region'], unique=False)

    op.create_table('service_receivers',
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('created_at', bot.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['directory_services.id'], name=op.f('fk_service_receivers_service_id_directory_services'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['worker_id'], ['workers.id'], name=op.f('fk_service_receivers_worker_id_workers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('service_id', 'worker_id', name=op.f('pk_service_receivers'))
    )
    with op.batch_alter_table('service_receivers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_receivers_worker_id'), ['worker_id'], unique=False)

    op.create_table('directory_contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hsds_id', sa.String(length=64), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('service_id', sa.Integer(), nullable=True),
    sa.Column('service_at_location_id', sa.Integer(), nullable=True),
    sa.Column('location_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=True),
    sa.Column('department', sa.String(length=200), nullable=True),
    sa.Column('email', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['location_id'], ['directory_locations.id'], name=op.f('fk_directory_contacts_location_id_directory_locations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['directory_organizations.id'], name=op.f('fk_directory_contacts_organization_id_directory_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_at_location_id'], ['directory_service_at_location.id'], name=op.f('fk_directory_contacts_service_at_location_id_directory_service_at_location'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_id'], ['directory_services.id'], name=op.f('fk_directory_contacts_service_id_directory_services'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_directory_contacts')),
    sa.UniqueConstraint('hsds_id', name=op.f('uq_directory_contacts_hsds_id'))
    )
    op.create_table('directory_schedules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hsds_id', sa.String(length=64), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=True),
    sa.Column('location_id', sa.Integer(), nullable=True),
    sa.Column('service_at_location_id', sa.Integer(), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('dtstart', sa.Date(), nullable=True),
    sa.Column('timezone', sa.Float(), nullable=True),
    sa.Column('until', sa.Date(), nullable=True),
    sa.Column('count', sa.Integer(), nullable=True),
    sa.Column('wkst', sa.String(length=2), nullable=True),
    sa.Column('freq', sa.String(length=16), nullable=True),
    sa.Column('interval', sa.Integer(), nullable=True),
    sa.Column('byday', sa.String(length=64), nullable=True),
    sa.Column('byweekno', sa.String(length=200), nullable=True),
    sa.Column('bymonthday', sa.String(length=200), nullable=True),
    sa.Column('byyearday', sa.String(length=200), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('opens_at', sa.String(length=8), nullable=True),
    sa.Column('closes_at', sa.String(length=8), nullable=True),
    sa.Column('schedule_link', sa.String(length=500), nullable=True),
    sa.Column('attending_type', sa.Text(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['location_id'], ['directory_locations.id'], name=op.f('fk_directory_schedules_location_id_directory_locations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_at_location_id'], ['directory_service_at_location.id'], name=op.f('fk_directory_schedules_service_at_location_id_directory_service_at_location'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_id'], ['directory_services.id'], name=op.f('fk_directory_schedules_service_id_directory_services'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_directory_schedules')),
    sa.UniqueConstraint('hsds_id', name=op.f('uq_directory_schedules_hsds_id'))
    )
    with op.batch_alter_table('directory_schedules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_directory_schedules_service_id'), ['service_id'], unique=False)

    op.create_table('directory_phones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hsds_id', sa.String(length=64), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('service_id', sa.Integer(), nullable=True),
    sa.Column('location_id', sa.Integer(), nullable=True),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('service_at_location_id', sa.Integer(), nullable=True),
    sa.Column('number', sa.String(length=64), nullable=False),
    sa.Column('extension', sa.String(length=16), nullable=True),
    sa.Column('type', sa.String(length=16), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['contact_id'], ['directory_contacts.id'], name=op.f('fk_directory_phones_contact_id_directory_contacts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['location_id'], ['directory_locations.id'], name=op.f('fk_directory_phones_location_id_directory_locations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['directory_organizations.id'], name=op.f('fk_directory_phones_organization_id_directory_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_at_location_id'], ['directory_service_at_location.id'], name=op.f('fk_directory_phones_service_at_location_id_directory_service_at_location'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_id'], ['directory_services.id'], name=op.f('fk_directory_phones_service_id_directory_services'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_directory_phones')),
    sa.UniqueConstraint('hsds_id', name=op.f('uq_directory_phones_hsds_id'))
    )
    with op.batch_alter_table('directory_phones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_directory_phones_service_id'), ['service_id'], unique=False)

    op.create_table('directory_languages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hsds_id', sa.String(length=64), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=True),
    sa.Column('location_id', sa.Integer(), nullable=True),
    sa.Column('phone_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=100), nullable=True),
    sa.Column('code', sa.String(length=16), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['location_id'], ['directory_locations.id'], name=op.f('fk_directory_languages_location_id_directory_locations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['phone_id'], ['directory_phones.id'], name=op.f('fk_directory_languages_phone_id_directory_phones'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_id'], ['directory_services.id'], name=op.f('fk_directory_languages_service_id_directory_services'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_directory_languages')),
    sa.UniqueConstraint('hsds_id', name=op.f('uq_directory_languages_hsds_id'))
    )
    with op.batch_alter_table('directory_languages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_directory_languages_service_id'), ['service_id'], unique=False)

    op.bulk_insert(
        sa.table("directory_state", sa.column("id", sa.Integer), sa.column("version", sa.Integer)),
        [{"id": 1, "version": 0}],
    )


def downgrade() -> None:
    with op.batch_alter_table('directory_languages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_directory_languages_service_id'))

    op.drop_table('directory_languages')
    with op.batch_alter_table('directory_phones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_directory_phones_service_id'))

    op.drop_table('directory_phones')
    with op.batch_alter_table('directory_schedules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_directory_schedules_service_id'))

    op.drop_table('directory_schedules')
    op.drop_table('directory_contacts')
    with op.batch_alter_table('service_receivers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_receivers_worker_id'))

    op.drop_table('service_receivers')
    with op.batch_alter_table('directory_service_regions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_directory_service_regions_region'))

    op.drop_table('directory_service_regions')
    with op.batch_alter_table('directory_service_categories', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_directory_service_categories_category'))

    op.drop_table('directory_service_categories')
    with op.batch_alter_table('directory_service_capacities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_directory_service_capacities_service_id'))

    op.drop_table('directory_service_capacities')
    with op.batch_alter_table('directory_service_at_location', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_directory_service_at_location_service_id'))
        batch_op.drop_index(batch_op.f('ix_directory_service_at_location_location_id'))

    op.drop_table('directory_service_at_location')
    with op.batch_alter_table('directory_service_areas', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_directory_service_areas_service_id'))

    op.drop_table('directory_service_areas')
    with op.batch_alter_table('directory_addresses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_directory_addresses_location_id'))

    op.drop_table('directory_addresses')
    with op.batch_alter_table('directory_services', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_directory_services_status'))
        batch_op.drop_index(batch_op.f('ix_directory_services_organization_id'))

    op.drop_table('directory_services')
    op.drop_table('directory_locations')
    with op.batch_alter_table('directory_attributes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_directory_attributes_taxonomy_term_id'))
        batch_op.drop_index(batch_op.f('ix_directory_attributes_link_id'))

    op.drop_table('directory_attributes')
    op.drop_table('directory_units')
    with op.batch_alter_table('directory_taxonomy_terms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_directory_taxonomy_terms_category'))

    op.drop_table('directory_taxonomy_terms')
    op.drop_table('directory_taxonomies')
    op.drop_table('directory_state')
    op.drop_table('directory_organizations')
