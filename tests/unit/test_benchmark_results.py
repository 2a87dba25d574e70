"""Kept benchmark results are named after their date and commit, and hold both."""

import datetime
import json

from benchmarks import results


def test_path_names_the_date_the_commit_and_the_benchmark():
    path = results.result_path("chaos", day=datetime.date(2026, 12, 5), revision="abc1234567")
    assert path == results.RESULTS_DIR / "2026-12-05-abc1234567-chaos.json"


def test_saved_result_carries_its_commit(tmp_path, monkeypatch):
    monkeypatch.setattr(results, "RESULTS_DIR", tmp_path)
    monkeypatch.setattr(results, "commit", lambda: "0123456789")
    path = results.save("throughput", {"mode": "full", "scenarios": {}})
    kept = json.loads(path.read_text(encoding="utf-8"))
    assert path.parent == tmp_path and path.name.endswith("-0123456789-throughput.json")
    assert (kept["benchmark"], kept["commit"], kept["mode"]) == ("throughput", "0123456789", "full")


def test_the_commit_is_this_checkout_s_head():
    revision = results.commit()
    assert revision != "unknown" and len(revision.removesuffix("-dirty")) == 10


def test_keep_follows_the_switch_and_else_the_benchmark_s_default(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(results, "RESULTS_DIR", tmp_path)
    monkeypatch.setattr(results, "commit", lambda: "0123456789")
    results.keep("quick", {}, asked=None, by_default=False)
    results.keep("refused", {}, asked=False, by_default=True)
    results.keep("asked", {}, asked=True, by_default=False)
    results.keep("full", {}, asked=None, by_default=True)
    kept = sorted(path.name.rsplit("-", 1)[1] for path in tmp_path.iterdir())
    assert kept == ["asked.json", "full.json"]
    assert "kept as" in capsys.readouterr().err
