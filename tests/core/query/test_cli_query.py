import io
import json

from core.cli import EXIT_USAGE, main


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_commands_without_a_model_fail_with_one_line(tmp_path, monkeypatch, video):
    monkeypatch.delenv("LONGWATCH_MODEL", raising=False)
    db = str(tmp_path / "lib.db")
    for argv in (["index", str(video)], ["ask", str(video), "why?"], ["find", str(video), "a bar"],
                 ["summary", str(video)]):
        code, out, err = run(*argv, "--db", db)
        assert code == EXIT_USAGE and out == ""
        assert err.count("\n") == 1 and "--model" in err and "LONGWATCH_MODEL" in err and "tiny-model" in err


def test_index_ask_find_summary_json(tmp_path, monkeypatch, tiny_model_dir, video):
    monkeypatch.setenv("LONGWATCH_MODEL", str(tiny_model_dir))
    db = str(tmp_path / "lib.db")
    code, out, err = run("index", str(video), "--frames", "12", "--ratio", "16", "--device", "cpu", "--db", db,
                         "--json")
    assert code == 0, err
    first = json.loads(out)
    assert set(first) == {"video", "frames", "windows", "bytes", "memory_sha256"}
    assert (first["frames"], first["windows"]) == (12, 2) and len(first["memory_sha256"]) == 64
    code, out, _ = run("index", str(video), "--frames", "12", "--ratio", "16", "--db", db, "--json")
    assert code == 0 and json.loads(out) == first
    code, out, err = run("ask", str(video), "What is shown?", "--max-tokens", "4", "--db", db, "--json")
    assert code == 0, err
    assert set(json.loads(out)) == {"question", "text", "moments", "sources"}
    code, out, err = run("find", str(video), "a white bar", "--refine", "0", "--db", db, "--json")
    assert code == 0, err
    assert all(set(m) == {"start", "end", "score", "label", "why"} for m in json.loads(out))
    code, out, err = run("summary", str(video), "--db", db, "--json")
    assert code == 0, err
    assert set(json.loads(out)) == {"chapters", "overview", "sources"}
    code, out, err = run("ask", str(tmp_path / "missing.mp4"), "What?", "--db", db)
    assert code == EXIT_USAGE and "neither a file" in err
