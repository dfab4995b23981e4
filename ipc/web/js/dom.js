// dom.js: the small helpers every view builds its DOM with.  Text is only
// ever put on the page as text nodes (textContent): no piece of data from
// the server or the user goes through innerHTML, so nothing a user types
// can become markup.

// h('p', {class: 'x', onclick: fn}, 'text', child, [children]): an element.
// Attributes starting with "on" become listeners; `false`/null ones are
// left out; strings and numbers among the children become text nodes.
export function h(tag, attrs, ...children) {
	const e = document.createElement(tag);
	for (const [k, v] of Object.entries(attrs || {})) {
		if (v === null || v === undefined || v === false) continue;
		if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
		else if (k === 'value') e.value = v;
		else if (k === 'checked') e.checked = !!v;
		else e.setAttribute(k, v === true ? '' : String(v));
	}
	append(e, children);
	return e;
}

function append(e, children) {
	for (const c of children) {
		if (c === null || c === undefined || c === false) continue;
		if (Array.isArray(c)) append(e, c);
		else if (c instanceof Node) e.appendChild(c);
		else e.appendChild(document.createTextNode(String(c)));
	}
}

// replace(parent, ...children): parent's children become these.
export function replace(parent, ...children) {
	parent.replaceChildren();
	append(parent, children);
	return parent;
}

let uid = 0;
// field(label, input, opts): a labelled form row with a place for its
// error message (opts.name keys the row so errors can find it).
export function field(label, input, opts = {}) {
	if (!input.id) input.id = 'f' + ++uid;
	const err = h('p', { class: 'field-error', id: input.id + '-err',
		role: 'alert', hidden: true });
	input.setAttribute('aria-describedby', err.id);
	const row = h('div', { class: 'field', 'data-field': opts.name || null },
		h('label', { for: input.id }, label),
		opts.hint ? h('p', { class: 'hint' }, opts.hint) : null,
		input, err);
	return row;
}

// showFieldError(form, name, message): the message under the row keyed
// by name; returns false when the form has no such row.
export function showFieldError(form, name, message) {
	const row = form.querySelector(`[data-field="${CSS.escape(name)}"]`);
	if (!row) return false;
	// Its own message place, not one of the rows inside it (the authors).
	const err = row.querySelector(':scope > .field-error');
	if (!err.hidden && err.textContent) {
		err.textContent += ' ' + message;
	} else {
		err.textContent = message;
	}
	err.hidden = false;
	row.classList.add('invalid');
	return true;
}

export function clearFieldErrors(form) {
	for (const err of form.querySelectorAll('.field-error')) {
		err.textContent = '';
		err.hidden = true;
	}
	for (const r of form.querySelectorAll('.invalid')) {
		r.classList.remove('invalid');
	}
}

// errorText(e): how an ApiError (or any error) reads on the page.
export function errorText(e) {
	if (e && e.code) return `${e.message} (${e.code})`;
	return String(e && e.message ? e.message : e);
}

export function fmtTime(s) {
	if (!s) return '';
	const d = new Date(s);
	if (isNaN(d)) return s;
	return d.toLocaleString('vi-VN', { dateStyle: 'short', timeStyle: 'short' });
}
