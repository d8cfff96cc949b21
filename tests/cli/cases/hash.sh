# harness hash prints the digits xxh128sum prints.
printf 'abc' > abc.txt
: > empty.txt
t harness hash abc.txt empty.txt
t sh -c 'xxh128sum abc.txt empty.txt 2>/dev/null'
t sh -c 'printf abc | harness hash -'
t harness hash abc.txt missing.txt
t harness hash -- abc.txt
