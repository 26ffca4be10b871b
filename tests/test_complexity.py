"""No function in newsroom/ is more complex than rank C (cyclomatic complexity over 20).

Counted as radon counts (``radon cc``), without depending on it: 1, plus each if, elif, for,
while, except, loop or try ``else``, conditional expression, comprehension ``for`` and ``if``,
match case, and each extra operand of ``and``/``or``. A function nested in another is rated on
its own.
"""

import ast
from pathlib import Path

import newsroom

ROOT = Path(newsroom.__file__).parent
WORST_ALLOWED = 20  # radon's rank C ends at 20; D starts at 21


def _complexity(nodes):
    total = 0
    for node in nodes:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            continue  # rated separately (lambdas are not counted, as radon does)
        if isinstance(node, ast.If | ast.IfExp):
            total += 1
        elif isinstance(node, ast.For | ast.AsyncFor | ast.While):
            total += 1 + bool(node.orelse)
        elif isinstance(node, ast.Try | ast.TryStar):
            total += len(node.handlers) + bool(node.orelse)
        elif isinstance(node, ast.BoolOp):
            total += len(node.values) - 1
        elif isinstance(node, ast.comprehension):
            total += 1 + len(node.ifs)
        elif isinstance(node, ast.Match):
            total += sum(
                1
                for case in node.cases
                if not (isinstance(case.pattern, ast.MatchAs) and case.pattern.pattern is None)
            )
        total += _complexity(ast.iter_child_nodes(node))
    return total


def function_complexities(source, filename="<source>"):
    """[(qualified name, complexity)] of every function and method in ``source``."""
    found = []

    def walk(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                name = f"{prefix}{child.name}"
                found.append((name, 1 + _complexity(child.body)))
                walk(child, f"{name}.")
            elif isinstance(child, ast.ClassDef):
                walk(child, f"{prefix}{child.name}.")
            else:
                walk(child, prefix)

    walk(ast.parse(source, filename), "")
    return found


def test_no_function_is_worse_than_c():
    """Every function of newsroom/ (migrations aside) has a complexity of 20 or less."""
    too_complex = []
    for path in sorted(ROOT.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for name, value in function_complexities(path.read_text(), str(path)):
            if value > WORST_ALLOWED:
                too_complex.append(f"{path.relative_to(ROOT.parent)}:{name} = {value}")
    assert too_complex == []


def test_the_count_follows_radon():
    """Branches, loops, handlers, boolean operands and comprehensions each add to the count."""
    source = """
def f(a, b):
    if a and b or a:
        return [x for x in a if x]
    for x in b:
        pass
    else:
        pass
    try:
        pass
    except ValueError:
        pass
    except TypeError:
        pass
    return 1 if a else 2
"""
    # 1 + if 1 + boolops 2 + comprehension 2 + for/else 2 + handlers 2 + ifexp 1
    assert function_complexities(source) == [("f", 11)]
