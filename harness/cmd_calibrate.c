/* cmd_calibrate.c - the calibrate_noise command line of the source
 * documents: build a spec from flags and run it.
 *
 *   harness calibrate --tiers FAST BALANCED SLOW --n 10000 --export calibration.yaml
 *       [--modules FILE] [--workers N] [--seed S] [--engine KIND] [--root DIR]
 *       [--skip-missing] [--models FILE]
 *       [--corpus-filter RE] [--output-dir DIR] [--experiment NAME] [--dry-run] [--json]
 *       [--validation-split F] [--label-sample N] [--timeout-multiplier M]
 *       [--consensus TIER...]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cliutil.h"
#include "cmd.h"
#include "error.h"
#include "fsutil.h"
#include "run.h"
#include "tier.h"

static const char usage[] =
	"usage: harness calibrate --tiers TIER... --n N --export FILE [options]\n"
	"\n"
	"Calibrate noise models the way calibrate_noise did: build an experiment\n"
	"spec from the flags, run it, and write calibration.yaml to FILE (and to\n"
	"the output directory). TIER is FAST, BALANCED or SLOW.\n"
	"\n"
	"  --tiers TIER...      tiers to calibrate (one or more)\n"
	"  --n N                verifications per tier\n"
	"  --export FILE        where calibration.yaml goes\n"
	"  --modules FILE       corpus: one module per line ('#' comments);\n"
	"                       default: a synthetic corpus of 1000 modules\n"
	"  --corpus-filter RE   keep the modules matching RE (POSIX ERE)\n"
	"  --engine KIND        sim-verifier (default), lean, coq\n"
	"  --root DIR           a real engine's corpus root: Mathlib.Data.Nat.Basic ->\n"
	"                       DIR/Mathlib/Data/Nat/Basic.lean (default: the current\n"
	"                       directory); outputs still go below the current directory\n"
	"  --skip-missing       leave out modules without a file under the root (by\n"
	"                       default they are an error)\n"
	"  --models FILE        the simulator's noise configuration (default: built in)\n"
	"  --workers N          tasks in flight (default: the number of cores)\n"
	"  --seed S             master seed (default 12345)\n"
	"  --output-dir DIR     run directory (default: calibration_output)\n"
	"  --experiment NAME    names the snapshot (default: calibrate)\n"
	"  --validation-split F held-out fraction for validation (default 0.2;\n"
	"                       0 validates without a held-out part)\n"
	"  --label-sample N     records to label with ground truth (default 1000)\n"
	"  --timeout-multiplier M  timed-out sampled records run again with M x\n"
	"                       their timeout (default 10)\n"
	"  --consensus TIER...  consensus voters: the engine again on each TIER\n"
	"                       (e.g. --consensus SLOW SLOW SLOW); default none\n"
	"  --dry-run            print the plan (one task a line) and stop\n"
	"  --json               print the summary as JSON\n"
	"\n"
	"The spec that was run is saved as DIR/spec.yaml. Every output path (--export,\n"
	"--output-dir, snapshots/, runs/) is made and checked before any task runs.\n"
	"A real engine's modules are looked up below --root, each must have its file\n"
	"(unless --skip-missing); the simulator has no files and takes any name.\n"
	"exit status: 0 ok, 1 golden mismatch, 2 bad usage, 3 engine or system failure,\n"
	"130 interrupted\n";

/* A YAML double-quoted scalar. */
static void yaml_str(hx_buf *b, const char *s)
{
	hx_buf_putc(b, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			hx_buf_putc(b, '\\');
		hx_buf_putc(b, *s);
	}
	hx_buf_putc(b, '"');
}

int cmd_calibrate(int argc, char **argv)
{
	const char *tiers[HX_TIER_COUNT] = {0}, *exp = "calibrate", *engine = "sim-verifier";
	const char *modules = NULL, *filter = NULL, *models = NULL, *outdir = "calibration_output";
	const char *export_path = NULL, *v, *split = NULL, *label_sample = NULL, *multiplier = NULL;
	const char *voters[16], *root = NULL;
	int skip_missing = 0;
	int nvoters = 0;
	uint64_t n = 0, seed = 12345;
	int ntiers = 0, workers = 0, dry = 0, json = 0, have_n = 0, i, status;
	hx_buf spec = HX_BUF_INIT, plan = HX_BUF_INIT;
	hx_run_options opt;
	char *spec_path = NULL;

	for (i = 1; i < argc; i++) {
		if (hx_cli_is_help(argv[i])) {
			fputs(usage, stdout);
			return 0;
		} else if (strcmp(argv[i], "--tiers") == 0) {
			while (i + 1 < argc && argv[i + 1][0] != '-') {
				hx_tier t;
				int k;
				if (hx_tier_parse(argv[++i], &t) != 0 || strchr(argv[i], '_')) {
					hx_cli_error("calibrate", "unknown tier '%s' (known: FAST, BALANCED, SLOW)",
						     argv[i]);
					return 2;
				}
				for (k = 0; k < ntiers && strcmp(tiers[k], hx_tier_name(t)) != 0; k++)
					;
				if (k == ntiers) {
					if (ntiers == HX_TIER_COUNT)
						break;
					tiers[ntiers++] = hx_tier_name(t);
				}
			}
		} else if ((v = hx_cli_option_value(argc, argv, &i, "--n"))) {
			if (hx_cli_parse_u64(v, &n) != 0 || n < 1 || n > 100000000) {
				hx_cli_error("calibrate", "'--n' needs a number from 1 to 100000000, not '%s'", v);
				return 2;
			}
			have_n = 1;
		} else if ((v = hx_cli_option_value(argc, argv, &i, "--export"))) {
			export_path = v;
		} else if ((v = hx_cli_option_value(argc, argv, &i, "--modules"))) {
			modules = v;
		} else if ((v = hx_cli_option_value(argc, argv, &i, "--corpus-filter"))) {
			filter = v;
		} else if ((v = hx_cli_option_value(argc, argv, &i, "--engine"))) {
			engine = v;
		} else if ((v = hx_cli_option_value(argc, argv, &i, "--root"))) {
			root = v;
		} else if (strcmp(argv[i], "--skip-missing") == 0) {
			skip_missing = 1;
		} else if ((v = hx_cli_option_value(argc, argv, &i, "--models"))) {
			models = v;
		} else if ((v = hx_cli_option_value(argc, argv, &i, "--workers"))) {
			if (hx_cli_parse_workers("calibrate", v, &workers) != 0)
				return 2;
		} else if ((v = hx_cli_option_value(argc, argv, &i, "--seed"))) {
			if (hx_cli_parse_u64(v, &seed) != 0) {
				hx_cli_error("calibrate", "'--seed' needs a number from 0 to 18446744073709551615, not '%s'", v);
				return 2;
			}
		} else if ((v = hx_cli_option_value(argc, argv, &i, "--output-dir"))) {
			outdir = v;
		} else if ((v = hx_cli_option_value(argc, argv, &i, "--experiment"))) {
			exp = v;
		} else if ((v = hx_cli_option_value(argc, argv, &i, "--validation-split"))) {
			double x;
			if (hx_cli_parse_double(v, 0, 0.9, &x) != 0) {
				hx_cli_error("calibrate", "'--validation-split' needs a number from 0 to 0.9, not '%s'", v);
				return 2;
			}
			split = v;
		} else if ((v = hx_cli_option_value(argc, argv, &i, "--label-sample"))) {
			int x;
			if (hx_cli_parse_int(v, 1, 10000000, &x) != 0) {
				hx_cli_error("calibrate", "'--label-sample' needs a number from 1 to 10000000, not '%s'", v);
				return 2;
			}
			label_sample = v;
		} else if ((v = hx_cli_option_value(argc, argv, &i, "--timeout-multiplier"))) {
			double x;
			if (hx_cli_parse_double(v, 1, 1000, &x) != 0) {
				hx_cli_error("calibrate", "'--timeout-multiplier' needs a number from 1 to 1000, not '%s'", v);
				return 2;
			}
			multiplier = v;
		} else if (strcmp(argv[i], "--consensus") == 0) {
			while (i + 1 < argc && argv[i + 1][0] != '-') {
				hx_tier t;
				if (hx_tier_parse(argv[++i], &t) != 0 || strchr(argv[i], '_')) {
					hx_cli_error("calibrate", "unknown tier '%s' (known: FAST, BALANCED, SLOW)",
						     argv[i]);
					return 2;
				}
				if (nvoters == 16) {
					hx_cli_error("calibrate", "'--consensus' takes at most 16 voters");
					return 2;
				}
				voters[nvoters++] = hx_tier_name(t);
			}
			if (!nvoters) {
				hx_cli_error("calibrate", "'--consensus' needs one or more of FAST, BALANCED, SLOW");
				return 2;
			}
		} else if (strcmp(argv[i], "--dry-run") == 0) {
			dry = 1;
		} else if (strcmp(argv[i], "--json") == 0) {
			json = 1;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			static const char *const options[] = {
				"--tiers",	"--n",	      "--export",	    "--modules",
				"--corpus-filter", "--engine",    "--models",	    "--workers",
				"--seed",	"--output-dir", "--experiment",	    "--validation-split",
				"--label-sample",  "--timeout-multiplier", "--consensus", "--dry-run",
				"--json",	"--help",	      NULL};
			hx_cli_unknown_option("calibrate", argv[i], NULL, options,
					      "harness calibrate --help");
			return 2;
		} else {
			hx_cli_error("calibrate", "unknown argument '%s' (see 'harness calibrate --help')",
				     argv[i]);
			return 2;
		}
	}
	if (!ntiers || !have_n || (!export_path && !dry)) {
		hx_cli_error("calibrate", "%s", !ntiers ? "'--tiers' needs one or more of FAST, BALANCED, SLOW"
					 : !have_n ? "'--n' is required"
						   : "'--export' is required");
		return 2;
	}
	if ((export_path && !*export_path) || !*outdir || !*engine) {
		hx_cli_error("calibrate", "an option is missing its value");
		return 2;
	}
	if (root && (!*root || strcmp(engine, "sim-verifier") == 0)) {
		hx_cli_error("calibrate", "%s", *root ? "'--root' is for a real engine (--engine lean "
							"or coq): the simulator has no files"
						      : "an option is missing its value");
		return 2;
	}
	if (root && !hx_is_dir(root)) {
		hx_cli_error("calibrate", "'--root' '%s' is not a directory", root);
		return 2;
	}
	if (modules && !hx_path_exists(modules)) {
		hx_cli_error("calibrate", "cannot open '%s': No such file or directory", modules);
		return 2;
	}

	hx_buf_puts(&spec, "# written by harness calibrate\nexperiment: ");
	yaml_str(&spec, exp);
	hx_buf_printf(&spec, "\nseed: %llu\nengine: {kind: ", (unsigned long long)seed);
	yaml_str(&spec, engine);
	if (root) {
		hx_buf_puts(&spec, ", root: ");
		yaml_str(&spec, root);
	}
	hx_buf_puts(&spec, "}\n");
	if (models) {
		hx_buf_puts(&spec, "models: ");
		yaml_str(&spec, models);
		hx_buf_putc(&spec, '\n');
	}
	hx_buf_puts(&spec, "corpus: {");
	if (modules) {
		hx_buf_puts(&spec, "list: ");
		yaml_str(&spec, modules);
	} else {
		hx_buf_puts(&spec, "kind: synthetic, modules: 1000");
	}
	if (filter) {
		hx_buf_puts(&spec, ", filter: ");
		yaml_str(&spec, filter);
	}
	if (skip_missing)
		hx_buf_puts(&spec, ", missing: skip");
	hx_buf_puts(&spec, "}\ntiers: {");
	for (i = 0; i < ntiers; i++)
		hx_buf_printf(&spec, "%s%s: ", i ? ", " : "", tiers[i]);
	hx_buf_printf(&spec, "}\nsamples: %llu\n", (unsigned long long)n);
	if (workers)
		hx_buf_printf(&spec, "workers: %d\n", workers);
	hx_buf_puts(&spec, "label:\n");
	hx_buf_printf(&spec, "  sample: %s\n  timeout_multiplier: %s\n",
		      label_sample ? label_sample : "1000", multiplier ? multiplier : "10");
	if (nvoters) {
		hx_buf_puts(&spec, "  consensus:\n");
		for (i = 0; i < nvoters; i++)
			hx_buf_printf(&spec, "    - {tier: %s}\n", voters[i]);
	}
	hx_buf_printf(&spec, "validate: {split: %s}\n", split ? split : "0.2");

	memset(&opt, 0, sizeof(opt));
	/* Relative paths in the spec are the user's: relative to here. */
	opt.spec_path = "./calibrate.yaml";
	opt.spec_text = spec.ptr;
	opt.spec_text_len = spec.len;
	opt.out_dir = outdir;
	opt.export_path = export_path;
	if (dry) {
		int err = hx_run_dry(&plan, &opt);
		if (err) {
			hx_cli_error("calibrate", "%s", hx_error_last());
			status = hx_error_exit_status(err);
		} else {
			fwrite(plan.ptr, 1, plan.len, stdout);
			status = fflush(stdout) == 0 ? 0 : 3;
		}
		goto done;
	}
	hx_cli_locks("calibrate", 0);
	status = hx_cli_run_spec("calibrate", &opt, json, 0);
	if (status == 0 || status == 1) {
		/* Keep the spec beside what it produced, for a re-run or a replay. */
		spec_path = hx_path_join(outdir, "spec.yaml");
		if (hx_file_write_atomic(spec_path, spec.ptr, spec.len) != 0) {
			hx_cli_error("calibrate", "%s", hx_error_last());
			status = 3;
		}
	}
done:
	free(spec_path);
	hx_buf_release(&spec);
	hx_buf_release(&plan);
	return status;
}
