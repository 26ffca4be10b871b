"""
Keyset pagination for column lists.

A column list is the column's pinned articles followed by the rest, newest
first. Pages after the first are reached through a cursor (the publish time
and id of the row where the page starts), so page 400 costs the same index
seek as page 2: no OFFSET, no COUNT(*). A plain ``?page=N`` without a cursor
still works (for hand-typed addresses) by falling back to OFFSET.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db.models import Q

MAX_PAGE = 100_000


@dataclass
class Cursor:
    publish_at: datetime
    pk: int

    def encode(self) -> str:
        micros = int(self.publish_at.timestamp() * 1_000_000)
        return f"{micros}.{self.pk}"

    @classmethod
    def decode(cls, value: str | None) -> "Cursor | None":
        """A cursor from a query string, or None for anything malformed."""
        if not value or len(value) > 40:
            return None
        micros, _, pk = value.partition(".")
        if not (micros.lstrip("-").isdigit() and pk.isdigit()):
            return None
        try:
            moment = datetime.fromtimestamp(int(micros) / 1_000_000, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
        return cls(publish_at=moment, pk=int(pk))


def parse_page_number(value: str | None) -> int:
    """Page number from the query string; anything unusable means page 1."""
    if value is None or not (value.isascii() and value.isdigit()) or len(value) > 6:
        return 1
    return min(max(int(value), 1), MAX_PAGE)


@dataclass
class KeysetPage:
    number: int
    object_list: list
    has_next: bool
    next_cursor: str | None = None
    previous_cursor: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def has_previous(self):
        return self.number > 1

    @property
    def previous_number(self):
        return self.number - 1

    @property
    def next_number(self):
        return self.number + 1


def older_than(cursor: Cursor) -> Q:
    """Rows after the cursor in newest-first order.

    The leading ``publish_at <=`` gives PostgreSQL an index range to seek to;
    the OR alone would make it walk the index from the top (page 400 would
    read 8,000 entries).
    """
    return Q(publish_at__lte=cursor.publish_at) & (
        Q(publish_at__lt=cursor.publish_at) | Q(pk__lt=cursor.pk)
    )


def newer_than(cursor: Cursor) -> Q:
    return Q(publish_at__gte=cursor.publish_at) & (
        Q(publish_at__gt=cursor.publish_at) | Q(pk__gt=cursor.pk)
    )


def paginate_column(*, pinned, rest, per_page, number, after=None, before=None):
    """
    One page of ``pinned`` (a short list, already fetched) followed by the
    unpinned rows, which ``rest`` fetches (``newsroom.selectors.ColumnRows``):
    ``newest(offset, limit)``, ``older(cursor, limit)`` and ``newer(cursor, limit)``.

    ``after`` continues below a row, ``before`` goes back above one; with
    neither, page ``number`` is found by offset. Runs one query on ``rest``.
    """
    pinned = list(pinned)
    if before is not None:
        rows = rest.newer(before, per_page)
        rows.reverse()
        object_list = rows
        has_next = True
    elif after is not None:
        rows = rest.older(after, per_page + 1)
        has_next = len(rows) > per_page
        object_list = rows[:per_page]
    else:
        # By number: the pinned rows come first, then the rest from where they end.
        start = (number - 1) * per_page
        pinned_part = pinned[start : start + per_page]
        want = per_page - len(pinned_part)
        rows = rest.newest(max(start - len(pinned), 0), want + 1)
        has_next = len(pinned) > start + per_page or len(rows) > want
        object_list = pinned_part + rows[:want]

    page = KeysetPage(number=number, object_list=object_list, has_next=has_next)
    unpinned = [row for row in object_list if row not in pinned]
    if has_next and unpinned:
        last = unpinned[-1]
        page.next_cursor = Cursor(last.publish_at, last.pk).encode()
    # Going back by cursor works only where the previous page holds no pinned rows.
    if number > 2 and unpinned and (number - 2) * per_page >= len(pinned):
        first = unpinned[0]
        page.previous_cursor = Cursor(first.publish_at, first.pk).encode()
    return page
