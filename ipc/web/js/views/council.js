// views/council.js: the councils' lists.  The intake queue shows a
// secretary or chair the submitted cases (unit councils) and the
// nominated ones (province councils), each with its nearest earlier
// initiatives side by side, and accept / return (note required) right
// there.  The review list shows a council's members the cases under
// review, each a link to the scoring form on the case's page.  The
// province's staff (admin, viewer) get every case, by state, page by page.
// A head of unit gets the councils' recommendations waiting for their
// signature (signView).

import { h, replace, field, errorText } from '../dom.js';
import { caseItem, STATE_LABEL } from './common.js';
import { compareView } from './compare.js';

async function listStates(ctx, states) {
	const out = [];
	for (const state of states) {
		const r = await ctx.api.call('case.list', { state, limit: 500 });
		out.push(...r.items);
	}
	return out.sort((a, b) => a.id - b.id);
}

function liveList(ctx, draw) {
	let t = null;
	ctx.live((ev) => {
		if (ev && !(ev.type || '').startsWith('case.')) return;
		clearTimeout(t);
		t = setTimeout(() => draw().catch(() => {}), 150);
	});
}

export async function queueView(ctx, main) {
	const states = [];
	if (ctx.councils('unit', ['chair', 'vice_chair', 'secretary']).length) states.push('submitted');
	if (ctx.councils('province', ['chair', 'vice_chair', 'secretary']).length) states.push('nominated');
	const list = h('ul', { class: 'list', id: 'queue' });
	replace(main, h('h1', {}, 'Tiếp nhận hồ sơ'),
		h('p', { class: 'meta' }, 'Hồ sơ chờ hội đồng tiếp nhận, cùng những sáng kiến đã có gần giống nhất.'),
		list);
	const draw = async () => {
		const items = await listStates(ctx, states);
		if (!items.length) {
			replace(list, h('li', {}, 'Không có hồ sơ nào chờ tiếp nhận.'));
			return;
		}
		replace(list, await Promise.all(items.map(async (c) => {
			const li = caseItem(c);
			try {
				const sim = (await ctx.api.call('case.similar', { id: c.id, limit: 3 })).items
					.filter((s) => s.id !== c.id);
				if (sim.length) {
					const det = h('details', {}, h('summary', {},
						`Gần giống hồ sơ số ${sim[0].id} (${Math.round(sim[0].similarity * 100)}%): so sánh`));
					det.addEventListener('toggle', async () => {
						if (!det.open || det.dataset.loaded) return;
						det.dataset.loaded = '1';
						try {
							const [a, b] = await Promise.all([
								ctx.api.call('case.get', { id: c.id }),
								ctx.api.call('case.get', { id: sim[0].id })]);
							det.appendChild(compareView(a, b, sim[0].similarity));
						} catch (e) {
							det.appendChild(h('p', { class: 'error' }, errorText(e)));
						}
					});
					li.appendChild(det);
				} else {
					li.appendChild(h('p', { class: 'meta' }, 'Chưa thấy sáng kiến nào gần giống.'));
				}
			} catch (e) {
				li.appendChild(h('p', { class: 'meta' }, errorText(e)));
			}
			li.appendChild(h('p', {}, h('a', { href: `#/case/${c.id}` }, 'Mở hồ sơ để tiếp nhận hoặc trả lại')));
			return li;
		})));
	};
	await draw();
	liveList(ctx, draw);
}

export async function reviewView(ctx, main) {
	const states = [];
	if (ctx.councils('unit').length) states.push('unit_review');
	if (ctx.councils('province').length) states.push('province_review');
	if (ctx.councils('unit', ['chair', 'vice_chair', 'secretary']).length) states.push('unit_recognized');
	const list = h('ul', { class: 'list', id: 'review' });
	replace(main, h('h1', {}, 'Hồ sơ đang xét'), list);
	const draw = async () => {
		const items = await listStates(ctx, states);
		replace(list, items.length ? items.map((c) => caseItem(c,
			h('p', {}, h('a', { href: `#/case/${c.id}` },
				c.state === 'unit_recognized' ? 'Mở để đề nghị xét cấp tỉnh' : 'Mở phiếu chấm'))))
			: h('li', {}, 'Không có hồ sơ nào đang xét.'));
	};
	await draw();
	liveList(ctx, draw);
}

// Every case, for the province's staff (admin, viewer), by state.
export async function allCasesView(ctx, main) {
	const states = ['', ...Object.keys(STATE_LABEL)];
	const pick = h('select', { name: 'state' }, states.map((s) =>
		h('option', { value: s }, s ? STATE_LABEL[s] : '(mọi trạng thái)')));
	const list = h('ul', { class: 'list', id: 'all-cases' });
	const more = h('div', { class: 'actions' });
	replace(main, h('h1', {}, 'Tất cả hồ sơ'), field('Trạng thái', pick), list, more);
	let after = null;
	const page = async (reset) => {
		if (reset) {
			after = null;
			replace(list);
		}
		const args = { limit: 100 };
		if (pick.value) args.state = pick.value;
		if (after) args.after = after;
		const r = await ctx.api.call('case.list', args);
		for (const c of r.items) list.appendChild(caseItem(c));
		after = r.next || null;
		replace(more, after ? h('button', { type: 'button', class: 'secondary',
			onclick: () => page(false).catch(() => {}) }, 'Xem thêm') : null);
		if (!list.children.length) list.appendChild(h('li', {}, 'Không có hồ sơ nào.'));
	};
	pick.addEventListener('change', () => page(true).catch(() => {}));
	await page(true);
	liveList(ctx, () => page(true));
}

// The councils' recommendations waiting for a head's decision: the cases
// the server lets this head see in unit_recommended / province_recommended.
export async function signView(ctx, main) {
	const list = h('ul', { class: 'list', id: 'to-sign' });
	replace(main, h('h1', {}, 'Kiến nghị chờ ký quyết định'), list);
	const draw = async () => {
		const items = await listStates(ctx, ['unit_recommended', 'province_recommended']);
		replace(list, items.length ? items.map((c) => caseItem(c,
			h('p', {}, h('a', { href: `#/case/${c.id}` }, 'Mở để ký quyết định'))))
			: h('li', {}, 'Không có kiến nghị nào chờ ký.'));
	};
	await draw();
	liveList(ctx, draw);
}
