"""Trains a bench/training-cases.ts model in PyTorch on one thread, on the same data, and prints the fit time.

Usage: python3 torch_train.py <case.json> <reps>. The JSON holds the layers, input shape, loss, optimizer
settings and the paths of x (float32, row-major, channels last) and the class ids (int32).
"""
import json
import sys
import time

import numpy as np
import torch
from torch import nn

torch.set_num_threads(1)


def build(spec):
    layers = []
    shape = list(spec["inputShape"])  # channels last, as in tfjs
    image = len(shape) == 3
    channels = shape[-1] if image else None
    features = shape[0] if not image else None
    for l in spec["layers"]:
        t = l["type"]
        if t == "conv2d":
            layers.append(nn.Conv2d(channels, l["filters"], l["kernelSize"]))
            layers.append(nn.ReLU())
            shape = [shape[0] - l["kernelSize"] + 1, shape[1] - l["kernelSize"] + 1, l["filters"]]
            channels = l["filters"]
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
    times = []
    for _ in range(reps):
        torch.manual_seed(1)
        model = build(spec)
        opt = torch.optim.Adam(model.parameters(), lr=spec["learningRate"], eps=1e-7)
        n = x.shape[0]
        t0 = time.perf_counter()
        for _epoch in range(spec["epochs"]):
            perm = torch.randperm(n)
            for i in range(0, n, spec["batchSize"]):
                idx = perm[i:i + spec["batchSize"]]
                opt.zero_grad()
                loss = loss_fn(model(x[idx]), y[idx])
                loss.backward()
                opt.step()
        times.append((time.perf_counter() - t0) * 1000)
    print(json.dumps({"ms": times, "torch": torch.__version__, "threads": torch.get_num_threads()}))


main()
