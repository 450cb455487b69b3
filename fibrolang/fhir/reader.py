"""Read a FHIR R4 Bundle into a patient record, with the bindings the compiler
wrote into the decision graph (``inputs.*.binding``, docs/graph-format.md).

Each binding's FHIRPath (compiled by the compiler) selects the resources it
reads; this module interprets them. It never guesses: a resource it cannot
map (a unit other than the input's, an ambiguous duplicate, an unknown status,
a dose without a schedule) is a ``FhirProblem``, and the input is left out of
the record, so the evaluator answers ``insufficient_data`` if the path needs
it. Entered-in-error resources are ignored and reported.

"Not in the record" is not "unknown": a Bundle that holds the patient's
Conditions without an active one with the codes gives ``false``; the caller
(``fibrolang serve``) decides which searches the Bundle answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

import fhirpathpy

from fibrolang.graph import (
    BindingField,
    BooleanType,
    EnumType,
    FhirBinding,
    Graph,
    InputDeclaration,
    MapType,
    NumberType,
    RecordField,
    ValueType,
)

UCUM_SYSTEM = "http://unitsofmeasure.org"
ACTIVE_CONDITION = frozenset({"active", "recurrence", "relapse"})
FINAL_OBSERVATION = frozenset({"final", "amended", "corrected"})
SECONDS_IN = {"days": 86400, "weeks": 604800}
PERIOD_DAYS = {"d": Fraction(1), "h": Fraction(1, 24), "wk": Fraction(7), "min": Fraction(1, 1440)}


@dataclass(frozen=True, slots=True)
class FhirProblem:
    """What could not be mapped: the input, the resource (``Type/id``) and why."""

    input: str
    resource: str
    message: str

    def as_json(self) -> dict[str, str]:
        return {"input": self.input, "resource": self.resource, "message": self.message}


@dataclass(frozen=True, slots=True)
class Reading:
    record: dict[str, Any]
    problems: tuple[FhirProblem, ...] = field(default=())


def read_bundle(graph: Graph, bundle: Mapping[str, Any], now: datetime, select: str = "fhirpath") -> Reading:
    """The patient record a Bundle gives for every bound input of ``graph``.

    ``select="fhirpath"`` picks each binding's resources with its compiled FHIRPath
    (fhirpathpy); ``select="codes"`` with the binding's resource type and codes in
    Python, which is what that FHIRPath says, some hundred times faster
    (tests/fhir/test_selection.py proves the two equal; ``fibrolang serve`` uses it)."""
    record: dict[str, Any] = {}
    problems = _bundle_shape(bundle)
    if problems:
        return Reading(record, tuple(problems))
    reader = _Reader(graph, now, problems)
    for declared in sorted(graph.inputs, key=lambda i: i.name):
        name, binding = declared.name, declared.binding
        if binding is None:
            continue
        if select == "codes":
            resources = select_by_codes(binding, bundle)
        else:
            selected = fhirpathpy.evaluate(dict(bundle), binding.fhirpath)
            resources = [r for r in selected if isinstance(r, dict)]
        try:
            value = reader.value(name, declared, binding, resources)
        except (AttributeError, KeyError, TypeError, ValueError, IndexError) as error:
            reader.problems.append(
                FhirProblem(name, "", f"a resource it reads is malformed ({type(error).__name__})")
            )
            continue
        if value is not _NOTHING:
            record[name] = value
    return Reading(record, tuple(problems))


# The element of each resource that holds the codes a binding matches (compiler/lower_bindings.py).
CODE_ELEMENT = {
    "Observation": "code",
    "Condition": "code",
    "Procedure": "code",
    "MedicationStatement": "medicationCodeableConcept",
}


def select_by_codes(binding: FhirBinding, bundle: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The Bundle's resources of the binding's type carrying one of its codes, in Bundle order:
    what the binding's FHIRPath selects."""
    kind = binding.resource
    codes = {(c.system, c.code) for c in binding.codes}
    element = CODE_ELEMENT.get(kind)
    found = []
    for entry in bundle.get("entry", []):
        resource = entry["resource"]
        if resource.get("resourceType") != kind:
            continue
        if element is None or set(_codings(resource.get(element))) & codes:
            found.append(dict(resource))
    return found


def _bundle_shape(bundle: Any) -> list[FhirProblem]:
    """A Bundle whose entries are resources: anything else reads as nothing, silently."""
    if not isinstance(bundle, Mapping) or bundle.get("resourceType") != "Bundle":
        return [FhirProblem("", "", "not a FHIR Bundle (resourceType must be 'Bundle')")]
    entries = bundle.get("entry", [])
    if not isinstance(entries, list):
        return [FhirProblem("", "", "Bundle.entry is not a list")]
    found = []
    for number, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, Mapping) else None
        if not isinstance(resource, Mapping) or not isinstance(resource.get("resourceType"), str):
            found.append(
                FhirProblem("", f"entry[{number}]", "an entry without a resource that has a resourceType")
            )
    return found


_NOTHING = object()


def _reference(resource: Mapping[str, Any]) -> str:
    return f"{resource.get('resourceType', '?')}/{resource.get('id', '?')}"


def _instant(text: Any) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _codings(concept: Any) -> list[tuple[str, str]]:
    if not isinstance(concept, dict):
        return []
    found: list[tuple[str, str]] = []
    codings = concept.get("coding", [])
    for coding in [codings] if isinstance(codings, dict) else codings if isinstance(codings, list) else []:
        if isinstance(coding, dict):
            system, code = coding.get("system"), coding.get("code")
            if isinstance(system, str) and isinstance(code, str):
                found.append((system, code))
    return found


def _status_code(concept: Any) -> str | None:
    codes = [code for _, code in _codings(concept)]
    return codes[0] if codes else None


def _is_number(value: Any) -> bool:
    """fhirpathpy hands numbers back as Decimal; JSON gives int or float."""
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _is_integer(type_: ValueType | None) -> bool:
    return isinstance(type_, NumberType) and type_.integral


def _unit(type_: ValueType | None) -> str | None:
    return type_.unit if isinstance(type_, NumberType) else None


def _field_type(fields: Mapping[str, RecordField], name: str) -> ValueType | None:
    """The type of a record field (None when the record has no such field)."""
    found = fields.get(name)
    return found.type if found is not None else None


def _number(value: Fraction, integer: bool) -> int | float | None:
    if integer:
        return int(value) if value.denominator == 1 else None
    return int(value) if value.denominator == 1 else float(value)


class _Reader:
    def __init__(self, graph: Graph, now: datetime, problems: list[FhirProblem]) -> None:
        self.records = {record.name: record for record in graph.records}
        self.enums = {enumeration.name: enumeration for enumeration in graph.enums}
        self.now = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
        self.problems = problems

    def problem(self, name: str, resource: Mapping[str, Any], message: str) -> None:
        self.problems.append(FhirProblem(name, _reference(resource), message))

    def usable(self, name: str, resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
        kept = []
        for resource in resources:
            status = resource.get("status")
            verification = _status_code(resource.get("verificationStatus"))
            if status == "entered-in-error" or verification == "entered-in-error":
                self.problem(name, resource, "entered in error: ignored")
            else:
                kept.append(resource)
        return kept

    def recent(self, binding: FhirBinding, moment: datetime | None) -> bool:
        days = binding.within_days
        if days is None:
            return True
        return moment is not None and (self.now - moment).total_seconds() <= days * 86400

    def value(
        self, name: str, declared: InputDeclaration, binding: FhirBinding, found: list[dict[str, Any]]
    ) -> Any:
        resources = self.usable(name, found)
        kind = binding.resource
        if kind == "Patient":
            return self.age(name, resources)
        if kind == "Observation":
            return self.observation(name, declared.type, binding, resources)
        if kind == "Condition":
            return self.conditions(name, binding, resources)
        if kind == "Procedure":
            return any(
                r.get("status") == "completed" and self.recent(binding, _instant(r.get("performedDateTime")))
                for r in resources
            )
        return self.medications(name, declared, binding, resources)

    def age(self, name: str, patients: list[dict[str, Any]]) -> Any:
        if len(patients) != 1:
            if patients:
                self.problem(name, patients[1], "more than one Patient in the Bundle")
            return _NOTHING
        born = patients[0].get("birthDate")
        if born is None:
            return _NOTHING  # no birth date recorded: the age is unknown, nothing to report
        try:
            birth = date.fromisoformat(born) if isinstance(born, str) and len(born) == 10 else None
        except ValueError:
            birth = None
        if birth is None:
            self.problem(name, patients[0], "no full birth date (YYYY-MM-DD)")
            return _NOTHING
        today = self.now.date()
        return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))

    def observation(
        self, name: str, type_: ValueType, binding: FhirBinding, found: list[dict[str, Any]]
    ) -> Any:
        candidates: list[tuple[datetime, Fraction, dict[str, Any]]] = []
        for resource in found:
            if resource.get("status") not in FINAL_OBSERVATION:
                self.problem(name, resource, f"status {resource.get('status')!r} is not final: ignored")
                continue
            moment = _instant(resource.get("effectiveDateTime"))
            if moment is None:
                self.problem(name, resource, "no effectiveDateTime")
                continue
            if not self.recent(binding, moment):
                continue
            quantity = resource.get("valueQuantity")
            if not isinstance(quantity, dict) or not _is_number(quantity.get("value")):
                self.problem(name, resource, "no valueQuantity with a number")
                continue
            ucum = binding.ucum or ()
            if quantity.get("system") != UCUM_SYSTEM or quantity.get("code") not in ucum:
                self.problem(
                    name,
                    resource,
                    f"unit {quantity.get('code')!r} is not {binding.unit} (UCUM {ucum[0]!r})",
                )
                continue
            candidates.append((moment, Fraction(str(quantity["value"])), resource))
        if not candidates:
            return _NOTHING
        latest = max(moment for moment, _, _ in candidates)
        values = {value for moment, value, _ in candidates if moment == latest}
        if len(values) > 1:
            newest = [r for moment, _, r in candidates if moment == latest]
            self.problem(
                name, newest[1], f"ambiguous: {len(newest)} different values at {latest.isoformat()}"
            )
            return _NOTHING
        value = _number(values.pop(), _is_integer(type_))
        if value is None:
            self.problem(name, candidates[0][2], "not a whole number")
            return _NOTHING
        return value

    def member_of(self, binding: FhirBinding, concept: Any) -> list[str]:
        codings = set(_codings(concept))
        return sorted(
            entry.member
            for entry in binding.member_codes or ()
            if any((c.system, c.code) in codings for c in entry.codes)
        )

    def conditions(self, name: str, binding: FhirBinding, found: list[dict[str, Any]]) -> Any:
        active = []
        for resource in found:
            clinical = _status_code(resource.get("clinicalStatus"))
            if clinical is None:
                self.problem(name, resource, "no clinicalStatus: cannot tell whether it is active")
                return _NOTHING
            if clinical in ACTIVE_CONDITION and _status_code(resource.get("verificationStatus")) != "refuted":
                active.append(resource)
        if binding.member_codes is None:
            return bool(active)
        return sorted({member for r in active for member in self.member_of(binding, r.get("code"))})

    def medications(
        self, name: str, declared: InputDeclaration, binding: FhirBinding, found: list[dict[str, Any]]
    ) -> Any:
        by_member: dict[str, list[dict[str, Any]]] = {}
        for resource in found:
            for member in self.member_of(binding, resource.get("medicationCodeableConcept")):
                by_member.setdefault(member, []).append(resource)
        assert isinstance(declared.type, MapType)  # the checker binds MedicationStatement to a map
        fields = {f.name: f for f in self.records[declared.type.record].fields}
        medications: dict[str, Any] = {}
        for member, statements in sorted(by_member.items()):
            if len(statements) > 1:
                self.problem(
                    name, statements[1], f"ambiguous: {len(statements)} MedicationStatements for {member}"
                )
                continue
            trial = self.trial(name, binding, fields, statements[0])
            if trial is not None:
                medications[member] = trial
        return medications

    def trial(
        self, name: str, binding: FhirBinding, fields: Mapping[str, RecordField], statement: dict[str, Any]
    ) -> dict[str, Any] | None:
        values: dict[str, Any] = {}
        complete = True
        for how in sorted(binding.fields, key=lambda f: f.name):
            field_name = how.name
            value = self.field(name, how, _field_type(fields, field_name), statement)
            if value is _NOTHING:
                complete = False
            else:
                values[field_name] = value
        return values if complete else None

    def field(self, name: str, how: BindingField, type_: ValueType | None, statement: dict[str, Any]) -> Any:
        role = how.role
        status = statement.get("status")
        if role == "status":
            if status == "active":
                return True
            if status in ("completed", "stopped"):
                return False
            self.problem(name, statement, f"status {status!r}: cannot tell whether it is being taken")
            return _NOTHING
        if role == "duration":
            period = statement.get("effectivePeriod") or {}
            start = _instant(period.get("start"))
            end = _instant(period.get("end")) if period.get("end") is not None else self.now
            if start is None or end is None or end < start:
                self.problem(name, statement, "no effectivePeriod with a start (and an end not before it)")
                return _NOTHING
            seconds = Fraction(int((end - start).total_seconds()))
            unit = _unit(type_)
            return _number(seconds / SECONDS_IN.get(unit or "weeks", 604800), _is_integer(type_))
        if role == "dose":
            return self.daily_dose(name, type_, statement)
        return self.extension(name, how.url or "", type_, statement)

    def daily_dose(self, name: str, type_: ValueType | None, statement: dict[str, Any]) -> Any:
        dosages = statement.get("dosage") or []
        expected = (_unit(type_) or "mg/day").split("/")[0].replace("mcg", "ug")
        try:
            dosage = dosages[0]
            quantity = dosage["doseAndRate"][0]["doseQuantity"]
            repeat = dosage["timing"]["repeat"]
            per_day = Fraction(repeat["frequency"]) / (
                Fraction(str(repeat["period"])) * PERIOD_DAYS[repeat["periodUnit"]]
            )
            amount = Fraction(str(quantity["value"]))
        except (IndexError, KeyError, TypeError, ValueError, ZeroDivisionError):
            self.problem(name, statement, "no dose with a schedule (doseQuantity and timing.repeat)")
            return _NOTHING
        if len(dosages) > 1:
            self.problem(name, statement, "more than one dosage: cannot tell the daily dose")
            return _NOTHING
        if quantity.get("system") != UCUM_SYSTEM or quantity.get("code") != expected:
            self.problem(name, statement, f"dose unit {quantity.get('code')!r} is not {expected!r}")
            return _NOTHING
        return _number(amount * per_day, _is_integer(type_))

    def extension(self, name: str, url: str, type_: ValueType | None, statement: dict[str, Any]) -> Any:
        found = [e for e in statement.get("extension", []) if isinstance(e, dict) and e.get("url") == url]
        if len(found) != 1:
            self.problem(name, statement, f"{'no' if not found else 'more than one'} extension {url}")
            return _NOTHING
        if isinstance(type_, EnumType):
            code = found[0].get("valueCode")
            if code in self.enums[type_.enum].members:
                return code
            self.problem(name, statement, f"extension {url}: {code!r} is not a {type_.enum}")
            return _NOTHING
        if isinstance(type_, BooleanType) and isinstance(found[0].get("valueBoolean"), bool):
            return found[0]["valueBoolean"]
        if isinstance(type_, NumberType) and _is_number(found[0].get("valueDecimal")):
            return _number(Fraction(str(found[0]["valueDecimal"])), type_.integral)
        self.problem(name, statement, f"extension {url} has no value of the field's type")
        return _NOTHING
