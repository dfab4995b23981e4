# noread.py: clients that never read (issue 19, finding 1).  It opens CONNS
# connections to sangkiend, each speaking nng's SP protocol by hand (over
# tcp://: the SP handshake then 8-byte big-endian lengths; over ws://: a
# WebSocket upgrade to rep.sp.nanomsg.org then masked binary frames), and
# on each pipelines N copies of the request JSON, each with its own 4-byte
# request id, as fast as the server takes them, reading none of the
# replies.  All connections are driven by one process (select), so that
# hundreds of thousands of requests cost little of the test machine.  It
# stops when everything is sent or after SECONDS (the server no longer
# taking bytes is the point), then closes every connection at once and
# prints the requests sent.
#
# Usage: noread.py tcp://HOST:PORT|ws://HOST:PORT/api CONNS N SECONDS JSON [hold]
#
# With "hold", connections that have sent everything stay open, unread,
# until SECONDS (or until the server closes them).
#
# With CONNS 0 it is the opposite, a client that reads: one tcp://
# connection, N requests pipelined, and it prints how many replies came
# back within SECONDS (more than the server's 64 request slots: a slot
# held for a gone pipe would keep some from coming).
import base64
import os
import selectors
import socket
import struct
import sys
import time

url, conns, n, secs, body = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), sys.argv[5].encode()
hold = len(sys.argv) > 6 and sys.argv[6] == "hold"
scheme, rest = url.split("://", 1)
hostport, _, path = rest.partition("/")
host, port = hostport.rsplit(":", 1)
port = int(port)


def ws_frame(payload):
    """One masked binary WebSocket frame, as a client must send it."""
    mask = os.urandom(4)
    head = bytes([0x82])
    ln = len(payload)
    if ln < 126:
        head += bytes([0x80 | ln])
    elif ln < 65536:
        head += bytes([0x80 | 126]) + struct.pack(">H", ln)
    else:
        head += bytes([0x80 | 127]) + struct.pack(">Q", ln)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return head + mask + masked


def connect():
    s = socket.create_connection((host, port), timeout=10)
    if scheme == "tcp":
        s.sendall(b"\x00SP\x00" + struct.pack(">H", 0x30) + b"\x00\x00")  # req0
        peer = b""
        while len(peer) < 8:
            chunk = s.recv(8 - len(peer))
            if not chunk:
                raise ConnectionError("closed in the SP handshake")
            peer += chunk
    else:
        key = base64.b64encode(os.urandom(16)).decode()
        s.sendall(("GET /%s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\n"
                   "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
                   "Sec-WebSocket-Version: 13\r\n"
                   "Sec-WebSocket-Protocol: rep.sp.nanomsg.org\r\n\r\n"
                   % (path, hostport, key)).encode())
        resp = b""
        while b"\r\n\r\n" not in resp:
            chunk = s.recv(4096)
            if not chunk:
                raise ConnectionError("closed in the WebSocket upgrade")
            resp += chunk
        if b" 101 " not in resp.split(b"\r\n", 1)[0]:
            raise ConnectionError(resp.split(b"\r\n", 1)[0].decode())
    s.setblocking(False)
    return s


# The same request under every id: the frames are built once, in batches.
def batch(first, count):
    out = []
    for i in range(first, first + count):
        msg = struct.pack(">I", 0x80000000 | i) + body
        out.append(struct.pack(">Q", len(msg)) + msg if scheme == "tcp" else ws_frame(msg))
    return b"".join(out)


def read_replies(s):
    s.setblocking(True)
    s.settimeout(max(0.01, deadline - time.time()))
    buf, got = b"", 0
    s.sendall(batch(1, n))
    try:
        while got < n:
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
            while len(buf) >= 8 and len(buf) >= 8 + struct.unpack(">Q", buf[:8])[0]:
                buf = buf[8 + struct.unpack(">Q", buf[:8])[0]:]
                got += 1
    except OSError:
        pass
    return got


CHUNK = 500
deadline = time.time() + secs
if conns == 0:
    print(read_replies(connect()))
    sys.exit(0)
sel = selectors.DefaultSelector()
state = {}
for _ in range(conns):
    s = connect()
    state[s] = {"next": 1, "pending": b""}
    sel.register(s, selectors.EVENT_WRITE)
sent = 0
while state and time.time() < deadline:
    for key, _ in sel.select(timeout=0.1):
        s, st = key.fileobj, state[key.fileobj]
        if not st["pending"]:
            if st["next"] > n:
                sel.unregister(s)  # sent; with hold, kept open below
                continue
            count = min(CHUNK, n - st["next"] + 1)
            st["pending"] = batch(st["next"], count)
            st["next"] += count
            sent += count
        try:
            k = s.send(st["pending"])
            st["pending"] = st["pending"][k:]
        except BlockingIOError:
            pass
        except OSError:
            sel.unregister(s)  # closed by the server: it is allowed to
            del state[s]
            s.close()
    if not sel.get_map():
        break
if hold:
    time.sleep(max(0, deadline - time.time()))
for s in list(state):
    s.close()
print(sent)
