"""Dataflow flex template entry point: template parameters -> newsstream flags -> submit, without waiting.

Dataflow passes each template parameter as `--<name>=<value>`. metadata.json names newsstream's options
by their dest (`input_file`, `commit_offsets`), identifiers like Beam's own option names, so this maps
them back to the flags NewsstreamOptions parses (`--input-file`, `--no-commit`). Beam's options
(`--runner`, `--project`, `--sdk_container_image`, ...) pass through unchanged. A Kafka job is always a
streaming job here; a flex template launcher must exit once the job is created, so nothing waits.
"""
from __future__ import annotations

import argparse
import sys

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions

from pipelines.options import NewsstreamOptions
from pipelines.pipeline import build

FALSE_VALUES = {"false", "0", "no", "off"}


def long_flag(action: argparse.Action) -> str:
    return next(flag for flag in action.option_strings if flag.startswith("--"))


def newsstream_actions() -> dict[str, argparse.Action]:
    """NewsstreamOptions' argparse actions by dest, read from its parser so new options are mapped too."""
    parser = argparse.ArgumentParser(add_help=False)
    NewsstreamOptions._add_argparse_args(parser)
    return {action.dest: action for action in parser._actions if action.option_strings}


def template_argv(argv: list[str]) -> list[str]:
    """`--input_file=x` -> `--input-file=x`; a boolean `--commit_offsets=false` -> `--no-commit`."""
    actions = newsstream_actions()
    translated = []
    for arg in argv:
        name, has_value, value = arg[2:].partition("=") if arg.startswith("--") else ("", "", "")
        action = actions.get(name)
        if action is None:
            translated.append(arg)
        elif action.nargs == 0:
            enabled = not has_value or value.strip().lower() not in FALSE_VALUES
            if enabled != action.default:
                translated.append(long_flag(action))
        else:
            translated.append(f"{long_flag(action)}={value}")
    return translated


def main(argv: list[str] | None = None) -> beam.runners.runner.PipelineResult:
    """Build the newsstream pipeline from template parameters and submit it."""
    options = PipelineOptions(template_argv(sys.argv[1:] if argv is None else argv))
    opts = options.view_as(NewsstreamOptions)
    if not opts.input_file and not opts.bootstrap_servers:
        raise SystemExit("error: set bootstrap_servers (Kafka brokers) or input_file")
    if not opts.input_file:
        options.view_as(StandardOptions).streaming = True
    pipeline = beam.Pipeline(options=options)
    build(pipeline, opts)
    return pipeline.run()


if __name__ == "__main__":
    main()
