"""Trains a bench/training-cases.ts model in PyTorch on one thread, on the same data, and prints the fit time.

Usage: python3 torch_train.py <case.json> <reps>. The JSON holds the layers, input shape, loss, optimizer
settings and the paths of x (float32, row-major, channels last) and the class ids (int32).

The timed region is the same work as the tfjs side's model.fit: epochs x batches of forward, loss, backward and
Adam step, data already in memory, after one untimed warm-up fit (tfjs gets one too).

Why the BLAS is reported (issue #14): Debian's python3-torch is built with BLAS_INFO=generic, so nn.Linear's
matmuls go to whatever libblas.so.3 the dynamic linker finds. With only libblas3 installed that is the netlib
reference BLAS (about 2 GFLOP/s on a 64x784 by 784x256 sgemm here, against about 35 with OpenBLAS), and the
784-256-128 MLP took 7-13 s instead of 0.6-2 s. That is not PyTorch's speed, so the output names the library and
its measured sgemm rate, and the bench flags a reference-BLAS baseline instead of quoting its ratio.
"""
import json
import os
import sys
import time

# One thread for every pool torch may use, set before the libraries load (OpenBLAS reads it at load time; a
# pthreads OpenBLAS would otherwise start one thread per core, which torch.set_num_threads does not control).
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

torch.set_num_threads(1)


class Block(nn.Module):
    """pt-make-models.py's residual block (bias-free convs with batch norm; 1x1 projection when the shape changes)."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.b1 = nn.BatchNorm2d(cout)
        self.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.b2 = nn.BatchNorm2d(cout)
        self.down = None if stride == 1 and cin == cout else nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        h = self.b2(self.c2(torch.relu(self.b1(self.c1(x)))))
        return torch.relu(h + (x if self.down is None else self.down(x)))


def tiny_resnet(channels):
    return nn.Sequential(nn.Conv2d(channels, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU(),
                         Block(16, 16, 1), Block(16, 32, 2), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, 10))


def build(spec):
    if spec.get("graph") == "tiny-resnet":
        return tiny_resnet(spec["inputShape"][-1])
    layers = []
    shape = list(spec["inputShape"])  # channels last, as in tfjs
    image = len(shape) == 3
    channels = shape[-1] if image else None
    features = shape[0] if not image else None
    for l in spec["layers"]:
        t = l["type"]
        if t == "conv2d":
            same = l.get("padding") == "same"  # odd kernels only: padding k // 2 keeps the size, as tfjs' 'same'
            layers.append(nn.Conv2d(channels, l["filters"], l["kernelSize"], padding=l["kernelSize"] // 2 if same else 0, bias=l.get("useBias", True)))
            if l["activation"] == "relu":
                layers.append(nn.ReLU())
            if not same:
                shape = [shape[0] - l["kernelSize"] + 1, shape[1] - l["kernelSize"] + 1, l["filters"]]
            else:
                shape = [shape[0], shape[1], l["filters"]]
            channels = l["filters"]
        elif t == "batchNorm":
            layers.append(nn.BatchNorm2d(channels) if features is None else nn.BatchNorm1d(features))
        elif t == "relu":
            layers.append(nn.ReLU())
        elif t == "dropout":
            layers.append(nn.Dropout(l["rate"]))
        elif t == "maxPooling2d":
            layers.append(nn.MaxPool2d(l["poolSize"]))
            shape = [shape[0] // l["poolSize"], shape[1] // l["poolSize"], shape[2]]
        elif t == "flatten":
            layers.append(nn.Flatten())
            features = shape[0] * shape[1] * shape[2]
        elif t == "dense":
            layers.append(nn.Linear(features, l["units"]))
            features = l["units"]
            # softmax is folded into CrossEntropyLoss, sigmoid into BCEWithLogitsLoss: the same maths as tfjs.
            if l["activation"] == "relu":
                layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def blas_info():
    """The BLAS libraries this process mapped, whether that is the netlib reference, and an sgemm rate."""
    a, b = torch.rand(64, 784), torch.rand(784, 256)
    a @ b
    t0 = time.perf_counter()
    for _ in range(20):
        a @ b
    gflops = 20 * 2 * 64 * 784 * 256 / (time.perf_counter() - t0) / 1e9
    with open("/proc/self/maps") as maps:
        libs = sorted({line.split()[-1] for line in maps if any(k in line.lower() for k in ("blas", "mkl", "blis"))})
    names = [os.path.basename(l) for l in libs]
    # Debian's netlib package installs /usr/lib/<arch>/blas/libblas.so.3; optimized ones carry their name.
    reference = any("/blas/libblas.so" in l for l in libs) and not any(k in n for n in names for k in ("openblas", "mkl", "blis"))
    return {"blas": names or ["(none: torch's own kernels)"], "blasPaths": libs, "referenceBlas": reference, "sgemmGflops": round(gflops, 1)}


def fit(spec, x, y, loss_fn):
    torch.manual_seed(1)
    model = build(spec)
    opt = torch.optim.Adam(model.parameters(), lr=spec["learningRate"], eps=1e-7)
    n = x.shape[0]
    t0, c0 = time.perf_counter(), time.process_time()
    for _epoch in range(spec["epochs"]):
        perm = torch.randperm(n)
        for i in range(0, n, spec["batchSize"]):
            idx = perm[i:i + spec["batchSize"]]
            opt.zero_grad()
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
    return (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000


def main():
    spec = json.load(open(sys.argv[1]))
    reps = int(sys.argv[2])
    shape = spec["inputShape"]
    x = torch.from_numpy(np.fromfile(spec["x"], dtype=np.float32).reshape([-1] + shape))
    if len(shape) == 3:
        x = x.permute(0, 3, 1, 2).contiguous()
    classes = torch.from_numpy(np.fromfile(spec["classes"], dtype=np.int32).astype(np.int64))
    binary = spec["loss"] == "binaryCrossentropy"
    y = classes.float().unsqueeze(1) if binary else classes
    loss_fn = nn.BCEWithLogitsLoss() if binary else nn.CrossEntropyLoss()
    info = blas_info()
    fit(spec, x, y, loss_fn)  # warm-up, untimed: allocator and lazy initialisation, as the tfjs side gets
    times = [fit(spec, x, y, loss_fn) for _ in range(reps)]
    print(json.dumps({"ms": [t[0] for t in times], "cpuMs": [t[1] for t in times], "torch": torch.__version__, "threads": torch.get_num_threads(), "dtype": str(x.dtype), **info}))


main()
