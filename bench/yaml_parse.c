/* yaml_parse.c - the reference of bench/yaml_keys.sh: libyaml alone parsing
 * a file, as the harness's YAML tree does (the whole file read into memory,
 * then every event pulled from yaml_parse), but building nothing and
 * checking nothing.
 *
 * usage: yaml_parse FILE    prints "events=N scalars=M"; exit 2 on a parse
 * error, 3 when the file cannot be read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <yaml.h>

int main(int argc, char **argv)
{
	FILE *fp;
	unsigned char *text;
	long size;
	yaml_parser_t parser;
	yaml_event_t ev;
	size_t events = 0, scalars = 0;
	int done = 0;

	if (argc != 2 || !(fp = fopen(argv[1], "rb"))) {
		fprintf(stderr, "usage: yaml_parse FILE\n");
		return 3;
	}
	if (fseek(fp, 0, SEEK_END) != 0 || (size = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET) != 0 ||
	    !(text = malloc((size_t)size + 1)) || fread(text, 1, (size_t)size, fp) != (size_t)size) {
		fprintf(stderr, "yaml_parse: cannot read '%s'\n", argv[1]);
		return 3;
	}
	fclose(fp);
	if (!yaml_parser_initialize(&parser))
		return 3;
	yaml_parser_set_input_string(&parser, text, (size_t)size);
	while (!done) {
		if (!yaml_parser_parse(&parser, &ev)) {
			fprintf(stderr, "yaml_parse: %s\n", parser.problem ? parser.problem : "error");
			return 2;
		}
		events++;
		scalars += ev.type == YAML_SCALAR_EVENT;
		done = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	free(text);
	printf("events=%zu scalars=%zu\n", events, scalars);
	return 0;
}
