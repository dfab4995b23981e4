/*
 * demo.c: `sangkien demo`, a sample province modelled on Lạng Sơn, built
 * through the public API only, the way its people would use it.  The
 * administrator (local-admin, or whoever --token names) sets up the units,
 * the users and two councils; then each author files their own case with a
 * token got from user.token, council officers accept, return, score, vote
 * and record their council's recommendation with theirs, the heads of the
 * education department and of the province sign the recognitions, and the
 * secretariat revokes one recognition.  The result is seventeen realistic
 * initiatives with at least one in every state
 * of the procedure (PROTOCOL.md, "States and actions"), for trying the CLI
 * and the web page, for screenshots and for tests.  Each user gets a
 * password (user.password), and the demo ends by printing who is who: user,
 * name, role, password, and the web page's address when server.status
 * gives one.
 *
 * Everything is upserted (unit.put, user.put, council.put), so the demo can
 * run again on the same server; each run files seventeen new cases.  The
 * decision ops (case.score, case.decide, case.recognize) and user.password
 * may not exist on
 * an older server: then the cases meant for a decision stay in review and
 * the users without passwords, silently.  Tokens are never printed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/model/workflow.h"
#include "ipc/cli/cli.h"

#define DEMO_MAX_CLIENTS 32

struct demo_unit {
	const char *id;
	const char *name;
	const char *parent;
};

static const struct demo_unit demo_units[] = {
	{ "so-khcn", "Sở Khoa học và Công nghệ tỉnh Lạng Sơn", NULL },
	{ "so-gddt", "Sở Giáo dục và Đào tạo tỉnh Lạng Sơn", "so-khcn" },
	{ "thpt-viet-bac", "Trường THPT Việt Bắc", "so-gddt" },
	{ "thpt-chu-van-an", "Trường THPT Chuyên Chu Văn An", "so-gddt" },
	{ "so-yte", "Sở Y tế tỉnh Lạng Sơn", "so-khcn" },
	{ "bv-da-khoa", "Bệnh viện Đa khoa tỉnh Lạng Sơn", "so-yte" },
	{ "ubnd-cao-loc", "UBND huyện Cao Lộc", "so-khcn" },
	{ "so-nnptnt", "Sở Nông nghiệp và Phát triển nông thôn tỉnh Lạng Sơn",
	    "so-khcn" },
};

struct demo_user {
	const char *id;
	const char *name;
	const char *unit;
	const char *roles; /* comma-separated, may be empty */
};

static const struct demo_user demo_users[] = {
	/* The provincial secretariat and the emulation board. */
	{ "hoang.thi.thu", "Hoàng Thị Thu", "so-khcn", "admin" },
	{ "vi.van.long", "Vi Văn Long", "so-khcn", "viewer" },
	/* The heads who sign the recognitions: of the education department
	 * (its council's unit) and of the province (the top of the tree). */
	{ "dam.van.quang", "Đàm Văn Quang", "so-gddt", "head" },
	{ "hoang.van.tuan", "Hoàng Văn Tuấn", "so-khcn", "head" },
	/* The province council. */
	{ "pham.ngoc.anh", "Phạm Ngọc Anh", "so-khcn", "" },
	{ "dinh.thi.yen", "Đinh Thị Yến", "so-khcn", "" },
	{ "nguyen.van.khanh", "Nguyễn Văn Khánh", "so-nnptnt", "" },
	{ "vi.thi.hien", "Vi Thị Hiền", "so-yte", "" },
	/* The education department's initiative council. */
	{ "luong.van.minh", "Lương Văn Minh", "so-gddt", "" },
	{ "nong.thi.mai", "Nông Thị Mai", "so-gddt", "" },
	{ "chu.van.hai", "Chu Văn Hải", "thpt-viet-bac", "" },
	{ "ha.thi.thanh", "Hà Thị Thanh", "thpt-chu-van-an", "" },
	/* Authors: teachers, doctors, nurses, civil servants, engineers. */
	{ "nguyen.thi.lan", "Nguyễn Thị Lan", "thpt-viet-bac", "author" },
	{ "hoang.van.duc", "Hoàng Văn Đức", "thpt-viet-bac", "author" },
	{ "lam.thi.hoa", "Lâm Thị Hoa", "thpt-viet-bac", "author" },
	{ "nong.van.binh", "Nông Văn Bình", "thpt-viet-bac", "author" },
	{ "be.thi.ngoc", "Bế Thị Ngọc", "thpt-chu-van-an", "author" },
	{ "duong.thi.lien", "Dương Thị Liên", "so-gddt", "author" },
	{ "tran.quoc.hung", "Trần Quốc Hưng", "bv-da-khoa", "author" },
	{ "lang.thi.nga", "Lăng Thị Ngà", "bv-da-khoa", "author" },
	{ "ly.van.phuc", "Lý Văn Phúc", "bv-da-khoa", "author" },
	{ "loc.van.thang", "Lộc Văn Thắng", "ubnd-cao-loc", "author" },
	{ "trieu.thi.huong", "Triệu Thị Hương", "ubnd-cao-loc", "author" },
	{ "mong.van.son", "Mông Văn Sơn", "so-nnptnt", "author" },
};

struct demo_member {
	const char *user;
	const char *role;
};

/* The unit council (TT 18/2013/TT-BKHCN Điều 8): officers act on cases,
 * all four vote. */
#define DEMO_UNIT_CHAIR "luong.van.minh"
#define DEMO_UNIT_SECRETARY "nong.thi.mai"
#define DEMO_UNIT_HEAD "dam.van.quang"
static const struct demo_member demo_unit_council[] = {
	{ DEMO_UNIT_CHAIR, "chair" },
	{ DEMO_UNIT_SECRETARY, "secretary" },
	{ "chu.van.hai", "member" },
	{ "ha.thi.thanh", "vice_chair" },
};

#define DEMO_PROV_CHAIR "pham.ngoc.anh"
#define DEMO_PROV_SECRETARY "dinh.thi.yen"
#define DEMO_PROV_HEAD "hoang.van.tuan"
static const struct demo_member demo_prov_council[] = {
	{ DEMO_PROV_CHAIR, "chair" },
	{ DEMO_PROV_SECRETARY, "secretary" },
	{ "nguyen.van.khanh", "vice_chair" },
	{ "vi.thi.hien", "union_rep" },
};

#define DEMO_NMEMBERS 4

/* The provincial secretariat: revokes a recognition. */
#define DEMO_ADMIN "hoang.thi.thu"

/* Where each case is left. */
enum demo_goal {
	G_DRAFT,
	G_WITHDRAWN_DRAFT,
	G_SUBMITTED,
	G_WITHDRAWN_SUBMITTED,
	G_RETURNED,
	G_REVIEW,          /* accepted, in unit review */
	G_UNIT_RECOGNIZED, /* the rest need case.score and case.decide */
	G_UNIT_REFUSED,
	G_REVOKED, /* recognized at unit level, then revoked by an admin */
	G_NOMINATED,
	G_PROVINCE_REVIEW, /* accepted by the province council */
	G_RECOGNIZED,
	G_PROVINCE_REFUSED,
	G_UNIT_RECOMMENDED,     /* the council has recommended; the head has
	                           not signed yet */
	G_PROVINCE_RECOMMENDED, /* the same at the province */
};

struct demo_author {
	const char *user; /* NULL: a co-author without an account */
	const char *name;
	int         share;
};

struct demo_case {
	const char        *field;
	const char        *title;
	const char        *owner;
	struct demo_author authors[3];   /* the first files the case */
	int                days_ago;     /* first applied */
	const char        *confidential; /* a section, or NULL */
	enum demo_goal     goal;
	const char        *note; /* of the return or the withdrawal */
	/* The sections, in the order of wf_sections: status_quo, solution,
	 * novelty, applicability, benefits, conditions, trial_users. */
	/* A case without sections (s[0] NULL) is a near copy: it retypes
	 * the first case's, and the server flags it at submission. */
	const char *s[WF_NSECTIONS];
};

static const struct demo_case demo_cases[] = {
	{ "Giáo dục và đào tạo",
	    "Ứng dụng phần mềm GeoGebra trong dạy học hình học không gian "
	    "lớp 11",
	    "Trường THPT Việt Bắc",
	    { { "nguyen.thi.lan", "Nguyễn Thị Lan", 70 },
	        { NULL, "Chu Thị Dung", 30 } },
	    240, NULL, G_RECOGNIZED, NULL,
	    { "Học sinh lớp 11 của trường, phần lớn là con em đồng bào Tày, "
	      "Nùng, gặp nhiều khó khăn khi hình dung các hình không gian. "
	      "Giáo viên chủ yếu vẽ hình trên bảng, hình vẽ tĩnh, khó quan "
	      "sát từ nhiều góc độ; bài kiểm tra chương Quan hệ vuông góc năm "
	      "học trước chỉ có 41% học sinh đạt yêu cầu.",
	        "Xây dựng bộ 36 mô hình động bằng GeoGebra 3D bám sát chương "
	        "trình Hình học 11, cho phép xoay, cắt và thay đổi kích thước "
	        "hình. Giáo viên trình chiếu mô hình khi dạy khái niệm mới; "
	        "học sinh quét mã QR bằng điện thoại để tự thao tác mô hình "
	        "khi làm bài tập ở nhà. Mỗi mô hình kèm một phiếu học tập "
	        "gồm câu hỏi ở ba mức độ.",
	        "Lần đầu tiên tại trường, toàn bộ nội dung hình học không "
	        "gian lớp 11 được số hóa thành mô hình động dùng được trên "
	        "điện thoại cấu hình thấp, không cần kết nối mạng liên tục.",
	        "Áp dụng được cho mọi trường THPT trong tỉnh có máy chiếu; "
	        "phần mềm miễn phí, giáo viên chỉ cần một buổi tập huấn là "
	        "sử dụng được bộ mô hình.",
	        "Sau một học kỳ áp dụng tại 6 lớp 11, tỷ lệ học sinh đạt yêu "
	        "cầu bài kiểm tra chương Quan hệ vuông góc tăng từ 41% lên "
	        "68%; thời gian vẽ hình trên lớp giảm khoảng 10 phút mỗi "
	        "tiết.",
	        "Phòng học có máy chiếu hoặc ti vi thông minh; giáo viên có "
	        "máy tính cài GeoGebra; học sinh có thể dùng chung điện thoại "
	        "theo nhóm.",
	        "Các lớp 11A1 đến 11A6 của trường trong học kỳ I (246 học "
	        "sinh) và 4 giáo viên tổ Toán - Tin." } },
	{ "Giáo dục và đào tạo",
	    "Ngân hàng câu hỏi trắc nghiệm trực tuyến môn Hóa học trên Google "
	    "Forms cho học sinh lớp 12",
	    "Trường THPT Việt Bắc", { { "lam.thi.hoa", "Lâm Thị Hoa", 100 } },
	    200, NULL, G_NOMINATED, NULL,
	    { "Việc ôn tập môn Hóa học của học sinh khối 12 chủ yếu dựa vào "
	      "đề in giấy; giáo viên mất nhiều thời gian chấm và thống kê lỗi "
	      "sai, học sinh không được phản hồi kịp thời sau mỗi lần luyện "
	      "đề.",
	        "Biên soạn 1.200 câu hỏi trắc nghiệm theo ma trận đề thi tốt "
	        "nghiệp THPT, chia theo chủ đề và mức độ nhận thức, đưa lên "
	        "Google Forms có chấm điểm tự động và giải thích đáp án. Kết "
	        "quả được tổng hợp vào bảng tính để giáo viên biết chủ đề học "
	        "sinh còn yếu và phụ đạo đúng trọng tâm.",
	        "Ngân hàng câu hỏi được gắn thẻ chủ đề và mức độ, tự động "
	        "thống kê lỗi sai theo từng lớp; trước đây trường chưa có "
	        "công cụ tương tự cho môn Hóa học.",
	        "Dễ nhân rộng cho các môn thi trắc nghiệm khác và các trường "
	        "THPT trong tỉnh; chỉ cần tài khoản Google miễn phí.",
	        "Thời gian chấm bài của giáo viên giảm khoảng 70%; điểm trung "
	        "bình môn Hóa học trong kỳ thi thử của khối 12 tăng từ 5,8 "
	        "lên 6,7.",
	        "Học sinh có điện thoại hoặc dùng phòng máy của trường ngoài "
	        "giờ học; đường truyền Internet ổn định.",
	        "Học sinh 4 lớp 12 của trường; tổ Hóa - Sinh - Công nghệ "
	        "phản biện câu hỏi." } },
	{ "Giáo dục và đào tạo",
	    "Sử dụng sơ đồ tư duy trong ôn thi tốt nghiệp THPT môn Lịch sử",
	    "Trường THPT Việt Bắc",
	    { { "hoang.van.duc", "Hoàng Văn Đức", 100 } }, 150, NULL,
	    G_RETURNED,
	    "Đề nghị bổ sung số liệu đối chứng kết quả học tập trước và sau "
	    "khi áp dụng, và làm rõ điểm mới so với các sáng kiến cùng chủ đề "
	    "đã được công nhận.",
	    { "Học sinh thường học thuộc lòng các sự kiện lịch sử một cách "
	      "rời rạc, khó hệ thống hóa kiến thức theo giai đoạn, dẫn đến "
	      "nhầm lẫn mốc thời gian khi làm bài thi trắc nghiệm.",
	        "Hướng dẫn học sinh tự vẽ sơ đồ tư duy theo từng giai đoạn "
	        "lịch sử Việt Nam và thế giới, kết hợp với trục thời gian; "
	        "mỗi tuần một nhóm trình bày sơ đồ trước lớp và các nhóm khác "
	        "góp ý, bổ sung.",
	        "Kết hợp sơ đồ tư duy với trục thời gian và hoạt động nhóm "
	        "thay cho đề cương ôn tập soạn sẵn.",
	        "Áp dụng được cho các lớp 12 và cho các môn Địa lý, Giáo dục "
	        "kinh tế và pháp luật.",
	        "Học sinh chủ động hệ thống kiến thức, giờ ôn tập sôi nổi "
	        "hơn; tỷ lệ bài thi thử đạt từ 5 điểm trở lên tăng.",
	        "Giấy A0, bút màu cho các nhóm; giáo viên dành 15 phút mỗi "
	        "tiết ôn tập cho hoạt động nhóm.",
	        "Học sinh các lớp 12A3, 12A4 của trường." } },
	{ "Giáo dục và đào tạo",
	    "Câu lạc bộ tiếng Anh trực tuyến kết nối học sinh chuyên Anh với "
	    "học sinh vùng cao",
	    "Trường THPT Chuyên Chu Văn An",
	    { { "be.thi.ngoc", "Bế Thị Ngọc", 60 },
	        { NULL, "Lương Thị Hằng", 40 } },
	    300, NULL, G_UNIT_RECOGNIZED, NULL,
	    { "Học sinh các trường vùng cao của tỉnh ít có cơ hội giao tiếp "
	      "bằng tiếng Anh; nhiều em ngại nói, kỹ năng nghe nói còn yếu "
	      "dù đã học tiếng Anh nhiều năm.",
	        "Tổ chức câu lạc bộ tiếng Anh trực tuyến hai buổi mỗi tuần "
	        "qua Google Meet: mỗi học sinh lớp chuyên Anh kèm một nhóm ba "
	        "học sinh vùng cao theo những chủ đề gần gũi như quê hương, "
	        "lễ hội, ẩm thực xứ Lạng. Giáo viên biên soạn kịch bản, theo "
	        "dõi và đánh giá sự tiến bộ hằng tháng.",
	        "Mô hình học sinh kèm học sinh trực tuyến giữa trường chuyên "
	        "và trường vùng cao, lấy văn hóa địa phương làm nội dung giao "
	        "tiếp.",
	        "Có thể mở rộng cho các trường THPT và phổ thông dân tộc nội "
	        "trú trong tỉnh có kết nối Internet.",
	        "Sau 6 tháng, 85% học sinh vùng cao tham gia tự tin giới "
	        "thiệu "
	        "bản thân và quê hương bằng tiếng Anh; học sinh chuyên Anh "
	        "rèn được kỹ năng thuyết trình và tinh thần trách nhiệm.",
	        "Máy tính hoặc điện thoại có kết nối Internet ở các điểm "
	        "trường; mỗi trường có một giáo viên phụ trách.",
	        "30 học sinh lớp 10 chuyên Anh và 90 học sinh Trường THPT "
	        "Bình Gia, Trường PT DTNT huyện Đình Lập." } },
	{ "Cải cách hành chính",
	    "Cấp bản sao văn bằng, chứng chỉ qua dịch vụ công trực tuyến "
	    "toàn trình",
	    "Sở Giáo dục và Đào tạo tỉnh Lạng Sơn",
	    { { "duong.thi.lien", "Dương Thị Liên", 100 } }, 120, NULL,
	    G_REVIEW, NULL,
	    { "Người dân đề nghị cấp bản sao bằng tốt nghiệp THPT phải đến "
	      "trực tiếp Sở hoặc gửi hồ sơ qua bưu điện; thời gian giải quyết "
	      "trung bình 5 ngày làm việc, nhiều trường hợp phải đi lại nhiều "
	      "lần vì thiếu giấy tờ.",
	        "Chuẩn hóa hồ sơ điện tử trên Cổng dịch vụ công của tỉnh, đối "
	        "chiếu tự động với cơ sở dữ liệu văn bằng đã số hóa, ký số "
	        "bản sao và trả kết quả qua bưu chính công ích hoặc bản điện "
	        "tử có giá trị pháp lý.",
	        "Lần đầu thủ tục cấp bản sao văn bằng của Sở được thực hiện "
	        "trực tuyến toàn trình, tận dụng cơ sở dữ liệu văn bằng đã "
	        "số hóa.",
	        "Áp dụng cho mọi thủ tục cấp bản sao văn bằng, chứng chỉ do "
	        "Sở quản lý; có thể chia sẻ cho các Phòng Giáo dục và Đào tạo "
	        "cấp huyện.",
	        "Thời gian giải quyết giảm từ 5 ngày xuống 1 ngày làm việc; "
	        "92% hồ sơ được nộp trực tuyến, người dân không phải đi lại.",
	        "Cơ sở dữ liệu văn bằng đã số hóa; chữ ký số của lãnh đạo Sở; "
	        "kết nối với Cổng dịch vụ công của tỉnh.",
	        "Phòng Khảo thí và Quản lý chất lượng giáo dục và bộ phận "
	        "một cửa của Sở tại Trung tâm Phục vụ hành chính công "
	        "tỉnh." } },
	{ "Giáo dục và đào tạo",
	    "Quản lý mượn trả sách thư viện bằng mã vạch và bảng tính Excel",
	    "Trường THPT Việt Bắc",
	    { { "nong.van.binh", "Nông Văn Bình", 100 } }, 90, NULL,
	    G_UNIT_REFUSED, NULL,
	    { "Thư viện nhà trường quản lý việc mượn trả sách bằng sổ ghi "
	      "chép tay, khó thống kê sách quá hạn.",
	        "Dán mã vạch cho sách, dùng máy quét mã vạch nhập dữ liệu vào "
	        "bảng tính Excel để theo dõi việc mượn trả.",
	        "Thay sổ ghi chép tay bằng bảng tính điện tử tại thư viện "
	        "trường.",
	        "Áp dụng tại thư viện nhà trường.",
	        "Tiết kiệm thời gian ghi chép của cán bộ thư viện.",
	        "Máy quét mã vạch, máy tính có cài Excel.",
	        "Cán bộ thư viện nhà trường." } },
	{ "Y tế",
	    "Nhắc lịch tái khám qua Zalo cho người bệnh tăng huyết áp điều "
	    "trị ngoại trú",
	    "Bệnh viện Đa khoa tỉnh Lạng Sơn",
	    { { "tran.quoc.hung", "Trần Quốc Hưng", 60 },
	        { "lang.thi.nga", "Lăng Thị Ngà", 40 } },
	    180, NULL, G_SUBMITTED, NULL,
	    { "Khoảng 30% người bệnh tăng huyết áp điều trị ngoại trú tại "
	      "Khoa "
	      "Khám bệnh không tái khám đúng hẹn; nhiều người ở các xã vùng "
	      "sâu quên lịch hoặc tự bỏ thuốc khi thấy huyết áp ổn định, dẫn "
	      "đến biến chứng phải nhập viện.",
	        "Lập tài khoản Zalo chính thức của Khoa Khám bệnh; điều dưỡng "
	        "nhập lịch hẹn vào phần mềm quản lý bệnh viện và gửi tin nhắn "
	        "nhắc lịch trước 3 ngày và 1 ngày, kèm hướng dẫn dùng thuốc "
	        "bằng tiếng Việt và tin nhắn thoại tiếng Tày, Nùng. Người "
	        "bệnh "
	        "đổi lịch hẹn bằng cách trả lời tin nhắn.",
	        "Lần đầu bệnh viện chủ động nhắc lịch tái khám, có tin nhắn "
	        "thoại bằng tiếng dân tộc cho người cao tuổi không đọc được "
	        "chữ.",
	        "Áp dụng được cho các bệnh mạn tính khác (đái tháo đường, "
	        "bệnh phổi tắc nghẽn mạn tính) và cho các trung tâm y tế "
	        "huyện.",
	        "Sau 6 tháng, tỷ lệ tái khám đúng hẹn tăng từ 70% lên 91%; "
	        "số ca nhập viện cấp cứu vì tăng huyết áp trong nhóm người "
	        "bệnh được nhắc lịch giảm 18%.",
	        "Một điều dưỡng phụ trách 2 giờ mỗi ngày; điện thoại thông "
	        "minh của khoa; người bệnh hoặc người nhà có Zalo.",
	        "1.450 người bệnh tăng huyết áp được quản lý ngoại trú tại "
	        "Khoa Khám bệnh." } },
	{ "Y tế",
	    "Bảng kiểm chuẩn bị người bệnh trước phẫu thuật bằng mã QR tại "
	    "Khoa Ngoại tổng hợp",
	    "Bệnh viện Đa khoa tỉnh Lạng Sơn",
	    { { "lang.thi.nga", "Lăng Thị Ngà", 100 } }, 60, NULL, G_DRAFT,
	    NULL,
	    { "Bảng kiểm chuẩn bị người bệnh trước phẫu thuật được điền trên "
	      "giấy, đôi khi thiếu mục hoặc thất lạc khi chuyển người bệnh "
	      "lên "
	      "phòng mổ, làm chậm ca mổ.",
	        "Số hóa bảng kiểm thành biểu mẫu điện tử gắn với mã QR trên "
	        "vòng đeo tay người bệnh; điều dưỡng khoa và phòng mổ quét mã "
	        "để xác nhận từng mục, hệ thống cảnh báo khi còn mục chưa "
	        "hoàn thành.",
	        "Gắn bảng kiểm an toàn phẫu thuật với mã định danh trên vòng "
	        "tay người bệnh, lưu được thời điểm và người xác nhận từng "
	        "mục.",
	        "Áp dụng cho các khoa ngoại, khoa sản và phòng mổ của bệnh "
	        "viện; có thể chuyển giao cho các trung tâm y tế huyện.",
	        "Trong 2 tháng thử nghiệm, không ca mổ nào phải hoãn vì thiếu "
	        "bước chuẩn bị; thời gian bàn giao người bệnh giảm trung bình "
	        "7 phút.",
	        "Máy in vòng đeo tay có mã QR, điện thoại hoặc máy tính bảng "
	        "cho điều dưỡng, mạng nội bộ của bệnh viện.",
	        "Điều dưỡng Khoa Ngoại tổng hợp và Khoa Phẫu thuật - Gây mê "
	        "hồi sức." } },
	{ "Y tế",
	    "Cấp phát thuốc ngoại trú bảo hiểm y tế theo số thứ tự điện tử",
	    "Bệnh viện Đa khoa tỉnh Lạng Sơn",
	    { { "ly.van.phuc", "Lý Văn Phúc", 100 } }, 100, NULL,
	    G_WITHDRAWN_DRAFT, "Rút để gộp vào sáng kiến chung của Khoa Dược.",
	    { "Người bệnh ngoại trú có bảo hiểm y tế phải xếp hàng chờ lĩnh "
	      "thuốc trung bình 45 phút vào giờ cao điểm buổi sáng.",
	        "Phát số thứ tự điện tử ngay khi bác sĩ kê đơn và hiển thị "
	        "trên màn hình tại quầy cấp phát; dược sĩ soạn thuốc trước "
	        "theo đơn điện tử nên người bệnh chỉ đến quầy khi tới lượt.",
	        "Liên thông đơn thuốc điện tử với hệ thống gọi số tại quầy "
	        "cấp phát thuốc.",
	        "Áp dụng cho quầy cấp phát thuốc bảo hiểm y tế ngoại trú của "
	        "các bệnh viện trong tỉnh.",
	        "Thời gian chờ lĩnh thuốc giảm từ 45 xuống 15 phút; khu vực "
	        "cấp phát hết ùn tắc.",
	        "Màn hình hiển thị, phần mềm gọi số kết nối với phần mềm "
	        "quản lý bệnh viện.",
	        "Khoa Dược và quầy cấp phát thuốc ngoại trú." } },
	{ "Cải cách hành chính",
	    "Số hóa hồ sơ chứng thực bản sao tại Bộ phận Một cửa UBND huyện "
	    "Cao Lộc",
	    "UBND huyện Cao Lộc",
	    { { "loc.van.thang", "Lộc Văn Thắng", 100 } }, 210, NULL,
	    G_SUBMITTED, NULL,
	    { "Bộ phận Một cửa của huyện lưu hơn 20.000 hồ sơ chứng thực bằng "
	      "giấy mỗi năm; khi người dân đề nghị chứng thực lại, việc tra "
	      "cứu mất nhiều thời gian và hồ sơ dễ thất lạc.",
	        "Quét và lưu hồ sơ chứng thực vào kho dữ liệu điện tử theo mã "
	        "hồ sơ; khi người dân đề nghị chứng thực lại giấy tờ đã chứng "
	        "thực, cán bộ tra cứu và sử dụng lại bản điện tử theo quy "
	        "định về tái sử dụng dữ liệu.",
	        "Lần đầu một huyện của tỉnh xây dựng kho dữ liệu chứng thực "
	        "điện tử để tái sử dụng, thay cho tra cứu sổ giấy.",
	        "Áp dụng được cho Bộ phận Một cửa của các huyện, thành phố và "
	        "UBND cấp xã trong tỉnh.",
	        "Thời gian tra cứu hồ sơ giảm từ 20 phút xuống dưới 2 phút; "
	        "tiết kiệm khoảng 120 triệu đồng tiền giấy in và lưu trữ mỗi "
	        "năm.",
	        "Máy quét tài liệu tốc độ cao, dung lượng lưu trữ trên hệ "
	        "thống của tỉnh, cán bộ được tập huấn.",
	        "Bộ phận Một cửa UBND huyện Cao Lộc và UBND thị trấn Đồng "
	        "Đăng." } },
	{ "Tài nguyên và môi trường",
	    "Bản đồ số quản lý đất đai cấp xã trên phần mềm mã nguồn mở QGIS",
	    "UBND huyện Cao Lộc",
	    { { "trieu.thi.huong", "Triệu Thị Hương", 50 },
	        { "loc.van.thang", "Lộc Văn Thắng", 50 } },
	    270, NULL, G_WITHDRAWN_SUBMITTED,
	    "Tác giả rút hồ sơ để hoàn thiện số liệu về hiệu quả áp dụng.",
	    { "Công chức địa chính cấp xã tra cứu thông tin thửa đất trên bản "
	      "đồ giấy đã cũ, nhiều biến động chưa được cập nhật, gây chậm "
	      "trễ khi giải quyết tranh chấp và cấp giấy chứng nhận.",
	        "Số hóa bản đồ địa chính của 5 xã lên phần mềm QGIS miễn phí, "
	        "liên kết với dữ liệu chủ sử dụng đất và biến động; công chức "
	        "cập nhật biến động ngay trên bản đồ số.",
	        "Dùng phần mềm mã nguồn mở cho quản lý đất đai cấp xã, chi "
	        "phí "
	        "thấp, không phụ thuộc phần mềm thương mại.",
	        "Áp dụng cho các xã của huyện Cao Lộc và các huyện chưa có cơ "
	        "sở dữ liệu đất đai hoàn chỉnh.",
	        "Thời gian tra cứu thông tin thửa đất giảm từ nửa ngày xuống "
	        "vài phút; hỗ trợ giải quyết 14 vụ tranh chấp đất đai.",
	        "Máy tính cấu hình trung bình; công chức địa chính được tập "
	        "huấn sử dụng QGIS.",
	        "Công chức địa chính - xây dựng của 5 xã thuộc huyện Cao "
	        "Lộc." } },
	{ "Nông nghiệp",
	    "Ghép cải tạo vườn hồng không hạt Bảo Lâm bằng mắt ghép cửa sổ",
	    "Sở Nông nghiệp và Phát triển nông thôn tỉnh Lạng Sơn",
	    { { "mong.van.son", "Mông Văn Sơn", 100 } }, 330, "solution",
	    G_DRAFT, NULL,
	    { "Nhiều vườn hồng không hạt Bảo Lâm ở huyện Cao Lộc đã già cỗi, "
	      "năng suất thấp; trồng mới phải chờ 4 đến 5 năm mới cho thu "
	      "hoạch nên nông dân ngại đầu tư.",
	        "Ghép mắt cửa sổ giống hồng Bảo Lâm chọn lọc lên gốc hồng già "
	        "đã đốn tỉa vào tháng 2, kết hợp bón phân hữu cơ vi sinh và "
	        "tỉa cành tạo tán; quy trình gồm 8 bước với thời điểm và liều "
	        "lượng cụ thể cho từng bước.",
	        "Cải tạo vườn hồng già bằng ghép mắt cửa sổ trên gốc cũ thay "
	        "cho trồng mới, rút ngắn thời gian cho quả.",
	        "Áp dụng cho các vùng trồng hồng không hạt của huyện Cao Lộc, "
	        "Văn Lãng và những nơi có điều kiện tương tự.",
	        "Cây ghép cho quả sau 2 năm; năng suất vườn thử nghiệm tăng "
	        "35% so với vườn không cải tạo, quả đồng đều, giá bán cao "
	        "hơn.",
	        "Mắt ghép lấy từ cây đầu dòng đã được công nhận; nông dân "
	        "được "
	        "tập huấn kỹ thuật ghép.",
	        "12 hộ trồng hồng tại xã Hồng Phong và xã Phú Xá, huyện Cao "
	        "Lộc." } },
	{ "Giáo dục và đào tạo",
	    "Dạy học STEM chủ đề hệ thống tưới nhỏ giọt tự động dùng Arduino "
	    "cho học sinh lớp 10",
	    "Trường THPT Chuyên Chu Văn An",
	    { { "be.thi.ngoc", "Bế Thị Ngọc", 50 },
	        { NULL, "Hoàng Văn Tuấn", 50 } },
	    250, NULL, G_PROVINCE_REVIEW, NULL,
	    { "Các chủ đề STEM của nhà trường chủ yếu dừng ở mô hình tĩnh; học "
	      "sinh ít được lập trình, đo đạc và thử nghiệm với thiết bị thật, "
	      "nên khó liên hệ kiến thức Vật lý, Tin học với sản xuất nông "
	      "nghiệp của địa phương.",
	        "Thiết kế chủ đề STEM 6 tiết: học sinh lắp cảm biến độ ẩm đất, "
	        "bơm mini và bo mạch Arduino, tự lập trình ngưỡng tưới, rồi "
	        "vận hành hệ thống tại vườn rau của trường trong 4 tuần và so "
	        "sánh lượng nước với tưới thủ công. Mỗi nhóm nộp nhật ký đo "
	        "đạc và báo cáo.",
	        "Gắn chủ đề STEM với nhu cầu tưới tiết kiệm nước của vùng "
	        "trồng rau xứ Lạng; học sinh tự đo và chứng minh hiệu quả bằng "
	        "số liệu của chính mình.",
	        "Áp dụng được ở các trường THPT có phòng thực hành; bộ linh kiện "
	        "khoảng 450.000 đồng mỗi nhóm, dùng lại được nhiều năm.",
	        "Lượng nước tưới vườn thử nghiệm giảm 38%; 92% học sinh tham "
	        "gia đạt yêu cầu đánh giá năng lực vận dụng; hai sản phẩm đạt "
	        "giải cuộc thi khoa học kỹ thuật cấp tỉnh.",
	        "Bộ linh kiện Arduino, cảm biến độ ẩm, bơm mini; giáo viên Vật "
	        "lý và Tin học phối hợp.",
	        "Học sinh 3 lớp 10 chuyên Lý, chuyên Tin và 10A1 (105 học "
	        "sinh)." } },
	{ "Giáo dục và đào tạo",
	    "Quản lý hồ sơ thi đua, khen thưởng của các trường học bằng bảng "
	    "tính Google Sheets dùng chung",
	    "Sở Giáo dục và Đào tạo tỉnh Lạng Sơn",
	    { { "duong.thi.lien", "Dương Thị Liên", 100 } }, 160, NULL,
	    G_PROVINCE_REFUSED, NULL,
	    { "Hồ sơ đề nghị khen thưởng của hơn 200 trường học được gửi về "
	      "Sở bằng văn bản giấy và thư điện tử, mỗi trường một mẫu; cán "
	      "bộ phải nhập lại và đối chiếu thủ công.",
	        "Xây dựng một bảng tính Google Sheets dùng chung theo mẫu thống "
	        "nhất, mỗi trường được cấp quyền nhập danh sách đề nghị; bảng "
	        "tính tự kiểm tra điều kiện về số năm và danh hiệu đã đạt.",
	        "Thay hồ sơ giấy bằng bảng tính dùng chung có kiểm tra điều "
	        "kiện tự động trong phạm vi ngành giáo dục của tỉnh.",
	        "Áp dụng tại Phòng Tổ chức cán bộ của Sở và các trường trực "
	        "thuộc.",
	        "Thời gian tổng hợp hồ sơ giảm từ 10 ngày xuống 3 ngày; ít sai "
	        "sót khi nhập liệu.",
	        "Tài khoản Google của các trường; cán bộ phụ trách thi đua được "
	        "hướng dẫn sử dụng.",
	        "Phòng Tổ chức cán bộ của Sở và 34 trường THPT trực thuộc." } },
	{ "Giáo dục và đào tạo",
	    "Hướng dẫn học sinh lớp 10 tự học từ vựng tiếng Anh bằng thẻ "
	    "Quizlet theo chủ đề",
	    "Trường THPT Việt Bắc",
	    { { "nguyen.thi.lan", "Nguyễn Thị Lan", 100 } }, 280, NULL,
	    G_REVOKED,
	    "Thu hồi quyết định công nhận: qua hậu kiểm, nội dung giải pháp "
	    "trùng với sáng kiến đã được công nhận năm 2022 tại Trường THPT "
	    "Lộc Bình.",
	    { "Học sinh lớp 10 học từ vựng tiếng Anh bằng cách chép nhiều lần "
	      "vào vở, mau quên; giáo viên khó kiểm tra việc tự học ở nhà.",
	        "Giáo viên soạn bộ thẻ từ vựng Quizlet cho 10 đơn vị bài học "
	        "của sách giáo khoa; học sinh ôn bằng các trò chơi của Quizlet "
	        "và làm bài kiểm tra nhanh đầu giờ.",
	        "Dùng thẻ từ vựng điện tử và trò chơi để học sinh tự ôn ở nhà "
	        "thay cho chép từ.",
	        "Áp dụng được cho mọi khối lớp và các môn ngoại ngữ khác.",
	        "Điểm kiểm tra từ vựng trung bình tăng từ 5,9 lên 7,2 sau một "
	        "học kỳ.",
	        "Học sinh có điện thoại hoặc máy tính kết nối Internet.",
	        "Học sinh các lớp 10A5, 10A6 của trường." } },
	{ "Giáo dục và đào tạo",
	    "Sổ tay điện tử hướng dẫn thí nghiệm Vật lí lớp 10 bằng mã QR",
	    "Trường THPT Việt Bắc",
	    { { "hoang.van.duc", "Hoàng Văn Đức", 100 } }, 150, NULL,
	    G_UNIT_RECOMMENDED, NULL,
	    { "Học sinh lớp 10 làm thí nghiệm Vật lí theo hướng dẫn in trong "
	      "sách, nhiều em lúng túng khi lắp dụng cụ, mất nhiều thời gian "
	      "của tiết thực hành.",
	        "Quay 18 video ngắn hướng dẫn lắp và đo cho các bài thực hành "
	        "lớp 10, gắn mã QR lên từng bộ dụng cụ; học sinh quét mã để "
	        "xem lại từng bước ngay tại bàn thí nghiệm.",
	        "Lần đầu tại trường, hướng dẫn thực hành được gắn trực tiếp "
	        "lên dụng cụ thí nghiệm, xem được trên điện thoại.",
	        "Áp dụng được cho các phòng thí nghiệm Vật lí, Hóa học, Sinh "
	        "học của các trường THPT trong tỉnh.",
	        "Thời gian lắp dụng cụ giảm từ 15 xuống 6 phút mỗi tiết; số "
	        "nhóm hoàn thành bài đo đúng giờ tăng từ 60% lên 92%.",
	        "Phòng thí nghiệm có mạng không dây; giấy in mã QR.",
	        "Học sinh các lớp 10A1 đến 10A4 của trường (160 học sinh)." } },
	{ "Giáo dục và đào tạo",
	    "Phần mềm xếp thời khóa biểu tự động cho trường THPT nhiều điểm "
	    "trường",
	    "Trường THPT Chuyên Chu Văn An",
	    { { "be.thi.ngoc", "Bế Thị Ngọc", 100 } }, 230, NULL,
	    G_PROVINCE_RECOMMENDED, NULL,
	    { "Xếp thời khóa biểu bằng tay cho trường có hai điểm trường mất "
	      "khoảng một tuần mỗi học kỳ và thường trùng tiết của giáo viên "
	      "dạy ở cả hai nơi.",
	        "Xây dựng bảng tính có ràng buộc về giáo viên, phòng học và "
	        "quãng đường giữa hai điểm trường; công cụ tự đề xuất thời "
	        "khóa biểu và báo các tiết trùng để tổ trưởng điều chỉnh.",
	        "Tính đến thời gian di chuyển giữa các điểm trường, điều các "
	        "phần mềm xếp thời khóa biểu thông dụng chưa làm.",
	        "Áp dụng được cho các trường có nhiều điểm trường ở vùng cao "
	        "của tỉnh; chỉ cần bảng tính miễn phí.",
	        "Thời gian xếp thời khóa biểu giảm từ 5 ngày xuống 1 ngày; "
	        "không còn tiết trùng của giáo viên trong học kỳ áp dụng.",
	        "Máy tính có phần mềm bảng tính; danh sách phân công chuyên "
	        "môn.",
	        "Tổ Toán - Tin và Ban giám hiệu nhà trường, học kỳ I năm học "
	        "2025-2026." } },
	/* The first case retyped under another title at another school: the
	 * intake sees it flagged as a near copy (issue 16). */
	{ "Giáo dục và đào tạo",
	    "Dạy học hình học không gian lớp 11 bằng mô hình động GeoGebra",
	    "Trường THPT Chuyên Chu Văn An",
	    { { "be.thi.ngoc", "Bế Thị Ngọc", 100 } }, 90, NULL, G_SUBMITTED,
	    NULL, { NULL } },
};
#define DEMO_NCASES (sizeof(demo_cases) / sizeof(demo_cases[0]))
#define DEMO_NUNITS (sizeof(demo_units) / sizeof(demo_units[0]))
#define DEMO_NUSERS (sizeof(demo_users) / sizeof(demo_users[0]))

/* Clients acting as the demo's users, each with its own token. */
struct demo {
	struct sk_client      *admin;
	const struct cli_opts *o;
	int                    no_decisions; /* the server lacks case.score */
	int                    no_passwords; /* it lacks user.password */
	int                    nclients;
	struct {
		const char       *user;
		struct sk_client *c;
	} clients[DEMO_MAX_CLIENTS];
};

/* The unit of a demo user: where the cases they file belong. */
static const char *
demo_user_unit(const char *user)
{
	for (size_t i = 0; i < DEMO_NUSERS; i++) {
		if (strcmp(demo_users[i].id, user) == 0) {
			return (demo_users[i].unit);
		}
	}
	return ("?");
}

/*
 * Checks the outcome rv of a request for step.  On failure the step is
 * reported, the reply (if any) freed and *reply set to NULL.  Returns rv.
 */
static int
demo_check(const char *step, int rv, json_object **reply)
{
	if (rv == CLI_OK) {
		return (rv);
	}
	fprintf(stderr, "demo: %s failed\n", step);
	if (rv == CLI_EREPLY) {
		cli_print_error(*reply);
	}
	json_object_put(*reply);
	*reply = NULL;
	return (rv);
}

/*
 * Sends one request as c; args is consumed.  On success the reply is the
 * caller's; on failure the step is reported and nothing is returned.
 */
static int
demo_call(struct sk_client *c, const char *step, const char *op,
    json_object *args, json_object **reply)
{
	int rv = cli_request(c, op, args, NULL, reply);

	json_object_put(args);
	return (demo_check(step, rv, reply));
}

/*
 * Sends a put op (unit.put, ...) as the administrator; args is consumed.
 * The step reported on failure is the op and the args' id.
 */
static int
demo_put(struct demo *d, const char *op, json_object *args)
{
	json_object *reply;
	char         step[128];
	int          rv;

	snprintf(step, sizeof(step), "%s %s", op, cli_str(args, "id"));
	if ((rv = demo_call(d->admin, step, op, args, &reply)) == CLI_OK) {
		json_object_put(reply);
	}
	return (rv);
}

/* True if an error reply says the op does not exist on this server. */
static int
demo_unknown_op(json_object *reply)
{
	const char *code = cli_error_code(reply);

	return (code != NULL && strcmp(code, "bad_request") == 0 &&
	    strstr(cli_error_message(reply), "unknown op") != NULL);
}

/*
 * Like demo_call, for the decision ops (case.score, case.decide), which an
 * older server may not have: then d->no_decisions is set, and CLI_OK is
 * returned with no reply.
 */
static int
demo_decision_call(struct demo *d, struct sk_client *c, const char *step,
    const char *op, json_object *args, json_object **reply)
{
	int rv = cli_request(c, op, args, NULL, reply);

	json_object_put(args);
	if (rv == CLI_EREPLY && demo_unknown_op(*reply)) {
		d->no_decisions = 1;
		json_object_put(*reply);
		*reply = NULL;
		return (CLI_OK);
	}
	return (demo_check(step, rv, reply));
}

/* Copies the state of a reply's result (or def if it has none). */
static void
demo_state(json_object *reply, const char *def, char *state, size_t len)
{
	const char *s = cli_str(cli_result(reply), "state");

	snprintf(state, len, "%s", s != NULL ? s : def);
}

/* The client acting as user, made on first use with a fresh token. */
static int
demo_as(struct demo *d, const char *user, struct sk_client **out)
{
	json_object *args;
	json_object *reply;
	const char  *token;
	char         err[512];
	char         step[128];
	int          rv;

	for (int i = 0; i < d->nclients; i++) {
		if (strcmp(d->clients[i].user, user) == 0) {
			*out = d->clients[i].c;
			return (CLI_OK);
		}
	}
	if (d->nclients == DEMO_MAX_CLIENTS) {
		fprintf(stderr, "demo: too many users\n");
		return (CLI_EREPLY);
	}
	snprintf(step, sizeof(step), "getting a token for %s", user);
	args = json_object_new_object();
	json_object_object_add(args, "id", json_object_new_string(user));
	if ((rv = demo_call(d->admin, step, "user.token", args, &reply)) !=
	    CLI_OK) {
		return (rv);
	}
	token = cli_str(cli_result(reply), "token");
	if (token == NULL) {
		json_object_put(reply);
		fprintf(
		    stderr, "demo: user.token gave no token for %s\n", user);
		return (CLI_ETRANSPORT);
	}
	rv = sk_client_open(
	    out, d->o->server, token, d->o->timeout_ms, err, sizeof(err));
	json_object_put(reply);
	if (rv != 0) {
		fprintf(stderr, "demo: %s\n", err);
		return (CLI_ETRANSPORT);
	}
	d->clients[d->nclients].user = user;
	d->clients[d->nclients].c    = *out;
	d->nclients++;
	return (CLI_OK);
}

/* Adds a string member to o (NULL: a JSON null). */
static void
demo_add_str(json_object *o, const char *key, const char *value)
{
	json_object_object_add(
	    o, key, value != NULL ? json_object_new_string(value) : NULL);
}

/* The demo's units, as the administrator. */
static int
demo_put_units(struct demo *d)
{
	int rv;

	for (size_t i = 0; i < DEMO_NUNITS; i++) {
		const struct demo_unit *u    = &demo_units[i];
		json_object            *args = json_object_new_object();

		demo_add_str(args, "id", u->id);
		demo_add_str(args, "name", u->name);
		demo_add_str(args, "parent", u->parent);
		if ((rv = demo_put(d, "unit.put", args)) != CLI_OK) {
			return (rv);
		}
	}
	return (CLI_OK);
}

/*
 * A demo user's e-mail address, for the notices (issue 18): ID at
 * example.invalid, a domain that can never receive mail (RFC 2606), so a
 * demo server started with --smtp sends nothing to anyone real.
 */
static void
demo_add_user_email(json_object *args, const char *id)
{
	char email[160];
	snprintf(email, sizeof(email), "%s@example.invalid", id);
	demo_add_str(args, "email", email);
}

/* The demo's users, as the administrator. */
static int
demo_put_users(struct demo *d)
{
	int rv;

	for (size_t i = 0; i < DEMO_NUSERS; i++) {
		const struct demo_user *u     = &demo_users[i];
		json_object            *args  = json_object_new_object();
		json_object            *roles = json_object_new_array();

		if (u->roles[0] != '\0') {
			json_object_array_add(
			    roles, json_object_new_string(u->roles));
		}
		demo_add_str(args, "id", u->id);
		demo_add_str(args, "name", u->name);
		demo_add_str(args, "unit", u->unit);
		json_object_object_add(args, "roles", roles);
		demo_add_user_email(args, u->id);
		if ((rv = demo_put(d, "user.put", args)) != CLI_OK) {
			return (rv);
		}
	}
	return (CLI_OK);
}

/* One council with its DEMO_NMEMBERS members, as the administrator. */
static int
demo_put_council(struct demo *d, const char *id, const char *name,
    const char *scope, const char *unit, const struct demo_member *m)
{
	json_object *args    = json_object_new_object();
	json_object *members = json_object_new_array();

	for (size_t i = 0; i < DEMO_NMEMBERS; i++) {
		json_object *o = json_object_new_object();

		demo_add_str(o, "user", m[i].user);
		demo_add_str(o, "role", m[i].role);
		json_object_array_add(members, o);
	}
	demo_add_str(args, "id", id);
	demo_add_str(args, "name", name);
	demo_add_str(args, "scope", scope);
	demo_add_str(args, "unit", unit);
	json_object_object_add(args, "members", members);
	return (demo_put(d, "council.put", args));
}

/*
 * A demo user's password: the last word of their id and "-langson"
 * ("lan-langson" for nguyen.thi.lan), easy to type when trying the web
 * page, and printed for that reason: a demo's users are not real people.
 */
static void
demo_password(const char *user, char *out, size_t len)
{
	const char *dot = strrchr(user, '.');

	snprintf(out, len, "%s-langson", dot != NULL ? dot + 1 : user);
}

/*
 * Sets every demo user's password with user.password, as the
 * administrator; a server without the op leaves them without (then
 * d->no_passwords is set).  Returns an exit code.
 */
static int
demo_set_passwords(struct demo *d)
{
	json_object *args;
	json_object *reply;
	char         pw[64];
	char         step[128];
	int          rv;

	for (size_t i = 0; i < DEMO_NUSERS && !d->no_passwords; i++) {
		demo_password(demo_users[i].id, pw, sizeof(pw));
		args = json_object_new_object();
		demo_add_str(args, "id", demo_users[i].id);
		demo_add_str(args, "password", pw);
		snprintf(step, sizeof(step), "user.password %s",
		    demo_users[i].id);
		rv = cli_request(d->admin, "user.password", args, NULL, &reply);
		json_object_put(args);
		if (rv == CLI_EREPLY && demo_unknown_op(reply)) {
			d->no_passwords = 1;
			rv              = CLI_OK;
		} else if ((rv = demo_check(step, rv, &reply)) != CLI_OK) {
			return (rv);
		}
		json_object_put(reply);
	}
	return (CLI_OK);
}

/* Units, users and the two councils, as the administrator. */
/*
 * The province's round (đợt xét) of this year: applications all year,
 * decided by the end of March next year.  Every demo case submitted now
 * belongs to it.
 */
static int
demo_put_round(struct demo *d)
{
	json_object *args = json_object_new_object();
	time_t       now  = time(NULL);
	struct tm    tm;
	char         buf[64];
	int          y;

	gmtime_r(&now, &tm);
	y = tm.tm_year + 1900;
	snprintf(buf, sizeof(buf), "dot-%d", y);
	demo_add_str(args, "id", buf);
	snprintf(buf, sizeof(buf), "Đợt xét công nhận sáng kiến năm %d", y);
	demo_add_str(args, "name", buf);
	json_object_object_add(args, "year", json_object_new_int(y));
	snprintf(buf, sizeof(buf), "%d-01-01", y);
	demo_add_str(args, "opens", buf);
	snprintf(buf, sizeof(buf), "%d-12-31", y);
	demo_add_str(args, "closes", buf);
	snprintf(buf, sizeof(buf), "%d-03-31", y + 1);
	demo_add_str(args, "decides_by", buf);
	return (demo_put(d, "round.put", args));
}

static int
demo_setup(struct demo *d)
{
	int rv;

	if ((rv = demo_put_units(d)) != CLI_OK ||
	    (rv = demo_put_users(d)) != CLI_OK ||
	    (rv = demo_put_council(d, "hd-gddt",
	         "Hội đồng sáng kiến cơ sở ngành Giáo dục và Đào tạo", "unit",
	         "so-gddt", demo_unit_council)) != CLI_OK) {
		return (rv);
	}
	if ((rv = demo_put_council(d, "hd-tinh",
	         "Hội đồng sáng kiến cấp tỉnh Lạng Sơn", "province", "so-khcn",
	         demo_prov_council)) != CLI_OK) {
		return (rv);
	}
	if ((rv = demo_put_round(d)) != CLI_OK) {
		return (rv);
	}
	return (demo_set_passwords(d));
}

/*
 * The particulars the form asks of an author (Thông tư 18/2013, Phụ lục):
 * the workplace is the first author's unit, the title and qualification
 * those of its sector, the date of birth made up from the name.
 */
static void
demo_author_details(json_object *a, const struct demo_case *dc, int i)
{
	static const struct {
		const char *unit_prefix, *position, *qualification;
	} sector[] = {
		{ "thpt-", "Giáo viên", "Thạc sĩ Lí luận và phương pháp dạy học" },
		{ "so-gddt", "Chuyên viên", "Cử nhân Sư phạm" },
		{ "bv-", "Bác sĩ", "Bác sĩ chuyên khoa cấp I" },
		{ "ubnd-", "Chuyên viên", "Cử nhân Luật" },
		{ "so-nnptnt", "Kỹ sư", "Kỹ sư Nông học" },
	};
	const char *unit = demo_user_unit(dc->authors[0].user);
	const char *pos = "Chuyên viên", *qual = "Đại học", *wp = unit;
	unsigned    h   = 0;
	char        date[16];

	for (size_t u = 0; u < DEMO_NUNITS; u++) {
		if (strcmp(demo_units[u].id, unit) == 0) {
			wp = demo_units[u].name;
		}
	}
	for (size_t k = 0; k < sizeof(sector) / sizeof(sector[0]); k++) {
		if (strncmp(unit, sector[k].unit_prefix,
		        strlen(sector[k].unit_prefix)) == 0) {
			pos  = sector[k].position;
			qual = sector[k].qualification;
		}
	}
	for (const char *p = dc->authors[i].name; *p; p++) {
		h = h * 31 + (unsigned char) *p;
	}
	snprintf(date, sizeof(date), "%04u-%02u-%02u", 1968 + h % 27,
	    1 + (h / 27) % 12, 1 + (h / 324) % 28);
	demo_add_str(a, "birth_date", date);
	demo_add_str(a, "workplace", wp);
	demo_add_str(a, "position", pos);
	demo_add_str(a, "qualification", qual);
}

/* The authors of a demo case, as case.create takes them. */
static json_object *
demo_authors(const struct demo_case *dc)
{
	json_object *authors = json_object_new_array();

	for (int i = 0; i < 3 && dc->authors[i].name != NULL; i++) {
		json_object *a = json_object_new_object();

		demo_add_str(a, "name", dc->authors[i].name);
		if (dc->authors[i].user != NULL) {
			demo_add_str(a, "user", dc->authors[i].user);
		}
		demo_author_details(a, dc, i);
		json_object_object_add(
		    a, "share", json_object_new_int(dc->authors[i].share));
		json_object_array_add(authors, a);
	}
	return (authors);
}

/* The args of case.create for one demo case. */
static json_object *
demo_create_args(const struct demo_case *dc)
{
	json_object *args     = json_object_new_object();
	json_object *sections = json_object_new_object();
	char         date[16];
	time_t       t = time(NULL) - (time_t) dc->days_ago * 86400;
	struct tm    tm;

	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%Y-%m-%d", &tm);
	for (int i = 0; i < WF_NSECTIONS; i++) {
		demo_add_str(sections, wf_sections[i].id,
		    dc->s[0] == NULL ? demo_cases[0].s[i] : dc->s[i]);
	}
	demo_add_str(args, "title", dc->title);
	demo_add_str(args, "field", dc->field);
	demo_add_str(args, "owner", dc->owner);
	demo_add_str(args, "first_applied", date);
	json_object_object_add(args, "authors", demo_authors(dc));
	json_object_object_add(args, "sections", sections);
	if (dc->confidential != NULL) {
		json_object *conf = json_object_new_array();

		json_object_array_add(
		    conf, json_object_new_string(dc->confidential));
		json_object_object_add(args, "confidential", conf);
	}
	return (args);
}

/*
 * Acts on case id as user.  The new state is copied into state (statelen
 * bytes).
 */
static int
demo_act(struct demo *d, const char *user, long long id, const char *action,
    const char *note, char *state, size_t statelen)
{
	struct sk_client *c;
	json_object      *args;
	json_object      *reply;
	char              step[128];
	int               rv;

	if ((rv = demo_as(d, user, &c)) != CLI_OK) {
		return (rv);
	}
	args = cli_case_args(id);
	demo_add_str(args, "action", action);
	if (note != NULL) {
		demo_add_str(args, "note", note);
	}
	if (strcmp(action, "submit") == 0) {
		/* The author's declaration (Điều 3, Điều lệ sáng kiến). */
		json_object *decl = json_object_new_object();
		json_object_object_add(decl, "not_against_public_order",
		    json_object_new_boolean(1));
		json_object_object_add(
		    decl, "not_protected_ip", json_object_new_boolean(1));
		json_object_object_add(args, "declaration", decl);
	}
	snprintf(
	    step, sizeof(step), "%s of case #%lld by %s", action, id, user);
	if ((rv = demo_call(c, step, "case.act", args, &reply)) != CLI_OK) {
		return (rv);
	}
	demo_state(reply, "?", state, statelen);
	json_object_put(reply);
	return (CLI_OK);
}

/* The criteria of rubric ({"id": ...}) from rubric.get, or NULL. */
static json_object *
demo_rubric_criteria(struct demo *d, json_object *rubric)
{
	json_object *args = json_object_new_object();
	json_object *reply;
	json_object *rid  = NULL;
	json_object *crit = NULL;

	json_object_object_get_ex(rubric, "id", &rid);
	json_object_object_add(args, "id", json_object_get(rid));
	if (cli_request(d->admin, "rubric.get", args, NULL, &reply) ==
	        CLI_OK &&
	    json_object_object_get_ex(cli_result(reply), "criteria", &crit) &&
	    json_object_is_type(crit, json_type_array)) {
		crit = json_object_get(crit);
	} else {
		crit = NULL;
	}
	json_object_put(reply);
	json_object_put(args);
	return (crit);
}

/* The criteria of the shipped default rubric ([{id, max}]). */
static json_object *
demo_default_criteria(void)
{
	static const struct {
		const char *id;
		int         max;
	} def[]           = { { "novelty", 30 }, { "applicability", 30 },
		          { "benefit", 40 } };
	json_object *crit = json_object_new_array();

	for (size_t i = 0; i < sizeof(def) / sizeof(def[0]); i++) {
		json_object *c = json_object_new_object();

		demo_add_str(c, "id", def[i].id);
		json_object_object_add(
		    c, "max", json_object_new_int(def[i].max));
		json_object_array_add(crit, c);
	}
	return (crit);
}

/*
 * The criteria of the rubric pinned on case id ([{id, max}]), from
 * rubric.get; the shipped default's if the server cannot say.  The result
 * is the caller's.
 */
static json_object *
demo_criteria(struct demo *d, long long id)
{
	json_object *args = cli_case_args(id);
	json_object *reply;
	json_object *rubric;
	json_object *crit = NULL;

	if (cli_request(d->admin, "case.get", args, NULL, &reply) == CLI_OK &&
	    json_object_object_get_ex(cli_result(reply), "rubric", &rubric) &&
	    json_object_is_type(rubric, json_type_object) &&
	    json_object_object_get_ex(rubric, "id", NULL)) {
		crit = demo_rubric_criteria(d, rubric);
	}
	json_object_put(reply);
	json_object_put(args);
	return (crit != NULL ? crit : demo_default_criteria());
}

/*
 * One member of the unit council scores harshly on purpose (issue 17): a
 * quarter of each criterion's maximum under the level the others give,
 * still above the unit's bar of 50 on the cases the council passes, so no
 * outcome changes; `sangkien report scorers` flags this member, and only
 * this one (the province council's members score two cases each, too few
 * to be judged).
 */
#define DEMO_HARSH_MEMBER "ha.thi.thanh"
#define DEMO_HARSH_BY 0.25

static double
demo_level(const struct demo_member *m, double level)
{
	if (strcmp(m->user, DEMO_HARSH_MEMBER) == 0) {
		level -= DEMO_HARSH_BY;
	}
	return (level > 0 ? level : 0);
}

/* The marks of case.score: each criterion at level of its maximum. */
static json_object *
demo_marks(json_object *crit, double level)
{
	json_object *marks = json_object_new_object();

	for (size_t i = 0; i < json_object_array_length(crit); i++) {
		json_object *cr  = json_object_array_get_idx(crit, i);
		json_object *max = NULL;
		double       v   = 10;

		if (json_object_object_get_ex(cr, "max", &max)) {
			v = json_object_get_double(max);
		}
		json_object_object_add(marks, cli_str(cr, "id"),
		    json_object_new_int((int) (v * level + 0.5)));
	}
	return (marks);
}

/*
 * Every member of council scores case id, each at their level of each
 * criterion's maximum.  Returns an exit code; d->no_decisions is set if the
 * server has no case.score.
 */
static int
demo_score(struct demo *d, long long id, const struct demo_member *council,
    const double *level)
{
	static const char *comments[] = {
		"Giải pháp có tính mới, hiệu quả được chứng minh bằng số "
		"liệu.",
		"Hiệu quả rõ trong phạm vi ngành nhưng chưa chứng minh được "
		"ảnh hưởng trên địa bàn tỉnh.",
		"Nội dung còn sơ sài, chưa chứng minh được hiệu quả áp dụng.",
	};
	json_object      *crit = demo_criteria(d, id);
	json_object      *args;
	json_object      *reply;
	struct sk_client *c;
	char              step[128];
	int               rv = CLI_OK;

	for (int m = 0; m < DEMO_NMEMBERS && rv == CLI_OK && !d->no_decisions;
	     m++) {
		if ((rv = demo_as(d, council[m].user, &c)) != CLI_OK) {
			break;
		}
		args = cli_case_args(id);
		double lv = demo_level(&council[m], level[m]);
		json_object_object_add(args, "marks", demo_marks(crit, lv));
		demo_add_str(args, "comment",
		    comments[lv >= 0.75 ? 0 : lv >= 0.5 ? 1 : 2]);
		snprintf(step, sizeof(step), "score of case #%lld by %s", id,
		    council[m].user);
		rv = demo_decision_call(
		    d, c, step, "case.score", args, &reply);
		json_object_put(reply);
	}
	json_object_put(crit);
	return (rv);
}

/*
 * One review stage's decision: every member scores case id at the given
 * share of each criterion's maximum, then the chair decides.  Returns
 * CLI_OK with the new state, or CLI_OK with d->no_decisions set when the
 * server has no decision ops yet.
 */
static int
demo_decide(struct demo *d, long long id, const struct demo_member *council,
    const double *level, char *state, size_t statelen)
{
	json_object      *reply;
	struct sk_client *c;
	char              step[128];
	int               rv;

	if ((rv = demo_score(d, id, council, level)) != CLI_OK ||
	    d->no_decisions) {
		return (rv);
	}
	if ((rv = demo_as(d, council[0].user, &c)) != CLI_OK) {
		return (rv);
	}
	snprintf(step, sizeof(step), "recommendation on case #%lld", id);
	json_object *args = cli_case_args(id);
	json_object_object_add(args, "confirm", json_object_new_boolean(1));
	rv = demo_decision_call(d, c, step, "case.decide", args, &reply);
	if (reply != NULL) {
		demo_state(reply, "?", state, statelen);
	}
	json_object_put(reply);
	return (rv);
}

/*
 * The head's decision on the council's recommendation on case id:
 * recognized, or refused with its reasons (Điều lệ Sáng kiến, Điều 7).
 */
static int
demo_recognize(struct demo *d, const char *head, long long id, int refuse,
    char *state, size_t statelen)
{
	json_object      *reply, *args = cli_case_args(id);
	struct sk_client *c;
	char              step[128], no[32], today[16];
	time_t            now = time(NULL);
	int               rv;

	if ((rv = demo_as(d, head, &c)) != CLI_OK) {
		json_object_put(args);
		return (rv);
	}
	strftime(today, sizeof(today), "%Y-%m-%d", gmtime(&now));
	snprintf(no, sizeof(no), "%lld/QĐ-%s", id,
	    strcmp(head, DEMO_UNIT_HEAD) == 0 ? "SGDĐT" : "UBND");
	demo_add_str(args, "decision_no", no);
	demo_add_str(args, "decision_date", today);
	if (refuse) {
		demo_add_str(args, "outcome", "refused");
		demo_add_str(args, "note",
		    "Theo kiến nghị của Hội đồng: giải pháp chưa đạt yêu cầu "
		    "về tính mới và hiệu quả áp dụng.");
	}
	snprintf(step, sizeof(step), "recognition of case #%lld by %s", id,
	    head);
	rv = demo_decision_call(d, c, step, "case.recognize", args, &reply);
	if (reply != NULL) {
		demo_state(reply, "?", state, statelen);
	}
	json_object_put(reply);
	return (rv);
}

/* Files one case as its first author; *id and state say what was filed. */
static int
demo_file(struct demo *d, const struct demo_case *dc, long long *id,
    char *state, size_t statelen)
{
	const char       *author = dc->authors[0].user;
	struct sk_client *c;
	json_object      *reply;
	char              step[256];
	int               rv;

	if ((rv = demo_as(d, author, &c)) != CLI_OK) {
		return (rv);
	}
	snprintf(
	    step, sizeof(step), "case.create '%s' by %s", dc->title, author);
	if ((rv = demo_call(c, step, "case.create", demo_create_args(dc),
	         &reply)) != CLI_OK) {
		return (rv);
	}
	*id = json_object_get_int64(
	    json_object_object_get(cli_result(reply), "id"));
	demo_state(reply, "draft", state, statelen);
	json_object_put(reply);
	return (CLI_OK);
}

/*
 * Takes a filed case from draft as far as submitted, returned or
 * withdrawn.  Returns an exit code; *done is set if the case is where its
 * goal says.
 */
static int
demo_submit(struct demo *d, const struct demo_case *dc, long long id,
    char *state, size_t statelen, int *done)
{
	const char *author = dc->authors[0].user;
	int         rv;

	*done = 1;
	switch (dc->goal) {
	case G_DRAFT:
		return (CLI_OK);
	case G_WITHDRAWN_DRAFT:
		return (demo_act(
		    d, author, id, "withdraw", dc->note, state, statelen));
	default:
		break;
	}
	if ((rv = demo_act(d, author, id, "submit", NULL, state, statelen)) !=
	    CLI_OK) {
		return (rv);
	}
	switch (dc->goal) {
	case G_SUBMITTED:
		return (CLI_OK);
	case G_WITHDRAWN_SUBMITTED:
		return (demo_act(
		    d, author, id, "withdraw", dc->note, state, statelen));
	case G_RETURNED:
		return (demo_act(d, DEMO_UNIT_SECRETARY, id, "return",
		    dc->note, state, statelen));
	default:
		*done = 0;
		return (CLI_OK);
	}
}

/*
 * The council's marks for each goal, as a share of each criterion's
 * maximum per member (chair first): clear passes (totals 80 to 90), a thin
 * case (30 to 45, under the unit threshold of 50) and one the province
 * finds good but not of provincial scope (60 to 72, under its 75).
 */
static const double demo_pass[DEMO_NMEMBERS]   = { 0.9, 0.85, 0.8, 0.88 };
static const double demo_refuse[DEMO_NMEMBERS] = { 0.4, 0.35, 0.45, 0.3 };
static const double demo_modest[DEMO_NMEMBERS] = { 0.7, 0.65, 0.72, 0.6 };

/* True if a case with this goal is decided at unit level. */
static int
demo_goal_decided(enum demo_goal g)
{
	return (g >= G_UNIT_RECOGNIZED);
}

/* True if a case with this goal goes on to the province council. */
static int
demo_goal_province(enum demo_goal g)
{
	return (g == G_NOMINATED || g == G_PROVINCE_REVIEW ||
	    g == G_RECOGNIZED || g == G_PROVINCE_REFUSED ||
	    g == G_PROVINCE_RECOMMENDED);
}

/*
 * Takes a case recognized at unit level to the province: nominated by the
 * unit council's secretary, accepted, scored and decided by the province
 * council, as its goal says.
 */
static int
demo_province(struct demo *d, const struct demo_case *dc, long long id,
    char *state, size_t statelen)
{
	int rv;

	if ((rv = demo_act(d, DEMO_UNIT_SECRETARY, id, "nominate", NULL,
	         state, statelen)) != CLI_OK ||
	    dc->goal == G_NOMINATED) {
		return (rv);
	}
	if ((rv = demo_act(d, DEMO_PROV_SECRETARY, id, "accept", NULL, state,
	         statelen)) != CLI_OK ||
	    dc->goal == G_PROVINCE_REVIEW) {
		return (rv);
	}
	if ((rv = demo_decide(d, id, demo_prov_council,
	         dc->goal == G_PROVINCE_REFUSED ? demo_modest : demo_pass,
	         state, statelen)) != CLI_OK ||
	    d->no_decisions || dc->goal == G_PROVINCE_RECOMMENDED) {
		return (rv);
	}
	return (demo_recognize(d, DEMO_PROV_HEAD, id,
	    dc->goal == G_PROVINCE_REFUSED, state, statelen));
}

/* Files one case and takes it where its goal says.  */
static int
demo_case_run(struct demo *d, const struct demo_case *dc, long long *id,
    char *state, size_t statelen)
{
	const char *sec = DEMO_UNIT_SECRETARY;
	int         done;
	int         rv;

	if ((rv = demo_file(d, dc, id, state, statelen)) != CLI_OK ||
	    (rv = demo_submit(d, dc, *id, state, statelen, &done)) !=
	        CLI_OK ||
	    done) {
		return (rv);
	}
	if ((rv = demo_act(d, sec, *id, "accept", NULL, state, statelen)) !=
	        CLI_OK ||
	    !demo_goal_decided(dc->goal) || d->no_decisions) {
		return (rv);
	}
	rv = demo_decide(d, *id, demo_unit_council,
	    dc->goal == G_UNIT_REFUSED ? demo_refuse : demo_pass, state,
	    statelen);
	if (rv != CLI_OK || d->no_decisions ||
	    dc->goal == G_UNIT_RECOMMENDED) {
		return (rv);
	}
	rv = demo_recognize(d, DEMO_UNIT_HEAD, *id,
	    dc->goal == G_UNIT_REFUSED, state, statelen);
	/* A case the head did not recognize stays where it is. */
	if (rv != CLI_OK || d->no_decisions ||
	    strcmp(state, "unit_recognized") != 0) {
		return (rv);
	}
	if (dc->goal == G_REVOKED) {
		return (demo_act(d, DEMO_ADMIN, *id, "revoke", dc->note, state,
		    statelen));
	}
	if (!demo_goal_province(dc->goal)) {
		return (rv);
	}
	return (demo_province(d, dc, *id, state, statelen));
}

/*
 * What a demo user does, in Vietnamese: their council roles ("chủ tịch
 * hd-gddt") and their roles ("tác giả", "quản trị", "chỉ xem").
 */
static void
demo_role_text(const struct demo_user *u, char *out, size_t len)
{
	static const struct {
		const char               *council;
		const struct demo_member *members;
	} councils[] = {
		{ "hd-gddt", demo_unit_council },
		{ "hd-tinh", demo_prov_council },
	};
	static const struct {
		const char *role;
		const char *words;
	} roles[] = {
		{ "author", "tác giả" },
		{ "admin", "quản trị" },
		{ "viewer", "chỉ xem" },
		{ "head", "thủ trưởng, ký quyết định công nhận" },
	};
	size_t n = 0;

	out[0] = '\0';
	for (size_t c = 0; c < sizeof(councils) / sizeof(councils[0]); c++) {
		for (size_t m = 0; m < DEMO_NMEMBERS; m++) {
			if (strcmp(councils[c].members[m].user, u->id) == 0 &&
			    n < len) {
				n += (size_t) snprintf(out + n, len - n,
				    "%s%s %s", n > 0 ? ", " : "",
				    cli_role_words(councils[c].members[m].role),
				    councils[c].council);
			}
		}
	}
	for (size_t r = 0; r < sizeof(roles) / sizeof(roles[0]); r++) {
		if (strcmp(u->roles, roles[r].role) == 0 && n < len) {
			n += (size_t) snprintf(out + n, len - n, "%s%s",
			    n > 0 ? ", " : "", roles[r].words);
		}
	}
}

/* The web page's address, from server.status, or NULL (the caller's). */
static char *
demo_web_address(struct demo *d)
{
	json_object *reply;
	char        *url = NULL;

	if (cli_request(d->admin, "server.status", NULL, NULL, &reply) ==
	        CLI_OK &&
	    cli_str(cli_result(reply), "http") != NULL) {
		url = strdup(cli_str(cli_result(reply), "http"));
	}
	json_object_put(reply);
	return (url);
}

/* Prints what the demo made, for programs (--json). */
static void
demo_print_json(struct demo *d, json_object *cases, const char *web)
{
	json_object *out    = json_object_new_object();
	json_object *logins = json_object_new_array();
	char         buf[256];

	for (size_t i = 0; i < DEMO_NUSERS && !d->no_passwords; i++) {
		json_object *u = json_object_new_object();

		demo_add_str(u, "user", demo_users[i].id);
		demo_add_str(u, "name", demo_users[i].name);
		demo_role_text(&demo_users[i], buf, sizeof(buf));
		demo_add_str(u, "role", buf);
		demo_password(demo_users[i].id, buf, sizeof(buf));
		demo_add_str(u, "password", buf);
		json_object_array_add(logins, u);
	}
	json_object_object_add(out, "cases", json_object_get(cases));
	json_object_object_add(
	    out, "units", json_object_new_int((int) DEMO_NUNITS));
	json_object_object_add(
	    out, "users", json_object_new_int((int) DEMO_NUSERS));
	json_object_object_add(out, "councils", json_object_new_int(2));
	json_object_object_add(out, "logins", logins);
	demo_add_str(out, "web", web);
	cli_print_json(out, 0);
	json_object_put(out);
}

/* Prints who is who: each demo user, their name, role and password. */
static int
demo_print_users(void)
{
	static const char *heads[] = { "NGƯỜI DÙNG", "HỌ TÊN", "VAI TRÒ",
		"MẬT KHẨU" };
	struct cli_table  *t;

	if ((t = cli_table_new(4, heads)) == NULL) {
		return (CLI_ETRANSPORT);
	}
	cli_table_flex(t, 2, 12);
	for (size_t i = 0; i < DEMO_NUSERS; i++) {
		char        role[256];
		char        pw[64];
		const char *row[4];

		demo_role_text(&demo_users[i], role, sizeof(role));
		demo_password(demo_users[i].id, pw, sizeof(pw));
		row[0] = demo_users[i].id;
		row[1] = demo_users[i].name;
		row[2] = role;
		row[3] = pw;
		cli_table_add(t, row);
	}
	cli_table_print(t, stdout);
	cli_table_free(t);
	return (CLI_OK);
}

/*
 * Prints the demo's cases for people, then who is who and where to log
 * in, or, on a server without passwords, how to act as a user with a
 * token.
 */
static int
demo_print(struct demo *d, json_object *cases, const char *web)
{
	static const char *heads[] = { "SỐ", "TRẠNG THÁI", "ĐƠN VỊ",
		"TÊN SÁNG KIẾN" };
	struct cli_table  *t;
	int                rv;

	if ((t = cli_table_new(4, heads)) == NULL) {
		return (CLI_ETRANSPORT);
	}
	cli_table_flex(t, 3, 16);
	for (size_t i = 0; i < json_object_array_length(cases); i++) {
		json_object *row = json_object_array_get_idx(cases, i);
		const char  *cells[4];

		cells[0] = cli_str(row, "id");
		cells[1] = cli_state_short(cli_str(row, "state"));
		cells[2] = cli_str(row, "unit");
		cells[3] = cli_str(row, "title");
		cli_table_add(t, cells);
	}
	cli_table_print(t, stdout);
	cli_table_free(t);
	if (d->no_passwords) {
		printf("\nMáy chủ này chưa có mật khẩu. Để làm một người dùng "
		       "mẫu, chạy\n`sangkien token USER` rồi đưa token nó in "
		       "ra vào --token, ví dụ với\nnguyen.thi.lan (tác giả), "
		       "luong.van.minh (chủ tịch hd-gddt),\nhoang.thi.thu "
		       "(quản trị) hoặc vi.van.long (chỉ xem).\n");
		return (CLI_OK);
	}
	printf("\nNgười dùng mẫu: đăng nhập trên trang web, hoặc với "
	       "`sangkien login USER`.\n\n");
	if ((rv = demo_print_users()) != CLI_OK) {
		return (rv);
	}
	if (web != NULL) {
		printf("\nTrang web: %s\n", web);
	}
	return (CLI_OK);
}

/* Runs every demo case, adding {id, state, unit, title} to cases. */
static int
demo_run_cases(struct demo *d, json_object *cases)
{
	for (size_t i = 0; i < DEMO_NCASES; i++) {
		const struct demo_case *dc  = &demo_cases[i];
		json_object            *row = json_object_new_object();
		long long               id  = 0;
		char                    state[64];
		int                     rv;

		if ((rv = demo_case_run(d, dc, &id, state, sizeof(state))) !=
		    CLI_OK) {
			json_object_put(row);
			return (rv);
		}
		json_object_object_add(row, "id", json_object_new_int64(id));
		demo_add_str(row, "state", state);
		demo_add_str(row, "unit", demo_user_unit(dc->authors[0].user));
		demo_add_str(row, "title", dc->title);
		json_object_array_add(cases, row);
	}
	return (CLI_OK);
}

int
cli_demo(struct sk_client *admin, const struct cli_opts *o)
{
	struct demo  d;
	json_object *cases = json_object_new_array();
	char        *web   = NULL;
	int          rv;

	memset(&d, 0, sizeof(d));
	d.admin = admin;
	d.o     = o;
	if ((rv = demo_setup(&d)) == CLI_OK && !o->json) {
		printf("đơn vị: %zu, người dùng: %zu, hội đồng: hd-gddt (cấp "
		       "cơ sở), hd-tinh (cấp tỉnh)\n\n",
		    DEMO_NUNITS, DEMO_NUSERS);
	}
	if (rv == CLI_OK) {
		rv = demo_run_cases(&d, cases);
	}
	if (rv == CLI_OK) {
		web = demo_web_address(&d);
	}
	if (rv == CLI_OK && o->json) {
		demo_print_json(&d, cases, web);
	} else if (rv == CLI_OK) {
		rv = demo_print(&d, cases, web);
	}
	free(web);
	json_object_put(cases);
	for (int i = 0; i < d.nclients; i++) {
		sk_client_close(d.clients[i].c);
	}
	return (rv);
}
