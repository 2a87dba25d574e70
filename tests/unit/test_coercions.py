import pytest
from pydantic import TypeAdapter, ValidationError

from worker.resources.types import Boolean, DateTime, Money, Tags


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (19.9, "19.9"),
        ("20", "20"),
        (3, "3"),
        ("1,299.50", "1299.50"),
        (0.125, "0.13"),
        ("  7.5 ", "7.5"),
        (0, "0"),
    ],
)
def test_money(value, expected):
    assert TypeAdapter(Money).validate_python(value) == expected


@pytest.mark.parametrize("value", ["abc", -1, "-0.5", True, "NaN", "inf"])
def test_money_rejects(value):
    with pytest.raises(ValidationError):
        TypeAdapter(Money).validate_python(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("true", True),
        ("YES", True),
        ("1", True),
        (1, True),
        ("on", True),
        ("false", False),
        ("no", False),
        ("0", False),
        (0, False),
        (False, False),
        ("N", False),
    ],
)
def test_boolean(value, expected):
    assert TypeAdapter(Boolean).validate_python(value) is expected


@pytest.mark.parametrize("value", ["maybe", 2, "10"])
def test_boolean_rejects(value):
    with pytest.raises(ValidationError):
        TypeAdapter(Boolean).validate_python(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("a, b ,,c", ["a", "b", "c"]), (["x", "y,z"], ["x", "y", "z"]), ("solo", ["solo"]), ([], [])],
)
def test_tags(value, expected):
    assert TypeAdapter(Tags).validate_python(value) == expected


def test_tags_bounds():
    with pytest.raises(ValidationError):
        TypeAdapter(Tags).validate_python(["x" * 256])
    with pytest.raises(ValidationError):
        TypeAdapter(Tags).validate_python([f"t{i}" for i in range(251)])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-01-02", "2024-01-02T00:00:00+00:00"),
        ("2024-01-02T03:04:05Z", "2024-01-02T03:04:05+00:00"),
        ("2024-01-02T03:04:05+02:00", "2024-01-02T03:04:05+02:00"),
        ("2024-01-02 03:04", "2024-01-02T03:04:00+00:00"),
    ],
)
def test_datetime(value, expected):
    assert TypeAdapter(DateTime).validate_python(value) == expected


def test_datetime_rejects():
    with pytest.raises(ValidationError):
        TypeAdapter(DateTime).validate_python("31/12/2024")
