// views/compare.js: two applications side by side with the passages that
// differ highlighted, for the secretary deciding whether a case copies an
// earlier initiative.  The diff is word by word (a longest common
// subsequence, on at most 1,500 words a side so that a phone stays quick);
// words that are not common to both are marked.

import { h } from '../dom.js';
import { SECTIONS } from './common.js';

const MAX_WORDS = 1500;

function words(text) {
	return (text || '').split(/(\s+)/).filter((w) => w !== '');
}

// marks(a, b): for each token of a and of b, whether it is shared.
function common(a, b) {
	const n = Math.min(a.length, MAX_WORDS);
	const m = Math.min(b.length, MAX_WORDS);
	const key = (w) => w.toLowerCase();
	// dp[i][j]: LCS length of a[i..] and b[j..], in one flat array.
	const dp = new Uint16Array((n + 1) * (m + 1));
	for (let i = n - 1; i >= 0; i--) {
		for (let j = m - 1; j >= 0; j--) {
			dp[i * (m + 1) + j] = key(a[i]) === key(b[j])
				? dp[(i + 1) * (m + 1) + j + 1] + 1
				: Math.max(dp[(i + 1) * (m + 1) + j], dp[i * (m + 1) + j + 1]);
		}
	}
	const sa = new Array(a.length).fill(false);
	const sb = new Array(b.length).fill(false);
	let i = 0;
	let j = 0;
	while (i < n && j < m) {
		if (key(a[i]) === key(b[j])) {
			sa[i++] = true;
			sb[j++] = true;
		} else if (dp[(i + 1) * (m + 1) + j] >= dp[i * (m + 1) + j + 1]) {
			i++;
		} else {
			j++;
		}
	}
	return [sa, sb];
}

function render(tokens, shared) {
	return tokens.map((w, i) => (shared[i] || /^\s+$/.test(w))
		? w : h('mark', { class: 'diff' }, w));
}

// compareView(a, b, similarity): the two cases' titles and sections.
export function compareView(a, b, similarity) {
	const parts = [['title', 'Tên sáng kiến'], ...SECTIONS];
	const get = (c, k) => k === 'title' ? c.title : (c.sections || {})[k] || '';
	return h('section', { class: 'comparison', 'aria-label': `So sánh với hồ sơ số ${b.id}` },
		h('p', { class: 'meta' },
			`Hồ sơ số ${a.id} (trái) và hồ sơ số ${b.id} (phải)`,
			similarity !== undefined ? `, độ tương đồng ${Math.round(similarity * 100)}%` : '',
			'. Phần tô vàng là chỗ khác nhau.'),
		parts.map(([k, label]) => {
			const ta = words(get(a, k));
			const tb = words(get(b, k));
			if (!ta.length && !tb.length) return null;
			const [sa, sb] = common(ta, tb);
			return [h('h4', {}, label), h('div', { class: 'compare' },
				h('div', { 'aria-label': `Hồ sơ số ${a.id}` }, render(ta, sa)),
				h('div', { 'aria-label': `Hồ sơ số ${b.id}` }, render(tb, sb)))];
		}));
}
