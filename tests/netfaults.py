"""A TCP proxy for tests, put between the pipeline and the embedded broker on loopback.

It forwards bytes both ways and injects faults on demand: cut every live connection, stall all
forwarding, stop accepting (broker down) and start again (broker back). With a server-side SSL
context it terminates TLS, so the pipeline talks TLS to it while the broker speaks plaintext.
"""
from __future__ import annotations

import select
import socket
import ssl
import threading


class FaultProxy:
    """Listens on 127.0.0.1:listen_port and forwards to 127.0.0.1:target_port."""

    def __init__(self, listen_port: int, target_port: int, tls: ssl.SSLContext | None = None):
        self.listen_port = listen_port
        self.target_port = target_port
        self.tls = tls
        self.bytes_to_client = 0
        self.connections_cut = 0
        self._flowing = threading.Event()
        self._flowing.set()
        self._lock = threading.Lock()
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._server: socket.socket | None = None
        self._accepting: threading.Thread | None = None
        self._closed = threading.Event()
        self.cut_after_bytes: int | None = None
        self.stall_after_bytes: int | None = None

    # lifecycle -------------------------------------------------------------------------------
    def start(self) -> FaultProxy:
        """Start accepting connections (again, after `stop_accepting`)."""
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.listen_port))
        server.listen(64)
        server.settimeout(0.2)
        self._server = server
        self._closed.clear()
        self._accepting = threading.Thread(target=self._accept_loop, daemon=True)
        self._accepting.start()
        return self

    def stop_accepting(self) -> None:
        """Close the listening socket and every live connection: the broker looks down."""
        self._closed.set()
        if self._accepting is not None:
            self._accepting.join(timeout=5)
        if self._server is not None:
            self._server.close()
            self._server = None
        self.cut()

    def close(self) -> None:
        self._flowing.set()
        self.stop_accepting()

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    # faults ----------------------------------------------------------------------------------
    def cut(self) -> None:
        """Close every live connection at once (clients see a reset mid-request)."""
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for pair in pairs:
            for sock in pair:
                try:
                    sock.close()
                except OSError:
                    pass
        self.connections_cut += len(pairs)

    def stall(self) -> None:
        """Stop forwarding bytes (connections stay open) until `resume`."""
        self._flowing.clear()

    def resume(self) -> None:
        self._flowing.set()

    @property
    def stalled(self) -> bool:
        return not self._flowing.is_set()

    # forwarding ------------------------------------------------------------------------------
    def _accept_loop(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._server.accept()
            except (TimeoutError, OSError):
                continue
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            client.settimeout(10)
            if self.tls is not None:
                client = self.tls.wrap_socket(client, server_side=True)
            upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=10)
        except (OSError, ssl.SSLError):
            client.close()
            return
        with self._lock:
            self._pairs.append((client, upstream))
        self._pump(client, upstream)

    def _pump(self, client: socket.socket, upstream: socket.socket) -> None:
        peers = {client: upstream, upstream: client}
        try:
            while True:
                ready = self._pending(client) + select.select([client, upstream], [], [], 0.2)[0]
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        return
                    self._flowing.wait()
                    if sock is upstream:
                        self._count_to_client(len(data))
                    peers[sock].sendall(data)
        except (OSError, ValueError, ssl.SSLError):
            return
        finally:
            for sock in (client, upstream):
                try:
                    sock.close()
                except OSError:
                    pass

    @staticmethod
    def _pending(sock: socket.socket) -> list[socket.socket]:
        """TLS sockets can hold decrypted bytes that select() does not see."""
        return [sock] if isinstance(sock, ssl.SSLSocket) and sock.pending() else []

    def _count_to_client(self, n: int) -> None:
        self.bytes_to_client += n
        if self.stall_after_bytes is not None and self.bytes_to_client >= self.stall_after_bytes:
            self.stall_after_bytes = None
            self.stall()
        if self.cut_after_bytes is not None and self.bytes_to_client >= self.cut_after_bytes:
            self.cut_after_bytes = None
            threading.Thread(target=self.cut, daemon=True).start()
