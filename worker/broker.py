"""The Celery broker transport: kombu's Redis transport, changed so a worker survives a Redis restart.

When the broker connection drops, Celery first ``collect``s the old connection, which detaches it from its
transport, and then closes it. Closing the channel gives back the messages still being worked on, and
for that kombu's Redis channel asks its (now detached) transport for the server's address: it finds
``None`` and raises ``AttributeError``, which Celery does not expect there and turns into "Unrecoverable
error": the whole worker stops. The same happens when a task started before the drop acknowledges its
message on the old channel.

This channel reports that situation as what it is, a broken connection. Celery ignores connection errors
while closing a lost connection and logs them when acknowledging, so the worker reconnects and goes on
consuming; the messages stay in Redis (``unacked``) and come back after the visibility timeout, unless a
task sent its batch again first (``worker.tasks``).
"""

from __future__ import annotations

from typing import Any

import redis
from kombu.transport import redis as kombu_redis


class Channel(kombu_redis.Channel):
    """kombu's Redis channel; using it after its connection was collected is a connection error."""

    def _connparams(self, asynchronous: bool = False) -> dict[str, Any]:
        if self.connection.client is None:
            raise redis.ConnectionError("the broker connection was lost and closed")
        params: dict[str, Any] = super()._connparams(asynchronous=asynchronous)  # type: ignore[misc]
        return params


class Transport(kombu_redis.Transport):
    """kombu's Redis transport with the channel above."""

    Channel = Channel
