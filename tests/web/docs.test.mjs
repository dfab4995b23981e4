// docs.test.mjs: a case's documents in a real browser (Debian's chromium,
// through playwright-core) against the real sangkiend with the demo's
// province.  The author of a recognized case presses the certificate's
// button on the case page and the browser downloads a PDF of it; the
// address in the document's QR code opens the verification page, which
// says the document is current, and after the case changes, that it is
// superseded.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { Server, launch, guest, shot } from './lib.mjs';

const server = new Server();
let browser;

before(async () => {
	await server.start();
	server.cli('demo');
	browser = await launch();
});

after(async () => {
	if (browser) await browser.close();
	await server.stop();
});

// The demo's author of case 1 (password: "lan-langson").
async function asLan() {
	const page = await guest(browser);
	await page.goto(server.url + '#/login');
	await page.getByLabel('Tên đăng nhập').fill('nguyen.thi.lan');
	await page.getByLabel('Mật khẩu').fill('lan-langson');
	await page.getByRole('button', { name: 'Đăng nhập' }).click();
	await page.getByRole('button', { name: 'Đăng xuất' }).waitFor();
	return page;
}

let hash;

test('the author downloads the certificate from the case page', async () => {
	const page = await asLan();
	await page.goto(server.url + '#/case/1');
	const panel = page.getByRole('region', { name: 'Văn bản' });
	await panel.waitFor();
	assert.equal(await panel.getByRole('button', { name: 'Biên bản họp hội đồng' }).count(), 0,
		'an author is offered no minutes');
	const [dl] = await Promise.all([
		page.waitForEvent('download'),
		panel.getByRole('button', { name: 'Giấy chứng nhận' }).click(),
	]);
	assert.equal(dl.suggestedFilename(), 'certificate-1.pdf');
	const file = await dl.path();
	const pdf = readFileSync(file);
	assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
	const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
	assert.match(text, /GIẤY CHỨNG NHẬN SÁNG KIẾN/);
	assert.match(text, /Nguyễn Thị Lan \(70%\)/);
	hash = text.match(/Mã kiểm tra \(hash\): ([0-9a-f]{64})/)[1];
	await shot(page, 'case-documents', 'section[aria-label="Văn bản"]');
	await page.context().close();
});

test('the QR code\'s page says the document is current, then superseded', async () => {
	const page = await guest(browser);
	await page.goto(server.url + `#/verify/1/${hash}`);
	await page.getByText('Văn bản hợp lệ: đúng với hồ sơ hiện tại.').waitFor();
	await shot(page, 'verify');
	server.cli('act', '1', 'revoke', '--note', 'Phát hiện trùng lặp với sáng kiến đã công nhận.');
	await page.reload();
	await page.getByText('Văn bản là thật nhưng đã cũ').waitFor();
	await page.goto(server.url + `#/verify/4/${'0'.repeat(64)}`);
	await page.getByText('Không khớp').waitFor();
	await page.context().close();
});
