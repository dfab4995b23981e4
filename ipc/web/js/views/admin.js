// views/admin.js: the province's administration (role admin): units as a
// tree, users (create, set a password, roles), councils and their
// members, rubrics (read the Lua, upload a new version, test it against a
// case before putting it), and the server's status and verify.  Each
// form's errors are shown next to the form that caused them.

import { h, replace, field, errorText } from '../dom.js';
import { roleLabel } from './common.js';

const TABS = [
	['units', 'Đơn vị'], ['users', 'Người dùng'], ['councils', 'Hội đồng'],
	['rubrics', 'Quy tắc chấm'], ['server', 'Máy chủ'],
];

// A form that calls fn(), says "đã lưu" or shows the error, then redraws.
function adminForm(title, rows, fn, redraw, label = 'Lưu') {
	const msg = h('p', { role: 'status', 'aria-live': 'polite' });
	return h('form', { class: 'card', onsubmit: async (e) => {
		e.preventDefault();
		msg.className = '';
		msg.textContent = '';
		try {
			const r = await fn();
			if (redraw) await redraw();
			msg.className = 'ok';
			msg.textContent = typeof r === 'string' ? r : 'Đã lưu.';
		} catch (e2) {
			msg.className = 'error';
			msg.textContent = errorText(e2);
		}
	} }, h('h2', {}, title), rows, h('button', { type: 'submit' }, label), msg);
}

export async function adminView(ctx, main, params) {
	const tab = params[0] || 'units';
	const body = h('div', { id: 'admin-body' });
	replace(main, h('h1', {}, 'Quản trị'),
		h('nav', { class: 'actions', 'aria-label': 'Mục quản trị' }, TABS.map(([k, label]) =>
			h('a', { href: `#/admin/${k}`, class: k === tab ? 'button' : 'button secondary',
				'aria-current': k === tab ? 'page' : null }, label))),
		body);
	const views = { units, users, councils, rubrics, server };
	await (views[tab] || units)(ctx, body);
}

async function units(ctx, body) {
	const draw = async () => {
		const all = (await ctx.api.call('unit.list')).items;
		const kids = new Map();
		for (const u of all) {
			const p = u.parent || '';
			if (!kids.has(p)) kids.set(p, []);
			kids.get(p).push(u);
		}
		const ids = new Set(all.map((u) => u.id));
		const tree = (p) => h('ul', { class: 'tree' }, (kids.get(p) || []).map((u) =>
			h('li', {}, `${u.name} `, h('span', { class: 'meta' }, `(${u.id}${u.rubric ? ', quy tắc ' + u.rubric : ''})`),
				kids.has(u.id) ? tree(u.id) : null)));
		// Roots: no parent, or a parent that is not listed.
		const roots = all.filter((u) => !u.parent || !ids.has(u.parent));
		const id = h('input', { type: 'text', name: 'unit-id' });
		const name = h('input', { type: 'text', name: 'unit-name' });
		const parent = h('select', { name: 'unit-parent' }, h('option', { value: '' }, '(không có: cấp tỉnh)'),
			all.map((u) => h('option', { value: u.id }, u.name)));
		const rubric = h('input', { type: 'text', name: 'unit-rubric' });
		replace(body, h('h2', {}, 'Cây đơn vị'),
			h('div', { class: 'card', id: 'unit-tree' }, h('ul', { class: 'tree' }, roots.map((u) =>
				h('li', {}, `${u.name} `, h('span', { class: 'meta' }, `(${u.id})`),
					kids.has(u.id) ? tree(u.id) : null)))),
			adminForm('Thêm hoặc sửa đơn vị', [field('Mã đơn vị', id), field('Tên đơn vị', name),
				field('Đơn vị cấp trên', parent), field('Quy tắc chấm riêng (nếu có)', rubric)],
			() => ctx.api.call('unit.put', { id: id.value.trim(), name: name.value,
				parent: parent.value || undefined, rubric: rubric.value.trim() || undefined }), draw));
	};
	await draw();
}

async function users(ctx, body) {
	const draw = async () => {
		const [us, un] = await Promise.all([ctx.api.call('user.list'), ctx.api.call('unit.list')]);
		const id = h('input', { type: 'text', name: 'user-id', autocapitalize: 'none' });
		const name = h('input', { type: 'text', name: 'user-name' });
		const unit = h('select', { name: 'user-unit' }, un.items.map((u) => h('option', { value: u.id }, u.name)));
		const roles = ['author', 'admin', 'viewer'].map((r) =>
			h('input', { type: 'checkbox', name: 'role-' + r, value: r }));
		const roleNames = { author: 'tác giả', admin: 'quản trị', viewer: 'xem' };
		const pid = h('select', { name: 'pw-user' }, us.items.map((u) => h('option', { value: u.id }, `${u.name} (${u.id})`)));
		const pw = h('input', { type: 'password', name: 'pw-new', autocomplete: 'new-password' });
		replace(body,
			h('h2', {}, 'Người dùng'),
			h('div', { class: 'scroll' }, h('table', { id: 'users' }, h('thead', {}, h('tr', {},
				h('th', {}, 'Tài khoản'), h('th', {}, 'Họ tên'), h('th', {}, 'Đơn vị'), h('th', {}, 'Vai trò'))),
			h('tbody', {}, us.items.map((u) => h('tr', {}, h('td', {}, u.id), h('td', {}, u.name),
				h('td', {}, u.unit), h('td', {}, (u.roles || []).map((r) => roleNames[r] || r).join(', '))))))),
			adminForm('Thêm hoặc sửa người dùng', [field('Tài khoản', id), field('Họ và tên', name),
				field('Đơn vị', unit),
				h('fieldset', { class: 'checks' }, h('legend', {}, 'Vai trò'),
					roles.map((c) => h('label', {}, c, roleNames[c.value])))],
			() => ctx.api.call('user.put', { id: id.value.trim(), name: name.value, unit: unit.value,
				roles: roles.filter((c) => c.checked).map((c) => c.value) }), draw),
			adminForm('Đặt mật khẩu', [field('Người dùng', pid), field('Mật khẩu mới', pw)],
				async () => {
					await ctx.api.call('user.password', { id: pid.value, password: pw.value });
					pw.value = '';
					return 'Đã đặt mật khẩu.';
				}, null, 'Đặt mật khẩu'));
	};
	await draw();
}

async function councils(ctx, body) {
	const draw = async () => {
		const [cs, un] = await Promise.all([ctx.api.call('council.list'), ctx.api.call('unit.list')]);
		const id = h('input', { type: 'text', name: 'council-id' });
		const name = h('input', { type: 'text', name: 'council-name' });
		const scope = h('select', { name: 'council-scope' },
			h('option', { value: 'unit' }, 'cơ sở'), h('option', { value: 'province' }, 'cấp tỉnh'));
		const unit = h('select', { name: 'council-unit' }, un.items.map((u) => h('option', { value: u.id }, u.name)));
		const members = h('textarea', { name: 'council-members', rows: 4,
			placeholder: 'nguyen.van.a chair\nle.thi.b secretary\ntran.van.c member' });
		const rubric = h('input', { type: 'text', name: 'council-rubric' });
		replace(body, h('h2', {}, 'Hội đồng'),
			h('ul', { class: 'list', id: 'councils' }, cs.items.map((c) => h('li', {},
				h('strong', {}, c.name), h('span', { class: 'meta' }, ` (${c.id}, ${c.scope === 'province' ? 'cấp tỉnh' : 'cơ sở'}, ${c.unit})`),
				h('ul', {}, c.members.map((m) => h('li', {}, `${m.user}: ${roleLabel(m.role)}`)))))),
			adminForm('Thêm hoặc sửa hội đồng', [field('Mã hội đồng', id), field('Tên hội đồng', name),
				field('Cấp', scope), field('Đơn vị', unit),
				field('Thành viên, mỗi dòng: tài khoản và vai trò (chair, secretary, member)', members),
				field('Quy tắc chấm riêng (nếu có)', rubric)],
			() => ctx.api.call('council.put', { id: id.value.trim(), name: name.value,
				scope: scope.value, unit: unit.value, rubric: rubric.value.trim() || undefined,
				members: members.value.split('\n').map((l) => l.trim().split(/\s+/))
					.filter((p) => p[0]).map(([user, role]) => ({ user, role: role || 'member' })) }), draw));
	};
	await draw();
}

async function rubrics(ctx, body) {
	const list = (await ctx.api.call('rubric.list')).items;
	const pick = h('select', { name: 'rubric-pick' }, list.map((r) => h('option', { value: r.id }, `${r.id}: ${r.title || ''}`)));
	const view = h('div', { id: 'rubric-view' });
	const show = async () => {
		const r = await ctx.api.call('rubric.get', { id: pick.value });
		replace(view, h('p', { class: 'meta' }, `Phiên bản ${r.hash.slice(0, 12)}`),
			h('ul', {}, r.criteria.map((c) => h('li', {}, `${c.label} (${c.id}): tối đa ${c.max}`))),
			h('pre', { class: 'source', tabindex: 0 }, r.source));
		src.value = r.source;
		rid.value = r.id;
	};
	pick.addEventListener('change', show);
	const rid = h('input', { type: 'text', name: 'rubric-id' });
	const src = h('textarea', { name: 'rubric-source', rows: 12, spellcheck: 'false' });
	const file = h('input', { type: 'file', accept: '.lua,text/plain' });
	file.addEventListener('change', async () => {
		if (file.files[0]) src.value = await file.files[0].text();
	});
	const caseId = h('input', { type: 'number', name: 'rubric-case', min: 1 });
	const out = h('div', { id: 'rubric-test-out' });
	replace(body, h('h2', {}, 'Quy tắc chấm'), field('Xem quy tắc', pick), view,
		adminForm('Thử rồi tải lên phiên bản mới', [field('Mã quy tắc', rid),
			field('Tệp Lua', file), field('Mã nguồn Lua', src),
			field('Thử với hồ sơ số', caseId),
			h('div', { class: 'actions' }, h('button', { type: 'button', class: 'secondary', onclick: async () => {
				replace(out);
				try {
					const t = await ctx.api.call('rubric.test', { source: src.value, case: Number(caseId.value) });
					replace(out, h('div', { class: 'card' },
						h('p', {}, `Kiểm tra đơn: ${t.problems.length ? '' : 'không có vấn đề'}`),
						h('ul', {}, t.problems.map((p) => h('li', {}, p))),
						h('p', {}, `Kết luận nếu quyết định bây giờ: ${t.decide.verdict} (theo ${t.ballots_seen} phiếu bạn được xem)`),
						h('ul', {}, (t.decide.reasons || []).map((p) => h('li', {}, p)))));
				} catch (e) {
					replace(out, h('p', { class: 'error', role: 'alert' }, errorText(e)));
				}
			} }, 'Thử với hồ sơ')), out],
		async () => {
			await ctx.api.call('rubric.put', { id: rid.value.trim(), source: src.value });
			return 'Đã lưu phiên bản mới.';
		}, null, 'Tải lên phiên bản mới'));
	if (list.length) await show();
}

async function server(ctx, body) {
	const s = await ctx.api.call('server.status');
	const out = h('div', { role: 'status', 'aria-live': 'polite', id: 'verify-out' });
	replace(body, h('h2', {}, 'Tình trạng máy chủ'),
		h('div', { class: 'card', id: 'status' },
			h('p', {}, `Phiên bản ${s.version} · chạy ${Math.round(s.uptime_s / 60)} phút · sự kiện cuối số ${s.last_seq}`),
			h('p', {}, `Dữ liệu: ${(s.db_bytes / 1048576).toFixed(1)} MiB`),
			h('ul', {}, Object.entries(s.cases || {}).map(([k, n]) => h('li', {}, `${k}: ${n}`)))),
		h('div', { class: 'actions' }, h('button', { type: 'button', onclick: async (e) => {
			e.target.disabled = true;
			replace(out, 'Đang kiểm tra…');
			try {
				const v = await ctx.api.call('server.verify', {}, { timeoutMs: 3600000 });
				replace(out, h('p', { class: v.ok ? 'ok' : 'error' },
					v.ok ? `Toàn vẹn: đã kiểm ${v.cases ?? ''} hồ sơ, ${v.events ?? ''} sự kiện.` : 'Có lỗi:'),
				h('ul', {}, (v.problems || []).map((p) => h('li', {}, p))));
			} catch (e2) {
				replace(out, h('p', { class: 'error' }, errorText(e2)));
			}
			e.target.disabled = false;
		} }, 'Kiểm tra toàn vẹn dữ liệu')), out);
}
