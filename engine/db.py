"""Database plumbing: the declarative base, UTC timestamps and engine creation.

SQLite gets WAL, foreign keys and a busy timeout, and a write session begins
with ``BEGIN IMMEDIATE`` so that the loser of a write race waits for the lock
instead of failing later with "database is locked".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Engine,
    MetaData,
    create_engine,
    event,
    exc,
    inspect,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.orm import DeclarativeBase, Session, make_transient_to_detached, sessionmaker
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.sql.selectable import Select
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

WRITE_OPTION = "politirad_write"
M = TypeVar("M")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime stored in UTC; SQLite would otherwise drop the offset."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware UTC time is required")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


CLOCK: ContextVar[Callable[[], datetime] | None] = ContextVar("politirad_clock", default=None)
"""A clock that replaces the system's in this context (see ``engine.clock.use_clock``)."""


def utcnow() -> datetime:
    clock = CLOCK.get()
    return datetime.now(UTC) if clock is None else clock()


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine for ``url``; SQLite connections are set up for WAL and safe writes."""
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {}).setdefault("timeout", 30)
        engine = create_engine(url, **kwargs)
        _configure_sqlite(engine)
        return engine
    return create_engine(url, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself (the pysqlite SAVEPOINT recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        write = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.connection.dbapi_connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")


def dialect_insert(session: Session, target: Any) -> postgresql.Insert | sqlite.Insert:
    """An INSERT with ``on_conflict_do_nothing``/``_do_update`` for the bound database."""
    make = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
    return make[session.get_bind().dialect.name](target)


def next_number(session: Session, counter: Any, **key: Any) -> int:
    """Take the next number of the counter row ``key`` of ``counter`` (a table with a
    ``last`` column), made at 0 when missing. The row lock held until commit keeps two
    writers from taking the same number."""
    session.execute(dialect_insert(session, counter).values(**key, last=0).on_conflict_do_nothing())
    return session.execute(
        update(counter)
        .where(*(getattr(counter, name) == value for name, value in key.items()))
        .values(last=counter.last + 1)
        .returning(counter.last)
    ).scalar_one()


def session_factory(engine: Engine, *, write: bool = False) -> sessionmaker[Session]:
    """A sessionmaker; ``write=True`` sessions take SQLite's write lock when they begin."""
    bind = engine.execution_options(**{WRITE_OPTION: True}) if write else engine
    return sessionmaker(bind=bind, expire_on_commit=False)


class Prepared:
    """A Core statement compiled once per dialect and run on the connection's DBAPI cursor.

    For a one-row statement ``Connection.execute`` costs several times what SQLite
    spends running it: the compiled-cache lookup, an execution context, a result
    object. The few statements every ``fire()`` runs skip that and do only what it
    does for them: the same SQL text, the same bind processing (UTC datetimes, JSON),
    on the same connection and transaction, with driver errors wrapped as
    SQLAlchemy's and the engine's cursor events told. ``keys`` are the parameters each
    call passes (for an INSERT, the columns it sets; columns with Python-side defaults
    must be among them).
    """

    __slots__ = ("_forms", "keys", "statement")

    def __init__(self, statement: UpdateBase | Select[Any], keys: Iterable[str] = ()):
        self.statement = statement
        self.keys = tuple(keys)
        self._forms: dict[Any, _Form] = {}

    def execute(self, conn: Connection, params: Mapping[str, Any]) -> Any:
        """Run with one set of parameters; returns the DBAPI cursor (rowcount, fetch*)."""
        form = self._form(conn.dialect)
        return form.run(conn, form.parameters(params), many=False)

    def execute_many(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> Any:
        """Run once per set of parameters, with the driver's ``executemany``."""
        form = self._form(conn.dialect)
        if len(rows) == 1:  # the usual case; the driver's executemany costs more for one row
            return form.run(conn, form.parameters(rows[0]), many=False)
        return form.run(conn, [form.parameters(row) for row in rows], many=True)

    def _form(self, dialect: Dialect) -> _Form:
        form = self._forms.get(dialect)  # each engine's dialect, found without building a key
        if form is None:
            key = (dialect.name, dialect.driver, dialect.server_version_info, dialect.paramstyle)
            form = self._forms.get(key)
            if form is None:
                compiled = self.statement.compile(dialect=dialect, column_keys=list(self.keys))
                form = self._forms[key] = _Form(compiled, self.keys)
            self._forms[dialect] = form
        return form


class _Form:
    """One dialect's compiled SQL and how to turn call parameters into driver parameters."""

    __slots__ = ("dbapi_error", "fixed", "positional", "slots", "sql")

    def __init__(self, compiled: SQLCompiler, keys: tuple[str, ...]):
        if compiled.literal_execute_params or compiled.post_compile_params:
            raise ValueError("a Prepared statement cannot expand parameters when it runs")
        if compiled.insert_prefetch or compiled.update_prefetch:
            missing = [c.key for c in (*compiled.insert_prefetch, *compiled.update_prefetch)]
            raise ValueError(f"a Prepared statement needs values for the defaulted {missing}")
        self.sql = compiled.string
        self.positional = compiled.positional
        self.dbapi_error = compiled.dialect.loaded_dbapi.Error
        escaped = compiled.escaped_bind_names or {}
        processors = compiled._bind_processors
        # (name the driver sees, key the caller passes or None when fixed, processor, value)
        self.slots: list[tuple[str, str | None, Any, Any]] = []
        self.fixed: dict[str, Any] = {}
        names = compiled.positiontup if compiled.positional else compiled.bind_names.values()
        for name in names:
            bind = compiled.binds[name]
            processor = processors.get(name)
            driver_name = escaped.get(name, name)
            if bind.key in keys or bind.required:
                self.slots.append((driver_name, bind.key, processor, None))
            else:  # a value written into the statement, such as status='cancelled'
                value = processor(bind.value) if processor else bind.value
                self.slots.append((driver_name, None, None, value))
                self.fixed[driver_name] = value

    def parameters(self, params: Mapping[str, Any]) -> Any:
        if self.positional:
            return [
                value if key is None else processor(params[key]) if processor else params[key]
                for _name, key, processor, value in self.slots
            ]
        values = dict(self.fixed)
        for name, key, processor, _value in self.slots:
            if key is not None:
                values[name] = processor(params[key]) if processor else params[key]
        return values

    def run(self, conn: Connection, parameters: Any, *, many: bool) -> Any:
        dbapi_connection = conn.connection.dbapi_connection
        cursor = dbapi_connection.cursor()
        sql = self.sql
        # Listeners of the engine's cursor events (statement counters, tests that race a
        # writer) see these statements as they see SQLAlchemy's, without an execution context.
        dispatch = conn.dispatch
        observed = bool(dispatch.before_cursor_execute or dispatch.after_cursor_execute)
        try:
            if observed:
                for listener in dispatch.before_cursor_execute:
                    sql, parameters = listener(conn, cursor, sql, parameters, None, many)
            if many:
                cursor.executemany(sql, parameters)
            else:
                cursor.execute(sql, parameters)
        except self.dbapi_error as error:
            if conn.dialect.is_disconnect(error, dbapi_connection, cursor):
                conn.invalidate(error)
            raise exc.DBAPIError.instance(
                sql, parameters, error, self.dbapi_error, dialect=conn.dialect
            ) from error
        if observed:
            dispatch.after_cursor_execute(conn, cursor, sql, parameters, None, many)
        return cursor


class PreparedLoad(Generic[M]):
    """Load one instance of a mapped class by a ``Prepared`` SELECT of its columns.

    For one row, ``session.get`` or ``select(Model)`` spends more than a short write
    transaction does on everything else: the statement's cache key, an ORM execution
    context, a result and the loader's row processing. This runs the SELECT on the
    DBAPI cursor, converts each value with the column type's own result processing,
    and gives the row to the session in the public way
    (``make_transient_to_detached``, then ``Session.add``): a persistent instance, as
    the ORM's loader leaves it, whose relationships load as they always do. Like an
    ORM query it autoflushes first, and an instance the session already holds is the
    one returned (through ``session.get``, which refreshes it if it was expired), so
    a load never overwrites changes in memory.
    """

    __slots__ = ("_attributes", "_mapper", "_primary_key", "_processors", "model", "prepared")

    def __init__(self, model: type[M], *where: ColumnElement[bool]):
        """``where`` names its parameters with ``bindparam``; each load passes them."""
        mapper = self._mapper = inspect(model)
        attributes = [(prop.key, prop.columns[0]) for prop in mapper.column_attrs]
        self.model = model
        self._attributes = tuple(key for key, _column in attributes)
        self._primary_key = tuple(mapper.get_property_by_column(c).key for c in mapper.primary_key)
        self.prepared = Prepared(select(*(column for _key, column in attributes)).where(*where))
        self._processors: dict[Dialect, list[Any]] = {}

    def one_or_none(self, session: Session, params: Mapping[str, Any]) -> M | None:
        """The instance the SELECT finds, or None; more than one row is an error."""
        if session.autoflush:
            session.flush()
        conn = session.connection()
        cursor = self.prepared.execute(conn, params)
        rows = cursor.fetchmany(2)
        if not rows:
            return None
        if len(rows) > 1:
            raise exc.MultipleResultsFound("more than one row where one was expected")
        processors = self._row_processors(conn.dialect)
        values = {
            key: process(value) if process else value
            for key, process, value in zip(self._attributes, processors, rows[0], strict=True)
        }
        identity = self._mapper.identity_key_from_primary_key(
            [values[key] for key in self._primary_key]
        )
        if identity in session.identity_map:
            return session.get(self.model, identity[1])
        instance = self._mapper.class_manager.new_instance()
        instance.__dict__.update(values)
        make_transient_to_detached(instance)
        session.add(instance)
        return instance

    def _row_processors(self, dialect: Dialect) -> list[Any]:
        processors = self._processors.get(dialect)
        if processors is None:
            # Each column's type turns the driver's value into the Python one (text to
            # datetime on SQLite, JSON text to a dict, naive to aware UTC); the drivers
            # used here report nothing by type code that these processors need.
            columns = self.prepared.statement.selected_columns
            processors = self._processors[dialect] = [
                column.type._cached_result_processor(dialect, None) for column in columns
            ]
        return processors


@contextmanager
def batched(conn: Connection) -> Iterator[None]:
    """Send the ``Prepared`` statements run inside to PostgreSQL in one round trip.

    psycopg's pipeline mode queues them and waits once, on leaving the block, where
    a failure surfaces (wrapped like any other). Run nothing inside whose result is
    needed before the block ends. SQLite runs in-process and needs no batching.
    """
    if conn.dialect.driver != "psycopg":
        yield
        return
    try:
        with conn.connection.driver_connection.pipeline():
            yield
    except conn.dialect.loaded_dbapi.Error as error:
        raise exc.DBAPIError.instance(
            "(pipelined statements)",
            None,
            error,
            conn.dialect.loaded_dbapi.Error,
            dialect=conn.dialect,
        ) from error
