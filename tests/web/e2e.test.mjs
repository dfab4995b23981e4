// e2e.test.mjs: sangkien's web application in a real browser (Debian's
// chromium, through playwright-core) against the real sangkiend.  One
// case goes from the author's draft to recognition by the province with
// every person working through the page only: the author writes and
// submits (and is refused by the rubric's check first), the unit
// council's secretary returns it with a note (the author's notice comes
// live, with its unread count) and then accepts it, the
// members score, the chair decides, the secretary nominates, the province
// council accepts, scores and decides.  Around that path: a wrong
// password, ballots hidden from another member, two tabs editing one
// draft, the public search without login, the admin's pages, and a 375 px
// phone screen with no sideways scrolling.  Screenshots go to SK_SHOTS.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, setUpProvince, launch, as, guest, withToken, shot, nav, pageErrors, PEOPLE, PASSWORD } from './lib.mjs';

const server = new Server();
let browser;
let caseId;
let authorPage;

const TITLE = 'Sổ tay điện tử ôn thi tốt nghiệp môn Địa lý cho học sinh vùng cao';
const SECTIONS = {
	status_quo: 'Học sinh vùng cao ít tài liệu ôn tập, phải chép tay đề cương từ giáo viên.',
	solution: 'Biên soạn sổ tay điện tử gồm bản đồ, câu hỏi trắc nghiệm và video ngắn, dùng được khi không có mạng.',
	novelty: 'Lần đầu trường có tài liệu ôn tập chạy trên điện thoại không cần kết nối mạng.',
	applicability: 'Áp dụng cho mọi lớp 12 của trường và các trường vùng cao trong tỉnh.',
	benefits: 'Tỷ lệ học sinh đạt điểm trên trung bình môn Địa lý tăng từ 61% lên 78%.',
	conditions: 'Điện thoại thông minh; giáo viên cập nhật nội dung mỗi năm học.',
	trial_users: 'Học sinh khối 12 năm học 2025-2026, tổ Sử - Địa.',
};

function recentDate(daysAgo) {
	return new Date(Date.now() - daysAgo * 86400000).toISOString().slice(0, 10);
}

// An earlier initiative of the same school, recognized at the unit, for
// the intake queue's side-by-side comparison; carried through the CLI.
function earlierCase() {
	const c = server.call('case.create', { unit: 'thpt-a', title: 'Sổ tay ôn thi tốt nghiệp môn Địa lý cho học sinh',
		field: 'Giáo dục và đào tạo', first_applied: recentDate(60),
		authors: [{ name: 'Đỗ Văn Khoa', share: 100, birth_date: '1979-09-02', workplace: 'Trường THPT A',
			position: 'Giáo viên', qualification: 'Cử nhân Địa lý' }],
		sections: { ...SECTIONS, solution: 'Biên soạn sổ tay in gồm bản đồ và câu hỏi trắc nghiệm, phát cho học sinh.' } });
	server.call('case.act', { id: c.id, action: 'submit',
		declaration: { not_against_public_order: true, not_protected_ip: true } });
	server.call('case.act', { id: c.id, action: 'accept' });
	for (const who of ['uchair', 'umember']) {
		const tok = server.cli('token', PEOPLE[who][0]).trim();
		server.cli('--token', tok, 'score', String(c.id), 'novelty=20', 'applicability=20', 'benefit=30');
	}
	const tok = server.cli('token', PEOPLE.uchair[0]).trim();
	server.cli('--token', tok, 'decide', String(c.id), '--confirm');
	const head = server.cli('token', PEOPLE.uhead[0]).trim();
	server.cli('--token', head, 'recognize', String(c.id), '--no', '7/QĐ-THPT', '--date', recentDate(0));
	return c.id;
}

// press(who, button, state): that person opens the case, presses the
// button, and the page shows the state it leads to.
async function press(who, button, state) {
	const page = await as(browser, server, who);
	await page.goto(server.url + `#/case/${caseId}`);
	await page.getByRole('button', { name: button }).click();
	await page.getByText(state).first().waitFor();
	await page.context().close();
}

// assertLabelled(page, what): every input of the page has a label.
async function assertLabelled(page, what) {
	const bad = await page.evaluate(() => [...document.querySelectorAll('input, textarea, select')]
		.filter((e) => e.type !== 'hidden' && e.labels.length === 0 && !e.getAttribute('aria-label'))
		.map((e) => e.name || e.outerHTML.slice(0, 60)));
	assert.deepEqual(bad, [], `${what}: inputs without a label`);
}

async function noHorizontalScroll(page, what) {
	const [sw, iw] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
	assert.ok(sw <= iw, `${what}: the page is ${sw} px wide in a ${iw} px window`);
}

before(async () => {
	await server.start();
	setUpProvince(server);
	earlierCase();
	browser = await launch();
});

after(async () => {
	if (browser) await browser.close();
	await server.stop();
});

test('a wrong password is refused, and says so', async () => {
	const page = await guest(browser);
	await page.goto(server.url + '#/login');
	// With the keyboard alone: the user field has the focus at load.
	await page.getByLabel('Tên đăng nhập').waitFor();
	await page.keyboard.type(PEOPLE.author[0]);
	await page.keyboard.press('Tab');
	await page.keyboard.type(PASSWORD + 'x');
	await page.keyboard.press('Enter');
	await page.locator('#login-error').getByText('Sai tên đăng nhập hoặc mật khẩu').waitFor();
	assert.equal(await page.getByRole('button', { name: 'Đăng xuất' }).count(), 0);
	await page.context().close();
});

test('the author drafts, is refused by check next to the field, then submits', async () => {
	const page = await as(browser, server, 'author');
	authorPage = page;
	await nav(page, 'Đơn mới');
	await page.getByLabel('Tên sáng kiến').fill(TITLE);
	await page.getByLabel('Lĩnh vực').fill('Giáo dục và đào tạo');
	await page.getByLabel('Ngày áp dụng lần đầu').fill(recentDate(30));
	for (const [k, v] of Object.entries(SECTIONS)) {
		if (k !== 'novelty') await page.locator(`textarea[name="sections.${k}"]`).fill(v);
	}
	// Saved as typed: the draft exists before any button is pressed.
	await page.getByText(/Đã lưu bản nháp \(hồ sơ số \d+/).waitFor();
	caseId = Number(page.url().match(/#\/edit\/(\d+)/)[1]);
	assert.equal(server.call('case.get', { id: caseId }).title, TITLE);
	await shot(page, 'author-form');
	await assertLabelled(page, 'the application form');

	// A co-author without a name: the server's error, next to the authors.
	await page.getByRole('button', { name: 'Thêm đồng tác giả' }).click();
	await page.locator('[data-field="authors"] > .field-error').getByText('authors[1].name').waitFor();
	assert.equal(server.call('case.get', { id: caseId }).authors.length, 1);
	await page.getByRole('button', { name: 'Bỏ tác giả này' }).nth(1).click();
	await page.getByText(/Đã lưu bản nháp/).waitFor();

	// The form's particulars of the author (Thông tư 18/2013, Phụ lục).
	await page.getByLabel('Ngày sinh').fill('1986-05-20');
	await page.getByLabel('Nơi công tác').fill('Trường THPT A');
	await page.getByLabel('Chức danh').fill('Giáo viên');
	await page.getByLabel('Trình độ chuyên môn').fill('Thạc sĩ Địa lý');
	await page.getByText(/Đã lưu bản nháp/).waitFor();

	// Without the declaration (Điều 3, Điều lệ sáng kiến): refused, said
	// next to the checkboxes.
	await page.getByRole('button', { name: 'Nộp đơn' }).click();
	await page.locator('#declaration > .field-error').getByText('Hãy đánh dấu lời cam đoan').waitFor();
	assert.equal(server.call('case.get', { id: caseId }).state, 'draft');
	await page.getByLabel(/không trái với trật tự công cộng/).check();
	await page.getByLabel(/bảo hộ quyền sở hữu trí tuệ/).check();

	await page.getByRole('button', { name: 'Nộp đơn' }).click();
	const novelty = page.locator('[data-field="sections.novelty"] .field-error');
	await novelty.waitFor();
	assert.match(await novelty.textContent(), /sections\.novelty/);
	assert.equal(server.call('case.get', { id: caseId }).state, 'draft');

	await page.locator('textarea[name="sections.novelty"]').fill(SECTIONS.novelty);
	await page.getByRole('button', { name: 'Nộp đơn' }).click();
	await page.getByText('Đã nộp, chờ tiếp nhận').first().waitFor();
	const submitted = server.call('case.get', { id: caseId });
	assert.equal(submitted.state, 'submitted');
	assert.equal(submitted.authors[0].workplace, 'Trường THPT A');
	assert.equal(submitted.declaration.declared_by, PEOPLE.author[0]);
	// The receipt: the unit's register number, and the answer's due date.
	await page.locator('#receipt').getByText(`Giấy biên nhận số ${submitted.receipt.no}`).waitFor();
	assert.match(submitted.receipt.no, /^\d+\/\d{4}$/);
});

test('the secretary returns it with a note; the author sees the note live', async () => {
	const page = await as(browser, server, 'usec');
	await nav(page, 'Tiếp nhận hồ sơ');
	const item = page.locator(`[data-case="${caseId}"]`);
	await item.waitFor();
	// The nearest earlier initiative, side by side, differences marked.
	await item.locator('summary').click();
	await item.locator('mark.diff').first().waitFor();
	await shot(page, 'intake-queue');
	await item.getByRole('link', { name: 'Mở hồ sơ' }).click();

	await authorPage.goto(server.url + `#/case/${caseId}`);
	await authorPage.locator('#timeline').waitFor();

	await page.getByRole('button', { name: 'Trả lại hồ sơ' }).click();
	await page.getByText('Hãy ghi rõ lý do (bắt buộc).').waitFor();
	assert.equal(server.call('case.get', { id: caseId }).state, 'submitted');
	const note = 'Đề nghị bổ sung số liệu đối chứng của năm học trước.';
	await page.getByLabel('Ghi chú khi trả lại (bắt buộc)').fill(note);
	await page.getByRole('button', { name: 'Trả lại hồ sơ' }).click();
	await page.getByText('Trả lại để bổ sung').first().waitFor();

	// The author's page changes without a reload.
	await authorPage.locator('#timeline .note').getByText(note).waitFor();
	await authorPage.getByText('Bổ sung theo ghi chú của thư ký').waitFor();
	await page.context().close();

	// The notice of the return (issue 18): the unread count in the
	// navigation comes without a reload; the list shows the note; read,
	// the count goes.
	const bell = authorPage.locator('#nav-notices');
	await bell.locator('.count').getByText('1').waitFor();
	await bell.click();
	const n = authorPage.locator('.notices li.unread').first();
	await n.getByText(`Hồ sơ sáng kiến số ${caseId} bị trả lại để bổ sung`).waitFor();
	await n.getByText(note).waitFor();
	await assertLabelled(authorPage, 'notices');
	await shot(authorPage, 'notices');
	await n.getByRole('button', { name: 'Đã đọc' }).click();
	await bell.locator('.count').waitFor({ state: 'detached' });
	await authorPage.locator('.notices li.unread').first().waitFor({ state: 'detached' });
	// One's own mail settings: a wrong address is refused, a right one kept.
	const email = authorPage.getByLabel('Địa chỉ thư điện tử (để trống: không nhận thư)');
	await email.fill('mai@example');
	await authorPage.getByRole('button', { name: 'Lưu' }).click();
	await authorPage.getByText('is not an e-mail address').waitFor();
	await email.fill('tran.thi.mai@example.invalid');
	await authorPage.getByLabel('Cách gửi').selectOption('daily');
	await authorPage.getByRole('button', { name: 'Lưu' }).click();
	await authorPage.getByText('Đã lưu cài đặt thông báo.').waitFor();
	const me = server.call('user.get', { id: PEOPLE.author[0] });
	assert.equal(`${me.email} ${me.notify}`, 'tran.thi.mai@example.invalid daily');
});

test('two tabs on one draft: the second is told, not silently overwritten', async () => {
	const tab1 = authorPage;
	const tab2 = await tab1.context().newPage();
	await tab1.goto(server.url + `#/edit/${caseId}`);
	await tab2.goto(server.url + `#/edit/${caseId}`);
	await tab2.locator('textarea[name="sections.benefits"]').waitFor();
	const benefits = SECTIONS.benefits + ' Số liệu đối chứng: năm học 2024-2025 đạt 61%.';
	await tab1.locator('textarea[name="sections.benefits"]').fill(benefits);
	await tab1.getByText(/Đã lưu bản nháp/).waitFor();
	await tab2.locator('textarea[name="sections.status_quo"]').fill('Bản sửa ở thẻ thứ hai.');
	await tab2.getByText('vừa được sửa ở nơi khác').waitFor();
	const c = server.call('case.get', { id: caseId });
	assert.equal(c.sections.benefits, benefits);
	assert.equal(c.sections.status_quo, SECTIONS.status_quo);
	await tab2.close();

	// A resubmission is declared again.
	await tab1.getByLabel(/không trái với trật tự công cộng/).check();
	await tab1.getByLabel(/bảo hộ quyền sở hữu trí tuệ/).check();
	await tab1.getByRole('button', { name: 'Nộp đơn' }).click();
	await tab1.getByText('Đã nộp, chờ tiếp nhận').first().waitFor();
});

test('the secretary accepts; a member scores with ranges checked as typed', async () => {
	await press('usec', 'Tiếp nhận để xét', 'Hội đồng sáng kiến cấp cơ sở đang xét');

	const page = await as(browser, server, 'umember');
	await nav(page, 'Chấm điểm');
	await page.locator(`[data-case="${caseId}"]`).getByRole('link', { name: 'Mở phiếu chấm' }).click();
	const novelty = page.getByLabel(/Tính mới, tính sáng tạo/);
	await novelty.fill('45');
	await page.locator('[data-field="mark-novelty"] .field-error').getByText('Điểm phải từ 0 đến 30.').waitFor();
	await novelty.fill('25');
	await page.getByLabel(/Khả năng áp dụng/).fill('22');
	await page.getByLabel(/^Hiệu quả/).fill('31');
	await page.getByLabel('Nhận xét').fill('Nhận xét riêng của thành viên Sơn.');
	await page.getByLabel('Đồng ý công nhận').check();
	await shot(page, 'scoring-form', '#scoring');
	await assertLabelled(page, 'the scoring form');
	await page.getByRole('button', { name: 'Gửi phiếu chấm' }).click();
	await page.locator('#my-ballot').getByText('Tổng: 78').waitFor();
	await page.locator('#my-ballot').getByText('Biểu quyết: đồng ý công nhận').waitFor();
	await page.context().close();
});

test('the chair sees who scored, not what; scores; decides', async () => {
	const page = await as(browser, server, 'uchair');
	await page.goto(server.url + `#/case/${caseId}`);
	await page.locator('#who-scored').getByText(`${PEOPLE.umember[0]} (thành viên): đã chấm`).waitFor();
	assert.equal(await page.locator('#my-ballot').count(), 0);
	assert.equal(await page.getByLabel(/Tính mới, tính sáng tạo/).inputValue(), '');
	assert.ok(!(await page.textContent('main')).includes('Nhận xét riêng của thành viên Sơn'));
	await page.locator('#rubric-test').getByText('không công nhận', { exact: true }).waitFor();
	await shot(page, 'chair');

	await page.getByLabel(/Tính mới, tính sáng tạo/).fill('24');
	await page.getByLabel(/Khả năng áp dụng/).fill('24');
	await page.getByLabel(/^Hiệu quả/).fill('30');
	await page.getByRole('button', { name: 'Gửi phiếu chấm' }).click();
	await page.locator('#rubric-test').getByText('công nhận', { exact: true }).waitFor();
	// The secretary has not voted: a preview first, nothing recorded.
	await page.getByRole('button', { name: 'Kết luận theo quy tắc chấm' }).click();
	await page.locator('#decide-preview').getByText(`Chưa biểu quyết: ${PEOPLE.usec[0]}`).waitFor();
	await page.locator('#decide-preview').getByText('Nếu ghi nhận bây giờ: đề nghị công nhận').waitFor();
	assert.equal(server.call('case.get', { id: caseId }).state, 'unit_review');
	await shot(page, 'decide-preview', '#chair');
	await page.getByRole('button', { name: 'Xác nhận kiến nghị' }).click();
	await page.getByText('Hội đồng cấp cơ sở đã có kiến nghị, chờ người đứng đầu quyết định').first().waitFor();
	await page.context().close();
});

test('the head of the school signs the recognition, with its number', async () => {
	const page = await as(browser, server, 'uhead');
	await nav(page, 'Ký quyết định');
	await page.locator(`[data-case="${caseId}"]`).getByRole('link', { name: 'Mở để ký quyết định' }).click();
	await page.getByLabel('Số quyết định').fill('12/QĐ-THPT');
	await assertLabelled(page, 'the recognition form');
	await shot(page, 'recognize', '#recognize');
	await page.getByRole('button', { name: 'Ký quyết định' }).click();
	await page.getByText('Được công nhận sáng kiến cấp cơ sở').first().waitFor();
	await page.getByText(/Số 12\/QĐ-THPT ngày/).waitFor();
	await page.context().close();
	const c = server.call('case.get', { id: caseId });
	assert.equal(c.recognition.signed_by, PEOPLE.uhead[0]);
});

test('nominated by the secretary, recognized by the province council', async () => {
	await press('usec', 'Đề nghị xét cấp tỉnh', 'Đề nghị xét hiệu quả áp dụng và khả năng nhân rộng cấp tỉnh');

	const psec = await as(browser, server, 'psec');
	await nav(psec, 'Tiếp nhận hồ sơ');
	await psec.locator(`[data-case="${caseId}"]`).getByRole('link', { name: 'Mở hồ sơ' }).click();
	await psec.getByRole('button', { name: 'Tiếp nhận để xét' }).click();
	await psec.getByText('Hội đồng sáng kiến cấp tỉnh đang xét').first().waitFor();
	await psec.context().close();

	for (const who of ['pmember', 'pchair']) {
		const page = await as(browser, server, who);
		await nav(page, 'Chấm điểm');
		await page.locator(`[data-case="${caseId}"]`).getByRole('link', { name: 'Mở phiếu chấm' }).click();
		await page.getByLabel(/Tính mới, tính sáng tạo/).fill('26');
		await page.getByLabel(/Khả năng áp dụng/).fill('25');
		await page.getByLabel(/^Hiệu quả/).fill('33');
		await page.getByRole('button', { name: 'Gửi phiếu chấm' }).click();
		await page.locator('#my-ballot').getByText('Tổng: 84').waitFor();
		if (who === 'pchair') {
			await page.getByRole('button', { name: 'Kết luận theo quy tắc chấm' }).click();
			await page.getByRole('button', { name: 'Xác nhận kiến nghị' }).click();
			await page.getByText('Hội đồng cấp tỉnh đã có kiến nghị, chờ quyết định công nhận').first().waitFor();
		}
		await page.context().close();
	}
	const head = await as(browser, server, 'phead');
	await head.goto(server.url + `#/case/${caseId}`);
	await head.getByLabel('Số quyết định').fill('120/QĐ-UBND');
	await head.getByRole('button', { name: 'Ký quyết định' }).click();
	await head.getByText('Được công nhận hiệu quả áp dụng và khả năng nhân rộng cấp tỉnh').first().waitFor();
	await head.context().close();
	assert.equal(server.call('case.get', { id: caseId }).state, 'recognized');

	await authorPage.goto(server.url + '#/mine');
	await authorPage.locator(`[data-case="${caseId}"]`).getByText('Hoàn tất').waitFor();
	await shot(authorPage, 'author-cases');
});

test('anyone finds it without logging in, without diacritics', async () => {
	const page = await guest(browser);
	await page.goto(server.url + '#/search');
	await page.getByLabel('Tìm sáng kiến đã được công nhận').fill('so tay dien tu dia ly');
	await page.getByRole('button', { name: 'Tìm' }).click();
	await page.getByRole('link', { name: TITLE }).click();
	await page.getByRole('heading', { name: TITLE }).waitFor();
	await page.getByText(SECTIONS.solution).waitFor();
	await shot(page, 'public-case');
	await page.context().close();
});

test('the province admin sees every case, units, users, councils, rubrics, and verifies', async () => {
	const page = await as(browser, server, 'admin');
	await nav(page, 'Tất cả hồ sơ');
	await page.getByLabel('Trạng thái').selectOption('recognized');
	await page.locator(`#all-cases [data-case="${caseId}"]`).waitFor();
	await nav(page, 'Quản trị');
	await page.locator('#unit-tree').getByText('Trường THPT Chi Lăng').waitFor();
	await page.getByRole('link', { name: 'Người dùng' }).click();
	await page.locator('#users').getByText(PEOPLE.pmember[0]).waitFor();
	await assertLabelled(page, 'the users page');
	await page.getByRole('link', { name: 'Hội đồng' }).click();
	await page.locator('#councils').getByText('Hội đồng sáng kiến cấp tỉnh').waitFor();
	await page.getByRole('link', { name: 'Quy tắc chấm' }).click();
	await page.locator('pre.source').getByText('function R.check').waitFor();
	await page.getByLabel('Thử với hồ sơ số').fill(String(caseId));
	await page.getByRole('button', { name: 'Thử với hồ sơ' }).click();
	await page.locator('#rubric-test-out').getByText('Kết luận nếu quyết định bây giờ').waitFor();
	await assertLabelled(page, 'the rubrics page');
	await page.getByRole('link', { name: 'Máy chủ' }).click();
	await page.getByRole('button', { name: 'Kiểm tra toàn vẹn dữ liệu' }).click();
	await page.locator('#verify-out').getByText('Toàn vẹn').waitFor();
	await page.context().close();
});

test('after a restart: sessions end, an open page catches up by itself', async () => {
	// A session of auth.login ends with the server; a token from
	// user.token does not, and its page must fetch what it missed.
	const page = await withToken(browser, server, 'author');
	await page.goto(server.url + `#/case/${caseId}`);
	await page.locator('#timeline').waitFor();
	await page.getByText('Trực tuyến').waitFor();
	await authorPage.goto(server.url + `#/case/${caseId}`);
	await authorPage.locator('#timeline').waitFor();
	// Changed while the pages cannot connect: no event reaches them, only
	// the re-fetch after the reconnect can show this.
	const note = 'Thu hồi để kiểm tra việc tải lại sau khi mất kết nối.';
	await server.offline(async () => {
		await page.getByText('Mất kết nối').waitFor();
		server.cli('act', String(caseId), 'revoke', '--note', note);
	});
	await page.locator('#timeline .note').getByText(note).waitFor();
	await page.getByText('Bị thu hồi').first().waitFor();
	await page.getByText('Trực tuyến').waitFor();
	await page.context().close();

	await authorPage.getByText('Phiên đăng nhập đã hết hạn').waitFor();
	await authorPage.getByLabel('Tên đăng nhập').fill(PEOPLE.author[0]);
	await authorPage.getByLabel('Mật khẩu').fill(PASSWORD);
	await authorPage.getByRole('button', { name: 'Đăng nhập' }).click();
	await authorPage.locator('#timeline .note').getByText(note).waitFor();
});

test('a 375 px phone: no sideways scrolling on the main pages', async () => {
	const phone = { width: 375, height: 740 };
	const page = await as(browser, server, 'author', phone);
	for (const hash of ['#/mine', '#/new', `#/case/${caseId}`, '#/search?q=dia%20ly']) {
		await page.goto(server.url + hash);
		await page.locator('main h1').waitFor();
		await page.waitForTimeout(200);
		await noHorizontalScroll(page, hash);
	}
	await shot(page, 'phone-search');
	await page.context().close();
	const member = await as(browser, server, 'uchair', phone);
	await member.goto(server.url + '#/review');
	await member.locator('main h1').waitFor();
	await noHorizontalScroll(member, '#/review');
	await member.context().close();
});

test('a refusal reopened for review is shown as superseded', async () => {
	const c = server.call('case.create', { unit: 'thpt-a', title: 'Bảng điểm danh học sinh bằng giấy in sẵn',
		field: 'Giáo dục và đào tạo', first_applied: recentDate(30),
		authors: [{ name: 'Đỗ Văn Khoa', share: 100, birth_date: '1979-09-02', workplace: 'Trường THPT A',
			position: 'Giáo viên', qualification: 'Cử nhân Lịch sử' }], sections: SECTIONS });
	server.call('case.act', { id: c.id, action: 'submit',
		declaration: { not_against_public_order: true, not_protected_ip: true } });
	server.call('case.act', { id: c.id, action: 'accept' });
	for (const who of ['uchair', 'usec', 'umember']) {
		const tok = server.cli('token', PEOPLE[who][0]).trim();
		server.cli('--token', tok, 'score', String(c.id), 'novelty=5', 'applicability=5', 'benefit=5');
	}
	server.cli('--token', server.cli('token', PEOPLE.uchair[0]).trim(), 'decide', String(c.id));
	server.cli('--token', server.cli('token', PEOPLE.uhead[0]).trim(), 'recognize', String(c.id),
		'--no', '9/QĐ-THPT', '--date', recentDate(0), '--refuse', '--note', 'Chưa có tính mới.');
	server.call('case.act', { id: c.id, action: 'reopen', note: 'Tác giả bổ sung số liệu.' });
	const page = await as(browser, server, 'admin');
	await page.goto(server.url + `#/case/${c.id}`);
	await page.locator('.decision.is-superseded').getByText(/^Đã bị thay thế/).waitFor();
	await page.locator('.recognition.is-superseded').getByText('Lý do: Chưa có tính mới.').waitFor();
	await shot(page, 'superseded');
	await page.context().close();
});

test('no page threw a script error', () => {
	assert.deepEqual(pageErrors, []);
});
