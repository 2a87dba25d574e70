"""The CLI's error paths: bad configuration exits 2 with a message naming the file, shop and field."""

import json

import pytest
from typer.testing import CliRunner

from producers.cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def embedded_env(monkeypatch, tmp_path):
    for name in ("SHOPIFY_SYNC_REDIS_URL", "SHOPIFY_SYNC_SHOPS_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SHOPIFY_SYNC_OUTPUT_DIR", str(tmp_path / "out"))


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def sync_args(shops, mapping, rows, resource="customers"):
    return [
        "sync",
        "--shops",
        str(shops),
        "--shop",
        "acme",
        "--resource",
        resource,
        "--mapping",
        str(mapping),
        "--input",
        str(rows),
    ]


def test_bad_shops_file_names_file_shop_and_field(tmp_path):
    shops = write(tmp_path, "shops.toml", '[[shops]]\nshop_name = "acme"\naccess_token = "${NOPE_TOKEN}"\n')
    mapping = write(tmp_path, "m.json", "[]")
    rows = write(tmp_path, "rows.jsonl", "")
    result = runner.invoke(app, sync_args(shops, mapping, rows))
    assert result.exit_code == 2
    assert "shops.toml" in result.output and "acme" in result.output and "access_token" in result.output
    assert "NOPE_TOKEN" in result.output


def test_unknown_resource_is_a_usage_error(tmp_path):
    result = runner.invoke(
        app, sync_args(tmp_path / "x.toml", tmp_path / "m.json", tmp_path / "r", "widgets")
    )
    assert result.exit_code == 2 and "unknown resource 'widgets'" in result.output


def test_bad_mapping_names_the_entry(tmp_path, monkeypatch):
    monkeypatch.setenv("ACME_TOKEN", "shpat_cli_secret_1")
    shops = write(tmp_path, "shops.toml", '[[shops]]\nshop_name = "acme"\naccess_token = "${ACME_TOKEN}"\n')
    mapping = write(tmp_path, "m.json", json.dumps([{"mapping_type": "standard", "from": "a"}]))
    rows = write(tmp_path, "rows.jsonl", '{"a": 1}\n')
    result = runner.invoke(app, sync_args(shops, mapping, rows))
    assert result.exit_code == 2 and "mapping[0]" in result.output
    assert "shpat_cli_secret_1" not in result.output


def test_status_in_embedded_mode_reads_the_report_file(tmp_path):
    folder = tmp_path / "out" / "s-1"
    folder.mkdir(parents=True)
    (folder / "report.json").write_text(json.dumps({"sync_id": "s-1", "synced": 3}), encoding="utf-8")
    result = runner.invoke(app, ["status", "s-1", "--json"])
    assert result.exit_code == 0 and json.loads(result.output)["synced"] == 3
    missing = runner.invoke(app, ["status", "nope"])
    assert missing.exit_code == 2 and "no report" in missing.output
