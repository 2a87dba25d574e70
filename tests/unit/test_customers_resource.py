import asyncio

import pytest

from worker.client import GraphQLResult
from worker.errors import UserErrorsError
from worker.resources import RecordInvalidError, WriteContext, get_resource
from worker.resources.customers import CUSTOMER_SET, EMAIL_CONSENT, METAFIELDS_SET, SMS_CONSENT

customers = get_resource("customers")
CTX = WriteContext(shop="acme", sync_id="s", record_keys=("r",), idempotency_key="k")


@pytest.mark.parametrize(
    ("record", "identifier"),
    [
        ({"id": "gid://shopify/Customer/5", "email": "a@x.io"}, {"id": "gid://shopify/Customer/5"}),
        (
            {"customId": {"namespace": "erp", "key": "id", "value": "C1"}, "email": "a@x.io"},
            {"customId": {"namespace": "erp", "key": "id", "value": "C1"}},
        ),
        ({"email": "a@x.io", "phone": "+14155550100"}, {"email": "a@x.io"}),
        ({"phone": "+14155550100"}, {"phone": "+14155550100"}),
        ({"firstName": "Ada"}, None),
    ],
)
def test_identity(record, identifier):
    variables = customers.build_variables(customers.validate(record))
    assert variables["identifier"] == identifier
    assert not {"id", "customId", "metafields", "emailMarketingConsent"} & set(variables["input"])


class Recorder:
    def __init__(self, fail=None):
        self.sent = []
        self.fail = fail

    async def __call__(self, document, variables, *, cost=None):
        self.sent.append((document, variables))
        field = {
            CUSTOMER_SET: "customerSet",
            EMAIL_CONSENT: "customerEmailMarketingConsentUpdate",
            SMS_CONSENT: "customerSmsMarketingConsentUpdate",
            METAFIELDS_SET: "metafieldsSet",
        }[document]
        errors = [{"field": ["x"], "message": "nope", "code": "INVALID"}] if document == self.fail else []
        return GraphQLResult(
            {field: {"customer": {"id": "gid://shopify/Customer/1"}, "userErrors": errors}},
            "req",
            10,
            10,
            None,
        )


RECORD = {
    "email": "a@x.io",
    "emailMarketingConsent": {"marketingState": "SUBSCRIBED", "marketingOptInLevel": "CONFIRMED_OPT_IN"},
    "smsMarketingConsent": {"marketingState": "UNSUBSCRIBED"},
    "metafields": [
        {"namespace": "erp", "key": f"k{i}", "type": "number_integer", "value": str(i)} for i in range(30)
    ],
}


def test_consent_and_metafields_follow_customer_set():
    send = Recorder()
    assert asyncio.run(customers.write([customers.validate(RECORD)], send, CTX)) == [
        "gid://shopify/Customer/1"
    ]
    assert [d for d, _ in send.sent] == [
        CUSTOMER_SET,
        EMAIL_CONSENT,
        SMS_CONSENT,
        METAFIELDS_SET,
        METAFIELDS_SET,
    ]
    email = send.sent[1][1]["input"]
    assert email == {
        "customerId": "gid://shopify/Customer/1",
        "emailMarketingConsent": {"marketingState": "SUBSCRIBED", "marketingOptInLevel": "CONFIRMED_OPT_IN"},
    }
    assert [len(v["metafields"]) for d, v in send.sent if d == METAFIELDS_SET] == [25, 5]
    assert all(m["ownerId"] == "gid://shopify/Customer/1" for m in send.sent[3][1]["metafields"])


def test_a_rejected_follow_up_dead_letters_the_record():
    [result] = asyncio.run(customers.write([customers.validate(RECORD)], Recorder(fail=SMS_CONSENT), CTX))
    assert isinstance(result, UserErrorsError) and result.code == "INVALID"


def test_consent_state_is_checked():
    with pytest.raises(RecordInvalidError) as exc:
        customers.validate({"email": "a@x.io", "emailMarketingConsent": {"marketingState": "MAYBE"}})
    assert "emailMarketingConsent.marketingState" in str(exc.value)
