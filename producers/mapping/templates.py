"""The shared Liquid environment: compile template entries once, render them per row."""

from __future__ import annotations

import re
from collections.abc import Mapping

from liquid import BoundTemplate, Environment, Mode, Undefined
from liquid.exceptions import LiquidError

from producers.mapping import filters


class TemplateError(ValueError):
    """A template that does not compile, or that failed while rendering a row."""


class _MappingEnvironment(Environment):
    """Liquid with limits, so one runaway template (`{% for i in (1..1000000000) %}`) fails its row.

    A mapped field is a short value, so the limits are generous for real templates.
    """

    loop_iteration_limit = 10_000
    output_stream_limit = 1_000_000  # characters of output per render
    # Multiwoven runs on Rails, whose String#first / #last Liquid's `first`/`last` (filters and
    # properties) call: "abc" | first is "a" there.
    string_first_and_last = True


def _build_environment() -> Environment:
    # STRICT only concerns syntax errors: an unknown variable still renders as "",
    # which is what Ruby Liquid does with a missing column.
    env = _MappingEnvironment(
        tolerance=Mode.STRICT, undefined=Undefined, strict_filters=True, autoescape=False
    )
    filters.register(env)
    return env


ENVIRONMENT = _build_environment()
"""Built once at import; python-liquid environments are safe to share across threads."""


def compile_template(source: str) -> BoundTemplate:
    """Parse a template and check that every filter it names exists.

    python-liquid 2 reports unknown filters only at render time; checking here makes a
    typo fail when the mapping is loaded rather than on every row.

    Raises:
        TemplateError: On a syntax error or an unknown filter.

    """
    problem = lone_brace_problem(source)
    if problem:
        raise TemplateError(f"invalid Liquid template: {problem}")
    try:
        template = ENVIRONMENT.from_string(source)
    except LiquidError as err:
        raise TemplateError(f"invalid Liquid template: {_describe(err)}") from err
    unknown = sorted(set(template.filter_names()) - set(ENVIRONMENT.filters))
    if unknown:
        names = ", ".join(repr(name) for name in unknown)
        raise TemplateError(f"invalid Liquid template: unknown filter {names}")
    return template


_TAG_OR_OUTPUT = re.compile(r"\{%-?\s*raw\s*-?%\}.*?\{%-?\s*endraw\s*-?%\}|\{%.*?%\}|\{\{", re.DOTALL)


def lone_brace_problem(source: str) -> str | None:
    r"""Why Ruby Liquid 5.4 (Multiwoven's) would cut an output tag short, or None.

    Its tokenizer ends ``{{ ... }}`` at the first ``}``, so ``{{ v | match_regex: '^\d{4}$' }}``
    fails on every row in Multiwoven while python-liquid reads it whole. Refusing it here keeps a
    mapping that passes ``mapping check`` working once pasted into Multiwoven.
    """
    for match in _TAG_OR_OUTPUT.finditer(source):
        if match.group() != "{{":
            continue
        brace = source.find("}", match.end())
        if brace != -1 and not source.startswith("}}", brace):
            line = source.count("\n", 0, brace) + 1
            return (
                f"'}}' inside {{{{ ... }}}} (line {line}): Multiwoven's Liquid ends the output there, so the "
                "template fails in Multiwoven; put the text in a variable first ({% assign p = '...' %})"
            )
    return None


def render(template: BoundTemplate, row: Mapping[str, object]) -> str:
    """Render a compiled template with the row's columns as variables.

    Raises:
        TemplateError: If a filter or tag fails (e.g. `match_regex` does not match).

    """
    try:
        return template.render(row)
    except LiquidError as err:
        raise TemplateError(f"template failed: {_describe(err)}") from err
    except (ValueError, TypeError, ArithmeticError, LookupError) as err:
        # Some python-liquid built-ins leak plain exceptions on odd input (e.g.
        # `base64_decode` of non-UTF-8 bytes); they are still this row's data problem.
        raise TemplateError(f"template failed: {type(err).__name__}: {err}") from err


def _describe(err: LiquidError) -> str:
    """One line: Liquid's message plus line and column (python-liquid's own text is multi-line)."""
    message = str(err.message) if err.message is not None else type(err).__name__
    context = err.context()
    if context is None:
        return message
    line, column, *_ = context
    return f"{message} (line {line}, column {column + 1})"
