/*
 * driver.c: runs a fuzz target's inputs without libFuzzer, so that the
 * seed corpora (tests/fuzz/corpus/TARGET/) and the crashers kept from
 * fuzzing (tests/fuzz/regress/TARGET/) are checked by every `make test`,
 * in the ordinary build (and under the sanitizers in `make test-asan`).
 * Each argument is a file or a directory of files; each file is one input
 * to LLVMFuzzerTestOneInput.  A crash is the failure; the count of inputs
 * run is printed.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int
run_file(const char *path, long *n)
{
	FILE    *f = fopen(path, "rb");
	uint8_t *buf;
	long     len;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "cannot read %s\n", path);
		if (f != NULL) {
			fclose(f);
		}
		return (-1);
	}
	/* An exact-size copy, so that ASan sees a read past the input. */
	buf = malloc(len > 0 ? (size_t) len : 1);
	if (buf == NULL || fread(buf, 1, (size_t) len, f) != (size_t) len) {
		fprintf(stderr, "cannot read %s\n", path);
		free(buf);
		fclose(f);
		return (-1);
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t) len);
	free(buf);
	(*n)++;
	return (0);
}

static int
run_path(const char *path, long *n)
{
	struct stat    sb;
	DIR           *d;
	struct dirent *e;
	int            rv = 0;

	if (stat(path, &sb) != 0) {
		return (0); /* no crashers kept yet: nothing to run */
	}
	if (!S_ISDIR(sb.st_mode)) {
		return (run_file(path, n));
	}
	if ((d = opendir(path)) == NULL) {
		fprintf(stderr, "cannot open %s\n", path);
		return (-1);
	}
	while ((e = readdir(d)) != NULL) {
		char sub[4096];
		if (e->d_name[0] == '.') {
			continue;
		}
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		rv |= run_path(sub, n);
	}
	closedir(d);
	return (rv);
}

int
main(int argc, char **argv)
{
	long n  = 0;
	int  rv = 0;

	if (LLVMFuzzerInitialize != NULL) {
		LLVMFuzzerInitialize(&argc, &argv);
	}
	for (int i = 1; i < argc; i++) {
		rv |= run_path(argv[i], &n);
	}
	printf("%ld inputs run\n", n);
	return (rv != 0 ? 1 : 0);
}
