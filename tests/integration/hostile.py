# hostile.py: the hostile side of t_rubric_abuse.sh (issue 19): one
# process, one TCP connection speaking nng's SP by hand (sp.py),
# that sends rubric.test with each FILE's source for case CASE as TOKEN,
# all at once, and writes each reply to OUTDIR/NAME.out (NAME: the file's
# name without .lua).  One process rather than one CLI per request, so that
# the test itself adds little to the machine's noise while it measures.
# Usage: hostile.py HOST PORT TOKEN CASE OUTDIR FILE...
import json
import os
import sys

from sp import Req

host, port, token, case, outdir = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5]
files = sys.argv[6:]
c = Req(host, port)
names = {}
for i, f in enumerate(files, 1):
    with open(f) as fh:
        body = json.dumps({"op": "rubric.test", "token": token,
                           "args": {"source": fh.read(), "case": case}}).encode()
    c.send(i, body)
    names[i] = f
for _ in files:
    rid, reply = c.recv()
    name = os.path.basename(names[rid])[:-4]
    k = 1
    while os.path.exists(os.path.join(outdir, "%s.%d.out" % (name, k))):
        k += 1
    with open(os.path.join(outdir, "%s.%d.out" % (name, k)), "wb") as out:
        out.write(reply)
