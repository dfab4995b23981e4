// views/public.js: what anyone may read without logging in: the search of
// recognized initiatives (case.search, no diacritics needed) and a
// recognized case's public page (its confidential sections are not sent
// to those who may not see them).

import { h, replace, field, errorText } from '../dom.js';
import { stateBadge } from './common.js';
import { sectionsView, decisionView } from './case.js';

export async function searchView(ctx, main, params) {
	const q0 = new URLSearchParams(params[0] || '').get('q') || '';
	const q = h('input', { type: 'search', name: 'q', value: q0,
		placeholder: 'ví dụ: tieng anh truc tuyen' });
	const results = h('ul', { class: 'list', id: 'results' });
	const form = h('form', { role: 'search', onsubmit: (e) => {
		e.preventDefault();
		ctx.go('#/search?' + new URLSearchParams({ q: q.value }));
	} }, field('Tìm sáng kiến đã được công nhận', q,
		{ hint: 'Gõ có dấu hay không dấu đều được.' }),
	h('button', { type: 'submit' }, 'Tìm'));
	replace(main, h('h1', {}, 'Tra cứu sáng kiến'), form, results);
	if (!q0.trim()) return;
	try {
		const r = await ctx.api.call('case.search', { q: q0, limit: 50 });
		replace(results, r.items.length ? r.items.map((c) => h('li', {},
			h('a', { href: `#/public/${c.id}` }, c.title),
			h('div', {}, stateBadge(c)),
			h('p', { class: 'meta' }, c.unit)))
			: h('li', {}, 'Không tìm thấy sáng kiến nào.'));
	} catch (e) {
		replace(results, h('li', { class: 'error', role: 'alert' }, errorText(e)));
	}
}

export async function publicView(ctx, main, params) {
	const c = await ctx.api.call('case.get', { id: Number(params[0]) });
	replace(main, h('h1', {}, c.title),
		h('p', {}, stateBadge(c)),
		h('p', {}, `Đơn vị: ${c.unit} · Lĩnh vực: ${c.field || '—'} · Áp dụng lần đầu: ${c.first_applied || '—'}`),
		h('p', {}, 'Tác giả: ', (c.authors || []).map((a) => `${a.name} (${a.share}%)`).join(', ')),
		(c.decisions || []).map(decisionView),
		sectionsView(c),
		h('p', {}, h('a', { href: '#/search' }, 'Quay lại tra cứu')));
}
