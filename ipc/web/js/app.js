// app.js: the application's shell.  It opens the protocol (api.js), keeps
// the session (the token from auth.login, in localStorage, so every tab of
// this browser shares it), asks auth.whoami who is logged in, draws the
// navigation that person's roles and councils call for, and routes the
// URL's hash to a view in views/.  A view is a function (ctx, main,
// params) that draws into <main>; ctx.live(fn) registers what it redraws
// when an event or a reconnect says its data changed.

import { Api } from './api.js';
import { h, replace, errorText } from './dom.js';
import { loginView, logout, passwordView } from './views/login.js';
import { mineView, formView } from './views/author.js';
import { caseView } from './views/case.js';
import { queueView, reviewView, signView, allCasesView } from './views/council.js';
import { adminView } from './views/admin.js';
import { searchView, publicView } from './views/public.js';
import { roleLabel } from './views/common.js';
import { verifyView } from './views/docs.js';
import { noticesView } from './views/notices.js';

const api = new Api();
const ctx = {
	api,
	me: null,
	liveFns: [],
	// live(fn): fn(ev) runs on each event (ev null after a resync) while
	// this view is shown.
	live(fn) {
		this.liveFns.push(fn);
	},
	go(hash) {
		if (location.hash === hash) route();
		else location.hash = hash;
	},
	// flash(text): a notice above the view; it stays through the next
	// change of view (so "đã nộp" survives the move to the case page).
	flash(text) {
		this.flashKeep = !!text;
		replace(document.getElementById('flash'), text || '');
	},
	// The count of unread notices in the navigation (notices.js sets it
	// too, after reading the list).
	unread: 0,
	setUnread(n) {
		if (this.unread !== n) {
			this.unread = n;
			drawNav();
		}
	},
	isAdmin() {
		return !!this.me && (this.me.roles || []).includes('admin');
	},
	isStaff() {
		return !!this.me && (this.me.roles || []).some(
			(r) => r === 'admin' || r === 'viewer');
	},
	councils(scope, roles) {
		return ((this.me && this.me.councils) || []).filter((c) =>
			(!scope || c.scope === scope) && (!roles || roles.includes(c.role)));
	},
	async login(token) {
		api.token = token;
		localStorage.setItem('sk.token', token);
		await loadMe();
	},
	async logout() {
		api.token = null;
		localStorage.removeItem('sk.token');
		this.me = null;
		api.staff = false;
		drawNav();
	},
};

api.addEventListener('connection', (e) => {
	const c = document.getElementById('conn');
	c.classList.toggle('on', e.detail.connected);
	c.textContent = e.detail.connected ? 'Trực tuyến' : 'Mất kết nối, đang thử lại…';
});
api.addEventListener('event', (e) => {
	for (const fn of ctx.liveFns) fn(e.detail);
	if (e.detail.type.startsWith('case.')) refreshUnread();
});
api.addEventListener('resync', () => {
	for (const fn of ctx.liveFns) fn(null);
	refreshUnread();
});

// A case changed somewhere: the notices it made are committed with it.
let unreadAsked = null;
function refreshUnread() {
	if (!ctx.me || ctx.me.id === 'local-admin' || unreadAsked) return;
	unreadAsked = setTimeout(async () => {
		unreadAsked = null;
		try {
			const r = await api.call('notice.list', { limit: 1 });
			ctx.setUnread(r.unread);
		} catch (e) {
			// The count waits for the next event.
		}
	}, 200);
}
api.addEventListener('unauthorized', () => {
	if (api.token) {
		ctx.logout();
		ctx.afterLogin = location.hash;
		ctx.flash('Phiên đăng nhập đã hết hạn. Hãy đăng nhập lại.');
		ctx.go('#/login');
	}
});

async function loadMe() {
	if (!api.token) {
		ctx.me = null;
		drawNav();
		return;
	}
	try {
		ctx.me = await api.call('auth.whoami');
		api.staff = ctx.isStaff();
		refreshUnread();
	} catch (e) {
		ctx.me = null;
		api.token = null;
		localStorage.removeItem('sk.token');
	}
	drawNav();
}

function navLinks() {
	const me = ctx.me;
	const links = [];
	if (me) {
		links.push(['#/', 'Trang chính']);
		if ((me.roles || []).includes('author')) {
			links.push(['#/mine', 'Sáng kiến của tôi']);
			links.push(['#/new', 'Đơn mới']);
		}
		if (ctx.councils(null, ['chair', 'vice_chair', 'secretary']).length) {
			links.push(['#/queue', 'Tiếp nhận hồ sơ']);
		}
		if (ctx.councils().length) links.push(['#/review', 'Chấm điểm']);
		if ((me.roles || []).includes('head')) links.push(['#/sign', 'Ký quyết định']);
		if (ctx.isStaff()) links.push(['#/cases', 'Tất cả hồ sơ']);
		if (ctx.isAdmin()) links.push(['#/admin', 'Quản trị']);
	}
	links.push(['#/search', 'Tra cứu']);
	if (!me) links.push(['#/login', 'Đăng nhập']);
	return links;
}

function drawNav() {
	const nav = document.getElementById('nav');
	const here = location.hash || '#/';
	replace(nav, navLinks().map(([href, text]) =>
		h('a', { href, 'aria-current': here === href ? 'page' : null }, text)),
	ctx.me ? h('a', { href: '#/notices', id: 'nav-notices',
		'aria-current': here === '#/notices' ? 'page' : null,
		'aria-label': `Thông báo, ${ctx.unread} chưa đọc` },
	'Thông báo', ctx.unread ? h('span', { class: 'count' }, String(ctx.unread)) : null) : null,
	ctx.me ? h('a', { href: '#/password', title: 'Đổi mật khẩu' }, ctx.me.name || ctx.me.id) : null,
	ctx.me ? h('button', { type: 'button', onclick: () => logout(ctx) },
		'Đăng xuất') : null);
}

// The home page: where each role starts.
function homeView(ctx, main) {
	if (!ctx.me) return searchView(ctx, main, {});
	const me = ctx.me;
	const tiles = navLinks().filter(([href]) => href !== '#/');
	replace(main, h('h1', {}, `Xin chào, ${me.name || me.id}`),
		h('p', { class: 'meta' }, `Đơn vị: ${me.unit || '—'}`,
			(me.councils || []).length ? ' · Hội đồng: ' +
			me.councils.map((c) => `${c.id} (${roleLabel(c.role)})`).join(', ') : ''),
		h('ul', { class: 'list' }, tiles.map(([href, text]) =>
			h('li', {}, h('a', { href }, text)))));
}

const routes = [
	[/^#?\/?$/, homeView],
	[/^#\/login$/, loginView],
	[/^#\/password$/, passwordView],
	[/^#\/notices$/, noticesView],
	[/^#\/mine$/, mineView],
	[/^#\/new$/, formView],
	[/^#\/edit\/(\d+)$/, formView],
	[/^#\/case\/(\d+)$/, caseView],
	[/^#\/queue$/, queueView],
	[/^#\/review$/, reviewView],
	[/^#\/sign$/, signView],
	[/^#\/cases$/, allCasesView],
	[/^#\/admin(?:\/(\w+))?$/, adminView],
	[/^#\/search(?:\?(.*))?$/, searchView],
	[/^#\/public\/(\d+)$/, publicView],
	[/^#\/verify\/(\d+)\/([0-9a-f]{64})$/, verifyView],
];

let routing = 0;
async function route() {
	const n = ++routing;
	ctx.liveFns = [];
	// Each view draws into a box of its own: a redraw of the view before
	// (an event, a reply still on its way) lands in a box no longer shown.
	const outer = document.getElementById('main');
	const main = h('div', { class: 'view' });
	replace(outer, main);
	const hash = location.hash || '#/';
	drawNav();
	for (const [re, view] of routes) {
		const m = hash.match(re);
		if (!m) continue;
		const needsLogin = ![loginView, searchView, publicView, homeView, verifyView].includes(view);
		if (needsLogin && !ctx.me) {
			ctx.afterLogin = hash;
			loginView(ctx, main);
			return;
		}
		try {
			await view(ctx, main, m.slice(1));
		} catch (e) {
			if (n === routing) replace(main, h('p', { class: 'error', role: 'alert' }, errorText(e)));
		}
		if (n === routing && document.activeElement === document.body) outer.focus();
		return;
	}
	replace(main, h('p', {}, 'Không có trang này. '), h('a', { href: '#/' }, 'Về trang chính'));
}

window.addEventListener('hashchange', () => {
	if (ctx.flashKeep) ctx.flashKeep = false;
	else ctx.flash('');
	route();
});

api.token = localStorage.getItem('sk.token');
loadMe().then(route);
