#!/usr/bin/env bash
# Install the project with its development extras into .venv, make sure a Redis server is reachable
# (starting one when none is), then run lint, type checks and the whole test suite.
# Usage: bash scripts/test.sh [pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[dev]'

redis_url=${SHOPIFY_SYNC_TEST_REDIS_URL:-redis://127.0.0.1:6379/13}
redis_up() { .venv/bin/python -c "import redis, sys; redis.Redis.from_url(sys.argv[1], socket_timeout=2).ping()" "$1" 2>/dev/null; }
if ! redis_up "$redis_url"; then
  if ! command -v redis-server >/dev/null; then
    echo "No Redis at $redis_url and no redis-server to start (install it: apt-get install redis-server)." >&2
    exit 2
  fi
  port=6390
  redis_url="redis://127.0.0.1:$port/13"
  if ! redis_up "$redis_url"; then
    echo "starting redis-server on 127.0.0.1:$port" >&2
    redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
      --dir "${TMPDIR:-/tmp}" --logfile "${TMPDIR:-/tmp}/shopify-sync-test-redis.log"
    for _ in $(seq 50); do redis_up "$redis_url" && break; sleep 0.1; done
  fi
fi
export SHOPIFY_SYNC_TEST_REDIS_URL=$redis_url

.venv/bin/ruff check .
.venv/bin/mypy
.venv/bin/python -m pytest "$@"
