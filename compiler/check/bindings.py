"""FHIR bindings: where an input comes from in FHIR R4 (docs/fhir.md).

- Every code names a known code system and has that system's form (and check
  digit: LOINC mod 10, SNOMED CT Verhoeff) (FIB130, FIB131).
- ``codes`` declarations: unique names; ``for E`` names an enumeration whose
  members they code, each member at most once (FIB101, FIB102, FIB132).
- A binding fits its input's type (FIB132):
  Observation -> a number, with ``latest value in U``;
  Condition -> a boolean (a value set) or a set of an enumeration (codes for it);
  Procedure -> a boolean; Patient -> an age in years (from the birth date);
  MedicationStatement -> a map of an enumeration to a record, every field bound.
- The unit of ``latest value in`` is the input's unit, written as the guideline
  unit or as its UCUM code; any other unit is an error naming both (FIB133);
  a UCUM code fibrolang does not know is FIB134.
"""

from __future__ import annotations

from collections.abc import Iterator

from compiler.check import fhir_codes
from compiler.check import unit_catalogue as catalogue
from compiler.check.context import Context, did_you_mean
from compiler.check.symbols import Symbols
from compiler.diagnostics import catalogue as diag
from compiler.diagnostics.catalogue import Diagnostic, RelatedSpan
from compiler.front import syntax as s

RESOURCES = ("Observation", "Condition", "Procedure", "MedicationStatement", "Patient")
# Where a medication record's field may come from, and the kind of field it fills.
FIELD_ROLES = {
    "dose": "a daily dose (a number in mg/day, mcg/day or g/day)",
    "duration": "a duration (a number in days or weeks)",
    "status": "whether it is being taken (a boolean)",
    "extension": 'an extension\'s value (`extension "URL"`: an enumeration, boolean or number)',
}
DOSE_UNITS = ("mg/day", "mcg/day", "g/day")
DURATION_UNITS = ("days", "weeks")


def check_bindings(guideline: s.Guideline, context: Context) -> list[Diagnostic]:
    sets = context.symbols.code_sets  # the first of a repeated name wins
    found: list[Diagnostic] = []
    for declaration in guideline.declarations:
        if isinstance(declaration, s.CodeSet):
            first = sets[declaration.name.text]
            if first is not declaration:
                found.append(
                    diag.make(
                        "FIB102",
                        f"`{declaration.name.text}` is already declared as codes",
                        declaration.name.span,
                        hint="rename one of them, or remove the repeated declaration",
                        related=[RelatedSpan(first.name.span, "first declared here")],
                    )
                )
            found += _code_set(declaration, context.symbols)
        elif isinstance(declaration, s.Input) and declaration.binding is not None:
            found += _binding(declaration, declaration.binding, sets, context.symbols)
    return found


def _codes_of(item: s.CodeSet | s.Binding) -> Iterator[s.Code]:
    if isinstance(item, s.CodeSet):
        yield from item.codes
        for entry in item.entries:
            yield from entry.codes
    else:
        yield from item.codes


def _code(code: s.Code) -> list[Diagnostic]:
    system = fhir_codes.CODE_SYSTEMS.get(code.system.text)
    if system is None:
        known = ", ".join(sorted(fhir_codes.CODE_SYSTEMS))
        suggestion = did_you_mean(code.system.text, fhir_codes.CODE_SYSTEMS)
        return [
            diag.make(
                "FIB130",
                f"`{code.system.text}` is not a code system fibrolang knows",
                code.system.span,
                hint=(f"{suggestion} " if suggestion else "") + f"known code systems: {known}",
            )
        ]
    problem = fhir_codes.code_problem(system, code.code.value)
    if problem is None:
        return []
    return [
        diag.make("FIB131", problem, code.code.span, hint=f"check the code in the {system.title} browser")
    ]


def _code_set(declaration: s.CodeSet, symbols: Symbols) -> list[Diagnostic]:
    found = [problem for code in _codes_of(declaration) for problem in _code(code)]
    if declaration.enumeration is None:
        return found
    enum_name = declaration.enumeration.text
    if enum_name not in symbols.enums:
        hint = did_you_mean(enum_name, symbols.enums) or "`codes NAME for E` names an enumeration E"
        return [
            *found,
            diag.make(
                "FIB101", f"`{enum_name}` is not an enumeration", declaration.enumeration.span, hint=hint
            ),
        ]
    members = symbols.members(enum_name)
    seen: dict[str, s.Name] = {}
    for entry in declaration.entries:
        name = entry.member.text
        if name not in members:
            found.append(
                diag.make(
                    "FIB101",
                    f"`{name}` is not a member of the enumeration `{enum_name}`",
                    entry.member.span,
                    hint=did_you_mean(name, members) or f"members: {', '.join(members)}",
                )
            )
        elif name in seen:
            found.append(
                diag.make(
                    "FIB102",
                    f"`{name}` has codes twice in `{declaration.name.text}`",
                    entry.member.span,
                    hint="give all its codes in one entry, joined by `or`",
                    related=[RelatedSpan(seen[name].span, "first given here")],
                )
            )
        else:
            seen[name] = entry.member
    return found


def _invalid(message: str, span: s.Span, hint: str) -> Diagnostic:
    return diag.make("FIB132", message, span, hint=hint)


def _binding(
    declared: s.Input, binding: s.Binding, sets: dict[str, s.CodeSet], symbols: Symbols
) -> list[Diagnostic]:
    found = [problem for code in binding.codes for problem in _code(code)]
    resource = binding.resource.text
    if resource not in RESOURCES:
        hint = did_you_mean(resource, RESOURCES) or f"bindings read {', '.join(RESOURCES)}"
        return [
            *found,
            _invalid(f"`{resource}` is not a FHIR resource fibrolang reads", binding.resource.span, hint),
        ]
    code_set: s.CodeSet | None = None
    if binding.code_set is not None:
        code_set = sets.get(binding.code_set.text)
        if code_set is None:
            hint = did_you_mean(binding.code_set.text, sets) or "declare it with `codes NAME = ...`"
            return [
                *found,
                diag.make(
                    "FIB101",
                    f"`{binding.code_set.text}` is not declared as codes",
                    binding.code_set.span,
                    hint=hint,
                ),
            ]
    type_ = declared.type
    name = declared.name.text
    if resource == "Patient":
        found += _patient(name, binding, type_)
    elif resource == "Observation":
        found += _observation(name, binding, type_, code_set)
    elif resource in ("Condition", "Procedure"):
        found += _condition(name, binding, type_, code_set, symbols)
    else:
        found += _medication(name, binding, type_, code_set, symbols)
    if binding.within is not None:
        found += _window(binding)
    return found


def _no_extras(binding: s.Binding, codes: bool, value: bool, window: bool, fields: bool) -> list[Diagnostic]:
    resource = binding.resource.text
    found: list[Diagnostic] = []
    if not codes and (binding.codes or binding.code_set is not None):
        found.append(
            _invalid(f"a {resource} binding takes no codes", binding.span, "remove the `code ...` part")
        )
    if not value and binding.latest:
        found.append(
            _invalid(
                f"a {resource} binding has no `latest value`",
                binding.span,
                "only Observation values have units",
            )
        )
    if not window and binding.within is not None:
        found.append(
            _invalid(
                f"a {resource} binding takes no `within`", binding.within.span, "remove the `within ...` part"
            )
        )
    if not fields and binding.fields:
        found.append(
            _invalid(
                f"a {resource} binding takes no `with` fields",
                binding.fields[0].span,
                "only MedicationStatement fills a record",
            )
        )
    if codes and not binding.codes and binding.code_set is None:
        found.append(
            _invalid(
                f"a {resource} binding needs the codes it reads",
                binding.resource.span,
                f'write `from {resource} code loinc "..."` or `code in NAME`',
            )
        )
    return found


def _patient(name: str, binding: s.Binding, type_: s.TypeExpr) -> list[Diagnostic]:
    found = _no_extras(binding, codes=False, value=False, window=False, fields=False)
    if (
        not isinstance(type_, s.NumberType)
        or type_.unit is None
        or catalogue.canonical(type_.unit.text) != "years"
    ):
        found.append(
            _invalid(
                f"`from Patient` gives an age in years; `{name}` is not a number in years",
                binding.span,
                "bind an age (`integer 0 to 130 years`) to the Patient's birth date",
            )
        )
    return found


def _observation(
    name: str, binding: s.Binding, type_: s.TypeExpr, code_set: s.CodeSet | None
) -> list[Diagnostic]:
    found = _no_extras(binding, codes=True, value=True, window=True, fields=False)
    if code_set is not None and code_set.enumeration is not None:
        found.append(_plain_set_needed(binding, code_set))
    if not isinstance(type_, s.NumberType):
        return [
            *found,
            _invalid(
                f"an Observation gives a number; `{name}` is not a number",
                binding.span,
                "bind booleans to Condition or Procedure",
            ),
        ]
    if not binding.latest:
        return [
            *found,
            _invalid(
                "an Observation binding says which value it reads", binding.span, "add `latest value in UNIT`"
            ),
        ]
    declared = catalogue.canonical(type_.unit.text) if type_.unit is not None else None
    if binding.ucum is not None:
        written = fhir_codes.unit_of_ucum(binding.ucum.value)
        if written is None:
            return [
                *found,
                diag.make(
                    "FIB134",
                    f"`{binding.ucum.value}` is not a UCUM unit fibrolang knows",
                    binding.ucum.span,
                    hint=f"the UCUM code of {declared} is `{fhir_codes.ucum_codes(declared)[0]}`"
                    if declared is not None and fhir_codes.ucum_codes(declared)
                    else "docs/fhir.md lists the UCUM codes fibrolang reads",
                ),
            ]
        shown, span = f"`{binding.ucum.value}` ({written})", binding.ucum.span
    elif binding.unit is not None:
        written = catalogue.canonical(binding.unit.text)
        if written is None:
            return found  # the units pass reports unknown units
        shown, span = f"`{written}`", binding.unit.span
    else:
        return found
    if written != declared:
        found.append(
            diag.make(
                "FIB133",
                f"the binding reads {shown}, but `{name}` is in {declared or 'no unit'}",
                span,
                hint="fibrolang never converts units: bind the value in the input's own unit",
            )
        )
    elif declared is not None and not fhir_codes.ucum_codes(declared):
        found.append(
            diag.make(
                "FIB134",
                f"{declared} has no UCUM code fibrolang knows",
                span,
                hint="docs/fhir.md lists the UCUM codes",
            )
        )
    return found


def _plain_set_needed(binding: s.Binding, code_set: s.CodeSet) -> Diagnostic:
    assert code_set.enumeration is not None
    return _invalid(
        f"`{code_set.name.text}` gives the codes of each `{code_set.enumeration.text}`,"
        " but this input needs one value set",
        binding.code_set.span if binding.code_set is not None else binding.span,
        'declare a value set: `codes NAME = snomed "..." or ...`',
    )


def _condition(
    name: str, binding: s.Binding, type_: s.TypeExpr, code_set: s.CodeSet | None, symbols: Symbols
) -> list[Diagnostic]:
    procedure = binding.resource.text == "Procedure"
    found = _no_extras(binding, codes=True, value=False, window=procedure, fields=False)
    if isinstance(type_, s.BooleanType):
        if code_set is not None and code_set.enumeration is not None:
            found.append(_plain_set_needed(binding, code_set))
        return found
    if isinstance(type_, s.SetType) and not procedure:
        return found + _coded_members(name, binding, type_.element.text, code_set, symbols)
    kinds = "a boolean" if procedure else "a boolean or a set of an enumeration"
    return [
        *found,
        _invalid(
            f"a {binding.resource.text} binding gives {kinds}; `{name}` is neither",
            binding.span,
            "see docs/fhir.md",
        ),
    ]


def _coded_members(
    name: str, binding: s.Binding, enum_name: str, code_set: s.CodeSet | None, symbols: Symbols
) -> list[Diagnostic]:
    if code_set is None or code_set.enumeration is None:
        return [
            _invalid(
                f"`{name}` holds members of `{enum_name}`: its binding needs the codes of each member",
                binding.span,
                f"declare `codes NAME for {enum_name} {{ member: ..., }}` and write `code in NAME`",
            )
        ]
    if code_set.enumeration.text != enum_name:
        return [
            _invalid(
                f"`{code_set.name.text}` codes `{code_set.enumeration.text}`,"
                f" but `{name}` holds `{enum_name}`",
                binding.code_set.span if binding.code_set is not None else binding.span,
                f"use codes declared `for {enum_name}`",
            )
        ]
    return []


def _medication(
    name: str, binding: s.Binding, type_: s.TypeExpr, code_set: s.CodeSet | None, symbols: Symbols
) -> list[Diagnostic]:
    found = _no_extras(binding, codes=True, value=False, window=False, fields=True)
    if not isinstance(type_, s.MapType):
        return [
            *found,
            _invalid(
                f"a MedicationStatement binding gives a map of medications to records; `{name}` is not a map",
                binding.span,
                "declare the input as `map of AGENT to RECORD`",
            ),
        ]
    found += _coded_members(name, binding, type_.key.text, code_set, symbols)
    record = symbols.records.get(type_.value.text)
    if record is None:
        return found
    bound: dict[str, s.FieldBinding] = {}
    for field_binding in binding.fields:
        record_field = symbols.record_field(record.name.text, field_binding.record_field.text)
        if record_field is None:
            fields = [f.name.text for f in record.fields]
            found.append(
                diag.make(
                    "FIB101",
                    f"the record `{record.name.text}` has no field `{field_binding.record_field.text}`",
                    field_binding.record_field.span,
                    hint=did_you_mean(field_binding.record_field.text, fields)
                    or f"fields: {', '.join(fields)}",
                )
            )
            continue
        if field_binding.record_field.text in bound:
            found.append(
                _invalid(
                    f"the field `{field_binding.record_field.text}` is bound twice",
                    field_binding.span,
                    "bind it once",
                )
            )
            continue
        bound[field_binding.record_field.text] = field_binding
        found += _field_role(field_binding, record_field.type, symbols)
    missing = [f.name.text for f in record.fields if f.name.text not in bound]
    if missing:
        found.append(
            _invalid(
                f"the binding of `{name}` does not say where"
                f" {', '.join(f'`{m}`' for m in missing)} come(s) from",
                binding.span,
                'bind every field of the record: `with FIELD = dose | duration | status | extension "URL"`',
            )
        )
    return found


def _field_role(field_binding: s.FieldBinding, type_: s.TypeExpr, symbols: Symbols) -> list[Diagnostic]:
    role = field_binding.role.text
    if role not in FIELD_ROLES:
        hint = did_you_mean(role, FIELD_ROLES) or "roles: " + ", ".join(FIELD_ROLES)
        return [
            _invalid(
                f"`{role}` is not a part of a MedicationStatement fibrolang reads",
                field_binding.role.span,
                hint,
            )
        ]
    if (role == "extension") != (field_binding.url is not None):
        return [
            _invalid(
                '`extension` needs its URL (`extension "http://..."`), other roles take none',
                field_binding.span,
                "see docs/fhir.md",
            )
        ]
    unit = (
        catalogue.canonical(type_.unit.text)
        if isinstance(type_, s.NumberType) and type_.unit is not None
        else None
    )
    fits = {
        "dose": unit in DOSE_UNITS,
        "duration": unit in DURATION_UNITS,
        "status": isinstance(type_, s.BooleanType),
        "extension": isinstance(type_, s.BooleanType | s.NumberType)
        or (isinstance(type_, s.NamedType) and type_.name.text in symbols.enums),
    }[role]
    if fits:
        return []
    return [
        _invalid(
            f"`{role}` gives {FIELD_ROLES[role]};"
            f" the field `{field_binding.record_field.text}` does not hold one",
            field_binding.span,
            "bind the field to the part of the MedicationStatement that holds its value",
        )
    ]


def _window(binding: s.Binding) -> list[Diagnostic]:
    assert binding.within is not None
    unit = binding.within.unit
    if unit is None or catalogue.canonical(unit.text) not in fhir_codes.DAYS_IN:
        return [
            _invalid(
                "`within` takes a time: days, weeks, months or years",
                binding.within.span,
                "write e.g. `within 12 months` (a month counts as 30 days, a year as 365)",
            )
        ]
    return []
