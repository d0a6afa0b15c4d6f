"""Console scripts: each module parses arguments and calls one library function."""
