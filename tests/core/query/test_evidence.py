"""Evidence lines (here: a sidecar subtitle file) go into the prompt after the video and are named in ``why``."""

import pytest

SRT = """1
00:00:01,000 --> 00:00:02,500
The red balloon floats away

2
00:00:05,000 --> 00:00:06,000
A dog barks twice
"""


@pytest.fixture(scope="module")
def with_subtitles(tmp_path_factory, tiny_model, video_maker):
    from core.evidence import EvidenceOptions, run_evidence
    from core.index import IndexOptions, index_video
    from core.store import open_db

    folder = tmp_path_factory.mktemp("subs")
    video = video_maker(folder / "talk.mp4")
    (folder / "talk.srt").write_text(SRT)
    db = open_db(folder / "lib.db")
    run_evidence(db, video, EvidenceOptions(ocr=False, speech=False, audio=False))
    result = index_video(db, video, IndexOptions(fps=4.0), model=tiny_model)
    return db, result.video


def test_relevant_lines_reach_the_prompt_and_the_answer_names_them(tiny_model, with_subtitles):
    from core.query import AskOptions, ask, load_memory
    from core.query.evidence import evidence_context

    db, video = with_subtitles
    q = "Where does the balloon go?"
    ev = evidence_context(db, video, q)
    assert ev.text is not None and "[0:01-0:02] subtitle: The red balloon floats away" in ev.text
    assert ev.lines[0].text == "The red balloon floats away" and ev.sources == ("subtitle",)
    loaded = load_memory(db, video, tiny_model)
    answer = ask(tiny_model, loaded, q, evidence=ev, options=AskOptions(max_new_tokens=6))
    memory = loaded.memory
    with_context = "".join(tiny_model.answer(memory, q, context=ev.text, max_new_tokens=6)).strip()
    assert answer.text == with_context  # the lines were in the prompt, after the video
    assert "subtitle" in answer.sources
    assert any("The red balloon floats away" in line for line in answer.evidence)
    for m in answer.moments:
        named = any("balloon" in w for w in m.why)
        assert named == (m.start < 2.5 and m.end > 1.0)


def test_find_names_the_lines_inside_each_moment(tiny_model, with_subtitles):
    from core.query import FindOptions, evidence_context, find, load_memory

    db, video = with_subtitles
    q = "a dog barks"
    moments = find(tiny_model, load_memory(db, video, tiny_model), q, evidence=evidence_context(db, video, q),
                   options=FindOptions(top_k=5, refine=0))
    assert moments
    for m in moments:
        named = any("evidence: subtitle at 0:05" in w and "dog barks" in w for w in m.why)
        assert named == (m.start < 6.0 and m.end > 5.0)


def test_no_evidence_means_no_context(tiny_model, indexed):
    from core.query.evidence import evidence_context
    from core.store import open_db

    db_path, result = indexed
    ev = evidence_context(open_db(db_path), result.video, "anything")
    assert ev.lines == () and ev.text is None


def test_ad_moments_over_a_threshold_of_zero_cover_the_memory(tiny_model, indexed):
    from core.query import ad_moments, load_memory, model_ad_scores
    from core.store import open_db

    db_path, result = indexed
    scores = model_ad_scores(tiny_model, load_memory(open_db(db_path), result.video, tiny_model))
    plain = ad_moments(scores, threshold=0.0)  # everything over the threshold: one run over the whole memory
    assert len(plain) == 1 and plain[0].start == 0.0 and plain[0].label == "ad"
