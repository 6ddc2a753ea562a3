"""``kosi-sim app``: the teaching app in the browser."""

from __future__ import annotations

from .common import UsageError, add_server_args


def register(subparsers) -> None:
    app = subparsers.add_parser(
        "app",
        help="open the interactive city in the browser (teaching app)",
        description="Serve the teaching app on this computer (no internet needed): the "
        "city with and without its lab side by side, a district map, charts and the "
        "initiatives. Open the printed address in a browser; Ctrl+C stops it.",
    )
    add_server_args(app, 8765, "address to listen on (default 127.0.0.1: this computer only)")
    app.set_defaults(func=cmd_app)


def cmd_app(args) -> int:
    from ..app.server import AppError, serve

    try:
        return serve(args.scenario, lang=args.lang, host=args.host, port=args.port)
    except AppError as e:
        raise UsageError(str(e)) from None
