-- A shop's leaky bucket of GraphQL cost points, shared by every worker process through Redis.
--
-- KEYS[1]  hash  bucket: available, capacity, rate, ts (seconds, from Redis TIME); fresh (the send time
--                of the newest request whose answer was adopted, 0 until the server has told us anything);
--                tat (when the work booked so far is paid for, see book)
-- KEYS[2]  zset  reservations in flight: member "<token>|<cost>", score = send time + lifetime (s)
-- ARGV[1]  op: "acquire", "reconcile" or "book"
-- ARGV[2]  token: unique per request
-- ARGV[3]  cost: points requested by the request (book: by the whole batch)
-- ARGV[4]  capacity to assume until the server has told us (points)
-- ARGV[5]  restore rate to assume until the server has told us (points/s)
-- ARGV[6]  reservation lifetime (s): a reservation whose worker died stops counting after it
-- reconcile only:
-- ARGV[7]  server currentlyAvailable, or "" when the answer carried no throttleStatus
-- ARGV[8]  server maximumAvailable, or ""
-- ARGV[9]  server restoreRate, or ""
-- ARGV[10] actualQueryCost, or "" when unknown
--
-- acquire: refills the bucket for the time elapsed; when it holds `cost` points, takes them and
--   records the reservation. Returns {1, "0", available} or {0, wait_s, available}, where wait_s is
--   the time until the bucket will hold `cost` points, or "-1" when it never can (cost > capacity).
-- reconcile: drops the reservation and refunds what the request did not use (cost - actual). When the
--   answer carried throttleStatus, capacity and rate are learned, and the server's figure less the points
--   reserved by our other requests still in flight becomes the estimate if it is lower (the server saw
--   something we did not), or if it is higher and the answer is the newest yet: answers arrive out of
--   order, and an older answer's figure predates requests the server has already charged since.
-- book: admission of a batch (GCRA). `tat` is when the work booked so far will have been paid for at the
--   restore rate; the batch may start once the whole bucket covers what is booked up to its end. Returns
--   {1, wait_s, available}: booked, to start in wait_s seconds (0: now). Until the server has told us the
--   shop's bucket, only what fits the assumed bucket at once is booked; any other batch gets
--   {0, UNLEARNED_WAIT_S, available}: ask again shortly, as a schedule made with the assumed figures
--   would hold a Plus shop's batches back ten times too long.
-- Every reply carries a 4th value: "1" once the server has told us the shop's bucket, else "0".
-- Numbers are returned as strings: Redis would truncate Lua floats to integers.

local UNLEARNED_WAIT_S = 1.0
local bucket, inflight = KEYS[1], KEYS[2]
local op, token, cost = ARGV[1], ARGV[2], tonumber(ARGV[3])
local ttl = tonumber(ARGV[6])

local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000

local state = redis.call('HMGET', bucket, 'available', 'capacity', 'rate', 'ts', 'fresh', 'tat')
local capacity = tonumber(state[2]) or tonumber(ARGV[4])
local rate = tonumber(state[3]) or tonumber(ARGV[5])
local available = tonumber(state[1]) or capacity
local ts = tonumber(state[4]) or now
local fresh = tonumber(state[5]) or 0
local tat = math.max(tonumber(state[6]) or now, now)

available = math.min(capacity, available + math.max(0, now - ts) * rate)
redis.call('ZREMRANGEBYSCORE', inflight, '-inf', now)

local granted, wait = 0, 0
if op == 'acquire' then
  if available >= cost then
    available = available - cost
    granted = 1
    redis.call('ZADD', inflight, now + ttl, token .. '|' .. ARGV[3])
  elseif cost > capacity then
    wait = -1
  else
    wait = (cost - available) / rate
  end
elseif op == 'book' then
  local booked = tat + cost / rate
  wait = math.max(0, booked - capacity / rate - now)
  if fresh > 0 or wait == 0 then
    tat, granted = booked, 1
  else
    wait = UNLEARNED_WAIT_S
  end
else
  local member = token .. '|' .. ARGV[3]
  local expiry = tonumber(redis.call('ZSCORE', inflight, member))
  local sent = expiry and (expiry - ttl) or 0
  redis.call('ZREM', inflight, member)
  local actual = tonumber(ARGV[10])
  if actual and expiry then
    available = math.min(capacity, available + math.max(0, cost - actual))
  end
  local server_available = tonumber(ARGV[7])
  if server_available then
    capacity = tonumber(ARGV[8]) or capacity
    local old_rate = rate
    rate = tonumber(ARGV[9]) or rate
    -- Work booked at the old rate takes a different time at the new one.
    tat = now + (tat - now) * old_rate / rate
    local reserved = 0
    for _, m in ipairs(redis.call('ZRANGE', inflight, 0, -1)) do
      reserved = reserved + tonumber(string.match(m, '|([^|]+)$'))
    end
    local server = math.max(0, math.min(capacity, server_available - reserved))
    if server < available or sent >= fresh then
      available = server
    end
    fresh = math.max(fresh, sent, 1)
  end
  granted = 1
end

redis.call('HSET', bucket, 'available', tostring(available), 'capacity', tostring(capacity),
           'rate', tostring(rate), 'ts', tostring(now), 'fresh', tostring(fresh), 'tat', tostring(tat))
redis.call('EXPIRE', bucket, 86400)
redis.call('EXPIRE', inflight, math.ceil(ttl) + 60)
return {granted, tostring(wait), tostring(available), fresh > 0 and '1' or '0'}
