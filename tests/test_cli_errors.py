"""Command-line mistakes through the real console script: each ends in one line saying what is wrong and what
to do, exit 1 or 2, no traceback, before any work starts (no broker started, no output written)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.conftest import shared_path

NEWSSTREAM = str(Path(sys.executable).parent / "newsstream")
SEED = ("eval", "seed", "seed_article.jsonl")


def newsstream(*args: str, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([NEWSSTREAM, *args], capture_output=True, text=True, cwd=cwd, timeout=timeout)


def assert_one_line_error(done: subprocess.CompletedProcess, status: int, *words: str) -> str:
    """The command failed with `status`, said so in one stderr line holding `words`, and printed nothing else."""
    lines = done.stderr.strip().splitlines()
    assert done.returncode == status, done.stderr
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    for word in words:
        assert word in lines[0]
    return lines[0]


@pytest.mark.parametrize("typo", ["--input-fle", "--input_file"])
def test_a_mistyped_flag_is_refused_with_the_flag_it_resembles(typo, tmp_path):
    done = newsstream("run", typo, "x.jsonl", "--output", str(tmp_path / "out"))
    assert_one_line_error(done, 2, typo, "did you mean --input-file?")
    assert not (tmp_path / "out").exists()  # refused before anything was created


def test_beam_flags_still_pass_and_unknown_ones_do_not(tmp_path):
    done = newsstream("run", "--input-file", "missing.jsonl", "--direct_num_workers", "2")
    assert_one_line_error(done, 1, "missing.jsonl")  # Beam's flag accepted: the next check speaks
    done = newsstream("run", "--input-file", "missing.jsonl", "--direct_num_workerz", "2")
    assert_one_line_error(done, 2, "--direct_num_workerz", "--direct_num_workers")


def test_a_missing_input_file_or_a_glob_matching_nothing(tmp_path):
    assert_one_line_error(newsstream("run", "--input-file", str(tmp_path / "missing.jsonl")), 1,
                          "missing.jsonl", "no such file")
    assert_one_line_error(newsstream("run", "--input-file", str(tmp_path / "*.jsonl")), 1, "no such file matches")


def test_a_directory_as_input_gets_the_glob_to_use(tmp_path):
    assert_one_line_error(newsstream("run", "--input-file", f"{tmp_path}/"), 1, "is a directory",
                          f"{tmp_path}/*.jsonl")


def test_output_under_a_regular_file_or_read_only_is_refused_before_the_run(tmp_path):
    seed = shared_path(*SEED)
    (tmp_path / "notes.txt").write_text("x")
    done = newsstream("run", "--input-file", seed, "--output", str(tmp_path / "notes.txt" / "out"))
    assert_one_line_error(done, 1, "notes.txt is a file, not a directory")
    if os.geteuid() == 0:
        read_only = Path("/sys")  # root writes through permission bits, not into sysfs
        try:
            tempfile.TemporaryFile(dir=read_only).close()
            pytest.skip("root can write into /sys here: no read-only directory to try")
        except OSError:
            pass
    else:
        read_only = tmp_path / "ro"
        read_only.mkdir(mode=0o555)
    assert_one_line_error(newsstream("run", "--input-file", seed, "--output", str(read_only)), 1,
                          "is not writable", "choose a directory")


def test_start_offsets_are_parsed_before_any_broker_is_asked():
    done = newsstream("run", "--bootstrap-servers", "127.0.0.1:1", "--start-offsets", "garbage")
    assert_one_line_error(done, 2, "'garbage'", "TOPIC:PARTITION:OFFSET")
    done = newsstream("run", "--bootstrap-servers", "127.0.0.1:1", "--start-offsets", "articles:0:x")
    assert_one_line_error(done, 2, "'articles:0:x'")


def test_a_spacy_model_that_is_not_installed_is_named():
    done = newsstream("run", "--input-file", shared_path(*SEED), "--spacy-model", "en_core_web_xx")
    assert_one_line_error(done, 1, "'en_core_web_xx' is not installed", "--no-events")


@pytest.mark.parametrize(("args", "words"), [
    (["--dedup-bands", "100"], ("--dedup-bands 100", "exceeds --dedup-bins 64")),
    (["--dedup-bins", "48"], ("power of two",)),
    (["--dedup-min-jaccard", "1.5"], ("between 0 and 1",)),
    (["--kafka-timeout", "0"], ("--kafka-timeout must be at least",)),
    (["--source-timezones", "yonhap=Asia/Soul"], ("'Asia/Soul' is not an IANA time zone name",)),
    (["--source-timezones", "Asia/Seoul"], ("SOURCE=ZONE",)),
])
def test_inconsistent_values_are_refused(args, words):
    assert_one_line_error(newsstream("run", "--input-file", "x.jsonl", *args), 2, *words)


def test_a_topic_that_does_not_exist_fails_within_the_kafka_timeout(broker, tmp_path):
    done = newsstream("run", "--bootstrap-servers", broker.bootstrap_servers, "--topic", "no-such-topic-14",
                      "--kafka-timeout", "5", "--output", str(tmp_path))
    assert_one_line_error(done, 1, "topic 'no-such-topic-14' does not exist", "check --topic")


@pytest.mark.parametrize(("name", "content", "words"), [
    ("notes.txt", "shopping list\n", ("not an Avro container file",)),
    ("x.jsonl", '{"id": "a", "text": "b"}\n', ("holds JSON lines, not Avro", "--input-file")),
    ("empty.avro", "", ("is empty",)),
])
def test_inspect_says_what_it_got(name, content, words, tmp_path):
    (tmp_path / name).write_text(content)
    assert_one_line_error(newsstream("inspect", str(tmp_path / name)), 1, *words)


def test_inspect_of_a_missing_file_or_a_glob_matching_nothing(tmp_path):
    assert_one_line_error(newsstream("inspect", str(tmp_path / "missing.avro")), 1, "no such file")
    done = newsstream("inspect", str(tmp_path / "dead_letters-*.avro"))
    assert_one_line_error(done, 1, "no file matches", "only when it has dead letters")


def test_debug_shows_the_traceback(tmp_path):
    done = newsstream("run", "--input-file", str(tmp_path / "missing.jsonl"), "--debug")
    assert done.returncode == 1 and "Traceback" in done.stderr and "UserError" in done.stderr


def test_help_imports_neither_beam_nor_spacy_and_shows_defaults():
    code = ("import contextlib, io, sys\nfrom pipelines.cli import main\nout = io.StringIO()\n"
            "with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):\n    main(['run', '--help'])\n"
            "print(out.getvalue())\nprint(sorted({'apache_beam', 'spacy', 'kafka'} & set(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    *help_lines, imported = done.stdout.strip().splitlines()
    assert imported == "[]"
    text = " ".join(" ".join(help_lines).split())
    assert "--input-file INPUT_FILE" in text and "(default: articles)" in text and "(default: 16)" in text
    assert "--debug" in text


def test_a_seed_run_prints_only_our_lines_and_leaves_only_output_files(tmp_path):
    out = tmp_path / "out"
    done = newsstream("run", "--input-file", shared_path(*SEED), "--output", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    rows = done.stdout.splitlines()
    assert rows[0].split() == ["messages", "read", "1"] and rows[-1].startswith("output: ")
    assert {path.name.split("-")[0] for path in out.iterdir()} == {"articles", "events", "_run"}
    assert all(path.is_file() and path.suffix in {".avro", ".json"} for path in out.iterdir())
    assert len(list(out.glob("_run-*.json"))) == 1, "one run manifest"
    shown = newsstream("inspect", str(out / "articles-*.avro"))
    assert [json.loads(line)["article_id"] for line in shown.stdout.splitlines()] == ["seed-000"]


def test_a_run_against_a_running_broker_prints_only_our_lines(broker, topic, tmp_path):
    from pipelines.cli import sample_articles_path

    produced = newsstream("produce", sample_articles_path(), "--bootstrap-servers", broker.bootstrap_servers,
                          "--topic", topic)
    assert produced.returncode == 0 and produced.stderr == "", produced.stderr
    done = newsstream("run", "--bootstrap-servers", broker.bootstrap_servers, "--topic", topic, "--group-id",
                      "g-quiet", "--kafka-idle-timeout", "10", "--no-events", "--output", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    # what remains on stderr is our own line per dead letter (the samples hold four malformed messages)
    lines = done.stderr.splitlines()
    assert len(lines) == 4 and all(line.startswith("WARNING pipelines.transforms.stage: dead letter ")
                                   for line in lines), done.stderr
    assert "messages read                11" in done.stdout
