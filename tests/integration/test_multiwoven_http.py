"""Multiwoven's HTTP destination, played faithfully, against `shopify-sync serve` with real workers.

The stand-in below does what the gem's ``Destination::Http::Client.write`` does with a list of records:
its connection check posts ``{}`` and wants 200 or 201; ``write`` posts chunks of 10 records as
``{"records": [{"fields": ...}]}`` and counts each whole chunk as success on 200/201, failure otherwise.
Multiwoven's server only ever hands it one record (``batch_support: false``; see
``test_multiwoven_emulator.py`` for that, with settled answers); chunks exercise a multi-record body
here, with the ``queued`` answer mode.
"""

import json
import secrets
import urllib.error
import urllib.request

import pytest

from tests.integration.conftest import start_serve, wait_until

pytestmark = pytest.mark.integration

MAX_CHUNK_SIZE = 10


class MultiwovenHttpDestination:
    def __init__(self, destination_url, headers):
        self.url = destination_url
        self.headers = headers

    def _post(self, payload):
        request = urllib.request.Request(self.url, data=json.dumps(payload).encode(), method="POST")
        for key, value in self.headers.items():
            request.add_header(key, value)
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return answer.status, json.loads(answer.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def check_connection(self):
        status, _ = self._post({})
        return "succeeded" if status in (200, 201) else "failed"

    def write(self, records):
        success = failed = 0
        answers = []
        for start in range(0, len(records), MAX_CHUNK_SIZE):
            chunk = records[start : start + MAX_CHUNK_SIZE]
            status, body = self._post({"records": [{"fields": record} for record in chunk]})
            answers.append((status, body))
            if status in (200, 201):
                success += len(chunk)
            else:
                failed += len(chunk)
        return {"type": "tracking", "tracking": {"success": success, "failed": failed}}, answers


def get_json(url, bearer):
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {bearer}"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def customers(n, start=0):
    return [
        {"email": f"mw{i}@example.com", "firstName": "Ada", "tags": ["multiwoven"]}
        for i in range(start, start + n)
    ]


def test_multiwoven_http_destination_end_to_end(deployment):
    shop = deployment.add_shop()
    deployment.start_worker(concurrency=2)
    bearer = secrets.token_urlsafe(24)
    base = start_serve(deployment, bearer, SHOPIFY_SYNC_HTTP_ANSWER="queued")
    url = f"{base}/shops/{shop}/customers/syncs/mw-42?key=email"
    destination = MultiwovenHttpDestination(url, {"Authorization": f"Bearer {bearer}"})

    assert destination.check_connection() == "succeeded"
    assert MultiwovenHttpDestination(url, {"Authorization": "Bearer nope"}).check_connection() == "failed"
    assert (
        MultiwovenHttpDestination(
            f"{base}/shops/unknown/customers/syncs/x", destination.headers
        ).check_connection()
        == "failed"
    )

    records = customers(25)
    records[3]["email"] = "broken"  # chunk 1
    records[21]["firstName"] = "x" * 300  # chunk 3
    tracking, answers = destination.write(records)
    assert tracking["tracking"] == {"success": 25, "failed": 0}
    assert [status for status, _ in answers] == [200, 200, 200]
    assert [body["accepted"] for _, body in answers] == [9, 10, 4]
    assert answers[0][1]["invalid"][0]["field"] == "email"

    # A chunk in which nothing can be written is failed, so Multiwoven shows it.
    tracking, answers = destination.write([{"email": "nope"}, {"email": "also-nope"}])
    assert tracking["tracking"] == {"success": 0, "failed": 2} and answers[0][0] == 422

    status_url = f"{base}/syncs/mw-42"
    assert wait_until(lambda: get_json(status_url, bearer)["finished"], timeout=60, interval=0.5)
    status = get_json(status_url, bearer)
    assert (status["total"], status["synced"], status["dead_lettered"]) == (27, 23, 4)
    assert status["shop"] == shop and status["resource"] == "customers"
    assert {letter["field"] for letter in status["dead_letters"]} == {"email", "firstName"}
    assert all(letter["message"] and letter["category"] == "validation" for letter in status["dead_letters"])

    stored = {c["email"] for c in deployment.sim.state.shop(shop).customers.all()}
    expected = {r["email"] for i, r in enumerate(records) if i not in (3, 21)}
    assert stored == expected

    # Multiwoven re-sends nothing unchanged; if a client does, nothing is written twice.
    tracking, answers = destination.write(records[:10])
    assert tracking["tracking"]["success"] == 10 and answers[0][1]["duplicates"] == 10
    assert get_json(status_url, bearer)["total"] == 27

    # The same status through the CLI, from Redis.
    done = deployment.cli("status", "mw-42", "--json")
    assert json.loads(done.stdout)["synced"] == 23


def test_sync_id_in_a_header_and_body_limits(deployment):
    shop = deployment.add_shop()
    deployment.start_worker(concurrency=1)
    bearer = secrets.token_urlsafe(24)
    base = start_serve(
        deployment, bearer, SHOPIFY_SYNC_HTTP_MAX_BODY_BYTES="4096", SHOPIFY_SYNC_HTTP_ANSWER="queued"
    )
    headers = {"Authorization": f"Bearer {bearer}", "X-Sync-Id": "header-sync"}
    destination = MultiwovenHttpDestination(f"{base}/shops/{shop}/customers", headers)
    tracking, _ = destination.write(customers(3))
    assert tracking["tracking"]["success"] == 3
    assert wait_until(lambda: get_json(f"{base}/syncs/header-sync", bearer)["synced"] == 3, timeout=60)

    big = [{"email": f"big{i}@example.com", "note": "n" * 1000} for i in range(10)]
    _, answers = destination.write(big)
    assert answers[0][0] == 413 and "limit 4096" in answers[0][1]["error"]
    status, body = destination._post(None)
    assert status == 400 and body["error"].startswith("body must be a JSON object")
