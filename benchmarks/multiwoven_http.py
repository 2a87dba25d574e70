"""Multiwoven's HTTP destination, emulated: what its server and connector send, and how they count.

From Multiwoven's source, release v0.124.0 (``integrations/.../destination/http/client.rb``,
``core/http_client.rb``, ``core/http_helper.rb``, ``core/utils.rb``; see ``docs/multiwoven.md``):

- the catalog says ``batch_support: false`` and ``request_rate_concurrency: 10``, so the server calls
  ``write`` once per record from up to 10 threads: one record per POST, ``{"records": [{"fields": ...}]}``;
- the request is Ruby ``Net::HTTP``: the configured headers only, no JSON content type (Net::HTTP fills in
  ``application/x-www-form-urlencoded``), ``User-Agent: Ruby``, and the default 60 s read timeout (the
  HTTP destination sets none); a header value containing ``ENV['VAR']`` is replaced by that variable;
- the connection check posts ``{}``; a record is success on 200 or 201 only, anything else (or no answer)
  is failed; there is no retry, and the body is not read.

The server's v2 ``standard`` mapping doubles single quotes in string values before ``write``
(``UserMapping#standard_mapping``); ``standard_mapping`` below does the same.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import threading
import time
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

CONCURRENCY = 10  # the HTTP destination's request_rate_concurrency
READ_TIMEOUT_S = 60.0  # Net::HTTP's default read_timeout; the HTTP destination sets none
_ENV_HEADER = re.compile(r"ENV\['([^']+)'\]")
# What Net::HTTP sends when the caller sets no header of its own.
NET_HTTP_HEADERS = {
    "Accept-Encoding": "gzip;q=1.0,deflate;q=0.6,identity;q=0.3",
    "Accept": "*/*",
    "User-Agent": "Ruby",
    "Content-Type": "application/x-www-form-urlencoded",
}


def standard_mapping(row: Mapping[str, Any], mapping: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """A v2 mapping of ``standard`` entries ``(from, to)``, as Multiwoven's server builds the record.

    String values get their quotes doubled; ``to`` is a dotted path where a middle ``name[]`` writes into
    the list's last object (made when the list is empty) and a last ``name[]`` appends.
    """
    record: dict[str, Any] = {}
    for source, to in mapping:
        value = row[source]
        value = value.replace("'", "''") if isinstance(value, str) else value
        *path, last = to.split(".")
        node = record
        for key in path:
            if key.endswith("[]"):
                items = node.setdefault(key[:-2], [])
                if not items:
                    items.append({})
                node = items[-1]
            else:
                node = node.setdefault(key, {})
        if last.endswith("[]"):
            node.setdefault(last[:-2], []).append(value)
        else:
            node[last] = value
    return record


def resolve_headers(headers: Mapping[str, str], environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Header values with ``ENV['VAR']`` replaced, whole, by that variable (as Multiwoven does)."""
    env = os.environ if environ is None else environ
    resolved = {}
    for name, value in headers.items():
        match = _ENV_HEADER.search(value)
        resolved[name] = env.get(match.group(1), "") if match else value
    return resolved


@dataclass
class Tracking:
    """The tracking counts Multiwoven keeps for a run, and each POST's status and latency."""

    success: int = 0
    failed: int = 0
    statuses: list[int] = field(default_factory=list)
    latencies_s: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count(self, status: int, latency_s: float) -> None:
        """One record's POST: success on 200/201 only (``Utils#success?``)."""
        with self.lock:
            self.statuses.append(status)
            self.latencies_s.append(latency_s)
            if status in (200, 201):
                self.success += 1
            else:
                self.failed += 1


class HttpDestination:
    """One Multiwoven HTTP destination: a URL and its headers (values may name ``ENV['VAR']``)."""

    def __init__(
        self, destination_url: str, headers: Mapping[str, str], *, timeout_s: float = READ_TIMEOUT_S
    ):
        self.url = urlsplit(destination_url)
        self.headers = resolve_headers(headers)
        self.timeout_s = timeout_s

    def post(self, payload: Any) -> tuple[int, bytes]:
        """One Net::HTTP POST of ``payload`` as JSON; ``(0, b"")`` when no answer came (failed)."""
        body = json.dumps(payload).encode()
        connection = http.client.HTTPConnection(
            self.url.hostname or "", self.url.port, timeout=self.timeout_s
        )
        path = self.url.path + (f"?{self.url.query}" if self.url.query else "")
        try:
            connection.request("POST", path, body=body, headers={**NET_HTTP_HEADERS, **self.headers})
            answer = connection.getresponse()
            return answer.status, answer.read()
        except OSError:
            return 0, b""
        finally:
            connection.close()

    def check_connection(self) -> str:
        """``succeeded`` when ``{}`` is answered 200 or 201."""
        status, _ = self.post({})
        return "succeeded" if status in (200, 201) else "failed"

    def write_all(self, records: list[dict[str, Any]], *, threads: int = CONCURRENCY) -> Tracking:
        """A sync run: every record in its own ``write`` (one POST), from ``threads`` threads."""
        tracking = Tracking()

        def write(record: dict[str, Any]) -> None:
            started = time.monotonic()
            status, _ = self.post({"records": [{"fields": record}]})
            tracking.count(status, time.monotonic() - started)

        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(write, records))
        return tracking
