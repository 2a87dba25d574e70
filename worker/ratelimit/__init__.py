from worker.ratelimit.limiter import Reservation, ShopLimiter

__all__ = ["Reservation", "ShopLimiter"]
