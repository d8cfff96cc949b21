/* nightly.c - the nightly gate's summary, Markdown and JUnit XML reports. */
#include "nightly.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "fsutil.h"

void hx_nightly_report_init(hx_nightly_report *r, const char *tag, int ci, time_t when)
{
	struct tm tmv;
	memset(r, 0, sizeof(*r));
	r->tag = hx_xstrdup(tag);
	r->ci = ci;
	gmtime_r(&when, &tmv);
	strftime(r->date, sizeof(r->date), "%Y-%m-%dT%H:%M:%SZ", &tmv);
}

static void entry_release(hx_nightly_entry *e)
{
	free(e->experiment);
	free(e->spec_path);
	free(e->error);
	free(e->golden_dir);
	free(e->diff_text);
	free(e->run_dir);
	free(e->archive_path);
}

void hx_nightly_report_release(hx_nightly_report *r)
{
	size_t i;
	for (i = 0; i < r->n; i++)
		entry_release(&r->items[i]);
	free(r->items);
	free(r->tag);
	memset(r, 0, sizeof(*r));
}

hx_nightly_entry *hx_nightly_report_add(hx_nightly_report *r, const char *experiment,
					const char *spec_path)
{
	hx_nightly_entry *e;
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 8;
		r->items = hx_xrealloc(r->items, r->cap * sizeof(*r->items));
	}
	e = &r->items[r->n++];
	memset(e, 0, sizeof(*e));
	e->experiment = hx_xstrdup(experiment);
	e->spec_path = hx_xstrdup(spec_path);
	return e;
}

static char *dup_or_null(const char *s)
{
	return s ? hx_xstrdup(s) : NULL;
}

void hx_nightly_entry_set_run(hx_nightly_entry *e, const hx_run_result *res)
{
	e->ran = 1;
	e->verdict = res->golden.verdict;
	memcpy(e->hash, res->hash, sizeof(e->hash));
	memcpy(e->golden_hash, res->golden.golden_hash, sizeof(e->golden_hash));
	free(e->golden_dir);
	e->golden_dir = dup_or_null(res->golden_dir);
	e->records = res->records;
	if (res->golden.verdict == HX_GOLDEN_MISMATCH) {
		e->changed = res->golden.diff.changed;
		e->added = res->golden.diff.added;
		e->removed = res->golden.diff.removed;
		free(e->diff_text);
		e->diff_text = hx_xstrdup(res->golden.diff.text.ptr ? res->golden.diff.text.ptr : "");
	}
	e->elapsed_s = res->elapsed_s;
	free(e->run_dir);
	e->run_dir = dup_or_null(res->run_dir);
	free(e->archive_path);
	e->archive_path = dup_or_null(res->archive_path);
	e->validated = res->calib.validated;
	e->validation_passed = res->calib.passed;
}

void hx_nightly_entry_set_error(hx_nightly_entry *e, const char *msg)
{
	e->ran = 0;
	free(e->error);
	e->error = hx_xstrdup(msg && *msg ? msg : "unknown error");
}

hx_nightly_outcome hx_nightly_entry_outcome(const hx_nightly_entry *e, int ci)
{
	if (!e->ran)
		return HX_NIGHTLY_ERROR;
	if (e->verdict == HX_GOLDEN_MISMATCH || (e->verdict == HX_GOLDEN_MISSING && ci))
		return HX_NIGHTLY_FAILURE;
	return HX_NIGHTLY_PASS;
}

hx_nightly_counts hx_nightly_report_counts(const hx_nightly_report *r)
{
	hx_nightly_counts c = {0, 0, 0};
	size_t i;
	for (i = 0; i < r->n; i++) {
		switch (hx_nightly_entry_outcome(&r->items[i], r->ci)) {
		case HX_NIGHTLY_PASS:
			c.passed++;
			break;
		case HX_NIGHTLY_FAILURE:
			c.failures++;
			break;
		default:
			c.errors++;
			break;
		}
	}
	return c;
}

static const char *validation_word(const hx_nightly_entry *e)
{
	if (!e->ran || !e->validated)
		return NULL;
	return e->validation_passed ? "PASS" : "FAIL";
}

void hx_nightly_format_summary(hx_buf *out, const hx_nightly_report *r)
{
	hx_nightly_counts c = hx_nightly_report_counts(r);
	size_t i;

	for (i = 0; i < r->n; i++) {
		const hx_nightly_entry *e = &r->items[i];
		hx_nightly_outcome o = hx_nightly_entry_outcome(e, r->ci);
		const char *v = validation_word(e);

		if (o == HX_NIGHTLY_ERROR) {
			hx_buf_printf(out, "%-9s %s  %s\n", "ERROR", e->experiment, e->error);
			continue;
		}
		hx_buf_printf(out, "%-9s %s  %s  ", o == HX_NIGHTLY_FAILURE
			      ? (e->verdict == HX_GOLDEN_MISMATCH ? "MISMATCH" : "MISSING")
			      : hx_golden_verdict_name(e->verdict),
			      e->experiment, e->hash);
		if (e->verdict == HX_GOLDEN_MISMATCH)
			hx_buf_printf(out, "%zu changed, %zu added, %zu removed (golden %s)", e->changed,
				      e->added, e->removed, e->golden_hash);
		else if (e->verdict == HX_GOLDEN_MISSING)
			hx_buf_printf(out, "%zu records, no golden in %s%s", e->records, e->golden_dir,
				      r->ci ? " (CI is set)" : "");
		else
			hx_buf_printf(out, "%zu records", e->records);
		if (v)
			hx_buf_printf(out, "  validation %s", v);
		hx_buf_putc(out, '\n');
	}
	hx_buf_printf(out, "nightly: %zu experiment%s (tag %s): %zu passed, %zu regressed, %zu error%s\n",
		      r->n, r->n == 1 ? "" : "s", r->tag, c.passed, c.failures, c.errors,
		      c.errors == 1 ? "" : "s");
}

/* ---- Markdown ---- */

/* A table cell: '|' would end it and a newline would end the row. */
static void md_cell(hx_buf *out, const char *s)
{
	hx_buf_puts(out, " ");
	if (!s || !*s) {
		hx_buf_puts(out, "-");
	} else {
		for (; *s; s++) {
			if (*s == '|')
				hx_buf_puts(out, "\\|");
			else if (*s == '\n' || *s == '\r')
				hx_buf_putc(out, ' ');
			else
				hx_buf_putc(out, *s);
		}
	}
	hx_buf_puts(out, " |");
}

/* A fenced block whose fence is longer than any run of backticks inside,
 * so no diff line can close it early. */
static void md_code(hx_buf *out, const char *text)
{
	size_t run = 0, longest = 0, fence, i;
	const char *p;
	for (p = text; *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	fence = longest >= 3 ? longest + 1 : 3;
	for (i = 0; i < fence; i++)
		hx_buf_putc(out, '`');
	hx_buf_puts(out, "text\n");
	hx_buf_puts(out, text);
	if (!*text || text[strlen(text) - 1] != '\n')
		hx_buf_putc(out, '\n');
	for (i = 0; i < fence; i++)
		hx_buf_putc(out, '`');
	hx_buf_puts(out, "\n\n");
}

void hx_nightly_format_md(hx_buf *out, const hx_nightly_report *r)
{
	hx_nightly_counts c = hx_nightly_report_counts(r);
	hx_buf cell = HX_BUF_INIT;
	int archives = 0;
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->items[i].archive_path)
			archives = 1;
	hx_buf_printf(out, "# harness nightly %s\n\n", r->date);
	hx_buf_printf(out, "Tag `%s`: %zu experiment%s, %zu passed, %zu regressed, %zu error%s.%s\n\n",
		      r->tag, r->n, r->n == 1 ? "" : "s", c.passed, c.failures, c.errors,
		      c.errors == 1 ? "" : "s",
		      r->ci ? " CI is set: a missing golden counts as a regression." : "");
	hx_buf_puts(out, "| experiment | verdict | snapshot hash | golden hash | records | changes | "
			 "validation | run dir |");
	hx_buf_puts(out, archives ? " archive |\n" : "\n");
	hx_buf_puts(out, "|---|---|---|---|---:|---|---|---|");
	hx_buf_puts(out, archives ? "---|\n" : "\n");
	for (i = 0; i < r->n; i++) {
		const hx_nightly_entry *e = &r->items[i];
		hx_buf_puts(out, "|");
		md_cell(out, e->experiment);
		md_cell(out, e->ran ? hx_golden_verdict_name(e->verdict) : "error");
		hx_buf_reset(&cell);
		if (e->ran)
			hx_buf_printf(&cell, "`%s`", e->hash);
		md_cell(out, cell.ptr);
		hx_buf_reset(&cell);
		if (e->ran && e->golden_hash[0])
			hx_buf_printf(&cell, "`%s`", e->golden_hash);
		md_cell(out, cell.ptr);
		hx_buf_reset(&cell);
		if (e->ran)
			hx_buf_printf(&cell, "%zu", e->records);
		md_cell(out, cell.ptr);
		hx_buf_reset(&cell);
		if (e->ran && e->verdict == HX_GOLDEN_MISMATCH)
			hx_buf_printf(&cell, "%zu changed, %zu added, %zu removed", e->changed, e->added,
				      e->removed);
		md_cell(out, cell.ptr);
		md_cell(out, validation_word(e));
		md_cell(out, e->ran ? e->run_dir : NULL);
		if (archives)
			md_cell(out, e->ran ? e->archive_path : NULL);
		hx_buf_putc(out, '\n');
	}
	hx_buf_putc(out, '\n');

	if (c.failures) {
		hx_buf_puts(out, "## Regressions\n\n");
		for (i = 0; i < r->n; i++) {
			const hx_nightly_entry *e = &r->items[i];
			if (hx_nightly_entry_outcome(e, r->ci) != HX_NIGHTLY_FAILURE)
				continue;
			hx_buf_printf(out, "### %s\n\n", e->experiment);
			if (e->verdict == HX_GOLDEN_MISMATCH) {
				hx_buf_printf(out, "Golden mismatch against `%s` (spec `%s`): %zu changed, "
						   "%zu added, %zu removed; golden `%s`, snapshot `%s`.\n\n",
					      e->golden_dir, e->spec_path, e->changed, e->added,
					      e->removed, e->golden_hash, e->hash);
				md_code(out, e->diff_text ? e->diff_text : "");
			} else {
				hx_buf_printf(out, "No golden snapshot in `%s` (spec `%s`), and CI is set. "
						   "Review the snapshot `%s` outside CI and accept it with "
						   "`harness golden accept %s`.\n\n",
					      e->golden_dir, e->spec_path, e->hash, e->experiment);
			}
		}
	} else {
		hx_buf_puts(out, "No regressions.\n\n");
	}
	if (c.errors) {
		hx_buf_puts(out, "## Errors\n\n");
		for (i = 0; i < r->n; i++) {
			const hx_nightly_entry *e = &r->items[i];
			if (e->ran)
				continue;
			hx_buf_printf(out, "### %s\n\n`%s` could not run:\n\n", e->experiment,
				      e->spec_path);
			md_code(out, e->error);
		}
	}
	hx_buf_release(&cell);
}

/* ---- JUnit XML ---- */

/* Length of the well-formed UTF-8 sequence at s that XML 1.0 allows, or 0. */
static size_t xml_char_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	if (c < 0x80)
		return c >= 0x20 || c == '\t' || c == '\n' || c == '\r' ? 1 : 0;
	if (c >= 0xc2 && c <= 0xdf)
		return n >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		unsigned char lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
		if (n < 3 || s[1] < lo || s[1] > hi || (s[2] & 0xc0) != 0x80)
			return 0;
		/* U+FFFE and U+FFFF are not XML characters. */
		if (c == 0xef && s[1] == 0xbf && s[2] >= 0xbe)
			return 0;
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		unsigned char lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
		return n >= 4 && s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 &&
				       (s[3] & 0xc0) == 0x80
			       ? 4
			       : 0;
	}
	return 0;
}

void hx_nightly_xml_escape(hx_buf *out, const char *s, size_t len, int attr)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;

	while (i < len) {
		switch (p[i]) {
		case '&':
			hx_buf_puts(out, "&amp;");
			i++;
			continue;
		case '<':
			hx_buf_puts(out, "&lt;");
			i++;
			continue;
		case '>':
			hx_buf_puts(out, "&gt;");
			i++;
			continue;
		case '"':
			hx_buf_puts(out, "&quot;");
			i++;
			continue;
		case '\'':
			hx_buf_puts(out, "&apos;");
			i++;
			continue;
		case '\t':
		case '\n':
		case '\r':
			if (attr) {
				hx_buf_printf(out, "&#%d;", p[i]);
				i++;
				continue;
			}
			break;
		default:
			break;
		}
		if ((k = xml_char_len(p + i, len - i)) == 0) {
			hx_buf_puts(out, "\xef\xbf\xbd"); /* U+FFFD */
			i++;
		} else {
			hx_buf_put(out, p + i, k);
			i += k;
		}
	}
}

static void xml_text(hx_buf *out, const char *s)
{
	hx_nightly_xml_escape(out, s, strlen(s), 0);
}

static void xml_attr(hx_buf *out, const char *name, const char *value)
{
	hx_buf_printf(out, " %s=\"", name);
	hx_nightly_xml_escape(out, value, strlen(value), 1);
	hx_buf_putc(out, '"');
}

static void junit_system_out(hx_buf *out, const hx_nightly_entry *e)
{
	hx_buf text = HX_BUF_INIT;
	const char *v = validation_word(e);

	hx_buf_printf(&text, "spec: %s\n", e->spec_path);
	if (e->ran) {
		hx_buf_printf(&text, "verdict: %s\n", hx_golden_verdict_name(e->verdict));
		hx_buf_printf(&text, "snapshot: %s (%zu records)\n", e->hash, e->records);
		hx_buf_printf(&text, "golden: %s %s\n", e->golden_dir ? e->golden_dir : "-",
			      e->golden_hash[0] ? e->golden_hash : "(missing)");
		hx_buf_printf(&text, "validation: %s\n", v ? v : "not run");
		hx_buf_printf(&text, "run: %s\n", e->run_dir ? e->run_dir : "-");
		if (e->archive_path)
			hx_buf_printf(&text, "archive: %s\n", e->archive_path);
	}
	hx_buf_puts(out, "      <system-out>");
	xml_text(out, text.ptr);
	hx_buf_puts(out, "</system-out>\n");
	hx_buf_release(&text);
}

void hx_nightly_format_junit(hx_buf *out, const hx_nightly_report *r)
{
	hx_nightly_counts c = hx_nightly_report_counts(r);
	hx_buf msg = HX_BUF_INIT;
	char stamp[32];
	size_t i;

	/* JUnit's timestamp has no zone designator; the date is UTC. */
	snprintf(stamp, sizeof(stamp), "%.19s", r->date);
	hx_buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	hx_buf_printf(out,
		      "<testsuites name=\"harness nightly\" tests=\"%zu\" failures=\"%zu\" "
		      "errors=\"%zu\" time=\"%.3f\">\n",
		      r->n, c.failures, c.errors, r->elapsed_s);
	hx_buf_printf(out,
		      "  <testsuite name=\"harness nightly\" tests=\"%zu\" failures=\"%zu\" "
		      "errors=\"%zu\" skipped=\"0\" time=\"%.3f\" timestamp=\"%s\">\n",
		      r->n, c.failures, c.errors, r->elapsed_s, stamp);
	hx_buf_puts(out, "    <properties>\n      <property name=\"tag\"");
	xml_attr(out, "value", r->tag);
	hx_buf_printf(out, "/>\n      <property name=\"ci\" value=\"%s\"/>\n    </properties>\n",
		      r->ci ? "true" : "false");
	for (i = 0; i < r->n; i++) {
		const hx_nightly_entry *e = &r->items[i];
		hx_nightly_outcome o = hx_nightly_entry_outcome(e, r->ci);

		hx_buf_puts(out, "    <testcase classname=\"nightly\"");
		xml_attr(out, "name", e->experiment);
		hx_buf_printf(out, " time=\"%.3f\">\n", e->ran ? e->elapsed_s : 0.0);
		hx_buf_reset(&msg);
		if (o == HX_NIGHTLY_ERROR) {
			hx_buf_puts(out, "      <error type=\"error\"");
			xml_attr(out, "message", e->error);
			hx_buf_puts(out, ">");
			xml_text(out, e->error);
			hx_buf_puts(out, "</error>\n");
		} else if (o == HX_NIGHTLY_FAILURE && e->verdict == HX_GOLDEN_MISMATCH) {
			hx_buf_printf(&msg, "golden mismatch: %zu changed, %zu added, %zu removed",
				      e->changed, e->added, e->removed);
			hx_buf_puts(out, "      <failure type=\"mismatch\"");
			xml_attr(out, "message", msg.ptr);
			hx_buf_puts(out, ">");
			xml_text(out, e->diff_text ? e->diff_text : "");
			hx_buf_puts(out, "</failure>\n");
		} else if (o == HX_NIGHTLY_FAILURE) {
			hx_buf_printf(&msg, "golden missing: no golden snapshot in %s (CI is set)",
				      e->golden_dir ? e->golden_dir : "?");
			hx_buf_puts(out, "      <failure type=\"missing\"");
			xml_attr(out, "message", msg.ptr);
			hx_buf_puts(out, ">");
			hx_buf_reset(&msg);
			hx_buf_printf(&msg, "accept the snapshot outside CI: harness golden accept %s\n",
				      e->experiment);
			xml_text(out, msg.ptr);
			hx_buf_puts(out, "</failure>\n");
		}
		junit_system_out(out, e);
		hx_buf_puts(out, "    </testcase>\n");
	}
	hx_buf_puts(out, "  </testsuite>\n</testsuites>\n");
	hx_buf_release(&msg);
}

int hx_nightly_write(const hx_nightly_report *r, const char *dir)
{
	hx_buf md = HX_BUF_INIT, xml = HX_BUF_INIT;
	char *md_path = hx_path_join(dir, "nightly.md"), *xml_path = hx_path_join(dir, "nightly.xml");
	int err;

	if ((err = hx_mkdirs(dir, 0777)) != 0)
		goto done;
	hx_nightly_format_md(&md, r);
	hx_nightly_format_junit(&xml, r);
	if ((err = hx_file_write_atomic(md_path, md.ptr, md.len)) != 0)
		goto done;
	err = hx_file_write_atomic(xml_path, xml.ptr, xml.len);
done:
	hx_buf_release(&md);
	hx_buf_release(&xml);
	free(md_path);
	free(xml_path);
	return err;
}
