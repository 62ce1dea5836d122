"""What is kept on disk: the SQLite store (cache, call log, feed state), JSONL results, atomic writes."""
