-- education.lua: the rubric of education councils (ngành giáo dục).
--
-- Criteria, sections and check() come from default.lua.  The decision is
-- made differently: two members score each case independently.
--
--   * Fewer than two ballots: pending.
--   * Two ballots whose totals differ by more than max_gap (20) points:
--     pending until a third member scores.  Otherwise the case's score is
--     the mean of the two totals.
--   * Three or more ballots: the score is the mean of the two closest
--     totals.  When several pairs are equally close, the score is the mean
--     of those pairs' means (with 50, 60, 70 that is 60, the middle one).
--   * The case passes when its score is at least pass_total (50), more
--     than half of all the ballots give novelty (every criterion of
--     must_score) more than 0 points, and at least two thirds of ALL the
--     voting members of the council vote "pass" (Thông tư 18/2013/TT-BKHCN,
--     Điều 8; a ballot without a vote votes by default's vote(), from its
--     marks).  Otherwise it fails, with reasons.
--
-- Scores are rounded to one decimal.

-- total_of, missing_must, vn and round1 are default.lua's (rubric.lib).

-- The score of three or more sorted totals: the closest pair's mean.
local function closest_mean(totals)
	local gap = math.huge
	for i = 2, #totals do
		gap = math.min(gap, totals[i] - totals[i - 1])
	end
	local sum, pairs_found = 0, 0
	for i = 2, #totals do
		if totals[i] - totals[i - 1] <= gap + 1e-9 then
			sum = sum + (totals[i] + totals[i - 1]) / 2
			pairs_found = pairs_found + 1
		end
	end
	return sum / pairs_found
end

local function decide(ballots, council, rubric)
	local lib = rubric.lib
	local total_of, vn, round1 = lib.total_of, lib.vn, lib.round1
	local totals = {}
	for i, b in ipairs(ballots) do
		totals[i] = total_of(b)
	end
	table.sort(totals)
	if #totals < 2 then
		return {
			verdict = "pending",
			reasons = { string.format("Cần hai thành viên chấm độc "
				.. "lập; mới có %d phiếu.", #totals) },
		}
	end

	local score, how
	if #totals == 2 then
		local gap = totals[2] - totals[1]
		if gap > rubric.max_gap then
			return {
				verdict = "pending",
				reasons = { string.format("Hai phiếu chênh nhau %s "
					.. "điểm (%s và %s), quá %s điểm: cần thành viên "
					.. "thứ ba chấm.", vn(gap), vn(totals[1]),
					vn(totals[2]), vn(rubric.max_gap)) },
			}
		end
		score = round1((totals[1] + totals[2]) / 2)
		how = "trung bình hai phiếu"
	else
		score = round1(closest_mean(totals))
		how = string.format("trung bình hai phiếu gần nhau nhất trong "
			.. "%d phiếu", #totals)
	end

	local novel, agree = 0, 0
	for _, b in ipairs(ballots) do
		if not lib.missing_must(b, rubric) then
			novel = novel + 1
		end
		if (b.vote or rubric.vote(b, rubric)) == "pass" then
			agree = agree + 1
		end
	end
	local members = lib.voting_members(council)
	local need = math.max(1, lib.at_least(rubric.majority, members))
	local reasons = {
		string.format("Điểm xét %s (%s); %d/%d phiếu chấm tính mới trên "
			.. "0 điểm.", vn(score), how, novel, #ballots),
	}
	local ok = true
	if score < rubric.pass_total then
		ok = false
		reasons[#reasons + 1] = string.format("Điểm xét %s thấp hơn "
			.. "mức đạt %s điểm.", vn(score), vn(rubric.pass_total))
	end
	if novel * 2 <= #ballots then
		ok = false
		reasons[#reasons + 1] = "Không quá nửa số phiếu công nhận tính "
			.. "mới của giải pháp."
	end
	reasons[#reasons + 1] = string.format("%d/%d thành viên Hội đồng "
		.. "đồng ý công nhận (cần ít nhất %d, hai phần ba tổng số thành "
		.. "viên).", agree, members, need)
	if agree < need then
		ok = false
		reasons[#reasons + 1] = "Không đạt: chưa đủ hai phần ba thành "
			.. "viên Hội đồng đồng ý."
	end
	return { verdict = ok and "pass" or "fail", score = score,
		reasons = reasons }
end

return extend("default", {
	id = "education",
	title = "Phiếu đánh giá sáng kiến ngành giáo dục",
	max_gap = 20, -- two totals further apart than this need a third
	decide = decide,
})
