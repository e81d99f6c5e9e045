#!/usr/bin/python3
"""Regenerates fixtures/onnx/: small ONNX models plus what PyTorch computes for them.

Run by hand from the repository root, with Debian's interpreter (not a pyenv/venv python):

    /usr/bin/python3 scripts/make-onnx-fixtures.py

Needs the Debian packages python3-torch (1.13), python3-onnx (1.12) and python3-numpy
(apt-get install python3-torch python3-onnx). No network, no onnxruntime.

The TypeScript tests never run this script: they read the committed files it writes.
For each case it writes fixtures/onnx/<case>.onnx (the model) and fixtures/onnx/<case>.json
(inputs, the outputs PyTorch computes for them, and for the small nets the gradient norms of
a fixed loss), and fixtures/onnx/manifest.json listing every case. fixtures/onnx/README.md
describes the JSON format. Weights and inputs are random with fixed seeds (one seed per case,
derived from its name) and torch runs on one thread, so the script is deterministic.

Most cases are torch.nn.Modules exported with torch.onnx.export; a few ("exportMode":
"onnx-helper") are graphs built with onnx.helper because torch never emits that attribute
combination, and their expected outputs are computed with the equivalent torch ops.
"""
import copy
import io
import json
import sys
import warnings
import zlib
from pathlib import Path

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import TensorProto, helper, numpy_helper
from torch import nn

torch.set_num_threads(1)
# A TRAINING export drops BatchNorm's num_batches_tracked increment (unused with a fixed momentum); torch warns each time.
warnings.filterwarnings('ignore', message='ONNX Preprocess - Removing mutation')
torch.use_deterministic_algorithms(True)

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / 'fixtures' / 'onnx'
DYNAMIC = {'input': {0: 'batch'}, 'output': {0: 'batch'}}
TM = torch.onnx.TrainingMode

MANIFEST = []


# ----------------------------------------------------------------------------- helpers

def seed(case):
    """One fixed seed per case, from its name, so adding a case does not change the others."""
    torch.manual_seed(zlib.crc32(case.encode()) & 0x7FFFFFFF)


def r9(v):
    return float(f'{v:.9g}')


def entry(name, t):
    t = t.detach().to(torch.float32).contiguous()
    return {'name': name, 'shape': list(t.shape), 'data': [r9(v) for v in t.reshape(-1).tolist()]}


def dumps(o, level=0):
    """JSON with one key per line but numeric arrays on a single line (keeps files small and diffable)."""
    pad, inner = '  ' * level, '  ' * (level + 1)
    if isinstance(o, dict):
        if not o:
            return '{}'
        return '{\n' + ',\n'.join(f'{inner}{json.dumps(k)}: {dumps(v, level + 1)}' for k, v in o.items()) + f'\n{pad}}}'
    if isinstance(o, list):
        if all(not isinstance(v, (dict, list)) for v in o):
            return json.dumps(o, separators=(',', ':'))
        return '[\n' + ',\n'.join(inner + dumps(v, level + 1) for v in o) + f'\n{pad}]'
    return json.dumps(o)


def op_types(model):
    """Distinct op_types of the graph's nodes, in order of first appearance."""
    seen = []
    for n in model.graph.node:
        if n.op_type not in seen:
            seen.append(n.op_type)
    return seen


def graph_io(model):
    inits = {i.name for i in model.graph.initializer}
    ins = [i.name for i in model.graph.input if i.name not in inits]
    outs = [o.name for o in model.graph.output]
    return ins, outs


def write_case(case, opset, ops, mode, description, inputs, outputs, gradients=None):
    doc = {'case': case, 'opset': opset, 'ops': ops, 'exportMode': mode, 'description': description,
           'inputs': inputs, 'outputs': outputs}
    if gradients is not None:
        doc['gradients'] = gradients
    (OUT / f'{case}.json').write_text(dumps(doc) + '\n')
    MANIFEST.append({'case': case, 'file': f'{case}.onnx', 'expected': f'{case}.json', 'ops': ops, 'opset': opset})
    size = (OUT / f'{case}.onnx').stat().st_size if (OUT / f'{case}.onnx').exists() else 0
    print(f'{case:34s} opset {opset:2d}  {mode:11s} {size:7d} B  {",".join(ops)}')


def check_initializers(model, module):
    """Every initializer named like a state_dict entry must hold exactly that tensor (fail loudly)."""
    state = module.state_dict()
    for init in model.graph.initializer:
        if init.name in state:
            want = state[init.name].detach().cpu().numpy()
            got = numpy_helper.to_array(init)
            if want.shape != got.shape or not np.array_equal(want, got):
                raise SystemExit(f'initializer {init.name} differs from the torch module state it was exported from')


def grad_norms(module, x, labels, train_mode, init_names):
    """CrossEntropyLoss (mean) gradients; L2 norm per parameter, keyed by its ONNX initializer name."""
    m = copy.deepcopy(module)
    m.train(train_mode)
    m.zero_grad()
    loss = F.cross_entropy(m(x), labels)
    loss.backward()
    norms = {}
    for name, p in m.named_parameters():
        if name not in init_names:
            raise SystemExit(f'parameter {name} has no ONNX initializer of that name (initializers: {sorted(init_names)})')
        norms[name] = r9(p.grad.detach().double().norm().item())
    return {'loss': 'cross-entropy-mean', 'labels': labels.tolist(), 'norms': norms, 'trainMode': train_mode}


def export_torch(case, module, x, opset, description, *, mode='eval', training=None, fold=True,
                 train_output=False, labels=None, expect_ops=None):
    """Exports module (a copy of it: a TRAINING export runs a train-mode forward that moves BatchNorm's
    running statistics) and writes <case>.onnx and <case>.json. Expected outputs come from the exported
    copy in eval mode, so they match the weights and running statistics stored in the file."""
    exported = copy.deepcopy(module)
    exported.train(mode == 'train')
    if training is None:
        training = TM.TRAINING if mode == 'train' else TM.EVAL
    path = OUT / f'{case}.onnx'
    torch.onnx.export(exported, x, str(path), opset_version=opset, input_names=['input'], output_names=['output'],
                      dynamic_axes=DYNAMIC, training=training, do_constant_folding=fold)
    model = onnx.load(str(path))
    onnx.checker.check_model(model, full_check=True)
    check_initializers(model, exported)
    ins, outs = graph_io(model)
    if ins != ['input'] or outs != ['output']:
        raise SystemExit(f'{case}: graph inputs {ins}, outputs {outs}')
    ops = op_types(model)
    if expect_ops is not None and ops != expect_ops:
        raise SystemExit(f'{case}: expected ops {expect_ops}, the file has {ops}')
    ev = copy.deepcopy(exported).eval()
    with torch.no_grad():
        outputs = [entry('output', ev(x))]
        if train_output:
            tr = copy.deepcopy(exported).train()
            outputs.append(entry('output@train', tr(x)))
    gradients = None
    if labels is not None:
        init_names = {i.name for i in model.graph.initializer}
        gradients = grad_norms(exported, x, labels, mode == 'train', init_names)
    write_case(case, opset, ops, mode, description, [entry('input', x)], outputs, gradients)
    return exported, model


def save_helper_model(case, opset, nodes, inputs, outputs, initializers, description, x, y, expect_ops=None):
    graph = helper.make_graph(nodes, case, inputs, outputs, initializer=initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', opset)],
                              producer_name='nnaudit make-onnx-fixtures.py')
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, str(OUT / f'{case}.onnx'))
    ops = op_types(model)
    if expect_ops is not None and ops != expect_ops:
        raise SystemExit(f'{case}: expected ops {expect_ops}, the file has {ops}')
    write_case(case, opset, ops, 'onnx-helper', description, [entry('input', x)], [entry('output', y)])


def init(name, t):
    return numpy_helper.from_array(t.detach().numpy().astype(np.float32), name)


def randomize_bn(module):
    """Non-trivial affine parameters and running statistics for every BatchNorm2d (defaults 1/0/0/1 would
    also let torch's exporter deduplicate equal initializers into Identity nodes)."""
    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.copy_(1 + 0.3 * torch.randn_like(m.weight))
                m.bias.copy_(0.2 * torch.randn_like(m.bias))
                m.running_mean.copy_(0.5 * torch.randn_like(m.running_mean))
                m.running_var.copy_(0.5 + torch.rand_like(m.running_var))
    return module


class Fn(nn.Module):
    """Wraps a parameter-free function as a module."""

    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x)


def img(n=2, c=3, h=8, w=8):
    return torch.randn(n, c, h, w)


# ----------------------------------------------------------------------------- dense

def dense_cases():
    case = 'gemm'
    seed(case)
    export_torch(case, nn.Linear(5, 4), torch.randn(2, 5), 11,
                 'nn.Linear(5, 4): Gemm with transB=1, alpha=beta=1, bias as C', expect_ops=['Gemm'])

    case = 'gemm-alpha-beta'
    seed(case)
    w, b, x = torch.randn(4, 5), torch.randn(4), torch.randn(2, 5)
    save_helper_model(
        case, 13,
        [helper.make_node('Gemm', ['input', 'W', 'C'], ['output'], alpha=0.5, beta=2.0, transB=1)],
        [helper.make_tensor_value_info('input', TensorProto.FLOAT, ['batch', 5])],
        [helper.make_tensor_value_info('output', TensorProto.FLOAT, ['batch', 4])],
        [init('W', w), init('C', b)],
        'Gemm alpha=0.5 beta=2 transB=1 (built with onnx.helper): 0.5 * input @ W^T + 2 * C',
        x, 0.5 * (x @ w.T) + 2.0 * b, expect_ops=['Gemm'])

    case = 'gemm-transA'
    seed(case)
    w, b, x = torch.randn(5, 4), torch.randn(4), torch.randn(5, 2)
    save_helper_model(
        case, 17,
        [helper.make_node('Gemm', ['input', 'W', 'C'], ['output'], transA=1)],
        [helper.make_tensor_value_info('input', TensorProto.FLOAT, [5, 'batch'])],
        [helper.make_tensor_value_info('output', TensorProto.FLOAT, ['batch', 4])],
        [init('W', w), init('C', b)],
        'Gemm transA=1 transB=0 (built with onnx.helper): input is [5, batch], output input^T @ W + C is [batch, 4]',
        x, x.T @ w + b, expect_ops=['Gemm'])

    class MatMulAdd(nn.Module):
        def __init__(self):
            super().__init__()
            self.W = nn.Parameter(torch.randn(5, 4))
            self.b = nn.Parameter(torch.randn(4))

        def forward(self, x):
            return torch.matmul(x, self.W) + self.b

    case = 'matmul-add'
    seed(case)
    export_torch(case, MatMulAdd(), torch.randn(2, 5), 13,
                 'torch.matmul(x, W) + b with W [5, 4] a Parameter: MatMul (no transpose) then a broadcast Add',
                 expect_ops=['MatMul', 'Add'])


# ----------------------------------------------------------------------------- conv

def conv_cases():
    case = 'conv-basic'
    seed(case)
    export_torch(case, nn.Conv2d(3, 4, 3, padding=1), img(), 11,
                 'Conv 3x3, stride 1, pads 1 on every side, bias', expect_ops=['Conv'])

    case = 'conv-stride-dilation'
    seed(case)
    export_torch(case, nn.Conv2d(3, 4, 3, stride=2, padding=2, dilation=2), img(), 13,
                 'Conv 3x3, strides 2, dilations 2, pads 2', expect_ops=['Conv'])

    case = 'conv-groups'
    seed(case)
    export_torch(case, nn.Conv2d(4, 6, 3, padding=1, groups=2), img(c=4), 17,
                 'Conv group=2 (4 -> 6 channels, weight [6, 2, 3, 3]), pads 1', expect_ops=['Conv'])

    case = 'conv-depthwise'
    seed(case)
    export_torch(case, nn.Conv2d(4, 4, 3, padding=1, groups=4), img(c=4), 11,
                 'depthwise Conv: group = in_channels = out_channels = 4, weight [4, 1, 3, 3]', expect_ops=['Conv'])

    case = 'conv-depthwise-multiplier'
    seed(case)
    export_torch(case, nn.Conv2d(3, 6, 3, padding=1, groups=3), img(), 13,
                 'depthwise Conv with channel multiplier 2: group = in_channels = 3, out 6, weight [6, 1, 3, 3]',
                 expect_ops=['Conv'])

    case = 'conv-asym-pads'
    seed(case)
    w, b, x = torch.randn(4, 3, 3, 3), torch.randn(4), img()
    y = F.conv2d(F.pad(x, (1, 2, 0, 1)), w, b)  # F.pad order: (w_begin, w_end, h_begin, h_end)
    save_helper_model(
        case, 13,
        [helper.make_node('Conv', ['input', 'W', 'B'], ['output'], kernel_shape=[3, 3], pads=[0, 1, 1, 2])],
        [helper.make_tensor_value_info('input', TensorProto.FLOAT, ['batch', 3, 8, 8])],
        [helper.make_tensor_value_info('output', TensorProto.FLOAT, ['batch', 4, 7, 9])],
        [init('W', w), init('B', b)],
        'Conv 3x3 with asymmetric pads [0, 1, 1, 2] = [h_begin, w_begin, h_end, w_end] (built with onnx.helper); '
        'expected from F.pad + F.conv2d',
        x, y, expect_ops=['Conv'])

    case = 'conv-no-bias'
    seed(case)
    export_torch(case, nn.Conv2d(3, 4, 3, padding=1, bias=False), img(), 17,
                 'Conv without bias: two inputs (X, W)', expect_ops=['Conv'])


# ----------------------------------------------------------------------------- batchnorm

def bn_cases():
    case = 'batchnorm-eval'
    seed(case)
    net = randomize_bn(nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4)))
    export_torch(case, net, img(), 11,
                 'Conv + BatchNormalization (inference form, one output) with non-trivial running stats; exported '
                 'from model.eval() with training=PRESERVE and do_constant_folding=False, because training=EVAL makes '
                 'torch 1.13 fold the BatchNorm into the Conv weights', training=TM.PRESERVE, fold=False,
                 expect_ops=['Conv', 'BatchNormalization'])

    case = 'batchnorm-train-export'
    seed('batchnorm-eval')  # the same net and batch as batchnorm-eval
    net = randomize_bn(nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4)))
    export_torch(case, net, img(), 13,
                 'the batchnorm-eval net exported with training=TRAINING: BatchNormalization in its training form '
                 '(5 outputs: Y, running mean/var, saved mean/var; ONNX momentum 0.9). "output" is model.eval() '
                 '(running stats), "output@train" is model.train() on the same batch (batch stats, biased variance). '
                 'The file holds the running stats after the one train-mode forward the exporter runs; both outputs '
                 'use those stats', mode='train', fold=False, train_output=True,
                 expect_ops=['Conv', 'BatchNormalization'])


# ----------------------------------------------------------------------------- activations

def activation_cases():
    def dense():
        return 3 * torch.randn(2, 12)  # wide enough to reach the saturating parts (hardsigmoid +-3, relu6 6)

    simple = [
        ('relu', nn.ReLU(), 17, 'Relu', ['Relu']),
        ('leakyrelu', nn.LeakyReLU(0.2), 11, 'LeakyRelu alpha=0.2', ['LeakyRelu']),
        ('elu', nn.ELU(alpha=0.7), 13, 'Elu alpha=0.7', ['Elu']),
        ('selu', nn.SELU(), 17, 'Selu (default alpha/gamma)', ['Selu']),
        ('sigmoid', nn.Sigmoid(), 13, 'Sigmoid', ['Sigmoid']),
        ('tanh', nn.Tanh(), 17, 'Tanh', ['Tanh']),
        ('logsoftmax', nn.LogSoftmax(dim=1), 11, 'LogSoftmax axis=1 on a [batch, 12] tensor', ['LogSoftmax']),
        ('hardsigmoid', nn.Hardsigmoid(), 11, 'HardSigmoid alpha=1/6 beta=0.5 (torch hardsigmoid)', ['HardSigmoid']),
        ('hardswish', nn.Hardswish(), 17, 'HardSwish op (opset >= 14)', ['HardSwish']),
        ('hardswish-opset13', nn.Hardswish(), 13,
         'hardswish below opset 14: torch decomposes it into x * HardSigmoid(x) (alpha=1/6)', ['HardSigmoid', 'Mul']),
        ('relu6', nn.ReLU6(), 11, 'nn.ReLU6 -> Clip with min/max as Constant inputs (opset 11 form)', ['Constant', 'Clip']),
        ('relu6-opset13', nn.ReLU6(), 13, 'nn.ReLU6 -> Clip with min/max as Constant inputs (opset 13)', ['Constant', 'Clip']),
        ('relu6-opset10', nn.ReLU6(), 10, 'nn.ReLU6 -> Clip with min/max attributes (opset 10, the pre-11 form)', ['Clip']),
        ('gelu', nn.GELU(), 17, 'exact nn.GELU(): x * (1 + erf(x / sqrt 2)) * 0.5 as Div, Erf, Add, Mul, Mul with '
         'Constant operands', ['Constant', 'Div', 'Erf', 'Add', 'Mul']),
    ]
    for case, module, opset, description, ops in simple:
        seed(case)
        export_torch(case, module, dense(), opset, description, expect_ops=ops)

    case = 'prelu'
    seed(case)
    net = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.PReLU(4))
    with torch.no_grad():
        net[1].weight.copy_(torch.tensor([0.1, -0.3, 0.25, 0.6]))
    export_torch(case, net, img(), 11,
                 'Conv then per-channel PRelu: slope initializer [4, 1, 1] (torch renames it onnx::PRelu_*), '
                 'slopes 0.1, -0.3, 0.25, 0.6', expect_ops=['Conv', 'PRelu'])

    case = 'softmax'
    seed(case)
    export_torch(case, nn.Softmax(dim=1), img(c=3, h=4, w=4), 13,
                 'Softmax axis=1 on a 4D NCHW tensor (the channel axis, not the last one)', expect_ops=['Softmax'])

    case = 'softmax-opset11'
    seed(case)
    export_torch(case, nn.Softmax(dim=1), img(c=3, h=4, w=4), 11,
                 'Softmax dim=1 on a 4D tensor at opset 11: torch emits Transpose(perm 0,3,2,1), Softmax axis=3, '
                 'Transpose back', expect_ops=['Transpose', 'Softmax'])


# ----------------------------------------------------------------------------- pools

def pool_cases():
    pools = [
        ('maxpool', nn.MaxPool2d(3, stride=2, padding=1), 13, 'MaxPool kernel 3, strides 2, pads 1', ['MaxPool']),
        ('maxpool-ceil', nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True), 11,
         'MaxPool kernel 3, strides 2, pads 1, ceil_mode=1 (on 7x7 input: 4x4 output, not 3x3)', ['MaxPool']),
        ('avgpool', nn.AvgPool2d(2, stride=2, count_include_pad=False), 17,
         'AveragePool kernel 2, strides 2, no pads (count_include_pad=False: with the default True torch 1.13 puts a '
         'zero Pad before it even without padding)', ['AveragePool']),
        ('avgpool-pad-count-exclude', nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False), 13,
         'AveragePool kernel 3, strides 1, pads 1, count_include_pad=0 (borders divide by the in-image count)',
         ['AveragePool']),
        ('avgpool-pad-count-include', nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=True), 11,
         'avg pool kernel 3, stride 1, padding 1, count_include_pad=True: torch exports a zero Pad then '
         'AveragePool with pads 0 (borders divide by 9)', ['Constant', 'Pad', 'AveragePool']),
        ('globalavgpool', nn.AdaptiveAvgPool2d(1), 17, 'nn.AdaptiveAvgPool2d(1) -> GlobalAveragePool',
         ['GlobalAveragePool']),
    ]
    for case, module, opset, description, ops in pools:
        seed(case)
        x = img(h=7, w=7) if case == 'maxpool-ceil' else img()
        export_torch(case, module, x, opset, description, expect_ops=ops)


# ----------------------------------------------------------------------------- shape and graph-structure ops

def shape_cases():
    class ConvFlattenLinear(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 2, 3, stride=2, padding=1)
            self.fc = nn.Linear(2 * 4 * 4, 3)

        def forward(self, x):
            return self.fc(torch.flatten(self.conv(x), 1))

    case = 'flatten-after-conv'
    seed(case)
    export_torch(case, ConvFlattenLinear(), img(), 13,
                 'Conv -> Flatten(axis 1) -> Gemm: the dense weights expect NCHW (channel-major) flatten order',
                 expect_ops=['Conv', 'Flatten', 'Gemm'])

    class ConvView(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 2, 3, stride=2, padding=1)
            self.fc = nn.Linear(2 * 4 * 4, 3)

        def forward(self, x):
            y = self.conv(x)
            return self.fc(y.view(y.size(0), -1))

    case = 'reshape-batch-view'
    seed(case)
    export_torch(case, ConvView(), img(), 11,
                 'Conv -> x.view(x.size(0), -1) -> Gemm: Reshape whose shape is computed at run time '
                 '(Shape, Gather, Unsqueeze, Concat with Constant -1)',
                 expect_ops=['Conv', 'Shape', 'Constant', 'Gather', 'Unsqueeze', 'Concat', 'Reshape', 'Gemm'])

    class DenseReshape(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(6, 8)

        def forward(self, x):
            return self.fc(x).reshape(-1, 4, 2)

    case = 'reshape-const'
    seed(case)
    export_torch(case, DenseReshape(), torch.randn(2, 6), 17,
                 'Gemm -> x.reshape(-1, 4, 2): Reshape with a Constant shape [-1, 4, 2]',
                 expect_ops=['Gemm', 'Constant', 'Reshape'])

    case = 'dropout-train-export'
    seed(case)
    export_torch(case, nn.Sequential(nn.Linear(6, 5), nn.Dropout(0.5), nn.Linear(5, 3)), torch.randn(2, 6), 13,
                 'Gemm, Dropout(ratio 0.5, training_mode true as Constant inputs), Gemm: exported with '
                 'training=TRAINING so the Dropout node remains. Expected output is model.eval() (dropout = identity); '
                 'no train-mode output since dropout is random', mode='train', fold=False,
                 expect_ops=['Gemm', 'Constant', 'Dropout'])

    class Tied(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Linear(6, 6)
            self.b = nn.Linear(6, 6)
            with torch.no_grad():
                self.b.weight.copy_(self.a.weight)  # equal values, separate tensors

        def forward(self, x):
            return self.b(torch.relu(self.a(x)))

    case = 'identity-shared'
    seed(case)
    _, model = export_torch(case, Tied(), torch.randn(2, 6), 13,
                            'two Linear layers with equal weights: torch stores one initializer (a.weight) and emits '
                            'b.weight = Identity(a.weight), which the second Gemm reads',
                            expect_ops=['Identity', 'Gemm', 'Relu'])
    ident = [n for n in model.graph.node if n.op_type == 'Identity']
    if len(ident) != 1 or list(ident[0].input) != ['a.weight'] or list(ident[0].output) != ['b.weight']:
        raise SystemExit(f'identity-shared: unexpected Identity nodes {ident}')

    class SqueezeUnsqueeze(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 4, 3)
            self.fc = nn.Linear(4, 3)

        def forward(self, x):
            y = F.adaptive_avg_pool2d(self.conv(x), 1).squeeze(-1).squeeze(-1)
            return self.fc(y).unsqueeze(1)

    case = 'squeeze-unsqueeze'
    seed(case)
    export_torch(case, SqueezeUnsqueeze(), img(), 13,
                 'Conv, GlobalAveragePool, Squeeze axis 3 then 2, Gemm, Unsqueeze axis 1 (opset 13: axes are '
                 'Constant inputs); output [batch, 1, 3]',
                 expect_ops=['Conv', 'GlobalAveragePool', 'Constant', 'Squeeze', 'Gemm', 'Unsqueeze'])

    case = 'squeeze-unsqueeze-opset11'
    seed('squeeze-unsqueeze')
    export_torch(case, SqueezeUnsqueeze(), img(), 11,
                 'the squeeze-unsqueeze net at opset 11: Squeeze/Unsqueeze axes are attributes',
                 expect_ops=['Conv', 'GlobalAveragePool', 'Squeeze', 'Gemm', 'Unsqueeze'])

    case = 'transpose-static'
    seed(case)
    export_torch(case, Fn(lambda x: x.permute(0, 2, 3, 1)), img(c=3, h=4, w=5), 17,
                 'Transpose perm [0, 2, 3, 1] (NCHW -> NHWC) on a [batch, 3, 4, 5] input', expect_ops=['Transpose'])

    class Branches(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Conv2d(3, 2, 3, padding=1)
            self.b = nn.Conv2d(3, 3, 1)

        def forward(self, x):
            return torch.cat([self.a(x), self.b(x)], dim=1)

    case = 'concat-branches'
    seed(case)
    export_torch(case, Branches(), img(), 11,
                 'two Conv branches (3x3 -> 2 channels, 1x1 -> 3 channels) joined by Concat axis=1 (channels)',
                 expect_ops=['Conv', 'Concat'])

    class Residual(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 3, 3, padding=1)

        def forward(self, x):
            return x + self.conv(x)

    case = 'add-residual'
    seed(case)
    export_torch(case, Residual(), img(), 13, 'x + Conv(x): Add of the graph input and a Conv output',
                 expect_ops=['Conv', 'Add'])

    class SE(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 4, 3, padding=1)
            self.fc = nn.Linear(4, 4)

        def forward(self, x):
            y = self.conv(x)
            s = torch.sigmoid(self.fc(torch.flatten(F.adaptive_avg_pool2d(y, 1), 1)))
            return y * s.unsqueeze(-1).unsqueeze(-1)

    case = 'mul-se'
    seed(case)
    export_torch(case, SE(), img(), 17,
                 'squeeze-excitation: Conv output y [N,4,8,8] times sigmoid(Gemm(flatten(GlobalAveragePool(y)))) '
                 'unsqueezed to [N,4,1,1]: broadcast Mul',
                 expect_ops=['Conv', 'GlobalAveragePool', 'Flatten', 'Gemm', 'Sigmoid', 'Constant', 'Unsqueeze', 'Mul'])

    case = 'constant-ops'
    seed(case)
    export_torch(case, Fn(lambda x: x * 2.0 + 1.0), torch.randn(2, 6), 11,
                 'x * 2.0 + 1.0: Mul and Add with scalar Constant node operands', expect_ops=['Constant', 'Mul', 'Add'])


# ----------------------------------------------------------------------------- small nets with gradients

class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c)
        self.conv2 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c)

    def forward(self, x):
        y = self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x)))))
        return torch.relu(x + y)


class ConvBnResidual(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4), nn.ReLU())
        self.layer1 = nn.Sequential(Block(4))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(self.layer1(self.stem(x))), 1))


def net_cases():
    case = 'net-gemm'
    seed(case)
    x = torch.randn(4, 6)
    labels = torch.tensor([0, 2, 1, 2])
    export_torch(case, nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 3)), x, 11,
                 'MLP Gemm-Relu-Gemm (6 -> 8 -> 3 logits), eval export; gradients of CrossEntropyLoss (mean) for '
                 'the given labels', fold=False, labels=labels, expect_ops=['Gemm', 'Relu'])

    residual_ops = ['Conv', 'BatchNormalization', 'Relu', 'Add', 'GlobalAveragePool', 'Flatten', 'Gemm']
    seed('net-conv-bn-residual')
    net = randomize_bn(ConvBnResidual())
    x = img(n=4)
    labels = torch.tensor([1, 0, 2, 1])
    export_torch('net-conv-bn-residual', net, x, 13,
                 'Conv-BN-Relu stem, residual block (Conv-BN-Relu-Conv-BN + Add + Relu), GlobalAveragePool, Flatten, '
                 'Gemm; exported with training=TRAINING (BatchNormalization training form), do_constant_folding=False. '
                 '"output" is model.eval(), "output@train" model.train() (batch stats); gradients in train mode. '
                 'The file holds the running stats after the exporter\'s one train-mode forward',
                 mode='train', fold=False, train_output=True, labels=labels, expect_ops=residual_ops)
    export_torch('net-conv-bn-residual-eval', net, x, 17,
                 'the net-conv-bn-residual net (same weights, running stats before any update) exported from '
                 'model.eval() with training=PRESERVE (EVAL would fold BN into Conv) and do_constant_folding=False; '
                 'gradients in eval mode (BN uses running stats)',
                 training=TM.PRESERVE, fold=False, labels=labels, expect_ops=residual_ops)


def logits_cases():
    def mlp(*tail):
        return nn.Sequential(nn.Linear(6, 8), nn.ReLU(), *tail)

    case = 'double-softmax'
    seed(case)
    export_torch(case, mlp(nn.Linear(8, 3), nn.Softmax(dim=1)), torch.randn(4, 6), 13,
                 'MLP whose last node is Softmax axis=1 (outputs are probabilities, not logits)',
                 expect_ops=['Gemm', 'Relu', 'Softmax'])

    case = 'sigmoid-out'
    seed(case)
    export_torch(case, mlp(nn.Linear(8, 1), nn.Sigmoid()), torch.randn(4, 6), 17,
                 'MLP ending in a 1-unit Gemm then Sigmoid (binary probability output)',
                 expect_ops=['Gemm', 'Relu', 'Sigmoid'])

    case = 'logits-out'
    seed(case)
    export_torch(case, mlp(nn.Linear(8, 3)), torch.randn(4, 6), 11,
                 'MLP ending in Gemm, no final activation (3 raw logits)', expect_ops=['Gemm', 'Relu'])


# ----------------------------------------------------------------------------- negative cases

def negative_cases():
    case = 'unsupported-op'
    seed(case)
    x = torch.randn(2, 6)
    path = OUT / f'{case}.onnx'
    torch.onnx.export(Fn(lambda t: torch.cumsum(t, 1)), x, str(path), opset_version=13, input_names=['input'],
                      output_names=['output'], dynamic_axes=DYNAMIC)
    model = onnx.load(str(path))
    onnx.checker.check_model(model, full_check=True)
    write_case(case, 13, op_types(model), 'eval',
               'torch.cumsum(x, 1) -> CumSum (a valid ONNX op a tfjs importer is not expected to support): loader '
               'error handling, no expected outputs', [entry('input', x)], [])

    case = 'external-data'
    seed(case)
    x = torch.randn(2, 6)
    lin = nn.Linear(6, 3).eval()
    buf = io.BytesIO()
    torch.onnx.export(lin, x, buf, opset_version=13, input_names=['input'], output_names=['output'],
                      dynamic_axes=DYNAMIC)
    model = onnx.load_from_string(buf.getvalue())
    check_initializers(model, lin)
    data = OUT / 'external-data.onnx.data'
    if data.exists():
        data.unlink()  # onnx appends to an existing data file
    onnx.save_model(model, str(OUT / f'{case}.onnx'), save_as_external_data=True, all_tensors_to_one_file=True,
                    location='external-data.onnx.data', size_threshold=0)
    onnx.checker.check_model(str(OUT / f'{case}.onnx'), full_check=True)
    with torch.no_grad():
        y = lin(x)
    write_case(case, 13, op_types(model), 'eval',
               'nn.Linear(6, 3) saved with every initializer in external-data.onnx.data next to the model '
               '(external_data location "external-data.onnx.data", offsets/lengths in the file)',
               [entry('input', x)], [entry('output', y)])

    case = 'external-data-escape'
    escape = onnx.load(str(OUT / 'external-data.onnx'), load_external_data=False)
    count = 0
    for t in escape.graph.initializer:
        for kv in t.external_data:
            if kv.key == 'location':
                kv.value = '../escape.bin'
                count += 1
    if count == 0:
        raise SystemExit('external-data-escape: no external_data location to edit')
    onnx.save(escape, str(OUT / f'{case}.onnx'))
    write_case(case, 13, op_types(escape), 'eval',
               'external-data.onnx with every external_data location set to "../escape.bin" (a path outside the '
               'model directory; the file does not exist): a loader must refuse it. Deliberately invalid, not '
               'checked', [entry('input', x)], [])

    case = 'truncated'
    (OUT / f'{case}.onnx').write_bytes((OUT / 'gemm.onnx').read_bytes()[:100])
    try:
        onnx.load(str(OUT / f'{case}.onnx'))
    except Exception:  # noqa: BLE001 - any parse failure is what this fixture is for
        pass
    else:
        raise SystemExit('truncated: the 100-byte prefix of gemm.onnx still parses')
    write_case(case, 11, [], 'eval',
               'the first 100 bytes of gemm.onnx: an unparseable protobuf a loader must reject. Deliberately invalid, '
               'not checked; the input is gemm\'s', json.loads((OUT / 'gemm.json').read_text())['inputs'], [])


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for f in OUT.iterdir():
        if f.suffix in ('.onnx', '.json', '.data', '.bin'):
            f.unlink()
    dense_cases()
    conv_cases()
    bn_cases()
    activation_cases()
    pool_cases()
    shape_cases()
    net_cases()
    logits_cases()
    negative_cases()
    names = [c['case'] for c in MANIFEST]
    if len(set(names)) != len(names):
        raise SystemExit('duplicate case names')
    manifest = {'torch': torch.__version__, 'onnx': onnx.__version__, 'cases': MANIFEST}
    (OUT / 'manifest.json').write_text(dumps(manifest) + '\n')
    total = sum(f.stat().st_size for f in OUT.iterdir() if f.is_file())
    print(f'{len(MANIFEST)} cases, {total} bytes in {OUT.relative_to(ROOT)}')


if __name__ == '__main__':
    if sys.executable != '/usr/bin/python3':
        print(f'note: running under {sys.executable}; the fixtures were made with /usr/bin/python3 (Debian torch)',
              file=sys.stderr)
    main()
