// views/case.js: one case, as each person involved sees it.  Everyone who
// may see it gets the application, the authors, the decisions with their
// reasons and the timeline (with the secretary's return notes).  Then,
// by role and state: the author edits, submits or withdraws; a council's
// chair or secretary accepts or returns (a note is required) or
// nominates, with the nearest earlier initiatives side by side; a member
// scores with a form built from the pinned rubric's criteria and sees
// their own ballot; the chair sees who has scored (not what), what the
// rubric would decide now (rubric.test), and closes the vote: while
// members have not voted the server answers with a preview, which the chair
// confirms or leaves; the head of the unit signs the decision (number,
// date, reasons to refuse); an admin reopens (the old decisions are shown
// as superseded) or revokes.  The page redraws itself when an event
// touches the case.

import { h, replace, field, errorText, fmtTime } from '../dom.js';
import { SECTIONS, NEXT_STEP, stateBadge, roleLabel } from './common.js';
import { compareView } from './compare.js';
import { docsPanel } from './docs.js';

const ACTION_LABEL = {
	submit: 'nộp đơn', accept: 'tiếp nhận', return: 'trả lại', withdraw: 'rút đơn',
	nominate: 'đề nghị xét cấp tỉnh', reopen: 'mở lại', revoke: 'thu hồi',
	recognize: 'ký quyết định',
};
const EVENT_LABEL = {
	'case.created': 'Tạo đơn', 'case.updated': 'Sửa đơn', 'case.scored': 'Chấm điểm',
	'case.decided': 'Kiến nghị của hội đồng', 'case.recognized': 'Quyết định của thủ trưởng',
	'case.due_soon': 'Sắp đến hạn',
	'case.overdue': 'Quá hạn xét',
};
const VERDICT = { pass: 'Công nhận', fail: 'Không công nhận' };
const RECOMMEND = { pass: 'đề nghị công nhận', fail: 'đề nghị không công nhận' };
const OUTCOME = { recognized: 'Công nhận', refused: 'Không công nhận' };
const STAGE = { unit: 'cấp cơ sở', province: 'cấp tỉnh' };

function stageOf(state) {
	if (['submitted', 'unit_review', 'unit_recommended', 'unit_recognized'].includes(state)) return 'unit';
	if (['nominated', 'province_review', 'province_recommended'].includes(state)) return 'province';
	return null;
}

export function sectionsView(c) {
	return h('dl', { class: 'sections' }, SECTIONS.map(([k, label]) => {
		const v = (c.sections || {})[k];
		if (v === undefined || v === null) return null;
		return [h('dt', {}, label, (c.confidential || []).includes(k) ? ' (mật)' : ''),
			h('dd', { 'data-section': k }, v)];
	}));
}

// "Đã bị thay thế" on a decision that a reopened review replaced.
function supersededNote(d) {
	return d.superseded ? h('p', { class: 'superseded' },
		`Đã bị thay thế: hồ sơ được mở lại để xét${d.superseded_at ? ' từ ' + fmtTime(d.superseded_at) : ''}.`) : null;
}

function votesText(v) {
	return v ? `Biểu quyết: ${v.pass}/${v.members} thành viên đồng ý (cần ${v.needed}), ${v.fail} không đồng ý` : '';
}

// The council's recommendation (case.decide).
export function decisionView(d) {
	return h('div', { class: 'card decision' + (d.superseded ? ' is-superseded' : ''),
		'data-stage': d.stage },
		h('h3', {}, `Kiến nghị của hội đồng ${STAGE[d.stage] || d.stage}: ${RECOMMEND[d.verdict] || d.verdict}`),
		supersededNote(d),
		h('p', { class: 'meta' }, d.score !== undefined && d.score !== null ? `Điểm: ${d.score}` : '',
			d.decided_at ? ` · ${fmtTime(d.decided_at)}` : ''),
		d.votes ? h('p', { class: 'votes' }, votesText(d.votes)) : null,
		(d.reasons || []).length ? h('ul', { class: 'reasons' },
			d.reasons.map((r) => h('li', {}, r))) : null);
}

// The head's decision (case.recognize).
export function recognitionView(g) {
	return h('div', { class: 'card recognition' + (g.superseded ? ' is-superseded' : ''),
		'data-stage': g.stage },
		h('h3', {}, `Quyết định ${STAGE[g.stage] || g.stage}: ${OUTCOME[g.outcome] || g.outcome}`),
		supersededNote(g),
		h('p', {}, `Số ${g.decision_no} ngày ${g.decision_date}, ${g.signer_name || g.signed_by} ký`),
		g.note ? h('p', { class: 'note' }, 'Lý do: ', g.note) : null);
}

function timelineView(items) {
	return h('ol', { class: 'timeline', id: 'timeline' }, items.map((ev) => h('li', {},
		h('strong', {}, ev.type === 'case.transition'
			? `${ACTION_LABEL[ev.action] || ev.action}`.replace(/^./, (s) => s.toUpperCase())
			: EVENT_LABEL[ev.type] || ev.type),
		ev.type === 'case.decided' ? `: ${RECOMMEND[ev.verdict] || ev.verdict}` : '',
		ev.type === 'case.recognized' ? `: ${OUTCOME[ev.outcome] || ev.outcome}, số ${ev.decision_no}` : '',
		h('span', { class: 'meta' }, ` · ${fmtTime(ev.at)}`, ev.actor ? ` · ${ev.actor}` : ''),
		ev.note ? h('p', { class: 'note' }, 'Ghi chú: ', ev.note) : null)));
}

export async function caseView(ctx, main, params) {
	const id = Number(params[0]);
	const draw = async () => {
		const [c, hist] = await Promise.all([
			ctx.api.call('case.get', { id }),
			ctx.api.call('case.history', { id }).catch(() => ({ items: [] })),
		]);
		const panels = await actionPanels(ctx, c, hist.items, draw);
		replace(main,
			h('h1', {}, `Hồ sơ số ${c.id}: ${c.title}`),
			h('p', {}, stateBadge(c), ' ', h('span', { class: 'meta' }, `phiên bản ${c.version}`)),
			isAuthor(ctx, c) ? h('p', { class: 'next' }, 'Bước tiếp theo: ' + (NEXT_STEP[c.state] || '—')) : null,
			panels,
			docsPanel(ctx, c),
			(c.decisions || []).map(decisionView),
			(c.recognitions || []).map(recognitionView),
			h('h2', {}, 'Thông tin chung'),
			h('p', {}, `Đơn vị: ${c.unit} · Lĩnh vực: ${c.field || '—'} · Áp dụng lần đầu: ${c.first_applied || '—'}`),
			c.owner ? h('p', {}, `Chủ đầu tư: ${c.owner}`) : null,
			intakeView(c),
			h('h3', {}, 'Tác giả'),
			h('ul', { id: 'authors' }, (c.authors || []).map((a) =>
				h('li', {}, `${a.name}${a.user ? ` (${a.user})` : ''}: ${a.share}%`, personLine(a)))),
			h('h2', {}, 'Nội dung đơn'),
			sectionsView(c),
			trialView(c),
			(c.similar || []).length ? [h('h2', {}, 'Sáng kiến tương tự đã có'),
				h('ul', {}, c.similar.map((s) => h('li', {},
					h('a', { href: `#/case/${s.id}` }, `Hồ sơ số ${s.id}: ${s.title}`),
					` (${Math.round(s.similarity * 100)}%)`)))] : null,
			h('h2', {}, 'Diễn biến hồ sơ'),
			timelineView(hist.items));
	};
	await draw();
	let again = null;
	ctx.live((ev) => {
		if (ev && ev.case !== id) return;
		clearTimeout(again);
		// Keep what someone is typing: redraw only when no input here has
		// the focus, else when it loses it.
		again = setTimeout(function redraw() {
			const a = document.activeElement;
			if (a && main.contains(a) && /INPUT|TEXTAREA|SELECT/.test(a.tagName) && a.value) {
				a.addEventListener('blur', () => setTimeout(redraw, 50), { once: true });
				return;
			}
			draw().catch(() => {});
		}, 150);
	});
}

function isAuthor(ctx, c) {
	return (c.authors || []).some((a) => a.user === ctx.me.id) || c.created_by === ctx.me.id;
}

// A button that runs fn, shows its error next to itself, then redraws.
function actionButton(label, fn, redraw, opts = {}) {
	const err = h('p', { class: 'error', role: 'alert' });
	const b = h('button', { type: 'button', class: opts.class || null, id: opts.id || null,
		onclick: async () => {
			err.textContent = '';
			b.disabled = true;
			try {
				await fn();
				if (opts.done) opts.done();
				await redraw();
			} catch (e) {
				err.textContent = errorText(e);
				b.disabled = false;
			}
		} }, label);
	return h('span', {}, b, err);
}

// A note and a button: return, reopen, revoke need the note.
function noteAction(ctx, c, action, label, required, redraw) {
	const note = h('textarea', { name: 'note-' + action, rows: 3 });
	const err = h('p', { class: 'error', role: 'alert' });
	const form = h('form', { class: 'card', onsubmit: async (e) => {
		e.preventDefault();
		err.textContent = '';
		if (required && !note.value.trim()) {
			err.textContent = 'Hãy ghi rõ lý do (bắt buộc).';
			note.focus();
			return;
		}
		try {
			await ctx.api.call('case.act', { id: c.id, action, version: c.version, note: note.value });
			ctx.flash(`Đã ${ACTION_LABEL[action]} hồ sơ số ${c.id}.`);
			await redraw();
		} catch (e2) {
			err.textContent = errorText(e2);
		}
	} },
	field(`Ghi chú khi ${ACTION_LABEL[action]}${required ? ' (bắt buộc)' : ''}`, note),
	err, h('button', { type: 'submit', class: action === 'revoke' ? 'danger' : null }, label));
	return form;
}

async function actionPanels(ctx, c, history, redraw) {
	const out = [];
	const st = c.state;
	const stage = stageOf(st);
	const author = isAuthor(ctx, c);
	const act = (action) => ctx.api.call('case.act', { id: c.id, action, version: c.version });

	if (author && ['draft', 'returned'].includes(st)) {
		out.push(h('div', { class: 'actions' },
			h('a', { class: 'button', href: `#/edit/${c.id}` }, 'Sửa và nộp đơn'),
			actionButton('Rút đơn', () => act('withdraw'), redraw, { class: 'secondary' })));
	} else if (author && ['submitted', 'unit_review'].includes(st)) {
		out.push(h('div', { class: 'actions' },
			actionButton('Rút đơn', () => act('withdraw'), redraw, { class: 'secondary' })));
	}
	if (author) return out;

	const staff = stage ? ctx.councils(stage, ['chair', 'vice_chair', 'secretary']) : [];
	if (staff.length && ['submitted', 'nominated'].includes(st)) {
		out.push(h('section', { class: 'card', 'aria-label': 'Tiếp nhận' },
			h('h2', {}, 'Tiếp nhận hồ sơ'),
			h('div', { class: 'actions' },
				actionButton('Tiếp nhận để xét', () => act('accept'), redraw, { id: 'accept' })),
			noteAction(ctx, c, 'return', 'Trả lại hồ sơ', true, redraw)));
		out.push(await similarPanel(ctx, c));
	}
	if (staff.length && st === (stage + '_review')) {
		out.push(h('details', { class: 'card' }, h('summary', {}, 'Trả lại hồ sơ'),
			noteAction(ctx, c, 'return', 'Trả lại hồ sơ', true, redraw)));
	}
	if (ctx.councils('unit', ['chair', 'vice_chair', 'secretary']).length && st === 'unit_recognized') {
		out.push(h('div', { class: 'actions' },
			actionButton('Đề nghị xét cấp tỉnh', () => act('nominate'), redraw, { id: 'nominate' })));
	}
	const reviewStage = st === 'unit_review' ? 'unit' : st === 'province_review' ? 'province' : null;
	if (reviewStage && ctx.councils(reviewStage).length) {
		if (ctx.councils(reviewStage, ['expert']).length === ctx.councils(reviewStage).length) {
			out.push(h('p', { class: 'meta' }, 'Chuyên gia góp ý, không chấm điểm và không biểu quyết.'));
		} else {
			out.push(await scoringPanel(ctx, c, redraw));
		}
		if (ctx.councils(reviewStage, ['chair', 'vice_chair', 'secretary']).length) {
			out.push(await chairPanel(ctx, c, history, reviewStage, redraw));
		}
	}
	if ((ctx.me.roles || []).includes('head') && ['unit_recommended', 'province_recommended'].includes(st)) {
		out.push(recognizePanel(ctx, c, redraw));
	}
	if (ctx.isAdmin()) {
		if (['unit_refused', 'province_refused', 'unit_recommended', 'province_recommended'].includes(st)) {
			out.push(noteAction(ctx, c, 'reopen', 'Mở lại để xét', true, redraw));
		}
		if (['unit_recognized', 'nominated', 'province_review', 'recognized', 'province_refused'].includes(st)) {
			out.push(h('details', { class: 'card' }, h('summary', {}, 'Thu hồi'),
				noteAction(ctx, c, 'revoke', 'Thu hồi công nhận', true, redraw)));
		}
	}
	return out;
}

// The nearest earlier initiatives, the first side by side.
async function similarPanel(ctx, c) {
	let items = c.similar || [];
	if (!items.length) {
		try {
			items = (await ctx.api.call('case.similar', { id: c.id, limit: 3 })).items
				.filter((s) => s.id !== c.id);
		} catch (e) {
			items = [];
		}
	}
	if (!items.length) {
		return h('p', { class: 'meta' }, 'Không thấy sáng kiến nào gần giống đã có.');
	}
	const box = h('section', { class: 'card', id: 'similar' },
		h('h2', {}, 'Sáng kiến gần giống nhất đã có'),
		h('ul', {}, items.map((s) => h('li', {},
			h('a', { href: `#/case/${s.id}` }, `Hồ sơ số ${s.id}: ${s.title}`),
			` (độ tương đồng ${Math.round(s.similarity * 100)}%)`))));
	try {
		const other = await ctx.api.call('case.get', { id: items[0].id });
		box.appendChild(compareView(c, other, items[0].similarity));
	} catch (e) {
		box.appendChild(h('p', { class: 'meta' }, `Không xem được hồ sơ số ${items[0].id}: ${errorText(e)}`));
	}
	return box;
}

// The member's ballot form, from the pinned rubric's criteria.
async function scoringPanel(ctx, c, redraw) {
	const rubric = await ctx.api.call('rubric.get', { id: c.rubric.id, hash: c.rubric.hash });
	const mine = (c.ballots || []).find((b) => b.member === ctx.me.id);
	const inputs = {};
	const err = h('p', { class: 'error', role: 'alert' });
	const total = h('p', { class: 'meta', 'aria-live': 'polite' });
	const check = () => {
		let sum = 0;
		let ok = true;
		for (const cr of rubric.criteria) {
			const inp = inputs[cr.id];
			const e = inp.parentElement.querySelector('.field-error');
			const v = inp.value.trim() === '' ? NaN : Number(inp.value);
			const min = cr.min ?? 0;
			let msg = '';
			if (inp.value.trim() === '') msg = 'Chưa cho điểm.';
			else if (!Number.isFinite(v)) msg = 'Phải là một số.';
			else if (v < min || v > cr.max) msg = `Điểm phải từ ${min} đến ${cr.max}.`;
			e.textContent = msg;
			e.hidden = !msg;
			inp.parentElement.classList.toggle('invalid', !!msg && inp.value.trim() !== '');
			if (msg) ok = false;
			else sum += v;
		}
		total.textContent = ok ? `Tổng: ${Math.round(sum * 100) / 100}` : '';
		return ok;
	};
	const rows = rubric.criteria.map((cr) => {
		const inp = h('input', { type: 'number', name: 'mark-' + cr.id, inputmode: 'decimal',
			min: cr.min ?? 0, max: cr.max, step: 'any',
			value: mine && mine.marks ? mine.marks[cr.id] : '' });
		inputs[cr.id] = inp;
		return field(`${cr.label || cr.id} (${cr.min ?? 0}–${cr.max} điểm)`, inp,
			{ name: 'mark-' + cr.id, hint: cr.guide });
	});
	const comment = h('textarea', { name: 'comment', rows: 3 });
	if (mine && mine.comment) comment.value = mine.comment;
	const form = h('form', { class: 'card criteria', id: 'scoring', oninput: () => {
		err.textContent = '';
		check();
	}, onsubmit: async (e) => {
		e.preventDefault();
		err.textContent = '';
		if (!check()) {
			err.textContent = 'Hãy sửa các điểm được đánh dấu.';
			return;
		}
		const marks = {};
		for (const cr of rubric.criteria) marks[cr.id] = Number(inputs[cr.id].value);
		try {
			const v = form.querySelector('input[name="vote"]:checked');
			await ctx.api.call('case.score', { id: c.id, marks, comment: comment.value,
				vote: v && v.value ? v.value : undefined });
			ctx.flash(`Đã lưu phiếu chấm hồ sơ số ${c.id}.`);
			await redraw();
		} catch (e2) {
			err.textContent = errorText(e2);
		}
	} },
	h('h2', {}, `Phiếu chấm: ${rubric.title || rubric.id}`),
	rows, field('Nhận xét', comment), voteChoice(mine), total, err,
	h('button', { type: 'submit' }, mine ? 'Sửa phiếu chấm' : 'Gửi phiếu chấm'));
	const ballot = mine ? h('section', { class: 'card', id: 'my-ballot' },
		h('h2', {}, 'Phiếu của tôi'),
		h('ul', {}, rubric.criteria.map((cr) =>
			h('li', {}, `${cr.label || cr.id}: ${mine.marks[cr.id]}`))),
		h('p', {}, `Tổng: ${mine.total}`, mine.comment ? ` · ${mine.comment}` : ''),
		h('p', {}, mine.vote === 'pass' ? 'Biểu quyết: đồng ý công nhận'
			: mine.vote === 'fail' ? 'Biểu quyết: không đồng ý' : 'Biểu quyết: theo điểm'),
		h('p', { class: 'meta' }, 'Phiếu của các thành viên khác được giữ kín đến khi hội đồng quyết định.'))
		: null;
	return [ballot, form];
}

// The chair's view: who has scored, what the rubric says now, decide.
// The last decide preview this page showed, and for which state of which
// case (chairPanel).
let shownPreview = null;

async function chairPanel(ctx, c, history, stage, redraw) {
	const mine = ctx.councils(stage, ['chair', 'secretary']);
	let council = null;
	try {
		council = await ctx.api.call('council.get', { id: mine[0].id });
	} catch (e) {
		council = null;
	}
	// The current review began at the last accept or reopen.
	let start = 0;
	history.forEach((ev, i) => {
		if (ev.type === 'case.transition' && ['accept', 'reopen'].includes(ev.action)) start = i;
	});
	const scored = new Set(history.slice(start)
		.filter((ev) => ev.type === 'case.scored' && ev.actor).map((ev) => ev.actor));
	const who = council ? h('ul', { id: 'who-scored' }, council.members.map((m) =>
		h('li', {}, `${m.user} (${roleLabel(m.role)}): `,
			scored.has(m.user) ? h('span', { class: 'ok' }, 'đã chấm') : 'chưa chấm')))
		: h('p', {}, `Đã chấm: ${[...scored].join(', ') || 'chưa ai'}`);
	let test;
	try {
		const t = await ctx.api.call('rubric.test', { id: c.rubric.id, case: c.id });
		test = h('div', { id: 'rubric-test' },
			h('p', {}, 'Theo phiếu hiện có, quy tắc chấm sẽ kết luận: ',
				h('strong', {}, { pass: 'công nhận', fail: 'không công nhận', pending: 'chưa đủ điều kiện quyết định' }[t.decide.verdict] || t.decide.verdict)),
			h('ul', {}, (t.decide.reasons || []).map((r) => h('li', {}, r))));
	} catch (e) {
		test = h('p', { class: 'error' }, errorText(e));
	}
	const isChair = ctx.councils(stage, ['chair', 'vice_chair']).length > 0;
	const note = h('textarea', { name: 'decide-note', rows: 2 });
	// The preview survives a redraw (a live event, another tab) while the
	// case and its ballots are as they were when it was asked for.
	const key = `${c.id}:${c.version}:${history.length}`;
	const preview = h('div', { id: 'decide-preview' },
		shownPreview && shownPreview.key === key ? shownPreview.node : null);
	// While members have not voted the server answers `pending` with
	// what it would record: shown here, recorded only when confirmed.
	const decide = async (confirm) => {
		try {
			await ctx.api.call('case.decide', { id: c.id, note: note.value || undefined,
				confirm: confirm || undefined });
		} catch (e) {
			const d = e.details || {};
			if (e.code !== 'pending' || !d.outcome) throw e;
			const o = d.outcome;
			shownPreview = { key, node: h('div', { class: 'card preview', role: 'status' },
				h('h3', {}, 'Xem trước kiến nghị (chưa ghi nhận)'),
				h('p', {}, `Chưa biểu quyết: ${(d.missing || []).join(', ')}`),
				h('p', {}, `Nếu ghi nhận bây giờ: ${RECOMMEND[o.verdict] || o.verdict}`,
					o.score !== undefined && o.score !== null ? `, điểm ${o.score}` : ''),
				h('p', {}, votesText(o.votes)),
				h('ul', {}, (o.reasons || []).map((r) => h('li', {}, r))),
				h('div', { class: 'actions' }, actionButton('Xác nhận kiến nghị', () => decide(true),
					redraw, { id: 'decide-confirm' }))) };
			replace(document.getElementById('decide-preview') || preview, shownPreview.node);
			throw Object.assign(new Error('Còn thành viên chưa biểu quyết: xem trước bên dưới.'), { shown: true });
		}
	};
	return h('section', { class: 'card', id: 'chair' },
		h('h2', {}, 'Tình hình chấm điểm'), who, test,
		isChair ? [field('Ghi chú của chủ tịch (không bắt buộc)', note),
			h('div', { class: 'actions' }, actionButton('Kết luận theo quy tắc chấm', () => decide(false),
				redraw, { id: 'decide' })), preview] : null);
}

// Agree, disagree, or let the marks say (the rubric's vote).
function voteChoice(mine) {
	const opt = (value, label) => h('label', { class: 'choice' },
		h('input', { type: 'radio', name: 'vote', value,
			checked: (mine && mine.vote_from !== 'marks' ? mine.vote || '' : '') === value }), ' ', label);
	return h('fieldset', { class: 'vote' }, h('legend', {}, 'Biểu quyết'),
		opt('pass', 'Đồng ý công nhận'), opt('fail', 'Không đồng ý'), opt('', 'Theo điểm chấm'));
}

// The head's decision on the council's recommendation: number, date,
// recognized or refused (reasons required to refuse).
function recognizePanel(ctx, c, redraw) {
	const rec = c.decision || {};
	const no = h('input', { name: 'decision_no', required: true });
	const date = h('input', { type: 'date', name: 'decision_date',
		value: new Date().toISOString().slice(0, 10) });
	const outcome = h('select', { name: 'outcome' },
		h('option', { value: 'recognized', selected: rec.verdict === 'pass' }, 'Công nhận'),
		h('option', { value: 'refused', selected: rec.verdict !== 'pass' }, 'Không công nhận'));
	const note = h('textarea', { name: 'recognize-note', rows: 3 });
	const err = h('p', { class: 'error', role: 'alert' });
	return h('form', { class: 'card', id: 'recognize', onsubmit: async (e) => {
		e.preventDefault();
		err.textContent = '';
		if (!no.value.trim()) {
			err.textContent = 'Hãy ghi số quyết định.';
			no.focus();
			return;
		}
		if (outcome.value === 'refused' && !note.value.trim()) {
			err.textContent = 'Không công nhận phải ghi rõ lý do (bắt buộc).';
			note.focus();
			return;
		}
		try {
			await ctx.api.call('case.recognize', { id: c.id, decision_no: no.value.trim(),
				decision_date: date.value, outcome: outcome.value, note: note.value || undefined });
			ctx.flash(`Đã ký quyết định về hồ sơ số ${c.id}.`);
			await redraw();
		} catch (e2) {
			err.textContent = errorText(e2);
		}
	} },
	h('h2', {}, 'Quyết định của thủ trưởng đơn vị'),
	h('p', {}, `Hội đồng ${RECOMMEND[rec.verdict] || ''}.`),
	field('Số quyết định', no), field('Ngày ký', date), field('Quyết định', outcome),
	field('Lý do (bắt buộc khi không công nhận)', note), err,
	h('button', { type: 'submit' }, 'Ký quyết định'));
}

// The application's form (issue 16): a person's particulars, the receipt,
// the round, the declaration, the flag of a near copy, the trial users.
function personLine(p) {
	const parts = [['Ngày sinh', p.birth_date], ['Nơi công tác', p.workplace],
		['Chức danh', p.position], ['Trình độ chuyên môn', p.qualification]]
		.filter(([, v]) => v).map(([k, v]) => `${k}: ${v}`);
	return parts.length ? h('div', { class: 'meta' }, parts.join(' · ')) : null;
}

function intakeView(c) {
	const r = c.receipt;
	const f = c.flagged_similar;
	const d = c.declaration;
	return [
		f ? h('p', { class: 'banner', id: 'flagged-similar' }, 'Cảnh báo: đơn gần trùng ',
			h('a', { href: `#/case/${f.id}` }, `hồ sơ số ${f.id}: ${f.title}`),
			` (độ tương đồng ${Math.round(f.similarity * 100)}%, ngưỡng của tỉnh `
			+ `${Math.round((f.threshold || 0.8) * 100)}%). Hội đồng xem xét tính mới.`) : null,
		r ? h('p', { id: 'receipt' }, `Giấy biên nhận số ${r.no} ngày ${r.date} · Hạn trả lời: ${r.answer_due}`
			+ (r.provisional ? ' (tạm tính từ ngày nộp, cố định khi tiếp nhận)' : '')) : null,
		r ? h('p', {}, `Đợt xét: ${c.round || 'không thuộc đợt nào'}`) : null,
		c.first_applied_end ? h('p', {}, `Kết thúc áp dụng lần đầu: ${c.first_applied_end}`) : null,
		d ? h('p', { class: 'meta' }, `Tác giả đã cam đoan (${d.declared_by}, ${d.declared_at}): `
			+ 'giải pháp không trái trật tự công cộng, đạo đức xã hội và không đang được bảo hộ sở hữu trí tuệ.') : null,
	];
}

function trialView(c) {
	const t = c.trial_users || [];
	return [
		t.length ? [h('h3', {}, 'Người đã tham gia áp dụng thử hoặc áp dụng lần đầu'),
			h('ul', {}, t.map((p) => h('li', {}, `${p.name}: ${p.content || '—'}`, personLine(p))))] : null,
		c.benefits_assessed ? [h('h3', {}, 'Đánh giá lợi ích của người đã áp dụng'),
			h('p', {}, c.benefits_assessed)] : null,
	];
}
