/*
 * skbench.c: drives a running sangkiend with N concurrent nng REQ contexts
 * and reports throughput and latency, in the shape of nng's own
 * perf tools.  This first version measures the two paths the server core
 * promises to make fast: durable writes (case.create, each acknowledged
 * only after its group commit) and reads (case.get).  It is never part of
 * ctest: speed is measured here, not asserted in tests.
 *
 *   skbench --server ipc://DIR/api.ipc [--clients 64] [--seconds 5]
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <nng/nng.h>
#include <nng/protocol/reqrep0/req.h>

#define MAX_LAT 2000000

struct client {
	nng_ctx  ctx;
	nng_aio *aio;
	int      id;
	uint64_t sent_ns;
	unsigned seq;
};

static nng_socket   sock;
static atomic_bool  running;
static atomic_ulong done, failed;
static const char  *mix = "create";
static unsigned     ncases = 1000;
static double      *lat;
static atomic_ulong nlat;

static uint64_t
now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec);
}

/* A realistic application of about 1.5 KB. */
static const char *body_fmt =
    "{\"op\":\"case.create\",\"args\":{\"unit\":\"bench\",\"title\":"
    "\"Ứng dụng bản đồ tư duy trong dạy học môn Lịch sử lớp 11, số %d-%u\","
    "\"field\":\"giao-duc\",\"first_applied\":\"2026-09-05\","
    "\"authors\":[{\"name\":\"Hoàng Thị Mai\",\"share\":60},"
    "{\"name\":\"Lương Văn Tùng\",\"share\":40}],\"sections\":{"
    "\"status_quo\":\"Học sinh ghi nhớ sự kiện lịch sử rời rạc, ít liên hệ "
    "giữa các giai đoạn; giờ học nặng về đọc chép, kết quả kiểm tra giữa kỳ "
    "chỉ 48%% đạt khá giỏi.\",\"solution\":\"Mỗi chương, học sinh lập bản đồ "
    "tư duy theo nhóm trên giấy A0 và trên phần mềm miễn phí, nối sự kiện, "
    "nhân vật, nguyên nhân và hệ quả; giáo viên dùng bản đồ để ôn tập và "
    "kiểm tra nhanh đầu giờ.\",\"novelty\":\"Kết hợp bản đồ tư duy với "
    "trò chơi ghép sự kiện và đánh giá đồng đẳng giữa các nhóm.\","
    "\"applicability\":\"Áp dụng được cho mọi lớp THPT, không cần thiết bị "
    "đắt tiền.\",\"benefits\":\"Tỉ lệ khá giỏi tăng từ 48%% lên 71%% sau "
    "một học kỳ ở bốn lớp thử nghiệm.\",\"conditions\":\"Giấy A0, bút màu, "
    "một máy chiếu.\",\"trial_users\":\"Tổ Sử - Địa, Trường THPT Việt Bắc."
    "\"}}}";

static void
send_next(struct client *c)
{
	char     buf[4096];
	int      n;
	nng_msg *m;

	if (strcmp(mix, "create") == 0) {
		n = snprintf(buf, sizeof(buf), body_fmt, c->id, c->seq++);
	} else {
		n = snprintf(buf, sizeof(buf),
		    "{\"op\":\"case.get\",\"args\":{\"id\":%u}}",
		    1 + (unsigned) (rand() % (int) ncases));
	}
	if (nng_msg_alloc(&m, 0) != 0 || nng_msg_append(m, buf, (size_t) n)) {
		abort();
	}
	c->sent_ns = now_ns();
	nng_aio_set_msg(c->aio, m);
	nng_ctx_send(c->ctx, c->aio);
}

static void
client_cb(void *arg)
{
	struct client *c = arg;
	nng_msg       *m;

	if (nng_aio_result(c->aio) != 0) {
		failed++;
		return;
	}
	if ((m = nng_aio_get_msg(c->aio)) == NULL) {
		/* The send finished: now wait for the reply. */
		nng_ctx_recv(c->ctx, c->aio);
		return;
	}
	if (memmem(nng_msg_body(m), nng_msg_len(m), "\"ok\":true", 9) ==
	    NULL) {
		failed++;
	}
	nng_msg_free(m);
	nng_aio_set_msg(c->aio, NULL);
	unsigned long i = nlat++;
	if (i < MAX_LAT) {
		lat[i] = (double) (now_ns() - c->sent_ns) / 1e6;
	}
	done++;
	if (running) {
		send_next(c);
	}
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *) a, y = *(const double *) b;
	return (x < y ? -1 : x > y);
}

static void
call(const char *req)
{
	nng_msg *m;
	if (nng_msg_alloc(&m, 0) != 0 ||
	    nng_msg_append(m, req, strlen(req)) != 0 ||
	    nng_sendmsg(sock, m, 0) != 0 || nng_recvmsg(sock, &m, 0) != 0) {
		fprintf(stderr, "skbench: setup request failed\n");
		exit(1);
	}
	nng_msg_free(m);
}

int
main(int argc, char **argv)
{
	const char *url     = NULL;
	int         clients = 64, seconds = 5;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--server") == 0 && i + 1 < argc) {
			url = argv[++i];
		} else if (strcmp(argv[i], "--clients") == 0 && i + 1 < argc) {
			clients = atoi(argv[++i]);
		} else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
			seconds = atoi(argv[++i]);
		} else if (strcmp(argv[i], "--mix") == 0 && i + 1 < argc) {
			mix = argv[++i];
		} else {
			fprintf(stderr, "usage: skbench --server URL "
			                "[--clients N] [--seconds S] "
			                "[--mix create|get]\n");
			return (2);
		}
	}
	if (url == NULL || clients < 1 || seconds < 1) {
		fprintf(stderr, "skbench: --server URL is required\n");
		return (2);
	}
	if (nng_req0_open(&sock) != 0 || nng_dial(sock, url, NULL, 0) != 0) {
		fprintf(stderr, "skbench: cannot reach %s\n", url);
		return (1);
	}
	nng_socket_set_ms(sock, NNG_OPT_REQ_RESENDTIME, 60000);
	call("{\"op\":\"unit.put\",\"args\":{\"id\":\"bench\",\"name\":"
	     "\"Đơn vị đo hiệu năng\"}}");
	lat = calloc(MAX_LAT, sizeof(*lat));

	struct client *cs = calloc((size_t) clients, sizeof(*cs));
	running           = true;
	uint64_t t0       = now_ns();
	for (int i = 0; i < clients; i++) {
		cs[i].id = i;
		nng_ctx_open(&cs[i].ctx, sock);
		nng_aio_alloc(&cs[i].aio, client_cb, &cs[i]);
		send_next(&cs[i]);
	}
	sleep((unsigned) seconds);
	running        = false;
	double elapsed = (double) (now_ns() - t0) / 1e9;
	unsigned long n = done;
	for (int i = 0; i < clients; i++) {
		nng_aio_wait(cs[i].aio);
	}
	usleep(200000);
	unsigned long m = nlat < MAX_LAT ? nlat : MAX_LAT;
	qsort(lat, m, sizeof(*lat), cmp_double);
	printf("mix %s, %d clients, %.1f s: %lu requests, %lu failed\n", mix,
	    clients, elapsed, n, (unsigned long) failed);
	printf("throughput %.0f requests/s; latency p50 %.2f ms, p99 %.2f "
	       "ms, max %.2f ms\n",
	    (double) n / elapsed, m ? lat[m / 2] : 0,
	    m ? lat[(size_t) ((double) m * 0.99)] : 0, m ? lat[m - 1] : 0);
	for (int i = 0; i < clients; i++) {
		nng_aio_stop(cs[i].aio);
		nng_aio_free(cs[i].aio);
		nng_ctx_close(cs[i].ctx);
	}
	nng_close(sock);
	return (failed ? 1 : 0);
}
