# Every command answers --help on stdout with exit 0.
t harness --help
t harness run --help
t harness hash --help
t harness golden --help
t harness canon --help
t harness calibrate --help
t harness fit --help
t harness compare --help
t harness summary --help
t harness align --help
t harness tune --help
