"""The pieces ``worker.batch.BatchWriter`` puts together, one job per module.

- ``outcome``: what happened to a batch (``BatchOutcome``, ``Deferred``).
- ``units``: packing valid records into units, each unit's cost and idempotency key.
- ``admission``: booking a batch's turn in its shop's schedule.
- ``probe``: one cheap request to a paused shop, to learn whether it answers again.
- ``settle``: where a unit's records end, and what follows a failed attempt (the retry settlement).
- ``unit``: one unit's attempts, split in halves when a throttle or the cost cap refuses it whole.
"""
