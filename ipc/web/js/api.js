// api.js: the one module that speaks sangkien's protocol (ipc/PROTOCOL.md)
// from the browser.  Every page uses it; nothing else opens a socket.
//
// The server speaks nng's SP protocols over WebSocket (nng v1.5.2,
// src/sp/transport/ws/websocket.c): the client asks for the *peer's*
// protocol as the WebSocket subprotocol, "rep.sp.nanomsg.org" for the API
// and "pub.sp.nanomsg.org" for the events, and every WebSocket message is
// one SP message in a binary frame.  A request is a 4-byte big-endian
// request id with its high bit set followed by the JSON; the reply carries
// the same 4 bytes first.  An event is "TYPE JSON" with no header.
//
// What this module adds on top: the addresses from `location` (ws: or wss:,
// the same host and port), reconnection with backoff, a timeout per
// request, a `request_id` on every write so that a write resent after a
// reconnect is done once, errors as ApiError objects carrying the
// protocol's code/message/details, and events with a "resync" notice after
// a gap in `seq` or a reconnect (staff catch up through events.since; the
// pages of everyone else re-fetch what they show).

// Operations that change nothing; everything else gets a request_id.
const READS = new Set([
	'unit.get', 'unit.list', 'user.get', 'user.list', 'council.get',
	'council.list', 'rubric.list', 'rubric.get', 'rubric.test',
	'server.status', 'server.verify', 'case.get', 'case.list',
	'case.history', 'case.similar', 'case.search', 'events.since',
	'auth.whoami', 'doc.get', 'doc.verify', 'report.states', 'report.times',
	'report.recognized', 'report.authors', 'report.scorers',
	'notice.list', 'notice.outbox',
]);

export class ApiError extends Error {
	constructor(code, message, details) {
		super(message);
		this.code = code;
		this.details = details || {};
	}
}

function defaultUrl(path) {
	const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
	return `${scheme}//${location.host}${path}`;
}

function randomHex(bytes) {
	const a = new Uint8Array(bytes);
	crypto.getRandomValues(a);
	return Array.from(a, (b) => b.toString(16).padStart(2, '0')).join('');
}

// A WebSocket that comes back after it drops, waiting 0.25 s, then twice
// as long each time, up to 5 s.  onOpen/onMessage/onClose are callbacks.
class Link {
	constructor(url, subprotocol, handlers) {
		this.url = url;
		this.subprotocol = subprotocol;
		this.h = handlers;
		this.ws = null;
		this.delay = 250;
		this.closed = false;
		this.open();
	}

	open() {
		let ws;
		try {
			ws = new WebSocket(this.url, this.subprotocol);
		} catch (e) {
			this.retry();
			return;
		}
		ws.binaryType = 'arraybuffer';
		ws.onopen = () => {
			this.delay = 250;
			this.h.onOpen();
		};
		ws.onmessage = (m) => this.h.onMessage(m.data);
		ws.onclose = () => {
			if (this.ws === ws) {
				this.ws = null;
				this.h.onClose();
				this.retry();
			}
		};
		this.ws = ws;
	}

	retry() {
		if (this.closed) return;
		const d = this.delay;
		this.delay = Math.min(this.delay * 2, 5000);
		setTimeout(() => this.open(), d);
	}

	get ready() {
		return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
	}

	send(data) {
		this.ws.send(data);
	}
}

export class Api extends EventTarget {
	// opts: apiUrl, eventsUrl (default: /api and /events on this page's
	// host), timeoutMs (default 20 s).
	constructor(opts = {}) {
		super();
		this.token = null;
		this.staff = false; // admin or viewer: may read events.since
		this.timeoutMs = opts.timeoutMs || 20000;
		this.nextId = (Math.random() * 0x7fffffff) >>> 0;
		this.pending = new Map(); // request id -> {bytes, resolve, reject, timer}
		this.lastSeq = 0;
		this.connected = false;
		this.everOpen = false;
		const enc = new TextEncoder();
		this.enc = enc;
		this.dec = new TextDecoder();
		this.api = new Link(opts.apiUrl || defaultUrl('/api'),
			'rep.sp.nanomsg.org', {
				onOpen: () => this.apiOpen(),
				onMessage: (d) => this.apiMessage(d),
				onClose: () => this.setConnected(false),
			});
		this.events = new Link(opts.eventsUrl || defaultUrl('/events'),
			'pub.sp.nanomsg.org', {
				onOpen: () => this.eventsOpen(),
				onMessage: (d) => this.eventMessage(d),
				onClose: () => {},
			});
	}

	setConnected(on) {
		if (this.connected === on) return;
		this.connected = on;
		this.dispatchEvent(new CustomEvent('connection',
			{ detail: { connected: on } }));
	}

	apiOpen() {
		this.setConnected(true);
		// Everything still waiting is sent again: reads are harmless and
		// writes carry a request_id, so the server does each one once.
		for (const p of this.pending.values()) this.api.send(p.bytes);
		if (this.everOpen) this.resync('reconnect');
		this.everOpen = true;
	}

	apiMessage(data) {
		if (!(data instanceof ArrayBuffer) || data.byteLength < 4) return;
		const id = new DataView(data).getUint32(0) & 0x7fffffff;
		const p = this.pending.get(id);
		if (!p) return; // a late answer to a request that timed out
		this.pending.delete(id);
		clearTimeout(p.timer);
		let reply;
		try {
			reply = JSON.parse(this.dec.decode(new Uint8Array(data, 4)));
		} catch (e) {
			p.reject(new ApiError('bad_reply',
				'Máy chủ trả lời không đọc được.'));
			return;
		}
		if (reply.ok) {
			p.resolve(reply.result);
		} else {
			const e = reply.error || {};
			if (e.code === 'unauthorized') {
				this.dispatchEvent(new CustomEvent('unauthorized'));
			}
			p.reject(new ApiError(e.code || 'internal',
				e.message || 'lỗi không rõ', e.details));
		}
	}

	// call(op, args): the result, or throws ApiError.  A request that gets
	// no answer within the timeout throws ApiError('timeout').
	call(op, args = {}, opts = {}) {
		const req = { op, args };
		if (this.token && !opts.anonymous) req.token = this.token;
		if (!READS.has(op)) req.request_id = 'web-' + randomHex(16);
		const id = (this.nextId = (this.nextId + 1) & 0x7fffffff);
		const body = this.enc.encode(JSON.stringify(req));
		const bytes = new Uint8Array(4 + body.length);
		new DataView(bytes.buffer).setUint32(0, (id | 0x80000000) >>> 0);
		bytes.set(body, 4);
		return new Promise((resolve, reject) => {
			const timer = setTimeout(() => {
				this.pending.delete(id);
				reject(new ApiError('timeout',
					'Máy chủ không trả lời (' + op + '). Hãy thử lại.'));
			}, opts.timeoutMs || this.timeoutMs);
			this.pending.set(id, { bytes, resolve, reject, timer });
			if (this.api.ready) this.api.send(bytes);
		});
	}

	eventsOpen() {
		// Events published while the socket was down are missed.
		if (this.lastSeq > 0) this.resync('reconnect');
	}

	eventMessage(data) {
		const text = typeof data === 'string' ? data :
			this.dec.decode(new Uint8Array(data));
		const sp = text.indexOf(' ');
		if (sp < 0) return;
		let ev;
		try {
			ev = JSON.parse(text.slice(sp + 1));
		} catch (e) {
			return;
		}
		if (typeof ev.seq === 'number') {
			if (ev.seq <= this.lastSeq) return; // already had it
			const gap = this.lastSeq > 0 && ev.seq > this.lastSeq + 1;
			const from = this.lastSeq + 1;
			this.lastSeq = ev.seq;
			if (gap) this.resync('gap', from, ev.seq - 1);
		}
		this.emit(ev);
	}

	emit(ev) {
		this.dispatchEvent(new CustomEvent('event', { detail: ev }));
	}

	// After a gap or a reconnect: staff fetch the events they missed
	// (from..to, or everything after the last one seen) with events.since
	// and get them as ordinary events; then everyone gets a "resync" so
	// that pages re-fetch what they show (case.get).
	async resync(why, from, to) {
		if (this.staff && this.token && this.lastSeq > 0) {
			let seq = from || this.lastSeq + 1;
			const last = to || Infinity;
			try {
				while (seq <= last) {
					const r = await this.call('events.since',
						{ seq, limit: 200 });
					for (const ev of r.items) {
						if (ev.seq > last) break;
						if (!to) this.lastSeq = Math.max(this.lastSeq, ev.seq);
						this.emit(ev);
					}
					if (r.items.length < 200) break;
					seq = r.next_seq;
				}
			} catch (e) {
				// The pages re-fetch below anyway.
			}
		}
		this.dispatchEvent(new CustomEvent('resync', { detail: { why } }));
	}
}
