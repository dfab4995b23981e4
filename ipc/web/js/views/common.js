// views/common.js: what several views share: the application's sections
// and their Vietnamese labels (Điều 5, Nghị định 13/2012/NĐ-CP), what an
// author does next in each state, a case's card in a list, and the
// mapping of the rubric's `check` problems to the fields they concern.

import { h, fmtTime } from '../dom.js';

export const SECTIONS = [
	['status_quo', 'Tình trạng giải pháp đã biết'],
	['solution', 'Nội dung giải pháp'],
	['novelty', 'Tính mới'],
	['applicability', 'Khả năng áp dụng'],
	['benefits', 'Hiệu quả, lợi ích thu được'],
	['conditions', 'Điều kiện cần thiết để áp dụng'],
	['trial_users', 'Những người đã tham gia áp dụng thử'],
];

export const NEXT_STEP = {
	draft: 'Hoàn thiện đơn rồi nộp.',
	returned: 'Bổ sung theo ghi chú của thư ký rồi nộp lại.',
	submitted: 'Chờ thư ký hội đồng tiếp nhận.',
	unit_review: 'Hội đồng cơ sở đang chấm điểm.',
	unit_recognized: 'Đã được công nhận cấp cơ sở; chờ đề nghị xét cấp tỉnh.',
	unit_refused: 'Không được công nhận; xem lý do trong quyết định.',
	nominated: 'Chờ hội đồng cấp tỉnh tiếp nhận.',
	province_review: 'Hội đồng cấp tỉnh đang chấm điểm.',
	recognized: 'Hoàn tất: đã được công nhận cấp tỉnh.',
	province_refused: 'Không được công nhận cấp tỉnh; xem lý do.',
	withdrawn: 'Đã rút đơn.',
	revoked: 'Đã bị thu hồi.',
};

export function stateBadge(c) {
	return h('span', { class: 'state ' + c.state }, c.state_label || c.state);
}

// caseItem(c, extra): one case in a list: title (a link), state, unit,
// last change, and whatever the list adds.
export function caseItem(c, ...extra) {
	return h('li', { 'data-case': c.id },
		h('a', { href: `#/case/${c.id}` }, `Hồ sơ số ${c.id}: ${c.title}`),
		h('div', {}, stateBadge(c)),
		h('p', { class: 'meta' }, `${c.unit} · cập nhật ${fmtTime(c.updated_at)}`,
			c.due_at ? ` · hạn ${fmtTime(c.due_at)}` : ''),
		extra);
}

// problemField(text): the form field a `check` problem concerns, read
// from what the rubric names in it ("sections.novelty", the first-applied
// date, the authors' shares); null when it concerns the whole application.
export function problemField(text) {
	const m = text.match(/sections\.([a-z_]+)/);
	if (m) return 'sections.' + m[1];
	if (/người áp dụng thử|trial_users\[/i.test(text)) return 'trial_users';
	if (/first_applied|áp dụng lần đầu/i.test(text)) return 'first_applied';
	if (/tác giả|tỷ lệ đóng góp|authors/i.test(text)) return 'authors';
	if (/\btitle\b|tên sáng kiến/i.test(text)) return 'title';
	if (/\bfield\b|lĩnh vực/i.test(text)) return 'field';
	return null;
}

// errorField(e): the form field a bad_request names ("\"field\" is
// empty", "\"sections.novelty\" ...", "\"authors[0].name\" ..."), for
// showing it next to that input; null when it names none.
export function errorField(e) {
	const d = e.details || {};
	if (typeof d.field === 'string') return d.field;
	const m = (e.message || '').match(/"([a-z_]+)(?:\.([a-z_]+))?/);
	if (!m) return null;
	if (m[1] === 'sections' && m[2]) return 'sections.' + m[2];
	return m[1];
}

export function roleLabel(r) {
	return { chair: 'chủ tịch', secretary: 'thư ký', member: 'thành viên' }[r] || r;
}

// The states' labels, as PROTOCOL.md gives them (cases carry their own
// state_label; this is for choosing a state before any case is shown).
export const STATE_LABEL = {
	draft: 'Bản nháp',
	submitted: 'Đã nộp, chờ tiếp nhận',
	returned: 'Trả lại để bổ sung',
	unit_review: 'Hội đồng sáng kiến cơ sở đang xét',
	unit_recognized: 'Được công nhận sáng kiến cấp cơ sở',
	unit_refused: 'Không được công nhận cấp cơ sở',
	nominated: 'Đề nghị xét phạm vi ảnh hưởng cấp tỉnh',
	province_review: 'Hội đồng sáng kiến cấp tỉnh đang xét',
	recognized: 'Được công nhận hiệu quả áp dụng, phạm vi ảnh hưởng cấp tỉnh',
	province_refused: 'Không được công nhận cấp tỉnh',
	withdrawn: 'Đã rút',
	revoked: 'Bị thu hồi',
};
