"""Turn a checked ``Graph`` into a ``Program``: compiled steps, definitions, outputs, invariants.

``Program(graph)`` compiles everything once and raises one ``GuidelineError``
listing every structural and type problem. ``Program.run(inputs)`` walks the
pathway for one validated patient and returns the ``Result``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from fibrolang import expressions as ex
from fibrolang import fused
from fibrolang.closures import Evaluator, ExpressionCompiler
from fibrolang.errors import GuidelineError, Problem, SafetyViolation, plural
from fibrolang.graph import (
    ActionItem,
    ActionNode,
    AvoidItem,
    BooleanType,
    DecisionNode,
    FlagItem,
    Graph,
    Invariant,
    RecommendItem,
    Status,
    ValueType,
)
from fibrolang.items import (
    AvoidStep,
    FlagStep,
    ItemFactory,
    ItemStep,
    MonitorStep,
    RecommendStep,
    batched,
)
from fibrolang.lean import NO_BOUND, STATE_BUDGET, LeanWalk, PlanState
from fibrolang.lean_cursor import DEFINITION, END, FOLLOW, GUARD, INCOMPLETE, INPUT, advance
from fibrolang.pathway import ActionStep, Branch, DecisionStep, Path, Step, TerminalStep, Walk, chain_actions
from fibrolang.result import (
    Avoidance,
    Flag,
    GuidelineIdentity,
    Monitoring,
    OutputValue,
    Result,
    new_result,
    new_trace,
)
from fibrolang.structure import check_structure
from fibrolang.unset import UNSET, check_unset
from fibrolang.values import PENDING, Context, Question, Unknown

_OUTPUT_KINDS = ("boolean", "number", "member", "set", "text")


class Program:
    """A guideline compiled for evaluation.

    Immutable after construction, except for memo caches (recommendations per path,
    messages per set of missing facts, the unknowns of fused reads, the lean walk's plan
    states and the results they end with) that only ever add
    entries equal to what they would recompute, up to fixed limits: one ``Program`` may
    serve many threads.
    """

    def __init__(self, graph: Graph, fuse: bool = True) -> None:
        """``fuse=False`` compiles without the shortcuts (fused closures, batched items,
        invariant triggers) that give the same results faster: for differential tests."""
        problems = check_structure(graph) + check_unset(graph)
        compiler = ExpressionCompiler(graph, problems, fuse)
        self.identity = GuidelineIdentity(
            graph.guideline.id, graph.guideline.version, graph.guideline.content_hash
        )
        self.outputs: tuple[tuple[str, Evaluator, Callable[[Any], OutputValue]], ...] = ()
        outputs = []
        for index, definition in enumerate(graph.definitions):
            path = f"definitions[{index}]"
            compiled = compiler.define(definition.name, definition.expr, f"{path}.expr")
            if not definition.output:
                continue
            if compiled.shape.kind not in (*_OUTPUT_KINDS, "invalid"):
                problems.append(
                    Problem(f"{path}.output", f"an output cannot be a {compiled.shape.kind}", "type_error")
                )
                continue
            read, _shape = compiler.compile(ex.DefinitionReference(definition.name), path)
            members = compiler.enums.get(compiled.shape.enum or "", ())
            convert = _set_converter(members) if compiled.shape.kind == "set" else _plain
            outputs.append((definition.name, read, convert))
        self.outputs = tuple(outputs)
        for intervention in graph.interventions:  # type-checked, not evaluated
            for index, contraindication in enumerate(intervention.contraindications):
                compiler.condition(
                    contraindication.condition,
                    f"interventions.{intervention.id}.contraindications[{index}].condition",
                )
        self.invariants = tuple(
            (
                invariant,
                compiler.condition(invariant.condition, f"invariants[{index}].condition"),
                invariant.kind == "never",  # the value that breaks it
                Question(f"whether the plan keeps safety rule {_name(invariant)}"),
                _trigger(invariant) if fuse else None,
            )
            for index, invariant in enumerate(graph.invariants)
        )
        triggers = [trigger for *_rest, trigger in self.invariants]
        self.triggers: frozenset[str] | None = (
            frozenset(trigger for trigger in triggers if trigger is not None)
            if None not in triggers
            else None
        )  # when every safety rule holds unless one of these is recommended
        self.start = self._compile_steps(graph, compiler, fuse)
        if problems:
            problems = sorted(set(problems), key=lambda problem: (problem.path, problem.code))
            raise GuidelineError(
                f"the graph of guideline {graph.guideline.id or '?'} cannot be "
                f"used ({plural(len(problems), 'problem')}):",
                tuple(problems),
            )
        self.definition_template = [PENDING] * len(compiler.definitions)
        self.depth = compiler.depth
        self.root = Path()
        self.root_state = PlanState(self.root, [STATE_BUDGET])
        self.entry = advance(self.root_state, self.start, 0, [STATE_BUDGET])  # the lean walk's first question
        self.endings: dict[tuple[str, str | None], Result] = {}  # lean results of other outcomes

    def _compile_steps(self, graph: Graph, compiler: ExpressionCompiler, fuse: bool) -> Step:
        factory = ItemFactory(graph)
        steps: dict[str, Step] = {}
        links: list[tuple[Branch | ActionStep, str]] = []
        for node in graph.nodes:
            path = f"nodes.{node.id}"
            if isinstance(node, DecisionNode):
                branches = []
                for index, edge in enumerate(node.branches):
                    guard = (
                        None
                        if edge.guard is None
                        else compiler.condition(edge.guard, f"{path}.branches[{index}].guard")
                    )
                    branch = Branch(edge.id, edge.label, guard)
                    branch.reads_plan = guard is not None and compiler.condition_reads_plan
                    if fuse and guard is not None:
                        comparison = fused.input_comparison(guard)
                        if comparison is not None:
                            branch.input, branch.compare, branch.constant = comparison
                        else:
                            branch.input = _boolean_input(edge.guard, compiler.inputs)
                        if branch.input is not None:
                            branch.input_missing = frozenset((branch.input,))
                    links.append((branch, edge.target))
                    branches.append(branch)
                steps[node.id] = DecisionStep(node, tuple(branches))
            elif isinstance(node, ActionNode):
                items = tuple(
                    self._compile_item(node, item, index, compiler, factory)
                    for index, item in enumerate(node.items)
                )
                action = ActionStep(node, batched(items) if fuse else items)
                links.append((action, node.next.target))
                steps[node.id] = action
            else:
                steps[node.id] = TerminalStep(node.id, node.status, node.message)
        for holder, target in links:
            if target in steps:
                holder.target = steps[target]
        if fuse:
            chain_actions(steps.values())
        else:
            for step in steps.values():
                if isinstance(step, ActionStep):
                    step.lean_target = step.target
        return steps.get(graph.start, Step(""))

    @staticmethod
    def _compile_item(
        node: ActionNode, item: ActionItem, index: int, compiler: ExpressionCompiler, factory: ItemFactory
    ) -> ItemStep:
        path = f"nodes.{node.id}.items[{index}]"
        guard = None if item.guard is None else compiler.condition(item.guard, f"{path}.guard")
        step = Program._item_step(node, item, guard, factory)
        step.reads_plan = guard is not None and compiler.condition_reads_plan
        if compiler.fuse and guard is not None:
            step.input = _boolean_input(item.guard, compiler.inputs)
            if step.input is not None:
                step.input_missing = frozenset((step.input,))
            step.requires = _required_recommendation(item.guard)
            memo = fused.definition_read(guard)
            if memo is not None:
                step.definition, step.compute, negated = memo
                step.skipped_by = negated  # `not d` skips the item when d is true
        return step

    @staticmethod
    def _item_step(
        node: ActionNode, item: ActionItem, guard: Evaluator | None, factory: ItemFactory
    ) -> ItemStep:
        if isinstance(item, RecommendItem):
            identity = factory.identity(
                ("recommend", item.intervention, item.action, item.dose, item.titration)
            )
            return RecommendStep(item.id, guard, identity, item, factory.recommendation_maker(node.id, item))
        if isinstance(item, AvoidItem):
            return AvoidStep(
                item.id,
                guard,
                factory.identity(("avoid", item.intervention)),
                Avoidance(
                    item.intervention,
                    factory.label(item.intervention),
                    item.reason,
                    item.trace.quote,
                    node.id,
                    item.id,
                ),
            )
        if isinstance(item, FlagItem):
            return FlagStep(
                item.id,
                guard,
                factory.identity(("flag", item.flag)),
                Flag(item.flag, item.text, node.id, item.id),
            )
        return MonitorStep(
            item.id,
            guard,
            factory.identity(("monitor", item.what, item.after)),
            Monitoring(item.what, item.text, item.after, node.id, item.id),
        )

    def run(self, inputs: dict[str, Any], trace: bool = True) -> Result:
        """Walk the pathway for one validated, normalised patient.

        ``trace=False`` returns the same result with an empty ``Trace`` (``NO_TRACE``),
        from the lean walk (``run_lean``)."""
        if not trace:
            return self.run_lean(inputs)
        walk = Walk(inputs, self.definition_template.copy(), self.depth, self.root)
        step: Step | None = self.start
        nodes = walk.nodes
        while step is not None:
            nodes.append(step.id)
            step = step.visit(walk)
        if walk.status == "ok":
            self._check_invariants(walk)
        outputs = (
            _NO_OUTPUTS
            if not self.outputs
            else MappingProxyType(
                {
                    name: None if value.__class__ is Unknown else convert(value)
                    for name, read, convert in self.outputs
                    if (value := read(walk)) is not UNSET  # unset by design: left out
                }
            )
        )
        recorded = new_trace(tuple(nodes), tuple(walk.edges), tuple(walk.guards))
        if walk.status != "ok":  # only a plan checked against the invariants is returned
            return new_result(
                walk.status,
                walk.status_message,
                walk.missing,
                (),
                (),
                (),
                (),
                outputs,
                recorded,
                self.identity,
            )
        return new_result(
            "ok",
            walk.status_message,
            (),
            tuple(walk.recommendations),
            tuple(walk.avoid),
            tuple(walk.flags),
            tuple(walk.monitoring),
            outputs,
            recorded,
            self.identity,
        )

    def run_lean(self, inputs: dict[str, Any]) -> Result:
        """``run(inputs, trace=False)``: the walk moves through shared plan states
        (``fibrolang.lean``), asking only the guards the plan state does not settle, one
        cursor after another (``fibrolang.lean_cursor``), and a result that depends on
        nothing but the state (or the outcome) it ends on is built once and returned again."""
        walk = _new_walk(LeanWalk)  # LeanWalk.__init__, inline (a Python call fewer)
        walk.inputs = inputs
        walk.definitions = self.definition_template.copy()
        walk.bound = [None] * self.depth if self.depth else NO_BOUND
        state = walk.state = self.root_state
        walk.recommended = state.recommended  # type: ignore[assignment]
        walk.avoided = state.avoided  # type: ignore[assignment]
        walk.flagged = state.flagged  # type: ignore[assignment]
        walk.doses = state.doses
        cursor = self.entry
        definitions = walk.definitions
        while True:  # ask the guards whose answers depend on the patient (``lean_cursor``)
            kind = cursor.kind
            if kind == INPUT:
                value = inputs.get(cursor.name)  # type: ignore[arg-type]
                if value is None:
                    walk.state = cursor.state
                    walk.undecided(cursor.description, cursor.missing)  # type: ignore[arg-type]
                    return self._lean_ending(walk, walk.status, walk.status_message, walk.missing)
                compare = cursor.compare
                if compare is not None:
                    value = compare(value, cursor.constant)
                cursor = cursor.on_false if value is False else cursor.on_true
            elif kind == DEFINITION:
                value = definitions[cursor.definition]  # type: ignore[index]
                if value is PENDING:
                    value = definitions[cursor.definition] = cursor.compute(walk)  # type: ignore[index]
                if value is cursor.skipped_by:
                    cursor = cursor.on_false
                elif value.__class__ is Unknown:
                    walk.state = cursor.state
                    walk.undecided(cursor.description, value.missing)  # type: ignore[arg-type]
                    return self._lean_ending(walk, walk.status, walk.status_message, walk.missing)
                else:
                    cursor = cursor.on_true
            elif kind == GUARD:
                if cursor.reads_plan:
                    walk.move(cursor.state)
                value = cursor.guard(walk)
                if value is False:
                    cursor = cursor.on_false
                elif value is not True:
                    walk.state = cursor.state
                    walk.undecided(cursor.description, value.missing)  # type: ignore[arg-type]
                    return self._lean_ending(walk, walk.status, walk.status_message, walk.missing)
                else:
                    cursor = cursor.on_true
            elif kind == FOLLOW:  # the first walk this way (or the budget is spent): made now
                cursor = cursor.origin.follow(cursor.held)
            else:
                if kind == END:
                    result = cursor.settled  # the commonest end: the result of every walk ending here
                    if result is not None:
                        return result
                break
        walk.state = cursor.state
        step = cursor.step
        if kind == INCOMPLETE:
            assert isinstance(step, DecisionStep)
            raise step._incomplete()
        assert isinstance(step, TerminalStep)
        status = step.status
        message = step.message
        if status != "ok":
            return self._lean_ending(walk, status, message, ())
        state = walk.state
        result = state.settled  # a result built before, no rule to check
        if result is not None and result.message is message:
            cursor.settled = result  # returned at once next time
            return result
        triggers = self.triggers
        checked = triggers is None or not triggers.isdisjoint(state.recommended)
        if checked:
            walk.move(state)  # the plan, for the safety rules
            walk.status = status
            if self._breaks_invariant(walk):
                return self.run(inputs)  # walk again, recording the nodes the error names
            if walk.status != "ok":
                return self._lean_ending(walk, walk.status, walk.status_message, walk.missing)
        if self.outputs:
            walk.move(state)  # the plan, for outputs that read it
            return new_result(
                "ok",
                message,
                (),
                state.recommendations,
                state.avoid,
                state.flags,
                state.monitoring,
                self._outputs(walk),
                NO_TRACE,
                self.identity,
            )
        result = state.result  # a result built before, on a plan the rules were checked on
        if result is not None and result.message is message:
            return result
        result = new_result(
            "ok",
            message,
            (),
            state.recommendations,
            state.avoid,
            state.flags,
            state.monitoring,
            _NO_OUTPUTS,
            NO_TRACE,
            self.identity,
        )
        if state.result is None:
            state.result = result
            if not checked:  # no safety rule can fail on this plan: nothing to check next time
                state.settled = result
        return result

    def _lean_ending(
        self, walk: LeanWalk, status: Status, message: str | None, missing: tuple[str, ...]
    ) -> Result:
        """The lean result of a walk that does not end with a plan."""
        if missing or self.outputs:
            if self.outputs:
                walk.move(walk.state)  # the plan, for outputs that read it
                outputs = self._outputs(walk)
            else:
                outputs = _NO_OUTPUTS
            return new_result(status, message, missing, (), (), (), (), outputs, NO_TRACE, self.identity)
        key = (status, message)
        result = self.endings.get(key)
        if result is None:
            result = new_result(status, message, (), (), (), (), (), _NO_OUTPUTS, NO_TRACE, self.identity)
            if len(self.endings) < 256:
                self.endings[key] = result
        return result

    def _outputs(self, walk: Context) -> Mapping[str, OutputValue]:
        return MappingProxyType(
            {
                name: None if value.__class__ is Unknown else convert(value)
                for name, read, convert in self.outputs
                if (value := read(walk)) is not UNSET  # unset by design: left out
            }
        )

    def _breaks_invariant(self, walk: LeanWalk) -> bool:
        """``_check_invariants`` for the lean walk: True when the plan breaks a safety rule."""
        recommended = walk.recommended
        for _invariant, condition, violated, question, trigger in self.invariants:
            if trigger is not None and trigger not in recommended:
                continue  # holds, whatever else is known or not
            value = condition(walk)
            if value is violated:
                return True
            if value.__class__ is Unknown:
                walk.undecided(question, value.missing)
                return False
        return False

    def _check_invariants(self, walk: Walk) -> None:
        recommended = walk.recommended
        for invariant, condition, violated, question, trigger in self.invariants:
            if trigger is not None and trigger not in recommended:
                continue  # holds, whatever else is known or not
            value = condition(walk)
            if value is violated:
                raise SafetyViolation(invariant.name, invariant.title, tuple(walk.nodes), tuple(walk.edges))
            if value.__class__ is Unknown:
                walk.undecided(question, value.missing)
                return


_NO_OUTPUTS: Mapping[str, OutputValue] = MappingProxyType({})
_new_walk = object.__new__
NO_TRACE = new_trace((), (), ())
"""The trace of a result evaluated with ``trace=False``: no nodes, no edges, no guards (a
recorded trace always starts with the pseudo-node ``start``)."""


def _trigger(invariant: Invariant) -> str | None:
    """An intervention without whose recommendation the invariant holds, whatever the facts.

    ``never (X recommended and ...)`` is false, and ``always (not (X recommended and ...)
    or ...)`` true, when X is not recommended, even if other operands are unknown (Kleene:
    false and unknown is false). Checking for X first spares evaluating the condition.
    """
    if invariant.kind == "never":
        return _false_unless_recommended(invariant.condition)
    return _true_unless_recommended(invariant.condition)


def _false_unless_recommended(expr: ex.Expression) -> str | None:
    if isinstance(expr, ex.PlanQuery) and expr.state == "recommended":
        return expr.subject
    if isinstance(expr, ex.Conjunction):
        for operand in expr.operands:
            found = _false_unless_recommended(operand)
            if found is not None:
                return found
    return None


def _true_unless_recommended(expr: ex.Expression) -> str | None:
    if isinstance(expr, ex.Negation):
        return _false_unless_recommended(expr.operand)
    if isinstance(expr, ex.Disjunction):
        for operand in expr.operands:
            found = _true_unless_recommended(operand)
            if found is not None:
                return found
    return None


def _boolean_input(guard: ex.Expression | None, inputs: Mapping[str, ValueType]) -> str | None:
    """The name of the boolean input that ``guard`` is, if it is one: the lean walk reads
    it inline (true, false, or absent: unknown), as the guard's closure would."""
    if isinstance(guard, ex.InputReference) and isinstance(inputs.get(guard.name), BooleanType):
        return guard.name
    return None


def _required_recommendation(guard: ex.Expression | None) -> str | None:
    """X when ``guard`` is ``X is recommended and ...``: false whenever X is not recommended
    (a plan query is never unknown, and false and anything is false)."""
    if isinstance(guard, ex.Conjunction) and guard.operands:
        first = guard.operands[0]
        if isinstance(first, ex.PlanQuery) and first.state == "recommended" and first.subject is not None:
            return first.subject
    return None


def _name(invariant: Invariant) -> str:
    return f"{invariant.name} ({invariant.title})" if invariant.title else invariant.name


def _plain(value: Any) -> OutputValue:
    return value  # type: ignore[no-any-return]


def _set_converter(members: tuple[str, ...]) -> Callable[[Any], OutputValue]:
    def in_declaration_order(value: Any) -> OutputValue:
        return tuple(member for member in members if member in value)

    return in_declaration_order
