"""The Celery broker transport: kombu's Redis transport, so that a Redis restart stops no worker.

It also keeps messages from being lost or held until the visibility timeout around the restart:

1. When the broker connection drops, Celery first ``collect``s the old connection, which detaches it from
   its transport, and then closes it. Closing the channel gives back the messages it delivered, and for
   that kombu's Redis channel asks its detached transport for the server's address: it finds ``None``
   and raises ``AttributeError``, which Celery turns into "Unrecoverable error": the whole worker stops.
   This channel remembers the address from when it was attached and uses it then.
2. Celery stops the tasks that were running (``worker_cancel_long_running_tasks_on_connection_loss``)
   and drops the countdown tasks it held, counting on the broker to deliver their messages again. kombu
   tries to put them back in their queues while closing the lost connection, which fails while Redis is
   down; they would wait in Redis for the visibility timeout (an hour by default). This channel's ack
   emulation (``QoS``) keeps trying in a background thread until Redis answers.
3. A message taken from its queue (``BRPOP``) is recorded as delivered by a second command; when Redis
   goes away between the two, kombu loses it. Here it is put back in its queue once Redis answers.

A message goes back only while it is still recorded as delivered and unacknowledged, so it never runs
twice at the same time. What no worker can see stays lost here: a worker killed right after it took a
message, or Redis stopping before its answer left; ``producers.pipeline.recovery`` sends such records again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import redis
from kombu.transport import redis as kombu_redis

log = logging.getLogger(__name__)

GIVE_BACK_FOR_S = 3600.0  # the background give-back stops after this long (the visibility timeout's default)
BROKEN = (redis.ConnectionError, redis.TimeoutError, OSError)


class QoS(kombu_redis.QoS):
    """kombu's Redis ack emulation; what it cannot put back in its queue now, it puts back once Redis answers.

    Two moments lose a message with kombu alone when Redis goes away: a message just taken from its queue
    but not yet recorded as delivered (``append``), and the messages of a lost connection that kombu
    tries to give back while Redis is down (``restore_unacked``).
    """

    def append(self, message: Any, delivery_tag: str) -> None:
        """Record a message taken from its queue as delivered (kombu's ``unacked`` hash)."""
        try:
            super().append(message, delivery_tag)
        except BROKEN:
            self._later(lambda client: self._put_back(client, message, delivery_tag), "1 message taken")
            raise

    def restore_unacked(self, client: Any = None) -> None:
        """Put the messages this channel delivered and nobody acknowledged back in their queues."""
        try:
            super().restore_unacked(client)
        except BROKEN:
            delivered = self._delivered if self._delivered is not None else {}
            tags = list(delivered)
            delivered.clear()
            self._later(lambda client: self._give_back(client, tags), f"{len(tags)} message(s) delivered")
            raise

    def _put_back(self, client: Any, message: Any, tag: str) -> None:
        if client.hexists(self.unacked_key, tag):  # recorded after all: move it back
            self.restore_by_tag(tag, client=client, leftmost=True)
            return
        channel: Any = self.channel
        delivery = message.delivery_info
        with client.pipeline() as pipe:
            channel._do_restore_message(
                message._raw, delivery["exchange"], delivery["routing_key"], pipe, leftmost=True
            )
            pipe.execute()

    def _give_back(self, client: Any, tags: list[str]) -> None:
        while tags:  # a message is moved back only while still unacknowledged: never twice
            self.restore_by_tag(tags[0], client=client, leftmost=True)
            tags.pop(0)

    def _later(self, action: Callable[[Any], None], what: str) -> None:
        """Run ``action`` with a Redis client in a background thread, again and again until Redis answers."""
        channel: Any = self.channel
        deadline = time.monotonic() + min(GIVE_BACK_FOR_S, float(channel.visibility_timeout))

        def run() -> None:
            while time.monotonic() < deadline:
                try:
                    with channel.conn_or_acquire() as client:
                        action(client)
                    return
                except BROKEN:
                    time.sleep(1.0)
            log.warning("Redis did not come back: %s stay(s) there until the visibility timeout", what)

        threading.Thread(target=run, name="give-back", daemon=True).start()


class Channel(kombu_redis.Channel):
    """kombu's Redis channel; after its connection was collected it keeps using the server it had."""

    QoS = QoS

    def _connparams(self, asynchronous: bool = False) -> dict[str, Any]:
        saved: dict[bool, dict[str, Any]] = self.__dict__.setdefault("_saved_connparams", {})
        if self.connection.client is None:
            if asynchronous not in saved:
                raise redis.ConnectionError("the broker connection was lost and closed")
            return dict(saved[asynchronous])
        for kind in (asynchronous, not asynchronous):  # both, whichever is asked for first
            if kind == asynchronous or kind not in saved:
                saved[kind] = dict(super()._connparams(asynchronous=kind))  # type: ignore[misc]
        return dict(saved[asynchronous])


class Transport(kombu_redis.Transport):
    """kombu's Redis transport with the channel above."""

    Channel = Channel
