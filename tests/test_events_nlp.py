"""The events stage's spaCy pipeline: only the components event extraction reads, plus our rules."""
import spacy

from pipelines.events.nlp import DEFAULT_MODEL, NEEDED_COMPONENTS, TITLE_COMPONENT, unneeded_components


def test_the_stage_pipeline_loads_only_what_events_read(nlp):
    assert set(nlp.pipe_names) == {*NEEDED_COMPONENTS, TITLE_COMPONENT}
    assert nlp.component_names == nlp.pipe_names  # nothing loaded only to stay disabled
    assert unneeded_components(DEFAULT_MODEL) == ["senter"]


def test_unneeded_components_of_a_model_directory(tmp_path):
    model = spacy.blank("en")
    model.add_pipe("sentencizer")
    model.add_pipe("attribute_ruler")
    model.to_disk(tmp_path / "model")
    assert unneeded_components(str(tmp_path / "model")) == ["sentencizer"]
