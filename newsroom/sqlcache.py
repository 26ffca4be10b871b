"""
Compile a QuerySet's SQL once, run it many times with new values.

Building and compiling a QuerySet can cost Django more than PostgreSQL needs
to answer it. For the queries every public
page runs, ``bound()`` compiles the QuerySet once per database vendor with
stand-in values, remembers where each stand-in landed among the parameters,
and afterwards only substitutes the real values. The QuerySet stays the one
source of truth (``Article.objects.published()`` included); only its compiled
form is reused.

``rows()`` and ``raw_rows()`` then load the rows as model instances the way
``RawQuerySet`` does, without working out again for every query how the
columns map to fields.

Because each statement's text is fixed, psycopg prepares it on each
PostgreSQL connection after its first runs (``server_side_binding`` and
``prepare_threshold`` in config/settings.py): PostgreSQL then parses it, and
with the generic plans the connection asks for plans it, once per connection
instead of on every request. Nothing here asks for that; it follows from
running the same text with new parameters.
"""

from datetime import UTC, datetime, timedelta

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import DEFERRED

_cache = {}

# When true (the test suite sets it, see tests/conftest.py), every ``bound()``
# also builds its QuerySet with the real values and refuses a compiled
# statement that differs from it: the check of this module's contract.
CHECK = False


class KeyMissesAParameter(AssertionError):
    """A compiled statement differs from its QuerySet built with the real values:
    its cache key leaves out something that shapes the SQL (or a constant the
    SQL holds changed without ``clear()``)."""


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

    The contract, which ``CHECK`` verifies in every test that runs a query:

    - ``build`` receives a ``Stand`` and must create every varying value through
      ``stand.moment(name)``, ``stand.number(name)`` or ``stand.text(name)``;
      ``values`` gives each name its real value for this call;
    - ``key`` names everything else that shapes the SQL (a limit, which
      filters apply, how many columns): two calls with one key must build the
      same SQL text;
    - whoever changes a constant the SQL holds calls ``clear()``.

    A number outside 64 bits raises ``OutOfRange``: no row can match it.
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
    if CHECK:
        _check(key, build, values, sql, params)
    return sql, params


class _Actual:
    """The real values where ``build`` asks for stand-ins."""

    def __init__(self, values):
        self.values = values

    def moment(self, name):
        return self.values[name]

    number = text = moment


def _check(key, build, values, sql, params):
    expected_sql, expected_params = build(_Actual(values)).query.sql_with_params()
    if (sql, params) != (expected_sql, list(expected_params)):
        raise KeyMissesAParameter(
            f"The statement compiled for {key!r} is not the one its QuerySet builds "
            f"with {values!r}:\n{sql} {params}\ninstead of\n{expected_sql} {expected_params}"
        )


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


def rows(model, key, build, **values):
    """The model instances of ``build``'s query (see ``bound``), as a list."""
    sql, params = bound(key, build, **values)
    return raw_rows(model, sql, params)


def raw_rows(model, sql, params):
    """
    The model instances of ``sql`` (fixed text, varying ``params``), as a list:
    what ``model.objects.raw(sql, params)`` gives, with columns that are not
    the model's fields set as attributes.
    """
    db = connections[DEFAULT_DB_ALIAS]
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        load = _loader(db, model, sql, cursor.description)
        return [load(row) for row in cursor.fetchall()]


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
    """A function from one row to a model instance, as RawQuerySet builds it:
    ``Model.from_db()`` with the fields the query selected (the others
    deferred), then the other columns set as attributes."""
    name_of = db.introspection.identifier_converter
    columns = [name_of(column[0]) for column in description]
    fields = {name_of(field.column): field for field in model._meta.concrete_fields}
    if name_of(model._meta.pk.column) not in columns:
        raise ValueError("A query loading model instances must select the primary key.")
    # For each concrete field in the model's order: its column's position, or None.
    positions = [
        columns.index(name_of(field.column)) if name_of(field.column) in columns else None
        for field in model._meta.concrete_fields
    ]
    field_names = [field.attname for field in model._meta.concrete_fields]
    extras = [(column, pos) for pos, column in enumerate(columns) if column not in fields]
    converters = []
    for pos, column in enumerate(columns):
        if column in fields:
            col = fields[column].get_col(model._meta.db_table)
            functions = db.ops.get_db_converters(col) + col.get_db_converters(db)
            if functions:
                converters.append((pos, functions, col))
    alias = db.alias

    def load(row):
        if converters:
            row = list(row)
            for pos, functions, col in converters:
                value = row[pos]
                for convert in functions:
                    value = convert(value, col, db)
                row[pos] = value
        values = [DEFERRED if pos is None else row[pos] for pos in positions]
        instance = model.from_db(alias, field_names, values)
        for column, pos in extras:
            setattr(instance, column, row[pos])
        return instance

    return load
