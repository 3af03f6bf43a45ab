"""ORM objects from rows read directly (:mod:`bot.db.direct`), as if the ORM had loaded them.

An object built here holds the row's values as its loaded state and its identity; attached to
the session, it is persistent as a loaded one is: a change is flushed as an ``UPDATE``, nothing
else is. Relationships are set as loaded (:func:`set_loaded`); those left unset load as usual.
"""

from __future__ import annotations

import functools
from typing import Any, TypeVar

from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapper, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

T = TypeVar("T")


@functools.cache
def column_keys(cls: type[Any]) -> tuple[str, ...]:
    """The mapped columns of ``cls``, in the mapper's order (the order to select them in)."""
    mapper: Mapper[Any] = inspect(cls)
    return tuple(attribute.key for attribute in mapper.column_attrs)


def loaded(cls: type[T], values: dict[str, Any]) -> T:
    """An instance of ``cls`` whose loaded state is ``values`` (all of its columns), detached
    with its identity, ready to be attached."""
    mapper: Mapper[Any] = inspect(cls)
    instance = mapper.class_manager.new_instance()
    inspect(instance).dict.update(values)
    make_transient_to_detached(instance)
    return instance  # type: ignore[no-any-return]


def set_loaded(instance: Any, **related: Any) -> None:
    """Set relationships of ``instance`` as loaded (no history, no backref)."""
    for key, value in related.items():
        set_committed_value(instance, key, value)


def known(session: AsyncSession, *instances: Any) -> bool:
    """Whether the session holds any of these identities already (then the ORM's query, which
    returns the objects held, is the one to use)."""
    identities = session.sync_session.identity_map
    return any(inspect(instance).key in identities for instance in instances)
