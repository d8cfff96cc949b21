/* test_slurm.c - the job scripts, the --array lists, the run's files and
 * the reading of sacct and scontrol output (src/slurm/). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "error.h"
#include "fsutil.h"
#include "slurm/slurm.h"

static void job_fill(hx_slurm_job *j, const char *run)
{
	hx_slurm_job_init(j);
	j->spec = hx_xstrdup("experiments/full.yaml");
	j->experiment = hx_xstrdup("full");
	j->shards = 4;
	j->harness = hx_xstrdup("/opt/harness/bin/harness");
	j->cwd = hx_xstrdup("/home/ana/calib");
	j->run = hx_xstrdup(run);
}

static void test_array_spec(void **state)
{
	hx_buf b = HX_BUF_INIT;
	int all[] = {0, 1, 2, 3}, one[] = {2}, gaps[] = {1, 3}, mixed[] = {0, 1, 2, 5, 7, 8};
	(void)state;
	hx_slurm_array_spec(&b, all, 4, 0);
	assert_string_equal(b.ptr, "0-3");
	hx_buf_reset(&b);
	hx_slurm_array_spec(&b, all, 4, 2);
	assert_string_equal(b.ptr, "0-3%2");
	hx_buf_reset(&b);
	hx_slurm_array_spec(&b, one, 1, 0);
	assert_string_equal(b.ptr, "2");
	hx_buf_reset(&b);
	hx_slurm_array_spec(&b, gaps, 2, 0);
	assert_string_equal(b.ptr, "1,3");
	hx_buf_reset(&b);
	hx_slurm_array_spec(&b, mixed, 6, 3);
	assert_string_equal(b.ptr, "0-2,5,7-8%3");
	hx_buf_release(&b);
}

static void test_shell_quote(void **state)
{
	hx_buf b = HX_BUF_INIT;
	(void)state;
	hx_slurm_shell_quote(&b, "/a/b-c_d.e");
	assert_string_equal(b.ptr, "/a/b-c_d.e");
	hx_buf_reset(&b);
	hx_slurm_shell_quote(&b, "my runs/it's $HOME");
	assert_string_equal(b.ptr, "'my runs/it'\\''s $HOME'");
	hx_buf_reset(&b);
	hx_slurm_shell_quote(&b, "");
	assert_string_equal(b.ptr, "''");
	hx_buf_release(&b);
}

static void test_shard_script(void **state)
{
	hx_slurm_job j;
	hx_buf b = HX_BUF_INIT;
	(void)state;
	job_fill(&j, "/home/ana/calib/runs/full-slurm");
	j.max_parallel = 2;
	j.partition = hx_xstrdup("short");
	j.time = hx_xstrdup("2:00:00");
	j.cpus_per_task = 8;
	j.mem = hx_xstrdup("16G");
	j.account = hx_xstrdup("proj42");
	j.seed = hx_xstrdup("7");
	assert_int_equal(hx_slurm_job_check(&j), 0);
	hx_slurm_shard_script(&b, &j);
	assert_string_equal(
		b.ptr,
		"#!/bin/sh\n"
		"#SBATCH --job-name=harness-full\n"
		"#SBATCH --array=0-3%2\n"
		"#SBATCH --output=/home/ana/calib/runs/full-slurm/slurm/shard-%a.out\n"
		"#SBATCH --chdir=/home/ana/calib\n"
		"#SBATCH --partition=short\n"
		"#SBATCH --account=proj42\n"
		"#SBATCH --time=2:00:00\n"
		"#SBATCH --cpus-per-task=8\n"
		"#SBATCH --mem=16G\n"
		"#\n"
		"# Array task K runs shard K of 4 of the plan of experiments/full.yaml into RUN/shards/K\n"
		"# (written by 'harness slurm'; 'harness slurm resubmit RUN' submits\n"
		"# again the shards that are not complete). A complete shard is left\n"
		"# alone; a shard that was stopped resumes from its partial telemetry.\n"
		"set -u\n"
		"harness=/opt/harness/bin/harness\n"
		"spec=experiments/full.yaml\n"
		"run=/home/ana/calib/runs/full-slurm\n"
		"k=${SLURM_ARRAY_TASK_ID:?'not run as a task of a Slurm array job'}\n"
		"dir=$run/shards/$k\n"
		"if [ -f \"$dir/shard.json\" ] && grep -q '\"complete\":true' \"$dir/shard.json\"; then\n"
		"\techo \"shard $k/4 is complete: nothing to do\"\n"
		"\texit 0\n"
		"fi\n"
		"set -- run \"$spec\" --shard \"$k/4\" --out \"$dir\" --workers \"${SLURM_CPUS_PER_TASK:-1}\" --seed 7\n"
		"if [ -e \"$dir/telemetry.jsonl.partial\" ]; then\n"
		"\tset -- \"$@\" --resume\n"
		"fi\n"
		"exec \"$harness\" \"$@\"\n");
	hx_buf_release(&b);
	hx_slurm_job_release(&j);
}

/* Blanks, quotes and '%' in paths: quoted for the shell, in double quotes
 * on #SBATCH lines, '%' doubled in the --output pattern. */
static void test_script_quoting(void **state)
{
	hx_slurm_job j;
	hx_buf b = HX_BUF_INIT;
	(void)state;
	job_fill(&j, "/home/ana/my runs/50%/it's");
	j.shards = 1;
	free(j.spec);
	j.spec = hx_xstrdup("specs/a b.yaml");
	assert_int_equal(hx_slurm_job_check(&j), 0);
	hx_slurm_shard_script(&b, &j);
	assert_non_null(strstr(b.ptr, "#SBATCH --array=0\n"));
	assert_non_null(strstr(b.ptr, "#SBATCH --output=\"/home/ana/my runs/50%%/it's/slurm/shard-%a.out\"\n"));
	assert_non_null(strstr(b.ptr, "\nrun='/home/ana/my runs/50%/it'\\''s'\n"));
	assert_non_null(strstr(b.ptr, "\nspec='specs/a b.yaml'\n"));
	assert_null(strstr(b.ptr, "--seed"));
	hx_buf_release(&b);
	hx_slurm_job_release(&j);
}

static void test_merge_script(void **state)
{
	hx_slurm_job j;
	hx_buf b = HX_BUF_INIT;
	(void)state;
	job_fill(&j, "/r");
	j.shards = 10;
	j.time = hx_xstrdup("30");
	hx_slurm_merge_script(&b, &j);
	assert_string_equal(b.ptr,
			    "#!/bin/sh\n"
			    "#SBATCH --job-name=harness-full-merge\n"
			    "#SBATCH --output=/r/slurm/merge.out\n"
			    "#SBATCH --chdir=/home/ana/calib\n"
			    "#SBATCH --time=30\n"
			    "#\n"
			    "# Merges the 10 shards of RUN/shards/ into RUN/merged: snapshot, golden\n"
			    "# check, calibration, archive (written by 'harness slurm').\n"
			    "set -u\n"
			    "harness=/opt/harness/bin/harness\n"
			    "run=/r\n"
			    "exec \"$harness\" merge \\\n"
			    "\t\"$run/shards/0\" \"$run/shards/1\" \"$run/shards/2\" \"$run/shards/3\" "
			    "\"$run/shards/4\" \"$run/shards/5\" \"$run/shards/6\" \"$run/shards/7\" \\\n"
			    "\t\"$run/shards/8\" \"$run/shards/9\" \\\n"
			    "\t--out \"$run/merged\"\n");
	hx_buf_release(&b);
	hx_slurm_job_release(&j);
}

static void test_sbatch_lines(void **state)
{
	hx_slurm_job j;
	hx_slurm_todo todo;
	hx_buf b = HX_BUF_INIT;
	int all[] = {0, 1, 2, 3}, some[] = {1, 3};
	(void)state;
	job_fill(&j, "/r");
	j.max_parallel = 3;
	todo.shards = all;
	todo.nshards = 4;
	todo.merge = 1;
	hx_slurm_sbatch_line(&b, &j, &todo, 0, NULL);
	assert_string_equal(b.ptr, "sbatch --parsable /r/slurm/shard.sbatch");
	hx_buf_reset(&b);
	hx_slurm_sbatch_line(&b, &j, &todo, 1, "$jid");
	assert_string_equal(b.ptr, "sbatch --parsable --dependency=afterok:$jid /r/slurm/merge.sbatch");
	todo.shards = some;
	todo.nshards = 2;
	hx_buf_reset(&b);
	hx_slurm_sbatch_line(&b, &j, &todo, 0, NULL);
	assert_string_equal(b.ptr, "sbatch --parsable --array=1,3%3 /r/slurm/shard.sbatch");
	hx_buf_release(&b);
	hx_slurm_job_release(&j);
}

static void test_job_check(void **state)
{
	hx_slurm_job j;
	(void)state;
	job_fill(&j, "/r");
	j.shards = 0;
	assert_int_equal(hx_slurm_job_check(&j), HX_EINVALID);
	assert_string_equal(hx_error_last(), "--shards 0 is out of range (1..100000)");
	j.shards = 2;
	j.partition = hx_xstrdup("a\"b");
	assert_int_equal(hx_slurm_job_check(&j), HX_EINVALID);
	assert_string_equal(hx_error_last(),
			    "--partition 'a\"b' cannot be given to sbatch (a double quote or a line break)");
	free(j.partition);
	j.partition = NULL;
	free(j.run);
	j.run = hx_xstrdup("relative/run");
	assert_int_equal(hx_slurm_job_check(&j), HX_EINVALID);
	hx_slurm_job_release(&j);
}

static void test_parse_sacct(void **state)
{
	hx_slurm_states s;
	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(hx_slurm_parse_sacct(&s, "12",
					      "12_0|COMPLETED\n"
					      "12_1|CANCELLED by 0\n"
					      "12_[2-3,5%2]|PENDING\n"
					      "123_4|RUNNING\n"
					      "12_4|RUNNING\n"),
			 0);
	assert_int_equal(s.len, 6);
	assert_string_equal(hx_slurm_states_get(&s, 0), "COMPLETED");
	assert_string_equal(hx_slurm_states_get(&s, 1), "CANCELLED");
	assert_string_equal(hx_slurm_states_get(&s, 2), "PENDING");
	assert_string_equal(hx_slurm_states_get(&s, 3), "PENDING");
	assert_string_equal(hx_slurm_states_get(&s, 5), "PENDING");
	assert_string_equal(hx_slurm_states_get(&s, 4), "RUNNING");
	assert_null(hx_slurm_states_get(&s, 6));
	assert_null(hx_slurm_states_get(&s, -1));
	hx_slurm_states_release(&s);

	assert_int_equal(hx_slurm_parse_sacct(&s, "13", "13|PENDING\n"), 0);
	assert_string_equal(hx_slurm_states_get(&s, -1), "PENDING");
	hx_slurm_states_release(&s);

	assert_int_equal(hx_slurm_parse_sacct(&s, "13", "Slurm accounting storage is disabled\n"),
			 HX_EINVALID);
	hx_slurm_states_release(&s);
}

static void test_parse_scontrol(void **state)
{
	hx_slurm_states s;
	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(
		hx_slurm_parse_scontrol(
			&s, "20",
			"JobId=23 ArrayJobId=20 ArrayTaskId=3 JobName=harness-full UserId=root(0) "
			"JobState=RUNNING Reason=None Dependency=(null)\n"
			"JobId=20 ArrayJobId=20 ArrayTaskId=4-5 JobName=harness-full "
			"JobState=PENDING Reason=JobArrayTaskLimit\n"
			"JobId=21 ArrayJobId=20 ArrayTaskId=0 JobState=COMPLETED Reason=None\n"
			"JobId=22 ArrayJobId=20 ArrayTaskId=1 JobState=CANCELLED Reason=None\n"),
		0);
	assert_string_equal(hx_slurm_states_get(&s, 3), "RUNNING");
	assert_string_equal(hx_slurm_states_get(&s, 4), "PENDING");
	assert_string_equal(hx_slurm_states_get(&s, 5), "PENDING");
	assert_string_equal(hx_slurm_states_get(&s, 0), "COMPLETED");
	assert_string_equal(hx_slurm_states_get(&s, 1), "CANCELLED");
	assert_null(hx_slurm_states_get(&s, 2));
	hx_slurm_states_release(&s);

	assert_int_equal(hx_slurm_parse_scontrol(&s, "24",
						 "JobId=24 JobName=harness-full-merge JobState=PENDING "
						 "Reason=DependencyNeverSatisfied\n"),
			 0);
	assert_string_equal(hx_slurm_states_get(&s, -1), "PENDING");
	hx_slurm_states_release(&s);
	assert_true(hx_slurm_state_active("PENDING"));
	assert_true(hx_slurm_state_active("RUNNING"));
	assert_false(hx_slurm_state_active("CANCELLED"));
	assert_false(hx_slurm_state_active(NULL));
}

static char *tmp_run(void)
{
	char tmpl[] = "/tmp/test_slurm.XXXXXX";
	char *d = mkdtemp(tmpl);
	assert_non_null(d);
	return hx_path_join(d, "run");
}

static void put(const char *run, const char *rel, const char *text)
{
	char *p = hx_path_join(run, rel), *dir = hx_path_dirname(p);
	assert_int_equal(hx_mkdirs(dir, 0777), 0);
	assert_int_equal(hx_file_write_atomic(p, text, strlen(text)), 0);
	free(dir);
	free(p);
}

/* submit.json round trip, the scripts' mode, the shard manifests and
 * what a resubmission has to do. */
static void test_run_files(void **state)
{
	hx_slurm_job j, back;
	hx_slurm_todo todo;
	hx_slurm_shard sh;
	struct stat st;
	char *run = tmp_run(), *p, *top;
	(void)state;
	job_fill(&j, run);
	j.max_parallel = 2;
	j.mem = hx_xstrdup("4G");
	assert_int_equal(hx_slurm_write(&j), 0);
	p = hx_path_join(run, "slurm/shard.sbatch");
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0755);
	free(p);
	assert_int_equal(hx_slurm_load(&back, run), 0);
	assert_string_equal(back.spec, "experiments/full.yaml");
	assert_string_equal(back.experiment, "full");
	assert_int_equal(back.shards, 4);
	assert_null(back.seed);
	assert_null(back.partition);
	assert_string_equal(back.mem, "4G");
	assert_int_equal(back.max_parallel, 2);
	assert_int_equal(back.cpus_per_task, 0);
	assert_string_equal(back.run, run);
	hx_slurm_job_release(&back);

	/* shard 0 done, 1 stopped with 2 records, 2 and 3 never started */
	put(run, "shards/0/shard.json",
	    "{\"attempts\":1,\"complete\":true,\"records\":7500,\"shard\":0,\"shards\":4,\"tasks\":7500}\n");
	put(run, "shards/1/shard.json",
	    "{\"attempts\":2,\"complete\":false,\"records\":0,\"shard\":1,\"shards\":4,\"tasks\":7500}\n");
	put(run, "shards/1/telemetry.jsonl.partial", "{\"a\":1}\n{\"a\":2}\n{\"a\":");
	assert_int_equal(hx_slurm_shard_read(&sh, run, 0), 0);
	assert_int_equal(sh.state, HX_SLURM_SHARD_DONE);
	assert_int_equal(sh.records, 7500);
	assert_int_equal(sh.attempts, 1);
	assert_int_equal(hx_slurm_shard_read(&sh, run, 1), 0);
	assert_int_equal(sh.state, HX_SLURM_SHARD_STARTED);
	assert_int_equal(sh.records, 2);
	assert_int_equal(sh.attempts, 2);
	assert_true(sh.partial);
	assert_int_equal(hx_slurm_shard_read(&sh, run, 2), 0);
	assert_int_equal(sh.state, HX_SLURM_SHARD_NONE);

	assert_int_equal(hx_slurm_todo_get(&todo, &j), 0);
	assert_int_equal(todo.nshards, 3);
	assert_int_equal(todo.shards[0], 1);
	assert_int_equal(todo.shards[1], 2);
	assert_int_equal(todo.shards[2], 3);
	assert_true(todo.merge);
	hx_slurm_todo_release(&todo);

	put(run, "shards/1/shard.json", "{\"attempts\":2,\"complete\":true,\"records\":7500,\"tasks\":7500}");
	put(run, "shards/2/shard.json", "{\"attempts\":1,\"complete\":true,\"records\":7500,\"tasks\":7500}");
	put(run, "shards/3/shard.json", "{\"attempts\":1,\"complete\":true,\"records\":7500,\"tasks\":7500}");
	assert_int_equal(hx_slurm_todo_get(&todo, &j), 0);
	assert_int_equal(todo.nshards, 0);
	assert_true(todo.merge);
	hx_slurm_todo_release(&todo);
	put(run, "merged/summary.txt", "experiment full\n");
	assert_int_equal(hx_slurm_todo_get(&todo, &j), 0);
	assert_int_equal(todo.nshards, 0);
	assert_false(todo.merge);
	hx_slurm_todo_release(&todo);

	put(run, "shards/3/shard.json", "{\"complete\":1}");
	assert_int_equal(hx_slurm_shard_read(&sh, run, 3), HX_EINVALID);
	assert_non_null(strstr(hx_error_last(), "'complete' is not true or false"));

	top = hx_path_dirname(run);
	assert_int_equal(hx_slurm_load(&back, top), HX_ENOTFOUND);
	hx_slurm_job_release(&back);
	hx_remove_tree(top);
	free(top);
	hx_slurm_job_release(&j);
	free(run);
}

static void test_history_empty(void **state)
{
	hx_slurm_history h;
	char *run = tmp_run(), *top = hx_path_dirname(run);
	(void)state;
	assert_int_equal(hx_slurm_history_load(&h, run), 0);
	assert_int_equal(h.len, 0);
	hx_slurm_history_release(&h);
	put(run, "slurm/jobs.json",
	    "{\"format\":1,\"submissions\":[{\"array_job\":\"12\",\"merge_job\":\"13\",\"shards\":[0,1,2,3],"
	    "\"submitted\":\"2026-01-01T00:00:00Z\"},{\"array_job\":\"20\",\"merge_job\":\"21\",\"shards\":[2],"
	    "\"submitted\":\"2026-01-01T01:00:00Z\"},{\"array_job\":null,\"merge_job\":\"30\",\"shards\":[],"
	    "\"submitted\":\"2026-01-01T02:00:00Z\"}]}\n");
	assert_int_equal(hx_slurm_history_load(&h, run), 0);
	assert_int_equal(h.len, 3);
	assert_string_equal(h.v[1].array_job, "20");
	assert_int_equal(h.v[1].nshards, 1);
	assert_int_equal(h.v[1].shards[0], 2);
	assert_null(h.v[2].array_job);
	assert_string_equal(h.v[2].merge_job, "30");
	{
		/* the latest array task of each shard: 2 went again in job 20 */
		hx_slurm_view v;
		char job[64];
		memset(&v, 0, sizeof(v));
		assert_null(hx_slurm_view_shard(&v, &h, 2, job));
		assert_string_equal(job, "20_2");
		assert_null(hx_slurm_view_shard(&v, &h, 3, job));
		assert_string_equal(job, "12_3");
		assert_null(hx_slurm_view_shard(&v, &h, 7, job));
		assert_string_equal(job, "");
	}
	hx_slurm_history_release(&h);
	hx_remove_tree(top);
	free(top);
	free(run);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_array_spec),
		cmocka_unit_test(test_shell_quote),
		cmocka_unit_test(test_shard_script),
		cmocka_unit_test(test_script_quoting),
		cmocka_unit_test(test_merge_script),
		cmocka_unit_test(test_sbatch_lines),
		cmocka_unit_test(test_job_check),
		cmocka_unit_test(test_parse_sacct),
		cmocka_unit_test(test_parse_scontrol),
		cmocka_unit_test(test_run_files),
		cmocka_unit_test(test_history_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
