"""The GraphQL documents of the orders resource."""

ORDER_BY_ID = """
query OrderById($id: ID!) {
  order(id: $id) { id sourceIdentifier closed cancelledAt displayFinancialStatus }
}
""".strip()

# Read only before an update that carries a shipping address, to leave an unchanged one out.
ORDER_ADDRESS = """
query OrderAddress($id: ID!) {
  order(id: $id) {
    shippingAddress { address1 address2 city company countryCodeV2 firstName lastName phone provinceCode zip }
  }
}
""".strip()

FIND_ORDER = """
query FindOrder($query: String!) {
  orders(first: 5, query: $query) {
    nodes { id sourceIdentifier closed cancelledAt displayFinancialStatus }
  }
}
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
