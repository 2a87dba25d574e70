# One image for the worker, Flower, the HTTP producer and the simulator.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY settings ./settings
COPY worker ./worker
COPY producers ./producers
COPY simulator ./simulator
RUN pip install --no-cache-dir '.[flower]' && useradd --create-home --uid 10001 app
USER app
CMD ["shopify-sync", "--help"]
