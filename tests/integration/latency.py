# latency.py: the other client of t_rubric_abuse.sh (issue 19).  It speaks
# nng's SP over TCP by hand (sp.py), sends server.status one
# request at a time on one connection, times each round trip, and stops
# when STOPFILE exists (or after 60 s); STOPFILE.ready tells the test that
# it has begun.  It is a process of its own, so
# that what it measures is the server's delay, not the test's.
# Prints: the number of requests, the slowest and the 99th percentile, in
# ms.  Usage: latency.py HOST PORT STOPFILE
import os
import sys
import time

from sp import Req

host, port, stopfile = sys.argv[1], int(sys.argv[2]), sys.argv[3]
c = Req(host, port, timeout=30)
body = b'{"op":"server.status"}'
times = []
start = time.time()
i = 0
while not os.path.exists(stopfile) and time.time() - start < 60:
    i += 1
    t0 = time.monotonic()
    c.send(i, body)
    _, reply = c.recv()
    times.append((time.monotonic() - t0) * 1000)
    if b'"ok":true' not in reply:
        raise SystemExit("server.status failed: %r" % reply[:200])
    if i == 1:
        open(stopfile + ".ready", "w").close()
    time.sleep(0.005)  # many small requests, not a flood
times.sort()
print("%d %.1f %.1f" % (len(times), times[-1], times[int(len(times) * 0.99)]))
