"""ORM objects from rows read directly (:mod:`bot.db.direct`), as if the ORM had loaded them.

:func:`attach_loaded` puts a row's values in the session as SQLAlchemy's own loading does for a
row it has not seen (``sqlalchemy.orm.loading``): a new instance with the row as its loaded
state, its identity, registered in the session's identity map. It is persistent as a loaded one
is: a change is flushed as an ``UPDATE``, nothing else is. Building a detached object and adding
it (``make_transient_to_detached``, ``Session.add`` and its cascade) did the same for four
times the CPU, on every update's worker. Relationships are set as loaded (:func:`set_loaded`);
those left unset load as usual. While someone listens for attaches or loads, the public way
(detached, then added) is taken, so their listeners still hear of the object.
"""

from __future__ import annotations

import functools
from typing import Any, TypeVar

from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapper, make_transient_to_detached
from sqlalchemy.orm.attributes import instance_state, set_committed_value

T = TypeVar("T")


@functools.cache
def column_keys(cls: type[Any]) -> tuple[str, ...]:
    """The mapped columns of ``cls``, in the mapper's order (the order to select them in)."""
    mapper: Mapper[Any] = inspect(cls)
    return tuple(attribute.key for attribute in mapper.column_attrs)


@functools.cache
def _identity(cls: type[Any]) -> tuple[Mapper[Any], tuple[str, ...]]:
    """The mapper of ``cls`` and the attributes of its primary key, in the key's order."""
    mapper: Mapper[Any] = inspect(cls)
    return mapper, tuple(mapper.get_property_by_column(column).key
                         for column in mapper.primary_key)


def identity_key(cls: type[Any], values: dict[str, Any]) -> tuple[Any, ...]:
    """The session's identity of the row of ``cls`` holding ``values``."""
    mapper, keys = _identity(cls)
    return mapper._identity_class, tuple(values[key] for key in keys), None


def held(session: AsyncSession, rows: list[tuple[type[Any], dict[str, Any]]]) -> bool:
    """Whether the session holds one of these rows already (then the ORM's query, which
    returns the objects held, is the one to use)."""
    identities = session.sync_session.identity_map
    return any(identity_key(cls, values) in identities for cls, values in rows)


def attach_loaded(session: AsyncSession, cls: type[T], values: dict[str, Any]) -> T:
    """An instance of ``cls`` loaded with ``values`` (all of its columns), persistent in
    ``session``, which must not hold its identity yet (see :func:`held`)."""
    mapper, _ = _identity(cls)
    sync = session.sync_session
    if _listened(mapper, sync):
        instance = loaded(cls, values)
        sync.add(instance)
        return instance
    instance = mapper.class_manager.new_instance()
    state = instance_state(instance)
    state.dict.update(values)
    state.key = key = identity_key(cls, values)
    state.identity_token = None
    state.session_id = sync.hash_key
    sync.identity_map._add_unpresent(state, key)
    return instance  # type: ignore[no-any-return]


def _listened(mapper: Mapper[Any], sync: Any) -> bool:
    events = sync.dispatch
    return bool(mapper.class_manager.dispatch.load or events.after_attach
                or events.detached_to_persistent or events.loaded_as_persistent)


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
