import pytest

from simulator import FaultConfig, ShopSpec


def test_fault_config_round_trips():
    config = FaultConfig(
        latency_ms=15,
        latency_jitter_ms=10,
        error_rate=0.02,
        error_statuses=(502,),
        reset_rate=0.01,
        throttle_response="http429",
        seed=7,
    )
    data = config.to_dict()
    assert data["error_statuses"] == [502]
    assert FaultConfig.from_dict(data) == config


def test_fault_config_defaults_for_missing_fields():
    assert FaultConfig.from_dict({"latency_ms": "20"}) == FaultConfig(latency_ms=20.0)


@pytest.mark.parametrize(
    "data",
    [
        {"error_rate": 1.5},
        {"reset_rate": -0.1},
        {"error_rate": 0.7, "reset_rate": 0.5},
        {"latency_ms": -1},
        {"throttle_response": "http503"},
        {"error_rate": 0.1, "error_statuses": []},
    ],
)
def test_fault_config_rejects_bad_values(data):
    with pytest.raises(ValueError):
        FaultConfig.from_dict(data)


def test_fault_config_rejects_unknown_fields():
    with pytest.raises(TypeError, match="bogus"):
        FaultConfig.from_dict({"bogus": 1})


def test_shop_spec_defaults_and_round_trip():
    spec = ShopSpec("acme", "tok")
    assert (spec.bucket_size, spec.restore_rate) == (2000.0, 100.0)
    assert spec.scopes == (
        "write_customers",
        "write_products",
        "write_orders",
        "write_inventory",
        "read_locations",
    )
    assert ShopSpec.from_dict(spec.to_dict()) == spec


def test_shop_spec_requires_name_and_token():
    with pytest.raises(TypeError):
        ShopSpec.from_dict({"name": "acme"})
    with pytest.raises(ValueError):
        ShopSpec.from_dict({"name": "", "access_token": "t"})
