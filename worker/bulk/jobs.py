"""Bulk jobs in Redis: what a worker needs to resume one after a crash, written before each step.

A job is one file of one bulk operation. Its lines (line number -> the record it was built from) and its
state are stored before anything is sent, so a worker killed at any point finds, from the job id alone,
what was uploaded, whether the operation was asked for, and which operation follows it.

States: ``prepared`` (lines stored) -> ``submitting`` (file uploaded; the operation may have been asked
for) -> ``running`` (operation id stored) -> ``settled`` (every line's record has its outcome).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import redis
from redis.typing import EncodableT, FieldT

from worker.contract.envelopes import RecordEnvelope
from worker.contract.keys import Keys, text

# Result links are valid 7 days; a job is kept a little longer so that it can always be looked at.
JOB_TTL_S = 8 * 24 * 3600


class JobState(StrEnum):
    """Where a bulk job stands."""

    PREPARED = "prepared"
    SUBMITTING = "submitting"
    RUNNING = "running"
    SETTLED = "settled"


@dataclass
class BulkJob:
    """One bulk operation's job (the lines are read separately: they can be large)."""

    job_id: str
    shop: str
    sync_id: str
    resource: str
    lines: int
    mutation: str
    state: JobState = JobState.PREPARED
    staged_path: str = ""
    operation_id: str = ""
    submit_asked_at: float = 0.0
    failures: int = 0
    created_at: float = field(default_factory=time.time)

    def to_hash(self) -> dict[FieldT, EncodableT]:
        """Redis hash form."""
        return {
            "shop": self.shop,
            "sync_id": self.sync_id,
            "resource": self.resource,
            "lines": str(self.lines),
            "mutation": self.mutation,
            "state": self.state.value,
            "staged_path": self.staged_path,
            "operation_id": self.operation_id,
            "submit_asked_at": str(self.submit_asked_at),
            "failures": str(self.failures),
            "created_at": str(self.created_at),
        }

    @classmethod
    def from_hash(cls, job_id: str, raw: dict[Any, Any]) -> BulkJob:
        """Read the Redis hash form."""
        got = {text(k): text(v) for k, v in raw.items()}
        return cls(
            job_id=job_id,
            shop=got["shop"],
            sync_id=got["sync_id"],
            resource=got["resource"],
            lines=int(got["lines"]),
            mutation=got["mutation"],
            state=JobState(got["state"]),
            staged_path=got.get("staged_path", ""),
            operation_id=got.get("operation_id", ""),
            submit_asked_at=float(got.get("submit_asked_at") or 0),
            failures=int(got.get("failures") or 0),
            created_at=float(got.get("created_at") or 0),
        )


class BulkJobStore:
    """Reads and writes bulk jobs under the configured key prefix."""

    def __init__(self, client: redis.Redis, keys: Keys) -> None:
        self._redis = client
        self._keys = keys

    def parts(self, task_id: str) -> list[str]:
        """The job ids a bulk task created already (empty the first time the task runs)."""
        return [text(j) for j in self._redis.lrange(self._keys.bulk_parts(task_id), 0, -1)]

    def create(self, task_id: str, jobs: list[tuple[BulkJob, list[tuple[RecordEnvelope, str]]]]) -> None:
        """Store the task's jobs with their lines ((record, JSONL line) by line number), all at once."""
        pipe = self._redis.pipeline(transaction=True)
        for job, lines in jobs:
            pipe.hset(self._keys.bulk_job(job.job_id), mapping=job.to_hash())
            pipe.expire(self._keys.bulk_job(job.job_id), JOB_TTL_S)
            entries: dict[FieldT, EncodableT] = {
                str(n): json.dumps({"record": record.to_dict(), "line": line})
                for n, (record, line) in enumerate(lines)
            }
            pipe.hset(self._keys.bulk_lines(job.job_id), mapping=entries)
            pipe.expire(self._keys.bulk_lines(job.job_id), JOB_TTL_S)
            pipe.rpush(self._keys.bulk_parts(task_id), job.job_id)
        pipe.expire(self._keys.bulk_parts(task_id), JOB_TTL_S)
        pipe.execute()

    def get(self, job_id: str) -> BulkJob | None:
        """The job, or None when it is unknown (or expired)."""
        raw = self._redis.hgetall(self._keys.bulk_job(job_id))
        return BulkJob.from_hash(job_id, raw) if raw else None

    def save(self, job: BulkJob) -> None:
        """Write the job's state fields (before the step they announce is taken)."""
        self._redis.hset(self._keys.bulk_job(job.job_id), mapping=job.to_hash())

    def lines(self, job_id: str) -> dict[int, tuple[RecordEnvelope, str]]:
        """Line number -> (the record, its JSONL line)."""
        raw = self._redis.hgetall(self._keys.bulk_lines(job_id))
        out: dict[int, tuple[RecordEnvelope, str]] = {}
        for number, value in raw.items():
            entry = json.loads(value)
            out[int(text(number))] = (RecordEnvelope.from_dict(entry["record"]), entry["line"])
        return out

    def lock(self, job_id: str, ttl_s: float) -> bool:
        """Take the job for ``ttl_s`` seconds; False when another worker holds it."""
        return bool(self._redis.set(self._keys.bulk_lock(job_id), "1", nx=True, px=int(ttl_s * 1000)))

    def unlock(self, job_id: str) -> None:
        """Let another worker take the job."""
        self._redis.delete(self._keys.bulk_lock(job_id))
