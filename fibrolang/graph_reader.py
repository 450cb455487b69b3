"""Read a graph JSON dict into the ``Graph`` model, collecting every problem.

A malformed file never escapes as a ``KeyError`` or ``TypeError``: each
missing key or wrong type becomes a ``Problem`` located by a JSON path
(``nodes.adult.branches[0].guard``), and reading goes on so that one
``GuidelineError`` lists them all. References between parts of the graph are
checked afterwards by ``structure``; expression types by ``compile``.

Keys the runtime does not use are ignored (the published JSON Schema, used in
the compiler's tests, is the strict check); traceability metadata (notes,
quote, citations, source, label) defaults to empty when absent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast

from fibrolang import expressions as ex
from fibrolang.errors import GuidelineError, Problem, plural
from fibrolang.expression_reader import read_expression
from fibrolang.graph import (
    ACTIONS,
    BINDING_RESOURCES,
    FORMAT,
    STATUSES,
    ActionItem,
    ActionNode,
    AvoidItem,
    BindingField,
    BooleanType,
    Contraindication,
    DateType,
    DecisionNode,
    Definition,
    Dose,
    Edge,
    EffectSize,
    Enumeration,
    EnumType,
    Evidence,
    FhirBinding,
    FhirCode,
    FlagItem,
    Graph,
    GuidelineInfo,
    InputDeclaration,
    Intervention,
    Invariant,
    MapType,
    MemberCodes,
    MonitorItem,
    Node,
    NumberType,
    Period,
    RecommendItem,
    Record,
    RecordField,
    SetType,
    SourceDocument,
    SourcePosition,
    TableDisplay,
    TableRowDisplay,
    TerminalNode,
    Titration,
    Traceability,
    ValueType,
)
from fibrolang.graph_quick import (
    common_edge,
    common_expression,
    common_recommendation,
    common_traceability,
    new_action,
    new_decision,
    new_terminal,
)
from fibrolang.json_values import MISSING, is_number, join_path, json_kind

T = TypeVar("T")


class GraphReader:
    """Walks the JSON dict once; ``problems`` holds everything found wrong."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def fail(self, path: str, message: str, code: str = "malformed") -> None:
        self.problems.append(Problem(path, message, code))

    # ---- primitives -------------------------------------------------------

    def as_object(self, value: object, path: str) -> Mapping[str, Any]:
        if value.__class__ is dict or isinstance(value, Mapping):
            return value
        self.fail(path, f"expected an object, got {json_kind(value)}", "wrong_type")
        return {}

    def get(self, obj: Mapping[str, Any], key: str, path: str, required: bool) -> Any:
        value = obj.get(key, MISSING)
        if value is MISSING:
            if required:
                self.fail(join_path(path, key), "is required but absent", "missing_key")
            return MISSING
        return value

    def string(self, obj: Mapping[str, Any], key: str, path: str) -> str:
        value = self.get(obj, key, path, True)
        if value is MISSING:
            return ""
        if not isinstance(value, str):
            self.fail(join_path(path, key), f"expected a string, got {json_kind(value)}", "wrong_type")
            return ""
        return value

    def label_of(self, value: object, path: str) -> str | None:
        """The ``label`` of an object that ``value_type`` reads (which reports a non-object)."""
        return self.optional_string(value, "label", path) if isinstance(value, Mapping) else None

    def optional_string(self, obj: Mapping[str, Any], key: str, path: str) -> str | None:
        value = self.get(obj, key, path, False)
        if value is MISSING or value is None:
            return None
        if not isinstance(value, str):
            self.fail(
                join_path(path, key), f"expected a string or null, got {json_kind(value)}", "wrong_type"
            )
            return None
        return value

    def boolean(self, obj: Mapping[str, Any], key: str, path: str, default: bool | None) -> bool:
        value = self.get(obj, key, path, default is None)
        if value is MISSING:
            return bool(default)
        if not isinstance(value, bool):
            self.fail(join_path(path, key), f"expected true or false, got {json_kind(value)}", "wrong_type")
            return False
        return value

    def number(self, obj: Mapping[str, Any], key: str, path: str, nullable: bool) -> Any:
        value = self.get(obj, key, path, not nullable)
        if value is MISSING or (value is None and nullable):
            return None
        if not is_number(value):
            self.fail(join_path(path, key), f"expected a finite number, got {json_kind(value)}", "wrong_type")
            return 0
        return value

    def list_of(
        self, obj: Mapping[str, Any], key: str, path: str, required: bool, read: Callable[[Any, str], T]
    ) -> tuple[T, ...]:
        value = self.get(obj, key, path, required)
        if value is MISSING or value == []:
            return ()
        if not isinstance(value, list):
            self.fail(join_path(path, key), f"expected a list, got {json_kind(value)}", "wrong_type")
            return ()
        return tuple(read(item, f"{join_path(path, key)}[{index}]") for index, item in enumerate(value))

    def mapping_of(
        self, obj: Mapping[str, Any], key: str, path: str, required: bool, read: Callable[[str, Any, str], T]
    ) -> tuple[T, ...]:
        value = self.get(obj, key, path, required)
        if value is MISSING:
            return ()
        entries = self.as_object(value, join_path(path, key))
        return tuple(
            read(name, item, join_path(join_path(path, key), name)) for name, item in sorted(entries.items())
        )

    def text(self, value: Any, path: str) -> str:
        if not isinstance(value, str):
            self.fail(path, f"expected a string, got {json_kind(value)}", "wrong_type")
            return ""
        return value

    def integer(self, value: Any, path: str) -> int:
        if not isinstance(value, int) or isinstance(value, bool):
            self.fail(path, f"expected an integer, got {json_kind(value)}", "wrong_type")
            return 0
        return value

    def choice(self, obj: Mapping[str, Any], key: str, path: str, allowed: tuple[str, ...]) -> str:
        value = self.string(obj, key, path)
        if value and value not in allowed:
            self.fail(join_path(path, key), f"{value!r} is not one of {', '.join(allowed)}", "unknown_value")
        return value if value in allowed else allowed[0]

    # ---- shared pieces ----------------------------------------------------

    def traceability(self, obj: Mapping[str, Any], path: str) -> Traceability:
        common = common_traceability(obj) if obj.__class__ is dict else None
        if common is not None:
            return common
        return Traceability(
            notes=self.list_of(obj, "notes", path, False, self.text),
            quote=self.optional_string(obj, "quote", path),
            citations=self.list_of(obj, "citations", path, False, self.integer),
            source=self.position(obj, path),
        )

    def position(self, obj: Mapping[str, Any], path: str) -> SourcePosition | None:
        """The ``source`` of an element (where the guideline wrote it), if it has one."""
        source = self.get(obj, "source", path, False)
        if source is MISSING or source is None:
            return None
        fields = self.as_object(source, join_path(path, "source"))
        line = self.number(fields, "line", join_path(path, "source"), False)
        column = self.number(fields, "column", join_path(path, "source"), False)
        # None: absent, a problem already recorded (``int(None)`` would raise a TypeError)
        return SourcePosition(0 if line is None else int(line), 0 if column is None else int(column))

    def value_type(self, value: Any, path: str) -> ValueType:
        obj = self.as_object(value, path)
        kind = self.choice(obj, "kind", path, ("boolean", "integer", "decimal", "enum", "set", "map", "date"))
        if kind == "boolean":
            return BooleanType()
        if kind == "date":
            return DateType()
        if kind in ("integer", "decimal"):
            return NumberType(
                kind == "integer",
                self.optional_string(obj, "unit", path),
                self.number(obj, "min", path, True),
                self.number(obj, "max", path, True),
            )
        if kind == "enum":
            return EnumType(self.string(obj, "enum", path))
        if kind == "set":
            return SetType(self.string(obj, "enum", path))
        return MapType(self.string(obj, "key", path), self.string(obj, "record", path))

    def dose(self, value: Any, path: str) -> Dose | None:
        if value is None or value is MISSING:
            return None
        obj = self.as_object(value, path)
        return Dose(
            self.number(obj, "min", path, False),
            self.number(obj, "max", path, False),
            self.optional_string(obj, "unit", path),
            self.optional_string(obj, "frequency", path),
        )

    def titration(self, value: Any, path: str) -> Titration | None:
        if value is None or value is MISSING:
            return None
        obj = self.as_object(value, path)
        return Titration(
            self.number(obj, "step", path, False),
            self.number(obj, "every", path, False),
            self.optional_string(obj, "every_unit", path),
            self.number(obj, "target", path, False),
            self.optional_string(obj, "unit", path),
        )

    def period(self, value: Any, path: str) -> Period | None:
        if value is None or value is MISSING:
            return None
        obj = self.as_object(value, path)
        return Period(
            self.number(obj, "min", path, False),
            self.number(obj, "max", path, False),
            self.optional_string(obj, "unit", path),
        )

    # ---- expressions ------------------------------------------------------

    def expression(self, value: Any, path: str) -> ex.Expression:
        common = common_expression(value)
        return read_expression(self, value, path) if common is None else common

    def optional_expression(self, obj: Mapping[str, Any], key: str, path: str) -> ex.Expression | None:
        value = self.get(obj, key, path, False)
        if value is MISSING or value is None:
            return None
        return self.expression(value, join_path(path, key))

    # ---- top level --------------------------------------------------------

    def graph(self, document: object) -> Graph:
        root = self.as_object(document, "")
        graph_format = self.string(root, "format", "")
        if graph_format and graph_format != FORMAT:
            self.fail("format", f"this runtime reads {FORMAT!r}, not {graph_format!r}", "unsupported_format")
        return Graph(
            guideline=self.guideline(self.get(root, "guideline", "", True), "guideline"),
            enums=self.mapping_of(root, "enums", "", False, self.enumeration),
            records=self.mapping_of(root, "records", "", False, self.record),
            inputs=self.mapping_of(root, "inputs", "", True, self.input),
            definitions=self.list_of(root, "definitions", "", False, self.definition),
            interventions=self.mapping_of(root, "interventions", "", False, self.intervention),
            start=self.string(root, "start", ""),
            nodes=self.mapping_of(root, "nodes", "", True, self.node),
            invariants=self.list_of(root, "invariants", "", False, self.invariant),
        )

    def guideline(self, value: Any, path: str) -> GuidelineInfo:
        obj = self.as_object(value, path) if value is not MISSING else {}
        citations = self.get(obj, "citations", path, False)
        numbered: list[tuple[int, str]] = []
        if citations is not MISSING:
            for key, text in sorted(self.as_object(citations, join_path(path, "citations")).items()):
                if not (isinstance(key, str) and key.isdigit()):
                    self.fail(
                        join_path(join_path(path, "citations"), str(key)),
                        "citation keys are reference numbers",
                        "malformed",
                    )
                    continue
                numbered.append((int(key), self.text(text, join_path(join_path(path, "citations"), key))))
        return GuidelineInfo(
            id=self.string(obj, "id", path),
            title=self.optional_string(obj, "title", path),
            version=self.string(obj, "version", path),
            content_hash=self.string(obj, "content_hash", path),
            sources=self.list_of(obj, "sources", path, False, self.source_document),
            citations=tuple(sorted(numbered)),
        )

    def source_document(self, value: Any, path: str) -> SourceDocument:
        obj = self.as_object(value, path)
        return SourceDocument(
            self.string(obj, "name", path),
            self.optional_string(obj, "file", path),
            self.optional_string(obj, "date", path),
        )

    def enumeration(self, name: str, value: Any, path: str) -> Enumeration:
        obj = self.as_object(value, path)
        members = self.list_of(obj, "members", path, True, self.text)
        if not members and "members" in obj:
            self.fail(join_path(path, "members"), "an enumeration needs at least one member", "malformed")
        labels = self.get(obj, "member_labels", path, False)
        pairs: list[tuple[str, str]] = []
        if labels is not MISSING and labels is not None:
            for member, label in sorted(self.as_object(labels, join_path(path, "member_labels")).items()):
                pairs.append((member, self.text(label, join_path(path, f"member_labels.{member}"))))
        points = self.get(obj, "points", path, False)
        scored: list[tuple[str, int | float]] = []
        if points is not MISSING and points is not None:
            for member, value in self.as_object(points, join_path(path, "points")).items():
                if not is_number(value):
                    self.fail(join_path(path, f"points.{member}"), "points must be a number", "wrong_type")
                    continue
                scored.append((str(member), value))
        label = self.optional_string(obj, "label", path)
        return Enumeration(name, label, members, tuple(pairs), tuple(scored))

    def record(self, name: str, value: Any, path: str) -> Record:
        obj = self.as_object(value, path)
        fields = self.mapping_of(
            obj,
            "fields",
            path,
            True,
            lambda field, kind, at: RecordField(field, self.value_type(kind, at), self.label_of(kind, at)),
        )
        return Record(name, self.optional_string(obj, "label", path), fields)

    def input(self, name: str, value: Any, path: str) -> InputDeclaration:
        obj = self.as_object(value, path)
        default = self.get(obj, "default", path, False)
        if default is MISSING:
            default = None
        elif not isinstance(default, bool | str) and not is_number(default):
            self.fail(join_path(path, "default"), f"expected a value, got {json_kind(default)}", "wrong_type")
            default = None
        return InputDeclaration(
            name,
            self.optional_string(obj, "label", path),
            self.value_type(self.get(obj, "type", path, True), join_path(path, "type")),
            default,
            self.binding(self.get(obj, "binding", path, False), join_path(path, "binding")),
            self.list_of(obj, "notes", path, False, self.text),
        )

    def binding(self, value: Any, path: str) -> FhirBinding | None:
        if value is MISSING or value is None:
            return None
        obj = self.as_object(value, path)
        member_codes = self.get(obj, "member_codes", path, False)
        members: tuple[MemberCodes, ...] | None = None
        if member_codes is not MISSING and member_codes is not None:
            members = self.mapping_of(
                obj,
                "member_codes",
                path,
                False,
                lambda member, codes, at: MemberCodes(member, self.fhir_codes(codes, at)),
            )
        ucum = self.get(obj, "ucum", path, False)
        within_days = self.get(obj, "within_days", path, False)
        return FhirBinding(
            resource=self.choice(obj, "resource", path, BINDING_RESOURCES),
            value_set=self.optional_string(obj, "value_set", path),
            codes=self.list_of(obj, "codes", path, True, self.fhir_code),
            member_codes=members,
            latest_value=self.boolean(obj, "latest_value", path, False),
            unit=self.optional_string(obj, "unit", path),
            ucum=None
            if ucum is MISSING or ucum is None
            else self.list_of(obj, "ucum", path, False, self.text),
            within_days=(
                None
                if within_days is MISSING or within_days is None
                else self.integer(within_days, join_path(path, "within_days"))
            ),
            fields=self.mapping_of(obj, "fields", path, False, self.binding_field),
            fhirpath=self.string(obj, "fhirpath", path),
            prefetch=self.string(obj, "prefetch", path),
        )

    def fhir_codes(self, value: Any, path: str) -> tuple[FhirCode, ...]:
        if not isinstance(value, list):
            self.fail(path, f"expected a list, got {json_kind(value)}", "wrong_type")
            return ()
        return tuple(self.fhir_code(item, f"{path}[{index}]") for index, item in enumerate(value))

    def fhir_code(self, value: Any, path: str) -> FhirCode:
        obj = self.as_object(value, path)
        return FhirCode(self.string(obj, "system", path), self.string(obj, "code", path))

    def binding_field(self, name: str, value: Any, path: str) -> BindingField:
        obj = self.as_object(value, path)
        role = self.choice(obj, "role", path, ("dose", "duration", "status", "extension"))
        url = self.optional_string(obj, "url", path)
        if (role == "extension") != (url is not None):
            self.fail(join_path(path, "url"), "the role extension needs a URL, other roles take none")
        return BindingField(name, role, url)

    def definition(self, value: Any, path: str) -> Definition:
        obj = self.as_object(value, path)
        return Definition(
            name=self.string(obj, "name", path),
            label=self.optional_string(obj, "label", path),
            output=self.boolean(obj, "output", path, False),
            expr=self.expression(self.get(obj, "expr", path, True), join_path(path, "expr")),
            notes=self.list_of(obj, "notes", path, False, self.text),
            quote=self.optional_string(obj, "quote", path),
            tables=self.list_of(obj, "tables", path, False, self.table_display),
        )

    def table_display(self, value: Any, path: str) -> TableDisplay:
        obj = self.as_object(value, path)
        return TableDisplay(
            by=self.string(obj, "by", path),
            columns=self.list_of(obj, "columns", path, False, self.text),
            rows=self.list_of(obj, "rows", path, False, self.table_row_display),
            otherwise=self.optional_string(obj, "otherwise", path),
            at=self.optional_string(obj, "at", path),
        )

    def table_row_display(self, value: Any, path: str) -> TableRowDisplay:
        obj = self.as_object(value, path)
        cells = self.list_of(obj, "cells", path, False, self.text)
        return TableRowDisplay(self.string(obj, "heading", path), cells)

    def intervention(self, name: str, value: Any, path: str) -> Intervention:
        obj = self.as_object(value, path)
        evidence = self.get(obj, "evidence", path, False)
        evidence_value: Evidence | None = None
        if evidence is not MISSING and evidence is not None:
            fields = self.as_object(evidence, join_path(path, "evidence"))
            evidence_value = Evidence(
                self.optional_string(fields, "level", path), self.optional_string(fields, "strength", path)
            )
        approved = self.get(obj, "fda_approved", path, False)
        return Intervention(
            id=name,
            kind=cast(Any, self.choice(obj, "kind", path, ("drug", "therapy"))),
            label=self.optional_string(obj, "label", path),
            drug_class=self.optional_string(obj, "class", path),
            dose=self.dose(self.get(obj, "dose", path, False), join_path(path, "dose")),
            fda_approved=approved if isinstance(approved, bool) else None,
            evidence=evidence_value,
            effect_sizes=self.list_of(obj, "effect_sizes", path, False, self.effect_size),
            contraindications=self.list_of(obj, "contraindications", path, False, self.contraindication),
            side_effects=self.list_of(obj, "side_effects", path, False, self.text),
            citations=self.list_of(obj, "citations", path, False, self.integer),
            quote=self.optional_string(obj, "quote", path),
            notes=self.list_of(obj, "notes", path, False, self.text),
            source=self.position(obj, path),
        )

    def effect_size(self, value: Any, path: str) -> EffectSize:
        obj = self.as_object(value, path)
        return EffectSize(self.number(obj, "value", path, False), self.string(obj, "outcome", path))

    def contraindication(self, value: Any, path: str) -> Contraindication:
        obj = self.as_object(value, path)
        return Contraindication(
            self.expression(self.get(obj, "condition", path, True), join_path(path, "condition")),
            self.optional_string(obj, "quote", path),
            self.list_of(obj, "notes", path, False, self.text),
        )

    def node(self, name: str, value: Any, path: str) -> Node:
        if value.__class__ is dict:
            common = self._common_node(name, value, path)
            if common is not None:
                return common
        obj = self.as_object(value, path)
        kind = self.choice(obj, "kind", path, ("decision", "action", "terminal"))
        trace = self.traceability(obj, path)
        if kind == "decision":
            return DecisionNode(
                name,
                self.optional_string(obj, "question", path),
                self.boolean(obj, "exclusive", path, False),
                self.list_of(obj, "branches", path, True, self.branch),
                trace,
            )
        if kind == "action":
            return ActionNode(
                name,
                self.optional_string(obj, "title", path),
                self.list_of(obj, "items", path, True, self.item),
                self.edge(self.get(obj, "next", path, True), join_path(path, "next"), guarded=False),
                trace,
            )
        status = self.choice(obj, "status", path, STATUSES)
        return TerminalNode(name, cast(Any, status), self.optional_string(obj, "message", path), trace)

    def _common_node(self, name: str, obj: dict[str, Any], path: str) -> Node | None:
        """``node`` for a node whose own fields have the commonest valid shape; None (read
        field by field) otherwise. Its branches or items are read quickly one by one where
        they can be, else by ``edge`` and ``item``: decided before any is read, so that
        no problem is reported twice."""
        kind = obj.get("kind")
        trace = common_traceability(obj)
        if trace is None or kind.__class__ is not str:
            return None
        if kind == "decision":
            question = obj.get("question")
            exclusive = obj.get("exclusive", False)
            branches = obj.get("branches")
            if question is not None and question.__class__ is not str:
                return None
            if exclusive.__class__ is not bool or branches.__class__ is not list:
                return None
            return new_decision(
                name,
                question,
                exclusive,
                tuple(
                    common_edge(branch, True) or self.edge(branch, f"{path}.branches[{index}]", True)
                    for index, branch in enumerate(branches)
                ),
                trace,
            )
        if kind == "action":
            title = obj.get("title")
            items = obj.get("items")
            following = obj.get("next")
            if title is not None and title.__class__ is not str:
                return None
            if items.__class__ is not list or following.__class__ is not dict:
                return None
            return new_action(
                name,
                title,
                tuple(
                    common_recommendation(item) or self.item(item, f"{path}.items[{index}]")
                    for index, item in enumerate(items)
                ),
                common_edge(following, False) or self.edge(following, f"{path}.next", False),
                trace,
            )
        if kind == "terminal":
            status = obj.get("status")
            message = obj.get("message")
            if status.__class__ is not str or status not in STATUSES:
                return None
            if message is not None and message.__class__ is not str:
                return None
            return new_terminal(name, status, message, trace)
        return None

    def branch(self, value: Any, path: str) -> Edge:
        return self.edge(value, path, guarded=True)

    def edge(self, value: Any, path: str, guarded: bool) -> Edge:
        common = common_edge(value, guarded)
        if common is not None:
            return common
        obj = self.as_object(value, path) if value is not MISSING else {}
        guard = self.optional_expression(obj, "guard", path) if guarded else None
        return Edge(
            self.string(obj, "id", path),
            guard,
            self.string(obj, "target", path),
            self.optional_string(obj, "label", path),
            self.traceability(obj, path),
        )

    def item(self, value: Any, path: str) -> ActionItem:
        common = common_recommendation(value)
        if common is not None:
            return common
        obj = self.as_object(value, path)
        kind = self.choice(obj, "kind", path, ("recommend", "avoid", "flag", "monitor"))
        item_id = self.string(obj, "id", path)
        guard = self.optional_expression(obj, "guard", path)
        trace = self.traceability(obj, path)
        if kind == "recommend":
            return RecommendItem(
                item_id,
                guard,
                self.choice(obj, "action", path, ACTIONS),
                self.string(obj, "intervention", path),
                self.dose(self.get(obj, "dose", path, False), join_path(path, "dose")),
                self.titration(self.get(obj, "titration", path, False), join_path(path, "titration")),
                trace,
            )
        if kind == "avoid":
            return AvoidItem(
                item_id,
                guard,
                self.string(obj, "intervention", path),
                self.optional_string(obj, "reason", path),
                trace,
            )
        if kind == "flag":
            return FlagItem(
                item_id, guard, self.string(obj, "flag", path), self.optional_string(obj, "text", path), trace
            )
        return MonitorItem(
            item_id,
            guard,
            self.string(obj, "what", path),
            self.optional_string(obj, "text", path),
            self.period(self.get(obj, "after", path, False), join_path(path, "after")),
            trace,
        )

    def invariant(self, value: Any, path: str) -> Invariant:
        obj = self.as_object(value, path)
        return Invariant(
            name=self.string(obj, "name", path),
            title=self.optional_string(obj, "title", path),
            kind=cast(Any, self.choice(obj, "kind", path, ("never", "always"))),
            condition=self.expression(self.get(obj, "condition", path, True), join_path(path, "condition")),
            trace=self.traceability(obj, path),
        )


def read_graph(document: object) -> Graph:
    """The graph model of a parsed graph JSON document; ``GuidelineError`` lists all problems.
    (Here, not in ``fibrolang.load``, so that reading a graph does not import the evaluator.)"""
    reader = GraphReader()
    try:
        graph = reader.graph(document)
    except RecursionError:
        raise GuidelineError("the graph nests expressions too deeply to read") from None
    if reader.problems:
        problems = tuple(reader.problems)
        raise GuidelineError(f"the graph file is malformed ({plural(len(problems), 'problem')}):", problems)
    return graph
