// views/login.js: the login form (auth.login with a user id and a
// password) and the logout (auth.logout, then the session is forgotten).

import { h, replace, field, errorText } from '../dom.js';

export function loginView(ctx, main) {
	const user = h('input', { type: 'text', name: 'user', autocomplete: 'username',
		required: true, autocapitalize: 'none', spellcheck: 'false' });
	const pass = h('input', { type: 'password', name: 'password',
		autocomplete: 'current-password', required: true });
	const err = h('p', { class: 'error', role: 'alert', id: 'login-error' });
	const submit = h('button', { type: 'submit' }, 'Đăng nhập');
	const form = h('form', { class: 'card', onsubmit: async (e) => {
		e.preventDefault();
		err.textContent = '';
		submit.disabled = true;
		try {
			const r = await ctx.api.call('auth.login',
				{ user: user.value.trim(), password: pass.value },
				{ anonymous: true });
			await ctx.login(r.token);
			const to = ctx.afterLogin && ctx.afterLogin !== '#/login' ? ctx.afterLogin : '#/';
			ctx.afterLogin = null;
			ctx.go(to);
		} catch (e2) {
			err.textContent = e2.code === 'unauthorized'
				? 'Sai tên đăng nhập hoặc mật khẩu. ' + errorText(e2)
				: errorText(e2);
			pass.select();
		} finally {
			submit.disabled = false;
		}
	} },
	field('Tên đăng nhập', user),
	field('Mật khẩu', pass),
	err,
	h('div', { class: 'actions' }, submit));
	replace(main, h('h1', {}, 'Đăng nhập'), form,
		h('p', {}, 'Không cần đăng nhập để ', h('a', { href: '#/search' },
			'tra cứu sáng kiến đã được công nhận'), '.'));
	user.focus();
}

export async function logout(ctx) {
	try {
		await ctx.api.call('auth.logout');
	} catch (e) {
		// The session is forgotten here either way.
	}
	await ctx.logout();
	ctx.go('#/login');
}

// The logged-in user changes their own password (user.password with the
// old one, as the protocol requires of anyone changing their own).
export function passwordView(ctx, main) {
	const old = h('input', { type: 'password', name: 'old_password', autocomplete: 'current-password' });
	const pw = h('input', { type: 'password', name: 'password', autocomplete: 'new-password', minlength: 8 });
	const again = h('input', { type: 'password', name: 'password2', autocomplete: 'new-password' });
	const msg = h('p', { role: 'alert' });
	const form = h('form', { class: 'card', onsubmit: async (e) => {
		e.preventDefault();
		msg.className = 'error';
		if (pw.value !== again.value) {
			msg.textContent = 'Hai lần nhập mật khẩu mới không giống nhau.';
			again.focus();
			return;
		}
		try {
			await ctx.api.call('user.password',
				{ id: ctx.me.id, password: pw.value, old_password: old.value });
			msg.className = 'ok';
			msg.textContent = 'Đã đổi mật khẩu.';
			form.reset();
		} catch (e2) {
			msg.textContent = errorText(e2);
		}
	} }, field('Mật khẩu hiện tại', old), field('Mật khẩu mới (ít nhất 8 ký tự)', pw),
	field('Nhập lại mật khẩu mới', again), msg,
	h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Đổi mật khẩu')));
	replace(main, h('h1', {}, 'Đổi mật khẩu'), form);
}
