/*
 * rubricbench.c: what a council's decision costs in the Lua host.  Loads
 * each shipped rubric as the server does and times decide() over nine
 * ballots (a full unit council) and check() on a realistic application,
 * including the conversion of the JSON arguments into Lua tables.  Built by
 * CMake, never run by ctest: speed is measured, not tested.
 *
 *   rubricbench [ITERATIONS]   (default 20000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "plugins/host.h"

#ifndef SK_SOURCE_DIR
#define SK_SOURCE_DIR "."
#endif

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b;
	if (f == NULL) {
		return (NULL);
	}
	fseek(f, 0, SEEK_END);
	*len = (size_t) ftell(f);
	fseek(f, 0, SEEK_SET);
	b    = malloc(*len + 1);
	*len = fread(b, 1, *len, f);
	b[*len] = '\0';
	fclose(f);
	return (b);
}

/* extend() finds its bases in the source tree, as --rubrics does. */
static char *held[8];
static int   nheld;

static int
resolve(void *arg, const char *id, const char **src, size_t *len,
    const char **chunkname)
{
	char path[512];
	(void) arg;
	snprintf(path, sizeof(path), "%s/rubrics/%s.lua", SK_SOURCE_DIR, id);
	if (nheld == 8 || (held[nheld] = slurp(path, len)) == NULL) {
		return (-1);
	}
	*src       = held[nheld++];
	*chunkname = "@base.lua";
	return (0);
}

static double
now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double) ts.tv_sec * 1e6 + (double) ts.tv_nsec / 1e3);
}

static const char *case_json =
    "{\"id\":7,\"unit\":\"thpt-viet-bac\",\"title\":\"Ứng dụng bản đồ tư "
    "duy trong dạy học Lịch sử lớp 11\",\"field\":\"giao-duc\","
    "\"first_applied\":\"2026-09-05\",\"authors\":[{\"name\":\"Hoàng Thị "
    "Mai\",\"share\":60},{\"name\":\"Lương Văn Tùng\",\"share\":40}],"
    "\"sections\":{\"status_quo\":\"Học sinh ghi nhớ sự kiện rời rạc.\","
    "\"solution\":\"Học sinh lập bản đồ tư duy theo nhóm cho mỗi chương.\","
    "\"novelty\":\"Kết hợp bản đồ tư duy với trò chơi ghép sự kiện.\","
    "\"applicability\":\"Mọi lớp THPT.\",\"benefits\":\"Tỉ lệ khá giỏi tăng "
    "từ 48% lên 71%.\",\"conditions\":\"Giấy A0, bút màu.\","
    "\"trial_users\":\"Tổ Sử - Địa.\"},\"similar\":[],"
    "\"max_similarity\":0}";

int
main(int argc, char **argv)
{
	static const char *ids[] = { "default", "province", "education" };
	int                iters = argc > 1 ? atoi(argv[1]) : 20000;
	char               err[512];

	json_object *ballots = json_object_new_array();
	for (int i = 0; i < 9; i++) {
		char buf[256];
		snprintf(buf, sizeof(buf),
		    "{\"member\":\"m%d\",\"role\":\"member\",\"marks\":"
		    "{\"novelty\":%d,\"applicability\":%d,\"benefit\":%d},"
		    "\"total\":%d}",
		    i, 20 + i, 18 + i, 25 + i, 63 + 3 * i);
		json_object_array_add(ballots, json_tokener_parse(buf));
	}
	json_object *council = json_tokener_parse(
	    "{\"id\":\"hd\",\"members\":9,\"eligible\":9,\"scored\":9}");
	json_object *doc = json_tokener_parse(case_json);

	printf("rubricbench: %d calls each, 9 ballots, one application\n",
	    iters);
	for (size_t r = 0; r < sizeof(ids) / sizeof(ids[0]); r++) {
		char                path[512], *src;
		size_t              len;
		struct plug_rubric *rub;
		json_object        *out;

		snprintf(path, sizeof(path), "%s/rubrics/%s.lua", SK_SOURCE_DIR,
		    ids[r]);
		if ((src = slurp(path, &len)) == NULL ||
		    plug_load("@rubric.lua", src, len, NULL, resolve, NULL, &rub,
		        err, sizeof(err)) != 0) {
			fprintf(stderr, "rubricbench: %s: %s\n", ids[r], err);
			return (1);
		}
		double t0 = now_us();
		for (int i = 0; i < iters; i++) {
			if (plug_decide(rub, ballots, council, &out, err,
			        sizeof(err)) != 0) {
				fprintf(stderr, "rubricbench: %s\n", err);
				return (1);
			}
			json_object_put(out);
		}
		double t1 = now_us();
		for (int i = 0; i < iters; i++) {
			if (plug_check(rub, doc, "2026-11-27", &out, err,
			        sizeof(err)) != 0) {
				fprintf(stderr, "rubricbench: %s\n", err);
				return (1);
			}
			json_object_put(out);
		}
		double t2 = now_us();
		printf("  %-10s decide over 9 ballots %6.1f µs   check %6.1f "
		       "µs\n",
		    ids[r], (t1 - t0) / iters, (t2 - t1) / iters);
		plug_free(rub);
		free(src);
	}
	json_object_put(ballots);
	json_object_put(council);
	json_object_put(doc);
	for (int i = 0; i < nheld; i++) {
		free(held[i]);
	}
	return (0);
}
