// views/author.js: the author's pages.  "Sáng kiến của tôi" lists their
// cases with the state and the next step; the form creates or edits an
// application with every section, the co-authors and their shares, the
// field and the first-applied date.  A draft is saved as the author types
// (case.create once, then case.update with the case's `version`, so two
// tabs never overwrite each other silently: the second gets `conflict`
// and is told to reload).  Submitting shows the rubric's `check` problems
// next to the fields they concern.

import { h, replace, field, showFieldError, clearFieldErrors, errorText } from '../dom.js';
import { SECTIONS, NEXT_STEP, caseItem, problemField, errorField } from './common.js';

export async function mineView(ctx, main) {
	const list = h('ul', { class: 'list', id: 'my-cases' });
	replace(main, h('h1', {}, 'Sáng kiến của tôi'),
		h('div', { class: 'actions' }, h('a', { class: 'button', href: '#/new' }, 'Viết đơn mới')),
		list);
	const draw = async () => {
		const r = await ctx.api.call('case.list', { author: ctx.me.id, limit: 500 });
		replace(list, r.items.length ? r.items.map((c) => caseItem(c,
			h('p', { class: 'next' }, 'Bước tiếp theo: ' + (NEXT_STEP[c.state] || '—'))))
			: h('li', {}, 'Chưa có đơn nào. Bắt đầu bằng "Viết đơn mới".'));
	};
	await draw();
	ctx.live((ev) => {
		if (!ev || (ev.type || '').startsWith('case.')) draw().catch(() => {});
	});
}

export async function formView(ctx, main, params) {
	const id0 = params[0] ? Number(params[0]) : null;
	let c = id0 ? await ctx.api.call('case.get', { id: id0 }) : null;
	let saving = Promise.resolve();
	let dirty = false;
	let stale = false;

	const title = h('input', { type: 'text', name: 'title', value: c ? c.title : '' });
	const fieldIn = h('input', { type: 'text', name: 'field', value: c ? c.field : '',
		list: 'fields-list' });
	const fieldsList = h('datalist', { id: 'fields-list' },
		['Giáo dục và đào tạo', 'Y tế', 'Hành chính công', 'Nông nghiệp',
			'Khoa học và công nghệ', 'Văn hóa, thể thao và du lịch']
			.map((v) => h('option', { value: v })));
	const owner = h('input', { type: 'text', name: 'owner', value: c ? c.owner || '' : '' });
	const first = h('input', { type: 'date', name: 'first_applied',
		value: c ? c.first_applied || '' : '' });
	const secs = {};
	const conf = {};
	const secRows = SECTIONS.map(([key, label]) => {
		secs[key] = h('textarea', { name: 'sections.' + key, rows: 5 });
		secs[key].value = c && c.sections ? c.sections[key] || '' : '';
		conf[key] = h('input', { type: 'checkbox', name: 'confidential.' + key,
			checked: c && (c.confidential || []).includes(key) });
		const row = field(label, secs[key], { name: 'sections.' + key });
		row.appendChild(h('label', { class: 'conf' }, conf[key], ' Mật (chỉ tác giả, hội đồng, quản trị xem)'));
		return row;
	});

	const authorsBox = h('div', { class: 'authors' });
	const authorRows = [];
	const addAuthor = (a) => {
		const name = h('input', { type: 'text', name: 'author-name', value: a.name || '' });
		const user = h('input', { type: 'text', name: 'author-user', value: a.user || '',
			autocapitalize: 'none' });
		const share = h('input', { type: 'number', name: 'author-share', min: 0, max: 100,
			step: 'any', inputmode: 'decimal', value: a.share ?? '' });
		const details = personInputs('author', a);
		const row = h('div', { class: 'row' },
			field('Họ và tên', name), field('Tài khoản (nếu có)', user),
			details.fields,
			field('Tỷ lệ đóng góp (%)', share),
			h('button', { type: 'button', class: 'secondary', onclick: () => {
				authorRows.splice(authorRows.indexOf(r), 1);
				row.remove();
				changed();
			} }, 'Bỏ tác giả này'));
		const r = { name, user, share, row, details };
		authorRows.push(r);
		authorsBox.appendChild(row);
	};
	const authors0 = c ? c.authors : [{ name: ctx.me.name, user: ctx.me.id, share: 100 }];
	for (const a of authors0) addAuthor(a);

	// The form of Thông tư 18/2013 (Phụ lục) asks more than the sections:
	// who applied or trialled the initiative first, the benefits as they
	// assessed them, and the end of a first application still running.
	const firstEnd = h('input', { type: 'date', name: 'first_applied_end',
		value: c ? c.first_applied_end || '' : '' });
	const trial = trialUsersBox(c ? c.trial_users || [] : [], () => changed());
	const benefits = h('textarea', { name: 'benefits_assessed', rows: 4 });
	benefits.value = c ? c.benefits_assessed || '' : '';
	// The author's declaration at submission (Điều 3, Điều lệ sáng kiến).
	const declOrder = h('input', { type: 'checkbox', name: 'declaration.not_against_public_order' });
	const declIp = h('input', { type: 'checkbox', name: 'declaration.not_protected_ip' });
	const declaration = h('fieldset', { 'data-field': 'declaration', id: 'declaration' },
		h('legend', {}, 'Cam đoan khi nộp đơn (Điều 3 Điều lệ sáng kiến)'),
		h('label', {}, declOrder, ' Việc công bố, áp dụng giải pháp không trái với trật tự công cộng hoặc đạo đức xã hội.'),
		h('label', {}, declIp, ' Giải pháp không phải là đối tượng đang được bảo hộ quyền sở hữu trí tuệ.'),
		h('p', { class: 'field-error', hidden: true, role: 'alert' }));

	const status = h('p', { class: 'saved', role: 'status', 'aria-live': 'polite' });
	const formErr = h('div', { class: 'error', role: 'alert', id: 'form-errors' });
	const submitBtn = h('button', { type: 'button', id: 'submit-case' }, 'Nộp đơn');

	const collect = () => {
		const sections = {};
		for (const [key] of SECTIONS) {
			const v = secs[key].value;
			sections[key] = v.trim() === '' ? null : v;
		}
		const args = {
			title: title.value, field: fieldIn.value,
			first_applied: first.value,
			sections,
			authors: authorRows.map((r) => {
				const a = { name: r.name.value, ...r.details.values(),
					share: r.share.value === '' ? 0 : Number(r.share.value) };
				if (r.user.value.trim()) a.user = r.user.value.trim();
				return a;
			}),
			confidential: SECTIONS.map(([k]) => k).filter((k) => conf[k].checked),
			trial_users: trial.values(),
			benefits_assessed: benefits.value,
		};
		if (owner.value.trim()) args.owner = owner.value;
		if (firstEnd.value) args.first_applied_end = firstEnd.value;
		else if (c && c.first_applied_end) args.first_applied_end = null;
		return args;
	};

	const showError = (e) => {
		const name = errorField(e);
		if (!name || !showFieldError(form, name, errorText(e))) {
			formErr.textContent = errorText(e);
		}
	};

	// save(): one save at a time, in order; the reply's version is the one
	// the next save sends.
	const save = () => {
		saving = saving.then(async () => {
			if (stale) return;
			dirty = false;
			const args = collect();
			clearFieldErrors(form);
			formErr.textContent = '';
			try {
				if (!c && (!args.title.trim() || !args.field.trim() || !args.first_applied)) {
					status.textContent = 'Bản nháp được lưu tự động khi đã có tên sáng kiến, lĩnh vực và ngày áp dụng lần đầu.';
					return;
				}
				if (!c) {
					// The server wants no null sections on create.
					for (const k of Object.keys(args.sections)) {
						if (args.sections[k] === null) delete args.sections[k];
					}
					c = await ctx.api.call('case.create', args);
					history.replaceState(null, '', `#/edit/${c.id}`);
				} else {
					c = await ctx.api.call('case.update',
						{ id: c.id, version: c.version, ...args });
				}
				status.textContent = `Đã lưu bản nháp (hồ sơ số ${c.id}, phiên bản ${c.version}).`;
			} catch (e) {
				if (e.code === 'conflict') {
					stale = true;
					status.textContent = '';
					formErr.replaceChildren(h('p', { class: 'banner' },
						'Đơn này vừa được sửa ở nơi khác (một thẻ hoặc máy khác). '
						+ 'Những gì bạn gõ ở đây chưa được lưu. ',
						h('button', { type: 'button', onclick: () => formView(ctx, main, [String(c.id)]) },
							'Tải lại bản mới nhất')));
				} else {
					status.textContent = 'Chưa lưu được.';
					showError(e);
				}
				throw e;
			}
		}).catch(() => {});
		return saving;
	};

	let timer = null;
	const changed = () => {
		dirty = true;
		status.textContent = 'Đang soạn…';
		clearTimeout(timer);
		timer = setTimeout(save, 700);
	};

	const form = h('form', { class: 'card', id: 'case-form', oninput: changed,
		onchange: changed, onsubmit: (e) => e.preventDefault() },
	field('Tên sáng kiến', title, { name: 'title' }),
	h('div', { class: 'row' },
		field('Lĩnh vực', fieldIn, { name: 'field' }),
		field('Ngày áp dụng lần đầu', first, { name: 'first_applied' })),
	fieldsList,
	field('Chủ đầu tư tạo ra sáng kiến (nếu có)', owner, { name: 'owner' }),
	h('fieldset', { 'data-field': 'authors' }, h('legend', {}, 'Tác giả và đồng tác giả'),
		authorsBox,
		h('button', { type: 'button', class: 'secondary',
			onclick: () => { addAuthor({}); changed(); } }, 'Thêm đồng tác giả'),
		h('p', { class: 'field-error', hidden: true, role: 'alert' })),
	h('h2', {}, 'Nội dung đơn'),
	secRows,
	field('Ngày kết thúc áp dụng lần đầu (nếu đang áp dụng thử)', firstEnd, { name: 'first_applied_end' }),
	trial.box,
	field('Đánh giá lợi ích theo ý kiến của người đã tham gia áp dụng (nếu có)', benefits,
		{ name: 'benefits_assessed' }),
	declaration,
	formErr,
	h('div', { class: 'actions' }, submitBtn,
		c ? h('a', { href: `#/case/${c.id}` }, 'Xem hồ sơ') : null),
	status);

	submitBtn.addEventListener('click', async () => {
		clearTimeout(timer);
		submitBtn.disabled = true;
		try {
			await save();
			if (!c && !stale) {
				formErr.textContent = 'Đơn chưa nộp được: hãy điền những mục được đánh dấu.';
				for (const [name, inp] of [['title', title], ['field', fieldIn], ['first_applied', first]]) {
					if (!inp.value.trim()) showFieldError(form, name, 'Mục này bắt buộc.');
				}
				return;
			}
			if (stale || !c || dirty) return;
			clearFieldErrors(form);
			formErr.textContent = '';
			try {
				c = await ctx.api.call('case.act',
					{ id: c.id, action: 'submit', version: c.version,
						declaration: { not_against_public_order: declOrder.checked,
							not_protected_ip: declIp.checked } });
				ctx.flash(`Đã nộp hồ sơ số ${c.id}; giấy biên nhận số ${c.receipt.no}, `
					+ `hạn trả lời ${c.receipt.answer_due}.`);
				ctx.go(`#/case/${c.id}`);
			} catch (e) {
				if (e.code === 'incomplete') {
					const general = [];
					for (const p of (e.details.problems || [])) {
						const f = problemField(p);
						if (!f || !showFieldError(form, f, p)) general.push(p);
					}
					formErr.replaceChildren(h('p', {}, 'Đơn chưa nộp được: hãy sửa những chỗ được đánh dấu.'),
						general.length ? h('ul', {}, general.map((p) => h('li', {}, p))) : null);
					const bad = form.querySelector('.invalid textarea, .invalid input');
					if (bad) bad.focus();
				} else if (e.code === 'bad_request' && e.details && e.details.missing) {
					showFieldError(form, 'declaration', 'Hãy đánh dấu lời cam đoan: '
						+ e.details.missing.map((k) => DECLARATION[k]).join('; ') + '.');
				} else {
					showError(e);
				}
			}
		} finally {
			submitBtn.disabled = false;
		}
	});

	replace(main, h('h1', {}, c ? `Sửa đơn, hồ sơ số ${c.id}` : 'Đơn yêu cầu công nhận sáng kiến'),
		c && c.state === 'returned' ? h('p', { class: 'banner' },
			'Đơn được trả lại để bổ sung; xem ghi chú trong ', h('a', { href: `#/case/${c.id}` }, 'diễn biến hồ sơ'), '.') : null,
		form);
	title.focus();

	// Another tab or device changed this case: say so at once.
	ctx.live((ev) => {
		if (ev && c && ev.case === c.id && ev.version > c.version && !stale) {
			setTimeout(() => {
				if (c && ev.version > c.version && !stale) {
					stale = true;
					formErr.replaceChildren(h('p', { class: 'banner' },
						'Đơn này vừa được sửa ở nơi khác. ',
						h('button', { type: 'button', onclick: () => formView(ctx, main, [String(c.id)]) },
							'Tải lại bản mới nhất')));
				}
			}, 300);
		}
	});
}

const DECLARATION = {
	not_against_public_order: 'không trái trật tự công cộng, đạo đức xã hội',
	not_protected_ip: 'không đang được bảo hộ sở hữu trí tuệ',
};

// A person's particulars as the form asks them (Thông tư 18/2013, Phụ
// lục): the inputs, and their values for the server.
function personInputs(kind, p) {
	const birth = h('input', { type: 'date', name: `${kind}-birth_date`, value: p.birth_date || '' });
	const work = h('input', { type: 'text', name: `${kind}-workplace`, value: p.workplace || '' });
	const pos = h('input', { type: 'text', name: `${kind}-position`, value: p.position || '' });
	const qual = h('input', { type: 'text', name: `${kind}-qualification`, value: p.qualification || '' });
	return {
		fields: [field('Ngày sinh', birth), field('Nơi công tác', work),
			field('Chức danh', pos), field('Trình độ chuyên môn', qual)],
		values: () => ({ birth_date: birth.value, workplace: work.value,
			position: pos.value, qualification: qual.value }),
	};
}

// The people who applied or trialled the initiative first ("nếu có").
function trialUsersBox(list, changed) {
	const rows = [];
	const inner = h('div', { class: 'trial-users' });
	const add = (t) => {
		const name = h('input', { type: 'text', name: 'trial-name', value: t.name || '' });
		const content = h('input', { type: 'text', name: 'trial-content', value: t.content || '' });
		const details = personInputs('trial', t);
		const row = h('div', { class: 'row' }, field('Họ và tên', name), details.fields,
			field('Nội dung công việc hỗ trợ', content),
			h('button', { type: 'button', class: 'secondary', onclick: () => {
				rows.splice(rows.indexOf(r), 1);
				row.remove();
				changed();
			} }, 'Bỏ người này'));
		const r = { row, values: () => ({ name: name.value, ...details.values(), content: content.value }) };
		rows.push(r);
		inner.appendChild(row);
	};
	for (const t of list) add(t);
	const box = h('fieldset', { 'data-field': 'trial_users' },
		h('legend', {}, 'Người đã tham gia áp dụng thử hoặc áp dụng lần đầu (nếu có)'),
		inner,
		h('button', { type: 'button', class: 'secondary', onclick: () => { add({}); changed(); } },
			'Thêm người áp dụng thử'),
		h('p', { class: 'field-error', hidden: true, role: 'alert' }));
	return { box, values: () => rows.map((r) => r.values()) };
}
