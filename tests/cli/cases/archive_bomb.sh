# archive_bomb: small archives that unpack to GiBs are refused before their
# members are read, by `archive show` and `replay` alike: one line, exit 2,
# and a peak RSS of a few MiB (measured here: `rss` runs a command and says
# whether the harness stayed under 64 MiB; before, `archive show` of the
# first one took 4.2 GB). fixtures/make_bomb.py builds them in a blink:
# zstd frames of 1 MiB of zeros, 41 bytes each, repeated.
rss() {
	python3 -c '
import resource, subprocess, sys
rc = subprocess.run(sys.argv[1:]).returncode
kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print("peak RSS under 64 MiB:", "yes" if kib < 64 * 1024 else "NO (%d KiB)" % kib, file=sys.stderr)
sys.exit(rc)' "$@"
}

python3 fixtures/make_bomb.py \
	bomb.tar.zst spec.yaml=text:x zero0=zeros:1G zero1=zeros:1G zero2=zeros:1G zero3=zeros:1G \
	--unlisted zero0 --unlisted zero1 --unlisted zero2 --unlisted zero3 \
	-- bigger.tar.zst spec.yaml=text:x zero0=zeros:1G --list-size zero0=10 \
	-- claims.tar.zst zero0=zeros:1G zero1=zeros:1G zero2=zeros:1G zero3=zeros:1G \
	-- huge.tar.zst zero0=zeros:1M --list-size zero0=1099511627776 \
	-- late.tar.zst zero0=zeros:1G zero1=zeros:1G spec.yaml=text:x --manifest-last

# four members of 1 GiB of zeros that the manifest does not list (the issue's)
t sh -c 'wc -c <bomb.tar.zst'
t rss harness archive show bomb.tar.zst
t rss harness replay bomb.tar.zst
t rss harness archive ls .
# a member bigger than the manifest says
t rss harness archive show bigger.tar.zst
# a manifest that lists 4 GiB honestly (true sizes and hashes)
t rss harness archive show claims.tar.zst
t rss harness replay claims.tar.zst
# a manifest that lists a member no archive may hold
t rss harness archive show huge.tar.zst
# MANIFEST.json after the zeros (as a repack may put it)
t rss harness archive show late.tar.zst
t rss harness archive extract late.tar.zst out
t test -e out
