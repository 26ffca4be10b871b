"""
Compile a QuerySet's SQL once, run it many times with new values.

Building and compiling a QuerySet costs Django a few hundred microseconds,
often more than PostgreSQL needs to answer it. For the queries every public
page runs, ``bound()`` compiles the QuerySet once per database vendor with
stand-in values, remembers where each stand-in landed among the parameters,
and afterwards only substitutes the real values. The QuerySet stays the one
source of truth (``Article.objects.published()`` included); only its compiled
form is reused.
"""

from datetime import UTC, datetime, timedelta

from django.db import connection

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

    def number(self, name):
        self.count += 1
        value = -(10**12) - self.count * 7919
        self.values[name] = value
        return value


def bound(key, build, **values):
    """
    (sql, params) of ``build(stand)`` with ``values`` in place of the stand-ins.

    ``build`` receives a ``Stand`` and must create every varying value through
    ``stand.moment(name)`` or ``stand.number(name)``; ``values`` gives each
    name its real value for this call. A number outside 64 bits raises
    ``OutOfRange``: no row can match it.
    """
    cache_key = (key, connection.vendor)
    compiled = _cache.get(cache_key)
    if compiled is None:
        compiled = _cache[cache_key] = _compile(build)
    sql, slots = compiled
    adapt = connection.ops.adapt_datetimefield_value
    params = []
    for kind, name, constant in slots:
        if kind == "moment":
            params.append(adapt(values[name]))
        elif kind == "number":
            if values[name] not in BIGINT:
                raise OutOfRange(name)
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
