import pytest

from core.errors import UsageError
from core.index.options import NO_MODEL_MESSAGE, IndexOptions, resolve_model_dir, settings_key
from core.media import PerSecond, Uniform


def test_default_policy_is_one_frame_per_second_capped():
    assert IndexOptions().policy() == PerSecond(1.0, max_frames=2048)
    assert IndexOptions(frames=64).policy() == Uniform(64)
    assert IndexOptions(fps=0.5, max_frames=100).policy() == PerSecond(0.5, max_frames=100)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"frames": 8, "fps": 1.0}, "not both"),
        ({"frames": 0}, "--frames"),
        ({"fps": 0.0}, "--fps"),
        ({"ratio": 0}, "--ratio"),
        ({"storage": "int4"}, "--storage"),
    ],
)
def test_bad_options_name_the_value(kwargs, match):
    with pytest.raises(UsageError, match=match):
        IndexOptions(**kwargs)


def test_settings_key_is_stable_and_sensitive():
    s = IndexOptions().settings(model_identity="m1")
    assert settings_key(s) == settings_key(dict(reversed(list(s.items()))))
    assert settings_key(s) != settings_key(IndexOptions(ratio=4).settings(model_identity="m1"))
    assert settings_key(s) != settings_key(IndexOptions().settings(model_identity="m2"))
    assert settings_key(s) != settings_key(IndexOptions(storage="int8").settings(model_identity="m1"))


def test_model_folder_from_option_or_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("LONGWATCH_MODEL", raising=False)
    with pytest.raises(UsageError) as e:
        resolve_model_dir(None)
    assert str(e.value) == NO_MODEL_MESSAGE and "dev tiny-model" in str(e.value)
    monkeypatch.setenv("LONGWATCH_MODEL", str(tmp_path))
    assert resolve_model_dir(None) == str(tmp_path)
    assert resolve_model_dir("owner/some-model") == "owner/some-model"
    with pytest.raises(UsageError, match="does not exist"):
        resolve_model_dir(str(tmp_path / "missing"))
