# harness canon: RFC 8785 by default, profiles, located errors (exit 2).
printf '{"b":1E30,"a":[4.50,2e-3,-0],"c":"\\u20ac\\/\\u000f"}\n\n{"z":{"y":1,"x":2}}\n' > in.jsonl
t harness canon in.jsonl
t sh -c 'harness canon < in.jsonl'
printf '{"verification_id":"x","timestamp":1.5,"duration_ms":2.675,"cpu_time_ms":0.125,"metadata":{"worker":3,"task_index":1}}\n' > t.jsonl
t harness canon --profile telemetry t.jsonl
t harness canon --strip metadata --round duration_ms=1 t.jsonl
printf 'strip: [timestamp]\nround: {cpu_time_ms: 1}\n' > p.yaml
t harness canon --profile p.yaml t.jsonl
t harness canon --profile nosuch t.jsonl
t harness canon --round duration_ms t.jsonl
printf '{"a":1}\n{"a":1,"a":2}\n' > dup.jsonl
t harness canon dup.jsonl
printf '{"a":"\\ud800"}\n' > sur.jsonl
t harness canon sur.jsonl
printf '{"a":"\xff"}\n' > utf.jsonl
t harness canon utf.jsonl
printf '{"a":NaN}\n' > nan.jsonl
t harness canon nan.jsonl
printf '{"a":1} x\n' > trail.jsonl
t harness canon trail.jsonl
t harness canon missing.jsonl
