/* script.c - the two job scripts of a Slurm run and the sbatch lines. */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "slurm/slurm.h"

void hx_slurm_job_init(hx_slurm_job *j)
{
	memset(j, 0, sizeof(*j));
}

void hx_slurm_job_release(hx_slurm_job *j)
{
	free(j->spec);
	free(j->experiment);
	free(j->seed);
	free(j->partition);
	free(j->time);
	free(j->mem);
	free(j->account);
	free(j->harness);
	free(j->cwd);
	free(j->run);
	memset(j, 0, sizeof(*j));
}

/* sbatch reads an #SBATCH line itself: a value may be put in double
 * quotes (for blanks), but it cannot hold a double quote or a line end. */
static int sbatch_value_ok(const char *what, const char *v)
{
	if (v && (strchr(v, '"') || strchr(v, '\n') || strchr(v, '\r'))) {
		hx_error_set("%s '%s' cannot be given to sbatch (a double quote or a line break)",
			     what, v);
		return 0;
	}
	return 1;
}

int hx_slurm_job_check(const hx_slurm_job *j)
{
	if (j->shards < 1 || j->shards > HX_SLURM_SHARDS_MAX) {
		hx_error_set("--shards %d is out of range (1..%d)", j->shards, HX_SLURM_SHARDS_MAX);
		return HX_EINVALID;
	}
	if (!j->spec || !j->experiment || !j->harness || !j->cwd || !j->run ||
	    j->harness[0] != '/' || j->cwd[0] != '/' || j->run[0] != '/') {
		hx_error_set("a slurm run needs its spec, experiment and absolute harness, cwd and run paths");
		return HX_EINVALID;
	}
	/* Slurm's file name patterns: a backslash anywhere turns %a off. */
	if (strchr(j->run, '\\')) {
		hx_error_set("run directory '%s' cannot be given to sbatch (a backslash)", j->run);
		return HX_EINVALID;
	}
	if (!sbatch_value_ok("run directory", j->run) || !sbatch_value_ok("directory", j->cwd) ||
	    !sbatch_value_ok("--partition", j->partition) || !sbatch_value_ok("--time", j->time) ||
	    !sbatch_value_ok("--mem", j->mem) || !sbatch_value_ok("--account", j->account) ||
	    !sbatch_value_ok("experiment", j->experiment))
		return HX_EINVALID;
	if (j->max_parallel < 0 || j->cpus_per_task < 0) {
		hx_error_set("--max-parallel and --cpus-per-task must be positive");
		return HX_EINVALID;
	}
	return 0;
}

void hx_slurm_shell_quote(hx_buf *out, const char *s)
{
	const char *p;
	for (p = s; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+:,=%@", *p))
			break;
	if (*s && !*p) {
		hx_buf_puts(out, s);
		return;
	}
	hx_buf_putc(out, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			hx_buf_puts(out, "'\\''");
		else
			hx_buf_putc(out, *s);
	}
	hx_buf_putc(out, '\'');
}

void hx_slurm_array_spec(hx_buf *out, const int *idx, size_t n, int max_parallel)
{
	size_t i = 0, first = 1;
	while (i < n) {
		size_t e = i;
		while (e + 1 < n && idx[e + 1] == idx[e] + 1)
			e++;
		if (!first)
			hx_buf_putc(out, ',');
		first = 0;
		if (e == i)
			hx_buf_printf(out, "%d", idx[i]);
		else
			hx_buf_printf(out, "%d-%d", idx[i], idx[e]);
		i = e + 1;
	}
	if (max_parallel > 0)
		hx_buf_printf(out, "%%%d", max_parallel);
}

/* An #SBATCH value: in double quotes when it has a blank (sbatch's own
 * reading of the line splits there). */
static void sbatch_opt(hx_buf *out, const char *name, const char *v)
{
	hx_buf_printf(out, "#SBATCH --%s=", name);
	if (strpbrk(v, " \t"))
		hx_buf_printf(out, "\"%s\"\n", v);
	else
		hx_buf_printf(out, "%s\n", v);
}

/* A path in an --output pattern: '%' is Slurm's escape character. */
static void sbatch_output(hx_buf *out, const char *run, const char *file)
{
	hx_buf v = HX_BUF_INIT;
	const char *p;
	for (p = run; *p; p++) {
		if (*p == '%')
			hx_buf_putc(&v, '%');
		hx_buf_putc(&v, *p);
	}
	hx_buf_printf(&v, "/slurm/%s", file);
	sbatch_opt(out, "output", v.ptr);
	hx_buf_release(&v);
}

static void sbatch_common(hx_buf *out, const hx_slurm_job *j)
{
	sbatch_opt(out, "chdir", j->cwd);
	if (j->partition)
		sbatch_opt(out, "partition", j->partition);
	if (j->account)
		sbatch_opt(out, "account", j->account);
	if (j->time)
		sbatch_opt(out, "time", j->time);
	if (j->cpus_per_task > 0)
		hx_buf_printf(out, "#SBATCH --cpus-per-task=%d\n", j->cpus_per_task);
	if (j->mem)
		sbatch_opt(out, "mem", j->mem);
}

static void shell_var(hx_buf *out, const char *name, const char *v)
{
	hx_buf_printf(out, "%s=", name);
	hx_slurm_shell_quote(out, v);
	hx_buf_putc(out, '\n');
}

void hx_slurm_shard_script(hx_buf *out, const hx_slurm_job *j)
{
	hx_buf name = HX_BUF_INIT;

	hx_buf_puts(out, "#!/bin/sh\n");
	hx_buf_printf(&name, "harness-%s", j->experiment);
	sbatch_opt(out, "job-name", name.ptr);
	hx_buf_printf(out, "#SBATCH --array=");
	if (j->shards == 1)
		hx_buf_puts(out, "0");
	else
		hx_buf_printf(out, "0-%d", j->shards - 1);
	if (j->max_parallel > 0)
		hx_buf_printf(out, "%%%d", j->max_parallel);
	hx_buf_putc(out, '\n');
	sbatch_output(out, j->run, "shard-%a.out");
	sbatch_common(out, j);
	hx_buf_printf(out,
		      "#\n"
		      "# Array task K runs shard K of %d of the plan of %s into RUN/shards/K\n"
		      "# (written by 'harness slurm'; 'harness slurm resubmit RUN' submits\n"
		      "# again the shards that are not complete). A complete shard is left\n"
		      "# alone; a shard that was stopped resumes from its partial telemetry.\n"
		      "set -u\n",
		      j->shards, j->spec);
	shell_var(out, "harness", j->harness);
	shell_var(out, "spec", j->spec);
	shell_var(out, "run", j->run);
	hx_buf_printf(out,
		      "k=${SLURM_ARRAY_TASK_ID:?'not run as a task of a Slurm array job'}\n"
		      "dir=$run/shards/$k\n"
		      "if [ -f \"$dir/shard.json\" ] && grep -q '\"complete\":true' \"$dir/shard.json\"; then\n"
		      "\techo \"shard $k/%d is complete: nothing to do\"\n"
		      "\texit 0\n"
		      "fi\n"
		      "set -- run \"$spec\" --shard \"$k/%d\" --out \"$dir\" --workers \"${SLURM_CPUS_PER_TASK:-1}\"",
		      j->shards, j->shards);
	if (j->seed) {
		hx_buf_puts(out, " --seed ");
		hx_slurm_shell_quote(out, j->seed);
	}
	hx_buf_puts(out, "\n"
			 "if [ -e \"$dir/telemetry.jsonl.partial\" ]; then\n"
			 "\tset -- \"$@\" --resume\n"
			 "fi\n"
			 "exec \"$harness\" \"$@\"\n");
	hx_buf_release(&name);
}

void hx_slurm_merge_script(hx_buf *out, const hx_slurm_job *j)
{
	hx_buf name = HX_BUF_INIT;
	int k;

	hx_buf_puts(out, "#!/bin/sh\n");
	hx_buf_printf(&name, "harness-%s-merge", j->experiment);
	sbatch_opt(out, "job-name", name.ptr);
	sbatch_output(out, j->run, "merge.out");
	sbatch_common(out, j);
	hx_buf_printf(out,
		      "#\n"
		      "# Merges the %d shards of RUN/shards/ into RUN/merged: snapshot, golden\n"
		      "# check, calibration, archive (written by 'harness slurm').\n"
		      "set -u\n",
		      j->shards);
	shell_var(out, "harness", j->harness);
	shell_var(out, "run", j->run);
	hx_buf_puts(out, "exec \"$harness\" merge");
	for (k = 0; k < j->shards; k++)
		hx_buf_printf(out, "%s\"$run/shards/%d\"", k % 8 == 0 ? " \\\n\t" : " ", k);
	hx_buf_puts(out, " \\\n\t--out \"$run/merged\"\n");
	hx_buf_release(&name);
}

void hx_slurm_sbatch_line(hx_buf *out, const hx_slurm_job *j, const hx_slurm_todo *todo, int merge,
			  const char *array_id)
{
	hx_buf path = HX_BUF_INIT;

	hx_buf_puts(out, "sbatch --parsable");
	if (!merge && todo && (int)todo->nshards != j->shards) {
		hx_buf_puts(out, " --array=");
		hx_slurm_array_spec(out, todo->shards, todo->nshards, j->max_parallel);
	}
	if (merge && array_id)
		hx_buf_printf(out, " --dependency=afterok:%s", array_id);
	hx_buf_printf(&path, "%s/slurm/%s", j->run, merge ? "merge.sbatch" : "shard.sbatch");
	hx_buf_putc(out, ' ');
	hx_slurm_shell_quote(out, path.ptr);
	hx_buf_release(&path);
}
