"""Development tools, installed only outside production (settings.py): `chibo demo` (the demo
province), `chibo synth` (the synthetic province of benchmarks) and `chibo bench` (page
timings, the import benchmark). A production server has none of them: they write invented
people into the database."""
