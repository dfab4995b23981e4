/*
 * paperpdf.c: sets a gathered page (paper.c) on A4 as PDF, in the layout
 * of a Vietnamese administrative document (Nghị định 30/2020/NĐ-CP's
 * model): on the left the issuing body (its parent above it) and the
 * number, on the right the Quốc hiệu and tiêu ngữ and the place and date;
 * the title; the body (paragraphs, headings, ruled tables); the signers.
 * Every page's foot has the QR code of the address that verifies the
 * document, the case id and the hash it was made from.
 *
 * Text is set with pango on cairo's PDF surface in Noto Serif (Debian's
 * fonts-noto-core), which has every Vietnamese letter precomposed and
 * stacks tone marks over circumflexes correctly; pango embeds the subset
 * used, so the PDF reads the same anywhere and pdftotext gives the text
 * back.  The work runs on libuv's thread pool (doc.get is deferred): it
 * uses a font map and context of its own and reads nothing but the page.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <qrencode.h>

#include "core/util/err.h"
#include "core/model/doc.h"
#include "core/model/paper.h"

/* A4 in points, and the margins of the model (3 cm left, 2 cm else). */
#define PAGE_W 595.28
#define PAGE_H 841.89
#define M_LEFT 85.0
#define M_RIGHT 57.0
#define M_TOP 50.0
#define FOOT_H 78.0 /* the QR code and its lines, above the bottom margin */
#define M_BOTTOM 40.0
#define BODY_W (PAGE_W - M_LEFT - M_RIGHT)
#define FONT "Noto Serif"

struct buf {
	unsigned char *b;
	size_t         len, cap;
	bool           oom;
};

static cairo_status_t
buf_write(void *closure, const unsigned char *data, unsigned int length)
{
	struct buf *b = closure;
	if (b->len + length > b->cap) {
		size_t         cap = (b->cap ? b->cap * 2 : 65536) + length;
		unsigned char *nb  = realloc(b->b, cap);
		if (nb == NULL) {
			b->oom = true;
			return (CAIRO_STATUS_WRITE_ERROR);
		}
		b->b   = nb;
		b->cap = cap;
	}
	memcpy(b->b + b->len, data, length);
	b->len += length;
	return (CAIRO_STATUS_SUCCESS);
}

struct pen {
	cairo_t      *cr;
	PangoContext *pc;
	json_object  *page;
	double        y;
	int           pages;
};

/* A layout of text in width (pt) at size, in style: 'b' bold, 'i'
 * italic, 'B' bold italic, else regular; align as pango's. */
static PangoLayout *
layout(struct pen *p, const char *text, double width, double size,
    char style, PangoAlignment align)
{
	PangoLayout          *l  = pango_layout_new(p->pc);
	PangoFontDescription *fd = pango_font_description_new();

	pango_font_description_set_family(fd, FONT);
	pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
	if (style == 'b' || style == 'B') {
		pango_font_description_set_weight(fd, PANGO_WEIGHT_BOLD);
	}
	if (style == 'i' || style == 'B') {
		pango_font_description_set_style(fd, PANGO_STYLE_ITALIC);
	}
	pango_layout_set_font_description(l, fd);
	pango_font_description_free(fd);
	pango_layout_set_width(l, (int) (width * PANGO_SCALE));
	pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_alignment(l, align);
	pango_layout_set_text(l, text != NULL ? text : "", -1);
	return (l);
}

static double
height_of(PangoLayout *l)
{
	int w, h;
	pango_layout_get_size(l, &w, &h);
	return ((double) h / PANGO_SCALE);
}

/* Draws text at (x, y); returns its height. */
static double
text_at(struct pen *p, double x, double y, const char *text, double width,
    double size, char style, PangoAlignment align)
{
	PangoLayout *l = layout(p, text, width, size, style, align);
	double       h = height_of(l);
	cairo_move_to(p->cr, x, y);
	pango_cairo_show_layout(p->cr, l);
	g_object_unref(l);
	return (h);
}

static void
hline(struct pen *p, double x0, double x1, double y)
{
	cairo_set_line_width(p->cr, 0.6);
	cairo_move_to(p->cr, x0, y);
	cairo_line_to(p->cr, x1, y);
	cairo_stroke(p->cr);
}

/* The QR code of text, size pt wide, its top left at (x, y). */
static void
qr_at(struct pen *p, const char *text, double x, double y, double size)
{
	QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (qr == NULL) {
		return;
	}
	int    quiet = 2;
	double m     = size / (qr->width + 2 * quiet);
	cairo_set_source_rgb(p->cr, 0, 0, 0);
	for (int r = 0; r < qr->width; r++) {
		for (int c = 0; c < qr->width; c++) {
			if (qr->data[r * qr->width + c] & 1) {
				cairo_rectangle(p->cr, x + (c + quiet) * m,
				    y + (r + quiet) * m, m, m);
			}
		}
	}
	cairo_fill(p->cr);
	QRcode_free(qr);
}

/* The foot of every page: QR code, case id, hash, address, page. */
static void
foot(struct pen *p)
{
	char        line[1024];
	const char *url  = doc_get_str(p->page, "url") ?: "";
	const char *hash = doc_get_str(p->page, "hash") ?: "";
	double      y    = PAGE_H - M_BOTTOM - FOOT_H + 8;

	hline(p, M_LEFT, PAGE_W - M_RIGHT, y - 4);
	qr_at(p, url, M_LEFT - 4, y, FOOT_H - 8);
	snprintf(line, sizeof(line),
	    "Mã hồ sơ: %lld · Trang %d\nMã kiểm tra (hash): %s\n"
	    "Kiểm tra văn bản: %s",
	    (long long) doc_get_int(p->page, "case", 0), p->pages, hash, url);
	text_at(p, M_LEFT + FOOT_H, y + 6, line, BODY_W - FOOT_H, 7.5, 'r',
	    PANGO_ALIGN_LEFT);
}

static void
new_page(struct pen *p)
{
	cairo_show_page(p->cr);
	p->pages++;
	foot(p);
	p->y = M_TOP;
}

/* Makes room for h points, on a new page if this one has not. */
static void
room(struct pen *p, double h)
{
	if (p->y + h > PAGE_H - M_BOTTOM - FOOT_H) {
		new_page(p);
	}
}

/* The two header columns, then the title. */
static void
head(struct pen *p)
{
	json_object *org  = json_object_object_get(p->page, "org");
	double       lw   = BODY_W * 0.42, rx = M_LEFT + lw, rw = BODY_W - lw;
	double       ly   = M_TOP, ry = M_TOP, h;
	size_t       n    = doc_len(org);

	for (size_t i = 0; i < n; i++) {
		const char *s  = json_object_get_string(
		     json_object_array_get_idx(org, i));
		char       *up = g_utf8_strup(s, -1);
		ly += text_at(p, M_LEFT - 20, ly, up, lw + 20, 11.5,
		    i + 1 == n ? 'b' : 'r', PANGO_ALIGN_CENTER);
		g_free(up);
	}
	hline(p, M_LEFT + lw * 0.3, M_LEFT + lw * 0.7, ly + 2);
	ly += 8;
	ly += text_at(p, M_LEFT - 20, ly, doc_get_str(p->page, "number"),
	    lw + 20, 12.5, 'r', PANGO_ALIGN_CENTER);

	ry += text_at(p, rx, ry, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", rw,
	    11.5, 'b', PANGO_ALIGN_CENTER);
	h = text_at(p, rx, ry, "Độc lập - Tự do - Hạnh phúc", rw, 12.5, 'b',
	    PANGO_ALIGN_CENTER);
	ry += h;
	hline(p, rx + rw * 0.25, rx + rw * 0.75, ry + 2);
	ry += 8;
	ry += text_at(p, rx, ry, doc_get_str(p->page, "place_date"), rw, 12.5,
	    'i', PANGO_ALIGN_CENTER);

	p->y = (ly > ry ? ly : ry) + 22;
	p->y += text_at(p, M_LEFT, p->y, doc_get_str(p->page, "title"),
	    BODY_W, 14, 'b', PANGO_ALIGN_CENTER);
	const char *sub = doc_get_str(p->page, "subtitle");
	if (sub != NULL && *sub) {
		p->y += text_at(p, M_LEFT, p->y, sub, BODY_W, 13, 'b',
		    PANGO_ALIGN_CENTER);
	}
	p->y += 14;
}

static void
paragraph(struct pen *p, const char *text, char style)
{
	PangoLayout *l = layout(p, text, BODY_W, 12.5, style,
	    PANGO_ALIGN_LEFT);
	pango_layout_set_justify(l, true);
	double h = height_of(l);
	room(p, h);
	cairo_move_to(p->cr, M_LEFT, p->y);
	pango_cairo_show_layout(p->cr, l);
	g_object_unref(l);
	p->y += h + 5;
}

/* One ruled row of cells; bold for the header row. */
static void
table_row(struct pen *p, json_object *cells, const double *w, size_t n,
    bool header)
{
	PangoLayout *ls[16];
	double       h = 0, x = M_LEFT, pad = 3;

	for (size_t i = 0; i < n; i++) {
		json_object *c = json_object_array_get_idx(cells, i);
		ls[i] = layout(p, c ? json_object_get_string(c) : "",
		    w[i] - 2 * pad, 11, header ? 'b' : 'r',
		    header ? PANGO_ALIGN_CENTER : PANGO_ALIGN_LEFT);
		if (height_of(ls[i]) > h) {
			h = height_of(ls[i]);
		}
	}
	h += 2 * pad;
	room(p, h);
	cairo_set_line_width(p->cr, 0.5);
	for (size_t i = 0; i < n; i++) {
		cairo_rectangle(p->cr, x, p->y, w[i], h);
		cairo_stroke(p->cr);
		cairo_move_to(p->cr, x + pad, p->y + pad);
		pango_cairo_show_layout(p->cr, ls[i]);
		g_object_unref(ls[i]);
		x += w[i];
	}
	p->y += h;
}

static void
table_block(struct pen *p, json_object *b)
{
	json_object *cols   = json_object_object_get(b, "cols");
	json_object *widths = json_object_object_get(b, "widths");
	json_object *rows   = json_object_object_get(b, "rows");
	size_t       n      = doc_len(cols);
	double       w[16], sum = 0;

	if (n == 0 || n > 16) {
		return;
	}
	for (size_t i = 0; i < n; i++) {
		w[i] = json_object_get_double(json_object_array_get_idx(widths, i));
		sum += w[i] > 0 ? w[i] : 1;
	}
	for (size_t i = 0; i < n; i++) {
		w[i] = BODY_W * (w[i] > 0 ? w[i] : 1) / sum;
	}
	table_row(p, cols, w, n, true);
	for (size_t r = 0; r < doc_len(rows); r++) {
		table_row(p, json_object_array_get_idx(rows, r), w, n, false);
	}
	p->y += 8;
}

/* The signers: one on the right half, or two side by side. */
static void
signers(struct pen *p)
{
	json_object *s = json_object_object_get(p->page, "signers");
	size_t       n = doc_len(s);
	double       cw = BODY_W / 2, top;

	if (n == 0) {
		return;
	}
	room(p, 120);
	top = p->y + 10;
	for (size_t i = 0; i < n && i < 2; i++) {
		json_object *one = json_object_array_get_idx(s, i);
		double       x   = n == 1 || i == 1 ? M_LEFT + cw : M_LEFT;
		double       y   = top;
		y += text_at(p, x, y, doc_get_str(one, "role"), cw, 12.5, 'b',
		    PANGO_ALIGN_CENTER);
		y += text_at(p, x, y, "(Ký, ghi rõ họ tên)", cw, 11.5, 'i',
		    PANGO_ALIGN_CENTER);
		y += 60;
		text_at(p, x, y, doc_get_str(one, "name"), cw, 12.5, 'b',
		    PANGO_ALIGN_CENTER);
	}
	p->y = top + 110;
}

int
paper_pdf(json_object *page, unsigned char **pdf, size_t *len, char *err,
    size_t errlen)
{
	struct buf       out = { 0 };
	cairo_surface_t *sf;
	PangoFontMap    *fm;
	struct pen       p = { .page = page, .pages = 1 };
	cairo_status_t   st;

	*pdf = NULL;
	*len = 0;
	sf   = cairo_pdf_surface_create_for_stream(buf_write, &out, PAGE_W,
	      PAGE_H);
	cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_TITLE,
	    doc_get_str(page, "title") ?: "");
	cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_CREATOR,
	    "sangkien");
	p.cr = cairo_create(sf);
	fm   = pango_cairo_font_map_new();
	p.pc = pango_font_map_create_context(fm);
	pango_cairo_context_set_resolution(p.pc, 72);
	pango_cairo_update_context(p.cr, p.pc);
	cairo_set_source_rgb(p.cr, 0, 0, 0);

	foot(&p);
	head(&p);
	json_object *blocks = json_object_object_get(page, "blocks");
	for (size_t i = 0; i < doc_len(blocks); i++) {
		json_object *b = json_object_array_get_idx(blocks, i);
		const char  *t = doc_get_str(b, "t") ?: "";
		if (strcmp(t, "p") == 0) {
			paragraph(&p, doc_get_str(b, "text"), 'r');
		} else if (strcmp(t, "h") == 0) {
			p.y += 4;
			paragraph(&p, doc_get_str(b, "text"), 'b');
		} else if (strcmp(t, "table") == 0) {
			table_block(&p, b);
		}
	}
	signers(&p);

	cairo_show_page(p.cr);
	g_object_unref(p.pc);
	g_object_unref(fm);
	cairo_destroy(p.cr);
	cairo_surface_finish(sf);
	st = cairo_surface_status(sf);
	cairo_surface_destroy(sf);
	if (st != CAIRO_STATUS_SUCCESS || out.oom) {
		free(out.b);
		snprintf(err, errlen, "the PDF could not be made: %s",
		    out.oom ? "out of memory" : cairo_status_to_string(st));
		return (SK_EINTERNAL);
	}
	*pdf = out.b;
	*len = out.len;
	return (0);
}
