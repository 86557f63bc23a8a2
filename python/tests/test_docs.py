"""docs/python.md is the package's reference: it documents every public
name and member, and the signatures it shows are the functions' own."""

import inspect
import re
from pathlib import Path

import edge

DOC = (Path(__file__).resolve().parents[2] / "docs/python.md").read_text()


def plain_signature(function) -> str:
    """`function`'s signature without annotations, as the docs show it."""
    parameters = [p.replace(annotation=inspect.Parameter.empty)
                  for p in inspect.signature(function).parameters.values()]
    return str(inspect.Signature(parameters))


def test_every_public_name_has_a_section():
    for name in edge.__all__:
        assert f"### `edge.{name}" in DOC, f"edge.{name} is not in docs/python.md"


def test_every_member_is_documented():
    for cls in (edge.Model, edge.TensorInfo, edge.PendingRun,
                edge.CompileError):
        for member in dir(cls):
            if member.startswith("_") or member in dir(RuntimeError):
                continue
            assert f"`{cls.__name__}.{member}" in DOC, \
                f"{cls.__name__}.{member} is not in docs/python.md"


def test_documented_signatures_are_the_functions_own():
    for name in ("compile", "export", "load", "generate", "find_edge_compile"):
        function = getattr(edge, name)
        expected = f"edge.{name}{plain_signature(function)}"
        shown = re.sub(r"\s+", " ", DOC)
        assert expected in shown, f"docs/python.md should show {expected}"
        assert function.__doc__ and function.__doc__.strip()


def test_every_documented_name_exists():
    for name in re.findall(r"### `edge\.([A-Za-z_]+)", DOC):
        assert hasattr(edge, name), f"docs/python.md documents edge.{name}"
