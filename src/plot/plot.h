/* plot.h - figures as SVG: the one module that uses PLplot.
 *
 * Why PLplot: it is the C world's scientific plotting library, packaged by
 * Debian (libplplot-dev), and its `svg` driver writes plain SVG 1.1 text
 * with no clock, host name or random id in it, so the same data gives the
 * same bytes: figures can be snapshot and archived like everything else.
 * Text is drawn as SVG <text> in a generic sans-serif family (the viewer's
 * font), so the files stay small and no font is embedded. cairo's SVG
 * surface, the alternative, writes glyph outlines and surface ids.
 *
 * PLplot keeps its state in globals: one figure is drawn at a time (a
 * mutex taken by hx_plot_begin and released by hx_plot_end), and a figure
 * is drawn start to finish by one thread.
 *
 * A figure is one panel: hx_plot_begin, one frame call (hx_plot_frame or
 * hx_plot_heatmap, which draws its own), then any of the marks in world
 * coordinates of that frame, then hx_plot_end, which appends the SVG text
 * to a buffer. Marks outside the frame are clipped to it. NaN or infinite
 * values in a mark's data are skipped (a line is broken there).
 *
 * Colours are the Okabe-Ito palette (distinguishable with the common
 * colour-vision deficiencies), plus black and greys.
 */
#ifndef HX_PLOT_H
#define HX_PLOT_H

#include <stddef.h>

#include "buf.h"

typedef enum {
	HX_PLOT_BLACK,
	HX_PLOT_ORANGE,     /* #E69F00 */
	HX_PLOT_SKYBLUE,    /* #56B4E9 */
	HX_PLOT_GREEN,      /* #009E73 (bluish green) */
	HX_PLOT_YELLOW,     /* #F0E442 */
	HX_PLOT_BLUE,       /* #0072B2 */
	HX_PLOT_VERMILLION, /* #D55E00 */
	HX_PLOT_PURPLE,     /* #CC79A7 (reddish purple) */
	HX_PLOT_GREY,       /* #999999 */
	HX_PLOT_LIGHTGREY,  /* #DDDDDD: fills behind data */
	HX_PLOT_NCOLORS
} hx_plot_color;

/* The n-th colour of a series of distinct ones (A/B, families, profiles):
 * blue, orange, green, vermillion, skyblue, purple, yellow, then again. */
hx_plot_color hx_plot_series_color(size_t i);

typedef enum { HX_PLOT_SOLID, HX_PLOT_DASHED, HX_PLOT_DOTTED } hx_plot_style;

typedef enum { HX_PLOT_CIRCLE, HX_PLOT_SQUARE, HX_PLOT_TRIANGLE, HX_PLOT_DIAMOND } hx_plot_symbol;

typedef struct hx_plot hx_plot;

/* Start a figure of width x height CSS pixels (e.g. 640 x 400). Takes the
 * drawing lock; never NULL (out of memory aborts). */
hx_plot *hx_plot_begin(int width, int height);

/* The axes: a box over [xmin, xmax] x [ymin, ymax] with ticks and
 * numbers, a title above and the labels (any may be NULL). An empty or
 * non-finite range is widened to something drawable. */
typedef struct {
	const char *title;
	const char *xlabel;
	const char *ylabel;
	double xmin, xmax, ymin, ymax;
	int grid;           /* light grid lines at the major ticks */
	int logx;           /* x is log10 scaled: give xmin/xmax and the marks'
			     * x as log10 values; the numbers read 10^k */
	const char *const *xcats; /* non-NULL: the x axis is categorical, with
				   * ncats labels at x = 0 .. ncats-1 (then
				   * xmin/xmax are normally -0.5, ncats-0.5) */
	size_t ncats;
} hx_plot_axes;

void hx_plot_frame(hx_plot *p, const hx_plot_axes *a);

/* A polyline through (x[i], y[i]). */
void hx_plot_line(hx_plot *p, const double *x, const double *y, size_t n, hx_plot_color c,
		  hx_plot_style s);
/* A right-continuous step function: the value y[i] from x[i] to x[i+1]
 * (survival curves, ECDFs); the last step is drawn to x_end. */
void hx_plot_step(hx_plot *p, const double *x, const double *y, size_t n, double x_end,
		  hx_plot_color c, hx_plot_style s);
/* A band between two step functions lo and hi (as hx_plot_step draws
 * them), filled light in c: one polygon, however many steps. */
void hx_plot_step_band(hx_plot *p, const double *x, const double *lo, const double *hi, size_t n,
		       double x_end, hx_plot_color c);
/* Marks at (x[i], y[i]). */
void hx_plot_points(hx_plot *p, const double *x, const double *y, size_t n, hx_plot_color c,
		    hx_plot_symbol sym);
/* Small + marks on a step curve (censored observations). */
void hx_plot_ticks(hx_plot *p, const double *x, const double *y, size_t n, hx_plot_color c);
/* An interval with caps: vertical at x from lo to hi (vertical != 0), or
 * horizontal at y = x from lo to hi. */
void hx_plot_interval(hx_plot *p, double at, double lo, double hi, int vertical, hx_plot_color c);
/* Rectangles [left[i], right[i]] x [0, h[i]] (histograms, bars): filled
 * in c, outlined in black when outline != 0. */
void hx_plot_bars(hx_plot *p, const double *left, const double *right, const double *h, size_t n,
		  hx_plot_color c, int outline);
/* A filled rectangle (e.g. a budget's allowed region), drawn light. */
void hx_plot_rect(hx_plot *p, double x0, double x1, double y0, double y1, hx_plot_color c);
/* A full-height vertical line at x, or full-width horizontal at y. */
void hx_plot_vline(hx_plot *p, double x, hx_plot_color c, hx_plot_style s);
void hx_plot_hline(hx_plot *p, double y, hx_plot_color c, hx_plot_style s);
/* Text at (x, y) in world coordinates: just 0 left, 0.5 centred, 1 right
 * of x; the baseline a little below y. */
void hx_plot_text(hx_plot *p, double x, double y, double just, const char *s, hx_plot_color c);

/* The legend, in the top right (corner 0) or bottom left (1) or top left
 * (2) or bottom right (3) of the frame. */
typedef enum { HX_PLOT_KEY_LINE, HX_PLOT_KEY_POINT, HX_PLOT_KEY_BOX } hx_plot_key_kind;
typedef struct {
	const char *label;
	hx_plot_color color;
	hx_plot_key_kind kind;
	hx_plot_style style;   /* KEY_LINE */
	hx_plot_symbol symbol; /* KEY_POINT */
} hx_plot_key;
void hx_plot_legend(hx_plot *p, const hx_plot_key *keys, size_t n, int corner);

/* A heatmap, drawn instead of hx_plot_frame: z[i * ny + j] is the cell of
 * column i (x category xcats[i]) and row j (y category ycats[j]); NaN
 * cells are grey. A colour bar for [zmin, zmax] (a sequential palette
 * readable in grey and with colour-vision deficiencies) with zlabel is
 * drawn at the right, and each cell carries its value printed with
 * cell_fmt (a printf format for one double, e.g. "%.2f"; NULL: none). */
typedef struct {
	const char *title, *xlabel, *ylabel, *zlabel;
	const char *const *xcats;
	size_t nx;
	const char *const *ycats;
	size_t ny;
	const double *z;
	double zmin, zmax;
	const char *cell_fmt;
} hx_plot_heatmap_spec;
void hx_plot_heatmap(hx_plot *p, const hx_plot_heatmap_spec *h);

/* Finish the figure: its SVG document is appended to svg. Releases the
 * drawing lock and p. Returns 0, or HX_ESYSTEM (message set) when PLplot
 * failed to write. */
int hx_plot_end(hx_plot *p, hx_buf *svg);

/* Nice axis limits: [lo, hi] widened to round numbers, with a margin of
 * `pad` (a fraction of the span) when pad > 0. */
void hx_plot_nice_range(double *lo, double *hi, double pad);

#endif
