"""Normalisation and validation of ``CustomerSetInput`` fields, with Shopify's messages.

Messages and field paths follow responses captured from live stores (FACTS.md and the
captures listed in docs/simulator.md). Each ``check_*`` function returns the normalised value
and the user errors for one input field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from simulator.stores.common import UserError

MAX_NAME_LENGTH = 255
MAX_EMAIL_LENGTH = 255
MAX_NOTE_LENGTH = 5000
MAX_TAGS = 250
MAX_TAG_LENGTH = 255

_EMAIL_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$")
_EMAIL_DOMAIN = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}$")
_PHONE_SEPARATORS = re.compile(r"[\s\-().]")


def normalize_email(raw: str) -> str:
    """Drop all whitespace and lower-case, as Shopify does before storing or comparing."""
    return re.sub(r"\s+", "", raw).lower()


def is_valid_email(email: str) -> bool:
    """Return whether a normalised email has one ``@``, a local part and a dotted domain."""
    local, at, domain = email.partition("@")
    if not at or not local or len(local) > 64 or "@" in domain:
        return False
    if local.startswith(".") or local.endswith(".") or ".." in local:
        return False
    return bool(_EMAIL_LOCAL.match(local) and _EMAIL_DOMAIN.match(domain))


def normalize_phone(raw: str) -> str | None:
    """Return the E.164 form of a phone number, or ``None`` when it is not valid.

    Accepts ``+`` followed by 7-15 digits (separators ``space - . ( )`` ignored), ``00`` as
    an international prefix, and - as a store in the US would - 10 national digits
    (``+1`` assumed) or 11 digits starting with ``1``.
    """
    compact = _PHONE_SEPARATORS.sub("", raw.strip())
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if not compact.startswith("+"):
        if compact.isdigit() and len(compact) == 10:
            compact = "+1" + compact
        elif compact.isdigit() and len(compact) == 11 and compact.startswith("1"):
            compact = "+" + compact
        else:
            return None
    digits = compact[1:]
    if not digits.isdigit() or not 7 <= len(digits) <= 15 or digits.startswith("0"):
        return None
    if digits.startswith("1") and len(digits) != 11:
        return None
    return compact


def check_email(value: Any, path: tuple[str, ...]) -> tuple[str | None, list[UserError]]:
    """Normalise an email; an empty string means "no email"."""
    if value is None:
        return None, []
    email = normalize_email(str(value))
    if not email:
        return None, []
    errors: list[UserError] = []
    if len(email) > MAX_EMAIL_LENGTH:
        errors.append(UserError(path, "Email is too long (maximum is 255 characters)", "TOO_LONG"))
    if not is_valid_email(email):
        errors.append(UserError(path, "Email is invalid", "INVALID"))
    return email, errors


def check_phone(value: Any, path: tuple[str, ...]) -> tuple[str | None, list[UserError]]:
    """Normalise a phone number to E.164; an empty string means "no phone"."""
    if value is None or not str(value).strip():
        return None, []
    phone = normalize_phone(str(value))
    if phone is None:
        return str(value), [UserError(path, "Phone is invalid", "INVALID")]
    return phone, []


def check_length(
    value: Any, path: tuple[str, ...], label: str, maximum: int
) -> tuple[str | None, list[UserError]]:
    """Check a free-text field against its maximum length."""
    if value is None:
        return None, []
    text = str(value)
    if len(text) > maximum:
        message = f"{label} is too long (maximum is {maximum} characters)"
        return text, [UserError(path, message, "TOO_LONG")]
    return text, []


def check_tags(value: Sequence[str] | None, path: tuple[str, ...]) -> tuple[list[str], list[UserError]]:
    """Split comma-separated entries, drop blanks and case-insensitive duplicates, sort.

    Observed on live stores: ``["a, b , c"]`` becomes ``["a", "b", "c"]``, ``["VIP", "vip"]``
    becomes ``["VIP"]``, tags come back sorted, and more than 250 tags is an error.
    """
    tags = _unique_tags(part.strip() for entry in value or () for part in str(entry).split(","))
    errors: list[UserError] = []
    if len(tags) > MAX_TAGS:
        errors.append(UserError(path, f"Tags cannot be more than {MAX_TAGS}", "INVALID"))
    if any(len(tag) > MAX_TAG_LENGTH for tag in tags):
        errors.append(UserError(path, "Tags is too long (maximum is 255 characters)", "TOO_LONG"))
    return sorted(tags, key=str.lower), errors


def _unique_tags(tags: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    unique: list[str] = []
    for tag in tags:
        if tag and tag.lower() not in seen:
            seen.add(tag.lower())
            unique.append(tag)
    return unique


def check_tax_exempt(value: Any, present: bool, path: tuple[str, ...]) -> list[UserError]:
    """Reject an explicit ``null`` for ``taxExempt`` (observed message)."""
    if present and value is None:
        return [UserError(path, "Tax exempt is of unexpected type NilClass", "INVALID")]
    return []


def identity_error() -> UserError:
    """Return the error for a customer left with no name, phone number or email address."""
    return UserError(("input",), "A name, phone number, or email address must be present", "BLANK")
