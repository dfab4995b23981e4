// ws_request.mjs: one request to sangkiend's API over WebSocket, framed as
// a browser must frame it (PROTOCOL.md, "Browsers"): subprotocol
// rep.sp.nanomsg.org, a binary message of a 4-byte request id with its
// high bit set, then the JSON.  Prints the id of the reply in hex, then
// the reply's JSON.  Used by t_http.sh with node --experimental-websocket.
const [url, json] = process.argv.slice(2);
const ws = new WebSocket(url, 'rep.sp.nanomsg.org');
ws.binaryType = 'arraybuffer';
const timer = setTimeout(() => { console.error('no reply'); process.exit(1); }, 10000);
ws.onopen = () => {
  const body = new TextEncoder().encode(json);
  const msg = new Uint8Array(4 + body.length);
  new DataView(msg.buffer).setUint32(0, 0x80000007);
  msg.set(body, 4);
  ws.send(msg);
};
ws.onmessage = (e) => {
  const b = new Uint8Array(e.data);
  console.log(new DataView(b.buffer).getUint32(0).toString(16));
  console.log(new TextDecoder().decode(b.subarray(4)));
  clearTimeout(timer);
  ws.close();
};
ws.onerror = (e) => { console.error('error', e.message); process.exit(1); };
