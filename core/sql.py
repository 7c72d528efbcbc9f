"""Querysets compiled once, run many times: the read path's SQL without the ORM's per-request
cost.

Building a queryset and compiling it to SQL costs more CPU than PostgreSQL spends answering
it (bench/README.md): most of a product GET went there. A :class:`CompiledQuery` builds its
``.values()`` queryset once per database connection and *shape* from placeholder ids, keeps
the SQL, the position of each id among its parameters and the columns' converters, and then
only executes that SQL with the request's ids and converts the rows exactly as the ORM's
``.values()`` would.

A shape is the length of each list parameter (``id__in`` has one placeholder per id), so a
page of 100 compiles once and is reused by every page of 100. Parameters are ints or strings
(ids and codes such as SKUs) compared as they are: a lookup that rewrites its value
(``icontains``) cannot be compiled, and says so.
"""

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet

# Placeholder ids: negative, so never a real primary key, and far from any constant a
# queryset could hold itself; placeholder strings start with a NUL, which no text we store
# may contain (core.validators).
_PLACEHOLDER_BASE = -(2**62)


def _placeholder(number: int, kind: type):
    return number if kind is int else f"\x00placeholder:{number}"


SHAPES_PER_CONNECTION = 256  # bounds memory: list lengths are bounded by page sizes anyway


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    # For each parameter position holding a placeholder: (parameter name, index in its list
    # or None for a single id).
    slots: tuple[tuple[int, str, int | None], ...]
    names: tuple[str, ...]
    column_count: int
    compiler: object  # the SQL compiler, for its converters (bound to its connection)
    converters: dict

    def params_for(self, values: dict) -> list:
        params = list(self.params)
        for position, name, index in self.slots:
            value = values[name]
            params[position] = value if index is None else value[index]
        return params


def own_columns(model) -> list[str]:
    """The model's own columns (``attname``s), for ``.values(*own_columns(Model))`` queries
    whose rows ``CompiledQuery.instances`` turns back into instances."""
    return [field.attname for field in model._meta.concrete_fields]


def _names(query) -> tuple[str, ...]:
    """The row's keys, in the order of its columns, exactly as ``.values()`` names them."""
    if query.selected:
        return tuple(query.selected)
    return (*query.extra_select, *query.values_select, *query.annotation_select)


class CompiledQuery:
    """``build(**params)`` returns a ``.values()`` queryset; ``rows(**params)`` runs it as the
    ORM would and returns its rows as dicts, compiling only the first time a connection sees
    the shape. Each parameter is an int or a str, or a list of them."""

    def __init__(self, build: Callable[..., QuerySet], *, using: str = DEFAULT_DB_ALIAS):
        self.build = build
        self.using = using
        self._compiled: WeakKeyDictionary = WeakKeyDictionary()

    def rows(self, **values) -> list[dict]:
        connection = connections[self.using]
        compiled = self._compiled_for(connection, values)
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, compiled.params_for(values))
            fetched = cursor.fetchall()
        count = compiled.column_count
        if compiled.converters:
            fetched = compiled.compiler.apply_converters(fetched, compiled.converters)
        names = compiled.names
        return [dict(zip(names, row[:count], strict=False)) for row in fetched]

    def instances(self, model, **values) -> list:
        """The rows as ``model`` instances, as if the ORM had loaded them: the queryset selects
        the model's own columns (``.values(*attnames)``), and any other column (an
        annotation) becomes an attribute, as it would."""
        own = own_columns(model)
        loaded = []
        for row in self.rows(**values):
            fields = [name for name in own if name in row]
            instance = model.from_db(self.using, fields, [row.pop(name) for name in fields])
            for name, value in row.items():
                setattr(instance, name, value)
            loaded.append(instance)
        return loaded

    def _compiled_for(self, connection, values: dict) -> _Compiled:
        shapes = self._compiled.get(connection)
        if shapes is None:
            shapes = self._compiled[connection] = OrderedDict()
        shape = tuple(
            (name, len(value), type(value[0]) if value else int)
            if isinstance(value, list | tuple)
            else (name, None, type(value))
            for name, value in sorted(values.items())
        )
        compiled = shapes.get(shape)
        if compiled is None:
            compiled = shapes[shape] = self._compile(connection, shape)
            if len(shapes) > SHAPES_PER_CONNECTION:
                shapes.popitem(last=False)
        else:
            shapes.move_to_end(shape)
        return compiled

    def _compile(self, connection, shape) -> _Compiled:
        placeholders, slot_of = {}, {}
        next_id = _PLACEHOLDER_BASE
        for name, length, kind in shape:
            if kind not in (int, str):
                raise TypeError(f"{name}: only ints and strings can be parameters, not {kind}.")
            if length is None:
                placeholders[name] = _placeholder(next_id, kind)
                slot_of[placeholders[name]] = (name, None)
                next_id += 1
            else:
                placeholders[name] = [_placeholder(next_id + i, kind) for i in range(length)]
                slot_of.update({value: (name, i) for i, value in enumerate(placeholders[name])})
                next_id += length
        queryset = self.build(**placeholders)
        query = queryset.query
        compiler = query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        slots = tuple(
            (position, *slot_of[param])
            for position, param in enumerate(params)
            if isinstance(param, int | str) and param in slot_of
        )
        if {(name, index) for _, name, index in slots} != set(slot_of.values()):
            raise ValueError("Every placeholder id must be a parameter of the query.")
        if query.values_select == () and not query.annotation_select:
            raise ValueError("CompiledQuery needs a .values() queryset.")
        select = [column[0] for column in compiler.select[: compiler.col_count]]
        return _Compiled(
            sql=sql,
            params=tuple(params),
            slots=slots,
            names=_names(query),
            column_count=compiler.col_count,
            compiler=compiler,
            converters=compiler.get_converters(select),
        )
