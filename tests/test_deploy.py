"""deploy/: manifests and template metadata parse and name only options that exist; image pins match setup.py.

Everything is read from the current files (options from the parsers, pins from setup.py), so renaming an
option, adding one without documenting it, or bumping a pin on one side only fails here.
"""
from __future__ import annotations

import argparse
import ast
import importlib.util
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from apache_beam.options.pipeline_options import FlinkRunnerOptions, PipelineOptions, _BeamArgumentParser
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from pipelines.io.kafka_config import CREDENTIAL_ENV
from pipelines.options import NewsstreamOptions

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
FLINK = DEPLOY / "flink"
OVERLAYS = sorted(p for p in (FLINK / "overlays").iterdir() if (p / "kustomization.yaml").exists())
WORKER_DOCKERFILE = DEPLOY / "worker" / "Dockerfile"
DATAFLOW_DOCKERFILE = DEPLOY / "dataflow" / "Dockerfile"
METADATA = json.loads((DEPLOY / "dataflow" / "metadata.json").read_text(encoding="utf-8"))
# Java FlinkPipelineOptions that no Python options class defines: the FlinkRunner forwards unknown options
# to the job jar only with --flink_submit_uber_jar (it drops them otherwise).
FLINK_JAR_OPTIONS = {"--checkpointing_interval", "--savepoint_path", "--allow_non_restored_state"}


def yaml_files() -> list[Path]:
    return sorted(DEPLOY.rglob("*.yaml"))


def load_yaml(path: Path) -> list:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc is not None]


def newsstream_actions() -> dict[str, argparse.Action]:
    parser = argparse.ArgumentParser(add_help=False)
    NewsstreamOptions._add_argparse_args(parser)
    return {action.dest: action for action in parser._actions if action.option_strings}


def all_options_parser() -> _BeamArgumentParser:
    """The parser Beam itself builds from every PipelineOptions subclass (newsstream's included)."""
    parser = _BeamArgumentParser(allow_abbrev=False)
    for cls in {str(c): c for c in PipelineOptions.__subclasses__()}.values():
        cls._add_argparse_args(parser)
    return parser


KNOWN_FLAGS = set(all_options_parser()._option_string_actions)
KNOWN_DESTS = {action.dest for action in all_options_parser()._actions}


def read_env_file(path: Path) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in path.read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}


def resource(docs: list, kind: str) -> dict:
    return next(doc for doc in docs if doc.get("kind") == kind)


def base_job() -> dict:
    return resource(load_yaml(FLINK / "base" / "submit-job.yaml"), "Job")


def base_flink_deployment() -> dict:
    return resource(load_yaml(FLINK / "base" / "flink-deployment.yaml"), "FlinkDeployment")


def overlay_run_args(overlay: Path) -> list[str]:
    """`newsstream run` arguments of the submit Job with the overlay's JSON patches applied to them."""
    container = base_job()["spec"]["template"]["spec"]["containers"][0]
    assert container["command"] == ["newsstream"] and container["args"][0] == "run"
    args = list(container["args"][1:])
    kustomization = load_yaml(overlay / "kustomization.yaml")[0]
    for patch in kustomization.get("patches", []):
        if patch.get("target", {}).get("kind") != "Job":
            continue
        for op in load_yaml(overlay / patch["path"])[0]:
            if op["path"].endswith("/args/-"):
                args.append(op["value"])
    return args


def overlay_settings(overlay: Path) -> dict[str, str]:
    return {**read_env_file(FLINK / "base" / "settings.env"), **read_env_file(overlay / "settings.env")}


def resolve(arg: str, settings: dict[str, str]) -> str:
    """Kubernetes' $(VAR) expansion, from the settings ConfigMap."""
    return re.sub(r"\$\(([A-Z_]+)\)", lambda m: settings[m.group(1)], arg)


def flag_name(arg: str) -> str:
    return arg.split("=", 1)[0]


def setup_call() -> dict[str, ast.expr]:
    tree = ast.parse((ROOT / "setup.py").read_text(encoding="utf-8"))
    call = next(node for node in ast.walk(tree)
                if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "setup")
    return {kw.arg: kw.value for kw in call.keywords}


def setup_pins() -> dict[str, str]:
    """install_requires name -> exact version, from setup.py as it is now."""
    pins = {}
    for requirement in map(Requirement, ast.literal_eval(setup_call()["install_requires"])):
        exact = [spec.version for spec in requirement.specifier if spec.operator == "=="]
        if exact:
            pins[canonicalize_name(requirement.name)] = exact[0]
    return pins


def dockerfile_args(path: Path) -> dict[str, str]:
    return dict(re.findall(r"^ARG (\w+)=(\S+)$", path.read_text(encoding="utf-8"), re.M))


def expand(text: str, args: dict[str, str]) -> str:
    return re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], text)


def from_images(path: Path) -> list[str]:
    args = dockerfile_args(path)
    return [expand(image, args) for image in re.findall(r"^FROM (\S+)", path.read_text(encoding="utf-8"), re.M)]


def dockerfile_pins(path: Path) -> dict[str, str]:
    """`name==version` (extras dropped) in the Dockerfile's RUN pip install lines and ARG defaults."""
    text = expand(path.read_text(encoding="utf-8"), dockerfile_args(path))
    pins = re.findall(r"([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==([0-9][^\s\"']*)", text)
    return {canonicalize_name(name): version for name, version in pins}


def load_launcher():
    spec = importlib.util.spec_from_file_location("newsstream_flex_launcher", DEPLOY / "dataflow" / "launch.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- manifests -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", yaml_files(), ids=lambda p: str(p.relative_to(DEPLOY)))
def test_every_yaml_manifest_parses(path):
    docs = load_yaml(path)
    assert docs, f"{path} is empty"
    for doc in docs:
        assert isinstance(doc, (dict, list))
        if isinstance(doc, dict) and "kind" in doc:
            assert doc.get("apiVersion") and doc.get("metadata", {}).get("name") or doc["kind"] == "Kustomization"


@pytest.mark.parametrize("kustomization", sorted(FLINK.rglob("kustomization.yaml")), ids=lambda p: p.parent.name)
def test_kustomizations_name_files_that_exist(kustomization):
    spec = load_yaml(kustomization)[0]
    here = kustomization.parent
    named = list(spec.get("resources", [])) + [p["path"] for p in spec.get("patches", [])]
    named += [env for generator in spec.get("configMapGenerator", []) for env in generator.get("envs", [])]
    assert named
    for name in named:
        assert (here / name).exists(), f"{kustomization} names {name}, which does not exist"


def test_deployable_overlays_exist():
    assert {p.name for p in OVERLAYS} >= {"local", "production"}


@pytest.mark.parametrize("overlay", OVERLAYS, ids=lambda p: p.name)
def test_every_flag_passed_to_newsstream_run_is_an_option(overlay):
    args = overlay_run_args(overlay)
    flags = [flag_name(arg) for arg in args]
    unknown = [f for f in flags if f not in KNOWN_FLAGS and f not in FLINK_JAR_OPTIONS]
    assert not unknown, f"{overlay.name}: newsstream run is given flags no options class defines: {unknown}"
    if FLINK_JAR_OPTIONS & set(flags):
        assert "--flink_submit_uber_jar" in flags, "Flink jar options are dropped without --flink_submit_uber_jar"


@pytest.mark.parametrize("overlay", OVERLAYS, ids=lambda p: p.name)
def test_run_arguments_parse_with_the_overlay_settings(overlay):
    settings = overlay_settings(overlay)
    args = [resolve(arg, settings) for arg in overlay_run_args(overlay)]
    options = PipelineOptions([a for a in args if flag_name(a) not in FLINK_JAR_OPTIONS])
    opts = options.view_as(NewsstreamOptions)
    assert opts.bootstrap_servers == settings["BOOTSTRAP_SERVERS"]
    assert opts.topic == settings["TOPIC"] and opts.group_id == settings["GROUP_ID"]
    assert opts.output == settings["OUTPUT"]
    assert opts.window_seconds == int(settings["WINDOW_SECONDS"])
    flink = options.view_as(FlinkRunnerOptions)
    assert flink.parallelism == int(settings["PARALLELISM"]) and flink.max_parallelism > flink.parallelism
    assert f"--checkpointing_interval={int(settings['CHECKPOINT_INTERVAL_MS'])}" in args
    assert "--streaming" in args and "--runner=FlinkRunner" in args


def test_job_reads_every_setting_and_the_password_from_a_secret():
    container = base_job()["spec"]["template"]["spec"]["containers"][0]
    env = {item["name"]: item["valueFrom"] for item in container["env"]}
    used = set(re.findall(r"\$\(([A-Z_]+)\)", " ".join(container["args"])))
    assert used <= set(env)
    assert set(read_env_file(FLINK / "base" / "settings.env")) <= used, "a setting in settings.env is not used"
    assert env[CREDENTIAL_ENV["sasl_plain_password"]]["secretKeyRef"]["optional"] is True
    assert not any("sasl-password" in arg for arg in container["args"]), "the password must not be an argument"
    assert base_job()["spec"]["backoffLimit"] == 0


def test_worker_pool_sidecar_matches_the_pipeline_environment():
    args = dict(arg.split("=", 1) for arg in base_job()["spec"]["template"]["spec"]["containers"][0]["args"]
                if "=" in arg)
    sidecar = next(c for c in base_flink_deployment()["spec"]["taskManager"]["podTemplate"]["spec"]["containers"]
                   if c["name"] == "beam-worker-pool")
    assert sidecar["args"] == ["--worker_pool"]
    assert args["--environment_type"] == "EXTERNAL"
    assert args["--environment_config"] == f"localhost:{sidecar['ports'][0]['containerPort']}"
    assert args["--flink_master"] == f"http://{base_flink_deployment()['metadata']['name']}-rest:8081"
    wait = base_job()["spec"]["template"]["spec"]["initContainers"][0]["args"][0]
    assert f'url = "{args["--flink_master"]}/v1/config"' in wait


@pytest.mark.parametrize("overlay", OVERLAYS, ids=lambda p: p.name)
def test_overlay_builds_with_kustomize(overlay):
    kubectl = shutil.which("kubectl")
    if not kubectl:
        pytest.skip("kubectl not installed: kustomize build not checked")
    rendered = subprocess.run([kubectl, "kustomize", str(overlay)], capture_output=True, text=True, timeout=60)
    assert rendered.returncode == 0, rendered.stderr
    docs = [d for d in yaml.safe_load_all(rendered.stdout) if d]
    config_map = resource(docs, "ConfigMap")
    job = resource(docs, "Job")["spec"]["template"]["spec"]["containers"][0]
    refs = [e["valueFrom"]["configMapKeyRef"] for e in job["env"] if "configMapKeyRef" in e.get("valueFrom", {})]
    assert refs and all(ref["name"] == config_map["metadata"]["name"] for ref in refs)
    assert all(ref["key"] in config_map["data"] for ref in refs)
    flink = resource(docs, "FlinkDeployment")["spec"]
    assert flink["flinkConfiguration"]["state.checkpoints.dir"], "an overlay must give checkpoint storage"
    sidecar = flink["taskManager"]["podTemplate"]["spec"]["containers"][0]
    assert sidecar["image"].rsplit(":", 1)[0].endswith("newsstream-worker") and ":" in sidecar["image"]


# --- Dataflow flex template --------------------------------------------------------------------------------


def test_metadata_parameters_are_complete_and_well_formed():
    names = [p["name"] for p in METADATA["parameters"]]
    assert len(names) == len(set(names))
    for p in METADATA["parameters"]:
        assert p["label"].strip() and p["helpText"].strip() and isinstance(p["isOptional"], bool), p
        for regex in p.get("regexes", []):
            re.compile(regex)


def test_every_metadata_parameter_is_an_option():
    unknown = {p["name"] for p in METADATA["parameters"]} - KNOWN_DESTS
    assert not unknown, f"metadata.json lists parameters no options class defines: {unknown}"


def test_every_newsstream_option_is_in_metadata():
    missing = set(newsstream_actions()) - {p["name"] for p in METADATA["parameters"]}
    assert not missing, f"options missing from deploy/dataflow/metadata.json: {sorted(missing)}"


def test_metadata_regexes_accept_defaults_and_choices_and_reject_nonsense():
    actions = newsstream_actions()
    for p in METADATA["parameters"]:
        if not p.get("regexes") or p["name"] not in actions:
            continue
        action = actions[p["name"]]
        valid = list(action.choices or [])
        if action.nargs == 0:
            valid += ["true", "false"]
        elif action.default is not None and action.default != "output":
            valid.append(str(action.default))
        for value in valid:
            assert all(re.fullmatch(r, value) for r in p["regexes"]), (p["name"], value)
        assert not any(re.fullmatch(r, "no such value!") for r in p["regexes"]), p["name"]


def test_launcher_maps_every_parameter_to_the_option_it_names():
    launcher = load_launcher()
    actions = newsstream_actions()
    for name, action in actions.items():
        flipped = "true" if action.const is True else "false"
        value = flipped if action.nargs == 0 else str(action.choices[-1] if action.choices else (
            "7" if action.type in (int, float) else "some-value"))
        argv = launcher.template_argv([f"--{name}={value}"])
        assert all(flag_name(a) in KNOWN_FLAGS for a in argv), (name, argv)
        parsed = getattr(PipelineOptions(argv).view_as(NewsstreamOptions), name)
        expected = (not action.default) if action.nargs == 0 else (action.type or str)(value)
        assert parsed == expected, (name, argv, parsed)


def test_launcher_boolean_parameters_and_beam_flags():
    launcher = load_launcher()
    assert launcher.template_argv(["--commit_offsets=false"]) == ["--no-commit"]
    assert launcher.template_argv(["--commit_offsets=true"]) == []
    passthrough = ["--runner=DataflowRunner", "--sdk_container_image=img:1", "--streaming"]
    assert launcher.template_argv(passthrough) == passthrough


def test_launcher_refuses_to_start_without_a_source():
    with pytest.raises(SystemExit, match="bootstrap_servers"):
        load_launcher().main(["--output=gs://bucket/out"])


def test_launcher_builds_and_runs_the_pipeline(tmp_path):
    sample = ROOT / "pipelines" / "samples" / "articles.jsonl"
    load_launcher().main([f"--input_file={sample}", f"--output={tmp_path}"]).wait_until_finish()
    assert list(tmp_path.glob("articles-*.avro")) and list(tmp_path.glob("dead_letters-*.avro"))


# --- images ------------------------------------------------------------------------------------------------


def test_worker_image_is_the_beam_sdk_image_of_the_pinned_beam_and_python():
    image = from_images(WORKER_DOCKERFILE)[0]
    match = re.fullmatch(r"apache/beam_python(\d+\.\d+)_sdk:(\S+)", image)
    assert match, image
    python, beam = match.groups()
    assert beam == setup_pins()["apache-beam"]
    assert python in SpecifierSet(ast.literal_eval(setup_call()["python_requires"]))


def test_dockerfile_pins_match_setup_py():
    pins = setup_pins()
    for dockerfile in (WORKER_DOCKERFILE, DATAFLOW_DOCKERFILE):
        for name, version in dockerfile_pins(dockerfile).items():
            if name in pins:
                assert version == pins[name], f"{dockerfile.name}: {name}=={version}, setup.py has {pins[name]}"


def test_worker_image_bakes_in_the_spacy_model_pinned_in_setup_py():
    model = Requirement(dockerfile_args(WORKER_DOCKERFILE)["SPACY_MODEL"])
    assert str(model.specifier).startswith("=="), "the model must be pinned exactly"
    pinned = setup_pins().get(canonicalize_name(model.name))
    if pinned is None:
        pytest.skip(f"setup.py does not pin {model.name} yet (the events stage adds it)")
    assert str(model.specifier) == f"=={pinned}"


def test_flex_template_launcher_runs_the_worker_python():
    launcher_base = next(i for i in from_images(DATAFLOW_DOCKERFILE) if "template-launcher-base" in i)
    python = re.search(r"python(\d)(\d+)-template-launcher-base", launcher_base).groups()
    assert ".".join(python) == dockerfile_args(WORKER_DOCKERFILE)["PYTHON_VERSION"]
    text = DATAFLOW_DOCKERFILE.read_text(encoding="utf-8")
    assert re.search(r"^ENV FLEX_TEMPLATE_PYTHON_PY_FILE=/template/launch.py$", text, re.M)
    assert "COPY deploy/dataflow/launch.py /template/launch.py" in text


def test_flink_versions_agree():
    worker_args = dockerfile_args(WORKER_DOCKERFILE)
    flink_version = worker_args["FLINK_VERSION"]
    assert flink_version in FlinkRunnerOptions.PUBLISHED_FLINK_VERSIONS
    spec = base_flink_deployment()["spec"]
    assert spec["flinkVersion"] == "v" + flink_version.replace(".", "_")
    image_version = re.match(r"flink:(\d+\.\d+\.\d+)", spec["image"]).group(1)
    assert image_version.startswith(flink_version + ".")
    for plugin in re.findall(r"flink-s3-fs-\w+-([\d.]+)\.jar", "".join(p.read_text() for p in yaml_files())):
        assert plugin == image_version


def test_submitter_uses_the_job_server_jar_baked_into_its_image():
    args = dict(a.split("=", 1) for a in base_job()["spec"]["template"]["spec"]["containers"][0]["args"] if "=" in a)
    assert re.search(rf"^\s+{re.escape(args['--flink_job_server_jar'])}$", WORKER_DOCKERFILE.read_text(), re.M)


def test_build_context_lets_through_what_the_dockerfiles_copy():
    allowed = {line[1:].rstrip("/") for line in (ROOT / ".dockerignore").read_text().splitlines()
               if line.startswith("!")}
    for dockerfile in (WORKER_DOCKERFILE, DATAFLOW_DOCKERFILE):
        for sources in re.findall(r"^COPY (?!--from)(.+) \S+$", dockerfile.read_text(), re.M):
            for source in sources.split():
                assert (ROOT / source).exists(), source
                assert source.rstrip("/") in allowed, f"{source} is excluded by .dockerignore"
