// notices.js: the logged-in user's notices (issue 18): what the server
// told them (a case returned, a review started, a deadline near), newest
// first, each marked read when opened or all at once; and their own mail
// settings (user.settings: the address and now / daily / off).  The count
// of unread ones is in the navigation (app.js asks notice.list for it).

import { h, replace, field, errorText, fmtTime } from '../dom.js';

const MODES = [
	['now', 'Gửi thư ngay mỗi khi có thông báo'],
	['daily', 'Gửi một thư tóm tắt mỗi ngày'],
	['off', 'Không gửi thư (chỉ xem ở đây)'],
];

export async function noticesView(ctx, main) {
	const list = h('ul', { class: 'list notices' });
	const head = h('p', { class: 'meta', id: 'notices-unread' });
	const draw = async () => {
		const r = await ctx.api.call('notice.list', { limit: 100 });
		ctx.setUnread(r.unread);
		replace(head, r.unread ? `${r.unread} thông báo chưa đọc` : 'Không có thông báo chưa đọc');
		replace(list, r.items.length ? r.items.map((n) => item(ctx, n, draw)) :
			h('li', {}, 'Chưa có thông báo nào.'));
	};
	const allRead = h('button', { type: 'button', onclick: async () => {
		await ctx.api.call('notice.read', { all: true });
		await draw();
	} }, 'Đánh dấu tất cả đã đọc');
	replace(main, h('h1', {}, 'Thông báo'), head,
		h('div', { class: 'actions' }, allRead), list, await settingsForm(ctx));
	ctx.live((ev) => {
		if (!ev || ev.type.startsWith('case.')) draw();
	});
	await draw();
}

function item(ctx, n, redraw) {
	const markRead = async () => {
		if (!n.read) {
			await ctx.api.call('notice.read', { id: n.id });
			await redraw();
		}
	};
	return h('li', { class: n.read ? 'notice' : 'notice unread', 'data-id': n.id },
		h('strong', {}, n.read ? '' : '● ', n.subject),
		h('p', { class: 'meta' }, fmtTime(n.created_at)),
		h('p', { style: 'white-space: pre-line' }, n.body.replace(/\n\nXem hồ sơ: .*$/s, '')),
		h('div', { class: 'actions' },
			n.case ? h('a', { href: `#/case/${n.case}`, onclick: markRead }, 'Mở hồ sơ') : null,
			n.read ? null : h('button', { type: 'button', onclick: markRead }, 'Đã đọc')));
}

async function settingsForm(ctx) {
	// whoami carries one's own email and notify (user.get is for staff).
	const me = await ctx.api.call('auth.whoami');
	const email = h('input', { type: 'email', name: 'email', value: me.email || '', autocomplete: 'email' });
	const mode = h('select', { name: 'notify' }, MODES.map(([v, t]) =>
		h('option', { value: v, selected: (me.notify || 'now') === v ? '' : null }, t)));
	const msg = h('p', { role: 'alert' });
	const form = h('form', { class: 'card', onsubmit: async (e) => {
		e.preventDefault();
		try {
			await ctx.api.call('user.settings', { email: email.value.trim(), notify: mode.value });
			msg.className = 'ok';
			msg.textContent = 'Đã lưu cài đặt thông báo.';
		} catch (e2) {
			msg.className = 'error';
			msg.textContent = errorText(e2);
		}
	} }, h('h2', {}, 'Nhận thông báo qua thư điện tử'),
	field('Địa chỉ thư điện tử (để trống: không nhận thư)', email),
	field('Cách gửi', mode), msg,
	h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Lưu')));
	return form;
}
