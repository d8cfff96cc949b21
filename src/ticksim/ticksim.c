/* ticksim.c - an example tick-level market-making research engine.
 *
 * ticksim is a stand-in for the users' engine (a Rust market-making
 * simulator) with exactly its interface, so that experiment series run out
 * of the box. It is an *external* engine: plain C11, libc and libm only, it
 * does not link the harness library. The build puts it at build/ticksim,
 * beside build/harness.
 *
 * Interface
 *
 *   ticksim [--ticks N] [--profile conservative|balanced|aggressive] [--seed S]
 *
 *   --ticks N     number of ticks, 0..100000000 (default 2000); one
 *                 telemetry row per tick, t = 0..N-1
 *   --profile P   parameter defaults (below; default balanced)
 *   --seed S      unsigned 64-bit seed of the price path (default 1); the
 *                 users' engine has no such flag (its path is fixed), ticksim
 *                 adds it so that repeats differ
 *   --help        this usage on stdout, exit 0
 *
 *   Options also take the form --opt=V. A bad argument is reported on stderr
 *   and ticksim exits 2.
 *
 *   PARAPHINA_TELEMETRY_MODE=jsonl turns telemetry on; it is then written to
 *   PARAPHINA_TELEMETRY_PATH (required: without it ticksim exits 2). The
 *   file is APPENDED to (two runs to one file leave the rows of both) and its
 *   parent directories are created. Any other non-empty mode is ignored with
 *   a warning (telemetry off).
 *
 *   Parameter overrides, each a number (strtod syntax, the whole value):
 *     PARAPHINA_INIT_Q_TAO        initial inventory q0 (TAO), any finite value
 *     PARAPHINA_HEDGE_BAND_BASE   hedge band (TAO), >= 0
 *     PARAPHINA_HEDGE_MAX_STEP    largest hedge per tick (TAO), >= 0
 *     PARAPHINA_MM_SIZE_ETA       quote size per side (TAO), >= 0
 *     PARAPHINA_VOL_REF           price volatility per tick (relative), 0..0.1
 *     PARAPHINA_DAILY_LOSS_LIMIT  loss limit L (USD), >= 0
 *   An empty variable counts as unset. A value that does not parse, or is out
 *   of its range, is ignored with a warning on stderr ("ticksim: warning:
 *   ignoring NAME='V': ...") and the profile's default is used.
 *
 *   TICKSIM_QUIET=1 silences the chatter on stdout. By default, like the
 *   users' engine, every tick prints 70 lines on stdout (an order-book
 *   ladder and the tick's state; about 3 MB per 1000 ticks). The chatter
 *   consumes no randomness: telemetry is the same with or without it.
 *
 *   Exit status: 0 ok (a killed run included), 2 bad usage, 3 the telemetry
 *   file could not be created or written.
 *
 * Telemetry: one JSON object per tick, keys in this order (sorted):
 *   {"basis_usd":0.0,"dollar_delta_usd":0.0,"kill_switch":false,
 *    "pnl_realised":0.0,"pnl_total":0.0,"pnl_unrealised":0.0,
 *    "q_global_tao":0.0,"risk_regime":"Normal","t":0}
 * Numbers are the shortest decimal that reads back as the same double
 * (%.*g), integral values below 1e15 with ".0" as Rust's serde_json writes
 * an f64 (0.0, 10.0), -0 as 0.0; t is an integer. Same arguments, environment and seed give byte-identical
 * telemetry (only + - * / and sqrt touch the path, so it does not depend on
 * the libm; built with -ffp-contract=off).
 *
 * Model (one TAO market, mid price P, perp-spot basis b, inventory q)
 *
 *   Start: P = 300 USD, b = 0, q = q0 bought at P (so PnL starts at 0).
 *   Row t is the state at the start of tick t: row 0 is before any trade.
 *   sigma = vol_ref * P is the one-tick price move in USD.
 *   Tick t, after its row is written (unless killed):
 *   1. quotes: bid P - h and ask P + h, h = 0.7 * sigma, size mm_size_eta
 *      each (no quotes in HardLimit);
 *   2. the price moves: z ~ N(0,1) (Irwin-Hall: sum of 12 uniforms - 6),
 *      P <- max(P * (1 + vol_ref * z), 1);
 *   3. fills are adverse: the bid fills with probability
 *      clamp(0.3 - 0.2 z, 0, 1), the ask with clamp(0.3 + 0.2 z, 0, 1), so a
 *      fill earns the half-spread but is followed by a move against it on
 *      average (what is left is a thin edge, a few hundredths of sigma per
 *      TAO filled, which hedging costs can eat);
 *   4. the basis follows b <- 0.9 b + 0.5 sigma z_b;
 *   5. hedge: when |q| > hedge_band_base, trade min(|q|, hedge_max_step)
 *      toward 0 on the perp, at P + b -/+ 0.5 sigma (a cost of half a
 *      sigma per TAO plus the basis).
 *   Accounting at average cost: pnl_realised from closed inventory,
 *   pnl_unrealised = q (P - avg cost), pnl_total = their sum;
 *   dollar_delta_usd = q P; q_global_tao = q; basis_usd = b (USD per TAO).
 *
 * Risk rules (L = daily loss limit, r = |q| sigma = the inventory's
 * one-sigma one-tick risk in USD):
 *   HardLimit  if pnl_total <= -L  or r >= L / 50
 *   Warning    else if pnl_total <= -L/2  or r >= L / 100
 *   Normal     otherwise
 *   kill_switch = HardLimit and pnl_total <= -L. The run stops after the
 *   first row whose kill_switch is true. With L = 0 row 0 (PnL 0) is
 *   already killed: a one-row run at t = 0. In HardLimit without the loss
 *   (too much inventory) the engine stops quoting and only hedges.
 *
 * Profiles (defaults; the overrides above replace them):
 *                   mm_size_eta  hedge_band_base  hedge_max_step  vol_ref  daily_loss_limit  init_q_tao
 *   conservative        2              6                3          0.004        600            0
 *   balanced            6             20                6          0.004       1500            0
 *   aggressive         16             40               10          0.004       3000            0
 * Over 2000 ticks and 100 seeds these give (mean final PnL / mean max
 * drawdown / kill fraction): conservative 83 / 251 / 0, balanced
 * 341 / 802 / 0.02, aggressive 246 / 1929 / 0.09. A tight hedge band pays
 * the hedging cost on every tick (aggressive with band 0: always killed), a
 * wide one carries inventory risk (band 80: killed in about a quarter of
 * the runs): the hedge-band sweep has an interior optimum.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define TICKS_DEFAULT 2000
#define TICKS_MAX 100000000L
#define SEED_DEFAULT 1
#define PRICE0 300.0
#define PRICE_FLOOR 1.0
#define HALF_SPREAD 0.7  /* in sigma */
#define FILL_BASE 0.3
#define FILL_ADVERSE 0.2 /* per unit of z */
#define BASIS_KEEP 0.9
#define BASIS_NOISE 0.5 /* in sigma */
#define HEDGE_COST 0.5  /* in sigma per TAO */
#define WARN_LOSS 0.5   /* of L */
#define HARD_RISK 50.0  /* r >= L / HARD_RISK */
#define WARN_RISK 100.0 /* r >= L / WARN_RISK */
#define BOOK_LEVELS 30  /* per side: 60 ladder lines + 10 = 70 per tick */

typedef struct {
	double init_q_tao, hedge_band_base, hedge_max_step, mm_size_eta, vol_ref, daily_loss_limit;
} params;

static const struct {
	const char *name;
	params p;
} profiles[] = {
	{"conservative", {0, 6, 3, 2, 0.004, 600}},
	{"balanced", {0, 20, 6, 6, 0.004, 1500}},
	{"aggressive", {0, 40, 10, 16, 0.004, 3000}},
};

enum { NORMAL, WARNING, HARDLIMIT };
static const char *const regime_names[] = {"Normal", "Warning", "HardLimit"};

/* --- random numbers: splitmix64 seeds xoshiro256**, both fully specified */

typedef struct {
	uint64_t s[4];
} rng;

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

static double rng_uniform(rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* Irwin-Hall: exact in IEEE arithmetic, so the same on every libm. */
static double rng_normal(rng *r)
{
	double sum = 0;
	for (int i = 0; i < 12; i++)
		sum += rng_uniform(r);
	return sum - 6.0;
}

/* --- arguments and environment */

static void usage(FILE *fp)
{
	fputs("usage: ticksim [--ticks N] [--profile conservative|balanced|aggressive] [--seed S]\n"
	      "telemetry: PARAPHINA_TELEMETRY_MODE=jsonl PARAPHINA_TELEMETRY_PATH=FILE (appended)\n"
	      "overrides: PARAPHINA_INIT_Q_TAO PARAPHINA_HEDGE_BAND_BASE PARAPHINA_HEDGE_MAX_STEP\n"
	      "           PARAPHINA_MM_SIZE_ETA PARAPHINA_VOL_REF PARAPHINA_DAILY_LOSS_LIMIT\n"
	      "TICKSIM_QUIET=1 silences the per-tick output on stdout\n",
	      fp);
}

static int bad_usage(const char *fmt, const char *arg)
{
	fputs("ticksim: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\nticksim: try 'ticksim --help'\n", stderr);
	return 2;
}

/* Reads a whole decimal unsigned number; 0 ok, -1 otherwise. */
static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = (uint64_t)v;
	return 0;
}

static int is_finite(double x)
{
	return x == x && x - x == 0;
}

/* Applies env NAME to *field when it parses and lies in [lo, hi]. */
static void env_override(const char *name, double *field, double lo, double hi)
{
	const char *v = getenv(name);
	if (!v || !*v)
		return;
	char *end;
	errno = 0;
	double x = strtod(v, &end);
	if (end == v || *end || errno == ERANGE || !is_finite(x)) {
		fprintf(stderr, "ticksim: warning: ignoring %s='%s': not a number\n", name, v);
		return;
	}
	if (x < lo || x > hi) {
		fprintf(stderr, "ticksim: warning: ignoring %s='%s': out of range\n", name, v);
		return;
	}
	*field = x;
}

/* mkdir -p of the directories above path; 0 ok, -1 with errno. */
static int make_parents(const char *path)
{
	char *dir = strdup(path);
	if (!dir)
		return -1;
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
			free(dir);
			return -1;
		}
		*p = '/';
	}
	free(dir);
	return 0;
}

/* --- output */

/* The shortest %.*g that reads back as x; -0 as 0; non-finite as null
 * (never produced by the model within the accepted ranges). */
static void put_number(FILE *fp, double x)
{
	char buf[40];
	if (!is_finite(x)) {
		fputs("null", fp);
		return;
	}
	if (x == 0)
		x = 0;
	if (x > -1e15 && x < 1e15 && x == (double)(long long)x) {
		fprintf(fp, "%lld.0", (long long)x); /* 10.0, not 1e+01 */
		return;
	}
	/* Starting at 15 digits loses nothing: a double whose shortest form has
	 * k <= 15 digits is printed by %.15g as those k digits (%g drops the
	 * trailing zeros), because that form lies within half an ulp of x,
	 * a tenth of the 15-digit spacing. */
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, sizeof buf, "%.*g", prec, x);
		if (strtod(buf, NULL) == x)
			break;
	}
	fputs(buf, fp);
}

typedef struct {
	long t;
	double price, basis, q, avg_cost, realised;
	double bid_fill, ask_fill, hedged;
	int regime, kill;
} state;

static void put_row(FILE *fp, const state *s)
{
	double unrealised = s->q * (s->price - s->avg_cost);
	fputs("{\"basis_usd\":", fp);
	put_number(fp, s->basis);
	fputs(",\"dollar_delta_usd\":", fp);
	put_number(fp, s->q * s->price);
	fprintf(fp, ",\"kill_switch\":%s,\"pnl_realised\":", s->kill ? "true" : "false");
	put_number(fp, s->realised);
	fputs(",\"pnl_total\":", fp);
	put_number(fp, s->realised + unrealised);
	fputs(",\"pnl_unrealised\":", fp);
	put_number(fp, unrealised);
	fputs(",\"q_global_tao\":", fp);
	put_number(fp, s->q);
	fprintf(fp, ",\"risk_regime\":\"%s\",\"t\":%ld}\n", regime_names[s->regime], s->t);
}

/* The per-tick log of the users' engine, in kind: 70 lines. */
static void put_chatter(const state *s, const params *p, const char *profile)
{
	double sigma = p->vol_ref * s->price, h = HALF_SPREAD * sigma;
	double unrealised = s->q * (s->price - s->avg_cost);
	printf("[tick %ld] ---- %s ----\n", s->t, profile);
	printf("[tick %ld] mid=%.4f basis=%.4f sigma=%.4f\n", s->t, s->price, s->basis, sigma);
	for (int i = BOOK_LEVELS; i >= 1; i--)
		printf("[tick %ld] book ask L%02d px=%.4f sz=%.3f\n", s->t, i, s->price + h + (i - 1) * 0.1 * sigma,
		       p->mm_size_eta * (1.0 + 0.25 * i));
	for (int i = 1; i <= BOOK_LEVELS; i++)
		printf("[tick %ld] book bid L%02d px=%.4f sz=%.3f\n", s->t, i, s->price - h - (i - 1) * 0.1 * sigma,
		       p->mm_size_eta * (1.0 + 0.25 * i));
	printf("[tick %ld] quotes bid=%.4f ask=%.4f size=%.3f%s\n", s->t, s->price - h, s->price + h, p->mm_size_eta,
	       s->regime == HARDLIMIT ? " (suspended)" : "");
	printf("[tick %ld] fills last tick bid=%.3f ask=%.3f\n", s->t, s->bid_fill, s->ask_fill);
	printf("[tick %ld] hedge last tick %.3f (band %.3f, max step %.3f)\n", s->t, s->hedged, p->hedge_band_base,
	       p->hedge_max_step);
	printf("[tick %ld] inventory q=%.4f avg_cost=%.4f delta_usd=%.2f\n", s->t, s->q, s->avg_cost, s->q * s->price);
	printf("[tick %ld] pnl realised=%.4f unrealised=%.4f total=%.4f\n", s->t, s->realised, unrealised,
	       s->realised + unrealised);
	printf("[tick %ld] risk regime=%s loss_limit=%.2f\n", s->t, regime_names[s->regime], p->daily_loss_limit);
	printf("[tick %ld] kill_switch=%s\n", s->t, s->kill ? "true" : "false");
	printf("[tick %ld] ---- end ----\n", s->t);
}

/* --- the model */

/* Trades qty (signed, TAO) at price with average-cost accounting. */
static void trade(state *s, double qty, double price)
{
	if (qty == 0)
		return;
	if (s->q == 0 || (s->q > 0) == (qty > 0)) {
		double n = s->q < 0 ? -s->q : s->q, m = qty < 0 ? -qty : qty;
		s->avg_cost = (s->avg_cost * n + price * m) / (n + m);
		s->q += qty;
		return;
	}
	double held = s->q < 0 ? -s->q : s->q, m = qty < 0 ? -qty : qty;
	double closed = m < held ? m : held;
	s->realised += closed * (price - s->avg_cost) * (s->q > 0 ? 1 : -1);
	s->q += qty;
	if (m > held)
		s->avg_cost = price; /* flipped: the rest is a new position */
	else if (m == held)
		s->q = 0;
}

static void assess(state *s, const params *p)
{
	double pnl = s->realised + s->q * (s->price - s->avg_cost);
	double risk = (s->q < 0 ? -s->q : s->q) * p->vol_ref * s->price;
	double limit = p->daily_loss_limit;
	if (pnl <= -limit || risk >= limit / HARD_RISK)
		s->regime = HARDLIMIT;
	else if (pnl <= -WARN_LOSS * limit || risk >= limit / WARN_RISK)
		s->regime = WARNING;
	else
		s->regime = NORMAL;
	s->kill = s->regime == HARDLIMIT && pnl <= -limit;
}

static double clamp01(double x)
{
	return x < 0 ? 0 : x > 1 ? 1 : x;
}

static void step(state *s, const params *p, rng *r)
{
	double sigma = p->vol_ref * s->price;
	double bid = s->price - HALF_SPREAD * sigma, ask = s->price + HALF_SPREAD * sigma;
	int quoting = s->regime != HARDLIMIT && p->mm_size_eta > 0;
	double z = rng_normal(r), zb = rng_normal(r);
	double u_bid = rng_uniform(r), u_ask = rng_uniform(r);

	s->price *= 1.0 + p->vol_ref * z;
	if (s->price < PRICE_FLOOR)
		s->price = PRICE_FLOOR;
	s->bid_fill = s->ask_fill = 0;
	if (quoting && u_bid < clamp01(FILL_BASE - FILL_ADVERSE * z)) {
		s->bid_fill = p->mm_size_eta;
		trade(s, p->mm_size_eta, bid);
	}
	if (quoting && u_ask < clamp01(FILL_BASE + FILL_ADVERSE * z)) {
		s->ask_fill = p->mm_size_eta;
		trade(s, -p->mm_size_eta, ask);
	}
	s->basis = BASIS_KEEP * s->basis + BASIS_NOISE * sigma * zb;

	s->hedged = 0;
	double held = s->q < 0 ? -s->q : s->q;
	if (held > p->hedge_band_base && p->hedge_max_step > 0) {
		double amount = held < p->hedge_max_step ? held : p->hedge_max_step;
		double cost = HEDGE_COST * p->vol_ref * s->price;
		s->hedged = s->q > 0 ? -amount : amount;
		trade(s, s->hedged, s->price + s->basis + (s->q > 0 ? -cost : cost));
	}
	s->t++;
}

/* --- main */

/* Matches "--name V" or "--name=V"; sets *val and advances *i. 1 matched,
 * 0 not this option, -1 value missing. */
static int option(int argc, char **argv, int *i, const char *name, const char **val)
{
	size_t n = strlen(name);
	const char *a = argv[*i];
	if (strncmp(a, name, n) != 0)
		return 0;
	if (a[n] == '=') {
		*val = a + n + 1;
		return 1;
	}
	if (a[n] != '\0')
		return 0;
	if (*i + 1 >= argc)
		return -1;
	*val = argv[++*i];
	return 1;
}

int main(int argc, char **argv)
{
	long ticks = TICKS_DEFAULT;
	uint64_t seed = SEED_DEFAULT;
	const char *profile = "balanced";
	params p;

	for (int i = 1; i < argc; i++) {
		const char *v = NULL;
		int m;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		}
		if ((m = option(argc, argv, &i, "--ticks", &v)) != 0) {
			uint64_t n;
			if (m < 0)
				return bad_usage("option '%s' needs a value", "--ticks");
			if (parse_u64(v, &n) != 0 || n > (uint64_t)TICKS_MAX)
				return bad_usage("bad --ticks '%s': expected an integer 0..100000000", v);
			ticks = (long)n;
		} else if ((m = option(argc, argv, &i, "--seed", &v)) != 0) {
			if (m < 0)
				return bad_usage("option '%s' needs a value", "--seed");
			if (parse_u64(v, &seed) != 0)
				return bad_usage("bad --seed '%s': expected an unsigned 64-bit integer", v);
		} else if ((m = option(argc, argv, &i, "--profile", &v)) != 0) {
			if (m < 0)
				return bad_usage("option '%s' needs a value", "--profile");
			profile = v;
		} else {
			return bad_usage("unknown argument '%s'", argv[i]);
		}
	}
	size_t np = sizeof profiles / sizeof profiles[0], k;
	for (k = 0; k < np; k++)
		if (strcmp(profiles[k].name, profile) == 0)
			break;
	if (k == np)
		return bad_usage("unknown profile '%s': expected conservative, balanced or aggressive", profile);
	p = profiles[k].p;

	env_override("PARAPHINA_INIT_Q_TAO", &p.init_q_tao, -1e9, 1e9);
	env_override("PARAPHINA_HEDGE_BAND_BASE", &p.hedge_band_base, 0, 1e9);
	env_override("PARAPHINA_HEDGE_MAX_STEP", &p.hedge_max_step, 0, 1e9);
	env_override("PARAPHINA_MM_SIZE_ETA", &p.mm_size_eta, 0, 1e9);
	env_override("PARAPHINA_VOL_REF", &p.vol_ref, 0, 0.1);
	env_override("PARAPHINA_DAILY_LOSS_LIMIT", &p.daily_loss_limit, 0, 1e15);

	FILE *tel = NULL;
	const char *mode = getenv("PARAPHINA_TELEMETRY_MODE");
	const char *path = getenv("PARAPHINA_TELEMETRY_PATH");
	if (mode && strcmp(mode, "jsonl") == 0) {
		if (!path || !*path) {
			fputs("ticksim: PARAPHINA_TELEMETRY_MODE=jsonl needs PARAPHINA_TELEMETRY_PATH\n", stderr);
			return 2;
		}
		if (make_parents(path) != 0 || !(tel = fopen(path, "a"))) {
			fprintf(stderr, "ticksim: cannot open telemetry file '%s': %s\n", path, strerror(errno));
			return 3;
		}
	} else if (mode && *mode) {
		fprintf(stderr, "ticksim: warning: ignoring PARAPHINA_TELEMETRY_MODE='%s': only jsonl is known\n",
		        mode);
	}
	const char *quiet_env = getenv("TICKSIM_QUIET");
	int quiet = quiet_env && strcmp(quiet_env, "1") == 0;
	static char outbuf[1 << 16];
	setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);

	rng r;
	uint64_t x = seed;
	for (int i = 0; i < 4; i++)
		r.s[i] = splitmix64(&x);
	state s = {0};
	s.price = PRICE0;
	s.q = p.init_q_tao;
	s.avg_cost = PRICE0;

	if (!quiet)
		printf("ticksim: profile=%s ticks=%ld seed=%" PRIu64 " size=%g band=%g step=%g vol=%g limit=%g q0=%g\n",
		       profile, ticks, seed, p.mm_size_eta, p.hedge_band_base, p.hedge_max_step, p.vol_ref,
		       p.daily_loss_limit, p.init_q_tao);
	while (s.t < ticks) {
		assess(&s, &p);
		if (tel)
			put_row(tel, &s);
		if (!quiet)
			put_chatter(&s, &p, profile);
		if (s.kill) {
			if (!quiet)
				printf("ticksim: kill switch at t=%ld\n", s.t);
			break;
		}
		step(&s, &p, &r);
	}
	if (!quiet)
		printf("ticksim: done\n");
	fflush(stdout);
	if (tel && (ferror(tel) | fclose(tel))) {
		fprintf(stderr, "ticksim: cannot write telemetry file '%s'\n", path);
		return 3;
	}
	return 0;
}
