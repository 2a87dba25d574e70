"""The GraphQL documents of the orders resource."""

# What a lookup reads of an order: its state, and the fields an update would change (``order_changes``).
ORDER_FIELDS = """id sourceIdentifier closed cancelledAt displayFinancialStatus email phone note tags poNumber
    shippingAddress { address1 address2 city company countryCodeV2 firstName lastName phone provinceCode zip }
    customAttributes { key value }"""

ORDER_BY_ID = f"""
query OrderById($id: ID!) {{
  order(id: $id) {{ {ORDER_FIELDS} }}
}}
""".strip()

FIND_ORDER = f"""
query FindOrder($query: String!) {{
  orders(first: 5, query: $query) {{
    nodes {{ {ORDER_FIELDS} }}
  }}
}}
""".strip()

ORDER_CREATE = """
mutation OrderCreate($order: OrderCreateOrderInput!, $options: OrderCreateOptionsInput) {
  orderCreate(order: $order, options: $options) {
    order { id closed cancelledAt displayFinancialStatus }
    userErrors { field message code }
  }
}
""".strip()

ORDER_UPDATE = """
mutation OrderUpdate($input: OrderInput!) {
  orderUpdate(input: $input) {
    order { id }
    userErrors { field message }
  }
}
""".strip()

ORDER_CLOSE = """
mutation OrderClose($input: OrderCloseInput!) {
  orderClose(input: $input) { order { id } userErrors { field message } }
}
""".strip()

ORDER_OPEN = """
mutation OrderOpen($input: OrderOpenInput!) {
  orderOpen(input: $input) { order { id } userErrors { field message } }
}
""".strip()

ORDER_MARK_AS_PAID = """
mutation OrderMarkAsPaid($input: OrderMarkAsPaidInput!) {
  orderMarkAsPaid(input: $input) { order { id } userErrors { field message } }
}
""".strip()

ORDER_CANCEL = """
mutation OrderCancel($orderId: ID!, $reason: OrderCancelReason!, $restock: Boolean!,
  $refundMethod: OrderCancelRefundMethodInput, $notifyCustomer: Boolean, $staffNote: String) {
  orderCancel(orderId: $orderId, reason: $reason, restock: $restock, refundMethod: $refundMethod,
              notifyCustomer: $notifyCustomer, staffNote: $staffNote) {
    job { id }
    orderCancelUserErrors { field message code }
  }
}
""".strip()
