/* plot.c - figures as SVG through PLplot's svg driver (plot.h). */
#define _GNU_SOURCE /* fopencookie */
#include "plot/plot.h"

#include <math.h>
#include <dlfcn.h>
#include <plplot.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

/* Colour map 0: index 0 is the background; HX_PLOT_x is index x + 1;
 * FILL_INDEX is a translucent copy of a colour for hx_plot_rect. */
#define WHITE_INDEX (HX_PLOT_NCOLORS + 1)
#define FILL_INDEX (HX_PLOT_NCOLORS + 2)
/* hx_plot_color value drawn white (cell labels on dark cells) */
#define WHITE ((hx_plot_color)HX_PLOT_NCOLORS)

static const unsigned char palette[HX_PLOT_NCOLORS][3] = {
	{0x00, 0x00, 0x00}, {0xE6, 0x9F, 0x00}, {0x56, 0xB4, 0xE9}, {0x00, 0x9E, 0x73},
	{0xF0, 0xE4, 0x42}, {0x00, 0x72, 0xB2}, {0xD5, 0x5E, 0x00}, {0xCC, 0x79, 0xA7},
	{0x99, 0x99, 0x99}, {0xDD, 0xDD, 0xDD},
};

/* Viewport of a frame, as fractions of the page. */
#define VP_LEFT 0.11
#define VP_RIGHT 0.97
#define VP_BOTTOM 0.15
#define VP_TOP 0.90
#define VP_RIGHT_HEATMAP 0.80

struct hx_plot {
	int width, height;
	char *data;  /* what the driver wrote (the cookie's stream) */
	size_t len, cap;
	int closed;  /* the driver closed the stream */
	FILE *file;
	/* the frame: world window and its place on the page in pixels */
	double x0, x1, y0, y1;
	double px0, px1, py0, py1;
	int framed;
	int failed;  /* PLplot could not be loaded: nothing is drawn and
		      * hx_plot_end fails */
};

static pthread_mutex_t plot_lock = PTHREAD_MUTEX_INITIALIZER;

/* PLplot is loaded when the first figure is drawn (dlopen), not linked:
 * its shared library and the ten it needs cost every harness process 2 to
 * 4 ms of start-up (hyperfine), and most commands draw nothing. The
 * pointers have the types plplot.h declares. */
#define PL_FUNCS(X)                                                                        \
	X(plsdev) X(plspage) X(plscmap0n) X(plscolbg) X(plscol0) X(plinit)       \
	X(pladv) X(plschr) X(plcol0) X(plstyl) X(plmtex) X(plvpor) X(plwind) X(plwidth)      \
	X(plbox) X(plline) X(plfill) X(plptex) X(plscol0a) X(plscmap1n) X(plscmap1l)         \
	X(plcol1) X(plend)
static struct {
#define X(f) __typeof__(c_##f) *f;
	PL_FUNCS(X)
#undef X
	__typeof__(plsfile) *sfile; /* the one without the c_ prefix */
} pl;
#define PL(f) (*pl.f)
static int pl_state; /* 0 not tried, 1 loaded, -1 failed */
static char pl_error[256];

/* Under plot_lock. */
static int pl_load(void)
{
	void *h;
	if (pl_state)
		return pl_state;
	h = dlopen(HX_PLPLOT_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(pl_error, sizeof(pl_error), "plot: cannot load PLplot: %s", dlerror());
		return pl_state = -1;
	}
#define X(f)                                                                               \
	if (!(*(void **)&pl.f = dlsym(h, "c_" #f))) {                                      \
		snprintf(pl_error, sizeof(pl_error), "plot: PLplot (%s) has no %s",           \
			 HX_PLPLOT_SONAME, "c_" #f);                                         \
		return pl_state = -1;                                                      \
	}
	PL_FUNCS(X)
#undef X
	if (!(*(void **)&pl.sfile = dlsym(h, "plsfile"))) {
		snprintf(pl_error, sizeof(pl_error), "plot: PLplot (%s) has no plsfile",
			 HX_PLPLOT_SONAME);
		return pl_state = -1;
	}
	return pl_state = 1;
}

/* The driver writes into memory through a cookie stream: PLplot closes the
 * file it was given in plend (5.15 does; the cookie tells whether it did,
 * so the stream is closed exactly once either way). */
static ssize_t cookie_write(void *c, const char *buf, size_t n)
{
	hx_plot *p = c;
	if (p->len + n + 1 > p->cap) {
		size_t cap = p->cap ? p->cap : 65536;
		while (cap < p->len + n + 1)
			cap *= 2;
		p->data = hx_xrealloc(p->data, cap);
		p->cap = cap;
	}
	memcpy(p->data + p->len, buf, n);
	p->len += n;
	return (ssize_t)n;
}

static int cookie_close(void *c)
{
	((hx_plot *)c)->closed = 1;
	return 0;
}

hx_plot_color hx_plot_series_color(size_t i)
{
	static const hx_plot_color order[] = {HX_PLOT_BLUE,       HX_PLOT_ORANGE,  HX_PLOT_GREEN,
					      HX_PLOT_VERMILLION, HX_PLOT_SKYBLUE, HX_PLOT_PURPLE,
					      HX_PLOT_YELLOW};
	return order[i % (sizeof(order) / sizeof(order[0]))];
}

static void set_color(hx_plot_color c)
{
	PL(plcol0)((PLINT)c + 1);
}

static void set_style(hx_plot_style s)
{
	/* Long dashes: the driver draws each dash as a polyline of its own. */
	static PLINT dash_mark[] = {6000}, dash_space[] = {4000};
	static PLINT dot_mark[] = {1200}, dot_space[] = {2500};
	switch (s) {
	case HX_PLOT_DASHED:
		PL(plstyl)(1, dash_mark, dash_space);
		break;
	case HX_PLOT_DOTTED:
		PL(plstyl)(1, dot_mark, dot_space);
		break;
	default:
		PL(plstyl)(0, NULL, NULL);
		break;
	}
}

hx_plot *hx_plot_begin(int width, int height)
{
	static const cookie_io_functions_t io = {NULL, cookie_write, NULL, cookie_close};
	hx_plot *p;
	int i;

	pthread_mutex_lock(&plot_lock);
	p = hx_xcalloc(1, sizeof(*p));
	p->width = width > 0 ? width : 640;
	p->height = height > 0 ? height : 400;
	if (pl_load() < 0) {
		p->failed = 1;
		return p;
	}
	p->file = fopencookie(p, "w", io);
	if (!p->file)
		hx_oom();
	PL(plsdev)("svg");
	pl.sfile(p->file);
	PL(plspage)(0, 0, p->width, p->height, 0, 0);
	PL(plscmap0n)(FILL_INDEX + 1);
	PL(plscolbg)(255, 255, 255);
	for (i = 0; i < HX_PLOT_NCOLORS; i++)
		PL(plscol0)(i + 1, palette[i][0], palette[i][1], palette[i][2]);
	PL(plscol0)(WHITE_INDEX, 255, 255, 255);
	PL(plinit)();
	PL(pladv)(0);
	PL(plschr)(0, 0.85);
	return p;
}

/* World coordinates of a pixel offset from a world point. */
static double dx_px(const hx_plot *p, double px)
{
	return px * (p->x1 - p->x0) / (p->px1 - p->px0);
}

static double dy_px(const hx_plot *p, double px)
{
	return px * (p->y1 - p->y0) / (p->py1 - p->py0);
}

static void fix_range(double *lo, double *hi)
{
	if (!isfinite(*lo) && !isfinite(*hi)) {
		*lo = 0;
		*hi = 1;
	} else if (!isfinite(*lo)) {
		*lo = *hi - 1;
	} else if (!isfinite(*hi)) {
		*hi = *lo + 1;
	}
	if (*hi < *lo) {
		double t = *lo;
		*lo = *hi;
		*hi = t;
	}
	if (*hi - *lo <= 1e-12 * (fabs(*lo) + fabs(*hi)) || *hi == *lo) {
		double d = *lo == 0 ? 1 : fabs(*lo) * 0.1;
		*lo -= d;
		*hi += d;
	}
}

void hx_plot_nice_range(double *lo, double *hi, double pad)
{
	double span, step, mag, f;
	fix_range(lo, hi);
	span = *hi - *lo;
	if (pad > 0) {
		*lo -= span * pad;
		*hi += span * pad;
		span = *hi - *lo;
	}
	mag = pow(10, floor(log10(span / 5)));
	f = span / 5 / mag;
	step = (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
	*lo = floor(*lo / step + 1e-9) * step;
	*hi = ceil(*hi / step - 1e-9) * step;
}

/* PLplot's escape character is '#': text is passed with each '#' doubled. */
static char *plain_text(const char *s)
{
	size_t n = 0, i, j;
	char *out;
	for (i = 0; s[i]; i++)
		n += s[i] == '#' ? 2 : 1;
	out = hx_xmalloc(n + 1);
	for (i = j = 0; s[i]; i++) {
		out[j++] = s[i];
		if (s[i] == '#')
			out[j++] = '#';
	}
	out[j] = '\0';
	return out;
}

static void mtex(const char *side, double disp, double pos, double just, const char *s)
{
	char *t;
	if (!s || !*s)
		return;
	t = plain_text(s);
	PL(plmtex)(side, disp, pos, just, t);
	free(t);
}

static void set_window(hx_plot *p, double l, double r, double b, double t, double x0, double x1,
		       double y0, double y1)
{
	PL(plvpor)(l, r, b, t);
	PL(plwind)(x0, x1, y0, y1);
	p->x0 = x0;
	p->x1 = x1;
	p->y0 = y0;
	p->y1 = y1;
	p->px0 = l * p->width;
	p->px1 = r * p->width;
	p->py0 = b * p->height;
	p->py1 = t * p->height;
	p->framed = 1;
}

static void category_labels(hx_plot *p, const char *const *cats, size_t n, int xaxis)
{
	size_t i;
	double lo = xaxis ? p->x0 : p->y0, hi = xaxis ? p->x1 : p->y1;
	if (n > 12)
		PL(plschr)(0, 0.6);
	for (i = 0; i < n; i++) {
		double pos = ((double)i - lo) / (hi - lo);
		if (pos < 0 || pos > 1 || !cats[i])
			continue;
		if (xaxis)
			mtex("b", 1.6, pos, 0.5, cats[i]);
		else
			mtex("lv", 0.8, pos, 1.0, cats[i]);
	}
	PL(plschr)(0, 0.85);
}

void hx_plot_frame(hx_plot *p, const hx_plot_axes *a)
{
	double x0 = a->xmin, x1 = a->xmax, y0 = a->ymin, y1 = a->ymax;
	const char *xopt = a->xcats ? "bc" : a->logx ? "bcnstl" : "bcnst";
	if (p->failed)
		return;

	fix_range(&x0, &x1);
	fix_range(&y0, &y1);
	set_window(p, VP_LEFT, VP_RIGHT, VP_BOTTOM, VP_TOP, x0, x1, y0, y1);
	if (a->grid) {
		set_color(HX_PLOT_LIGHTGREY);
		PL(plwidth)(0.8);
		PL(plbox)(a->xcats ? "" : a->logx ? "gl" : "g", 0, 0, "g", 0, 0);
	}
	set_color(HX_PLOT_BLACK);
	PL(plwidth)(1);
	PL(plbox)(xopt, 0, 0, "bcnstv", 0, 0);
	if (a->xcats)
		category_labels(p, a->xcats, a->ncats, 1);
	mtex("t", 1.2, 0.5, 0.5, a->title);
	mtex("b", 3.0, 0.5, 0.5, a->xlabel);
	mtex("l", 4.2, 0.5, 0.5, a->ylabel);
}

/* plline over the finite runs of (x, y). */
static void polyline_finite(const double *x, const double *y, size_t n)
{
	size_t i = 0, j;
	while (i < n) {
		while (i < n && !(isfinite(x[i]) && isfinite(y[i])))
			i++;
		j = i;
		while (j < n && isfinite(x[j]) && isfinite(y[j]))
			j++;
		if (j - i >= 2)
			PL(plline)((PLINT)(j - i), (PLFLT *)(x + i), (PLFLT *)(y + i));
		i = j;
	}
}

static void begin_mark(hx_plot_color c, hx_plot_style s, double width)
{
	set_color(c);
	set_style(s);
	PL(plwidth)(width);
}

static void end_mark(void)
{
	PL(plstyl)(0, NULL, NULL);
	PL(plwidth)(1);
}

void hx_plot_line(hx_plot *p, const double *x, const double *y, size_t n, hx_plot_color c,
		  hx_plot_style s)
{
	if (p->failed)
		return;
	begin_mark(c, s, 1.6);
	polyline_finite(x, y, n);
	end_mark();
}

void hx_plot_step(hx_plot *p, const double *x, const double *y, size_t n, double x_end,
		  hx_plot_color c, hx_plot_style s)
{
	double *xs, *ys;
	size_t i, k = 0;
	if (p->failed)
		return;
	if (n == 0)
		return;
	xs = hx_xmalloc(2 * n * sizeof(*xs));
	ys = hx_xmalloc(2 * n * sizeof(*ys));
	for (i = 0; i < n; i++) {
		xs[k] = x[i];
		ys[k++] = y[i];
		xs[k] = i + 1 < n ? x[i + 1] : x_end;
		ys[k++] = y[i];
	}
	begin_mark(c, s, 1.6);
	polyline_finite(xs, ys, k);
	end_mark();
	free(xs);
	free(ys);
}

static void fill_poly(const double *x, const double *y, int n)
{
	PL(plfill)(n, (PLFLT *)x, (PLFLT *)y);
}

static void set_fill(hx_plot_color c)
{
	PL(plscol0a)(FILL_INDEX, palette[c][0], palette[c][1], palette[c][2], 0.25);
	PL(plcol0)(FILL_INDEX);
}

void hx_plot_step_band(hx_plot *p, const double *x, const double *lo, const double *hi, size_t n,
		       double x_end, hx_plot_color c)
{
	double *px, *py;
	size_t i, k = 0;
	if (p->failed || n == 0)
		return;
	for (i = 0; i < n; i++)
		if (!(isfinite(x[i]) && isfinite(lo[i]) && isfinite(hi[i])))
			return;
	px = hx_xmalloc(4 * n * sizeof(*px));
	py = hx_xmalloc(4 * n * sizeof(*py));
	for (i = 0; i < n; i++) { /* the upper steps, left to right */
		px[k] = x[i];
		py[k++] = hi[i];
		px[k] = i + 1 < n ? x[i + 1] : x_end;
		py[k++] = hi[i];
	}
	for (i = n; i-- > 0;) { /* the lower ones back */
		px[k] = i + 1 < n ? x[i + 1] : x_end;
		py[k++] = lo[i];
		px[k] = x[i];
		py[k++] = lo[i];
	}
	set_fill(c);
	fill_poly(px, py, (int)k);
	free(px);
	free(py);
}

static void symbol_at(hx_plot *p, double x, double y, hx_plot_symbol sym)
{
	double rx = dx_px(p, 3.5), ry = dy_px(p, 3.5);
	double px[12], py[12];
	int i, n;
	switch (sym) {
	case HX_PLOT_SQUARE:
		n = 4;
		px[0] = x - rx; py[0] = y - ry;
		px[1] = x + rx; py[1] = y - ry;
		px[2] = x + rx; py[2] = y + ry;
		px[3] = x - rx; py[3] = y + ry;
		break;
	case HX_PLOT_TRIANGLE:
		n = 3;
		px[0] = x - rx * 1.15; py[0] = y - ry * 0.9;
		px[1] = x + rx * 1.15; py[1] = y - ry * 0.9;
		px[2] = x; py[2] = y + ry * 1.2;
		break;
	case HX_PLOT_DIAMOND:
		n = 4;
		px[0] = x; py[0] = y - ry * 1.3;
		px[1] = x + rx * 1.3; py[1] = y;
		px[2] = x; py[2] = y + ry * 1.3;
		px[3] = x - rx * 1.3; py[3] = y;
		break;
	default:
		n = 12;
		for (i = 0; i < n; i++) {
			px[i] = x + rx * cos(2 * M_PI * i / n);
			py[i] = y + ry * sin(2 * M_PI * i / n);
		}
		break;
	}
	fill_poly(px, py, n);
}

void hx_plot_points(hx_plot *p, const double *x, const double *y, size_t n, hx_plot_color c,
		    hx_plot_symbol sym)
{
	size_t i;
	if (p->failed)
		return;
	set_color(c);
	for (i = 0; i < n; i++)
		if (isfinite(x[i]) && isfinite(y[i]) && x[i] >= fmin(p->x0, p->x1) &&
		    x[i] <= fmax(p->x0, p->x1) && y[i] >= fmin(p->y0, p->y1) &&
		    y[i] <= fmax(p->y0, p->y1))
			symbol_at(p, x[i], y[i], sym);
}

static void segment(double xa, double ya, double xb, double yb)
{
	double x[2] = {xa, xb}, y[2] = {ya, yb};
	polyline_finite(x, y, 2);
}

void hx_plot_ticks(hx_plot *p, const double *x, const double *y, size_t n, hx_plot_color c)
{
	double rx = dx_px(p, 3), ry = dy_px(p, 3);
	size_t i;
	if (p->failed)
		return;
	begin_mark(c, HX_PLOT_SOLID, 1);
	for (i = 0; i < n; i++) {
		segment(x[i] - rx, y[i], x[i] + rx, y[i]);
		segment(x[i], y[i] - ry, x[i], y[i] + ry);
	}
	end_mark();
}

void hx_plot_interval(hx_plot *p, double at, double lo, double hi, int vertical, hx_plot_color c)
{
	if (p->failed)
		return;
	begin_mark(c, HX_PLOT_SOLID, 1.6);
	if (vertical) {
		double r = dx_px(p, 4);
		segment(at, lo, at, hi);
		segment(at - r, lo, at + r, lo);
		segment(at - r, hi, at + r, hi);
	} else {
		double r = dy_px(p, 4);
		segment(lo, at, hi, at);
		segment(lo, at - r, lo, at + r);
		segment(hi, at - r, hi, at + r);
	}
	end_mark();
}

static void rect_path(double x0, double x1, double y0, double y1, double *x, double *y)
{
	x[0] = x0; y[0] = y0;
	x[1] = x1; y[1] = y0;
	x[2] = x1; y[2] = y1;
	x[3] = x0; y[3] = y1;
	x[4] = x0; y[4] = y0;
}

/* Clip a rectangle to the window, so no fill leaves the frame. */
static int clip_rect(const hx_plot *p, double *x0, double *x1, double *y0, double *y1)
{
	double wx0 = fmin(p->x0, p->x1), wx1 = fmax(p->x0, p->x1);
	double wy0 = fmin(p->y0, p->y1), wy1 = fmax(p->y0, p->y1);
	if (!(isfinite(*x0) && isfinite(*x1) && isfinite(*y0) && isfinite(*y1)))
		return 0;
	*x0 = fmax(fmin(*x0, *x1), wx0);
	*x1 = fmin(fmax(*x0, *x1), wx1);
	*y0 = fmax(fmin(*y0, *y1), wy0);
	*y1 = fmin(fmax(*y0, *y1), wy1);
	return *x1 > *x0 && *y1 > *y0;
}

void hx_plot_bars(hx_plot *p, const double *left, const double *right, const double *h, size_t n,
		  hx_plot_color c, int outline)
{
	size_t i;
	if (p->failed)
		return;
	for (i = 0; i < n; i++) {
		double x0 = left[i], x1 = right[i], y0 = 0, y1 = h[i], x[5], y[5];
		if (!clip_rect(p, &x0, &x1, &y0, &y1))
			continue;
		rect_path(x0, x1, y0, y1, x, y);
		set_color(c);
		fill_poly(x, y, 4);
		if (outline) {
			begin_mark(HX_PLOT_BLACK, HX_PLOT_SOLID, 0.6);
			PL(plline)(5, x, y);
			end_mark();
		}
	}
}

void hx_plot_rect(hx_plot *p, double x0, double x1, double y0, double y1, hx_plot_color c)
{
	double x[5], y[5];
	if (p->failed)
		return;
	if (!clip_rect(p, &x0, &x1, &y0, &y1))
		return;
	rect_path(x0, x1, y0, y1, x, y);
	set_fill(c);
	fill_poly(x, y, 4);
}

void hx_plot_vline(hx_plot *p, double x, hx_plot_color c, hx_plot_style s)
{
	if (p->failed)
		return;
	begin_mark(c, s, 1.2);
	segment(x, p->y0, x, p->y1);
	end_mark();
}

void hx_plot_hline(hx_plot *p, double y, hx_plot_color c, hx_plot_style s)
{
	if (p->failed)
		return;
	begin_mark(c, s, 1.2);
	segment(p->x0, y, p->x1, y);
	end_mark();
}

void hx_plot_text(hx_plot *p, double x, double y, double just, const char *s, hx_plot_color c)
{
	char *t;
	if (p->failed)
		return;
	if (!s || !*s || !isfinite(x) || !isfinite(y))
		return;
	t = plain_text(s);
	set_color(c);
	PL(plptex)(x, y, 1, 0, just, t);
	free(t);
}

void hx_plot_legend(hx_plot *p, const hx_plot_key *keys, size_t n, int corner)
{
	double row = 17, pad = 6, sample = 24, w = 0, h, bx0, by1, x[5], y[5];
	size_t i;
	if (p->failed)
		return;
	if (n == 0)
		return;
	for (i = 0; i < n; i++) {
		double lw = 6.6 * (double)strlen(keys[i].label ? keys[i].label : "");
		if (lw > w)
			w = lw;
	}
	w += sample + 3 * pad;
	h = row * (double)n + pad;
	/* top-left corner of the box, in pixels of the page */
	bx0 = (corner == 0 || corner == 3) ? p->px1 - 8 - w : p->px0 + 8;
	by1 = (corner == 0 || corner == 2) ? p->py1 - 8 : p->py0 + 8 + h;
#define WX(px) (p->x0 + ((px) - p->px0) * (p->x1 - p->x0) / (p->px1 - p->px0))
#define WY(py) (p->y0 + ((py) - p->py0) * (p->y1 - p->y0) / (p->py1 - p->py0))
	rect_path(WX(bx0), WX(bx0 + w), WY(by1 - h), WY(by1), x, y);
	PL(plcol0)(0);
	fill_poly(x, y, 4);
	begin_mark(HX_PLOT_GREY, HX_PLOT_SOLID, 0.6);
	PL(plline)(5, x, y);
	end_mark();
	for (i = 0; i < n; i++) {
		const hx_plot_key *k = &keys[i];
		double cy = by1 - pad / 2 - row * ((double)i + 0.5);
		double sx0 = bx0 + pad, sx1 = sx0 + sample;
		switch (k->kind) {
		case HX_PLOT_KEY_POINT:
			set_color(k->color);
			symbol_at(p, WX((sx0 + sx1) / 2), WY(cy), k->symbol);
			break;
		case HX_PLOT_KEY_BOX:
			rect_path(WX(sx0 + 4), WX(sx1 - 4), WY(cy - 5), WY(cy + 5), x, y);
			set_color(k->color);
			fill_poly(x, y, 4);
			break;
		default:
			begin_mark(k->color, k->style, 1.6);
			segment(WX(sx0), WY(cy), WX(sx1), WY(cy));
			end_mark();
			break;
		}
		hx_plot_text(p, WX(sx1 + pad), WY(cy - 4), 0, k->label, HX_PLOT_BLACK);
	}
#undef WX
#undef WY
}

/* A sequential palette (viridis' end points and three between): dark to
 * light, so it reads in grey too. */
static void heat_palette(void)
{
	static PLFLT pos[] = {0, 0.25, 0.5, 0.75, 1};
	static PLFLT r[] = {68 / 255., 59 / 255., 33 / 255., 93 / 255., 253 / 255.};
	static PLFLT g[] = {1 / 255., 82 / 255., 144 / 255., 200 / 255., 231 / 255.};
	static PLFLT b[] = {84 / 255., 139 / 255., 140 / 255., 99 / 255., 37 / 255.};
	PL(plscmap1n)(256);
	PL(plscmap1l)(1, 5, pos, r, g, b, NULL);
}

static double heat_frac(double z, double zmin, double zmax)
{
	double f = zmax > zmin ? (z - zmin) / (zmax - zmin) : 0.5;
	return f < 0 ? 0 : f > 1 ? 1 : f;
}

static void heat_cells(hx_plot *p, const hx_plot_heatmap_spec *h)
{
	size_t i, j;
	char label[64];
	for (i = 0; i < h->nx; i++) {
		for (j = 0; j < h->ny; j++) {
			double z = h->z[i * h->ny + j], x[5], y[5], f = 0;
			rect_path((double)i - 0.5, (double)i + 0.5, (double)j - 0.5, (double)j + 0.5,
				  x, y);
			if (isfinite(z)) {
				f = heat_frac(z, h->zmin, h->zmax);
				PL(plcol1)(f);
			} else {
				set_color(HX_PLOT_LIGHTGREY);
			}
			fill_poly(x, y, 4);
			if (!h->cell_fmt || !isfinite(z) || h->nx * h->ny > 400)
				continue;
			snprintf(label, sizeof(label), h->cell_fmt, z);
			hx_plot_text(p, (double)i, (double)j - dy_px(p, 4), 0.5, label,
				     f < 0.6 ? WHITE : HX_PLOT_BLACK);
		}
	}
}

void hx_plot_heatmap(hx_plot *p, const hx_plot_heatmap_spec *h)
{
	double zmin = h->zmin, zmax = h->zmax;
	size_t k;
	const int steps = 48;
	if (p->failed)
		return;

	heat_palette();
	set_window(p, VP_LEFT + 0.04, VP_RIGHT_HEATMAP, VP_BOTTOM, VP_TOP, -0.5,
		   (double)h->nx - 0.5, -0.5, (double)h->ny - 0.5);
	heat_cells(p, h);
	set_color(HX_PLOT_BLACK);
	PL(plbox)("bc", 0, 0, "bc", 0, 0);
	category_labels(p, h->xcats, h->nx, 1);
	category_labels(p, h->ycats, h->ny, 0);
	mtex("t", 1.2, 0.5, 0.5, h->title);
	mtex("b", 3.0, 0.5, 0.5, h->xlabel);
	mtex("l", 5.0, 0.5, 0.5, h->ylabel);

	fix_range(&zmin, &zmax);
	PL(plvpor)(VP_RIGHT_HEATMAP + 0.04, VP_RIGHT_HEATMAP + 0.07, VP_BOTTOM, VP_TOP);
	PL(plwind)(0, 1, zmin, zmax);
	for (k = 0; k < (size_t)steps; k++) {
		double z0 = zmin + (zmax - zmin) * (double)k / steps;
		double z1 = zmin + (zmax - zmin) * (double)(k + 1) / steps, x[5], y[5];
		rect_path(0, 1, z0, z1, x, y);
		PL(plcol1)(((double)k + 0.5) / steps);
		fill_poly(x, y, 4);
	}
	set_color(HX_PLOT_BLACK);
	PL(plbox)("bc", 0, 0, "bcmstv", 0, 0);
	mtex("r", 5.0, 0.5, 0.5, h->zlabel);
	/* marks after this go to the cells' window */
	PL(plvpor)(VP_LEFT + 0.04, VP_RIGHT_HEATMAP, VP_BOTTOM, VP_TOP);
	PL(plwind)(p->x0, p->x1, p->y0, p->y1);
}

int hx_plot_end(hx_plot *p, hx_buf *svg)
{
	int err = 0;
	if (p->failed) {
		hx_error_set("%s", pl_error);
		err = HX_ESYSTEM;
		goto done;
	}
	PL(plend)();
	if (!p->closed)
		fclose(p->file);
	if (p->len == 0)
		hx_error_set("plot: the svg driver wrote nothing"), err = HX_ESYSTEM;
	else
		hx_buf_put(svg, p->data, p->len);
done:
	free(p->data);
	free(p);
	pthread_mutex_unlock(&plot_lock);
	return err;
}
