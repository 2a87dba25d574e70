"""The shared Liquid environment: compile template entries once, render them per row."""

from __future__ import annotations

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
    try:
        template = ENVIRONMENT.from_string(source)
    except LiquidError as err:
        raise TemplateError(f"invalid Liquid template: {_describe(err)}") from err
    unknown = sorted(set(template.filter_names()) - set(ENVIRONMENT.filters))
    if unknown:
        names = ", ".join(repr(name) for name in unknown)
        raise TemplateError(f"invalid Liquid template: unknown filter {names}")
    return template


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
