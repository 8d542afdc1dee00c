"""The behaviour model: what each file and each package of a tarball can do (see model.py)."""
