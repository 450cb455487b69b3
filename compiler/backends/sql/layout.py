"""The patients table the SQL target reads, and the facts a result may name as missing.

One row per patient, flat columns (docs/population.md, "The patients table"):

- a boolean, number or enumeration input ``x``: column ``x`` (BOOLEAN, BIGINT for an
  integer, DOUBLE for a decimal, VARCHAR for a member); NULL when the fact is absent;
- a set input ``s``: column ``s``, a list of members (VARCHAR[]); NULL when absent;
- a map input ``m`` keyed by an enumeration, to records: column ``m`` (BOOLEAN, TRUE when
  the map is given), ``m__k`` (BOOLEAN, TRUE when the map has an entry for member ``k``)
  and ``m__k__f`` for each field ``f`` of the record, typed as an input of its type.

Every fact a result may name as missing (an input, a map entry, a field of an entry) has a
bit in a mask of BIGINT words: ``Fact.word`` and ``Fact.bit``.
"""

from __future__ import annotations

from dataclasses import dataclass

from fibrolang.graph import BooleanType, EnumType, Graph, MapType, NumberType, SetType, ValueType

BITS_PER_WORD = 62
"""Bits of a BIGINT mask word used (the sign bit and the one below it stay clear)."""


class SqlTargetError(Exception):
    """The guideline uses something the SQL target cannot express; nothing is approximated.

    ``where`` names the element (``the guard of item plan/3``), ``line``/``column`` its place
    in the guideline source when the graph records it."""

    def __init__(self, message: str, where: str = "", line: int | None = None, column: int | None = None):
        super().__init__(f"{where}: {message}" if where else message)
        self.message = message
        self.where = where
        self.line = line
        self.column = column


@dataclass(frozen=True, slots=True)
class LayoutColumn:
    """One column of the patients table: its name, SQL type, and the fact path it holds."""

    name: str
    sql_type: str  # BOOLEAN BIGINT DOUBLE VARCHAR VARCHAR[]
    path: str  # the patient record's dotted path (``medications.duloxetine.weeks``)
    declared: ValueType | None  # None for the presence flags of maps and entries
    enum: tuple[str, ...]  # members, for VARCHAR and VARCHAR[] columns


@dataclass(frozen=True, slots=True)
class Fact:
    path: str
    word: int
    bit: int

    @property
    def value(self) -> int:
        return 1 << self.bit


SEPARATOR = "__"


def sql_type(declared: ValueType) -> str:
    if isinstance(declared, BooleanType):
        return "BOOLEAN"
    if isinstance(declared, NumberType):
        return "BIGINT" if declared.integral else "DOUBLE"
    if isinstance(declared, EnumType):
        return "VARCHAR"
    if isinstance(declared, SetType):
        return "VARCHAR[]"
    raise SqlTargetError("a map inside a record cannot be laid out as columns")


class Layout:
    """The columns of the patients table and the facts of one guideline."""

    def __init__(self, graph: Graph) -> None:
        enums = {enum.name: enum.members for enum in graph.enums}
        records = {record.name: record for record in graph.records}
        self.columns: list[LayoutColumn] = []
        self.facts: dict[str, Fact] = {}
        for declared in graph.inputs:
            kind = declared.type
            if isinstance(kind, MapType):
                record = records.get(kind.record)
                if record is None:
                    raise SqlTargetError(f"input {declared.name}: no record is named {kind.record!r}")
                self._add(declared.name, "BOOLEAN", declared.name, None, ())
                for key in enums.get(kind.key, ()):
                    entry = f"{declared.name}{SEPARATOR}{key}"
                    self._add(entry, "BOOLEAN", f"{declared.name}.{key}", None, ())
                    for field in record.fields:
                        if isinstance(field.type, MapType):
                            raise SqlTargetError(
                                f"input {declared.name}: field {field.name} is a map inside a record"
                            )
                        self._add(
                            f"{entry}{SEPARATOR}{field.name}",
                            sql_type(field.type),
                            f"{declared.name}.{key}.{field.name}",
                            field.type,
                            _members(field.type, enums),
                        )
            else:
                self._add(declared.name, sql_type(kind), declared.name, kind, _members(kind, enums))
        names = [column.name for column in self.columns]
        clashes = sorted({name for name in names if names.count(name) > 1})
        if clashes:
            raise SqlTargetError(
                f"two inputs would share the column(s) {', '.join(clashes)} of the patients table "
                f"(a map's columns are named input{SEPARATOR}key{SEPARATOR}field): rename one"
            )
        self.by_path = {column.path: column for column in self.columns}
        # bits in the order of the facts' names: a mask lists its facts sorted
        for index, path in enumerate(sorted(self.facts)):
            self.facts[path] = Fact(path, index // BITS_PER_WORD, index % BITS_PER_WORD)

    def _add(
        self, name: str, type_: str, path: str, declared: ValueType | None, enum: tuple[str, ...]
    ) -> None:
        self.columns.append(LayoutColumn(name, type_, path, declared, enum))
        index = len(self.facts)
        self.facts[path] = Fact(path, index // BITS_PER_WORD, index % BITS_PER_WORD)

    @property
    def words(self) -> int:
        return max(1, (len(self.facts) + BITS_PER_WORD - 1) // BITS_PER_WORD)


def _members(declared: ValueType, enums: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    if isinstance(declared, EnumType | SetType):
        return enums.get(declared.enum, ())
    return ()
