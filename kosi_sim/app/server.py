"""Starting the app: checks first, then a local Solara server that needs no internet.

Solara's page loads its scripts, styles and fonts through ``/_solara/cdn/``, a proxy to a
public CDN with a cache in ``<prefix>/share/solara/cdn``.  The ``solara-assets`` package
(pinned to the Solara version) fills that cache at install time, so nothing is fetched at
run time.  :func:`missing_assets` checks that the files the page template asks for are
there, and the server runs with Solara's telemetry and version check switched off: no
"New version of Solara available" notice (``solara run --no-check-version``; Solara has no
environment variable for it) and no question to the internet.  The environment changes
are made for the server's process only, never for the user's shell.
"""

from __future__ import annotations

import errno
import os
import socket
import subprocess
import sys
from pathlib import Path

from . import i18n

#: the page template of the pinned Solara loads these (ipyvuetify 1.x: the Vuetify 2 app)
REQUIRED_ASSETS = (
    "@widgetti/solara-vuetify-app@10.1.1/dist/solara-vuetify-app8.min.js",
    "@widgetti/solara-vuetify-app@10.1.1/dist/main8.css",
    "@widgetti/solara-vuetify-app@10.1.1/dist/fonts.css",
    "requirejs@2.3.6/require.js",
    "font-awesome@4.5.0/css/font-awesome.min.css",
)

OFFLINE_ENV = {
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false",
    "SOLARA_THEME_SHOW_BANNER": "false",
    "SOLARA_ASSETS_PROXY": "true",
}

#: Solara warns on every page load over plain http to 127.0.0.1 that its session cookie
#: falls back to SameSite=Lax; that is right for a local app, so the warning is not shown
QUIET_WARNINGS = "ignore:Cookies with samesite=none require https:UserWarning"


class AppError(RuntimeError):
    """A problem that stops the app from starting, explained in one line."""


def asset_dir() -> Path:
    from solara.server.settings import assets

    return Path(assets.proxy_cache_dir)


def missing_assets(base: Path | None = None) -> list[str]:
    base = asset_dir() if base is None else base
    return [a for a in REQUIRED_ASSETS if not (base / a).is_file()]


#: what --host may be, for messages
HOSTS_ALLOWED = "an address of this computer, e.g. 127.0.0.1 (this computer only) or 0.0.0.0 (all)"


def listen_address(host: str, port: int) -> tuple:
    """The socket family and address for ``host``; AppError if it is no valid address (a
    dotted number like 999.1.1.1 is not looked up as a host name)."""
    numeric = all(c.isdigit() or c == "." for c in host) or ":" in host
    flags = socket.AI_NUMERICHOST if numeric else 0
    try:
        family, _, _, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=flags
        )[0]
    except (socket.gaierror, UnicodeError):
        raise AppError(f"--host {host} is not a valid address; allowed: {HOSTS_ALLOWED}") from None
    return family, address


def check_port(host: str, port: int) -> None:
    """AppError unless the app can listen on ``host`` and ``port``."""
    if not 1 <= port <= 65535:
        raise AppError(f"--port {port} is not allowed; allowed: a whole number from 1 to 65535")
    family, address = listen_address(host, port)
    with socket.socket(family, socket.SOCK_STREAM) as s:
        try:
            s.bind(address)
        except OSError as e:
            if e.errno == errno.EADDRINUSE:
                raise AppError(
                    f"port {port} on {host} is in use; stop the other program or pick "
                    "another with --port"
                ) from None
            if e.errno == errno.EACCES:
                raise AppError(
                    f"--port {port} needs administrator rights; allowed: a port from 1024 to 65535"
                ) from None
            raise AppError(
                f"--host {host} is not available here ({e.strerror}); allowed: {HOSTS_ALLOWED}"
            ) from None


def command(host: str, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        "kosi_sim.app.page",
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-open",
        "--no-check-version",
        "--log-level",
        "warning",
    ]


def environment(scenario: str, lang: str) -> dict[str, str]:
    """The server's environment: the user's, with the settings above added."""
    warnings = ",".join(w for w in (os.environ.get("PYTHONWARNINGS"), QUIET_WARNINGS) if w)
    return {
        **os.environ,
        **OFFLINE_ENV,
        "PYTHONWARNINGS": warnings,
        "KOSI_APP_SCENARIO": scenario,
        "KOSI_APP_LANG": lang,
    }


def prepare(scenario: str, lang: str, host: str, port: int) -> tuple[list[str], dict[str, str]]:
    """Check everything the app needs; the command and environment that start it."""
    from ..scenario import ScenarioError, resolve

    try:
        i18n.check_lang(lang)
    except ValueError as e:
        raise AppError(str(e)) from None
    try:
        resolve(scenario)
    except ScenarioError as e:
        raise AppError(str(e)) from None
    missing = missing_assets()
    if missing:
        raise AppError(
            f"the app's offline assets are missing from {asset_dir()} (first: {missing[0]}); "
            "reinstall kosi-sim so that the pinned solara-assets package is installed"
        )
    check_port(host, port)
    if not Path(scenario).exists():
        return command(host, port), environment(scenario, lang)
    return command(host, port), environment(str(Path(scenario).resolve()), lang)


def serve(scenario: str, lang: str = "en", host: str = "127.0.0.1", port: int = 8765) -> int:
    """Run the app until interrupted.

    On POSIX the server replaces this process (so a signal to ``kosi-sim app`` reaches the
    server itself, and no orphan is left behind); elsewhere it runs as a child.
    """
    cmd, env = prepare(scenario, lang, host, port)
    print(
        f"kosi-sim app: open http://{host}:{port}/ in a browser (scenario {scenario}, "
        f"language {lang}); Ctrl+C stops it",
        flush=True,
    )
    if os.name == "posix":
        os.execve(cmd[0], cmd, env)
    proc = subprocess.Popen(cmd, env=env)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        proc.wait(timeout=10)
        return 0
