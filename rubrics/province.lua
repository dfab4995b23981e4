-- province.lua: the provincial rubric (Phiếu đánh giá sáng kiến cấp tỉnh).
--
-- The same criteria, sections and rules as default.lua; only the bar is
-- higher: a member's ballot passes at 75 of 100 points (the threshold of
-- Hà Nam's provincial education council; ARCHITECTURE.md, "The procedure
-- it carries").  default's check and decide read pass_total from the
-- rubric table the host hands them, so overriding the field here is all
-- it takes.
return extend("default", {
	id = "province",
	title = "Phiếu đánh giá sáng kiến cấp tỉnh",
	pass_total = 75,
})
