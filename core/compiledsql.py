"""Querysets compiled to SQL once per database connection and run again for other values of their parameters.

Building a queryset and compiling it to SQL costs Django more CPU than the database spends on a small query: the
order page's order (eight tables joined, filtered by the viewer's scope) took 3-5 ms of CPU to build and compile
for a 1 ms lookup. A page asks for the same query over and over with one value changed (the order's id), so
`fetch` compiles it once, with a marker in place of that value, keeps the SQL and what the ORM needs to read
its rows (the select list, the related objects to populate, the value converters) on the connection, and
afterwards only binds the value (or the tuple of values,
e.g. the ids of an `__in` lookup of a given length) and reads the rows as the ORM's own iterables do (`ModelIterable`, with
select_related, and `ValuesIterable`).

The caller names the query by a key: equal keys must mean querysets that differ in that one value only (the key
holds everything else the queryset depends on, such as the viewer's scope). A queryset this module cannot
replay (prefetches, related managers' known objects, a value the SQL does not bind as a parameter) is simply run
by the ORM each time.
"""

from collections import OrderedDict
from collections.abc import Callable, Hashable

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models.query import ModelIterable, QuerySet, ValuesIterable, get_related_populators

# Two series of values no row has: compiling with each shows which parameters carry which value (and that
# nothing else moves).
MARKERS = (-982_451_653, -982_451_707)


def _markers(value, series: int):
    """The marker(s) standing for `value` (an int, or a tuple of ints) in the `series`-th compilation."""
    if isinstance(value, tuple):
        return tuple(MARKERS[series] - 1000 * i for i in range(len(value)))
    return MARKERS[series]


SIZE = 512  # compiled queries kept per connection (least recently used dropped)
_EMPTY = object()  # the query can match nothing (e.g. `none()`): no SQL to run
_ORM = object()  # the queryset cannot be replayed: the ORM runs it (without trying to compile it again)


class _Plan:
    """A compiled query: its SQL, where the value goes, and how its rows become objects."""

    __slots__ = ("col_count", "compiler", "converters", "params", "positions", "read", "sql")

    def run(self, connection, values: tuple) -> list:
        params = list(self.params)
        for i, which in self.positions:
            params[i] = values[which]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        if self.col_count is not None:
            rows = [row[: self.col_count] for row in rows]
        if self.converters:
            rows = self.compiler.apply_converters(rows, self.converters)
        return self.read(rows)


def _model_reader(queryset: QuerySet, compiler) -> Callable:
    """What `ModelIterable` does with the rows (no known related objects, no annotation-only fields)."""
    db, select, klass_info = queryset.db, compiler.select, compiler.klass_info
    model_cls = klass_info["model"]
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    init_list = [f[0].target.attname for f in select[start:end]]
    populators = get_related_populators(klass_info, select, db)
    annotations = list(compiler.annotation_col_map.items())
    from_db = model_cls.from_db

    def read(rows):
        objs = []
        for row in rows:
            obj = from_db(db, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            for attr, pos in annotations:
                setattr(obj, attr, row[pos])
            objs.append(obj)
        return objs

    return read


def _values_reader(queryset: QuerySet) -> Callable:
    """What `ValuesIterable` does with the rows."""
    query = queryset.query
    names = [*query.extra_select, *query.values_select, *query.annotation_select]

    def read(rows):
        return [dict(zip(names, row, strict=True)) for row in rows]

    return read


def _compile(build: Callable, value, using: str):
    """The plan of `build(value)` (for a value of this type and length), `_EMPTY`, or None when the queryset
    cannot be replayed."""
    first_markers, second_markers = _markers(value, 0), _markers(value, 1)
    first = build(first_markers)
    second = first if value == () else build(second_markers)  # no value: nothing to tell apart
    if not isinstance(value, tuple):
        first_markers, second_markers = (first_markers,), (second_markers,)
    first_index = {marker: i for i, marker in enumerate(first_markers)}
    second_index = {marker: i for i, marker in enumerate(second_markers)}
    every_marker = {*first_index, *second_index}
    if (
        first.db != using
        or first._iterable_class not in (ModelIterable, ValuesIterable)
        or first._prefetch_related_lookups
        or first._known_related_objects
        or (first._iterable_class is ModelIterable and first._fields)
    ):
        return None
    compiler = first.query.get_compiler(first.db)
    try:
        sql, params = compiler.as_sql()
        other_sql, other_params = (
            (sql, params) if second is first else second.query.get_compiler(second.db).as_sql()
        )
    except EmptyResultSet:
        return _EMPTY
    if not sql or sql != other_sql or len(params) != len(other_params):
        return None
    positions = []
    for i, (a, b) in enumerate(zip(params, other_params, strict=True)):
        which = first_index.get(a) if isinstance(a, int) else None
        if which is not None and second_index.get(b) == which:
            positions.append((i, which))
        elif a != b or (isinstance(a, int) and a in every_marker):
            return None
    if {which for _i, which in positions} != set(range(len(first_markers))):
        return None  # a value not bound as a parameter
    plan = _Plan()
    plan.sql, plan.params, plan.positions = sql, tuple(params), tuple(positions)
    plan.col_count = compiler.col_count if compiler.has_extra_select else None
    plan.converters = compiler.get_converters([s[0] for s in compiler.select[: compiler.col_count]])
    plan.compiler = compiler
    if first._iterable_class is ModelIterable:
        plan.read = _model_reader(first, compiler)
    else:
        plan.read = _values_reader(first)
    return plan


def _plans(connection) -> OrderedDict:
    plans = connection.__dict__.get("_compiled_queries")
    if plans is None:
        plans = connection.__dict__["_compiled_queries"] = OrderedDict()
    return plans


def count(key: Hashable, build: Callable, using: str = "default") -> int:
    """`build().count()`, for a queryset that depends on nothing but `key` (a list page without filters, named by
    its view and the viewer's scope): the first call runs the ORM's COUNT and keeps the SQL it ran on the
    connection; later calls run that SQL again. A count that runs no query (`none()`) or more than one is left
    to the ORM."""
    connection = connections[using]
    plans = _plans(connection)
    key = (key, "count")
    plan = plans.get(key)
    if plan is None:
        ran = []

        def capture(execute, sql, params, many, context):
            ran.append((sql, params))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(capture):
            number = build().count()
        plans[key] = (ran[0][0], tuple(ran[0][1] or ())) if len(ran) == 1 else _ORM
        if len(plans) > SIZE:
            plans.popitem(last=False)
        return number
    plans.move_to_end(key)
    if plan is _ORM:
        return build().count()
    with connection.cursor() as cursor:
        cursor.execute(plan[0], list(plan[1]))
        return cursor.fetchone()[0]


def fetch(key: Hashable, build: Callable, value: int | tuple[int, ...], using: str = "default") -> list:
    """`list(build(value))`, from SQL compiled once per connection for `key` (see the module docstring):
    model instances or values() dicts as the ORM would give them. `value` is an integer (an id) or a tuple of
    integers (one plan per key and length)."""
    connection = connections[using]
    plans = _plans(connection)
    value = tuple(int(v) for v in value) if isinstance(value, tuple) else int(value)
    key = (key, len(value) if isinstance(value, tuple) else None)
    plan = plans.get(key)
    if plan is None:
        plan = plans[key] = _compile(build, value, using) or _ORM
        if len(plans) > SIZE:
            plans.popitem(last=False)
    else:
        plans.move_to_end(key)
    if plan is _EMPTY:
        return []
    if plan is _ORM:
        return list(build(value))
    return plan.run(connection, value if isinstance(value, tuple) else (value,))
