import io
import json

from core.cli import EXIT_USAGE, main


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_index_without_a_model_runs_the_evidence_pass_and_says_what_a_model_adds(tmp_path, monkeypatch, video):
    monkeypatch.delenv("LONGWATCH_MODEL", raising=False)
    db = str(tmp_path / "lib.db")
    code, out, err = run("index", str(video), "--no-speech", "--no-ocr", "--db", db, "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["evidence"]["stages_done"] and "frames" not in result and "No video-LLM" in result["notes"][0]
    code, out, err = run("index", str(video), "--no-evidence", "--db", db)  # nothing left to do without a model
    assert code == EXIT_USAGE and out == ""
    assert err.count("\n") == 1 and "--model" in err and "LONGWATCH_MODEL" in err and "tiny-model" in err


def test_ask_find_summary_without_a_model_answer_from_evidence(tmp_path, monkeypatch):
    """No video-LLM: the evidence pass runs first, then the answers quote the subtitles with their times."""
    from tests import mediagen

    monkeypatch.delenv("LONGWATCH_MODEL", raising=False)
    clip = mediagen.make_video(tmp_path / "talk.mp4", duration_s=40.0, fps=5, size=(96, 64))
    mediagen.write_srt(tmp_path / "talk.srt", [
        (2.0, 6.0, "The lighthouse keeper climbs one hundred and twelve steps."),
        (20.0, 25.0, "Tomorrow the ferry leaves the harbour at dawn."),
    ])
    db = str(tmp_path / "lib.db")
    fast = ("--no-speech", "--no-ocr", "--fps", "2", "--db", db)
    code, out, err = run("find", str(clip), "the boat departs", *fast, "--json")
    assert code == 0, err
    assert "No video-LLM was used" in err
    moments = json.loads(out)
    assert moments and moments[0]["label"] == "subtitle" and 19.0 <= moments[0]["start"] <= 21.0
    assert 0.0 <= moments[0]["score"] <= 1.0 and "ferry" in " ".join(moments[0]["why"])
    code, out, err = run("ask", str(clip), "How many steps are there?", *fast, "--json")
    assert code == 0, err
    answer = json.loads(out)
    assert "0:02" in answer["text"] and "No video model was used" in answer["text"]
    code, out, err = run("summary", str(clip), *fast, "--json")
    assert code == 0, err
    summary = json.loads(out)
    assert summary["chapters"] and summary["chapters"][0]["start"] == 0.0
    code, out, _ = run("--db", db, "--json", "library")
    assert json.loads(out)[0]["evidence_state"] == "done"


def test_answers_need_a_model_or_evidence(tmp_path, monkeypatch, video):
    monkeypatch.delenv("LONGWATCH_MODEL", raising=False)
    db = str(tmp_path / "lib.db")
    code, out, _ = run("probe", str(video), "--db", db, "--json")
    fingerprint = json.loads(out)["fingerprint"]
    gone = video.rename(tmp_path / "gone.mp4")  # the file is not where the library saw it
    try:
        code, out, err = run("ask", fingerprint, "why?", "--db", db)  # a fingerprint: nothing to run the pass on
    finally:
        gone.rename(video)
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "no video-LLM index and no evidence" in err and "open the file" in err


def test_index_ask_find_summary_json(tmp_path, monkeypatch, tiny_model_dir, video):
    monkeypatch.setenv("LONGWATCH_MODEL", str(tiny_model_dir))
    db = str(tmp_path / "lib.db")
    fast = ("--no-speech", "--no-ocr", "--db", db)
    code, out, err = run("index", str(video), "--frames", "12", "--ratio", "16", "--device", "cpu", *fast, "--json")
    assert code == 0, err
    first = json.loads(out)
    assert {"video", "frames", "windows", "bytes", "memory_sha256", "evidence"} <= set(first)
    assert (first["frames"], first["windows"]) == (12, 2) and len(first["memory_sha256"]) == 64
    code, out, _ = run("index", str(video), "--frames", "12", "--ratio", "16", *fast, "--json")
    again = json.loads(out)
    assert code == 0 and again["memory_sha256"] == first["memory_sha256"] and not again["evidence"]["stages_run"]
    code, out, err = run("ask", str(video), "What is shown?", "--max-tokens", "4", "--db", db, "--json")
    assert code == 0, err
    assert {"question", "text", "moments", "sources"} <= set(json.loads(out))
    code, out, err = run("find", str(video), "a white bar", "--refine", "0", "--db", db, "--json")
    assert code == 0, err
    assert all(set(m) == {"start", "end", "score", "label", "why"} for m in json.loads(out))
    code, out, err = run("summary", str(video), "--db", db, "--json")
    assert code == 0, err
    assert {"chapters", "overview", "sources"} <= set(json.loads(out))
    code, out, err = run("ask", str(tmp_path / "missing.mp4"), "What?", "--db", db)
    assert code == EXIT_USAGE and "neither a file" in err


def test_ads_uses_the_model_memory_when_indexed(tmp_path, monkeypatch, tiny_model_dir, video):
    import core.usecases.answering as answering

    monkeypatch.delenv("LONGWATCH_MODEL", raising=False)
    db = str(tmp_path / "lib.db")
    fast = ("--no-speech", "--no-ocr", "--fps", "2", "--db", db)
    code, _, err = run("index", str(video), "--model", str(tiny_model_dir), "--frames", "12", "--ratio", "16",
                       "--device", "cpu", "--no-speech", "--no-ocr", "--db", db)
    assert code == 0, err
    seen = []
    real = answering.model_ad_scores
    monkeypatch.setattr(answering, "model_ad_scores", lambda *a: seen.append(real(*a)) or seen[-1])
    code, out, err = run("ads", str(video), *fast, "--json")  # no --model: the memory's recorded model
    assert code == 0, err
    assert isinstance(json.loads(out), list)
    assert len(seen) == 1 and len(seen[0]) == 2  # one score per memory window
    assert all(0.0 <= p <= 1.0 for p in seen[0].score)
