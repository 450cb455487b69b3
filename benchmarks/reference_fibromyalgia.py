"""guidelines/fibromyalgia.fibro written by hand in plain Python: the benchmark's yardstick.

``evaluate_fibromyalgia(patient)`` is what a competent developer would write
for production if there were no fibrolang: one module, no graph, no
interpreter, the pathway as ``if`` statements.

What it does, like the runtime (``fibrolang.load(graph).evaluate(patient)``):

- **Validates** the record and rejects an invalid one with ``ValueError``:
  unknown fields (top level and in medication trials), wrong JSON types
  (``true`` is not a number, a number is not a boolean), non-integral ages
  and pain scores (``18.0`` is accepted as ``18``), NaN and infinities,
  values outside the declared ranges, strings that are not members of the
  enumerations (comorbidities, medication names, responses), and quantities
  ``{"value": .., "unit": ..}`` whose unit is not exactly the declared one.
  ``null`` means absent, at every level. It normalises what it reads (plain
  numbers, frozensets, dicts) before deciding anything.
- **Missing data, exactly**: an absent fact is unknown and the logic is
  Kleene's three-valued logic, with the same rules as docs/graph-format.md
  ("Missing data"): ``false and unknown`` is false, ``count of`` is unknown
  when any operand is, ``any`` is true as soon as one member holds, and an
  unknown value carries the dotted paths of the facts it read (``medications``,
  ``medications.duloxetine.weeks``). The first undecided guard on the path
  ends the evaluation with ``insufficient_data`` and the sorted ``missing``
  facts the runtime reports.
- **The same answer**: ``status``, ``missing``, and for ``ok`` results the
  recommendations in path order as ``(intervention, action, dose, titration)``
  tuples (dose ``(min, max, unit, frequency)``, titration ``(step, every,
  every_unit, target, unit)``), the avoid ids, flag ids and monitoring ids in
  path order, and ``outputs`` (the guideline declares none: ``{}``).
  Identical entries on one path are kept once, as the runtime does.
- **The safety rules** (the guideline's fourteen invariants) are checked on
  every ``ok`` plan; a broken one raises ``SafetyRuleBroken``.

What it does not do, unlike the runtime:

- no trace (nodes, edges, guard outcomes), no ``why`` reasons, no citations,
  quotes, notes, labels or evidence in the recommendations, no ``message``;
- no frozen result objects: it returns a plain dict of lists and tuples
  (built from module-level constants, so a recommendation costs an append);
- one ``ValueError`` naming the first problem found, not every problem with
  a did-you-mean; it accepts only ``dict`` records, ``list`` sets and ``dict``
  maps (the runtime also takes other mappings, tuples and sets);
- the invariants are written for this pathway: with two-valued logic where
  the path guarantees the facts they read are known (checked by the
  differential test, tests/runtime/test_reference_fibromyalgia.py);
- it is this one guideline: change the ``.fibro`` file and it is wrong.
"""

from __future__ import annotations

import math
from typing import Any

# ---- the data contract ---------------------------------------------------------

AGENTS = frozenset(
    (
        "duloxetine",
        "milnacipran",
        "amitriptyline",
        "pregabalin",
        "tramadol",
        "paracetamol",
        "low_dose_naltrexone",
        "tropisetron",
        "pramipexole",
        "strong_opioid",
        "corticosteroid",
        "nsaid",
    )
)
RESPONSES = frozenset(("adequate", "inadequate", "not_tolerated", "unknown"))
COMORBIDITIES = frozenset(("back_pain", "hypertension", "headache"))
BOOLEANS = frozenset(("chronic_liver_disease", "depression", "sleep_disturbance", "fatigue", "ecg_done"))
# name: (minimum, maximum, unit, integral)
NUMBERS = {
    "age": (0, 130, "years", True),
    "egfr": (0, 250, "mL/min/1.73m2", False),
    "pain_score": (0, 10, "points", True),
}
TRIAL_NUMBERS = {
    "daily_dose_mg": (0, 10000, "mg/day", False),
    "weeks": (0, 5200, "weeks", False),
}
MINIMUM_TRIAL_WEEKS = 4


class SafetyRuleBroken(RuntimeError):
    """A plan broke one of the guideline's safety rules (the runtime's SafetyViolation)."""


def _number(value: Any, name: str, spec: tuple[float, float, str, bool], agent: str = "") -> Any:
    """The number (a plain number or a quantity in the declared unit), checked."""
    minimum, maximum, unit, integral = spec
    cls = value.__class__
    if cls is int and minimum <= value <= maximum:
        return value  # the common case first
    if cls is dict:
        if len(value) != 2 or value.get("unit") != unit or "value" not in value:
            raise ValueError(f"{_where(name, agent)}: a quantity is {{'value': <number>, 'unit': {unit!r}}}")
        value = value["value"]
        cls = value.__class__
    if cls is float:
        if not math.isfinite(value):
            raise ValueError(f"{_where(name, agent)}: not a finite number")
        if integral:
            if not value.is_integer():
                raise ValueError(f"{_where(name, agent)}: not an integer")
            value = int(value)
    elif cls is not int:
        raise ValueError(f"{_where(name, agent)}: not a number")
    if value < minimum or value > maximum:
        raise ValueError(f"{_where(name, agent)}: {value} outside {minimum} to {maximum} {unit}")
    return value


def _where(name: str, agent: str) -> str:
    return f"medications.{agent}.{name}" if agent else name


def _trial(agent: str, trial: Any) -> dict[str, Any]:
    if trial.__class__ is not dict:
        raise ValueError(f"medications.{agent}: not an object")
    checked: dict[str, Any] = {}
    for name, value in trial.items():
        if value is None:
            if name not in TRIAL_NUMBERS and name != "response" and name != "ongoing":
                raise ValueError(f"medications.{agent}: unknown field {name!r}")
            continue
        spec = TRIAL_NUMBERS.get(name)
        if spec is not None:
            checked[name] = _number(value, name, spec, agent)
        elif name == "response":
            if value.__class__ is not str or value not in RESPONSES:
                raise ValueError(f"medications.{agent}.response: not a response")
            checked[name] = value
        elif name == "ongoing":
            if value is not True and value is not False:
                raise ValueError(f"medications.{agent}.ongoing: not true or false")
            checked[name] = value
        else:
            raise ValueError(f"medications.{agent}: unknown field {name!r}")
    return checked


def validate(patient: Any) -> dict[str, Any]:
    """The normalised record (absent and null fields left out), or ``ValueError``."""
    if patient.__class__ is not dict:
        raise ValueError("a patient record is an object")
    checked: dict[str, Any] = {}
    for name, value in patient.items():
        spec = NUMBERS.get(name)
        if value is None:
            if spec is None and name not in BOOLEANS and name != "comorbidities" and name != "medications":
                raise ValueError(f"unknown field {name!r}")
            continue
        if spec is not None:
            checked[name] = _number(value, name, spec)
        elif name in BOOLEANS:
            if value is not True and value is not False:
                raise ValueError(f"{name}: not true or false")
            checked[name] = value
        elif name == "comorbidities":
            if value.__class__ is not list:
                raise ValueError("comorbidities: not a list")
            for member in value:
                if member.__class__ is not str or member not in COMORBIDITIES:
                    raise ValueError(f"comorbidities: {member!r} is not a comorbidity")
            checked[name] = frozenset(value)
        elif name == "medications":
            if value.__class__ is not dict:
                raise ValueError("medications: not an object")
            trials = {}
            for agent, trial in value.items():
                if agent not in AGENTS:
                    raise ValueError(f"medications: {agent!r} is not a medication")
                if trial is not None:
                    trials[agent] = _trial(agent, trial)
            checked[name] = trials
        else:
            raise ValueError(f"unknown field {name!r}")
    return checked


# ---- three-valued logic ----------------------------------------------------------
#
# A known fact is a plain value. An unknown one is a frozenset of the dotted
# paths of the absent facts it depends on (never empty), so `x is True` /
# `x is False` tell a known boolean apart from an unknown.


def _and(*operands: Any) -> Any:
    missing = None
    for value in operands:
        if value is False:
            return False
        if value is not True:
            missing = value if missing is None else missing | value
    return True if missing is None else missing


def _or(*operands: Any) -> Any:
    missing = None
    for value in operands:
        if value is True:
            return True
        if value is not False:
            missing = value if missing is None else missing | value
    return False if missing is None else missing


def _not(value: Any) -> Any:
    if value is True:
        return False
    if value is False:
        return True
    return value


_MEDICATIONS = frozenset(("medications",))
_FIELDS = ("ongoing", "response", "weeks", "daily_dose_mg")
# The unknown value of each field of each trial: {agent: (ongoing, response, weeks, dose)}.
_ABSENT = {
    agent: tuple(frozenset((f"medications.{agent}.{field}",)) for field in _FIELDS) for agent in AGENTS
}


class Agent:
    """What the record says about one medication: taken now, failed, dose to optimise."""

    __slots__ = (
        "adequate",
        "available",
        "dose",
        "failed",
        "inadequate",
        "keep",
        "not_tolerated",
        "on",
        "optimisable",
        "response",
        "short",
        "unknown",
        "weeks_adequate",
    )

    def __init__(self, medications: dict[str, Any] | None, agent: str, ceiling: float) -> None:
        absent = _ABSENT[agent]
        if medications is None:
            present: Any = _MEDICATIONS
            ongoing, response, weeks, dose = absent
        else:
            trial = medications.get(agent)
            if trial is None:  # not in medications: every guard below is false
                self.on = self.failed = self.optimisable = self.keep = False
                self.available = True
                self.response, self.dose = absent[1], absent[3]
                self.adequate = self.inadequate = self.not_tolerated = self.unknown = False
                self.short = self.weeks_adequate = False
                return
            present = True
            get = trial.get
            ongoing = get("ongoing", absent[0])
            response = get("response", absent[1])
            weeks = get("weeks", absent[2])
            dose = get("daily_dose_mg", absent[3])
        if response.__class__ is frozenset:
            not_tolerated = inadequate = response
            self.adequate = self.unknown = response
        else:
            not_tolerated = response == "not_tolerated"
            inadequate = response == "inadequate"
            self.adequate = response == "adequate"
            self.unknown = response == "unknown"
        self.response = response
        self.dose = dose
        self.not_tolerated = not_tolerated
        self.inadequate = inadequate
        adequate = weeks if weeks.__class__ is frozenset else weeks >= MINIMUM_TRIAL_WEEKS
        self.weeks_adequate = adequate
        self.short = _not(adequate)
        at_ceiling = dose if dose.__class__ is frozenset else dose >= ceiling
        below = dose if dose.__class__ is frozenset else dose < ceiling
        self.on = on = _and(present, ongoing)
        self.failed = failed = _and(
            present, _or(not_tolerated, _and(inadequate, adequate, _or(_not(ongoing), at_ceiling)))
        )
        self.optimisable = optimisable = _and(on, inadequate, adequate, below)
        self.keep = _and(on, _not(failed), _not(optimisable))
        self.available = _not(failed)


def _field(medications: dict[str, Any] | None, agent: str, index: int) -> Any:
    """A field of a trial the path knows is there (or the unknown of its path)."""
    absent = _ABSENT[agent][index]
    if medications is None:
        return absent
    trial = medications.get(agent)
    return absent if trial is None else trial.get(_FIELDS[index], absent)


class Adjunct:
    """Tramadol, paracetamol, tropisetron, pramipexole: taken now, failed (no dose rule)."""

    __slots__ = ("failed", "inadequate", "not_tolerated", "on")

    def __init__(self, medications: dict[str, Any] | None, agent: str) -> None:
        absent = _ABSENT[agent]
        if medications is None:
            present: Any = _MEDICATIONS
            ongoing, response, weeks, _dose = absent
        else:
            trial = medications.get(agent)
            if trial is None:
                self.on = self.failed = self.inadequate = self.not_tolerated = False
                return
            present = True
            ongoing = trial.get("ongoing", absent[0])
            response = trial.get("response", absent[1])
            weeks = trial.get("weeks", absent[2])
        if response.__class__ is frozenset:
            not_tolerated = inadequate = response
        else:
            not_tolerated = response == "not_tolerated"
            inadequate = response == "inadequate"
        adequate = weeks if weeks.__class__ is frozenset else weeks >= MINIMUM_TRIAL_WEEKS
        self.on = _and(present, ongoing)
        self.failed = _and(present, _or(not_tolerated, _and(inadequate, adequate)))
        self.not_tolerated = not_tolerated
        self.inadequate = inadequate


def _compare(value: Any, holds: Any) -> Any:
    """``holds(value)`` for a known number, else the unknown itself."""
    return value if value.__class__ is frozenset else holds(value)


def _response_not_evaluated(medications: dict[str, Any] | None) -> Any:
    """``any a in first_line where a taken now, response unknown, for 4 weeks or more``."""
    missing = None
    for agent in ("duloxetine", "milnacipran", "amitriptyline", "pregabalin"):
        absent = _ABSENT[agent]
        if medications is None:
            present: Any = _MEDICATIONS
            ongoing, response, weeks, _dose = absent
        else:
            trial = medications.get(agent)
            if trial is None:
                continue
            present = True
            ongoing = trial.get("ongoing", absent[0])
            response = trial.get("response", absent[1])
            weeks = trial.get("weeks", absent[2])
        value = _and(
            present,
            ongoing,
            response if response.__class__ is frozenset else response == "unknown",
            weeks if weeks.__class__ is frozenset else weeks >= MINIMUM_TRIAL_WEEKS,
        )
        if value is True:
            return True
        if value is not False:
            missing = value if missing is None else missing | value
    return False if missing is None else missing


def _known(value: Any, name: str) -> Any:
    """An input's value, or the unknown naming it."""
    return frozenset((name,)) if value is None else value


# ---- the plan --------------------------------------------------------------------

_ONCE_DAILY = (60, 60, "mg/day", "once daily")
_MILNACIPRAN_100 = (100, 100, "mg/day", "divided doses")
_AMITRIPTYLINE_50 = (50, 50, "mg/day", None)
_AMITRIPTYLINE_10_50 = (10, 50, "mg/day", None)
_PREGABALIN_300_450 = (300, 450, "mg/day", "divided doses")
_PREGABALIN_450 = (450, 450, "mg/day", "divided doses")
_NALTREXONE_DOSE = (1.5, 1.5, "mg/day", "at bedtime")
_NALTREXONE_TITRATION = (1.5, 2, "weeks", 4.5, "mg/day")

BASELINE_RECOMMENDATIONS = (
    ("heated_pool_therapy", "recommend", None, None),
    ("exercise", "recommend", None, None),
    ("aerobic_exercise", "recommend", None, None),
    ("strength_training", "recommend", None, None),
    ("cbt", "recommend", None, None),
    ("relaxation_techniques", "consider", None, None),
    ("physical_therapy", "consider", None, None),
    ("rehabilitation_programs", "consider", None, None),
    ("paracetamol", "consider", None, None),
)
BASELINE_AVOID = ("strong_opioid", "corticosteroid", "nsaid")
BASELINE_FLAGS = ("assess_features", "screen_comorbidities")
BASELINE_MONITORING = ("treatment_response", "regular_reassessment")


def _r(
    intervention: str,
    action: str,
    dose: tuple[Any, ...] | None = None,
    titration: tuple[Any, ...] | None = None,
) -> tuple[Any, ...]:
    return (intervention, action, dose, titration)


CONTINUE = {agent: _r(agent, "continue") for agent in AGENTS}
ADJUNCTS = ("tramadol", "paracetamol", "tropisetron", "pramipexole")
# the agents that can fail, with the dose ceiling a failure needs (0: none)
FAILABLE = {
    "duloxetine": 60,
    "milnacipran": 100,
    "amitriptyline": 50,
    "pregabalin": 450,
    "low_dose_naltrexone": 4.5,
    **{agent: 0 for agent in ADJUNCTS},
}
# the top of the source's range of each first-line agent, and the decrease to it
TOP_OF_RANGE = {"duloxetine": 60, "milnacipran": 200, "amitriptyline": 50, "pregabalin": 450}
DECREASE = {
    "duloxetine": _r("duloxetine", "decrease", _ONCE_DAILY),
    "milnacipran": _r("milnacipran", "decrease", (200, 200, "mg/day", "divided doses")),
    "amitriptyline": _r("amitriptyline", "decrease", _AMITRIPTYLINE_50),
    "pregabalin": _r("pregabalin", "decrease", _PREGABALIN_450),
}
NALTREXONE_STEPS = (  # (the dose is below, the increase)
    (1.5, _r("low_dose_naltrexone", "increase", (1.5, 1.5, "mg/day", "at bedtime"), _NALTREXONE_TITRATION)),
    (3, _r("low_dose_naltrexone", "increase", (3, 3, "mg/day", "at bedtime"), _NALTREXONE_TITRATION)),
    (4.5, _r("low_dose_naltrexone", "increase", (4.5, 4.5, "mg/day", "at bedtime"))),
)
DECREASE_NALTREXONE = _r("low_dose_naltrexone", "decrease", (4.5, 4.5, "mg/day", "at bedtime"))
STOP = {agent: _r(agent, "stop") for agent in AGENTS}
INCREASE_DULOXETINE = _r("duloxetine", "increase", _ONCE_DAILY)
INCREASE_MILNACIPRAN = _r("milnacipran", "increase", _MILNACIPRAN_100)
INCREASE_AMITRIPTYLINE = _r("amitriptyline", "increase", _AMITRIPTYLINE_50)
INCREASE_PREGABALIN_TO_RANGE = _r("pregabalin", "increase", _PREGABALIN_300_450)
INCREASE_PREGABALIN_TO_450 = _r("pregabalin", "increase", _PREGABALIN_450)
FIRST_CHOICE = {  # step -> (start, switch)
    "duloxetine": (_r("duloxetine", "start", _ONCE_DAILY), _r("duloxetine", "switch", _ONCE_DAILY)),
    "milnacipran": (
        _r("milnacipran", "start", _MILNACIPRAN_100),
        _r("milnacipran", "switch", _MILNACIPRAN_100),
    ),
    "pregabalin": (
        _r("pregabalin", "start", _PREGABALIN_300_450),
        _r("pregabalin", "switch", _PREGABALIN_300_450),
    ),
    "amitriptyline": (
        _r("amitriptyline", "start", _AMITRIPTYLINE_10_50),
        _r("amitriptyline", "switch", _AMITRIPTYLINE_10_50),
    ),
}
ADD_TRAMADOL = _r("tramadol", "add")
ADD_DULOXETINE = _r("duloxetine", "add", _ONCE_DAILY)
ADD_MILNACIPRAN = _r("milnacipran", "add", _MILNACIPRAN_100)
ADD_AMITRIPTYLINE = _r("amitriptyline", "add", _AMITRIPTYLINE_10_50)
ADD_PREGABALIN = _r("pregabalin", "add", _PREGABALIN_300_450)
CONSIDER_TROPISETRON = _r("tropisetron", "consider")
CONSIDER_PRAMIPEXOLE = _r("pramipexole", "consider")
CONSIDER_NALTREXONE = _r("low_dose_naltrexone", "consider", _NALTREXONE_DOSE, _NALTREXONE_TITRATION)


class _Undecided(Exception):
    def __init__(self, missing: frozenset[str]) -> None:
        self.missing = missing


def _holds(value: Any) -> bool:
    """A guard on the path: true or false, or the evaluation stops for missing data."""
    if value is True:
        return True
    if value is False:
        return False
    raise _Undecided(value)


class _Plan:
    __slots__ = ("avoid", "flags", "monitoring", "recommendations", "recommended")

    def __init__(self, paracetamol: bool) -> None:
        baseline = BASELINE_RECOMMENDATIONS if paracetamol else BASELINE_RECOMMENDATIONS[:-1]
        self.recommendations = list(baseline)
        self.recommended = {item[0] for item in baseline}
        self.avoid = list(BASELINE_AVOID)
        self.flags = list(BASELINE_FLAGS)
        self.monitoring = list(BASELINE_MONITORING)

    def add(self, item: tuple[Any, ...]) -> None:
        if item in self.recommendations:
            return
        self.recommendations.append(item)
        if item[1] != "stop":
            self.recommended.add(item[0])

    def avoid_once(self, intervention: str) -> None:
        if intervention not in self.avoid:
            self.avoid.append(intervention)


def evaluate_fibromyalgia(patient: dict[str, Any]) -> dict[str, Any]:
    """The fibromyalgia pathway for one patient record (see the module docstring)."""
    inputs = validate(patient)
    try:
        return _evaluate(inputs)
    except _Undecided as undecided:
        return {
            "status": "insufficient_data",
            "missing": sorted(undecided.missing),
            "recommendations": [],
            "avoid": [],
            "flags": [],
            "monitoring": [],
            "outputs": {},
        }


def _evaluate(inputs: dict[str, Any]) -> dict[str, Any]:
    age = inputs.get("age")
    if age is None:
        raise _Undecided(frozenset(("age",)))
    if age < 18:
        return {
            "status": "not_applicable",
            "missing": [],
            "recommendations": [],
            "avoid": [],
            "flags": [],
            "monitoring": [],
            "outputs": {},
        }

    # baseline: the plan for everyone (paracetamol unless taken or failed), comorbidity flags
    medications = inputs.get("medications")
    paracetamol = Adjunct(medications, "paracetamol")
    plan = _Plan(_holds(_and(_not(paracetamol.on), _not(paracetamol.failed))))
    comorbidities = inputs.get("comorbidities")
    if comorbidities is None:
        raise _Undecided(frozenset(("comorbidities",)))
    for comorbidity in ("back_pain", "headache", "hypertension"):
        if comorbidity in comorbidities:
            plan.flags.append("comorbidity_" + comorbidity)

    # stop the avoided agents the patient is taking, with the taper cautions
    stopped = []
    for agent in BASELINE_AVOID:
        if medications is None:
            raise _Undecided(_MEDICATIONS | _ABSENT[agent][0])
        trial = medications.get(agent)
        if trial is not None:
            ongoing = trial.get("ongoing")
            if ongoing is None:
                raise _Undecided(_ABSENT[agent][0])
            if ongoing:
                plan.add(STOP[agent])
                stopped.append(agent)
    for agent in ("strong_opioid", "corticosteroid"):
        if agent in stopped:
            plan.flags.append("taper_" + agent)

    liver = _known(inputs.get("chronic_liver_disease"), "chronic_liver_disease")
    egfr = inputs.get("egfr")
    renal = frozenset(("egfr",)) if egfr is None else egfr < 30
    contraindicated = _or(liver, renal)
    duloxetine = Agent(medications, "duloxetine", 60)
    milnacipran = Agent(medications, "milnacipran", 100)
    amitriptyline = Agent(medications, "amitriptyline", 50)
    pregabalin = Agent(medications, "pregabalin", 450)
    naltrexone = Agent(medications, "low_dose_naltrexone", 4.5)
    adjuncts = {agent: Adjunct(medications, agent) for agent in ADJUNCTS}
    adjuncts["paracetamol"] = paracetamol

    # review tramadol, paracetamol and the adjuncts being taken, then low-dose naltrexone
    for agent in ADJUNCTS:
        adjunct = adjuncts[agent]
        if _holds(_and(adjunct.on, _not(adjunct.failed))):
            plan.add(CONTINUE[agent])
        if _holds(_and(adjunct.on, adjunct.failed, adjunct.not_tolerated)):
            plan.add(STOP[agent])
        if _holds(_and(adjunct.on, adjunct.failed, adjunct.inadequate)):
            plan.add(STOP[agent])
    exhausted = _and(milnacipran.failed, pregabalin.failed, _or(duloxetine.failed, contraindicated))
    if _holds(_and(naltrexone.on, naltrexone.failed, naltrexone.not_tolerated)):
        plan.add(STOP["low_dose_naltrexone"])
    if _holds(_and(naltrexone.on, naltrexone.failed, naltrexone.inadequate)):
        plan.add(STOP["low_dose_naltrexone"])
    if _holds(_and(naltrexone.on, _not(naltrexone.failed), _not(exhausted))):
        plan.flags.append("naltrexone_indication_review")
    titrating = _and(naltrexone.on, _not(naltrexone.failed), exhausted)
    if titrating is not False:
        dose = naltrexone.dose
        below = 0.0
        for step, increase in NALTREXONE_STEPS:
            at_least = _compare(dose, lambda d, below=below: d >= below)
            if _holds(_and(titrating, at_least, _compare(dose, lambda d, step=step: d < step))):
                plan.add(increase)
            below = step
        if _holds(_and(titrating, _compare(dose, lambda d: d == 4.5))):
            plan.add(CONTINUE["low_dose_naltrexone"])
        if _holds(_and(titrating, _compare(dose, lambda d: d > 4.5))):
            plan.add(DECREASE_NALTREXONE)

    on_board = _holds(_or(duloxetine.on, milnacipran.on, amitriptyline.on, pregabalin.on))
    duloxetine.keep = _and(duloxetine.keep, _not(contraindicated))
    duloxetine.available = _and(duloxetine.available, _not(contraindicated))

    to_refractory_check = True
    if on_board:  # review the first-line agents being taken
        too_early = []
        for agent, name in (
            (duloxetine, "duloxetine"),
            (milnacipran, "milnacipran"),
            (amitriptyline, "amitriptyline"),
            (pregabalin, "pregabalin"),
        ):
            top = TOP_OF_RANGE[name]
            early = _and(agent.keep, _not(agent.adequate), agent.short)
            too_early.append(early)
            if agent.keep is not False:
                in_range = _compare(agent.dose, lambda d, top=top: d <= top)
                if _holds(_and(agent.keep, in_range, agent.adequate)):
                    plan.add(CONTINUE[name])
                if _holds(_and(early, in_range)):
                    plan.add(CONTINUE[name])
                if _holds(_and(agent.keep, in_range, agent.unknown, agent.weeks_adequate)):
                    plan.add(CONTINUE[name])
                if _holds(_and(agent.keep, _compare(agent.dose, lambda d, top=top: d > top))):
                    plan.add(DECREASE[name])
            if name == "duloxetine":
                if _holds(_and(duloxetine.optimisable, _not(contraindicated))):
                    plan.add(INCREASE_DULOXETINE)
            elif name == "pregabalin":
                if pregabalin.optimisable is not False:
                    dose = pregabalin.dose
                    if _holds(_and(pregabalin.optimisable, _compare(dose, lambda d: d < 300))):
                        plan.add(INCREASE_PREGABALIN_TO_RANGE)
                    if _holds(_and(pregabalin.optimisable, _compare(dose, lambda d: d >= 300))):
                        plan.add(INCREASE_PREGABALIN_TO_450)
            elif _holds(agent.optimisable):
                plan.add(INCREASE_MILNACIPRAN if name == "milnacipran" else INCREASE_AMITRIPTYLINE)
            if _holds(_and(agent.on, agent.failed, agent.not_tolerated)):
                plan.add(STOP[name])
            if _holds(_and(agent.on, agent.failed, agent.inadequate)):
                plan.add(STOP[name])
            if name == "duloxetine":
                if _holds(_and(duloxetine.on, _not(duloxetine.failed), contraindicated)):
                    plan.add(STOP["duloxetine"])
                if _holds(_and(duloxetine.on, contraindicated)):
                    plan.avoid_once("duloxetine")
        if _holds(_response_not_evaluated(medications)):
            plan.flags.append("evaluate_response_now")
        if _holds(_or(*too_early)):
            plan.flags.append("trial_too_short")
        recommended = plan.recommended
        to_refractory_check = not (
            "duloxetine" in recommended
            or "milnacipran" in recommended
            or "amitriptyline" in recommended
            or "pregabalin" in recommended
        )

    if to_refractory_check:
        failures = (duloxetine.failed, milnacipran.failed, amitriptyline.failed, pregabalin.failed)
        missing = None
        for failed in failures:
            if failed.__class__ is frozenset:
                missing = failed if missing is None else missing | failed
        if missing is not None:
            raise _Undecided(missing)
        if failures.count(True) >= 2:
            _combination(
                plan, inputs, medications, contraindicated, duloxetine, milnacipran, amitriptyline, pregabalin
            )
        else:
            _first_choice(plan, inputs, on_board, contraindicated, duloxetine, milnacipran, pregabalin)
    return _safety(plan, inputs, age, contraindicated, duloxetine, milnacipran, pregabalin)


def _first_choice(
    plan: _Plan,
    inputs: dict[str, Any],
    on_board: bool,
    contraindicated: Any,
    duloxetine: Agent,
    milnacipran: Agent,
    pregabalin: Agent,
) -> None:
    """symptom_profile, sleep_choice, duloxetine_check, alternative, start_<agent>."""
    sleep = _known(inputs.get("sleep_disturbance"), "sleep_disturbance")
    if _holds(_known(inputs.get("depression"), "depression")):
        choice = "duloxetine"
    elif _holds(sleep):
        choice = "pregabalin" if _holds(pregabalin.available) else "amitriptyline"
    else:
        _holds(_known(inputs.get("fatigue"), "fatigue"))  # either way: duloxetine_check
        choice = "duloxetine"
    if choice == "duloxetine":
        if _holds(duloxetine.failed):
            plan.flags.append("duloxetine_failed_first_choice")
            choice = ""
        elif _holds(contraindicated):
            plan.avoid_once("duloxetine")
            plan.flags.append("duloxetine_contraindicated_first_choice")
            choice = ""
        if not choice:  # alternative
            if _holds(_and(sleep, pregabalin.available)):
                choice = "pregabalin"
            elif _holds(sleep):
                choice = "amitriptyline"
            elif _holds(milnacipran.available):
                choice = "milnacipran"
            else:
                choice = "pregabalin"
    start, switch = FIRST_CHOICE[choice]
    plan.add(switch if on_board else start)
    if choice != "duloxetine":  # the features are known on every path to these steps
        if inputs["depression"]:
            plan.flags.append("depression_not_covered")
        elif choice == "pregabalin" and not inputs["sleep_disturbance"] and inputs["fatigue"]:
            plan.flags.append("fatigue_not_covered")


def _combination(
    plan: _Plan,
    inputs: dict[str, Any],
    medications: dict[str, Any] | None,
    contraindicated: Any,
    duloxetine: Agent,
    milnacipran: Agent,
    amitriptyline: Agent,
    pregabalin: Agent,
) -> None:
    """combination, naltrexone_check, naltrexone."""
    plan.flags.append("refractory_case")
    adjuncts = {agent: Adjunct(medications, agent) for agent in ("tramadol", "tropisetron", "pramipexole")}
    tramadol = adjuncts["tramadol"]
    if _holds(_and(_not(tramadol.on), _not(tramadol.failed))):
        plan.add(ADD_TRAMADOL)
    if _holds(duloxetine.available):
        plan.add(ADD_DULOXETINE)
    elif "duloxetine" not in plan.avoid and _holds(_and(_not(duloxetine.failed), contraindicated)):
        plan.avoid_once("duloxetine")
    if duloxetine.available is True:
        pass
    elif _holds(milnacipran.available):
        plan.add(ADD_MILNACIPRAN)
    elif _holds(amitriptyline.available):
        plan.add(ADD_AMITRIPTYLINE)
    if _holds(pregabalin.available):
        plan.add(ADD_PREGABALIN)
    for agent, consider in (("tropisetron", CONSIDER_TROPISETRON), ("pramipexole", CONSIDER_PRAMIPEXOLE)):
        if _holds(_and(_not(adjuncts[agent].on), _not(adjuncts[agent].failed))):
            plan.add(consider)
    if _holds(_and(milnacipran.failed, pregabalin.failed, _or(duloxetine.failed, contraindicated))):
        naltrexone = Agent(medications, "low_dose_naltrexone", 4.5)
        if _holds(_and(_not(naltrexone.on), _not(naltrexone.failed))):
            plan.add(CONSIDER_NALTREXONE)


def _safety(
    plan: _Plan,
    inputs: dict[str, Any],
    age: int,
    contraindicated: Any,
    duloxetine: Agent,
    milnacipran: Agent,
    pregabalin: Agent,
) -> dict[str, Any]:
    """safety, side_effects, then the guideline's safety rules on the finished plan."""
    recommended = plan.recommended
    flags = plan.flags
    amitriptyline = "amitriptyline" in recommended
    ecg_done = inputs.get("ecg_done")
    if amitriptyline and age >= 40:
        if ecg_done is None:
            raise _Undecided(frozenset(("ecg_done",)))
        if not ecg_done:
            flags.append("ecg_before_tca")
    if amitriptyline and age >= 65:
        flags.append("amitriptyline_elderly_caution")
    monitoring = plan.monitoring
    if "pregabalin" in recommended:
        monitoring.append("pregabalin_side_effects")
    if "duloxetine" in recommended:
        monitoring.append("duloxetine_side_effects")
    if amitriptyline:
        monitoring.append("amitriptyline_anticholinergic_effects")

    # The safety rules. On this pathway every fact they read is known when they are
    # reached (the guards that put the drugs in the plan read them first).
    if "duloxetine" in recommended and contraindicated is not False:
        raise SafetyRuleBroken("no_duloxetine_liver_or_renal")
    if "strong_opioid" in recommended:
        raise SafetyRuleBroken("no_strong_opioid")
    if "corticosteroid" in recommended:
        raise SafetyRuleBroken("no_corticosteroid")
    if "nsaid" in recommended:
        raise SafetyRuleBroken("no_nsaid")
    avoid = plan.avoid
    if recommended and not ("strong_opioid" in avoid and "corticosteroid" in avoid and "nsaid" in avoid):
        raise SafetyRuleBroken("avoid_list_in_every_plan")
    if "low_dose_naltrexone" in recommended:
        if _or(duloxetine.failed, milnacipran.failed, pregabalin.failed) is not True:
            raise SafetyRuleBroken("no_naltrexone_before_fda_failure")
        if _and(milnacipran.failed, pregabalin.failed, _or(duloxetine.failed, contraindicated)) is not True:
            raise SafetyRuleBroken("naltrexone_only_when_fda_exhausted")
    if recommended and not (
        "exercise" in recommended and "cbt" in recommended and "heated_pool_therapy" in recommended
    ):
        raise SafetyRuleBroken("non_pharmacological_in_every_plan")
    for intervention, action, dose, titration in plan.recommendations:
        if (
            intervention == "pregabalin"
            and action != "stop"
            and ((dose is not None and dose[1] > 450) or (titration is not None and titration[3] > 450))
        ):
            raise SafetyRuleBroken("pregabalin_ceiling")
    doses: dict[str, float] = {}
    for intervention, _action, dose, titration in plan.recommendations:
        for bound in (dose[1] if dose else None, titration[3] if titration else None):
            if bound is not None and bound > doses.get(intervention, 0):
                doses[intervention] = bound
    if (
        doses.get("duloxetine", 0) > 60
        or doses.get("milnacipran", 0) > 200
        or doses.get("amitriptyline", 0) > 50
        or doses.get("low_dose_naltrexone", 0) > 4.5
    ):
        raise SafetyRuleBroken("dose_ceilings")
    medications = inputs.get("medications") or {}
    for agent, low, high in (
        ("duloxetine", 60, 60),
        ("milnacipran", 100, 200),
        ("amitriptyline", 10, 50),
        ("pregabalin", 300, 450),
        ("low_dose_naltrexone", 4.5, 4.5),
    ):
        trial = medications.get(agent)
        if (
            agent in recommended
            and trial is not None
            and trial.get("ongoing")
            and trial.get("daily_dose_mg", 0) > high
            and not low <= doses.get(agent, 0) <= high
        ):
            raise SafetyRuleBroken("no_continuing_above_range")
    for agent in recommended & FAILABLE.keys():
        ceiling = FAILABLE[agent]
        failed = Agent(medications, agent, ceiling).failed if ceiling else Adjunct(medications, agent).failed
        if failed is True:
            raise SafetyRuleBroken("no_failed_agent_prescribed")
    if amitriptyline and age >= 40 and ecg_done is not True and "ecg_before_tca" not in flags:
        raise SafetyRuleBroken("ecg_before_tricyclic")
    if recommended and age < 18:
        raise SafetyRuleBroken("adults_only")
    return {
        "status": "ok",
        "missing": [],
        "recommendations": plan.recommendations,
        "avoid": avoid,
        "flags": flags,
        "monitoring": monitoring,
        "outputs": {},
    }
