/* series/series_runs.c - a runs step: the engine over grid x profiles x
 * repeats on the worker pool, each run with its own seed and its own fresh
 * telemetry file (series_run.h). */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "canon.h"
#include "error.h"
#include "exec.h"
#include "fsutil.h"
#include "json.h"
#include "plan.h"
#include "pool.h"
#include "series/csv.h"
#include "series/series_run.h"
#include "spec_engine.h"
#include "telemetry.h"
#include "template.h"

#define STDERR_KEEP 4096   /* bytes of stderr kept per run (for the reason) */
#define REASON_MAX 200     /* bytes of stderr's last line in a reason */

/* What a run leaves in its slot. */
typedef struct {
	int ok;
	char *error;
	int has_hash;
	char hash[HX_HASH_HEX_LEN];
} run_slot;

typedef struct {
	const hx_series_spec *s;
	const hx_series_step *st;
	const char *step_name;
	const char *work_dir; /* absolute */
	char *step_dir;       /* absolute */
	hx_series_run_plan *plan;
	size_t n;
	run_slot *slots;
	const atomic_int *cancel;
	hx_progress progress;
	hx_buf *table, *csv;
	atomic_size_t failed;
} runs_ctx;

/* Template values of one run. */
typedef struct {
	const runs_ctx *c;
	const hx_series_run_plan *r;
	size_t index;
	char seed[24], repeat[24], run[24];
	const char *telemetry_path;
	hx_buf scratch[8];
	int nscratch;
} run_vars;

static const char *lookup(void *ctx, const char *name, size_t n)
{
	run_vars *v = ctx;
	const hx_series_step *st = v->c->st;
	size_t i;
#define IS(lit) (n == sizeof(lit) - 1 && memcmp(name, lit, n) == 0)
	if (IS("profile"))
		return v->r->profile;
	if (IS("repeat"))
		return v->repeat;
	if (IS("run"))
		return v->run;
	if (IS("seed"))
		return v->seed;
	if (IS("label"))
		return v->r->label ? v->r->label : "";
	if (IS("telemetry_path"))
		return v->telemetry_path ? v->telemetry_path : "";
	if (IS("step_dir"))
		return v->c->step_dir;
	if (IS("experiment"))
		return v->c->s->experiment;
	if (IS("step"))
		return v->c->step_name;
	if (IS("root"))
		return v->c->s->engine.root ? v->c->s->engine.root : v->c->s->dir;
#undef IS
	for (i = 0; i < v->r->nparams; i++) {
		if (strlen(v->r->param_names[i]) == n && memcmp(v->r->param_names[i], name, n) == 0) {
			const hx_cval *val = &v->r->param_values[i];
			hx_buf *b;
			if (val->type == HX_CVAL_STRING)
				return val->str;
			if (v->nscratch == 8)
				return "";
			b = &v->scratch[v->nscratch++];
			hx_canon_write_number(b, val->num);
			return b->ptr;
		}
	}
	(void)st;
	return NULL;
}

static void vars_init(run_vars *v, const runs_ctx *c, size_t i)
{
	memset(v, 0, sizeof(*v));
	v->c = c;
	v->r = &c->plan[i];
	v->index = i;
	snprintf(v->seed, sizeof(v->seed), "%" PRIu64, v->r->seed);
	snprintf(v->repeat, sizeof(v->repeat), "%ld", v->r->repeat);
	snprintf(v->run, sizeof(v->run), "%zu", i);
}

static void vars_release(run_vars *v)
{
	int i;
	for (i = 0; i < v->nscratch; i++)
		hx_buf_release(&v->scratch[i]);
}

/* A label as a file name: [A-Za-z0-9._=+-] kept, the rest '_'. */
static char *file_name_of(const char *label)
{
	char *s = hx_xstrdup(label), *p;
	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '.' || *p == '_' || *p == '=' || *p == '+' || *p == '-'))
			*p = '_';
	if (s[0] == '.')
		s[0] = '_';
	return s;
}

static void plan_release(hx_series_run_plan *plan, size_t n)
{
	size_t i, j;
	for (i = 0; i < n; i++) {
		free(plan[i].label);
		for (j = 0; j < plan[i].nparams; j++) {
			free(plan[i].param_names[j]);
			hx_cval_release(&plan[i].param_values[j]);
		}
		free(plan[i].param_names);
		free(plan[i].param_values);
		free(plan[i].telemetry_rel);
	}
	free(plan);
}

/* The default label: EXPERIMENT_PROFILE[_NAMEVALUE...]_rREPEAT. */
static void default_label(hx_buf *b, const runs_ctx *c, const hx_series_run_plan *r)
{
	size_t i;
	hx_buf_printf(b, "%s_%s", c->s->experiment, r->profile);
	for (i = 0; i < c->st->ngrid; i++) {
		hx_buf_printf(b, "_%s", r->param_names[i]);
		if (r->param_values[i].type == HX_CVAL_STRING)
			hx_buf_puts(b, r->param_values[i].str);
		else
			hx_canon_write_number(b, r->param_values[i].num);
	}
	hx_buf_printf(b, "_r%ld", r->repeat);
}

/* Plan the runs: profiles, then grid points (first axis slowest), then
 * repeats; labels unique (as file names too). */
static int make_plan(runs_ctx *c)
{
	const hx_series_step *st = c->st;
	size_t points = 1, i, j, k, idx = 0, np = st->ngrid + st->nvars;
	size_t *digit = hx_xcalloc(st->ngrid + 1, sizeof(size_t));
	int err = 0;

	for (i = 0; i < st->ngrid; i++)
		points *= st->grid[i].n;
	c->n = st->nprofiles * points * (size_t)st->repeats;
	c->plan = hx_xcalloc(c->n ? c->n : 1, sizeof(hx_series_run_plan));
	for (i = 0; i < st->nprofiles; i++) {
		size_t pt;
		memset(digit, 0, (st->ngrid + 1) * sizeof(size_t));
		for (pt = 0; pt < points; pt++) {
			long rep;
			for (rep = 1; rep <= st->repeats; rep++) {
				hx_series_run_plan *r = &c->plan[idx];
				r->profile = st->profiles[i];
				r->repeat = rep;
				r->seed = hx_plan_seed(c->s->seed, c->s->experiment, c->step_name,
						       (uint64_t)idx);
				r->param_names = hx_xcalloc(np ? np : 1, sizeof(char *));
				r->param_values = hx_xcalloc(np ? np : 1, sizeof(hx_cval));
				for (j = 0; j < st->ngrid; j++) {
					r->param_names[j] = hx_xstrdup(st->grid[j].name);
					hx_cval_copy(&r->param_values[j], &st->grid[j].values[digit[j]]);
				}
				for (j = 0; j < st->nvars; j++) {
					r->param_names[st->ngrid + j] = hx_xstrdup(st->var_names[j]);
					hx_cval_from_text(&r->param_values[st->ngrid + j],
							  st->var_values[j]);
				}
				r->nparams = np;
				idx++;
			}
			/* next grid point: the last axis fastest */
			for (k = st->ngrid; k-- > 0;) {
				if (++digit[k] < st->grid[k].n)
					break;
				digit[k] = 0;
			}
		}
	}
	free(digit);
	for (i = 0; i < c->n && !err; i++) {
		hx_series_run_plan *r = &c->plan[i];
		hx_buf b = HX_BUF_INIT;
		char *fname;
		if (st->label) {
			run_vars v;
			vars_init(&v, c, i);
			err = hx_template_expand(&b, st->label, lookup, &v, "");
			vars_release(&v);
		} else {
			default_label(&b, c, r);
		}
		r->label = hx_buf_detach(&b, NULL);
		fname = file_name_of(r->label);
		hx_buf_printf(&b, "%s/telemetry/%s.jsonl", c->step_name, fname);
		free(fname);
		r->telemetry_rel = hx_buf_detach(&b, NULL);
		for (j = 0; j < i && !err; j++) {
			if (strcmp(c->plan[j].telemetry_rel, r->telemetry_rel) == 0) {
				hx_error_set("%s: step '%s': runs %zu and %zu get the same label '%s'%s; "
					     "make the label tell them apart (e.g. with {repeat})",
					     c->s->path, c->step_name, j, i, r->label,
					     strcmp(c->plan[j].label, r->label) ? " (as a file name)" : "");
				err = HX_EINVALID;
			}
		}
	}
	return err;
}

/* The last non-empty line of a stream's tail, cleaned, at most REASON_MAX
 * bytes. */
static void last_line(hx_buf *out, const hx_buf *b)
{
	size_t end = b->len, start;
	while (end > 0 && (b->ptr[end - 1] == '\n' || b->ptr[end - 1] == '\r' || b->ptr[end - 1] == ' '))
		end--;
	start = end;
	while (start > 0 && b->ptr[start - 1] != '\n')
		start--;
	if (end - start > REASON_MAX)
		start = end - REASON_MAX;
	if (end > start)
		hx_utf8_sanitize(out, b->ptr + start, end - start);
}

void hx_series_exit_reason(hx_buf *out, const hx_proc_result *pr, const char *prog,
			   double timeout_s, long memory_limit_mb)
{
	if (pr->status == HX_PROC_EXEC_FAILED)
		hx_buf_printf(out, "cannot run '%s': %s", prog, strerror(pr->exec_errno));
	else if (pr->limit == HX_LIMIT_TIMEOUT)
		hx_buf_printf(out, "timed out after %g s", timeout_s);
	else if (pr->limit == HX_LIMIT_MEMORY)
		hx_buf_printf(out, "out of memory (limit %ld MB)", memory_limit_mb);
	else if (pr->status == HX_PROC_SIGNALED)
		hx_buf_printf(out, "killed by signal %d (%s)", pr->signal, strsignal(pr->signal));
	else if (pr->exit_code != 0)
		hx_buf_printf(out, "engine exited with status %d", pr->exit_code);
}

void hx_series_reason_tail(hx_buf *reason, const hx_proc_result *pr)
{
	if (reason->len && pr->status != HX_PROC_EXEC_FAILED && pr->err.len) {
		hx_buf line = HX_BUF_INIT;
		last_line(&line, &pr->err);
		if (line.len)
			hx_buf_printf(reason, ": %s", line.ptr);
		hx_buf_release(&line);
	}
}

static void set_reason(run_slot *slot, const hx_proc_result *pr, const char *prog,
		       const runs_ctx *c, const char *tele_rel, int have_file)
{
	hx_buf b = HX_BUF_INIT;
	hx_series_exit_reason(&b, pr, prog, c->st->timeout_s, c->s->engine.memory_limit_mb);
	if (!b.len && !have_file)
		hx_buf_printf(&b, "no telemetry written to '%s'", tele_rel);
	hx_series_reason_tail(&b, pr);
	if (b.len) {
		slot->ok = 0;
		slot->error = hx_buf_detach(&b, NULL);
	} else {
		slot->ok = 1;
	}
	hx_buf_release(&b);
}

int hx_series_exec(hx_proc_result *pr, char **prog, const hx_series_spec *s,
		   const hx_series_step *st, hx_template_lookup expand, void *ctx,
		   size_t capture_max, const atomic_int *cancel)
{
	const hx_spec_engine *e = &s->engine;
	char **argv = NULL, **overrides = NULL, **step_env = NULL, **env = NULL, **merged = NULL;
	hx_buf cwd = HX_BUF_INIT;
	hx_proc_options o;
	const char *known = "(see the spec)";
	size_t ne, ns, k;
	int err;

	*prog = NULL;
	if ((err = hx_template_expand_all(&argv, e->command, expand, ctx, known)) != 0 ||
	    (e->env && (err = hx_template_expand_all(&overrides, e->env, expand, ctx, known)) != 0) ||
	    (st->env && (err = hx_template_expand_all(&step_env, st->env, expand, ctx, known)) != 0) ||
	    (e->cwd && (err = hx_template_expand(&cwd, e->cwd, expand, ctx, known)) != 0))
		goto done;
	/* the step's env over the engine's */
	ne = hx_strv_len((const char *const *)overrides);
	ns = hx_strv_len((const char *const *)step_env);
	merged = hx_xcalloc(ne + ns + 1, sizeof(char *));
	for (k = 0; k < ne; k++)
		merged[k] = overrides[k];
	for (k = 0; k < ns; k++)
		merged[ne + k] = step_env[k];
	env = hx_proc_env((const char *const *)merged);
	memset(&o, 0, sizeof(o));
	o.argv = (const char *const *)argv;
	o.env = (const char *const *)env;
	o.cwd = cwd.len ? cwd.ptr : (e->root ? e->root : s->dir);
	o.timeout_s = st->timeout_s;
	o.grace_s = e->grace_s;
	o.memory_limit_mb = e->memory_limit_mb;
	o.capture_max = capture_max;
	o.cancel = cancel;
	err = hx_proc_run(pr, &o);
	if (!err && pr->limit == HX_LIMIT_CANCELED)
		err = HX_EINTERRUPTED;
	*prog = hx_xstrdup(argv[0]);
done:
	free(merged);
	hx_strv_free(argv);
	hx_strv_free(overrides);
	hx_strv_free(step_env);
	hx_strv_free(env);
	hx_buf_release(&cwd);
	return err;
}

static int run_one(void *ctx, size_t i, int worker)
{
	runs_ctx *c = ctx;
	const hx_series_run_plan *r = &c->plan[i];
	run_slot *slot = &c->slots[i];
	char *tele = hx_path_join(c->work_dir, r->telemetry_rel), *prog = NULL;
	hx_proc_result pr;
	run_vars v;
	int err;

	vars_init(&v, c, i);
	v.telemetry_path = tele;
	hx_progress_begin(&c->progress, worker, r->label, HX_TIER_BALANCED, hx_progress_now());
	/* A fresh file: the engine appends. */
	if (unlink(tele) != 0 && errno != ENOENT) {
		hx_error_set_errno(errno, "cannot remove '%s'", tele);
		err = HX_ESYSTEM;
		goto done;
	}
	hx_proc_result_init(&pr);
	err = hx_series_exec(&pr, &prog, c->s, c->st, lookup, &v, STDERR_KEEP, c->cancel);
	if (!err) {
		int have = hx_path_exists(tele);
		set_reason(slot, &pr, prog, c, r->telemetry_rel, have);
		if (have && hx_hash128_file(slot->hash, tele) == 0)
			slot->has_hash = 1;
		if (!slot->ok)
			atomic_fetch_add(&c->failed, 1);
	}
	hx_proc_result_release(&pr);
done:
	hx_progress_end(&c->progress, worker);
	vars_release(&v);
	free(prog);
	free(tele);
	return err;
}

static void write_value_json(hx_buf *b, const hx_cval *v)
{
	if (v->type == HX_CVAL_STRING)
		hx_canon_write_cstr(b, v->str);
	else
		hx_canon_write_number(b, v->num);
}

/* One table line (keys in RFC 8785 order) and one CSV line. */
static void table_line(runs_ctx *c, size_t i)
{
	const hx_series_run_plan *r = &c->plan[i];
	const run_slot *slot = &c->slots[i];
	hx_buf *b = c->table;
	size_t j, *order = hx_xcalloc(r->nparams ? r->nparams : 1, sizeof(size_t)), n = r->nparams;

	/* params sorted by name for the canonical object */
	for (j = 0; j < n; j++)
		order[j] = j;
	for (j = 1; j < n; j++) {
		size_t k = j, t = order[j];
		while (k > 0 && strcmp(r->param_names[order[k - 1]], r->param_names[t]) > 0) {
			order[k] = order[k - 1];
			k--;
		}
		order[k] = t;
	}
	hx_buf_puts(b, "{\"error\":");
	if (slot->ok)
		hx_buf_puts(b, "null");
	else
		hx_canon_write_cstr(b, slot->error);
	hx_buf_puts(b, ",\"label\":");
	hx_canon_write_cstr(b, r->label);
	hx_buf_puts(b, ",\"params\":{");
	for (j = 0; j < n; j++) {
		if (j)
			hx_buf_putc(b, ',');
		hx_canon_write_cstr(b, r->param_names[order[j]]);
		hx_buf_putc(b, ':');
		write_value_json(b, &r->param_values[order[j]]);
	}
	hx_buf_puts(b, "},\"profile\":");
	hx_canon_write_cstr(b, r->profile);
	hx_buf_printf(b, ",\"repeat\":%ld,\"run\":%zu,\"seed\":\"%" PRIu64 "\",\"status\":\"%s\"",
		      r->repeat, i, r->seed, slot->ok ? "ok" : "failed");
	hx_buf_puts(b, ",\"telemetry\":");
	hx_canon_write_cstr(b, r->telemetry_rel);
	hx_buf_puts(b, ",\"telemetry_hash\":");
	if (slot->has_hash)
		hx_canon_write_cstr(b, slot->hash);
	else
		hx_buf_puts(b, "null");
	hx_buf_puts(b, "}\n");
	free(order);

	/* CSV: run,label,profile,repeat,seed,<params>,status,error,telemetry */
	b = c->csv;
	hx_buf_printf(b, "%zu,", i);
	hx_series_csv_string(b, r->label);
	hx_buf_putc(b, ',');
	hx_series_csv_string(b, r->profile);
	hx_buf_printf(b, ",%ld,%" PRIu64, r->repeat, r->seed);
	for (j = 0; j < n; j++) {
		hx_buf_putc(b, ',');
		if (r->param_values[j].type == HX_CVAL_STRING)
			hx_series_csv_string(b, r->param_values[j].str);
		else
			hx_series_csv_number(b, r->param_values[j].num);
	}
	hx_buf_printf(b, ",%s,", slot->ok ? "ok" : "failed");
	if (!slot->ok)
		hx_series_csv_string(b, slot->error);
	hx_buf_putc(b, ',');
	hx_series_csv_string(b, r->telemetry_rel);
	hx_buf_putc(b, '\n');
}

static int flush_runs(void *ctx, size_t from, size_t to)
{
	runs_ctx *c = ctx;
	size_t i;
	for (i = from; i < to; i++)
		table_line(c, i);
	return 0;
}

static void tick_runs(void *ctx, size_t done)
{
	runs_ctx *c = ctx;
	double t = hx_progress_now();
	if (hx_progress_tick(&c->progress, done, t) && done < c->n) {
		hx_buf extra = HX_BUF_INIT;
		size_t f = atomic_load(&c->failed);
		if (f)
			hx_buf_printf(&extra, "failed=%zu", f);
		hx_progress_print(&c->progress, done, t, extra.ptr ? extra.ptr : "");
		hx_buf_release(&extra);
	}
}

int hx_series_step_runs(const hx_series_spec *s, size_t step, const char *work_dir,
			int workers, hx_progress_mode progress, const char *plabel,
			const atomic_int *cancel, hx_buf *table, hx_buf *csv, size_t *runs, size_t *failed)
{
	runs_ctx c;
	hx_pool_options po;
	hx_buf label = HX_BUF_INIT;
	char *tdir = NULL;
	size_t i, flushed = 0;
	int err;

	memset(&c, 0, sizeof(c));
	c.s = s;
	c.st = &s->steps[step];
	c.step_name = c.st->name;
	c.work_dir = work_dir;
	c.step_dir = hx_path_join(work_dir, c.step_name);
	c.cancel = cancel;
	c.table = table;
	c.csv = csv;
	if ((err = make_plan(&c)) != 0)
		goto done;
	tdir = hx_path_join(c.step_dir, "telemetry");
	if ((err = hx_mkdirs(tdir, 0777)) != 0)
		goto done;
	hx_buf_puts(csv, "run,label,profile,repeat,seed");
	if (c.n)
		for (i = 0; i < c.plan[0].nparams; i++) {
			hx_buf_putc(csv, ',');
			hx_series_csv_string(csv, c.plan[0].param_names[i]);
		}
	hx_buf_puts(csv, ",status,error,telemetry\n");
	c.slots = hx_xcalloc(c.n ? c.n : 1, sizeof(run_slot));
	hx_buf_printf(&label, "%s: %s: %s", plabel ? plabel : "harness run", s->experiment,
		      c.step_name);
	hx_progress_init(&c.progress, progress, label.ptr, "runs", c.n, 0,
			 workers < 1 ? 1 : workers, hx_progress_now());
	memset(&po, 0, sizeof(po));
	po.n = c.n;
	po.workers = workers;
	po.ctx = &c;
	po.run = run_one;
	po.flush = flush_runs;
	po.tick = tick_runs;
	po.cancel = cancel;
	err = hx_pool_run(&po, &flushed);
	hx_progress_finish(&c.progress);
	hx_progress_release(&c.progress);
	*runs = c.n;
	*failed = atomic_load(&c.failed);
done:
	if (c.slots) {
		for (i = 0; i < c.n; i++)
			free(c.slots[i].error);
		free(c.slots);
	}
	if (c.plan)
		plan_release(c.plan, c.n);
	free(c.step_dir);
	free(tdir);
	hx_buf_release(&label);
	return err;
}
