"""Bounded runs count and commit only what is in their final files: every file is checked (exists, record
count) before the offsets are committed, each run's file names carry a part of their own, and a manifest
lists what the run wrote."""
from __future__ import annotations

import json
import posixpath

import pytest
from apache_beam.io.localfilesystem import LocalFileSystem

from pipelines.io.avro import FileOutput
from pipelines.transforms.write import OutputsNotVerified, WrittenFile, verify_written_files
from tests.conftest import run_pipeline
from tests.test_kafka_integration import PARTITIONS, article, committed, kafka_args, produce

SCHEME = "renames-lost"


class RenamesLost(LocalFileSystem):
    """The local disk under `renames-lost://`, where a rename fails without an error (as a temp-to-final move
    across filesystems did inside Beam's fileio): files are written, never moved into place."""

    @classmethod
    def scheme(cls):
        return SCHEME

    @staticmethod
    def local(path: str) -> str:
        return path.removeprefix(f"{SCHEME}://")

    def create(self, path, *args, **kwargs):
        return super().create(self.local(path), *args, **kwargs)

    def open(self, path, *args, **kwargs):
        return super().open(self.local(path), *args, **kwargs)

    def exists(self, path):
        return super().exists(self.local(path))

    def mkdirs(self, path):
        return super().mkdirs(self.local(path))

    def split(self, path):
        """Keeps the scheme (LocalFileSystem.split makes the path absolute, as a local one)."""
        return posixpath.split(path)

    def rename(self, source_file_names, destination_file_names):
        return None


def test_two_runs_started_in_the_same_second_never_share_a_file_name(tmp_path):
    first, second = (FileOutput.starting_now(str(tmp_path)) for _ in range(2))
    assert first.run_stamp != second.run_stamp
    assert first.path("article", 0, 0) != second.path("article", 0, 0)


def test_a_missing_or_short_file_fails_the_verification(tmp_path):
    lines = tmp_path / "in.jsonl"
    lines.write_text("".join(json.dumps(article(i)) + "\n" for i in range(4)))
    run_pipeline(["--input-file", str(lines), "--output", str(tmp_path / "out"), "--no-events"])
    manifest = json.loads(next((tmp_path / "out").glob("_run-*.json")).read_text())
    written = [WrittenFile(f["schema"], str(tmp_path / "out" / f["path"]), f["records"]) for f in manifest["files"]]
    assert verify_written_files(written)["article"] == 4
    with pytest.raises(OutputsNotVerified, match="1 output file"):
        verify_written_files([*written[1:], WrittenFile("article", written[0].path, written[0].records + 1)])
    (tmp_path / "out" / manifest["files"][0]["path"]).unlink()
    with pytest.raises(OutputsNotVerified, match="missing"):
        verify_written_files(written)


def test_the_manifest_lists_every_file_and_the_counts_come_from_the_files(tmp_path):
    lines = tmp_path / "in.jsonl"
    lines.write_text("".join(json.dumps(article(i)) + "\n" for i in range(5)) + "not json\n")
    outputs, totals = run_pipeline(["--input-file", str(lines), "--output", str(tmp_path / "out"), "--no-events",
                                    "--file-shards", "3"])
    [manifest_path] = (tmp_path / "out").glob("_run-*.json")
    manifest = json.loads(manifest_path.read_text())
    assert sorted(f["path"] for f in manifest["files"]) == sorted(
        p.name for p in (tmp_path / "out").glob("*.avro"))
    assert all(f["path"].split("-", 1)[1].startswith(manifest["run"]) for f in manifest["files"])
    assert manifest["records"] == {"article": 5, "event": 0, "dead_letter": 1}
    assert (totals["articles_written"], totals["dead_letters_written"]) == (5, 1)
    assert (len(outputs["articles"]), len(outputs["dead_letters"])) == (5, 1)


@pytest.mark.integration
@pytest.mark.kafka_cluster
def test_files_that_never_reach_their_final_name_fail_the_run_and_commit_nothing(kafka_cluster, topic, tmp_path):
    kafka_cluster.create_topic(topic, PARTITIONS)
    produce(kafka_cluster, topic, [json.dumps(article(i)).encode() for i in range(6)])
    lost = f"{SCHEME}://{tmp_path / 'lost'}"
    with pytest.raises(Exception, match="not as written"):
        run_pipeline(kafka_args(kafka_cluster, topic, lost, "g-lost", "--no-events"))
    assert committed(kafka_cluster, topic, "g-lost") == {p: None for p in range(PARTITIONS)}
    outputs, totals = run_pipeline(kafka_args(kafka_cluster, topic, tmp_path / "retry", "g-lost", "--no-events"))
    assert len(outputs["articles"]) == totals["articles_written"] == 6
    assert committed(kafka_cluster, topic, "g-lost") == {p: 2 for p in range(PARTITIONS)}
