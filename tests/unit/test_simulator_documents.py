"""Every GraphQL document the simulator tests send, in one place.

``DOCUMENTS`` must be valid: tests/test_simulator_schema_subset.py validates each one against
Shopify's real schema as well. ``INVALID_DOCUMENTS`` are wrong on purpose.
"""

import pytest
from graphql import parse, validate

from simulator.schema import simulator_schema

CUSTOMER_FIELDS = "id email phone firstName lastName note tags locale taxExempt taxExemptions"

DOCUMENTS = {
    "customer_set": f"""
        mutation CustomerSet($input: CustomerSetInput!, $identifier: CustomerSetIdentifiers) {{
          customerSet(input: $input, identifier: $identifier) {{
            customer {{ {CUSTOMER_FIELDS} }}
            userErrors {{ field message code }}
          }}
        }}""",
    "customer_set_small": """
        mutation CustomerSet($input: CustomerSetInput!, $identifier: CustomerSetIdentifiers) {
          customerSet(input: $input, identifier: $identifier) {
            customer { id email }
            userErrors { field message code }
          }
        }""",
    "customer_set_email_address": """
        mutation CustomerSet($input: CustomerSetInput!) {
          customerSet(input: $input) {
            customer { id email defaultEmailAddress { emailAddress } }
            userErrors { field message }
          }
        }""",
    "customer_set_addresses": """
        mutation CustomerSet($input: CustomerSetInput!, $identifier: CustomerSetIdentifiers) {
          customerSet(input: $input, identifier: $identifier) {
            customer {
              id
              displayName
              defaultAddress { city formattedArea }
              addressesV2(first: 5) {
                nodes { id address1 city province country zip formattedArea }
                pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
              }
            }
            userErrors { field message code }
          }
        }""",
    "customer_set_idempotent": """
        mutation CustomerSet($input: CustomerSetInput!) {
          customerSet(input: $input) @idempotent(key: "3f5b6ebf-143c-4da5-8d0f-fb8553bfd85d") {
            customer { id }
            userErrors { field message code }
          }
        }""",
    "shop": "query Shop { shop { id name myshopifyDomain } }",
    "scopes": "query Scopes { currentAppInstallation { accessScopes { handle } } }",
    "customer": f"query Customer($id: ID!) {{ customer(id: $id) {{ {CUSTOMER_FIELDS} displayName }} }}",
    "customer_by_identifier": """
        query ByIdentifier($identifier: CustomerIdentifierInput!) {
          customerByIdentifier(identifier: $identifier) { id email phone }
        }""",
    "customers_page": """
        query Customers($first: Int, $last: Int, $after: String, $before: String, $query: String,
                        $sortKey: CustomerSortKeys, $reverse: Boolean) {
          customers(first: $first, last: $last, after: $after, before: $before, query: $query,
                    sortKey: $sortKey, reverse: $reverse) {
            edges { cursor node { id email } }
            pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
          }
        }""",
    "customers_nodes": """
        query Customers($first: Int!) {
          customers(first: $first) { nodes { id email defaultEmailAddress { emailAddress } } }
        }""",
    "customers_with_fragment": """
        query Customers {
          customers(first: 3) { nodes { ...CustomerBits } }
        }
        fragment CustomerBits on Customer { id defaultPhoneNumber { phoneNumber } }""",
    "node": """
        query Node($id: ID!) {
          node(id: $id) { id ... on Customer { email } ... on MailingAddress { city } }
        }""",
    "nodes": "query Nodes($ids: [ID!]!) { nodes(ids: $ids) { id } }",
    "expensive": """
        query Expensive {
          products(first: 250) { nodes { variants(first: 250) { nodes {
            inventoryItem { inventoryLevels(first: 250) { nodes { id } } }
          } } } }
        }""",
    "skip_include": """
        query Q($skip: Boolean!) {
          shop @skip(if: $skip) { id }
          currentAppInstallation @include(if: true) { id }
        }""",
    "aliases": """
        query Q {
          a: customer(id: "gid://shopify/Customer/1") { id }
          b: customer(id: "gid://shopify/Customer/2") { id }
        }""",
    "two_operations": """
        query First { shop { id } }
        query Second { shop { name } }""",
}

PRODUCT_FIELDS = """
    id title handle descriptionHtml vendor productType status tags createdAt updatedAt
    seo { title description }
    options { id name position values optionValues { id name hasVariants } }
    variantsCount { count precision }
"""
VARIANT_FIELDS = """
    id title sku barcode price compareAtPrice position inventoryPolicy taxable
    selectedOptions { name value }
    inventoryItem {
      id sku tracked requiresShipping unitCost { amount currencyCode }
      measurement { weight { value unit } }
    }
"""
ORDER_FIELDS = """
    id name email phone note tags poNumber sourceName sourceIdentifier test closed closedAt cancelledAt
    cancelReason displayFinancialStatus displayFulfillmentStatus processedAt currencyCode discountCode
    customer { id email }
    shippingAddress { address1 city countryCodeV2 zip }
    billingAddress { address1 city }
    customAttributes { key value }
    totalPriceSet { shopMoney { amount currencyCode } }
    totalOutstandingSet { shopMoney { amount } }
    subtotalPriceSet { shopMoney { amount } }
    totalTaxSet { shopMoney { amount } }
    totalShippingPriceSet { shopMoney { amount } }
    totalDiscountsSet { shopMoney { amount } }
    lineItems(first: 10) {
      nodes {
        id title name quantity sku variantTitle
        variant { id }
        originalUnitPriceSet { shopMoney { amount currencyCode } }
        taxLines { title rate priceSet { shopMoney { amount } } }
      }
    }
    shippingLines(first: 5) { nodes { title code originalPriceSet { shopMoney { amount } } } }
    taxLines { title rate }
    transactions { kind status gateway amountSet { shopMoney { amount } } }
"""

DOCUMENTS.update(
    {
        "product_set": f"""
            mutation ProductSet($input: ProductSetInput!, $identifier: ProductSetIdentifiers,
                                $synchronous: Boolean) {{
              productSet(input: $input, identifier: $identifier, synchronous: $synchronous) {{
                product {{
                  {PRODUCT_FIELDS}
                  variants(first: 100) {{ nodes {{ {VARIANT_FIELDS} }} }}
                  metafields(first: 10) {{ nodes {{ namespace key type value }} }}
                }}
                productSetOperation {{ id status product {{ id }} userErrors {{ field message code }} }}
                userErrors {{ field message code }}
              }}
            }}""",
        "product_set_small": """
            mutation ProductSet($input: ProductSetInput!, $identifier: ProductSetIdentifiers) {
              productSet(input: $input, identifier: $identifier) {
                product { id handle }
                userErrors { field message code }
              }
            }""",
        "product": f"""
            query Product($id: ID!) {{
              product(id: $id) {{
                {PRODUCT_FIELDS}
                totalInventory tracksInventory hasOnlyDefaultVariant legacyResourceId
                variants(first: 100) {{ nodes {{ {VARIANT_FIELDS} }} pageInfo {{ hasNextPage endCursor }} }}
                metafield(namespace: "custom", key: "ext_id") {{ value }}
              }}
            }}""",
        "product_variants_page": """
            query Variants($id: ID!, $first: Int!, $after: String) {
              product(id: $id) {
                variants(first: $first, after: $after) {
                  nodes { id title position }
                  pageInfo { hasNextPage endCursor }
                }
              }
            }""",
        "product_by_identifier": """
            query ByIdentifier($identifier: ProductIdentifierInput!) {
              productByIdentifier(identifier: $identifier) { id handle title }
            }""",
        "products": """
            query Products($first: Int!, $query: String, $sortKey: ProductSortKeys) {
              products(first: $first, query: $query, sortKey: $sortKey) { nodes { id handle title } }
            }""",
        "product_variants": """
            query Variants($first: Int!, $query: String) {
              productVariants(first: $first, query: $query) {
                nodes { id sku displayName inventoryQuantity product { id handle } inventoryItem { id } }
              }
            }""",
        "locations": """
            query Locations($first: Int!, $query: String) {
              locations(first: $first, query: $query) { nodes { id name isActive legacyResourceId } }
            }""",
        "inventory_set": """
            mutation Set($input: InventorySetQuantitiesInput!, $key: String!) {
              inventorySetQuantities(input: $input) @idempotent(key: $key) {
                inventoryAdjustmentGroup {
                  id createdAt reason referenceDocumentUri
                  changes { name delta quantityAfterChange item { id } location { id name } }
                }
                userErrors { field message code }
              }
            }""",
        "inventory_set_small": """
            mutation Set($input: InventorySetQuantitiesInput!, $key: String!) {
              inventorySetQuantities(input: $input) @idempotent(key: $key) {
                inventoryAdjustmentGroup { id }
                userErrors { field message code }
              }
            }""",
        "inventory_set_without_key": """
            mutation Set($input: InventorySetQuantitiesInput!) {
              inventorySetQuantities(input: $input) {
                inventoryAdjustmentGroup { id }
                userErrors { field message code }
              }
            }""",
        "inventory_levels": """
            query Levels($id: ID!, $locationId: ID!) {
              inventoryItem(id: $id) {
                id tracked
                variant { id sku }
                inventoryLevel(locationId: $locationId) {
                  id location { id name }
                  quantities(names: ["available", "on_hand", "committed"]) { name quantity }
                }
                inventoryLevels(first: 10) {
                  nodes { location { name } quantities(names: ["available"]) { quantity } }
                }
              }
            }""",
        "order_create": f"""
            mutation OrderCreate($order: OrderCreateOrderInput!, $options: OrderCreateOptionsInput) {{
              orderCreate(order: $order, options: $options) {{
                order {{ {ORDER_FIELDS} }}
                userErrors {{ field message code }}
              }}
            }}""",
        "order_create_small": """
            mutation OrderCreate($order: OrderCreateOrderInput!, $options: OrderCreateOptionsInput) {
              orderCreate(order: $order, options: $options) {
                order { id }
                userErrors { field message code }
              }
            }""",
        "order_create_lines": """
            mutation OrderCreate($order: OrderCreateOrderInput!) {
              orderCreate(order: $order) {
                order { id lineItems(first: 10) { nodes { id variant { id } } } }
                userErrors { field message code }
              }
            }""",
        "order": f"""
            query Order($id: ID!) {{
              order(id: $id) {{ {ORDER_FIELDS} metafields(first: 5) {{ nodes {{ key value }} }} }}
            }}""",
        "orders_lookup": """
            query FindOrder($query: String!) {
              orders(first: 5, query: $query) { nodes { id name sourceIdentifier createdAt } }
            }""",
        "order_by_identifier": """
            query ByIdentifier($identifier: OrderIdentifierInput!) {
              orderByIdentifier(identifier: $identifier) { id name }
            }""",
        "order_update": """
            mutation OrderUpdate($input: OrderInput!) {
              orderUpdate(input: $input) {
                order {
                  id email phone note tags poNumber
                  shippingAddress { address1 city zip }
                  customAttributes { key value }
                  metafields(first: 5) { nodes { namespace key value } }
                }
                userErrors { field message }
              }
            }""",
        "order_close": """
            mutation Close($input: OrderCloseInput!) {
              orderClose(input: $input) { order { id closed closedAt } userErrors { field message } }
            }""",
        "order_open": """
            mutation Open($input: OrderOpenInput!) {
              orderOpen(input: $input) { order { id closed closedAt } userErrors { field message } }
            }""",
        "order_mark_as_paid": """
            mutation MarkAsPaid($input: OrderMarkAsPaidInput!) {
              orderMarkAsPaid(input: $input) {
                order { id displayFinancialStatus canMarkAsPaid transactions { kind gateway } }
                userErrors { field message }
              }
            }""",
        "order_cancel": """
            mutation Cancel($orderId: ID!, $reason: OrderCancelReason!, $restock: Boolean!, $refund: Boolean,
                            $refundMethod: OrderCancelRefundMethodInput, $notifyCustomer: Boolean,
                            $staffNote: String) {
              orderCancel(orderId: $orderId, reason: $reason, restock: $restock, refund: $refund,
                          refundMethod: $refundMethod, notifyCustomer: $notifyCustomer,
                          staffNote: $staffNote) {
                job { id done }
                orderCancelUserErrors { field message code }
                userErrors { field message }
              }
            }""",
        "job": "query Job($id: ID!) { job(id: $id) { id done } }",
        "metafields_set": """
            mutation MetafieldsSet($metafields: [MetafieldsSetInput!]!) {
              metafieldsSet(metafields: $metafields) {
                metafields { id namespace key type value compareDigest ownerType createdAt }
                userErrors { field message code elementIndex }
              }
            }""",
        "customer_metafields": """
            query CustomerMetafields($id: ID!) {
              customer(id: $id) {
                id
                metafield(namespace: "loyalty", key: "tier") { value type }
                metafields(first: 10) { nodes { namespace key value } }
              }
            }""",
        "email_consent": """
            mutation EmailConsent($input: CustomerEmailMarketingConsentUpdateInput!) {
              customerEmailMarketingConsentUpdate(input: $input) {
                customer {
                  id
                  defaultEmailAddress { emailAddress marketingState marketingOptInLevel marketingUpdatedAt }
                }
                userErrors { field message code }
              }
            }""",
        "sms_consent": """
            mutation SmsConsent($input: CustomerSmsMarketingConsentUpdateInput!) {
              customerSmsMarketingConsentUpdate(input: $input) {
                customer {
                  id
                  defaultPhoneNumber { phoneNumber marketingState marketingOptInLevel marketingCollectedFrom }
                }
                userErrors { field message code }
              }
            }""",
        "product_node": """
            query Node($ids: [ID!]!) {
              nodes(ids: $ids) {
                id
                ... on Product { handle }
                ... on ProductVariant { sku }
                ... on Order { name }
                ... on Location { name }
              }
            }""",
    }
)

INVALID_DOCUMENTS = {
    "undefined_field": "query GetShop { shop { id nope } }",
    "missing_selection": "query GetShop { shop }",
    "unknown_argument": 'query GetShop { customer(id: "gid://shopify/Customer/1", bogus: 1) { id } }',
    "missing_argument": "mutation Set { customerSet { customer { id } } }",
    "syntax": "query GetShop { shop { id ",
}


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_document_is_valid_for_the_simulator(name):
    assert validate(simulator_schema(), parse(DOCUMENTS[name])) == []


@pytest.mark.parametrize("name", sorted(set(INVALID_DOCUMENTS) - {"syntax"}))
def test_invalid_document_is_invalid(name):
    assert validate(simulator_schema(), parse(INVALID_DOCUMENTS[name])) != []
