/* fuzz_archive.c - libFuzzer target: the run archive reader. The input is
 * written to a scratch file and read as an archive (tar with zstd or gzip,
 * the manifest checked, every member verified); anything but a valid
 * archive is an error, never a crash, and memory stays within the
 * fuzzer's -rss_limit_mb. */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "archive.h"
#include "error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	hx_archive_contents c;
	int fd;
	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/hx-fuzz-archive-%d.tar.zst", (int)getpid());
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size || close(fd) != 0)
		abort();
	if (hx_archive_read(&c, path) == 0)
		hx_archive_contents_release(&c);
	hx_error_clear();
	return 0;
}
