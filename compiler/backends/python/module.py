"""``fibrolang compile --target python``: a guideline as a standalone Python module.

The module (standard library only) validates a patient record and walks the pathway with
straight-line code: one ``if`` per guard, in the runtime's order, with Kleene unknowns
(``python_expressions``). Each complete path through the graph is written out once, so
everything the path fixes (the nodes and edges of the trace, each recommendation's
``why``, which plan entries are surely there) is a constant where it is used; only what
item guards decide is computed. It offers:

- ``evaluate(patient, validate=True) -> dict``: the result as ``Result.to_dict()`` gives it;
- ``decide(patient, validate=True) -> tuple``: the lean answer (status, missing,
  recommendations as (intervention, action) pairs, avoid, flag and monitoring ids, outputs);
- ``validate(patient) -> dict``: the normalised record, or ``InvalidPatient``.

``validate=False`` takes a record already normalised (by ``validate``, or built so):
numbers plain in the declared unit, sets as collections of members, maps as dicts of dicts.

Every guideline string reaches the module through ``repr`` of a checked constant
(``python_expressions.literal``); names only as checked identifiers behind a prefix. The
text is parsed and compiled (never executed) before it is returned.
"""

from __future__ import annotations

import ast
import re
from importlib import metadata
from typing import Any

from compiler.backends import refusals
from compiler.backends.python.dates import date_prelude
from compiler.backends.python.expressions import (
    NOT_CONSTANT,
    ExpressionWriter,
    Flow,
    Plan,
    PythonTargetError,
    Value,
    identifier,
    literal,
)
from compiler.backends.python.prelude import PRELUDE
from fibrolang.graph import (
    ActionItem,
    ActionNode,
    AvoidItem,
    BooleanType,
    DateType,
    DecisionNode,
    EnumType,
    FlagItem,
    Graph,
    MonitorItem,
    NumberType,
    RecommendItem,
    SetType,
    TerminalNode,
    ValueType,
)
from fibrolang.items import ItemFactory
from fibrolang.result import Avoidance, Flag, Monitoring, Reason
from fibrolang.unset import outputs_that_may_be_unset

__all__ = ["PythonTargetError", "module_of_document", "python_module"]

_LARGEST = 1.7976931348623157e308
_MAX_PATH_STEPS = 20_000
"""Decisions and items written out over all paths: beyond this, the module would be too big."""


def module_of_document(document: dict[str, Any]) -> str:
    """The Python module of a graph JSON document, read and checked by the runtime first."""
    import fibrolang

    return python_module(fibrolang.load(document).graph)


def python_module(graph: Graph) -> str:
    """The Python module of a checked graph; ``PythonTargetError`` if it cannot be written."""
    refused = refusals.refusal(graph, "Python")
    if refused is not None:
        raise PythonTargetError(refused)
    constants: dict[str, str] = {}
    checks, inputs = _fast_check(graph, constants)
    full = _Walker(graph, constants, checks, full=True)
    lean = _Walker(graph, constants, checks, full=False)
    try:
        full.write()
        lean.write()
    except RecursionError:  # a walk deeper than Python's stack: writing goes one call per node
        raise PythonTargetError(
            "the pathway has paths too long to write out as one function; evaluate it with the runtime"
        ) from None
    source = "\n".join(
        [
            *_header(graph),
            "",
            "from __future__ import annotations",
            "",
            "import difflib",
            "import math",
            "from collections.abc import Mapping",
            "from fractions import Fraction",
            "",
            f"GUIDELINE = {literal(_identity(graph))}",
            f"FIBROLANG_VERSION = {literal(_version())}",
            f"DECISION_FIELDS = {literal(_DECISION_FIELDS)}",
            PRELUDE,
            *date_prelude(graph),
            *_tables(graph),
            *_unset_marker(graph),
            "",
            *(f"{name} = {code}" for name, code in constants.items()),
            "",
            "",
            *((*inputs, "", "") if inputs else ()),
            *full.function(),
            "",
            "",
            *lean.function(),
            "",
        ]
    )
    tree = ast.parse(source)  # read back before anyone may import it: never executed here
    compile(tree, f"{graph.guideline.id}.py", "exec")
    return source


_DECISION_FIELDS = ("status", "missing", "recommendations", "avoid", "flags", "monitoring", "outputs")


def _version() -> str:
    try:
        return metadata.version("fibrolang")
    except metadata.PackageNotFoundError:  # pragma: no cover - a source checkout
        return "unknown"


def _identity(graph: Graph) -> dict[str, str]:
    info = graph.guideline
    return {"id": info.id, "version": info.version, "content_hash": info.content_hash}


def _header(graph: Graph) -> list[str]:
    info = graph.guideline
    return [
        f"# Generated by fibrolang {literal(_version())} (fibrolang compile --target python): do not edit.",
        f"# Guideline {literal(info.id)}, version {literal(info.version)},",
        f"# content hash {literal(info.content_hash)}.",
        "# Standard library only. evaluate(patient) returns what fibrolang's",
        "# Guideline.evaluate(patient).to_dict() returns; decide(patient) the lean answer",
        "# (DECISION_FIELDS); validate(patient) the normalised record. docs/python-target.md.",
    ]


# ---- the declared inputs as tables, and the inline check of the common record --------


def _declared(declared: ValueType) -> tuple[Any, ...]:
    if isinstance(declared, BooleanType):
        return ("boolean",)
    if isinstance(declared, DateType):  # checked as YYYY-MM-DD text (backends/python/dates.py)
        return ("date",)
    if isinstance(declared, NumberType):
        return ("number", declared.integral, declared.unit, declared.minimum, declared.maximum)
    if isinstance(declared, EnumType):
        return ("member", declared.enum)
    if isinstance(declared, SetType):
        return ("set", declared.enum)
    return ("map", declared.key, declared.record)


def _tables(graph: Graph) -> list[str]:
    inputs = {declared.name: _declared(declared.type) for declared in graph.inputs}
    records = {
        record.name: {field.name: _declared(field.type) for field in record.fields}
        for record in graph.records
    }
    enums = {enum.name: enum.members for enum in graph.enums}
    return [
        "# ---- the guideline's data contract (the tables the validator reads) ----",
        "",
        f"_INPUTS = {literal(inputs)}",
        f"_RECORDS = {literal(records)}",
        f"_ENUMS = {literal(enums)}",
    ]


def _fast_check(graph: Graph, constants: dict[str, str]) -> tuple[list[str], list[str]]:
    """The head of ``evaluate``/``decide``, and the ``_inputs`` function it calls on records
    not in the common shape.

    The head reads each input into a local. A ``dict`` giving every declared field and no
    other is read by subscript and, with ``validate``, checked inline to be in its common,
    valid, already normal shape (a ``null`` is not: it goes on); any other record goes to
    ``_inputs``, which reads it with ``get`` and checks it the same way, allowing absent
    fields, and sends anything else through ``validate`` (which raises or normalises)."""
    names = [declared.name for declared in graph.inputs]
    if not names:
        return [
            "    if validate:",
            "        patient = _validate(patient)",
        ], []
    known = _hoist(constants, frozenset(inputs_of(graph)))
    locals_ = [f"i_{identifier(name)}" for name in names]
    tests = [
        _common_shape(declared.type, f"i_{identifier(declared.name)}", graph, constants)
        for declared in graph.inputs
    ]
    given = [f"({test})" for test in tests]
    target = ", ".join(locals_) + ("," if len(locals_) == 1 else "")
    head = [
        f"    if patient.__class__ is dict and len(patient) == {len(names)}:",
        "        try:  # every declared field given, and so no other",
        *(
            f"            {local} = patient[{literal(name)}]"
            for local, name in zip(locals_, names, strict=True)
        ),
        "        except KeyError:  # an undeclared field given",
        f"            {target} = _inputs(patient, validate)",
        "        else:",
        "            if validate and (",
        *(
            f"                {test}" + (" or" if index < len(given) - 1 else "")
            for index, test in enumerate(given)
        ),
        "            ):",
        f"                {target} = _inputs(patient, True)",
        "    else:",
        f"        {target} = _inputs(patient, validate)",
    ]
    reads = [
        f"    {local} = patient.get({literal(name)})" for local, name in zip(locals_, names, strict=True)
    ]
    partial = [f"({local} is not None and ({test}))" for local, test in zip(locals_, tests, strict=True)]
    inputs = [
        "def _inputs(patient, validate):",
        '    """The inputs of a record that does not give every declared field in its common shape,',
        "    in declaration order (an absent field: None), read with get: with ``validate``, checked",
        '    inline, or else through ``validate`` (which raises or normalises)."""',
        f"    if validate and (patient.__class__ is not dict or not {known}.issuperset(patient)):",
        "        patient = _validate(patient)",
        "        validate = False",
        *reads,
        "    if validate and (",
        *(
            f"        {test}" + (" or" if index < len(partial) - 1 else "")
            for index, test in enumerate(partial)
        ),
        "    ):",
        "        patient = _validate(patient)",
        *("    " + read for read in reads),
        f"    return ({target})",
    ]
    return head, inputs


def _common_shape(kind: ValueType, local: str, graph: Graph, constants: dict[str, str]) -> str:
    """The test that ``local`` is not in the common, valid, normal shape of its input (true
    for None)."""
    if isinstance(kind, BooleanType):
        return f"{local} is not True and {local} is not False"
    if isinstance(kind, NumberType):
        low = -_LARGEST if kind.minimum is None else kind.minimum
        high = _LARGEST if kind.maximum is None else kind.maximum
        classes = (
            f"{local}.__class__ is not int"
            if kind.integral
            else (f"{local}.__class__ is not float and {local}.__class__ is not int")
        )
        return f"{classes} or not {literal(low)} <= {local} <= {literal(high)}"
    if isinstance(kind, EnumType):
        members = _hoist(constants, frozenset(_members(graph, kind.enum)))
        return f"{local}.__class__ is not str or {local} not in {members}"
    if isinstance(kind, SetType):
        members = _hoist(constants, frozenset(_members(graph, kind.enum)))
        return (
            f"{local}.__class__ is not list or not all(member.__class__ is str and member in {members} "
            f"for member in {local})"
        )
    if isinstance(kind, DateType):  # compiler/backends/python/dates.py
        return f"{local}.__class__ is not str or _parse_date({local}) is None"
    return "True"  # a map: its records are checked and normalised by validate


def _hoist(constants: dict[str, str], value: Any) -> str:
    """A module-level constant holding ``value`` (made once, at import)."""
    code = literal(value)
    for name, existing in constants.items():
        if existing == code:
            return name
    name = f"_KNOWN_{len(constants)}"
    constants[name] = code
    return name


def inputs_of(graph: Graph) -> list[str]:
    return [identifier(declared.name) for declared in graph.inputs]


def _members(graph: Graph, enum: str) -> tuple[str, ...]:
    for declared in graph.enums:
        if declared.name == enum:
            return declared.members
    return ()


# ---- the walk, written out path by path ----------------------------------------------


class _State:
    """What one path has done so far: its trace (static), its reasons and its plan."""

    def __init__(
        self, nodes: tuple[str, ...], edges: tuple[str, ...], why: tuple[Reason, ...], plan: Plan, flow: Flow
    ) -> None:
        self.nodes = nodes
        self.edges = edges
        self.why = why
        self.plan = plan
        self.flow = flow


class _Walker:
    """Writes ``evaluate`` (``full``) or ``decide`` for one graph."""

    def __init__(self, graph: Graph, constants: dict[str, str], checks: list[str], full: bool) -> None:
        self.graph = graph
        self.checks = checks
        self.full = full
        self.writer = ExpressionWriter(graph, constants)
        self.lines = self.writer.lines
        self.nodes = {node.id: node for node in graph.nodes}
        self.factory = ItemFactory(graph)
        self.steps = 0
        self.counter = 0
        # the last entry appended to a plan list: (lines after it, list, depth, entries so far)
        self.appended: tuple[int, str, int, tuple[str, ...]] | None = None

    def write(self) -> None:
        state = _State(("start",), ("start",), (), Plan(), Flow())
        self._node(self.graph.start, state)

    def function(self) -> list[str]:
        name, doc = (
            ("evaluate", "The result for one patient, as fibrolang's Result.to_dict() gives it.")
            if self.full
            else ("decide", "The lean answer for one patient: a tuple, fields as DECISION_FIELDS.")
        )
        head = [
            f"def {name}(patient, validate=True):",
            f'    """{doc}"""',
            *self.checks,
        ]
        head += [f"    d_{definition} = _PENDING" for definition in sorted(self.writer.memoised)]
        head += ["    recommendations = []", "    avoid = []", "    flags = []", "    monitoring = []"]
        if self.full:
            head.append("    guards = []")
        return head + _without_unread_flags(self.lines.lines)

    # ---- nodes ---------------------------------------------------------------

    def _node(self, node_id: str, state: _State) -> None:
        node = self.nodes.get(node_id)
        if node is None:
            raise PythonTargetError(f"no node is named {node_id!r}")
        self.steps += 1
        if self.steps > _MAX_PATH_STEPS:
            raise PythonTargetError(
                f"the pathway has too many paths to write out (over {_MAX_PATH_STEPS} steps)"
            )
        state.nodes = (*state.nodes, node.id)
        self.lines.emit(f"# node {literal(node.id)}")
        if isinstance(node, DecisionNode):
            self._decision(node, state)
        elif isinstance(node, ActionNode):
            self._action(node, state)
        else:
            self._terminal(node, state)

    def _decision(self, node: DecisionNode, state: _State) -> None:
        what = f"{node.id} ({node.question})" if node.question else node.id
        lines = self.lines
        for edge in node.branches:
            value = None if edge.guard is None else self._guard(edge.guard, state)
            taken = _State(
                state.nodes,
                (*state.edges, edge.id),
                (*state.why, Reason(edge.id, edge.label)),
                state.plan.copy(),
                state.flow.branch(),
            )
            if value is None:
                self._follow(edge.target, taken)
                return
            if value.const is False:
                self._guard_outcome(edge.id, None, False)
                continue
            if value.const is True:
                self._guard_outcome(edge.id, None, True)
                self._follow(edge.target, taken)
                return
            lines.emit(f"if {value.code} is True:")
            with lines.indented():
                self._guard_outcome(edge.id, None, True)
                self._follow(edge.target, taken)
            if not value.certain:
                lines.emit(f"if {value.code} is not False:")
                with lines.indented():
                    self._guard_outcome(edge.id, None, None)
                    self._undecided(what, value.code, state)
            self._guard_outcome(edge.id, None, False)
        headline = (
            f"the guideline is incomplete: no branch of decision {node.id} holds and it has no otherwise"
        )
        problem = (
            f"Problem({literal('nodes.' + node.id)}, 'no branch holds for this patient', 'no_branch_holds')"
        )
        lines.emit(f"raise GuidelineError({literal(headline)}, ({problem},))")

    def _follow(self, target: str, state: _State) -> None:
        """Write the walk from ``target`` under ``state``'s memo flow (a branch of the current)."""
        outer = self.writer.flow
        self.writer.flow = state.flow
        try:
            self._node(target, state)
        finally:
            self.writer.flow = outer

    def _guard(self, guard: Any, state: _State) -> Value:
        self.writer.plan = state.plan
        self.writer.flow = state.flow
        value = self.writer.local(self.writer.value(guard), "g")
        return value

    def _guard_outcome(self, edge: str | None, item: str | None, value: bool | None) -> None:
        if self.full:
            self.lines.emit(
                f"guards.append({{'edge': {literal(edge)}, 'item': {literal(item)}, "
                f"'value': {literal(value)}}})"
            )

    def _action(self, node: ActionNode, state: _State) -> None:
        lines = self.lines
        for item in node.items:
            if item.guard is None:
                self._apply(node, item, state, None)
                continue
            value = self._guard(item.guard, state)
            if value.const is not NOT_CONSTANT:
                self._guard_outcome(None, item.id, bool(value.const))
                if value.const is True:
                    self._apply(node, item, state, None)
                continue
            self.counter += 1
            variable = f"p_{self.counter}"
            lines.emit(f"{variable} = False")
            lines.emit(f"if {value.code} is True:")
            with lines.indented():
                self._guard_outcome(None, item.id, True)
                lines.emit(f"{variable} = True")
                self._apply(node, item, state, variable)
            lines.emit(f"elif {value.code} is False:")
            with lines.indented():
                self._guard_outcome(None, item.id, False)
            if not value.certain:
                lines.emit("else:")
                with lines.indented():
                    self._guard_outcome(None, item.id, None)
                    self._undecided(f"whether item {item.id} applies", value.code, state)
        state.edges = (*state.edges, node.next.id)
        self._node(node.next.target, state)

    def _apply(self, node: ActionNode, item: ActionItem, state: _State, variable: str | None) -> None:
        """Add the item to the plan, unless the same entry is already on the path."""
        plan = state.plan
        key = _identity_key(item)
        seen = plan.fact("seen", key)
        if seen.state is True:
            return
        lines = self.lines
        if seen.state is None:
            lines.emit(f"if not ({seen.condition()}):")
            lines.depth += 1
        entry, kind, name = self._entry(node, item, state)
        self._append(kind, entry)
        if seen.state is None:
            lines.depth -= 1
        plan.entries[("seen", key)] = seen.added_when(variable)
        if isinstance(item, RecommendItem):
            if item.action != "stop":
                plan.entries[("recommended", name)] = plan.fact("recommended", name).added_when(variable)
                bounds = [bound.maximum for bound in (item.dose,) if bound is not None]
                bounds += [titration.target for titration in (item.titration,) if titration is not None]
                if bounds:
                    plan.doses.setdefault(name, []).append((max(bounds), variable))
        elif isinstance(item, AvoidItem):
            plan.entries[("avoided", name)] = plan.fact("avoided", name).added_when(variable)
        elif isinstance(item, FlagItem):
            plan.entries[("flagged", name)] = plan.fact("flagged", name).added_when(variable)

    def _append(self, kind: str, entry: str) -> None:
        """``kind.append(entry)``; right after another entry appended to the same list at the
        same depth, the two become one ``kind += (first, entry)`` (one list operation)."""
        lines = self.lines
        last = self.appended
        if last is not None and last[0] == len(lines.lines) and last[1] == kind and last[2] == lines.depth:
            entries = (*last[3], entry)
            lines.lines[-1] = "    " * lines.depth + f"{kind} += ({', '.join(entries)})"
        else:
            entries = (entry,)
            lines.emit(f"{kind}.append({entry})")
        self.appended = (len(lines.lines), kind, lines.depth, entries)

    def _entry(self, node: ActionNode, item: ActionItem, state: _State) -> tuple[str, str, str]:
        """The code of the entry an item appends, the list it goes to, and its plan name."""
        if isinstance(item, RecommendItem):
            if not self.full:
                return literal((item.intervention, item.action)), "recommendations", item.intervention
            made = self.factory.recommendation_maker(node.id, item)(state.why)
            return literal(made.to_dict()), "recommendations", item.intervention
        if isinstance(item, AvoidItem):
            if not self.full:
                return literal(item.intervention), "avoid", item.intervention
            avoidance = Avoidance(
                item.intervention,
                self.factory.label(item.intervention),
                item.reason,
                item.trace.quote,
                node.id,
                item.id,
            )
            return literal(avoidance.to_dict()), "avoid", item.intervention
        if isinstance(item, FlagItem):
            if not self.full:
                return literal(item.flag), "flags", item.flag
            return literal(Flag(item.flag, item.text, node.id, item.id).to_dict()), "flags", item.flag
        assert isinstance(item, MonitorItem)
        if not self.full:
            return literal(item.what), "monitoring", item.what
        monitoring = Monitoring(item.what, item.text, item.after, node.id, item.id)
        return literal(monitoring.to_dict()), "monitoring", item.what

    # ---- ends of the walk ---------------------------------------------------------

    def _terminal(self, node: TerminalNode, state: _State) -> None:
        if node.status != "ok":
            self._return(state, literal(node.status), literal(node.message), "[]", plan=False)
            return
        for invariant in self.graph.invariants:
            value = self._guard(invariant.condition, state)
            violated = invariant.kind == "never"
            raise_it = (
                f"raise SafetyViolation({literal(invariant.name)}, {literal(invariant.title)}, "
                f"{literal(state.nodes)}, {literal(state.edges)})"
            )
            if value.const is violated:
                self.lines.emit(raise_it)
                return
            if value.const is not NOT_CONSTANT:
                continue
            self.lines.emit(f"if {value.code} is {literal(violated)}:")
            with self.lines.indented():
                self.lines.emit(raise_it)
            if not value.certain:
                name = f"{invariant.name} ({invariant.title})" if invariant.title else invariant.name
                self.lines.emit(f"if {value.code}.__class__ is _Unknown:")
                with self.lines.indented():
                    self._undecided(f"whether the plan keeps safety rule {name}", value.code, state)
        self._return(state, "'ok'", literal(node.message), "[]", plan=True)

    def _undecided(self, what: str, unknown: str, state: _State) -> None:
        self.lines.emit(f"missing, message = _undecided({literal(what)}, {unknown})")
        self._return(state, "'insufficient_data'", "message", "missing", plan=False)

    def _return(self, state: _State, status: str, message: str, missing: str, plan: bool) -> None:
        outputs = self._outputs(state)
        lines = self.lines
        lists = ("recommendations", "avoid", "flags", "monitoring") if plan else ("[]",) * 4
        if not self.full:
            lean = (status, missing, *lists, outputs)
            lines.emit(f"return ({', '.join(lean)})")
            return
        nodes, edges = literal(list(state.nodes)), literal(list(state.edges))
        trace = f"{{'nodes': {nodes}, 'edges': {edges}, 'guards': guards}}"
        parts = [
            f"'status': {status}",
            f"'message': {message}",
            f"'missing': {missing}",
            f"'recommendations': {lists[0]}",
            f"'avoid': {lists[1]}",
            f"'flags': {lists[2]}",
            f"'monitoring': {lists[3]}",
            f"'outputs': {outputs}",
            f"'trace': {trace}",
            f"'guideline': {literal(_identity(self.graph))}",
        ]
        lines.emit("return {" + ", ".join(parts) + "}")

    def _outputs(self, state: _State) -> str:
        """The code of the outputs dict, computed with the memo and plan at this point."""
        outputs = [definition for definition in self.graph.definitions if definition.output]
        if not outputs:
            return "{}"
        writer = self.writer
        writer.plan = state.plan
        saved = writer.flow
        writer.flow = state.flow.branch()
        parts = []
        try:
            for definition in outputs:
                value = writer.local(writer.value(_reference(definition.name)), "o")
                shown = self._shown(definition.name, value)
                parts.append(f"{literal(definition.name)}: {shown}")
        finally:
            writer.flow = saved
        return _without_unset("{" + ", ".join(parts) + "}", self.graph)

    def _shown(self, name: str, value: Value) -> str:
        """An output as the result shows it: None when unknown, a set as a list in
        declaration order."""
        enum = self._set_enum(name)
        if enum is not None:
            members = self.writer.members(enum)
            known = f"[member for member in {members} if member in {value.code}]"
        else:
            known = value.code
        if value.certain:
            return known
        return f"(None if {value.code}.__class__ is _Unknown else {known})"

    def _set_enum(self, name: str) -> str | None:
        from compiler.backends.python.expressions import _enum_of

        definition = self.writer.definitions[name]
        try:
            enum = _enum_of(definition.expr, self.writer)
        except PythonTargetError:
            return None
        return enum if _is_set(definition.expr, self.writer) else None


_FLAG = re.compile(r"\bp_[0-9]+\b")
_FLAG_SET = re.compile(r" *(p_[0-9]+) = (?:True|False)")


def _without_unread_flags(lines: list[str]) -> list[str]:
    """``lines`` without the assignments to item flags (``p_N``, whether an item guard held)
    that nothing reads: an assignment left alone in its block becomes ``pass``. A flag
    named anywhere else (even inside a string) is kept."""
    named: dict[str, int] = {}
    set_: dict[str, int] = {}
    for line in lines:
        for found in _FLAG.finditer(line):
            named[found.group()] = named.get(found.group(), 0) + 1
        assigned = _FLAG_SET.fullmatch(line)
        if assigned is not None:
            set_[assigned.group(1)] = set_.get(assigned.group(1), 0) + 1
    unread = {name for name, count in set_.items() if named[name] == count}
    kept: list[str] = []
    for index, line in enumerate(lines):
        assigned = _FLAG_SET.fullmatch(line)
        if assigned is None or assigned.group(1) not in unread:
            kept.append(line)
            continue
        indent = len(line) - len(line.lstrip(" "))
        following = lines[index + 1] if index + 1 < len(lines) else ""
        alone = kept and kept[-1].endswith(":") and len(following) - len(following.lstrip(" ")) < indent
        if alone:
            kept.append(" " * indent + "pass")
    return kept


def _reference(name: str) -> Any:
    from fibrolang import expressions as ex

    return ex.DefinitionReference(name)


def _is_set(expr: Any, writer: ExpressionWriter) -> bool:
    from fibrolang import expressions as ex

    if isinstance(expr, ex.SetLiteral | ex.SelectedSet):
        return True
    if isinstance(expr, ex.InputReference):
        return any(d.name == expr.name and isinstance(d.type, SetType) for d in writer.graph.inputs)
    if isinstance(expr, ex.DefinitionReference):
        definition = writer.definitions.get(expr.name)
        return definition is not None and _is_set(definition.expr, writer)
    if isinstance(expr, ex.Conditional):
        return _is_set(expr.then, writer)
    return False


def _identity_key(item: ActionItem) -> str:
    """Equal for identical entries (the runtime's ``ItemFactory.identity`` keys)."""
    if isinstance(item, RecommendItem):
        return repr(("recommend", item.intervention, item.action, item.dose, item.titration))
    if isinstance(item, AvoidItem):
        return repr(("avoid", item.intervention))
    if isinstance(item, FlagItem):
        return repr(("flag", item.flag))
    return repr(("monitor", item.what, item.after))


# ---- outputs unset by design (fibrolang/unset.py) ------------------------------------


def _unset_marker(graph: Graph) -> list[str]:
    """The ``_UNSET`` value, in a module whose guideline has outputs that may be unset."""
    if not outputs_that_may_be_unset(graph):
        return []
    return ["", "_UNSET = object()  # an output the guideline leaves unset: left out of the result"]


def _without_unset(outputs: str, graph: Graph) -> str:
    """The code of the outputs dict without the outputs left unset, as the runtime's."""
    if not outputs_that_may_be_unset(graph):
        return outputs
    return f"{{name: value for name, value in {outputs}.items() if value is not _UNSET}}"
