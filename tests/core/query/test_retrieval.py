import numpy as np
import pytest

from core.query.retrieval import fit_memory, select_windows


def test_select_keeps_the_best_windows_in_time_order():
    scores = np.array([0.2, 0.9, 0.1, 0.8, 0.7])
    assert select_windows([10] * 5, scores, 30) == (1, 3, 4)
    assert select_windows([10] * 5, scores, 1000) == (0, 1, 2, 3, 4)
    assert select_windows([10] * 5, scores, 9) == ()


def test_select_skips_a_window_too_big_and_breaks_ties_by_time():
    assert select_windows([50, 10, 10], np.array([0.9, 0.5, 0.5]), 20) == (1, 2)
    assert select_windows([10, 10, 10], np.array([0.5, 0.5, 0.5]), 20) == (0, 1)
    with pytest.raises(ValueError):
        select_windows([10], np.array([0.1, 0.2]), 10)


def test_fit_memory_keeps_sink_and_most_relevant_windows_in_time_order(tiny_model, indexed):
    from core.query.memory import load_memory
    from core.store import open_db

    db_path, result = indexed
    memory = load_memory(open_db(db_path), result.video, tiny_model).memory
    q = "a red screen"
    whole = fit_memory(tiny_model, memory, q)
    assert whole.kept == tuple(range(len(memory.windows))) and whole.memory is memory
    one = max(len(w.vst_frame) for w in memory.windows)
    n_sink = memory.sink.keys[0].shape[1]
    fitted = fit_memory(tiny_model, memory, q, reserve=0, max_new_tokens=0, positions=n_sink + one + len(q))
    scores = np.asarray(tiny_model.score_windows(memory, q))
    assert fitted.kept == (int(np.argmax(scores)),)
    assert [w.index for w in fitted.memory.windows] == list(fitted.kept)
    assert fitted.memory.sink is memory.sink
    two = fit_memory(tiny_model, memory, q, reserve=0, max_new_tokens=0, scores=np.array([0.9, 0.1, 0.8, 0.2]),
                     positions=n_sink + 2 * one + len(q))
    assert two.kept == (0, 2)  # the two best, in time order although window 0 outranks window 2
    assert [w.index for w in two.memory.windows] == [0, 2]
