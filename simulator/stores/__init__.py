"""In-memory, per-shop stores of simulated Shopify resources (one module per resource)."""
