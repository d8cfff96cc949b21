/* run_resume.c - taking back an interrupted run (run_internal.h): its
 * records, its state file, and what an interrupted attempt left. */
#include "run_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "canon.h"
#include "error.h"
#include "fsutil.h"
#include "tier.h"

signed char hx_run_truth_of(const char *gt)
{
	return !gt ? -1 : strcmp(gt, "valid") == 0 ? 1 : strcmp(gt, "invalid") == 0 ? 0 : -1;
}

int hx_run_record_is_task(const hx_plan *plan, const hx_spec *spec, const hx_corpus *corpus,
			  const hx_json *rec, size_t i, hx_outcome *o)
{
	const hx_task *task = &plan->tasks[i];
	const hx_json *meta = hx_json_get(rec, "metadata");
	const hx_json *idx = hx_json_get(meta, "task_index"), *seed = hx_json_get(meta, "master_seed");
	const hx_json *tier = hx_json_get(rec, "tier"), *mod = hx_json_get(rec, "module_name");
	const hx_json *outc = hx_json_get(rec, "outcome");
	char nb[64], sb[24];
	snprintf(sb, sizeof(sb), "%" PRIu64, spec->seed);
	if (!idx || idx->type != HX_JSON_NUMBER || idx->u.number != (double)task->index || !tier ||
	    tier->type != HX_JSON_STRING || strcmp(tier->u.string.ptr, hx_tier_lower(task->tier)) ||
	    !mod || mod->type != HX_JSON_STRING ||
	    strcmp(mod->u.string.ptr, hx_corpus_name(corpus, (size_t)task->module, nb, sizeof(nb))) ||
	    (seed && (seed->type != HX_JSON_STRING || strcmp(seed->u.string.ptr, sb) != 0)) ||
	    !outc || outc->type != HX_JSON_STRING || hx_outcome_parse(outc->u.string.ptr, o))
		return -1;
	return 0;
}

/* The records of fp (the file at path) from task 0, checked and counted;
 * *n gets how many, *end the offset after the last whole line (a torn last
 * line is not one). One line in memory at a time. */
static int take_records(run_ctx *p, hx_arena *arena, FILE *fp, const char *path, size_t *n,
			off_t *end)
{
	char *line = NULL;
	size_t cap = 0, i = 0;
	off_t off = 0;
	ssize_t len;
	int err = 0;

	*end = 0;
	while ((len = getline(&line, &cap, fp)) > 0) {
		hx_json *rec;
		hx_json_error je;
		hx_outcome o;
		if (line[len - 1] != '\n')
			break; /* a torn last line */
		if (i >= p->plan->n) {
			hx_error_set("cannot resume: '%s' has more records than the plan's %zu", path,
				     p->plan->n);
			err = HX_EINVALID;
			break;
		}
		hx_arena_reset(arena);
		if (hx_json_parse(&rec, arena, line, (size_t)len - 1, &je) != 0) {
			hx_error_set("cannot resume: %s:%zu:%zu: %s", path, i + 1, je.column, je.msg);
			err = HX_EINVALID;
			break;
		}
		if (hx_run_record_is_task(p->plan, p->spec, p->corpus, rec, i, &o) != 0) {
			hx_error_set("cannot resume: record %zu of '%s' is not task %zu of this plan "
				     "(another spec, seed or corpus?)",
				     i + 1, path, p->plan->tasks[i].index);
			err = HX_EINVALID;
			break;
		}
		atomic_fetch_add(&p->counts[o], 1);
		off += len;
		i++;
	}
	if (!err && ferror(fp)) {
		hx_error_set_errno(errno, "cannot read '%s'", path);
		err = HX_ESYSTEM;
	}
	free(line);
	*n = i;
	*end = off;
	return err;
}

int hx_run_resume_records(run_ctx *p, hx_arena *arena, const char *final_path, int *final)
{
	const char *path = p->partial_path;
	FILE *fp;
	size_t n = 0;
	off_t end = 0, size;
	int err;

	*final = 0;
	if (!(fp = fopen(path, "rb")) && errno == ENOENT) {
		/* No partial file: the tasks ended, and the run stopped after
		 * (a crash, an interrupt while labeling). */
		path = final_path;
		*final = 1;
		if (!(fp = fopen(path, "rb")) && errno == ENOENT) {
			hx_error_set("nothing to resume: neither '%s' nor '%s' exists", p->partial_path,
				     final_path);
			return HX_ENOTFOUND;
		}
	}
	if (!fp) {
		hx_error_set_errno(errno, "cannot open '%s'", path);
		return HX_ESYSTEM;
	}
	err = take_records(p, arena, fp, path, &n, &end);
	fseeko(fp, 0, SEEK_END);
	size = ftello(fp);
	fclose(fp);
	if (err)
		return err;
	if (*final && (n != p->plan->n || end != size)) {
		hx_error_set("cannot resume: '%s' has %zu complete records, the plan %zu", path, n,
			     p->plan->n);
		return HX_EINVALID;
	}
	p->flushed = p->first = n;
	if (*final)
		return 0;
	/* The records kept, exactly: a torn last line goes. */
	if (truncate(p->partial_path, end) != 0 || !(p->partial = fopen(p->partial_path, "ab"))) {
		hx_error_set_errno(errno, "cannot open '%s'", p->partial_path);
		return HX_ESYSTEM;
	}
	return 0;
}

#define STATE_FILE ".run-state.json"

static void copy_field(char *dst, size_t size, const hx_json *v)
{
	dst[0] = '\0';
	if (v && v->type == HX_JSON_STRING && v->u.string.len < size)
		memcpy(dst, v->u.string.ptr, v->u.string.len + 1);
}

void hx_run_state_read(hx_run_state *st, const char *run_dir)
{
	char *path = hx_path_join(run_dir, STATE_FILE);
	hx_buf text = HX_BUF_INIT;
	hx_arena *a = hx_arena_new();
	hx_json *root;
	hx_json_error je;

	memset(st, 0, sizeof(*st));
	if (hx_file_read(&text, path) == 0 && hx_json_parse(&root, a, text.ptr, text.len, &je) == 0) {
		const hx_json *arch = hx_json_get(root, "archive");
		copy_field(st->utc, sizeof(st->utc), hx_json_get(root, "utc"));
		copy_field(st->date, sizeof(st->date), hx_json_get(root, "date"));
		if (arch && arch->type == HX_JSON_STRING)
			st->archive = hx_xstrdup(arch->u.string.ptr);
		if (!st->utc[0] || !st->date[0])
			st->utc[0] = st->date[0] = '\0'; /* both or neither */
	}
	hx_error_clear(); /* no state: a run dir of an older harness */
	hx_arena_free(a);
	hx_buf_release(&text);
	free(path);
}

static void set_member(hx_json *o, const char *key, hx_json *v)
{
	hx_json_member *m = &o->u.object.members[o->u.object.len++];
	m->key = key;
	m->key_len = strlen(key);
	m->value = v;
}

int hx_run_state_write(const hx_run_state *st, const char *run_dir)
{
	char *path = hx_path_join(run_dir, STATE_FILE);
	hx_arena *a = hx_arena_new();
	hx_json *root = hx_json_new(a, HX_JSON_OBJECT);
	hx_buf text = HX_BUF_INIT;
	int err;

	root->u.object.members = hx_arena_alloc(a, 3 * sizeof(hx_json_member));
	root->u.object.len = 0;
	if (st->archive)
		set_member(root, "archive", hx_json_new_string(a, st->archive, strlen(st->archive)));
	set_member(root, "date", hx_json_new_string(a, st->date, strlen(st->date)));
	set_member(root, "utc", hx_json_new_string(a, st->utc, strlen(st->utc)));
	hx_canon_serialize(&text, root);
	hx_buf_putc(&text, '\n');
	err = hx_file_write_atomic(path, text.ptr, text.len);
	hx_buf_release(&text);
	hx_arena_free(a);
	free(path);
	return err;
}

void hx_run_state_release(hx_run_state *st)
{
	free(st->archive);
	memset(st, 0, sizeof(*st));
}

#define TEMP_NOTE "a temp file an interrupted write left"

/* archive.c's temp file: ARCHIVE.tmp-PID */
static int is_archive_temp(const char *name, const void *base)
{
	size_t n = strlen(base);
	return strncmp(name, base, n) == 0 && strncmp(name + n, ".tmp-", 5) == 0;
}

void hx_run_clean_leftovers(const char *run_dir, const char *archive)
{
	char *label = hx_path_join(run_dir, "label");
	hx_remove_temp_files(run_dir, NULL, NULL, TEMP_NOTE);
	if (hx_is_dir(label))
		hx_remove_tree(label); /* the labeling's scratch space */
	if (archive) {
		char *dir = hx_path_dirname(archive);
		const char *slash = strrchr(archive, '/');
		hx_remove_temp_files(dir, is_archive_temp, slash ? slash + 1 : archive, TEMP_NOTE);
		free(dir);
	}
	free(label);
}
