# noread.py: a client that never reads (issue 19): it speaks nng's SP over
# TCP by hand (the handshake, then 8-byte big-endian lengths), sends N
# requests on one connection as fast as it can, reads none of the
# replies, and keeps the connection open for SECONDS.  Used by
# t_noread.sh.  Usage: noread.py HOST PORT N SECONDS JSON
import socket
import struct
import sys
import time

host, port, n, secs, body = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), sys.argv[5].encode()
s = socket.create_connection((host, port))
s.sendall(b"\x00SP\x00" + struct.pack(">H", 0x30) + b"\x00\x00")  # req0
s.setblocking(False)
sent = 0
deadline = time.time() + secs
pending = b""
while time.time() < deadline:
    if not pending and sent < n:
        msg = struct.pack(">I", 0x80000000 | (sent + 1)) + body
        pending = struct.pack(">Q", len(msg)) + msg
        sent += 1
    if pending:
        try:
            k = s.send(pending)
            pending = pending[k:]
            continue
        except BlockingIOError:
            pass  # the server reads no more: it is the one holding back
    time.sleep(0.01)
print(sent)
s.close()
