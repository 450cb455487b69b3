"""The guideline's namespaces, built once for every check.

The first declaration of a name wins; later ones are reported by
``names.check_names`` and otherwise ignored, so a duplicate never makes a use
of the name ambiguous. Namespaces:

- types: enumerations and records;
- values: inputs and definitions (outputs are definitions);
- interventions (``drug`` and ``therapy``);
- invariants;
- pathway nodes;
- flags: raised by ``flag`` items anywhere in the pathway (not declared);
- code sets (``codes`` declarations, for FHIR bindings).

Enum members are not a namespace of their own: the same member may belong to
several enumerations and is resolved by the type the context expects.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from compiler.check import unit_catalogue as catalogue
from compiler.front import syntax as s


@dataclass
class Symbols:
    enums: dict[str, s.Enumeration] = field(default_factory=dict)
    records: dict[str, s.Record] = field(default_factory=dict)
    inputs: dict[str, s.Input] = field(default_factory=dict)
    definitions: dict[str, s.Definition] = field(default_factory=dict)
    interventions: dict[str, s.Intervention] = field(default_factory=dict)
    invariants: dict[str, s.Invariant] = field(default_factory=dict)
    nodes: dict[str, s.PathwayNode] = field(default_factory=dict)
    flags: dict[str, s.Flag] = field(default_factory=dict)
    code_sets: dict[str, s.CodeSet] = field(default_factory=dict)
    # member name -> the enumerations that declare it, in declaration order
    member_enums: dict[str, list[str]] = field(default_factory=dict)
    # units the guideline declares (``unit ... dimension ...``) that the catalogue lacks
    units: dict[str, catalogue.Unit] = field(default_factory=dict)

    def is_value(self, name: str) -> bool:
        return name in self.inputs or name in self.definitions

    def members(self, enum: str) -> list[str]:
        declared = self.enums.get(enum)
        if declared is None:
            return []
        return list(dict.fromkeys(m.name.text for m in declared.members))

    def record_field(self, record: str, name: str) -> s.RecordField | None:
        declared = self.records.get(record)
        if declared is None:
            return None
        return next((f for f in declared.fields if f.name.text == name), None)

    def value_names(self) -> list[str]:
        return [*self.inputs, *self.definitions]


def collect(guideline: s.Guideline) -> Symbols:
    symbols = Symbols()
    types: set[str] = set()
    values: set[str] = set()
    for declaration in guideline.declarations:
        if isinstance(declaration, s.Enumeration | s.Record):
            name = declaration.name.text
            if name in types:
                continue
            types.add(name)
            if isinstance(declaration, s.Enumeration):
                symbols.enums[name] = declaration
                seen: set[str] = set()
                for member in declaration.members:
                    if member.name.text not in seen:
                        seen.add(member.name.text)
                        symbols.member_enums.setdefault(member.name.text, []).append(name)
            else:
                symbols.records[name] = declaration
        elif isinstance(declaration, s.Input | s.Definition):
            name = declaration.name.text
            if name in values:
                continue
            values.add(name)
            if isinstance(declaration, s.Input):
                symbols.inputs[name] = declaration
            else:
                symbols.definitions[name] = declaration
        elif isinstance(declaration, s.Intervention):
            symbols.interventions.setdefault(declaration.name.text, declaration)
        elif isinstance(declaration, s.Invariant):
            symbols.invariants.setdefault(declaration.name.text, declaration)
        elif isinstance(declaration, s.UnitDeclaration):
            declared_unit(symbols.units, declaration)
        elif isinstance(declaration, s.CodeSet):
            symbols.code_sets.setdefault(declaration.name.text, declaration)
    if guideline.pathway is not None:
        for node in guideline.pathway.nodes:
            symbols.nodes.setdefault(node.name.text, node)
            if isinstance(node, s.Step):
                for item in node.items:
                    if isinstance(item, s.Flag):
                        symbols.flags.setdefault(item.name.text, item)
    return symbols


def declared_unit(known: dict[str, catalogue.Unit], declaration: s.UnitDeclaration) -> None:
    """Add a guideline's unit to ``known`` unless the catalogue or an earlier declaration has it
    (``compiler/check/declared_units.py`` reports those)."""
    name = declaration.unit.text
    if catalogue.lookup(name) is None and name not in known:
        known[name] = catalogue.Unit(name, declaration.dimension.value)
