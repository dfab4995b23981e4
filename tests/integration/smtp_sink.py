#!/usr/bin/env python3
"""smtp_sink.py: the mail server of the notice tests (t_notices.sh).

  smtp_sink.py serve PORT DIR [USER:PASSWORD]
                                an SMTP server on 127.0.0.1:PORT (Debian's
                                python3-aiosmtpd) that keeps each message
                                it accepts as DIR/NNNN.eml, the envelope's
                                recipients in an X-Rcpt-To header on top;
                                with USER:PASSWORD it takes mail only after
                                that login (AUTH, without TLS: a test)
  smtp_sink.py stall PORT       a server that accepts connections and never
                                says a word (a mail server that hangs)
  smtp_sink.py list DIR         one JSON line per message kept in DIR, with
                                its MIME decoded: to, subject, body,
                                message_id, notice, content_type, charset
"""
import email
import email.policy
import json
import os
import socket
import sys
import time


def serve(port, folder, login=None):
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    os.makedirs(folder, exist_ok=True)

    class Keep:
        # Numbered on from what an earlier run kept (a restarted sink).
        n = len([x for x in os.listdir(folder) if x.endswith(".eml")])

        async def handle_DATA(self, server, session, envelope):
            Keep.n += 1
            path = os.path.join(folder, "%04d.eml" % Keep.n)
            head = ("X-Rcpt-To: %s\r\n" % ",".join(envelope.rcpt_tos)).encode()
            with open(path + ".tmp", "wb") as f:
                f.write(head + envelope.original_content)
            os.rename(path + ".tmp", path)
            return "250 OK"

    params = {}
    if login:
        user, password = login.encode().split(b":", 1)

        def check(server, session, envelope, mechanism, data):
            ok = data.login == user and data.password == password
            return AuthResult(success=ok, handled=False)

        params = {"auth_required": True, "auth_require_tls": False,
                  "authenticator": check}
    c = Controller(Keep(), hostname="127.0.0.1", port=port, **params)
    c.start()
    print("ready", flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        c.stop()


def stall(port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(64)
    print("ready", flush=True)
    held = []
    while True:
        conn, _ = s.accept()
        held.append(conn)  # never answered, never closed


def listing(folder):
    if not os.path.isdir(folder):
        return
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".eml"):
            continue
        with open(os.path.join(folder, name), "rb") as f:
            data = f.read()
        msg = email.message_from_bytes(data, policy=email.policy.default)
        raw = email.message_from_bytes(data, policy=email.policy.compat32)
        body = msg.get_body(preferencelist=("plain",))
        print(json.dumps({
            "file": name,
            "to": msg["X-Rcpt-To"],
            "subject": str(msg["Subject"]),
            "raw_subject": raw["Subject"],
            "from": str(msg["From"]),
            "message_id": msg["Message-ID"],
            "notice": msg["X-Sangkien-Notice"],
            "case": msg["X-Sangkien-Case"],
            "content_type": msg.get_content_type(),
            "charset": msg.get_content_charset(),
            "body": body.get_content() if body is not None else None,
        }, ensure_ascii=False))


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(int(sys.argv[2]), sys.argv[3],
              sys.argv[4] if len(sys.argv) > 4 else None)
    elif sys.argv[1] == "stall":
        stall(int(sys.argv[2]))
    elif sys.argv[1] == "list":
        listing(sys.argv[2])
    else:
        sys.exit(__doc__)
