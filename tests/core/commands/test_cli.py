import io

from core.cli import EXIT_USAGE, main


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_no_command_is_bad_usage(capsys):
    code, _, _ = run()
    assert code == EXIT_USAGE


def test_unknown_option_is_bad_usage(capsys):
    code, _, _ = run("library", "--no-such-option")
    assert code == EXIT_USAGE


def test_help_exits_zero(capsys):
    code, _, _ = run("--help")
    assert code == 0
    assert "probe" in capsys.readouterr().out


def test_library_empty_then_json(tmp_path):
    db = str(tmp_path / "lib.db")
    code, out, err = run("library", "--db", db)
    assert code == 0, err
    assert "library is empty" in out
    code, out, _ = run("--db", db, "--json", "library")  # common options also before the command
    assert code == 0
    assert out.strip() == "[]"


def test_db_path_that_is_a_folder_is_one_line_error(tmp_path):
    code, out, err = run("library", "--db", str(tmp_path))
    assert out == ""
    assert code == 1
    assert err.count("\n") == 1 and "is a folder" in err
    assert "Traceback" not in err


def test_db_env_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("LONGWATCH_DB", str(tmp_path / "env.db"))
    code, _, _ = run("library")
    assert code == 0
    assert (tmp_path / "env.db").exists()
