"""``kosi-sim classroom``: bad input ends with one line and exit code 2, before serving."""

from __future__ import annotations

import socket
from contextlib import nullcontext

import pytest

from kosi_sim.cli import main
from tests.classroom_util import free_port


@pytest.mark.parametrize(
    "args, words",
    [
        (["nosuchtown"], "unknown scenario 'nosuchtown'"),
        (["--port", "0"], "--port 0 is not allowed; allowed: 1 to 65535"),
        (["--port", "70000"], "--port 70000 is not allowed"),
        (["--lang", "fr"], "invalid choice: 'fr'"),
    ],
)
def test_bad_options_end_with_one_line(args, words, capsys, tmp_path):
    with pytest.raises(SystemExit) if "--lang" in args else nullcontext():
        code = main(["classroom", *args, "--data", str(tmp_path / "d")])
        assert code == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "d").exists()


def test_data_that_is_a_file_is_refused(capsys, tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    assert main(["classroom", "--data", str(f)]) == 2
    err = capsys.readouterr().err
    assert "exists and is not a folder" in err and err.count("\n") == 1
    assert f.read_text() == "x"


def test_a_port_in_use_is_refused(capsys, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        assert main(["classroom", "--port", str(port), "--data", str(tmp_path / "d")]) == 2
    err = capsys.readouterr().err
    assert f"cannot listen on 127.0.0.1:{port}" in err and err.count("\n") == 1
    assert not (tmp_path / "d").exists()


def test_a_damaged_rooms_file_is_refused(capsys, tmp_path):
    (tmp_path / "classroom.sqlite").write_bytes(b"this is not a database" * 100)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert main(["classroom", "--port", str(port), "--data", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "cannot be used as the classroom's rooms file" in err and err.count("\n") == 1


@pytest.mark.parametrize("host, warned", [("127.0.0.1", False), ("0.0.0.0", True)])
def test_listening_beyond_this_computer_warns(host, warned, monkeypatch, capsys, tmp_path):
    """The server binds to this computer unless --host says otherwise, and then warns that
    anyone on the network with a room code can join (serving itself is not started here)."""
    import uvicorn

    served = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, host, port, **kw: served.update(host=host))
    port = str(free_port())
    args = ["classroom", "--port", port, "--data", str(tmp_path / "d")]
    assert main(args + (["--host", host] if host != "127.0.0.1" else [])) == 0
    err = capsys.readouterr().err
    assert served["host"] == host
    assert ("anyone on the network" in err) is warned
