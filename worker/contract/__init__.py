"""The queue contract: what producers and workers agree on, and all a producer needs of ``worker``.

Redis keys (``keys``), the record envelope a task carries (``envelopes``), record states
(``states``), per-sync tracking (``tracking``), dead letters (``deadletters``), paused shops
(``pauses``), outcomes as both sides record them (``recorder``), the shared Celery app and queue names
(``broker``, with its transport and serializer), the enqueue call (``enqueue``) and the one policy for
Redis outages (``outages``). Importing it starts no worker runtime: no task, no HTTP session, no
Shopify client.
"""
