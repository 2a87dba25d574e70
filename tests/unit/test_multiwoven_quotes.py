"""Undoing Multiwoven's quote doubling: the exact inverse of ``value.gsub("'", "''")`` on strings."""

import pytest

from producers.connector.quotes import undo_doubled_quotes, undo_in_record


def multiwoven_standard_mapping(value):
    """What Multiwoven's v2 standard mapping does to a value (UserMapping#standard_mapping)."""
    return value.replace("'", "''") if isinstance(value, str) else value


@pytest.mark.parametrize(
    "original",
    [
        "O'Brien",
        "plain",
        "",
        "'",
        "''",
        "'''",
        "it's Ada's",
        "rock 'n' roll",
        "l'été",
        "''quoted''",
        "a'b''c",
    ],
)
def test_the_undo_inverts_the_doubling_exactly(original):
    assert undo_doubled_quotes(multiwoven_standard_mapping(original)) == original


@pytest.mark.parametrize("never_doubled", ["O'Brien", "a'''b", "'", "x''y'"])
def test_a_string_the_rule_cannot_produce_is_left_alone(never_doubled):
    """A run of odd length cannot come from the doubling (a static or template value): kept as it is."""
    assert undo_doubled_quotes(never_doubled) == never_doubled


def test_every_string_at_any_depth_is_undone_and_keys_and_other_values_kept():
    record = {
        "lastName": "O''Brien",
        "tags": ["rock ''n'' roll", 3],
        "addresses": [{"address1": "1 Bishop''s Rd", "zip": None}],
        "acceptsMarketing": True,
        "it''s": "key kept",
    }
    assert undo_in_record(record) == {
        "lastName": "O'Brien",
        "tags": ["rock 'n' roll", 3],
        "addresses": [{"address1": "1 Bishop's Rd", "zip": None}],
        "acceptsMarketing": True,
        "it''s": "key kept",
    }
