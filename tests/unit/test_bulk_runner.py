"""Bulk jobs step by step: crash between steps, refusals, failed operations, partial and lost results."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from worker.bulk.adapters import bulk_adapter
from worker.bulk.api import BulkRefusedError, OperationStatus
from worker.bulk.documents import inner_mutation, marker
from worker.bulk.jobs import BulkJob, BulkJobStore, JobState
from worker.bulk.prepare import split_by_size
from worker.bulk.runner import IN_PROGRESS_WAIT_S, JobRunner
from worker.bulk.settle import JobSettler
from worker.contract.deadletters import DeadLetterStore
from worker.contract.envelopes import RecordEnvelope
from worker.contract.keys import Keys
from worker.contract.recorder import OutcomeRecorder
from worker.contract.tracking import SyncTracker
from worker.errors import NetworkError
from worker.resources import RESOURCES

PRODUCTS = RESOURCES["products"]


class FakeApi:
    """Shopify's bulk API as a script: operations it holds, what each call did."""

    def __init__(self) -> None:
        self.operations: dict[str, dict[str, Any]] = {}
        self.submits = 0
        self.crash_after_submit = False
        self.refuse: str | None = None
        self.results_by_op: dict[str, dict[int, dict[str, Any]] | None] = {}
        self.final = "COMPLETED"

    async def stage(self, content: bytes, filename: str) -> str:
        self.staged = content
        return f"tmp/1/bulk/x/{filename}"

    async def submit(self, mutation: str, staged_path: str, client_identifier: str) -> str:
        self.submits += 1
        if self.refuse:
            raise BulkRefusedError(self.refuse, "refused")
        op_id = f"gid://shopify/BulkOperation/{len(self.operations) + 1}"
        self.operations[op_id] = {"query": mutation}
        if self.crash_after_submit:  # Shopify created it; the answer never arrived
            raise NetworkError("connection reset")
        return op_id

    async def find(self, mark: str) -> str | None:
        return next((i for i, op in self.operations.items() if mark in op["query"]), None)

    async def status(self, operation_id: str) -> OperationStatus:
        url = f"https://results/{operation_id}"
        completed = self.final == "COMPLETED"
        return OperationStatus(operation_id, self.final, None if completed else "INTERNAL_SERVER_ERROR",
                               url if completed else None, None if completed else url)  # fmt: skip

    async def results(self, url: str) -> dict[int, dict[str, Any]] | None:
        return self.results_by_op.get(url.removeprefix("https://results/"))

    async def cancel(self, operation_id: str) -> None:
        self.operations[operation_id]["canceled"] = True


def product_line(number: int, handle: str, errors: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    payload = {"product": None if errors else {"id": f"gid://shopify/Product/{number + 100}"},
               "userErrors": errors or []}  # fmt: skip
    return {"data": {"productSet": payload}, "__lineNumber": number}


@pytest.fixture
def setup(fake_redis):
    keys = Keys("t")
    store = BulkJobStore(fake_redis, keys)
    tracker, dead = SyncTracker(fake_redis, keys), DeadLetterStore(fake_redis, keys)
    tracker.start("s1", shop="shop", resource="products", total=4)
    recorder = OutcomeRecorder(tracker, dead, shop="shop", sync_id="s1", resource="products")
    sent_back: list[RecordEnvelope] = []
    api = FakeApi()
    adapter = bulk_adapter(PRODUCTS)
    assert adapter is not None

    async def no_follow_ups(*_: Any, **__: Any) -> Any:
        raise AssertionError("products have no follow-ups")

    settler = JobSettler(PRODUCTS, adapter, recorder, no_follow_ups, sent_back.extend)
    runner = JobRunner(api, store, settler, poll_s=0.01, budget_s=1.0)  # type: ignore[arg-type]
    records = [RecordEnvelope(key=f"r{i}", payload={"handle": f"h-{i}", "title": f"T{i}"}) for i in range(4)]
    lines = [(r, json.dumps(PRODUCTS.build_variables(PRODUCTS.validate(r.payload)))) for r in records]
    job = BulkJob("task-0", "shop", "s1", "products", len(lines), inner_mutation(adapter.mutation, "task-0"))
    store.create("task", [(job, lines)])
    return store, api, runner, tracker, dead, sent_back, job


def test_a_crash_after_the_operation_was_asked_for_never_submits_the_file_twice(setup):
    store, api, runner, tracker, _, sent_back, job = setup
    api.crash_after_submit = True
    with pytest.raises(NetworkError):
        asyncio.run(runner.advance(job))
    saved = store.get(job.job_id)
    assert saved is not None and saved.state is JobState.SUBMITTING and saved.submit_asked_at > 0
    assert api.staged.count(b"\n") == 4  # one JSONL line per record

    api.crash_after_submit = False
    [op_id] = api.operations
    api.results_by_op[op_id] = {n: product_line(n, f"h-{n}") for n in range(4)}
    step = asyncio.run(runner.advance(saved))
    assert step.done and api.submits == 1
    assert store.get(job.job_id).operation_id == op_id  # type: ignore[union-attr]
    outcomes = tracker.outcomes("s1")
    assert {k: (o["state"], o["gid"], o["path"]) for k, o in outcomes.items()} == {
        f"r{n}": ("synced", f"gid://shopify/Product/{n + 100}", "bulk") for n in range(4)
    }
    assert sent_back == []


def test_the_mutation_carries_the_jobs_mark():
    named = inner_mutation(PRODUCTS.mutation, "abc-1:2")
    assert named.startswith(f"mutation ProductSet_{marker('abc-1:2')}(")
    assert marker("abc-1:2") == "Bulk_abc_1_2"


def test_operation_in_progress_waits_and_asks_again_later(setup):
    store, api, runner, *_, job = setup
    api.refuse = "OPERATION_IN_PROGRESS"
    step = asyncio.run(runner.advance(job))
    assert (step.done, step.delay_s) == (False, IN_PROGRESS_WAIT_S)
    saved = store.get(job.job_id)
    assert saved is not None and saved.state is JobState.SUBMITTING and saved.submit_asked_at == 0


def test_an_expired_staged_file_is_uploaded_again(setup):
    store, api, runner, *_, job = setup
    api.refuse = "NO_SUCH_FILE"
    assert not asyncio.run(runner.advance(job)).done
    assert store.get(job.job_id).state is JobState.PREPARED  # type: ignore[union-attr]


def test_a_refused_operation_sends_every_record_per_request(setup):
    store, api, runner, _, _, sent_back, job = setup
    api.refuse = "INVALID_STAGED_UPLOAD_FILE"
    assert asyncio.run(runner.advance(job)).done
    assert [r.key for r in sent_back] == ["r0", "r1", "r2", "r3"]
    assert store.get(job.job_id).state is JobState.SETTLED  # type: ignore[union-attr]


def test_a_failed_operation_settles_its_partial_results_and_sends_the_rest_back(setup):
    _, api, runner, tracker, dead, sent_back, job = setup
    api.final = "FAILED"
    api.results_by_op["gid://shopify/BulkOperation/1"] = {
        0: product_line(0, "h-0"),
        2: product_line(2, "h-2", [{"field": ["input", "title"], "message": "Title can't be blank",
                                    "code": "INVALID_PRODUCT"}]),
    }  # fmt: skip
    assert asyncio.run(runner.advance(job)).done
    assert [r.key for r in sent_back] == ["r1", "r3"]
    outcomes = tracker.outcomes("s1")
    assert outcomes["r0"]["state"] == "synced" and outcomes["r2"]["state"] == "dead_lettered"
    [letter] = list(dead.iter(sync_id="s1"))
    reason = letter.reason
    assert (letter.record_key, reason.field, reason.code, reason.path) == (
        "r2",
        "input.title",
        "INVALID_PRODUCT",
        "bulk",
    )


def test_a_lost_result_file_sends_every_record_back(setup):
    _, api, runner, tracker, _, sent_back, job = setup
    api.results_by_op["gid://shopify/BulkOperation/1"] = None
    assert asyncio.run(runner.advance(job)).done
    assert len(sent_back) == 4 and tracker.outcomes("s1") == {}


def test_a_line_with_a_top_level_error_goes_per_request(setup):
    _, api, runner, tracker, _, sent_back, job = setup
    lines = {n: product_line(n, f"h-{n}") for n in range(4)}
    lines[3] = {"errors": [{"message": "Internal error"}], "__lineNumber": 3}
    api.results_by_op["gid://shopify/BulkOperation/1"] = lines
    assert asyncio.run(runner.advance(job)).done
    assert [r.key for r in sent_back] == ["r3"]
    assert sum(1 for o in tracker.outcomes("s1").values() if o["state"] == "synced") == 3


def test_files_are_split_at_the_size_limit():
    record = RecordEnvelope(key="k", payload={})
    lines = [(record, "x" * 9) for _ in range(5)]  # 10 bytes each with the newline
    assert [len(p) for p in split_by_size(lines, 25)] == [2, 2, 1]
    assert split_by_size([], 25) == []
