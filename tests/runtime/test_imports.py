"""The runtime is standard library only: it never imports the toolchain's dependencies."""

import ast
import subprocess
import sys
from pathlib import Path

import fibrolang

FORBIDDEN = ("lark", "click", "graphviz", "z3", "compiler")
PACKAGE = Path(fibrolang.__file__).parent


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_no_module_of_the_runtime_imports_a_toolchain_dependency() -> None:
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) > 10
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(_imported_roots(path) & set(FORBIDDEN)) for path in files
    }
    assert {name: roots for name, roots in offenders.items() if roots} == {}


# Optional extras: each subpackage with the third-party packages its extra installs.
EXTRAS = {"fhir": {"fhirpathpy"}}


def _core_files() -> list[Path]:
    return [p for p in PACKAGE.rglob("*.py") if p.relative_to(PACKAGE).parts[0] not in EXTRAS]


def test_every_import_of_the_runtime_is_standard_library_or_fibrolang() -> None:
    allowed = set(sys.stdlib_module_names) | {"fibrolang"}
    found = set().union(*(_imported_roots(path) for path in _core_files()))
    assert found - allowed == set()


def _imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def test_the_core_never_imports_an_extra_and_extras_import_only_their_own_packages() -> None:
    core = set().union(*(_imported_modules(path) for path in _core_files()))
    assert {m for m in core if m.split(".")[:2] in (["fibrolang", e] for e in EXTRAS)} == set()
    for extra, packages in EXTRAS.items():
        files = sorted((PACKAGE / extra).rglob("*.py"))
        assert files, extra
        found = set().union(*(_imported_roots(path) for path in files))
        assert found - set(sys.stdlib_module_names) - {"fibrolang"} - packages == set(), extra


def test_the_runtime_loads_and_evaluates_with_the_toolchain_blocked() -> None:
    script = f"""
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {FORBIDDEN!r}:
            raise ImportError("blocked: " + name)
        return None
sys.meta_path.insert(0, Block())
for name in {FORBIDDEN!r}:
    sys.modules.pop(name, None)
sys.path.insert(0, {str(Path(__file__).parent)!r})
import fibrolang, graphs
guideline = fibrolang.load(graphs.tour_graph())
result = guideline.evaluate({{"age": 50, "egfr": 90, "chronic_liver_disease": False, "medications": {{}}}})
guideline.explain(result)
loaded = sorted(m for m in sys.modules if m.split(".")[0] in {FORBIDDEN!r})
print(result.status, loaded)
"""
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "ok []"


def _in_a_fresh_interpreter(program: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_a_small_module_of_the_runtime_loads_without_the_rest() -> None:
    """``fibrolang/__init__.py`` resolves its names on first use: the toolchain's check path
    (``fibrolang.invisible``) does not pay for the evaluator."""
    loaded = _in_a_fresh_interpreter(
        "import sys, fibrolang.invisible\nprint(sorted(m for m in sys.modules if m.startswith('fibrolang.')))"
    )
    assert "fibrolang.program" not in loaded and "fibrolang.load" not in loaded


def test_every_public_name_resolves_and_load_stays_the_function() -> None:
    """Importing the submodule ``fibrolang.load`` first must not shadow ``fibrolang.load``."""
    shown = _in_a_fresh_interpreter(
        "from fibrolang.load import Guideline\n"
        "import fibrolang\n"
        "print(callable(fibrolang.load), type(fibrolang.load).__name__, fibrolang.Guideline is Guideline)\n"
        "print(all(getattr(fibrolang, name) is not None for name in fibrolang.__all__))"
    )
    assert shown.splitlines() == ["True function True", "True"]
    assert set(fibrolang.__all__) <= set(dir(fibrolang))
