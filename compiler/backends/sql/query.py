"""The pathway as one SQL query over the patients table (docs/population.md).

Each node of the decision graph gets a ``reached`` column; each branch guard and item guard
a value column and mask columns, read in the context of the items the path may have
applied before it (plan queries read the earlier items' ``applied`` columns). A branch is
taken when the earlier guards are false and its own true; an item applies when the walk
reached it and its guard is true; the walk stops (insufficient data) at the first guard
that is NULL. Nodes are visited in one topological order, which is the walk's order on
every path: an item applied at an ancestor node was applied before. The result columns
(status, missing, recommendations, avoid, flags, monitoring, outputs, path) are built
last, each list once, from a constant list of its possible entries.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

from sqlglot import exp

import fibrolang
from compiler.backends.sql.columns import Columns
from compiler.backends.sql.expressions import (
    FALSE,
    TRUE,
    Mask,
    Members,
    PlanItem,
    PlanPoint,
    Scalar,
    Translator,
    Value,
    big,
    case,
    column,
    conjunction,
    disjunction,
    is_false,
    is_null,
    is_true,
    number,
    string,
)
from compiler.backends.sql.layout import BITS_PER_WORD, Layout, SqlTargetError
from fibrolang.graph import (
    ActionItem,
    ActionNode,
    AvoidItem,
    DecisionNode,
    FlagItem,
    Graph,
    MonitorItem,
    Node,
    RecommendItem,
    SourcePosition,
    TerminalNode,
)

DIALECTS = ("duckdb", "spark")
TABLE = "patients"
ID_COLUMN = "patient_id"
STATUSES = ("ok", "not_applicable", "insufficient_data", "incomplete_guideline", "safety_violation")
RESULT_COLUMNS = (
    ID_COLUMN,
    "status",
    "missing",
    "recommendations",
    "avoid",
    "flags",
    "monitoring",
    "outputs",
    "path",
)


def sql_of_document(document: dict[str, object], dialect: str = "duckdb") -> str:
    """The SQL query of a graph JSON document, read and checked by the runtime first."""
    return sql_query(fibrolang.load(document).graph, dialect)


def sql_query(graph: Graph, dialect: str = "duckdb", table: str = TABLE) -> str:
    """The query text; ``SqlTargetError`` when the guideline needs what SQL cannot express."""
    if dialect not in DIALECTS:
        raise SqlTargetError(f"unknown SQL dialect {dialect!r} (known: {', '.join(DIALECTS)})")
    query = PathwayQuery(graph, dialect).build(table)
    return query.sql(dialect=dialect, pretty=True) + ";\n"


@dataclass
class ItemSlot:
    node: str
    item: ActionItem
    ordinal: int
    applied: str  # column name


class PathwayQuery:
    def __init__(self, graph: Graph, dialect: str = "duckdb") -> None:
        self.graph = graph
        self.first_index = 1 if dialect == "duckdb" else 0  # of a list lambda's index argument
        self.layout = Layout(graph)
        self.columns = Columns()
        self.translator = Translator(graph, self.layout, self._materialise, self._bit)
        self.nodes = {node.id: node for node in graph.nodes}
        self.order = self._topological_order()
        self.ancestors = self._ancestors()
        self.items: list[ItemSlot] = []
        self.stuck: list[tuple[exp.Expr, Mask]] = []  # (walk stops here, facts named)
        self.stopped: list[exp.Expr] = []  # per node: the walk stopped there
        self.incomplete: list[exp.Expr] = []
        self.edges: list[tuple[str, exp.Expr]] = [("start", TRUE)]
        self.reached: dict[str, exp.Expr] = {}
        self.shapes = _shapes(graph)

    # ---- the pathway's shape ------------------------------------------------------------

    def _targets(self, node: Node) -> list[str]:
        if isinstance(node, DecisionNode):
            return [edge.target for edge in node.branches]
        if isinstance(node, ActionNode):
            return [node.next.target]
        return []

    def _topological_order(self) -> list[str]:
        if self.graph.start not in self.nodes:
            raise SqlTargetError(f"no node is named {self.graph.start!r}")
        order: list[str] = []
        state: dict[str, int] = {}

        def visit(node_id: str) -> None:
            stack = [(node_id, iter(self._targets(self.nodes[node_id])))]
            state[node_id] = 1
            while stack:
                current, children = stack[-1]
                child = next(children, None)
                if child is None:
                    stack.pop()
                    state[current] = 2
                    order.append(current)
                    continue
                if child not in self.nodes:
                    raise SqlTargetError(f"no node is named {child!r}")
                if state.get(child) == 1:
                    raise SqlTargetError(f"the pathway has a cycle through {child!r}")
                if child not in state:
                    state[child] = 1
                    stack.append((child, iter(self._targets(self.nodes[child]))))

        visit(self.graph.start)
        return order[::-1]

    def _ancestors(self) -> dict[str, set[str]]:
        ancestors: dict[str, set[str]] = {node_id: set() for node_id in self.order}
        for node_id in self.order:
            for target in self._targets(self.nodes[node_id]):
                ancestors[target] |= ancestors[node_id] | {node_id}
        return ancestors

    def _point(self, node_id: str, before: int | None = None) -> PlanPoint:
        """The items applied before a node (``before``: and its first items); None: all."""
        earlier = self.ancestors[node_id]
        slots = [
            slot
            for slot in self.items
            if slot.node in earlier or (slot.node == node_id and before is not None and slot.ordinal < before)
        ]
        return PlanPoint(_plan_item(slot) for slot in slots)

    # ---- columns ------------------------------------------------------------------------

    def _bit(self, name: str, expression: exp.Expr) -> exp.Expr:
        if name not in self.columns.expressions:
            return self.columns.add(name, expression)
        return column(name)

    def _materialise(self, name: str, value: Value) -> Value:
        return self._store(f"d_{name}", value)

    def _store(self, name: str, value: Value) -> Value:
        if isinstance(value, Scalar):
            stored = self.columns.add(name, value.value)
            mask = value.mask
            if stored is not value.value:  # the mask reads the value: read the column instead
                mask = {word: _replace(term, value.value, stored) for word, term in mask.items()}
            return Scalar(stored, self._store_mask(name, mask, is_null(stored)), value.integral)
        if isinstance(value, Members):
            members = {m: self.columns.add(f"{name}__{m}", held) for m, held in value.members.items()}
            unknown = self.columns.add(f"{name}__unknown", value.unknown)
            return Members(value.enum, members, unknown, self._store_mask(name, value.mask, unknown))
        return value

    def _store_value(self, name: str, value: Scalar) -> Scalar:
        """The value as a column; its mask stays an expression (read only where the walk stopped)."""
        stored = self.columns.add(name, value.value)
        mask = value.mask
        if stored is not value.value:
            mask = {word: _replace(term, value.value, stored) for word, term in mask.items()}
        return Scalar(stored, mask, value.integral)

    def _store_mask(self, name: str, mask: Mask, unknown: exp.Expr) -> Mask:
        """The mask as columns, computed only for the rows where the value is unknown (it is 0
        wherever the value is known: the CASE spares computing it there)."""
        return {
            word: self.columns.add(f"{name}__missing{word}", _when_unknown(unknown, value))
            for word, value in mask.items()
        }

    # ---- the walk -------------------------------------------------------------------------

    def build(self, table: str) -> exp.Select:
        for definition in self.graph.definitions:
            with _located(f"definition {definition.name}", None):
                self.translator.define(definition.name, definition.expr)
        incoming: dict[str, list[exp.Expr]] = {}
        for index, node_id in enumerate(self.order):
            node = self.nodes[node_id]
            reached = TRUE if node_id == self.graph.start else disjunction(incoming.get(node_id, []))
            reached = self.columns.add(f"reached_{index}", reached)
            self.reached[node_id] = reached
            if isinstance(node, DecisionNode):
                self._decide(index, node, reached, incoming)
            elif isinstance(node, ActionNode):
                self._act(index, node, reached, incoming)
        return self._result(table)

    def _decide(
        self,
        index: int,
        node: DecisionNode,
        reached: exp.Expr,
        incoming: dict[str, list[exp.Expr]],
    ) -> None:
        point = self._point(node.id, None)
        earlier_false: list[exp.Expr] = []
        for number_, edge in enumerate(node.branches):
            name = f"n{index}_branch{number_}"
            if edge.guard is None:
                taken = conjunction([reached, *earlier_false])
            else:
                with _located(f"the guard of branch {edge.id}", edge.trace.source):
                    translated = self.translator.condition(edge.guard, point)
                guard = self._store_value(name, translated)
                if guard.mask:
                    stuck = self.columns.add(
                        f"{name}_stuck", conjunction([reached, *earlier_false, is_null(guard.value)])
                    )
                    self.stuck.append((stuck, guard.mask))
                    self.stopped.append(stuck)
                taken = conjunction([reached, *earlier_false, is_true(guard.value)])
                earlier_false.append(is_false(guard.value))
            taken = self.columns.add(f"{name}_taken", taken)
            self.edges.append((edge.id, taken))
            incoming.setdefault(edge.target, []).append(taken)
        if node.branches and node.branches[-1].guard is None:
            return
        self.incomplete.append(
            self.columns.add(f"n{index}_no_branch", conjunction([reached, *earlier_false]))
        )

    def _act(
        self, index: int, node: ActionNode, reached: exp.Expr, incoming: dict[str, list[exp.Expr]]
    ) -> None:
        decided: list[exp.Expr] = []  # every earlier guard of the step is known
        undecided: list[tuple[int, Scalar]] = []  # the guards that may be unknown
        for ordinal, item in enumerate(node.items):
            name = f"n{index}_item{ordinal}"
            proceeding = conjunction([reached, *decided])
            if item.guard is None:
                applied = proceeding
            else:
                point = self._point(node.id, ordinal)
                with _located(f"the guard of item {item.id}", item.trace.source):
                    translated = self.translator.condition(item.guard, point)
                guard = self._store_value(name, translated)
                if guard.mask:
                    undecided.append((ordinal + 1, guard))
                    decided.append(exp.Not(this=is_null(guard.value)))
                applied = conjunction([proceeding, is_true(guard.value)])
            applied_name = f"{name}_applied"
            self.columns.add(applied_name, applied, keep=True)
            self.items.append(ItemSlot(node.id, item, ordinal, applied_name))
        if undecided:
            # the first item whose guard is unknown (the walk stops there), or 0
            first = self.columns.add(
                f"n{index}_unknown",
                case(
                    *((conjunction([reached, is_null(g.value)]), big(number_)) for number_, g in undecided),
                    default=big(0),
                ),
            )
            for number_, guard in undecided:
                self.stuck.append((exp.EQ(this=first, expression=big(number_)), guard.mask))
            self.stopped.append(exp.NEQ(this=first, expression=big(0)))
            taken = self.columns.add(
                f"n{index}_next", conjunction([reached, exp.EQ(this=first, expression=big(0))])
            )
        else:
            taken = reached
        self.edges.append((node.next.id, taken))
        incoming.setdefault(node.next.target, []).append(taken)

    # ---- the result ---------------------------------------------------------------------

    def _result(self, table: str) -> exp.Select:
        everything = PlanPoint(_plan_item(slot) for slot in self.items)
        stuck = self.columns.add("stuck", disjunction(self.stopped))
        incomplete = self.columns.add("incomplete", disjunction(self.incomplete))
        finished = [
            (self.reached[node_id], node)
            for node_id in self.order
            if isinstance(node := self.nodes[node_id], TerminalNode)
        ]
        ok_reached = disjunction(reached for reached, node in finished if node.status == "ok")
        walked = conjunction([exp.Not(this=stuck), exp.Not(this=incomplete)])
        checked: list[tuple[exp.Expr, exp.Expr, Mask]] = []
        for number_, invariant in enumerate(self.graph.invariants):
            with _located(f"safety rule {invariant.name}", invariant.trace.source):
                translated = self.translator.condition(invariant.condition, everything)
            value = self._store_value(f"invariant{number_}", translated)
            broken = is_true(value.value) if invariant.kind == "never" else is_false(value.value)
            checked.append((broken, is_null(value.value), value.mask))
        status_branches: list[tuple[exp.Expr, exp.Expr]] = [
            (stuck, string("insufficient_data")),
            (incomplete, string("incomplete_guideline")),
        ]
        plan_checked = conjunction([walked, ok_reached])
        for broken, unknown, _mask in checked:
            status_branches.append((conjunction([plan_checked, broken]), string("safety_violation")))
            status_branches.append((conjunction([plan_checked, unknown]), string("insufficient_data")))
        for reached, node in finished:
            status_branches.append((reached, string(node.status)))
        status = self.columns.add("status", case(*status_branches, default=exp.null()))
        ok = self.columns.add("ok", exp.EQ(this=status, expression=string("ok")))
        missing_words: dict[int, exp.Expr] = {}
        for word in range(self.layout.words):
            branches = [(s, mask[word]) for s, mask in self.stuck if word in mask]
            earlier: list[exp.Expr] = [plan_checked]
            for broken, unknown, mask in checked:
                if word in mask:
                    branches.append((conjunction([*earlier, unknown]), mask[word]))
                earlier.append(exp.Not(this=disjunction([broken, unknown])))
            if branches:
                missing_words[word] = self.columns.add(f"missing{word}", case(*branches, default=big(0)))
        kept = self._kept()
        outputs = self._outputs(everything)
        selected: list[exp.Expr] = [
            column(ID_COLUMN),
            exp.alias_(column("status"), "status", quoted=True),
            exp.alias_(self._missing_list(missing_words), "missing", quoted=True),
            exp.alias_(self._recommendations(kept, ok), "recommendations", quoted=True),
            exp.alias_(self._ids(kept, ok, AvoidItem, "avoid"), "avoid", quoted=True),
            exp.alias_(self._ids(kept, ok, FlagItem, "flags"), "flags", quoted=True),
            exp.alias_(self._ids(kept, ok, MonitorItem, "monitoring"), "monitoring", quoted=True),
            exp.alias_(outputs, "outputs", quoted=True),
            exp.alias_(
                self._bit_list("path", [(string(e), taken) for e, taken in self.edges]), "path", quoted=True
            ),
        ]
        return self._layered(table, selected)

    def _kept(self) -> dict[str, exp.Expr]:
        """Per item, TRUE when it applied and no identical entry applied before it on the path."""
        kept: dict[str, exp.Expr] = {}
        seen: dict[tuple[object, ...], list[str]] = {}
        for node_id in self.order:
            for slot in (s for s in self.items if s.node == node_id):
                key = _identity(slot.item)
                earlier = seen.setdefault(key, [])
                kept[slot.applied] = conjunction(
                    [column(slot.applied), *(exp.Not(this=column(e)) for e in earlier)]
                )
                earlier.append(slot.applied)
        return kept

    def _recommendations(self, kept: dict[str, exp.Expr], ok: exp.Expr) -> exp.Expr:
        entries: list[tuple[exp.Expr, exp.Expr]] = []
        for slot in self.items:
            item = slot.item
            if not isinstance(item, RecommendItem):
                continue
            entries.append((_recommendation(item), kept[slot.applied]))
        if not entries:  # a list of the same type, empty
            return _filtered([_recommendation(None)], keep_none=True)
        return self._plan_list("recommendations", entries, ok)

    def _ids(self, kept: dict[str, exp.Expr], ok: exp.Expr, kind: type, name: str) -> exp.Expr:
        entries: list[tuple[exp.Expr, exp.Expr]] = []
        for slot in self.items:
            item = slot.item
            if isinstance(item, AvoidItem) and kind is AvoidItem:
                entries.append((string(item.intervention), kept[slot.applied]))
            elif isinstance(item, FlagItem) and kind is FlagItem:
                entries.append((string(item.flag), kept[slot.applied]))
            elif isinstance(item, MonitorItem) and kind is MonitorItem:
                entries.append((string(item.what), kept[slot.applied]))
        return self._plan_list(name, entries, ok)

    def _plan_list(self, name: str, entries: list[tuple[exp.Expr, exp.Expr]], ok: exp.Expr) -> exp.Expr:
        """The kept entries of an ``ok`` result (a result without a plan has none)."""
        return self._bit_list(name, [(entry, conjunction([ok, held])) for entry, held in entries])

    def _bit_list(self, name: str, entries: list[tuple[exp.Expr, exp.Expr]]) -> exp.Expr:
        """The entries whose condition holds, in order: per row, the conditions become the bits
        of BIGINT words (columns); the list is a constant list filtered by those bits."""
        words = [entries[start : start + BITS_PER_WORD] for start in range(0, len(entries), BITS_PER_WORD)]
        lists: list[exp.Expr] = []
        for number_, chunk in enumerate(words):
            bits: exp.Expr = big(0)
            for position, (_entry, held) in enumerate(chunk):
                if static(held) is False:
                    continue
                term = case((held, big(1 << position)), default=big(0))
                bits = term if _is_zero(bits) else exp.BitwiseOr(this=bits, expression=term)
            word = self.columns.add(f"{name}_bits{number_}", bits)
            lists.append(self._filter_by_bits([entry for entry, _held in chunk], word))
        if not lists:
            return _filtered([])
        combined = lists[0]
        for more in lists[1:]:
            combined = exp.ArrayConcat(this=combined, expressions=[more])
        return combined

    def _filter_by_bits(self, entries: list[exp.Expr], word: exp.Expr) -> exp.Expr:
        element, index = exp.to_identifier("entry"), exp.to_identifier("position")
        shift = exp.Paren(this=exp.Sub(this=index.copy(), expression=exp.Literal.number(self.first_index)))
        bit = exp.BitwiseAnd(
            this=exp.Paren(this=exp.BitwiseRightShift(this=word.copy(), expression=shift)),
            expression=big(1),
        )
        keep = exp.Lambda(
            this=exp.EQ(this=exp.Paren(this=bit), expression=big(1)), expressions=[element, index]
        )
        chosen = exp.ArrayFilter(this=exp.Array(expressions=entries), expression=keep)
        # most rows choose nothing from most lists (no plan, nothing missing): skip the filter
        return case((exp.EQ(this=word.copy(), expression=big(0)), exp.Array(expressions=[])), default=chosen)

    def _missing_list(self, words: dict[int, exp.Expr]) -> exp.Expr:
        """The missing facts, sorted: facts have their bits in the order of their names."""
        lists: list[exp.Expr] = []
        for word, mask in sorted(words.items()):
            facts = sorted((f for f in self.layout.facts.values() if f.word == word), key=lambda f: f.bit)
            assert [f.bit for f in facts] == list(range(len(facts)))
            lists.append(self._filter_by_bits([string(f.path) for f in facts], mask))
        if not lists:
            return _filtered([])
        combined = lists[0]
        for more in lists[1:]:
            combined = exp.ArrayConcat(this=combined, expressions=[more])
        return combined

    def _outputs(self, everything: PlanPoint) -> exp.Expr:
        fields = []
        enums = {enum.name: enum.members for enum in self.graph.enums}
        for definition in self.graph.definitions:
            if not definition.output:
                continue
            with _located(f"output {definition.name}", None):
                value = self.translator.value(definition.expr, everything)
            if isinstance(value, Scalar):
                shown: exp.Expr = value.value
                if definition.name in self.translator.definitions:
                    shown = self.translator.definitions[definition.name].value  # type: ignore[union-attr]
                kind = self._kind(definition.name, value)
                fields.append(_field(definition.name, exp.cast(shown, kind)))
            elif isinstance(value, Members):
                members = [
                    case((is_true(value.members[m]), string(m)), default=exp.null())
                    for m in enums.get(value.enum, ())
                ]
                fields.append(
                    _field(definition.name, case((value.unknown, exp.null()), default=_filtered(members)))
                )
            else:
                raise SqlTargetError(f"output {definition.name} is not a value SQL can return")
        if not fields:  # no outputs declared: a typed NULL (Parquet has no column of type NULL)
            return exp.cast(exp.null(), "VARCHAR")
        return exp.Struct(expressions=fields)

    def _kind(self, name: str, value: Scalar) -> str:
        kind = self.shapes.get(name, "number")
        if kind == "boolean":
            return "BOOLEAN"
        if kind == "member":
            return "VARCHAR"
        return "BIGINT" if value.integral else "DOUBLE"

    def _layered(self, table: str, selected: list[exp.Expr]) -> exp.Select:
        """One CTE per layer of columns, each a projection over the one before that carries on
        only the columns a later layer or the result reads (so that neither engine has to
        resolve, or may inline, more than it needs)."""
        layers = self.columns.by_layer()
        final_depth = len(layers) + 1
        last_use: dict[str, int] = {ID_COLUMN: final_depth}
        for depth, layer in enumerate(layers, start=1):
            for _column, expression in layer:
                for reference in expression.find_all(exp.Column):
                    last_use[reference.name] = max(last_use.get(reference.name, 0), depth)
        for expression in selected:
            for reference in expression.find_all(exp.Column):
                last_use[reference.name] = final_depth
        table_columns = [ID_COLUMN, *(c.name for c in self.layout.columns)]
        carried = [name for name in table_columns if last_use.get(name, 0) > 0]
        ctes = [
            exp.CTE(
                this=_select([column(name) for name in carried], table),
                alias=exp.TableAlias(this=_name("layer0")),
            )
        ]
        for depth, layer in enumerate(layers, start=1):
            carried = [name for name in carried if last_use.get(name, 0) > depth]
            projection: list[exp.Expr] = [column(name) for name in carried]
            for name, expression in layer:
                if last_use.get(name, 0) > depth:
                    projection.append(exp.alias_(expression, name, quoted=True, copy=False))
                    carried.append(name)
            ctes.append(
                exp.CTE(
                    this=_select(projection, f"layer{depth - 1}"),
                    alias=exp.TableAlias(this=_name(f"layer{depth}")),
                )
            )
        final = _select(selected, f"layer{len(ctes) - 1}")
        final.set("with_", exp.With(expressions=ctes))
        return final


def _name(text: str) -> exp.Identifier:
    return exp.to_identifier(text)


def _select(projection: list[exp.Expr], source: str) -> exp.Select:
    return exp.Select(expressions=projection, from_=exp.From(this=exp.Table(this=_name(source))))


def _shapes(graph: Graph) -> dict[str, str]:
    """The kind (boolean, number, member, set) of each definition, as the runtime types it."""
    from fibrolang.compile import ExpressionCompiler

    compiler = ExpressionCompiler(graph, [], fuse=False)
    for definition in graph.definitions:
        compiler.define(definition.name, definition.expr, "")
    return {name: compiled.shape.kind for name, compiled in compiler.definitions.items()}


def static(expression: exp.Expr) -> bool | None:
    if isinstance(expression, exp.Boolean):
        return bool(expression.this)
    return None


def _when_unknown(unknown: exp.Expr, mask: exp.Expr) -> exp.Expr:
    if isinstance(mask, exp.Case) and mask.args.get("ifs") and mask.args["ifs"][0].this == unknown:
        return mask  # already conditioned on it
    return case((unknown, mask), default=big(0))


@contextlib.contextmanager
def _located(where: str, source: SourcePosition | None) -> Iterator[None]:
    """Name the element (and its place in the source) in a ``SqlTargetError`` raised inside."""
    try:
        yield
    except SqlTargetError as error:
        if error.where:
            raise
        line, column_ = (source.line, source.column) if source else (None, None)
        raise SqlTargetError(error.message, where, line, column_) from None


def _replace(tree: exp.Expr, old: exp.Expr, new: exp.Expr) -> exp.Expr:
    """``tree`` with the very node ``old`` (by identity) replaced by ``new``."""
    if tree is old:
        return new.copy()
    return tree.transform(lambda node: new.copy() if node is old else node, copy=False)


def _plan_item(slot: ItemSlot) -> PlanItem:
    item = slot.item
    if isinstance(item, RecommendItem):
        if item.action == "stop":
            return PlanItem(slot.applied, "", item.intervention, None)
        bounds = [b.maximum for b in (item.dose,) if b is not None]
        bounds += [t.target for t in (item.titration,) if t is not None]
        return PlanItem(slot.applied, "recommended", item.intervention, max(bounds) if bounds else None)
    if isinstance(item, AvoidItem):
        return PlanItem(slot.applied, "avoided", item.intervention, None)
    if isinstance(item, FlagItem):
        return PlanItem(slot.applied, "flagged", item.flag, None)
    return PlanItem(slot.applied, "", item.what, None)


def _identity(item: ActionItem) -> tuple[object, ...]:
    if isinstance(item, RecommendItem):
        return ("recommend", item.intervention, item.action, item.dose, item.titration)
    if isinstance(item, AvoidItem):
        return ("avoid", item.intervention)
    if isinstance(item, FlagItem):
        return ("flag", item.flag)
    return ("monitor", item.what, item.after)


def _field(name: str, value: exp.Expr) -> exp.Expr:
    return exp.PropertyEQ(this=exp.to_identifier(name, quoted=True), expression=value)


def _double(value: int | float | None) -> exp.Expr:
    if value is None:
        return exp.cast(exp.null(), "DOUBLE")
    return number(float(value))


def _text(value: str | None) -> exp.Expr:
    return exp.cast(exp.null() if value is None else string(value), "VARCHAR")


def _is_zero(expression: exp.Expr) -> bool:
    return isinstance(expression, exp.Cast) and expression.this == exp.Literal.number(0)


def _recommendation(item: RecommendItem | None) -> exp.Expr:
    """A recommendation as a struct (all fields NULL for None: the type of an empty list)."""
    dose = item.dose if item else None
    titration = item.titration if item else None
    return exp.Struct(
        expressions=[
            _field("item", _text(item.id if item else None)),
            _field("intervention", _text(item.intervention if item else None)),
            _field("action", _text(item.action if item else None)),
            _field("dose_min", _double(dose.minimum if dose else None)),
            _field("dose_max", _double(dose.maximum if dose else None)),
            _field("dose_unit", _text(dose.unit if dose else None)),
            _field("dose_frequency", _text(dose.frequency if dose else None)),
            _field("titration_step", _double(titration.step if titration else None)),
            _field("titration_every", _double(titration.every if titration else None)),
            _field("titration_every_unit", _text(titration.every_unit if titration else None)),
            _field("titration_target", _double(titration.target if titration else None)),
        ]
    )


def _filtered(entries: list[exp.Expr], keep_none: bool = False) -> exp.Expr:
    """The non-NULL entries, in order: a list built once per row (``keep_none``: an empty list
    of the entries' type)."""
    variable = exp.to_identifier("entry")
    condition: exp.Expr = exp.Not(this=exp.Is(this=variable.copy(), expression=exp.null()))
    keep = exp.Lambda(this=FALSE if keep_none else condition, expressions=[variable])
    if not entries:
        entries = [exp.cast(exp.null(), "VARCHAR")]
    return exp.ArrayFilter(this=exp.Array(expressions=entries), expression=keep)


__all__ = ["DIALECTS", "RESULT_COLUMNS", "STATUSES", "SqlTargetError", "sql_of_document", "sql_query"]
