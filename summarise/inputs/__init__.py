"""Where articles come from: files, standard input, raw text, URLs and feeds. Every input check lives here."""

DEFAULT_MAX_CHARS = 100_000  # the longest article accepted unless a caller raises it (--max-chars)
