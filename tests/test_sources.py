from __future__ import annotations

import io
import os
import threading
import time
from pathlib import Path

import pytest

from summarise.errors import InputError
from summarise.inputs.article import article_from_text, read_article


def test_reads_a_file_and_takes_the_first_line_as_title(tmp_path: Path) -> None:
    p = tmp_path / "a.txt"
    p.write_text("\nTitle here\n\nBody text.", encoding="utf-8")
    art = read_article(p)
    assert art.title == "Title here"
    assert len(art.id) == 16


def test_id_ignores_whitespace_differences() -> None:
    assert article_from_text("A  b\nc").id == article_from_text("A b c").id
    assert article_from_text("A b c").id != article_from_text("A b d").id


@pytest.mark.parametrize("content", [b"", b"   \n\t  "])
def test_empty_input_is_refused(tmp_path: Path, content: bytes) -> None:
    p = tmp_path / "e.txt"
    p.write_bytes(content)
    with pytest.raises(InputError, match="empty"):
        read_article(p)


def test_binary_input_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "b.bin"
    p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20)
    with pytest.raises(InputError, match="binary"):
        read_article(p)


def test_a_few_invalid_utf8_bytes_are_replaced_with_a_warning(tmp_path: Path) -> None:
    p = tmp_path / "latin.txt"
    p.write_bytes(b"Fighting in Mariupol. " * 20 + b"caf\xe9 owner killed.")
    art = read_article(p)
    assert "\ufffd" in art.text
    assert art.warnings and "replaced with U+FFFD" in art.warnings[0]


def test_mostly_undecodable_text_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "cp1251.txt"
    p.write_bytes("Обстрел города продолжается. ".encode("cp1251") * 10)
    with pytest.raises(InputError, match="not UTF-8"):
        read_article(p)


def test_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "big.txt"
    p.write_text("word " * 30_000, encoding="utf-8")
    with pytest.raises(InputError, match="over the limit of 100,000"):
        read_article(p)
    assert read_article(p, max_chars=200_000).text


def test_missing_path_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_article(tmp_path / "nope.txt")
    with pytest.raises(InputError, match="is a directory"):
        read_article(tmp_path)


def test_reads_standard_input() -> None:
    art = read_article("-", stdin=io.BytesIO(b"Headline\n\nSomething happened."))
    assert art.source == "standard input"
    assert art.text.startswith("Headline")


class EndlessWriter(threading.Thread):
    """Writes article-like text into a named pipe until the reader closes it (or ``total`` bytes)."""

    def __init__(self, fifo: Path, total: int = 16 * 1024 * 1024) -> None:
        super().__init__(daemon=True)
        self.fifo, self.total = fifo, total
        self.written = 0
        self.cut_off = False  # the reader closed the pipe before the writer was done

    def run(self) -> None:
        chunk = b"Shelling continued overnight. " * 64
        try:
            with self.fifo.open("wb") as fh:  # blocks until the reader opens the pipe
                while self.written < self.total:
                    fh.write(chunk)
                    self.written += len(chunk)
        except BrokenPipeError:
            self.cut_off = True


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_is_read_with_a_byte_limit(tmp_path: Path) -> None:
    # a pipe reports size 0, so the size check passes it: only a bounded read stops an endless writer
    fifo = tmp_path / "article.fifo"
    os.mkfifo(fifo)
    writer = EndlessWriter(fifo)
    writer.start()
    started = time.monotonic()
    with pytest.raises(InputError, match="over the limit of 1,000"):
        read_article(fifo, max_chars=1_000)
    writer.join(timeout=10)
    assert time.monotonic() - started < 5
    assert writer.cut_off and writer.written < 1024 * 1024  # the reader stopped near 4,001 bytes


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_an_endless_device_is_refused_without_reading_it_all() -> None:
    started = time.monotonic()
    with pytest.raises(InputError, match="far over the limit of 1,000 characters"):
        read_article("/dev/zero", max_chars=1_000)
    assert time.monotonic() - started < 5


def test_standard_input_over_the_limit_is_refused_without_reading_it_all() -> None:
    stream = io.BytesIO(b"word " * 10_000)
    with pytest.raises(InputError, match="standard input is more than 4,000 bytes, far over the limit of 1,000"):
        read_article("-", max_chars=1_000, stdin=stream)
    assert stream.tell() == 4_001
