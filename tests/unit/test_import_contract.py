"""The gait core is pure numpy: it must not import Qt, cv2 or mediapipe."""

import subprocess
import sys


def test_gait_imports_no_qt_cv2_mediapipe():
    code = (
        "import sys, importlib, pkgutil, app.gait as g\n"
        "for m in pkgutil.walk_packages(g.__path__, 'app.gait.'):\n"
        "    importlib.import_module(m.name)\n"
        "bad = [n for n in sys.modules if n.split('.')[0] in "
        "('PySide6', 'cv2', 'mediapipe', 'pyqtgraph', 'sounddevice', 'av')]\n"
        "print(','.join(bad)); sys.exit(1 if bad else 0)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, f"app.gait imported: {r.stdout} {r.stderr}"


def test_nothing_imports_ui():
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[2] / "app"
    offenders = []
    for path in root.rglob("*.py"):
        if "ui" in path.relative_to(root).parts[:1]:
            continue
        text = path.read_text(encoding="utf-8")
        if "from app.ui" in text or "import app.ui" in text:
            if path.name != "__main__.py":
                offenders.append(str(path))
    assert not offenders, offenders


def _import_graph(package: str) -> dict[str, set[str]]:
    """Module -> the modules of ``package`` it imports (every import statement, lazy ones
    inside functions too)."""
    import ast
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[2]
    mods: dict[str, pathlib.Path] = {}
    for path in (root / package.replace(".", "/")).rglob("*.py"):
        name = ".".join(path.relative_to(root).with_suffix("").parts)
        mods[name.removesuffix(".__init__")] = path
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for m, path in mods.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                continue
            graph[m].update(t for t in targets if t in mods and t != m)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    return out


def test_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles_in_ui():
    """app.ui's modules never import each other in a circle (lazy imports included): a
    link reaches its window through a small host interface (app.ui.feedback.host)."""
    assert _cycles(_import_graph("app.ui")) == []


def test_no_import_cycles_in_app():
    """No circle anywhere in app (e.g. capture: the sources and the capture thread share
    their frame types through the leaf app.capture.frames)."""
    assert _cycles(_import_graph("app")) == []


def test_ui_modules_under_600_lines():
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[2] / "app" / "ui"
    long = {str(p.relative_to(root)): n for p in root.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) >= 600}
    assert not long, long
