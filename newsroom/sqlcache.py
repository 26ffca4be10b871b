"""
Compile a QuerySet's SQL once, run it many times with new values.

Building and compiling a QuerySet can cost Django more than PostgreSQL needs
to answer it. For the queries every public
page runs, ``bound()`` compiles the QuerySet once per database vendor with
stand-in values, remembers where each stand-in landed among the parameters,
and afterwards only substitutes the real values. The QuerySet stays the one
source of truth (``Article.objects.published()`` included); only its compiled
form is reused.

On PostgreSQL, ``rows()`` and ``execute()`` go one step further and run such a
query as a prepared statement of the connection: PostgreSQL then parses and
plans it once per connection instead of on every request. For the two queries
of an article page, planning took longer than answering (EXPLAIN ANALYZE). The
statement is
prepared in the same round trip as its first execution, so a page runs no
extra query. ``NEWSROOM_PREPARED_STATEMENTS=0`` turns this off, for a
connection pooler in transaction mode (PgBouncer's), whose server connections
do not keep a session's prepared statements.
"""

import hashlib
import re
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models.base import ModelState

_cache = {}

# The range of the 64-bit ids: a number outside it can match no row, but raw
# SQL would hand it to the database driver (SQLite overflows on it).
BIGINT = range(-(2**63), 2**63)


class OutOfRange(ValueError):
    """A number no row can hold: the query would find nothing."""


class Stand:
    """Distinct stand-in values for the parameters of one compiled query."""

    def __init__(self):
        self.count = 0
        self.values = {}

    def moment(self, name):
        self.count += 1
        value = datetime(2001, 2, 3, tzinfo=UTC) + timedelta(seconds=self.count * 7919)
        self.values[name] = value
        return value

    def text(self, name):
        self.count += 1
        value = f"zqzstand{self.count}zqz"
        self.values[name] = value
        return value

    def number(self, name):
        self.count += 1
        value = -(10**12) - self.count * 7919
        self.values[name] = value
        return value


def bound(key, build, **values):
    """
    (sql, params) of ``build(stand)`` with ``values`` in place of the stand-ins.

    ``build`` receives a ``Stand`` and must create every varying value through
    ``stand.moment(name)``, ``stand.number(name)`` or ``stand.text(name)``; ``values`` gives each
    name its real value for this call. A number outside 64 bits raises
    ``OutOfRange``: no row can match it.
    """
    # Each attribute read through the ``connection`` proxy looks the
    # connection up again: every function here looks it up once and passes it on.
    db = connections[DEFAULT_DB_ALIAS]
    cache_key = (key, db.vendor)
    compiled = _cache.get(cache_key)
    if compiled is None:
        compiled = _cache[cache_key] = _compile(build)
    sql, slots = compiled
    adapt = db.ops.adapt_datetimefield_value
    params = []
    for kind, name, constant in slots:
        if kind == "moment":
            params.append(adapt(values[name]))
        elif kind == "number":
            if values[name] not in BIGINT:
                raise OutOfRange(name)
            params.append(values[name])
        elif kind == "text":
            params.append(values[name])
        else:
            params.append(constant)
    return sql, params


def _compile(build):
    stand = Stand()
    queryset = build(stand)
    sql, params = queryset.query.sql_with_params()
    adapt = connection.ops.adapt_datetimefield_value
    by_value = {}
    for name, value in stand.values.items():
        if isinstance(value, datetime):
            by_value[adapt(value)] = ("moment", name)
        elif isinstance(value, str):
            by_value[value] = ("text", name)
        else:
            by_value[value] = ("number", name)
    slots = []
    for value in params:
        try:
            kind, name = by_value[value]
        except (KeyError, TypeError):
            slots.append(("constant", None, value))
        else:
            slots.append((kind, name, None))
    missing = set(stand.values) - {name for kind, name, _ in slots if kind != "constant"}
    if missing:
        raise ValueError(f"Stand-ins not found in the compiled SQL: {sorted(missing)}")
    return sql, tuple(slots)


def clear():
    _cache.clear()
    _loaders.clear()


# --- prepared statements (PostgreSQL) ---------------------------------------------------

_PLACEHOLDER = re.compile(r"%%|%s")


def _numbered(sql):
    """Django's ``%s`` placeholders as PostgreSQL's ``$1, $2 …`` (and ``%%`` as ``%``)."""
    count = 0

    def number(match):
        nonlocal count
        if match.group() == "%%":
            return "%"
        count += 1
        return f"${count}"

    return _PLACEHOLDER.sub(number, sql)


class _Prepared:
    """The statements prepared on one database connection (by name)."""

    def __init__(self, raw_connection):
        self.raw_connection = raw_connection
        self.names = set()
        # After a failure nobody knows which statements exist: the next
        # preparation starts by dropping them all.
        self.unsure = True


def _prepared_state(db):
    raw = db.connection
    state = getattr(db, "_newsroom_prepared", None)
    if state is None or state.raw_connection is not raw:
        state = db._newsroom_prepared = _Prepared(raw)
    return state


def uses_prepared_statements(db):
    return db.vendor == "postgresql" and settings.NEWSROOM_PREPARED_STATEMENTS


# Statement names by (key, SQL text): the texts are few and fixed, and hashing
# a few kilobytes of SQL on every run would be work repeated per request.
_names = {}


def _statement(db, key, sql, params):
    """(sql, params) that run ``sql`` as the connection's prepared statement."""
    db.ensure_connection()
    state = _prepared_state(db)
    name = _names.get((key, sql))
    if name is None:
        digest = hashlib.sha1(f"{key}|{sql}".encode(), usedforsecurity=False).hexdigest()
        name = _names[(key, sql)] = f"nr_{digest[:20]}"
    arguments = f" ({', '.join(['%s'] * len(params))})" if params else ""
    run = f"EXECUTE {name}{arguments}"
    if name in state.names:
        return state, name, run
    # %s in PREPARE's text would be taken for parameters: it goes in escaped.
    prepare = f"PREPARE {name} AS {_numbered(sql)}".replace("%", "%%")
    if state.unsure:
        # A generic plan, made once: left to choose, PostgreSQL planned some
        # of these statements afresh on every run, which is what they are
        # prepared to avoid. It applies to prepared statements only, and
        # Django's own queries are not prepared.
        prepare = f"DEALLOCATE ALL; SET plan_cache_mode = force_generic_plan; {prepare}"
    return state, name, f"{prepare}; {run}"


def _run(db, key, sql, params, work, prefix=""):
    """``work(sql, params)`` with the query as a prepared statement of ``db``
    where it can be."""
    if not uses_prepared_statements(db):
        return work(prefix + sql, params)
    state, name, statement = _statement(db, key, sql, params)
    try:
        result = work(prefix + statement, params)
    except Exception:
        state.names.clear()
        state.unsure = True
        raise
    state.names.add(name)
    state.unsure = False
    return result


def rows(model, key, build, **values):
    """The model instances of ``build``'s query (see ``bound``), as a list."""
    sql, params = bound(key, build, **values)
    return raw_rows(model, key, sql, params)


def raw_rows(model, key, sql, params):
    """
    The model instances of ``sql`` (fixed text, varying ``params``), as a list:
    what ``model.objects.raw(sql, params)`` gives, with columns that are not
    the model's fields set as attributes.
    """

    db = connections[DEFAULT_DB_ALIAS]

    def work(statement, params):
        with db.cursor() as cursor:
            cursor.execute(statement, params)
            load = _loader(db, model, sql, cursor.description)
            return [load(row) for row in cursor.fetchall()]

    return _run(db, key, sql, params, work)


# How the columns of a statement's rows become model instances, by (model,
# SQL text, vendor). RawQuerySet works this out again for every query, which
# cost three times the query itself for a page's one-row lookup.
_loaders = {}


def _loader(db, model, sql, description):
    cache_key = (model, sql, db.vendor)
    load = _loaders.get(cache_key)
    if load is None:
        load = _loaders[cache_key] = _make_loader(db, model, description)
    return load


def _make_loader(db, model, description):
    """A function from one row to a model instance, as RawQuerySet builds it."""
    name_of = db.introspection.identifier_converter
    columns = [name_of(column[0]) for column in description]
    fields = {name_of(field.column): field for field in model._meta.fields}
    init_fields = [field for field in model._meta.fields if name_of(field.column) in columns]
    if model._meta.pk not in init_fields:
        raise ValueError("A query loading model instances must select the primary key.")
    init_fields_at = [
        (field.attname, columns.index(name_of(field.column))) for field in init_fields
    ]
    extras = [(column, pos) for pos, column in enumerate(columns) if column not in fields]
    converters = []
    for pos, column in enumerate(columns):
        if column in fields:
            col = fields[column].get_col(model._meta.db_table)
            functions = db.ops.get_db_converters(col) + col.get_db_converters(db)
            if functions:
                converters.append((pos, functions, col))
    alias = db.alias
    new = model.__new__

    def load(row):
        if converters:
            row = list(row)
            for pos, functions, col in converters:
                value = row[pos]
                for convert in functions:
                    value = convert(value, col, db)
                row[pos] = value
        # What Model.from_db() ends with, without running __init__ per row:
        # a list page loads forty instances and __init__ runs a setattr per
        # field and two signals for each. Fields not selected stay out of
        # __dict__, which is how Django marks them deferred, and no pre_init
        # or post_init signal is sent (as for an unpickled instance).
        instance = new(model)
        instance.__dict__.update({name: row[pos] for name, pos in init_fields_at})
        state = instance._state = ModelState()
        state.adding = False
        state.db = alias
        for column, pos in extras:
            setattr(instance, column, row[pos])
        return instance

    return load


def execute(cursor, key, sql, params, *, prefix=""):
    """
    Run ``sql`` (fixed text, varying ``params``) on ``cursor`` as a prepared
    statement, after ``prefix`` (statements without parameters, ending in
    "; ") in the same round trip.
    """
    return _run(cursor.db, key, sql, params, cursor.execute, prefix)
