/* run_resume.c - taking back an interrupted run (run_internal.h): its
 * records, its state file, and what an interrupted attempt left. */
#include "run_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "canon.h"
#include "error.h"
#include "fsutil.h"
#include "tier.h"

signed char hx_run_truth_of(const char *gt)
{
	return !gt ? -1 : strcmp(gt, "valid") == 0 ? 1 : strcmp(gt, "invalid") == 0 ? 0 : -1;
}

/* 0 when rec (line i + 1 of path) is task i of p's plan. */
static int check_record(const run_ctx *p, const hx_json *rec, size_t i, const char *path,
			hx_outcome *o)
{
	const hx_task *task = &p->plan->tasks[i];
	const hx_json *meta = hx_json_get(rec, "metadata");
	const hx_json *idx = hx_json_get(meta, "task_index"), *seed = hx_json_get(meta, "master_seed");
	const hx_json *tier = hx_json_get(rec, "tier"), *mod = hx_json_get(rec, "module_name");
	const hx_json *outc = hx_json_get(rec, "outcome");
	char nb[64], sb[24];

	snprintf(sb, sizeof(sb), "%" PRIu64, p->spec->seed);
	if (!idx || idx->type != HX_JSON_NUMBER || idx->u.number != (double)i || !tier ||
	    tier->type != HX_JSON_STRING || strcmp(tier->u.string.ptr, hx_tier_lower(task->tier)) ||
	    !mod || mod->type != HX_JSON_STRING ||
	    strcmp(mod->u.string.ptr,
		   hx_corpus_name(p->corpus, (size_t)task->module, nb, sizeof(nb))) ||
	    (seed && (seed->type != HX_JSON_STRING || strcmp(seed->u.string.ptr, sb) != 0)) ||
	    !outc || outc->type != HX_JSON_STRING || hx_outcome_parse(outc->u.string.ptr, o)) {
		hx_error_set("cannot resume: record %zu of '%s' is not task %zu of this plan "
			     "(another spec, seed or corpus?)",
			     i + 1, path, i);
		return HX_EINVALID;
	}
	return 0;
}

/* The records of text (the file at path) into p's slots, from task 0;
 * *n gets how many (a torn last line is not one). */
static int take_records(run_ctx *p, hx_arena *arena, const hx_buf *text, const char *path,
			size_t *n)
{
	hx_buf canon = HX_BUF_INIT;
	size_t i = 0, start = 0, end;
	int err = 0;

	for (;;) {
		const char *nl = start < text->len ? memchr(text->ptr + start, '\n', text->len - start)
						   : NULL;
		hx_json *rec;
		hx_json_error je;
		hx_outcome o;
		task_slot *slot;
		const hx_json *gt;

		if (!nl)
			break; /* the end, or a torn last line */
		end = (size_t)(nl - text->ptr);
		if (i >= p->plan->n) {
			hx_error_set("cannot resume: '%s' has more records than the plan's %zu", path,
				     p->plan->n);
			err = HX_EINVALID;
			goto done;
		}
		hx_arena_reset(arena);
		if (hx_json_parse(&rec, arena, text->ptr + start, end - start, &je) != 0) {
			hx_error_set("cannot resume: %s:%zu:%zu: %s", path, i + 1, je.column, je.msg);
			err = HX_EINVALID;
			goto done;
		}
		if ((err = check_record(p, rec, i, path, &o)) != 0)
			goto done;
		gt = hx_json_get(hx_json_get(rec, "metadata"), "ground_truth");
		slot = &p->slots[i];
		slot->outcome = o;
		slot->truth = hx_run_truth_of(gt && gt->type == HX_JSON_STRING ? gt->u.string.ptr : NULL);
		hx_buf_reset(&canon);
		hx_arena_reset(arena);
		if ((err = hx_canon_line(&canon, arena, text->ptr + start, end - start,
					 &p->spec->profile, path, i + 1)) != 0)
			goto done;
		slot->raw = hx_xmalloc(end - start + 2);
		memcpy(slot->raw, text->ptr + start, end - start + 1);
		slot->raw[end - start + 1] = '\0';
		slot->raw_len = end - start + 1;
		slot->canon = hx_xstrdup(canon.ptr);
		slot->canon_len = canon.len;
		atomic_fetch_add(&p->counts[o], 1);
		i++;
		start = end + 1;
	}
done:
	*n = i;
	hx_buf_release(&canon);
	return err;
}

/* The partial file rewritten as exactly the n records kept (drops a torn
 * line), left open for appending. */
static int reopen_partial(run_ctx *p, size_t n)
{
	size_t i;
	if (!(p->partial = fopen(p->partial_path, "w"))) {
		hx_error_set_errno(errno, "cannot open '%s'", p->partial_path);
		return HX_ESYSTEM;
	}
	for (i = 0; i < n; i++)
		fwrite(p->slots[i].raw, 1, p->slots[i].raw_len, p->partial);
	if (fflush(p->partial) != 0) {
		hx_error_set_errno(errno, "cannot write '%s'", p->partial_path);
		return HX_ESYSTEM;
	}
	return 0;
}

int hx_run_resume_records(run_ctx *p, hx_arena *arena, const char *final_path, int *final)
{
	hx_buf text = HX_BUF_INIT;
	const char *path = p->partial_path;
	size_t n = 0;
	int err;

	*final = 0;
	if ((err = hx_file_read(&text, path)) == HX_ENOTFOUND) {
		/* No partial file: the tasks ended, and the run stopped after
		 * (a crash, an interrupt while labeling). */
		hx_buf_reset(&text);
		path = final_path;
		*final = 1;
		if ((err = hx_file_read(&text, path)) == HX_ENOTFOUND)
			hx_error_set("nothing to resume: neither '%s' nor '%s' exists", p->partial_path,
				     final_path);
	}
	if (err || (err = take_records(p, arena, &text, path, &n)) != 0)
		goto done;
	if (*final && (n != p->plan->n || (text.len && text.ptr[text.len - 1] != '\n'))) {
		hx_error_set("cannot resume: '%s' has %zu complete records, the plan %zu", path, n,
			     p->plan->n);
		err = HX_EINVALID;
		goto done;
	}
	p->flushed = p->first = n;
	if (!*final)
		err = reopen_partial(p, n);
done:
	hx_buf_release(&text);
	return err;
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
