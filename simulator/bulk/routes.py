"""HTTP side of bulk mutations: the staged upload target and the result files.

``POST /_bulk/uploads`` takes a form as Google Cloud Storage does for Shopify's staged uploads: the
target's parameters as fields, the file last in a field named ``file``; it answers 201 with an XML body.
``GET /_bulk/results/{shop}/{number}.jsonl`` serves an operation's result (or partial) file.
"""

from __future__ import annotations

from aiohttp import BodyPartReader, web

from simulator.bulk.book import BulkOperation
from simulator.state import ShopState, SimulatorState

_CREATED = (
    '<?xml version="1.0" encoding="UTF-8"?><PostResponse><Location>{location}</Location>'
    "<Key>{key}</Key></PostResponse>"
)


def add_bulk_routes(app: web.Application, key: web.AppKey[SimulatorState]) -> None:
    """Serve staged uploads and result files for the state under ``key``."""

    async def upload(request: web.Request) -> web.Response:
        state = request.app[key]
        fields: dict[str, str] = {}
        content: bytearray | None = None
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader):
                continue
            if part.name == "file":
                content = bytearray()
                while chunk := await part.read_chunk():
                    content.extend(chunk)
                    if len(content) > _limit(state, fields.get("key", "")):
                        return _xml_error(400, "EntityTooLarge", "Your proposed upload exceeds the maximum")
            elif part.name:
                fields[part.name] = await part.text()
        shop = _shop_of(state, fields.get("key", ""))
        if shop is None or content is None:
            return _xml_error(400, "InvalidArgument", "A key and a file field are required")
        shop.bulk.stage(fields["key"], bytes(content))
        body = _CREATED.format(
            location=f"{request.scheme}://{request.host}/{fields['key']}", key=fields["key"]
        )
        return web.Response(status=201, text=body, content_type="application/xml")

    async def result(request: web.Request) -> web.Response:
        state = request.app[key]
        operation = _operation(state, request.match_info["shop"], request.match_info["number"])
        if operation is None or not operation.result_ready or operation.lost:
            return _xml_error(404, "NoSuchKey", "The specified key does not exist.")
        return web.Response(text=operation.result_text(), content_type="application/jsonl")

    app.router.add_post("/_bulk/uploads", upload)
    app.router.add_get("/_bulk/results/{shop}/{number}.jsonl", result)


def _shop_of(state: SimulatorState, path: str) -> ShopState | None:
    """The shop a staged path belongs to (``tmp/<shop number>/bulk/<uuid>/<filename>``)."""
    parts = path.split("/")
    if len(parts) < 4 or parts[0] != "tmp" or parts[2] != "bulk":
        return None
    for name in state.shop_names():
        shop = state.shop(name)
        if str(shop.number) == parts[1]:
            return shop
    return None


def _limit(state: SimulatorState, path: str) -> int:
    shop = _shop_of(state, path)
    return shop.bulk.config.max_upload_bytes if shop else 0


def _operation(state: SimulatorState, shop_name: str, number: str) -> BulkOperation | None:
    shop = state.find_shop(shop_name)
    if shop is None or not number.isdigit():
        return None
    operation = shop.bulk.get(int(number))
    if operation is not None and shop.bulk.config.lose_result and operation.status == "COMPLETED":
        operation.lost = True
    return operation


def _xml_error(status: int, code: str, message: str) -> web.Response:
    body = f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code><Message>{message}</Message>'
    body += "</Error>"
    return web.Response(status=status, text=body, content_type="application/xml")
