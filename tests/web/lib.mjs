// lib.mjs: what the browser tests share.  It starts the real sangkiend on
// a temporary data directory with its web application on a free port,
// sets up users and councils through the real sangkien CLI (as
// local-admin over ipc://), launches Debian's chromium through
// playwright-core, and logs a person in through the page's own form.
//
// Environment (set by ctest): SK_BIN, the build directory; SK_SRC, the
// source tree; SK_SHOTS, where screenshots go (build/web-shots).

import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const SRC = process.env.SK_SRC || path.resolve(here, '../..');
export const BIN = process.env.SK_BIN || path.join(SRC, 'build');
export const SHOTS = process.env.SK_SHOTS || path.join(BIN, 'web-shots');
export const PASSWORD = 'mat-khau-thu-nghiem';

// freePort(): a TCP port nobody listens on now (other helpers' tests run
// at the same time on this machine).
export function freePort() {
	return new Promise((resolve, reject) => {
		const s = createServer();
		s.listen(0, '127.0.0.1', () => {
			const { port } = s.address();
			s.close(() => resolve(port));
		});
		s.on('error', reject);
	});
}

export class Server {
	async start() {
		// /tmp, not $TMPDIR: ipc:// paths must fit in a sockaddr_un.
		this.dir = mkdtempSync('/tmp/sk-web.');
		this.data = path.join(this.dir, 'data');
		this.port = await freePort();
		this.url = `http://127.0.0.1:${this.port}/`;
		this.log = [];
		await this.run();
	}

	// run(web): sangkiend on this data directory (and, unless web is
	// false, on this port); returns once it answers the CLI (and HTTP).
	async run(web = true) {
		const http = web ? ['--http', `http://127.0.0.1:${this.port}`,
			'--web', path.join(SRC, 'ipc/web')] : [];
		this.proc = spawn(path.join(BIN, 'sangkiend'), ['--data', this.data,
			'--rubrics', path.join(SRC, 'rubrics'), '--log-level', 'warn',
			...http], { stdio: ['ignore', 'pipe', 'pipe'] });
		this.proc.stdout.on('data', (d) => this.log.push(String(d)));
		this.proc.stderr.on('data', (d) => this.log.push(String(d)));
		const t0 = Date.now();
		for (;;) {
			if (this.proc.exitCode !== null) {
				throw new Error('sangkiend exited at start:\n' + this.log.join(''));
			}
			try {
				this.cli('status');
				if (!web || (await fetch(this.url)).ok) break;
			} catch (e) {
				if (Date.now() - t0 > 15000) {
					throw new Error('sangkiend did not answer within 15 s:\n' + this.log.join(''));
				}
			}
			await new Promise((r) => setTimeout(r, 100));
		}
	}

	// cli(...args): the sangkien CLI as local-admin; its output.
	cli(...args) {
		return execFileSync(path.join(BIN, 'sangkien'), ['--data', this.data, ...args],
			{ encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
	}

	call(op, args) {
		return JSON.parse(this.cli('--json', 'call', op, JSON.stringify(args || {})));
	}

	async halt() {
		if (this.proc && this.proc.exitCode === null) {
			const done = new Promise((r) => this.proc.once('exit', r));
			this.proc.kill('SIGTERM');
			await done;
		}
	}

	// offline(fn): the server without its web port while fn runs (the
	// CLI still reaches it), then back on the same port.
	async offline(fn) {
		await this.halt();
		await this.run(false);
		try {
			await fn();
		} finally {
			await this.halt();
			await this.run();
		}
	}

	async stop() {
		await this.halt();
		rmSync(this.dir, { recursive: true, force: true });
	}
}

// The province the tests use: a school under the provincial department,
// a unit council of three and a province council of three, an author, an
// admin and the two heads, every one with the same password.
export const PEOPLE = {
	author: ['tran.thi.mai', 'Trần Thị Mai', 'thpt-a', ['author']],
	usec: ['le.van.hung', 'Lê Văn Hùng', 'thpt-a', []],
	uchair: ['hoang.thi.lan', 'Hoàng Thị Lan', 'thpt-a', []],
	umember: ['vi.van.son', 'Vi Văn Sơn', 'thpt-a', []],
	psec: ['nong.van.tu', 'Nông Văn Tú', 'so-khcn', []],
	pchair: ['pham.thi.ha', 'Phạm Thị Hà', 'so-khcn', []],
	pmember: ['ly.van.binh', 'Lý Văn Bình', 'so-khcn', []],
	admin: ['dang.thi.nga', 'Đặng Thị Nga', 'so-khcn', ['admin']],
	// The heads who sign the recognitions: the school's, the province's.
	uhead: ['be.van.cuong', 'Bế Văn Cường', 'thpt-a', ['head']],
	phead: ['luong.thi.hoa', 'Lương Thị Hoa', 'so-khcn', ['head']],
};

export function setUpProvince(s) {
	s.call('unit.put', { id: 'so-khcn', name: 'Sở Khoa học và Công nghệ' });
	s.call('unit.put', { id: 'thpt-a', name: 'Trường THPT Chi Lăng', parent: 'so-khcn' });
	for (const [id, name, unit, roles] of Object.values(PEOPLE)) {
		s.call('user.put', { id, name, unit, roles });
		s.call('user.password', { id, password: PASSWORD });
	}
	const P = PEOPLE;
	s.call('council.put', { id: 'hd-thpt-a', name: 'Hội đồng sáng kiến Trường THPT Chi Lăng',
		scope: 'unit', unit: 'thpt-a', members: [
			{ user: P.uchair[0], role: 'chair' }, { user: P.usec[0], role: 'secretary' },
			{ user: P.umember[0], role: 'member' }] });
	s.call('council.put', { id: 'hd-tinh', name: 'Hội đồng sáng kiến cấp tỉnh',
		scope: 'province', unit: 'so-khcn', members: [
			{ user: P.pchair[0], role: 'chair' }, { user: P.psec[0], role: 'secretary' },
			{ user: P.pmember[0], role: 'member' }] });
}

export async function launch() {
	mkdirSync(SHOTS, { recursive: true });
	return chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

// guest(browser): a page in a fresh context, nobody logged in.
export async function guest(browser) {
	const context = await browser.newContext({ locale: 'vi-VN' });
	context.setDefaultTimeout(10000);
	const page = await context.newPage();
	page.on('pageerror', (e) => pageErrors.push(`as a guest: ${e.message}`));
	return page;
}

// Script errors seen on any page, for the last test to report.
export const pageErrors = [];

// as(browser, server, who, viewport): a fresh browser context (its own
// storage) with that person logged in through the login form.
export async function as(browser, server, who, viewport) {
	const context = await browser.newContext({ viewport: viewport || { width: 1100, height: 900 },
		locale: 'vi-VN' });
	context.setDefaultTimeout(10000);
	const page = await context.newPage();
	page.on('pageerror', (e) => pageErrors.push(`as ${who}: ${e.message}`));
	await page.goto(server.url + '#/login');
	await page.getByLabel('Tên đăng nhập').fill(PEOPLE[who][0]);
	await page.getByLabel('Mật khẩu').fill(PASSWORD);
	await page.getByRole('button', { name: 'Đăng nhập' }).click();
	await page.getByRole('button', { name: 'Đăng xuất' }).waitFor();
	return page;
}

// shot(page, name, selector): a screenshot of the whole page, or of the
// element the selector finds, as SHOTS/name.png.  The page redraws itself
// on live events, so an element may be replaced while it is being shot:
// then the selector is looked up again (three tries).
export async function shot(page, name, selector) {
	const file = path.join(SHOTS, name + '.png');
	if (!selector) {
		await page.screenshot({ path: file, fullPage: true });
		return;
	}
	for (let i = 0; ; i++) {
		try {
			await page.locator(selector).screenshot({ path: file });
			return;
		} catch (e) {
			if (i === 2 || !/not attached/.test(e.message)) throw e;
		}
	}
}

// withToken(browser, server, who): a page whose session is a token from
// user.token (scripts' tokens, which outlive a restart of the server,
// unlike the sessions of auth.login).
export async function withToken(browser, server, who) {
	const context = await browser.newContext({ locale: 'vi-VN' });
	context.setDefaultTimeout(10000);
	const token = server.cli('token', PEOPLE[who][0]).trim();
	await context.addInitScript((t) => localStorage.setItem('sk.token', t), token);
	const page = await context.newPage();
	page.on('pageerror', (e) => pageErrors.push(`with ${who}'s token: ${e.message}`));
	return page;
}

// nav(page, name): follow a link of the main navigation.
export async function nav(page, name) {
	await page.getByRole('navigation', { name: 'Điều hướng chính' })
		.getByRole('link', { name, exact: true }).click();
}
