# sp.py: nng's SP protocol over TCP, by hand, for the test clients that
# must be processes of their own (latency.py, hostile.py): a REQ socket's
# handshake, then messages framed by 8-byte big-endian lengths, each
# request led by its 32-bit id with the high bit set.
import socket
import struct


class Req:
    def __init__(self, host, port, timeout=60):
        self.s = socket.create_connection((host, port))
        self.s.settimeout(timeout)
        self.s.sendall(b"\x00SP\x00" + struct.pack(">H", 0x30) + b"\x00\x00")
        self.recv_exact(8)  # the server's handshake

    def recv_exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.s.recv(n - len(buf))
            if not chunk:
                raise SystemExit("the server closed the connection")
            buf += chunk
        return buf

    def send(self, rid, body):
        msg = struct.pack(">I", 0x80000000 | rid) + body
        self.s.sendall(struct.pack(">Q", len(msg)) + msg)

    def recv(self):
        """The next reply: (its request id, its body)."""
        n = struct.unpack(">Q", self.recv_exact(8))[0]
        reply = self.recv_exact(n)
        return struct.unpack(">I", reply[:4])[0] & 0x7FFFFFFF, reply[4:]
