"""The watchdog under every registry request: a read blocked on a socket ends when the attempt's
time is up, and every connection requests opens is one the watchdog can see."""

from __future__ import annotations

import socket
import threading

import requests

from scanner.registry.transport import AttemptGuard, Watchdog, _watch_current, new_session


def test_an_expired_guard_ends_a_blocked_read() -> None:
    watchdog = Watchdog()
    ours, peer = socket.socketpair()
    received: list[bytes] = []
    try:

        def read_forever() -> None:
            with AttemptGuard(watchdog, 0.2) as guard:
                _watch_current(ours)  # what the guarded connection does in getresponse
                received.append(ours.recv(1))  # the peer never writes
                received.append(b"expired" if guard.expired else b"not expired")

        reader = threading.Thread(target=read_forever)
        reader.start()
        reader.join(timeout=10)
        assert not reader.is_alive(), "the read was not cut off"
        assert received == [b"", b"expired"]
    finally:
        watchdog.stop()
        ours.close()
        peer.close()


def test_a_finished_attempt_is_not_cut_off_later_and_leaves_no_thread() -> None:
    watchdog = Watchdog()
    ours, peer = socket.socketpair()
    try:
        with AttemptGuard(watchdog, 0.05) as guard:
            _watch_current(ours)
        assert not guard.expired
        threading.Event().wait(0.2)
        peer.sendall(b"x")
        assert ours.recv(1) == b"x"  # still usable: a pooled connection survives its attempt
        assert not any(t.name == "depscan-registry-watchdog" for t in threading.enumerate())
    finally:
        watchdog.stop()
        ours.close()
        peer.close()


def test_every_connection_pool_is_guarded() -> None:
    session = new_session(4)
    try:
        for url in ("https://registry.example.test/x", "http://127.0.0.1:9/x"):
            adapter = session.get_adapter(url)
            prepared = requests.Request("GET", url).prepare()
            pool = adapter.get_connection_with_tls_context(prepared, verify=True)
            assert pool.ConnectionCls.__name__.startswith("_Guarded")
        manager = session.get_adapter("http://x/").proxy_manager_for("http://127.0.0.1:3128")
        assert all(
            cls.__name__.startswith("_Guarded") for cls in manager.pool_classes_by_scheme.values()
        )
    finally:
        session.close()
