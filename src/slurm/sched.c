/* sched.c - talking to Slurm: sbatch, sacct, scontrol, scancel. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "exec.h"
#include "slurm/slurm.h"
#include "slurm/slurm_internal.h"

/* ---- states ---- */

void hx_slurm_states_release(hx_slurm_states *s)
{
	size_t i;
	for (i = 0; i < s->len; i++)
		free(s->v[i].state);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static void states_add(hx_slurm_states *s, int task, const char *state, size_t len)
{
	hx_slurm_task_state *v = realloc(s->v, (s->len + 1) * sizeof(*v));
	size_t n = 0;
	if (!v)
		abort();
	s->v = v;
	/* "CANCELLED by 0": the word is the state */
	while (n < len && !isspace((unsigned char)state[n]))
		n++;
	v[s->len].task = task;
	v[s->len].state = malloc(n + 1);
	if (!v[s->len].state)
		abort();
	memcpy(v[s->len].state, state, n);
	v[s->len].state[n] = '\0';
	s->len++;
}

const char *hx_slurm_states_get(const hx_slurm_states *s, int task)
{
	size_t i;
	/* the last word wins: a task listed twice (sacct keeps a requeued
	 * task's earlier record) is what it is now */
	const char *found = NULL;
	for (i = 0; i < s->len; i++)
		if (s->v[i].task == task)
			found = s->v[i].state;
	return found;
}

int hx_slurm_state_active(const char *state)
{
	static const char *const active[] = {
		"PENDING", "RUNNING", "SUSPENDED", "CONFIGURING", "COMPLETING", "REQUEUED",
		"REQUEUE_FED", "REQUEUE_HOLD", "RESIZING", "SIGNALING", "STAGE_OUT", "STOPPED",
		"RESV_DEL_HOLD", NULL};
	size_t i;
	if (!state)
		return 0;
	for (i = 0; active[i]; i++)
		if (strcmp(state, active[i]) == 0)
			return 1;
	return 0;
}

/* A task list "2", "2-3", "1,3-5", optionally "%M" at the end: each task
 * gets state. 0, or -1 when the text is not such a list. */
static int add_task_list(hx_slurm_states *out, const char *p, const char *end, const char *state,
			 size_t state_len)
{
	while (p < end && *p != '%') {
		char *e;
		long a = strtol(p, &e, 10), b = a, t;
		if (e == p || a < 0 || a >= HX_SLURM_SHARDS_MAX)
			return -1;
		p = e;
		if (p < end && *p == '-') {
			b = strtol(p + 1, &e, 10);
			if (e == p + 1 || b < a || b >= HX_SLURM_SHARDS_MAX)
				return -1;
			p = e;
		}
		for (t = a; t <= b; t++)
			states_add(out, (int)t, state, state_len);
		if (p < end && *p == ',')
			p++;
		else if (p < end && *p != '%')
			return -1;
	}
	return 0;
}

int hx_slurm_parse_sacct(hx_slurm_states *out, const char *job_id, const char *text)
{
	size_t idlen = strlen(job_id);
	const char *line = text;

	while (*line) {
		const char *eol = strchr(line, '\n'), *bar, *state;
		if (!eol)
			eol = line + strlen(line);
		bar = memchr(line, '|', (size_t)(eol - line));
		if (eol == line || (eol - line == 1 && line[0] == '\r')) {
			line = *eol ? eol + 1 : eol;
			continue;
		}
		if (!bar) {
			hx_error_set("sacct: cannot read the line '%.*s'", (int)(eol - line), line);
			return HX_EINVALID;
		}
		state = bar + 1;
		{
			const char *se = memchr(state, '|', (size_t)(eol - state));
			size_t slen = (size_t)((se ? se : eol) - state);
			while (slen && (state[slen - 1] == '\r' || state[slen - 1] == ' '))
				slen--;
			if ((size_t)(bar - line) >= idlen && memcmp(line, job_id, idlen) == 0) {
				const char *rest = line + idlen;
				if (rest == bar) {
					states_add(out, -1, state, slen);
				} else if (*rest == '_') {
					rest++;
					if (*rest == '[') {
						const char *close = memchr(rest, ']', (size_t)(bar - rest));
						if (!close || add_task_list(out, rest + 1, close, state, slen) != 0)
							goto bad;
					} else if (add_task_list(out, rest, bar, state, slen) != 0) {
						goto bad;
					}
				}
				/* "ID5" of a job 12345 with ID 123: another job */
			}
		}
		line = *eol ? eol + 1 : eol;
		continue;
	bad:
		hx_error_set("sacct: cannot read the job id of '%.*s'", (int)(eol - line), line);
		return HX_EINVALID;
	}
	return 0;
}

/* The value of "KEY=" in one record line of scontrol -o (words separated
 * by blanks), as [*v, *v + *len); 0 when absent. */
static int field(const char *line, const char *eol, const char *key, const char **v, size_t *len)
{
	size_t klen = strlen(key);
	const char *p = line;
	while (p < eol) {
		const char *w = p, *we;
		while (w < eol && *w == ' ')
			w++;
		we = w;
		while (we < eol && *we != ' ')
			we++;
		if ((size_t)(we - w) > klen && memcmp(w, key, klen) == 0 && w[klen] == '=') {
			*v = w + klen + 1;
			*len = (size_t)(we - *v);
			return 1;
		}
		p = we;
	}
	return 0;
}

int hx_slurm_parse_scontrol(hx_slurm_states *out, const char *job_id, const char *text)
{
	size_t idlen = strlen(job_id);
	const char *line = text;

	while (*line) {
		const char *eol = strchr(line, '\n'), *id, *arr, *task, *state;
		size_t idl, arrl, taskl, statel;
		if (!eol)
			eol = line + strlen(line);
		if (field(line, eol, "JobId", &id, &idl) && field(line, eol, "JobState", &state, &statel)) {
			if (field(line, eol, "ArrayJobId", &arr, &arrl)) {
				if (arrl == idlen && memcmp(arr, job_id, idlen) == 0 &&
				    field(line, eol, "ArrayTaskId", &task, &taskl) &&
				    add_task_list(out, task, task + taskl, state, statel) != 0) {
					hx_error_set("scontrol: cannot read the task ids '%.*s'", (int)taskl,
						     task);
					return HX_EINVALID;
				}
			} else if (idl == idlen && memcmp(id, job_id, idlen) == 0) {
				states_add(out, -1, state, statel);
			}
		}
		line = *eol ? eol + 1 : eol;
	}
	return 0;
}

/* ---- running Slurm's commands ---- */

/* Run argv; 0 with *res filled (whatever the exit), HX_EENGINE when the
 * program is not there, HX_ESYSTEM when it could not be run. */
static int run_cmd(hx_proc_result *res, const char *const *argv)
{
	hx_proc_options opt;
	int err;
	memset(&opt, 0, sizeof(opt));
	opt.argv = argv;
	opt.timeout_s = 120;
	err = hx_proc_run(res, &opt);
	if (err)
		return err;
	if (res->status == HX_PROC_EXEC_FAILED) {
		hx_error_set("'%s' is not installed (not found in PATH): this needs Slurm's commands",
			     argv[0]);
		return HX_EENGINE;
	}
	return 0;
}

static int ok(const hx_proc_result *r)
{
	return r->status == HX_PROC_EXITED && r->exit_code == 0 && r->limit == HX_LIMIT_NONE;
}

/* The last nonblank line of what a command wrote on stderr, without the
 * "sbatch: error: " in front. */
static void last_line(hx_buf *out, const hx_buf *err, const char *prog)
{
	const char *s = err->ptr ? err->ptr : "", *end = s + err->len, *b, *p;
	hx_buf pre = HX_BUF_INIT;
	while (end > s && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
		end--;
	b = end;
	while (b > s && b[-1] != '\n')
		b--;
	hx_buf_printf(&pre, "%s: error: ", prog);
	p = b;
	if ((size_t)(end - p) >= pre.len && memcmp(p, pre.ptr, pre.len) == 0)
		p += pre.len;
	hx_buf_put(out, p, (size_t)(end - p));
	hx_buf_release(&pre);
}

int hx_slurm_query(hx_slurm_states *out, const char *job_id)
{
	hx_proc_result r;
	const char *sacct[] = {"sacct", "-n", "-P", "-X", "-o", "JobID,State", "-j", job_id, NULL};
	const char *scontrol[] = {"scontrol", "-o", "show", "job", job_id, NULL};
	int err;

	memset(out, 0, sizeof(*out));
	err = run_cmd(&r, sacct);
	if (err == 0 && ok(&r) && r.out.len) {
		hx_buf_putc(&r.out, '\0');
		if (hx_slurm_parse_sacct(out, job_id, r.out.ptr) == 0 && out->len) {
			out->source = "sacct";
			hx_proc_result_release(&r);
			return 0;
		}
		hx_slurm_states_release(out);
	}
	if (err == 0)
		hx_proc_result_release(&r);
	/* no accounting (or it does not know the job yet): the controller's
	 * memory of it (MinJobAge after the end) */
	err = run_cmd(&r, scontrol);
	if (err == 0 && ok(&r) && r.out.len) {
		hx_buf_putc(&r.out, '\0');
		if (hx_slurm_parse_scontrol(out, job_id, r.out.ptr) == 0 && out->len)
			out->source = "scontrol";
		else
			hx_slurm_states_release(out);
	}
	if (err == 0)
		hx_proc_result_release(&r);
	hx_error_clear();
	return 0;
}

/* ---- the view of a run's submissions ---- */

int hx_slurm_view_get(hx_slurm_view *out, const hx_slurm_history *h)
{
	size_t i;
	memset(out, 0, sizeof(*out));
	out->array = calloc(h->len ? h->len : 1, sizeof(*out->array));
	out->merge = calloc(h->len ? h->len : 1, sizeof(*out->merge));
	if (!out->array || !out->merge)
		abort();
	out->len = h->len;
	for (i = 0; i < h->len; i++) {
		if (h->v[i].array_job)
			hx_slurm_query(&out->array[i], h->v[i].array_job);
		if (h->v[i].merge_job)
			hx_slurm_query(&out->merge[i], h->v[i].merge_job);
	}
	return 0;
}

void hx_slurm_view_release(hx_slurm_view *v)
{
	size_t i;
	for (i = 0; i < v->len; i++) {
		hx_slurm_states_release(&v->array[i]);
		hx_slurm_states_release(&v->merge[i]);
	}
	free(v->array);
	free(v->merge);
	memset(v, 0, sizeof(*v));
}

const char *hx_slurm_view_shard(const hx_slurm_view *v, const hx_slurm_history *h, int k,
				char job[64])
{
	size_t i, s;
	job[0] = '\0';
	for (i = h->len; i-- > 0;) {
		if (!h->v[i].array_job)
			continue;
		for (s = 0; s < h->v[i].nshards; s++)
			if (h->v[i].shards[s] == k)
				break;
		if (s == h->v[i].nshards)
			continue;
		snprintf(job, 64, "%s_%d", h->v[i].array_job, k);
		return i < v->len ? hx_slurm_states_get(&v->array[i], k) : NULL;
	}
	return NULL;
}

void hx_slurm_view_active(int **out, size_t *n, const hx_slurm_view *v, const hx_slurm_history *h,
			  int shards)
{
	char job[64];
	int k;
	*out = NULL;
	*n = 0;
	for (k = 0; k < shards; k++) {
		if (!hx_slurm_state_active(hx_slurm_view_shard(v, h, k, job)))
			continue;
		*out = realloc(*out, (*n + 1) * sizeof(int));
		if (!*out)
			abort();
		(*out)[(*n)++] = k;
	}
}

/* ---- submitting ---- */

static int sbatch(char **id_out, const hx_slurm_job *j, const hx_slurm_todo *todo, int merge,
		  const char *array_id)
{
	hx_buf array = HX_BUF_INIT, dep = HX_BUF_INIT, msg = HX_BUF_INIT;
	const char *argv[6];
	char *script = hx_slurm_path(j->run, merge ? "merge.sbatch" : "shard.sbatch");
	hx_proc_result r;
	size_t n = 0, len;
	int err, ran = 0;

	*id_out = NULL;
	argv[n++] = "sbatch";
	argv[n++] = "--parsable";
	if (!merge && (int)todo->nshards != j->shards) {
		hx_buf_puts(&array, "--array=");
		hx_slurm_array_spec(&array, todo->shards, todo->nshards, j->max_parallel);
		argv[n++] = array.ptr;
	}
	if (merge && array_id) {
		hx_buf_printf(&dep, "--dependency=afterok:%s", array_id);
		argv[n++] = dep.ptr;
	}
	argv[n++] = script;
	argv[n] = NULL;
	if ((err = run_cmd(&r, argv)) != 0)
		goto done;
	ran = 1;
	if (!ok(&r)) {
		last_line(&msg, &r.err, "sbatch");
		if (r.status == HX_PROC_EXITED)
			hx_error_set("sbatch refused '%s' (exit %d): %s", script, r.exit_code,
				     msg.len ? msg.ptr : "no message");
		else
			hx_error_set("sbatch did not finish submitting '%s'", script);
		err = HX_EENGINE;
		goto done;
	}
	/* --parsable: "ID" or "ID;CLUSTER" */
	len = 0;
	while (len < r.out.len && isdigit((unsigned char)r.out.ptr[len]))
		len++;
	if (len == 0) {
		hx_error_set("sbatch gave no job id for '%s': '%.*s'", script,
			     (int)(r.out.len > 80 ? 80 : r.out.len), r.out.ptr ? r.out.ptr : "");
		err = HX_EENGINE;
		goto done;
	}
	*id_out = malloc(len + 1);
	if (!*id_out)
		abort();
	memcpy(*id_out, r.out.ptr, len);
	(*id_out)[len] = '\0';
done:
	if (ran)
		hx_proc_result_release(&r);
	hx_buf_release(&array);
	hx_buf_release(&dep);
	hx_buf_release(&msg);
	free(script);
	return err;
}

/* A merge job of an earlier submission still waiting: its afterok can no
 * longer be met when a shard of its array failed, and a new merge job
 * takes its place, so it goes. */
static void cancel_waiting_merges(const hx_slurm_history *h)
{
	size_t i;
	for (i = 0; i < h->len; i++) {
		hx_slurm_states st;
		const char *state;
		if (!h->v[i].merge_job)
			continue;
		hx_slurm_query(&st, h->v[i].merge_job);
		state = hx_slurm_states_get(&st, -1);
		if (state && strcmp(state, "PENDING") == 0) {
			const char *argv[] = {"scancel", h->v[i].merge_job, NULL};
			hx_proc_result r;
			if (run_cmd(&r, argv) == 0) {
				if (ok(&r))
					hx_notice("cancelled merge job %s of an earlier submission "
						  "(still pending)",
						  h->v[i].merge_job);
				hx_proc_result_release(&r);
			}
		}
		hx_slurm_states_release(&st);
	}
	hx_error_clear();
}

int hx_slurm_submit(hx_slurm_submission *out, const hx_slurm_job *j, const hx_slurm_todo *todo)
{
	hx_slurm_history h;
	char utc[32];
	int err, err2;

	memset(out, 0, sizeof(*out));
	if ((err = hx_slurm_history_load(&h, j->run)) != 0)
		return err;
	hx_slurm_utc_now(utc);
	out->submitted = hx_xstrdup(utc);
	out->shards = malloc((todo->nshards ? todo->nshards : 1) * sizeof(int));
	if (!out->shards)
		abort();
	if (todo->nshards) {
		memcpy(out->shards, todo->shards, todo->nshards * sizeof(int));
		out->nshards = todo->nshards;
		if ((err = sbatch(&out->array_job, j, todo, 0, NULL)) != 0)
			goto done;
	}
	if (h.len && todo->merge)
		cancel_waiting_merges(&h);
	if (todo->merge && (err = sbatch(&out->merge_job, j, todo, 1, out->array_job)) != 0) {
		if (out->array_job) {
			char *msg = hx_xstrdup(hx_error_last());
			hx_error_set("%s (array job %s was submitted; 'harness slurm resubmit' "
				     "submits the merge again)",
				     msg, out->array_job);
			free(msg);
		}
	}
	if (out->array_job || out->merge_job) {
		if ((err2 = hx_slurm_history_append(j->run, out)) != 0 && !err)
			err = err2;
	}
done:
	hx_slurm_history_release(&h);
	return err;
}
