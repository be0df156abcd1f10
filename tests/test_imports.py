"""The package's import structure: no import cycles between modules, and no
module importing one of a higher layer (LAYERS, low to high).

How imports are read (with `ast`, nothing is imported):

- every `import` and `from ... import` statement anywhere in a module, also
  inside functions and classes, and `importlib.import_module("literal")`;
  the body of `if TYPE_CHECKING:` (or `typing.TYPE_CHECKING`) is skipped,
  its `else:` branch is not;
- relative imports are resolved against the module's package;
- `from gongwen.x import y` counts as importing gongwen.x.y when y is a
  submodule (a file or package gongwen/x/y), else as importing gongwen.x;
  `import gongwen.x.y` counts as importing gongwen.x.y only;
- importing a module does not count as importing the packages above it,
  although Python runs their __init__ first. So a package whose submodule
  does `from pkg import name` (a name defined in pkg/__init__.py) makes a
  cycle pkg -> pkg.sub -> pkg only when pkg/__init__.py itself imports
  pkg.sub (re-exports from it); a package __init__ that re-exports from its
  submodules is not, by itself, a cycle with every sibling import.

Layers: a module belongs to the layer of the longest entry that is its name
or a package above it; the entry "gongwen" (the package's __init__) covers
that one module only, not the whole package. A module covered by no entry
is reported as "not in any layer". Importing a module of a higher layer is
an error; the same or a lower layer is fine.

Every violation is listed in the failure message. Known violations in code
other developers are still moving are in ALLOWED, each with why and who
removes it; an ALLOWED entry that no longer happens fails too, so the list
only shrinks.
"""

from __future__ import annotations

import ast
from pathlib import Path

from gongwen import ROOT

PACKAGE = "gongwen"

LAYERS = [
    ["gongwen", "gongwen.errors", "gongwen.safeyaml", "gongwen.schema_errors", "gongwen.stablezip", "gongwen.caches",
     "gongwen.filenames", "gongwen.procmem"],
    ["gongwen.notice"],
    ["gongwen.layout"],  # layout model
    ["gongwen.writers"],
    ["gongwen.check"],  # format checker: reads DOCX/PDF, measures layouts
    ["gongwen.importer"],  # DOCX drafts -> notice sources (uses the checker's reader)
    ["gongwen.campaign"],
    ["gongwen.documents"],
    ["gongwen.archive"],
    ["gongwen.build"],  # build library
    ["gongwen.cli", "gongwen.web", "gongwen.bench"],
]

# Known violations, each with the reason and who removes it (none today). Kinds:
#   ("unlayered", module)                 the module is in no layer
#   ("upward", importer, imported)        an import of a higher layer
#   ("cycle", (module, module, ...))      the modules of one cycle, sorted
ALLOWED: dict[tuple, str] = {}


# -- reading the imports --------------------------------------------------------------


def find_modules(root: Path, package: str = PACKAGE) -> dict[str, Path]:
    """Dotted name -> file of every module of the package (a package is its
    __init__.py; a folder without one, a namespace package, has no file)."""
    base = root / package
    modules = {}
    for path in sorted(base.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _statements(tree: ast.AST):
    """Every import statement and import_module call, outside `if TYPE_CHECKING:` bodies."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str) and (
                    (isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
                    or (isinstance(node.func, ast.Name) and node.func.id == "import_module")):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def _resolve(name: str, modules: dict[str, Path], packages: set[str]) -> str | None:
    """The module of the package a dotted name imports (the longest known
    prefix), None outside the package."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules or candidate in packages:
            return candidate
        parts.pop()
    return None


def imports_of(module: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The package's modules `module` imports (see the module docstring)."""
    packages = {name.rsplit(".", i)[0] for name in modules for i in range(name.count(".") + 1)}
    is_package = path.name == "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found: set[str] = set()

    def add(name: str) -> None:
        target = _resolve(name, modules, packages)
        if target is not None and target != module:
            found.add(target)

    for node in _statements(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[:len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for alias in node.names:
                sub = f"{source}.{alias.name}"
                add(sub if alias.name != "*" and (sub in modules or sub in packages) else source)
        else:
            add(node.args[0].value)
    return found


def import_graph(root: Path = ROOT, package: str = PACKAGE) -> dict[str, set[str]]:
    modules = find_modules(root, package)
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


# -- checking -------------------------------------------------------------------------


def layer_of(module: str, layers: list[list[str]] = LAYERS, package: str = PACKAGE) -> int | None:
    best, best_len = None, -1
    for index, entries in enumerate(layers):
        for entry in entries:
            covers = module == entry or (entry != package and module.startswith(entry + "."))
            if covers and len(entry) > best_len:
                best, best_len = index, len(entry)
    return best


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Per strongly connected component of more than one module (modules
    that all reach one another through imports), its shortest cycle through
    its smallest module: [a, b, ...] for a -> b -> ... -> a."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = [0]

    def connect(v: str) -> None:  # Tarjan, iteratively
        work = [(v, iter(sorted(graph.get(v, ()))))]
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        while work:
            node, children = work[-1]
            for w in children:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(graph.get(w, ())))))
                    break
                if w in on_stack:
                    low[node] = min(low[node], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        component.append(w)
                        if w == node:
                            break
                    components.append(component)

    for v in sorted(graph):
        if v not in index:
            connect(v)
    found = []
    for component in components:
        if len(component) < 2:
            continue
        members = set(component)
        start = min(component)
        # shortest path from start back to start inside the component
        previous: dict[str, str] = {}
        queue, seen = [start], {start}
        end = None
        while queue and end is None:
            nxt = []
            for v in queue:
                for w in sorted(graph.get(v, ())):
                    if w == start:
                        end = v
                        break
                    if w in members and w not in seen:
                        seen.add(w)
                        previous[w] = v
                        nxt.append(w)
                if end is not None:
                    break
            queue = nxt
        path = [end]
        while path[-1] != start:
            path.append(previous[path[-1]])
        found.append(list(reversed(path)))
    return sorted(found)


def components(graph: dict[str, set[str]]) -> list[set[str]]:
    """The modules of each cycle found by `cycles`: all that reach one another."""
    reach: dict[str, set[str]] = {}
    for start in graph:
        seen, todo = set(), [start]
        while todo:
            for w in graph.get(todo.pop(), ()):
                if w not in seen:
                    seen.add(w)
                    todo.append(w)
        reach[start] = seen
    return [{m for m in graph if m in reach[c[0]] and c[0] in reach[m]} for c in cycles(graph)]


def violations(graph: dict[str, set[str]], layers: list[list[str]] = LAYERS,
               package: str = PACKAGE) -> dict[tuple, str]:
    """Every violation -> its description."""
    found: dict[tuple, str] = {}
    for cycle, members in zip(cycles(graph), components(graph)):
        others = sorted(members - set(cycle))
        found["cycle", tuple(sorted(members))] = "import cycle: " + " -> ".join(cycle + [cycle[0]]) + (
            f" (with {', '.join(others)} also in it)" if others else "")
    for module in sorted(graph):
        if layer_of(module, layers, package) is None:
            found["unlayered", module] = f"not in any layer: {module}"
    for module, targets in sorted(graph.items()):
        mine = layer_of(module, layers, package)
        for target in sorted(targets):
            theirs = layer_of(target, layers, package)
            if mine is not None and theirs is not None and theirs > mine:
                found["upward", module, target] = (f"upward import: {module} (layer {mine}) imports "
                                                   f"{target} (layer {theirs})")
    return found


def test_no_cycles_and_no_upward_imports():
    found = violations(import_graph())
    new = {k: v for k, v in found.items() if k not in ALLOWED}
    gone = [k for k in ALLOWED if k not in found]
    lines = [f"  {v}" for v in new.values()]
    lines += [f"  allowed but no longer happens (take it out of ALLOWED): {k}" for k in gone]
    allowed = [f"  {found[k]}  [allowed: {ALLOWED[k]}]" for k in ALLOWED if k in found]
    assert not lines, "\n".join(["import structure violations:", *lines, "known (ALLOWED):", *allowed])


def test_the_pdf_writer_and_notice_have_no_violation_at_all():
    """Not even an allowed one: the writers and the notice import nothing above them
    (the PDF/A finishing is part of the writer; gongwen.archive builds on it)."""
    found = violations(import_graph())
    mine = [v for k, v in found.items()
            if any(m.startswith(("gongwen.writers", "gongwen.notice", "gongwen.caches"))
                   for m in ((k[1],) if k[0] != "cycle" else k[1]))]
    assert not mine, "\n".join(mine)


# -- the reader itself, on a package made up for it ------------------------------------------


def _package(tmp_path: Path, files: dict[str, str]) -> dict[str, set[str]]:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return import_graph(tmp_path, "pkg")


def test_reader_resolves_and_skips_as_documented(tmp_path):
    graph = _package(tmp_path, {
        "pkg/__init__.py": "VERSION = 1\n",
        "pkg/a/__init__.py": "from pkg.a.b import f\nfrom . import g  # relative, in a package\n",
        "pkg/a/b.py": ("from typing import TYPE_CHECKING\n"
                       "from . import c\n"
                       "from .. import VERSION\n"
                       "if TYPE_CHECKING:\n    from pkg import d\nelse:\n    import json\n"
                       "def f():\n    from pkg.a import g\n    import importlib\n"
                       "    return importlib.import_module('pkg.e')\n"),
        "pkg/a/c.py": "from pkg.a import b\n",
        "pkg/a/g.py": "",
        "pkg/d.py": "",
        "pkg/e.py": "from pkg.a import f  # a name of pkg/a/__init__\n",
    })
    assert graph["pkg.a"] == {"pkg.a.b", "pkg.a.g"}
    assert graph["pkg.a.b"] == {"pkg.a.c", "pkg", "pkg.a.g", "pkg.e"}  # pkg.d only for type checking
    assert graph["pkg.e"] == {"pkg.a"}
    assert cycles(graph) == [["pkg.a", "pkg.a.b", "pkg.e"]]  # one per group of modules reaching one another
    assert components(graph) == [{"pkg.a", "pkg.a.b", "pkg.a.c", "pkg.e"}]
    assert "pkg.a -> pkg.a.b -> pkg.e -> pkg.a (with pkg.a.c also in it)" in violations(graph, [["pkg"]], "pkg")[
        "cycle", ("pkg.a", "pkg.a.b", "pkg.a.c", "pkg.e")]


def test_a_package_reexporting_is_a_cycle_only_when_it_imports_the_submodule(tmp_path):
    graph = _package(tmp_path, {
        "pkg/__init__.py": "NAME = 'x'\n",
        "pkg/sub.py": "from pkg import NAME\n",
        "pkg/q/__init__.py": "from pkg.q.sub import thing\nLIMIT = 3\n",
        "pkg/q/sub.py": "from pkg.q import LIMIT\nthing = LIMIT\n",
        "pkg/q/other.py": "from pkg.q import thing\n",
    })
    assert cycles(graph) == [["pkg.q", "pkg.q.sub"]]  # pkg <- pkg.sub alone is no cycle; q.other neither


def test_layers_longest_prefix_and_the_root_entry(tmp_path):
    layers = [["pkg", "pkg.low"], ["pkg.mid"], ["pkg.mid.top"]]
    graph = {"pkg": set(), "pkg.low": {"pkg.mid"}, "pkg.mid.x": {"pkg.mid.top.y"}, "pkg.mid.top.y": {"pkg.mid.x"},
             "pkg.stray": set()}
    assert layer_of("pkg", layers, "pkg") == 0 and layer_of("pkg.stray", layers, "pkg") is None
    assert layer_of("pkg.mid.top.y", layers, "pkg") == 2 and layer_of("pkg.mid.x", layers, "pkg") == 1
    found = violations(graph, layers, "pkg")
    assert set(found) == {("upward", "pkg.low", "pkg.mid"), ("upward", "pkg.mid.x", "pkg.mid.top.y"),
                          ("unlayered", "pkg.stray"), ("cycle", ("pkg.mid.top.y", "pkg.mid.x"))}
