/*
 * store_fixture.h: a store in a temporary directory, shared by the unit
 * tests that need real LMDB (no mocks): make it, and remove it afterwards
 * even when a test failed.
 */
#ifndef SK_TEST_STORE_FIXTURE_H
#define SK_TEST_STORE_FIXTURE_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/store/store.h"

static int
fixture_rm_one(const char *path, const struct stat *sb, int flag,
    struct FTW *ftw)
{
	(void) sb;
	(void) flag;
	(void) ftw;
	return (remove(path));
}

/* rm -rf dir */
static inline void
fixture_rm_rf(const char *dir)
{
	nftw(dir, fixture_rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

/*
 * Makes /tmp/sk-test-NAME-XXXXXX in dir (at least 64 bytes) and opens a
 * store there (nosync: tests need no fsync).  Returns 0 or -1.
 */
static inline int
fixture_store_open(char *dir, size_t len, const char *name,
    struct store **st)
{
	char err[256];

	snprintf(dir, len, "/tmp/sk-test-%s-XXXXXX", name);
	if (mkdtemp(dir) == NULL) {
		return (-1);
	}
	if (store_open(st, dir, 0, true, err, sizeof(err)) != 0) {
		fprintf(stderr, "store_open: %s\n", err);
		return (-1);
	}
	return (0);
}

#endif
