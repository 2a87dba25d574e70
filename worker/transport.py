"""The one way this project POSTs to Shopify: the GraphQL Admin API and the OAuth token endpoint alike.

A JSON body goes out with a total timeout and never follows a redirect (a redirect could carry the token
to another host); the answer comes back as status, body and the few headers callers read. No answer at
all is a ``NetworkError``; what an answer means is ``worker.errors.classify``'s business.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp

from worker.errors import NetworkError, ShopifyError, classify

KEPT_HEADERS = ("X-Request-Id", "Retry-After", "X-Shopify-API-Version")
# A pooled connection idle this long is closed, not reused. Servers close idle connections on their own
# schedule (the simulator after 5 s; front ends after seconds to minutes), and a request sent on one just
# as the server drops it fails with ServerDisconnectedError although it never ran: keeping connections
# for less than any server does avoids that race at the cost of a new connection after an idle spell.
KEEPALIVE_S = 2.0
CONNECTIONS = 64
# How much of an answer that is not JSON is kept, for error messages.
TEXT_KEPT = 200


@dataclass(frozen=True)
class HttpAnswer:
    """One HTTP answer.

    Attributes:
        status: The HTTP status.
        body: The parsed JSON; or, when the answer is not JSON, its first ``TEXT_KEPT`` characters;
            None when it is empty.
        text: The answer's first ``TEXT_KEPT`` characters, as sent.
        headers: The answer's headers among ``KEPT_HEADERS``.
    """

    status: int
    body: Any
    text: str
    headers: Mapping[str, str]

    def error(self, *, shop: str, graphql: bool = True) -> ShopifyError | None:
        """The error this answer means (``classify``), or None for a success."""
        return classify(self.status, self.body, shop=shop, headers=self.headers, graphql=graphql)


def new_session() -> aiohttp.ClientSession:
    """The HTTP session a worker process posts through.

    At most ``CONNECTIONS`` connections, none reused after ``KEEPALIVE_S`` idle. Call it inside the event
    loop that will use it.
    """
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=CONNECTIONS, keepalive_timeout=KEEPALIVE_S)
    )


async def post_json(
    session: aiohttp.ClientSession,
    url: str,
    payload: Mapping[str, Any],
    *,
    timeout_s: float,
    shop: str,
    headers: Mapping[str, str] | None = None,
    peer: str = "Shopify",
) -> HttpAnswer:
    """POST ``payload`` as JSON to ``url`` and read the answer.

    Parameters:
        session: The worker's (or command's) HTTP session.
        url: Where to post; redirects are not followed.
        payload: The JSON body.
        timeout_s: Total time for the request and its answer, in seconds.
        shop: The shop handle, for errors.
        headers: Extra request headers (the access token); they never go into an error.
        peer: Who was asked, for the ``NetworkError`` message.

    Raises:
        NetworkError: No answer arrived (refused, reset, timed out).
    """
    try:
        async with session.post(
            url,
            json=payload,
            headers={"Accept": "application/json", **(headers or {})},
            timeout=aiohttp.ClientTimeout(total=timeout_s),
            allow_redirects=False,
        ) as response:
            status = response.status
            kept = {k: response.headers[k] for k in KEPT_HEADERS if k in response.headers}
            text = await response.text()
    except (TimeoutError, aiohttp.ClientError) as exc:
        raise NetworkError(f"no answer from {peer}: {type(exc).__name__}", shop=shop) from exc
    try:
        body: Any = json.loads(text) if text else None
    except ValueError:
        body = text[:TEXT_KEPT]
    return HttpAnswer(status, body, text[:TEXT_KEPT], kept)
