"""The layers of newsroom/ and its import graph: low layers never import high ones, no cycles.

Lowest first: ``core`` (pure helpers, no model) -> ``models`` -> ``services`` -> ``views`` and
``admin``. The graph is read from the source with ``ast``, so an import inside a function counts
as much as one at the top of a module: a lazy import hides a cycle, it does not remove it.
"""

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import newsroom

ROOT = Path(newsroom.__file__).parent

# (importing layer, layers it may not import), as patterns on module names.
FORBIDDEN = [
    (r"newsroom\.core\b", r"newsroom\.(?!core\b)"),
    (r"newsroom\.models\b", r"newsroom\.(services|views|admin)\b"),
    (r"newsroom\.services\b", r"newsroom\.(views|admin)\b"),
    (r"newsroom\.views\b", r"newsroom\.admin\b"),
]


def module_files():
    """{module name: path} of every module under newsroom/ except migrations and static."""
    found = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        if "migrations" in parts or "static" in parts:
            continue
        name = ".".join(parts).removesuffix(".__init__")
        found[name] = path
    return found


def imports_of(name, path, modules):
    """The newsroom modules ``name`` imports, at module level or inside functions."""
    is_package = path.name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]

    def owner(target):
        while target and target not in modules:
            target = target.rpartition(".")[0]
        return target or None

    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            # ``from x import y``: the module x.y when there is one, else x itself.
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                for alias in node.names
            ]
        else:
            continue
        for target in targets:
            found = owner(target)
            if found and found != name:
                yield found


def import_graph():
    modules = module_files()
    return {name: set(imports_of(name, path, modules)) for name, path in modules.items()}


def layer_violations(graph):
    return sorted(
        f"{source} imports {target}"
        for source, targets in graph.items()
        for target in targets
        for low, high in FORBIDDEN
        if re.match(low, source) and re.match(high, target)
    )


def cycles(graph):
    """The strongly connected components of more than one module (Tarjan), sorted."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


@pytest.mark.parametrize("name", sorted(module_files()))
def test_every_module_imports(name):
    """Every module under newsroom/ imports on its own (the graph below is of real modules)."""
    importlib.import_module(name)


def test_every_module_is_in_the_graph():
    """The graph covers what Python finds in the package (nothing is left out of the checks)."""
    found = {
        info.name
        for info in pkgutil.walk_packages([str(ROOT)], prefix="newsroom.")
        if ".migrations" not in info.name
    }
    assert found <= set(module_files())


def test_no_low_layer_imports_a_higher_one():
    """core imports no other newsroom module; models no services, views or admin; services
    no views or admin; views no admin."""
    assert layer_violations(import_graph()) == []


def test_no_import_cycles():
    """No two modules of newsroom/ import each other, directly or through others."""
    assert cycles(import_graph()) == []


def test_the_checks_can_fail():
    """A planted arrow and a planted cycle are reported."""
    graph = {
        "newsroom.models.content": {"newsroom.services.search"},
        "newsroom.services.search": {"newsroom.models"},
        "newsroom.models": {"newsroom.models.content"},
        "newsroom.core.html": set(),
    }
    assert layer_violations(graph) == ["newsroom.models.content imports newsroom.services.search"]
    assert cycles(graph) == [
        ["newsroom.models", "newsroom.models.content", "newsroom.services.search"]
    ]


def test_lazy_imports_count(tmp_path):
    """An import inside a function is an edge of the graph like one at module level."""
    path = tmp_path / "content.py"
    path.write_text("def save():\n    from newsroom.services.search import build\n")
    modules = {"newsroom.models.content": path, "newsroom.services.search": path}
    assert list(imports_of("newsroom.models.content", path, modules)) == [
        "newsroom.services.search"
    ]
