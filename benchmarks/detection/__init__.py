"""The detection benchmark: labelled malicious stand-ins and real benign updates, judged by
depscan, scored for precision and recall. Run ``python -m benchmarks.detection run``; see
docs/benchmarks.md ("Detection")."""
