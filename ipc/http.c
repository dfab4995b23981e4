/*
 * http.c: the static files of the web application, served by nng's HTTP
 * server on the address of --http, where the endpoint's WebSocket
 * listeners put the API (/api) and the events (/events) too: one port, no
 * other server.
 *
 * The whole directory is read into memory (at start, and again on SIGHUP)
 * as a sorted table of files, each with its content type and an ETag, the
 * hex BLAKE2b of its bytes.  A request is a lookup in that table, so no
 * request reaches the file system: nothing outside the directory can be
 * served, whatever the path says (a symbolic link is followed at reading
 * only if it stays inside the directory).  Every response says how it may
 * be used: a Content-Security-Policy that allows only the page's own
 * origin (the API and events sockets included), nosniff, no referrer, and
 * "Cache-Control: no-cache" with the ETag, so a browser asks each time and
 * gets a 304 without the body when it already has the file.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <nng/nng.h>
#include <nng/supplemental/http/http.h>
#include <nng/supplemental/tls/tls.h>
#include <nng/supplemental/util/platform.h>
#include <sodium.h>

#include "core/util/log.h"
#include "ipc/http.h"

/* What the directory may hold: enough for any web application. */
#define WEB_MAX_FILES 4096
#define WEB_MAX_FILE ((size_t) 32 << 20)
#define WEB_MAX_TOTAL ((size_t) 256 << 20)
#define WEB_MAX_DEPTH 16
#define WEB_URL_MAX 512

/* Sent with every response, files and errors alike. */
static const char *const web_headers[][2] = {
	{ "Content-Security-Policy",
	    "default-src 'self'; base-uri 'none'; object-src 'none'; "
	    "frame-ancestors 'none'; form-action 'self'" },
	{ "X-Content-Type-Options", "nosniff" },
	{ "Referrer-Policy", "no-referrer" },
	{ "X-Frame-Options", "DENY" },
};

static const char *const web_types[][2] = {
	{ ".html", "text/html; charset=utf-8" },
	{ ".js", "text/javascript; charset=utf-8" },
	{ ".mjs", "text/javascript; charset=utf-8" },
	{ ".css", "text/css; charset=utf-8" },
	{ ".json", "application/json; charset=utf-8" },
	{ ".map", "application/json; charset=utf-8" },
	{ ".webmanifest", "application/manifest+json; charset=utf-8" },
	{ ".txt", "text/plain; charset=utf-8" },
	{ ".svg", "image/svg+xml; charset=utf-8" },
	{ ".png", "image/png" },
	{ ".jpg", "image/jpeg" },
	{ ".jpeg", "image/jpeg" },
	{ ".webp", "image/webp" },
	{ ".ico", "image/x-icon" },
	{ ".woff2", "font/woff2" },
};

struct web_file {
	char       *path; /* "/js/api.js": from the directory, '/' first */
	const char *type;
	char        etag[2 * 16 + 3]; /* "\"" hex "\"" */
	void       *data;
	size_t      len;
};

/* One reading of the directory, sorted by path. */
struct web_table {
	struct web_file *files;
	size_t           n, cap, bytes;
};

/* The handler's data: freed by nng when it lets go of the handler. */
struct web_site {
	nng_mtx         *mtx; /* guards table: handlers run on nng threads */
	struct web_table table;
};

struct ipc_http {
	nng_http_server  *server;
	nng_http_handler *handler;
	nng_tls_config   *tls;
	struct web_site  *site; /* owned by handler */
	char             *dir;
	char              page[WEB_URL_MAX];
};

static void
table_free(struct web_table *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->files[i].path);
		free(t->files[i].data);
	}
	free(t->files);
	memset(t, 0, sizeof(*t));
}

static const char *
type_of(const char *path)
{
	const char *dot = strrchr(path, '.');
	if (dot != NULL && strchr(dot, '/') == NULL) {
		for (size_t i = 0; i < sizeof(web_types) / sizeof(web_types[0]);
		     i++) {
			if (strcasecmp(dot, web_types[i][0]) == 0) {
				return (web_types[i][1]);
			}
		}
	}
	return ("application/octet-stream");
}

static int
read_whole(const char *fs, size_t size, void **out)
{
	FILE  *f = fopen(fs, "rb");
	void  *buf;
	size_t got;

	if (f == NULL) {
		return (-1);
	}
	if ((buf = malloc(size > 0 ? size : 1)) == NULL) {
		fclose(f);
		return (-1);
	}
	got = fread(buf, 1, size, f);
	fclose(f);
	if (got != size) {
		free(buf);
		return (-1);
	}
	*out = buf;
	return (0);
}

/* Adds the file fs (real path inside the directory) as url path. */
static int
table_add(struct web_table *t, const char *fs, const char *path, size_t size,
    char *err, size_t errlen)
{
	struct web_file *f;
	unsigned char    h[16];
	char             hex[2 * sizeof(h) + 1];

	if (t->n >= WEB_MAX_FILES || size > WEB_MAX_FILE ||
	    t->bytes + size > WEB_MAX_TOTAL) {
		snprintf(err, errlen,
		    "%s: over the limits of the web directory (%d files, %zu "
		    "MiB each, %zu MiB in all)",
		    fs, WEB_MAX_FILES, WEB_MAX_FILE >> 20, WEB_MAX_TOTAL >> 20);
		return (-1);
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 64;
		void  *v   = realloc(t->files, cap * sizeof(*t->files));
		if (v == NULL) {
			snprintf(err, errlen, "out of memory");
			return (-1);
		}
		t->files = v;
		t->cap   = cap;
	}
	f = &t->files[t->n];
	memset(f, 0, sizeof(*f));
	if ((f->path = strdup(path)) == NULL ||
	    read_whole(fs, size, &f->data) != 0) {
		snprintf(err, errlen, "cannot read %s: %s", fs,
		    f->path ? strerror(errno) : "out of memory");
		free(f->path);
		return (-1);
	}
	f->len  = size;
	f->type = type_of(path);
	crypto_generichash(h, sizeof(h), f->data, size, NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	snprintf(f->etag, sizeof(f->etag), "\"%s\"", hex);
	t->bytes += size;
	t->n++;
	return (0);
}

/*
 * Reads directory fs (whose real path is inside root) as url prefix path.
 * Hidden entries (a leading '.') are skipped, and so is a link that leads
 * outside root, with a warning.
 */
static int
table_read_dir(struct web_table *t, const char *root, const char *fs,
    const char *path, int depth, char *err, size_t errlen)
{
	DIR           *d;
	struct dirent *e;
	int            rv = 0;

	if (depth > WEB_MAX_DEPTH) {
		snprintf(err, errlen, "%s: directories nested too deep", fs);
		return (-1);
	}
	if ((d = opendir(fs)) == NULL) {
		snprintf(err, errlen, "cannot read the web directory %s: %s", fs,
		    strerror(errno));
		return (-1);
	}
	while (rv == 0 && (e = readdir(d)) != NULL) {
		char        sub[PATH_MAX], url[PATH_MAX], real[PATH_MAX];
		struct stat sb;
		size_t      rlen = strlen(root);

		if (e->d_name[0] == '.') {
			continue;
		}
		if ((size_t) snprintf(sub, sizeof(sub), "%s/%s", fs,
		        e->d_name) >= sizeof(sub) ||
		    (size_t) snprintf(url, sizeof(url), "%s/%s", path,
		        e->d_name) >= sizeof(url)) {
			continue;
		}
		if (realpath(sub, real) == NULL || stat(real, &sb) != 0) {
			log_warn("web: skipping %s: %s", sub, strerror(errno));
			continue;
		}
		if (strncmp(real, root, rlen) != 0 || real[rlen] != '/') {
			log_warn("web: skipping %s: it leads outside %s", sub,
			    root);
			continue;
		}
		if (S_ISDIR(sb.st_mode)) {
			rv = table_read_dir(t, root, real, url, depth + 1, err,
			    errlen);
		} else if (S_ISREG(sb.st_mode)) {
			rv = table_add(t, real, url, (size_t) sb.st_size, err,
			    errlen);
		}
	}
	closedir(d);
	return (rv);
}

static int
file_cmp(const void *a, const void *b)
{
	return (strcmp(((const struct web_file *) a)->path,
	    ((const struct web_file *) b)->path));
}

/* The directory's files, sorted; on failure t is left empty. */
static int
table_read(struct web_table *t, const char *dir, char *err, size_t errlen)
{
	char root[PATH_MAX];

	memset(t, 0, sizeof(*t));
	if (realpath(dir, root) == NULL) {
		snprintf(err, errlen, "cannot read the web directory %s: %s",
		    dir, strerror(errno));
		return (-1);
	}
	if (table_read_dir(t, root, root, "", 0, err, errlen) != 0) {
		table_free(t);
		return (-1);
	}
	qsort(t->files, t->n, sizeof(*t->files), file_cmp);
	return (0);
}

static int
hexval(int c)
{
	return (c >= '0' && c <= '9' ? c - '0'
	        : c >= 'a' && c <= 'f' ? c - 'a' + 10
	        : c >= 'A' && c <= 'F' ? c - 'A' + 10
	                               : -1);
}

/*
 * The table path a request URI names: query and fragment dropped,
 * percent escapes decoded, "/" and directories mapped to their
 * index.html.  Returns -1 for a path that cannot name a file (a NUL or a
 * backslash, a "." or ".." segment, too long): that is a 404 too.
 */
static int
uri_path(const char *uri, char *out, size_t outlen)
{
	size_t o = 0;

	if (uri[0] != '/') {
		return (-1);
	}
	for (const char *p = uri; *p != '\0' && *p != '?' && *p != '#'; p++) {
		int c = (unsigned char) *p;
		if (c == '%') {
			int hi = hexval(p[1]), lo = hi < 0 ? -1 : hexval(p[2]);
			if (lo < 0) {
				return (-1);
			}
			c = hi * 16 + lo;
			p += 2;
		}
		if (c == '\0' || c == '\\' || o + 1 >= outlen) {
			return (-1);
		}
		out[o++] = (char) c;
	}
	out[o] = '\0';
	for (const char *s = out; s != NULL; s = strchr(s + 1, '/')) {
		if (strncmp(s, "/./", 3) == 0 || strcmp(s, "/.") == 0 ||
		    strncmp(s, "/../", 4) == 0 || strcmp(s, "/..") == 0) {
			return (-1);
		}
	}
	if (out[o - 1] == '/') {
		if (o + strlen("index.html") >= outlen) {
			return (-1);
		}
		strcpy(out + o, "index.html");
	}
	return (0);
}

static const struct web_file *
table_find(const struct web_table *t, const char *path)
{
	struct web_file key = { .path = (char *) path };
	return (bsearch(&key, t->files, t->n, sizeof(*t->files), file_cmp));
}

/* Does If-None-Match (a list of ETags, or "*") name etag? */
static bool
etag_matches(const char *inm, const char *etag)
{
	size_t elen = strlen(etag);

	for (const char *p = inm; *p != '\0';) {
		while (*p == ' ' || *p == '\t' || *p == ',') {
			p++;
		}
		if (*p == '*') {
			return (true);
		}
		if (strncmp(p, "W/", 2) == 0) {
			p += 2; /* a weak comparison, as RFC 9110 asks here */
		}
		if (strncmp(p, etag, elen) == 0 &&
		    (p[elen] == '\0' || p[elen] == ',' || p[elen] == ' ')) {
			return (true);
		}
		while (*p != '\0' && *p != ',') {
			p++;
		}
	}
	return (false);
}

/* The response to req from the table (a file, a 304 or a 404). */
static int
site_respond(struct web_site *site, nng_http_req *req, nng_http_res *res)
{
	static const char      nf[] = "404 Không tìm thấy trang này.\n";
	const struct web_file *f;
	const char            *inm;
	char                   path[WEB_URL_MAX];
	int                    rv = 0;

	for (size_t i = 0; i < sizeof(web_headers) / sizeof(web_headers[0]);
	     i++) {
		if ((rv = nng_http_res_set_header(res, web_headers[i][0],
		         web_headers[i][1])) != 0) {
			return (rv);
		}
	}
	nng_mtx_lock(site->mtx);
	if (uri_path(nng_http_req_get_uri(req), path, sizeof(path)) != 0 ||
	    (f = table_find(&site->table, path)) == NULL) {
		nng_mtx_unlock(site->mtx);
		if ((rv = nng_http_res_set_status(res,
		         NNG_HTTP_STATUS_NOT_FOUND)) != 0 ||
		    (rv = nng_http_res_set_header(res, "Content-Type",
		         "text/plain; charset=utf-8")) != 0 ||
		    (rv = nng_http_res_set_header(res, "Cache-Control",
		         "no-store")) != 0) {
			return (rv);
		}
		return (nng_http_res_copy_data(res, nf, sizeof(nf) - 1));
	}
	if ((rv = nng_http_res_set_header(res, "ETag", f->etag)) != 0 ||
	    (rv = nng_http_res_set_header(res, "Cache-Control", "no-cache")) !=
	        0 ||
	    (rv = nng_http_res_set_header(res, "Content-Type", f->type)) != 0) {
		nng_mtx_unlock(site->mtx);
		return (rv);
	}
	inm = nng_http_req_get_header(req, "If-None-Match");
	if (inm != NULL && etag_matches(inm, f->etag)) {
		rv = nng_http_res_set_status(res, NNG_HTTP_STATUS_NOT_MODIFIED);
	} else {
		rv = nng_http_res_copy_data(res, f->data, f->len);
	}
	nng_mtx_unlock(site->mtx);
	return (rv);
}

/* nng thread: one GET (or HEAD) of a static file. */
static void
site_handle(nng_aio *aio)
{
	nng_http_req     *req = nng_aio_get_input(aio, 0);
	nng_http_handler *h   = nng_aio_get_input(aio, 1);
	nng_http_res     *res;
	int               rv;

	if ((rv = nng_http_res_alloc(&res)) != 0) {
		nng_aio_finish(aio, rv);
		return;
	}
	if ((rv = site_respond(nng_http_handler_get_data(h), req, res)) != 0) {
		nng_http_res_free(res);
		nng_aio_finish(aio, rv);
		return;
	}
	nng_aio_set_output(aio, 0, res);
	nng_aio_finish(aio, 0);
}

static void
site_free(void *arg)
{
	struct web_site *site = arg;
	if (site != NULL) {
		table_free(&site->table);
		if (site->mtx != NULL) {
			nng_mtx_free(site->mtx);
		}
		free(site);
	}
}

static char *
read_pem(const char *path, char *err, size_t errlen)
{
	FILE  *f = fopen(path, "rb");
	char  *buf;
	size_t n;

	if (f == NULL) {
		snprintf(err, errlen, "cannot read %s: %s", path,
		    strerror(errno));
		return (NULL);
	}
	if ((buf = calloc(1, 1 << 20)) == NULL) {
		fclose(f);
		snprintf(err, errlen, "out of memory");
		return (NULL);
	}
	n = fread(buf, 1, (1 << 20) - 1, f);
	fclose(f);
	if (n == 0 || n == (1 << 20) - 1) {
		snprintf(err, errlen, "%s is empty or over 1 MiB", path);
		free(buf);
		return (NULL);
	}
	return (buf);
}

int
ipc_tls_config(nng_tls_config **out, const char *cert, const char *key,
    char *err, size_t errlen)
{
	nng_tls_config *cfg;
	char           *c = NULL, *k = NULL;
	int             rv;

	if ((rv = nng_tls_config_alloc(&cfg, NNG_TLS_MODE_SERVER)) != 0) {
		snprintf(err, errlen, "cannot set up TLS: %s", nng_strerror(rv));
		return (rv);
	}
	if (key == NULL) {
		rv = nng_tls_config_cert_key_file(cfg, cert, NULL);
	} else if ((c = read_pem(cert, err, errlen)) == NULL ||
	    (k = read_pem(key, err, errlen)) == NULL) {
		free(c);
		nng_tls_config_free(cfg);
		return (NNG_EINVAL);
	} else {
		rv = nng_tls_config_own_cert(cfg, c, k, NULL);
	}
	free(c);
	if (k != NULL) {
		sodium_memzero(k, strlen(k));
		free(k);
	}
	if (rv != 0) {
		snprintf(err, errlen,
		    "cannot use the certificate %s%s%s: %s (a PEM certificate "
		    "and its private key are needed)",
		    cert, key ? " with the key " : "", key ? key : "",
		    nng_strerror(rv));
		nng_tls_config_free(cfg);
		return (rv);
	}
	*out = cfg;
	return (0);
}

const char *
ipc_http_page(const struct ipc_http *h)
{
	return (h->page);
}

int
ipc_http_reload(struct ipc_http *h, char *err, size_t errlen)
{
	struct web_table t, old;

	if (table_read(&t, h->dir, err, errlen) != 0) {
		return (-1);
	}
	nng_mtx_lock(h->site->mtx);
	old            = h->site->table;
	h->site->table = t;
	nng_mtx_unlock(h->site->mtx);
	table_free(&old);
	log_info("web: %zu files (%zu bytes) from %s", t.n, t.bytes, h->dir);
	return (0);
}

void
ipc_http_close(struct ipc_http *h)
{
	if (h == NULL) {
		return;
	}
	if (h->server != NULL) {
		if (h->handler != NULL) {
			/* nng frees the handler, and site with it. */
			nng_http_server_del_handler(h->server, h->handler);
			nng_http_handler_free(h->handler);
		}
		nng_http_server_stop(h->server);
		nng_http_server_release(h->server);
	}
	if (h->tls != NULL) {
		nng_tls_config_free(h->tls);
	}
	free(h->dir);
	free(h);
}

int
ipc_http_open(struct ipc_http **out, const struct ipc_http_config *cfg,
    char *api, char *events, size_t urllen, char *err, size_t errlen)
{
	struct ipc_http *h;
	nng_url         *u = NULL;
	bool             tls;
	int              rv;

	if ((rv = nng_url_parse(&u, cfg->url)) != 0 ||
	    (strcmp(u->u_scheme, "http") != 0 &&
	        strcmp(u->u_scheme, "https") != 0) ||
	    (u->u_path[0] != '\0' && strcmp(u->u_path, "/") != 0) ||
	    u->u_query != NULL || u->u_fragment != NULL) {
		snprintf(err, errlen,
		    "--http %s: give http://HOST:PORT or https://HOST:PORT "
		    "(no path)",
		    cfg->url);
		if (u != NULL) {
			nng_url_free(u);
		}
		return (NNG_EADDRINVAL);
	}
	tls = strcmp(u->u_scheme, "https") == 0;
	if (tls && cfg->tls_cert == NULL) {
		snprintf(err, errlen, "--http %s needs --tls-cert FILE",
		    cfg->url);
		nng_url_free(u);
		return (NNG_EINVAL);
	}
	if ((h = calloc(1, sizeof(*h))) == NULL ||
	    (h->dir = strdup(cfg->web_dir)) == NULL ||
	    (h->site = calloc(1, sizeof(*h->site))) == NULL) {
		if (h != NULL) {
			free(h->dir);
		}
		free(h);
		nng_url_free(u);
		snprintf(err, errlen, "out of memory");
		return (NNG_ENOMEM);
	}
	snprintf(h->page, sizeof(h->page), "%s://%s/", u->u_scheme, u->u_host);
	snprintf(api, urllen, "%s://%s/api", tls ? "wss" : "ws", u->u_host);
	snprintf(events, urllen, "%s://%s/events", tls ? "wss" : "ws",
	    u->u_host);

	if ((rv = nng_mtx_alloc(&h->site->mtx)) != 0 ||
	    (rv = nng_http_handler_alloc(&h->handler, "/", site_handle)) !=
	        0) {
		snprintf(err, errlen, "cannot serve %s: %s", cfg->url,
		    nng_strerror(rv));
		site_free(h->site);
		goto fail;
	}
	/* From here the handler owns site (and frees it). */
	if ((rv = nng_http_handler_set_data(h->handler, h->site, site_free)) !=
	        0 ||
	    (rv = nng_http_handler_set_tree(h->handler)) != 0) {
		site_free(h->site);
		nng_http_handler_free(h->handler);
		h->handler = NULL;
		snprintf(err, errlen, "cannot serve %s: %s", cfg->url,
		    nng_strerror(rv));
		goto fail;
	}
	if (table_read(&h->site->table, cfg->web_dir, err, errlen) != 0) {
		nng_http_handler_free(h->handler);
		h->handler = NULL;
		rv         = NNG_ENOENT;
		goto fail;
	}
	if ((rv = nng_http_server_hold(&h->server, u)) != 0) {
		snprintf(err, errlen, "cannot serve %s: %s", cfg->url,
		    nng_strerror(rv));
		nng_http_handler_free(h->handler);
		h->handler = NULL;
		goto fail;
	}
	if (tls && ((rv = ipc_tls_config(&h->tls, cfg->tls_cert, cfg->tls_key,
	                 err, errlen)) != 0 ||
	               (rv = nng_http_server_set_tls(h->server, h->tls)) != 0)) {
		if (rv != 0 && h->tls != NULL) {
			snprintf(err, errlen, "cannot use TLS on %s: %s",
			    cfg->url, nng_strerror(rv));
		}
		nng_http_handler_free(h->handler);
		h->handler = NULL;
		goto fail;
	}
	if ((rv = nng_http_server_add_handler(h->server, h->handler)) != 0) {
		snprintf(err, errlen, "cannot serve %s: %s", cfg->url,
		    nng_strerror(rv));
		nng_http_handler_free(h->handler);
		h->handler = NULL;
		goto fail;
	}
	if ((rv = nng_http_server_start(h->server)) != 0) {
		snprintf(err, errlen, "cannot listen on %s: %s", cfg->url,
		    nng_strerror(rv));
		nng_http_server_del_handler(h->server, h->handler);
		nng_http_handler_free(h->handler);
		h->handler = NULL;
		nng_http_server_release(h->server);
		h->server = NULL;
		goto fail;
	}
	log_info("web: %zu files (%zu bytes) from %s", h->site->table.n,
	    h->site->table.bytes, h->dir);
	nng_url_free(u);
	*out = h;
	return (0);
fail:
	nng_url_free(u);
	if (h->server != NULL) {
		nng_http_server_release(h->server);
		h->server = NULL;
	}
	ipc_http_close(h);
	return (rv);
}
