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
    offenders = {str(path.relative_to(PACKAGE)): sorted(_imported_roots(path) & set(FORBIDDEN))
                 for path in files}
    assert {name: roots for name, roots in offenders.items() if roots} == {}


def test_every_import_of_the_runtime_is_standard_library_or_fibrolang() -> None:
    allowed = set(sys.stdlib_module_names) | {"fibrolang"}
    found = set().union(*(_imported_roots(path) for path in PACKAGE.rglob("*.py")))
    assert found - allowed == set()


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
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                               check=False)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "ok []"
