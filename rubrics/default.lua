-- default.lua: the unit-level rubric (Phiếu đánh giá sáng kiến cấp cơ sở).
--
-- Three criteria worth 30, 30 and 40 points.  A member's ballot passes at
-- pass_total points or more with every criterion of must_score above 0.
-- The council decides once at least `quorum` of its eligible members have
-- scored; the case passes when at least `majority` of the eligible members'
-- ballots pass.  check() enforces the application's content (Điều 5, Nghị
-- định 13/2012/NĐ-CP), the authors' shares and the one-year filing window.
--
-- The host calls check(case, today, rubric) and decide(ballots, council,
-- rubric), where `rubric` is the final table the loaded file returned.  The
-- functions below read every number from that argument, never from this
-- file's locals, so a rubric that extends this one changes a threshold by
-- overriding one field (see province.lua and rubrics/README.md).

local R = {
	id = "default",
	title = "Phiếu đánh giá sáng kiến cấp cơ sở",

	criteria = {
		{
			id = "novelty",
			label = "Tính mới, tính sáng tạo",
			max = 30,
			guide = "30 điểm: giải pháp chưa từng được áp dụng hay "
				.. "công bố trong phạm vi đơn vị, khác hẳn các giải "
				.. "pháp đã biết và chưa là quy định bắt buộc. "
				.. "15 điểm: cải tiến một phần giải pháp đã có, với "
				.. "điểm mới rõ ràng. 0 điểm: trùng với giải pháp đã "
				.. "áp dụng, đã công bố, hoặc chỉ làm đúng quy định "
				.. "hiện hành.",
		},
		{
			id = "applicability",
			label = "Khả năng áp dụng, nhân rộng",
			max = 30,
			guide = "30 điểm: đã áp dụng thành công và có thể nhân "
				.. "rộng ở đơn vị khác với điều kiện sẵn có. 15 điểm: "
				.. "đã áp dụng tại đơn vị nhưng khó nhân rộng hoặc "
				.. "cần thêm điều kiện. 0 điểm: chưa áp dụng được, "
				.. "mới là ý tưởng.",
		},
		{
			id = "benefit",
			label = "Hiệu quả",
			max = 40,
			guide = "40 điểm: hiệu quả kinh tế hoặc xã hội rõ rệt, có "
				.. "số liệu chứng minh (tiết kiệm chi phí, thời gian, "
				.. "nâng cao chất lượng). 20 điểm: có hiệu quả nhưng "
				.. "số liệu chưa đầy đủ hoặc hiệu quả ở mức vừa phải. "
				.. "0 điểm: không chứng minh được hiệu quả.",
		},
	},

	-- Fields the functions read through their `rubric` argument.
	pass_total = 50,           -- a ballot passes at this total or more
	must_score = { "novelty" }, -- criteria a passing ballot scores above 0
	quorum = 2 / 3,            -- share of eligible members who must score
	majority = 2 / 3,          -- share of eligible members who must pass it
	filing_months = 12,        -- file within this many months of first use
}

-- The sections of the application, Điều 5 Nghị định 13/2012/NĐ-CP.
local SECTIONS = {
	{ key = "status_quo", label = "Tình trạng giải pháp đã biết" },
	{ key = "solution", label = "Nội dung giải pháp đề nghị công nhận là sáng kiến" },
	{ key = "novelty", label = "Tính mới của giải pháp" },
	{ key = "applicability", label = "Khả năng áp dụng của giải pháp" },
	{ key = "benefits", label = "Lợi ích thu được do áp dụng sáng kiến" },
	{ key = "conditions", label = "Những điều kiện cần thiết để áp dụng sáng kiến" },
	{ key = "trial_users", label = "Những người đã tham gia áp dụng thử hoặc áp dụng lần đầu" },
}

-- A section is blank when it has no letter or digit at all.
local function blank(s)
	return type(s) ~= "string" or text.syllables(s) == 0
end

local function days_in_month(y, m)
	if m == 2 then
		local leap = (y % 4 == 0 and y % 100 ~= 0) or y % 400 == 0
		return leap and 29 or 28
	end
	if m == 4 or m == 6 or m == 9 or m == 11 then
		return 30
	end
	return 31
end

-- Reads "YYYY-MM-DD"; nil unless it is a real calendar date.
local function parse_date(s)
	if type(s) ~= "string" then
		return nil
	end
	local y, m, d = s:match("^(%d%d%d%d)-(%d%d)-(%d%d)$")
	if not y then
		return nil
	end
	y, m, d = tonumber(y), tonumber(m), tonumber(d)
	if m < 1 or m > 12 or d < 1 or d > days_in_month(y, m) then
		return nil
	end
	return { y = y, m = m, d = d }
end

-- A number that orders dates: 2024-03-05 gives 20240305.
local function date_key(t)
	return t.y * 10000 + t.m * 100 + t.d
end

-- The same day `months` months later; past a shorter month's end (the 31st,
-- or 29 February), the month's last day.
local function months_after(t, months)
	local n = t.y * 12 + (t.m - 1) + months
	local y, m = n // 12, n % 12 + 1
	return { y = y, m = m, d = math.min(t.d, days_in_month(y, m)) }
end

-- 63.25 -> "63,3": numbers in reasons are written the Vietnamese way.
local function vn(x)
	local s = string.format("%.1f", x)
	s = s:gsub("%.0$", ""):gsub("%.", ",")
	return s
end

local function round1(x)
	return math.floor(x * 10 + 0.5) / 10
end

-- The smallest whole number of members that is at least share * n.
local function at_least(share, n)
	return math.ceil(share * n - 1e-9)
end

local function label_of(rubric, id)
	for _, c in ipairs(rubric.criteria) do
		if c.id == id then
			return c.label
		end
	end
	return id
end

local function max_total(rubric)
	local sum = 0
	for _, c in ipairs(rubric.criteria) do
		sum = sum + c.max
	end
	return sum
end

-- A ballot's total: the engine's, or the sum of its marks.
local function total_of(b)
	if type(b.total) == "number" then
		return b.total
	end
	local sum = 0
	for _, v in pairs(b.marks or {}) do
		sum = sum + v
	end
	return sum
end

-- The first criterion of must_score the ballot left at 0, or nil.
local function missing_must(b, rubric)
	for _, id in ipairs(rubric.must_score or {}) do
		if ((b.marks or {})[id] or 0) <= 0 then
			return id
		end
	end
	return nil
end

local function eligible_count(council)
	local e = type(council) == "table" and council.eligible or 0
	if type(e) == "table" then
		return #e
	end
	return type(e) == "number" and e or 0
end

function R.check(case, today, rubric)
	rubric = rubric or R
	local problems = {}
	local function problem(fmt, ...)
		problems[#problems + 1] = string.format(fmt, ...)
	end

	local sections = type(case.sections) == "table" and case.sections or {}
	for _, s in ipairs(SECTIONS) do
		if blank(sections[s.key]) then
			problem('Thiếu mục "%s" (sections.%s), một nội dung bắt '
				.. "buộc theo Điều 5 Nghị định 13/2012/NĐ-CP.",
				s.label, s.key)
		end
	end

	local authors = type(case.authors) == "table" and case.authors or {}
	if #authors == 0 then
		problem("Đơn phải có ít nhất một tác giả.")
	else
		local sum, valid = 0, true
		for i, a in ipairs(authors) do
			local share = type(a) == "table" and a.share or nil
			if type(share) ~= "number" or share <= 0 then
				problem("Tác giả thứ %d chưa có tỷ lệ đóng góp "
					.. "(phần trăm) hợp lệ.", i)
				valid = false
			else
				sum = sum + share
			end
		end
		if valid and math.abs(sum - 100) > 1e-6 then
			problem("Tổng tỷ lệ đóng góp của các tác giả là %s%%, "
				.. "phải bằng 100%%.", vn(sum))
		end
	end

	local now = parse_date(today)
	if not now then
		error("today must be a date YYYY-MM-DD, got " .. tostring(today))
	end
	local first = parse_date(case.first_applied)
	if not first then
		problem("Ngày áp dụng lần đầu (first_applied) phải là một ngày "
			.. "có thật, viết dạng NNNN-TT-NN (ví dụ 2024-03-15).")
	elseif date_key(first) > date_key(now) then
		problem("Ngày áp dụng lần đầu (%s) ở sau ngày hôm nay (%s).",
			case.first_applied, today)
	elseif date_key(months_after(first, rubric.filing_months))
			< date_key(now) then
		-- Filing is due by the anniversary of the first application.
		problem("Sáng kiến được áp dụng lần đầu ngày %s, đã quá %d "
			.. "tháng trước ngày nộp đơn (%s): đơn phải nộp trong "
			.. "vòng %d tháng kể từ ngày áp dụng lần đầu.",
			case.first_applied, rubric.filing_months, today,
			rubric.filing_months)
	end

	-- A near copy of an earlier initiative is not refused here: the
	-- engine flags it at submission (case.flagged_similar, at or above
	-- the province's similarity_flag) and the council judges its
	-- novelty (Điều 4, Điều lệ sáng kiến).  case.similar and
	-- case.max_similarity are there for a rubric that wants a rule.
	return problems
end

function R.decide(ballots, council, rubric)
	rubric = rubric or R
	local eligible = eligible_count(council)
	local scored = #ballots
	if eligible == 0 then
		return {
			verdict = "pending",
			reasons = { "Hội đồng chưa có thành viên nào đủ điều kiện "
				.. "chấm điểm." },
		}
	end
	local need = at_least(rubric.quorum, eligible)
	if scored < need then
		return {
			verdict = "pending",
			reasons = { string.format("Chưa đủ số thành viên chấm "
				.. "điểm: %d/%d thành viên đủ điều kiện đã chấm, cần "
				.. "ít nhất %d.", scored, eligible, need) },
		}
	end

	local sum, passing, below = 0, 0, 0
	local zeroed = {} -- criterion id -> ballots that left it at 0
	for _, b in ipairs(ballots) do
		local total = total_of(b)
		sum = sum + total
		local missing = missing_must(b, rubric)
		if total < rubric.pass_total then
			below = below + 1
		elseif missing then
			zeroed[missing] = (zeroed[missing] or 0) + 1
		else
			passing = passing + 1
		end
	end
	local score = round1(sum / scored)
	local need_pass = at_least(rubric.majority, eligible)
	local reasons = {
		string.format("%d/%d phiếu đạt (mỗi phiếu đạt khi từ %d điểm "
			.. "trở lên; cần ít nhất %d phiếu đạt trên %d thành viên "
			.. "đủ điều kiện); điểm trung bình %s/%s.", passing, scored,
			rubric.pass_total, need_pass, eligible, vn(score),
			vn(max_total(rubric))),
	}
	if passing >= need_pass then
		return { verdict = "pass", score = score, reasons = reasons }
	end

	reasons[#reasons + 1] = string.format("Không đạt: %d phiếu đạt, cần "
		.. "ít nhất %d.", passing, need_pass)
	if below > 0 then
		reasons[#reasons + 1] = string.format("%d phiếu dưới %d điểm.",
			below, rubric.pass_total)
	end
	for _, id in ipairs(rubric.must_score or {}) do
		if zeroed[id] then
			reasons[#reasons + 1] = string.format("%d phiếu đủ điểm "
				.. "nhưng chấm 0 điểm tiêu chí \"%s\".", zeroed[id],
				label_of(rubric, id))
		end
	end
	if scored < eligible then
		reasons[#reasons + 1] = string.format("%d thành viên chưa chấm "
			.. "điểm.", eligible - scored)
	end
	return { verdict = "fail", score = score, reasons = reasons }
end

-- Helpers for the rubrics that extend this one: their check and decide
-- reach them through the rubric argument, as rubric.lib.
R.lib = {
	total_of = total_of,
	missing_must = missing_must,
	vn = vn,
	round1 = round1,
}

return R
