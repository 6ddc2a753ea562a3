"""``kosi-sim classroom``: the role-play server for a seminar (see kosi_sim/classroom)."""

from __future__ import annotations

from pathlib import Path

from .common import UsageError, add_server_args


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "classroom",
        help="serve the classroom role-play: one shared city, governed year by year",
        description="Serve the classroom role-play on this computer (no internet needed): a "
        "facilitator console, a join page for students, role pages and a public view for the "
        "projector. Rooms live in an SQLite file in --data, so a restart loses nothing. "
        "Ctrl+C stops it.",
    )
    add_server_args(
        p,
        8800,
        "address to listen on (default 127.0.0.1: this computer only; another address "
        "lets anyone on the network with a room code join)",
    )
    p.add_argument(
        "--data",
        default="classroom-data",
        help="folder of the rooms' SQLite file and the exports (default ./classroom-data)",
    )
    p.set_defaults(func=cmd_classroom)


def cmd_classroom(args) -> int:
    import socket
    import sys

    from ..scenario import resolve

    if not 1 <= args.port <= 65535:
        raise UsageError(f"--port {args.port} is not allowed; allowed: 1 to 65535")
    scenario = resolve(args.scenario)
    data = Path(args.data)
    if data.exists() and not data.is_dir():
        raise UsageError(f"--data {args.data} exists and is not a folder; choose another --data")
    try:
        with socket.socket() as s:
            s.bind((args.host, args.port))
    except OSError as e:
        raise UsageError(
            f"cannot listen on {args.host}:{args.port} ({e.strerror}); "
            "choose another --port or --host"
        ) from None
    try:
        data.mkdir(parents=True, exist_ok=True)
        probe = data / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as e:
        raise UsageError(
            f"--data {args.data}: cannot write there ({e.strerror}); choose another --data"
        ) from None
    import uvicorn

    from ..classroom.server import create_app
    from ..classroom.store import StoreError

    try:
        app = create_app(scenario, data, args.lang)
    except StoreError as e:
        raise UsageError(str(e)) from None
    key = app.state.classroom.key
    url = f"http://{args.host}:{args.port}"
    print(f"kosi-sim classroom: {scenario.name}, data in {data.resolve()}")
    print(f"  facilitator: {url}/facilitator#key={key}")
    print(f"  students:    {url}/   public view: {url}/view/<room code>")
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(
            f"kosi-sim classroom: warning: listening on {args.host}: anyone on the network "
            "who has a room code can join",
            file=sys.stderr,
        )
    sys.stdout.flush()
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0
