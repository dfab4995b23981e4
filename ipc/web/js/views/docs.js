// views/docs.js: a case's documents (doc.get) as buttons on the case page,
// each downloading its PDF, and the page a document's QR code opens
// (#/verify/CASE/HASH), which asks doc.verify whether the document is
// genuine and still the case's current state.  Who may have which
// document is the server's to say (PROTOCOL.md, "Documents"): the buttons
// offered follow the person's part in the case, and a refusal is shown
// next to the button.

import { h, replace, errorText } from '../dom.js';
import { stateBadge } from './common.js';

const KINDS = {
	receipt: 'Giấy biên nhận',
	sheet: 'Phiếu chấm điểm của tôi',
	minutes: 'Biên bản họp hội đồng',
	decision: 'Quyết định / thông báo',
	certificate: 'Giấy chứng nhận',
};
const RECOGNIZED = ['unit_recognized', 'nominated', 'province_review', 'recognized', 'province_refused'];

// Saves bytes (base64) as a file through a link the page clicks.
function download(b64, name) {
	const bin = atob(b64);
	const bytes = new Uint8Array(bin.length);
	for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
	const url = URL.createObjectURL(new Blob([bytes], { type: 'application/pdf' }));
	const a = h('a', { href: url, download: name, hidden: true });
	document.body.append(a);
	a.click();
	a.remove();
	setTimeout(() => URL.revokeObjectURL(url), 60000);
}

function docButton(ctx, c, kind, err) {
	const b = h('button', { type: 'button', class: 'secondary', 'data-doc': kind,
		onclick: async () => {
			err.textContent = '';
			b.disabled = true;
			try {
				const args = { case: c.id, kind };
				if (kind === 'sheet') args.user = ctx.me.id;
				const r = await ctx.api.call('doc.get', args);
				download(r.pdf, `${kind}-${c.id}.pdf`);
			} catch (e) {
				err.textContent = errorText(e);
			}
			b.disabled = false;
		} }, KINDS[kind]);
	return b;
}

// The documents this person may download for case c, as a card; or null.
export function docsPanel(ctx, c) {
	if (!ctx.me) return null;
	const me = ctx.me.id;
	const author = (c.authors || []).some((a) => a.user === me) || c.created_by === me;
	const admin = ctx.isAdmin();
	const member = ctx.councils().length > 0;
	const decided = (c.decisions || []).length > 0;
	const kinds = [];
	if (c.submitted_at && (author || admin || member)) kinds.push('receipt');
	if ((c.ballots || []).some((b) => b.member === me && b.total !== undefined)) kinds.push('sheet');
	if (decided && (admin || member)) kinds.push('minutes');
	if (decided && (author || admin || member)) kinds.push('decision');
	if (RECOGNIZED.includes(c.state) && (author || admin || member)) kinds.push('certificate');
	if (!kinds.length) return null;
	const err = h('p', { class: 'error', role: 'alert' });
	return h('section', { class: 'card', 'aria-label': 'Văn bản' },
		h('h2', {}, 'Văn bản (PDF)'),
		h('div', { class: 'actions' }, kinds.map((k) => docButton(ctx, c, k, err))),
		err);
}

// #/verify/CASE/HASH: what a document's QR code opens.
export async function verifyView(ctx, main, params) {
	const id = Number(params[0]);
	const r = await ctx.api.call('doc.verify', { case: id, hash: params[1] });
	const verdict = r.current
		? ['ok', 'Văn bản hợp lệ: đúng với hồ sơ hiện tại.']
		: r.superseded
			? ['warn', 'Văn bản là thật nhưng đã cũ: hồ sơ đã thay đổi sau khi văn bản được lập.']
			: ['error', 'Không khớp: mã kiểm tra này không thuộc hồ sơ. Văn bản có thể đã bị sửa.'];
	replace(main, h('h1', {}, `Kiểm tra văn bản của hồ sơ số ${id}`),
		h('p', { class: verdict[0], role: 'status', id: 'verify-result' }, verdict[1]),
		r.title ? h('p', {}, `Sáng kiến: ${r.title}`) : null,
		r.state ? h('p', {}, stateBadge(r)) : null,
		r.at ? h('p', { class: 'meta' }, `Văn bản lập từ sự kiện số ${r.seq} (${r.at}).`) : null,
		h('p', { class: 'meta' }, `Mã kiểm tra: ${r.hash}`),
		h('p', {}, h('a', { href: `#/public/${id}` }, 'Xem trang công khai của sáng kiến')));
}
