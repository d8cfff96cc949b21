/* cliutil.c - small helpers shared by the cmd_*.c files. */
#include "cliutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int hx_cli_parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = (uint64_t)v;
	return 0;
}

int hx_cli_parse_int(const char *s, int min, int max, int *out)
{
	uint64_t v;
	if (hx_cli_parse_u64(s, &v) != 0 || v < (uint64_t)min || v > (uint64_t)max)
		return -1;
	*out = (int)v;
	return 0;
}

int hx_cli_in_ci(void)
{
	const char *ci = getenv("CI");
	return ci && *ci && strcmp(ci, "0") != 0 && strcasecmp(ci, "false") != 0;
}

const char *hx_cli_option_value(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);
	const char *arg = argv[*i];
	if (strncmp(arg, name, n) != 0)
		return NULL;
	if (arg[n] == '=')
		return arg + n + 1;
	if (arg[n] != '\0')
		return NULL;
	if (*i + 1 >= argc)
		return "";
	return argv[++*i];
}
