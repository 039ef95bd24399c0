#!/usr/bin/env python3
"""PyTorch reference values for nabla's tests, written to test/fixtures/*.json.

Run with Debian's python3-torch:  /usr/bin/python3 scripts/make_torch_fixtures.py
The JSON is committed, so CI needs no Python.

ops.json    per op, sample inputs (broadcast shapes, size-1 axes, batch of 1), the output, and
            the gradient of sum(output * upstream) for each input, in float64.
mlp.json    MLPs of depth 1-3 with each activation and each loss: output, loss, every weight,
            bias and input gradient, in float64 and float32. Weights are given in nabla's
            [in, out] layout (torch's Linear stores the transpose).
optim.json  6-step trajectories of every optimizer with non-default hyper-parameters.
"""
import json
import os
import zlib

import torch

torch.manual_seed(0)
OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures')


def flat(t):
    return t.detach().reshape(-1).tolist()


def randn(*shape, positive=False):
    t = torch.randn(list(shape), dtype=torch.float64)
    return t.abs() + 0.5 if positive else t


# ---- ops ----

# name -> (how torch computes it from (inputs, args))
TORCH_OPS = {
    'add': lambda x, a: x[0] + (a['scalar'] if 'scalar' in a else x[1]),
    'sub': lambda x, a: x[0] - (a['scalar'] if 'scalar' in a else x[1]),
    'mul': lambda x, a: x[0] * (a['scalar'] if 'scalar' in a else x[1]),
    'div': lambda x, a: x[0] / (a['scalar'] if 'scalar' in a else x[1]),
    'neg': lambda x, a: -x[0],
    'exp': lambda x, a: x[0].exp(),
    'log': lambda x, a: x[0].log(),
    'sqrt': lambda x, a: x[0].sqrt(),
    'abs': lambda x, a: x[0].abs(),
    'tanh': lambda x, a: x[0].tanh(),
    'sigmoid': lambda x, a: x[0].sigmoid(),
    'softplus': lambda x, a: torch.nn.functional.softplus(x[0]),
    'relu': lambda x, a: x[0].relu(),
    'leakyRelu': lambda x, a: torch.nn.functional.leaky_relu(x[0], a.get('slope', 0.01)),
    'gelu': lambda x, a: torch.nn.functional.gelu(x[0]),
    'erf': lambda x, a: torch.erf(x[0]),
    'pow': lambda x, a: x[0] ** a['p'],
    'clamp': lambda x, a: x[0].clamp(a['min'], a['max']),
    'reshape': lambda x, a: x[0].reshape(a['shape']),
    'permute': lambda x, a: x[0].permute(a['perm']),
    'transpose': lambda x, a: x[0].transpose(a['a'], a['b']),
    'broadcastTo': lambda x, a: x[0].expand(a['shape']),
    'sumTo': lambda x, a: x[0].sum_to_size(a['shape']),
    'sum': lambda x, a: x[0].sum(dim=a['axes'], keepdim=a['keepdim']) if 'axes' in a else x[0].sum(),
    'mean': lambda x, a: x[0].mean(dim=a['axes'], keepdim=a['keepdim']) if 'axes' in a else x[0].mean(),
    'max': lambda x, a: x[0].amax(dim=a['axes'], keepdim=a['keepdim']) if 'axes' in a else x[0].amax(),
    'matmul': lambda x, a: torch.matmul(x[0], x[1]),
    'matmulT': lambda x, a: torch.matmul(x[0].transpose(-1, -2) if a['transA'] else x[0],
                                         x[1].transpose(-1, -2) if a['transB'] else x[1]),
    'softmax': lambda x, a: torch.softmax(x[0], a['axis']),
    'logSoftmax': lambda x, a: torch.log_softmax(x[0], a['axis']),
    'pick': lambda x, a: x[0].gather(-1, torch.tensor(a['labels']).reshape(*x[0].shape[:-1], 1)).squeeze(-1),
    'binaryCrossEntropy': lambda x, a: torch.nn.functional.binary_cross_entropy(x[0], x[1], reduction='none'),
    'unpick': lambda x, a: torch.zeros(*x[0].shape, a['classes'], dtype=torch.float64).scatter(
        -1, torch.tensor(a['labels']).reshape(*x[0].shape, 1), x[0].unsqueeze(-1)),
}

U = lambda *s: {'shape': list(s)}          # an input of this shape
P = lambda *s: {'shape': list(s), 'positive': True}
Q = lambda *s: {'shape': list(s), 'unit': True}   # strictly inside (0, 1)

SAMPLES = []


def sample(op, inputs, **args):
    SAMPLES.append((op, inputs, args))


for op in ['add', 'sub', 'mul', 'div']:
    pos = op == 'div'
    mk = P if pos else U
    sample(op, [U(3, 4), mk(3, 4)])
    sample(op, [U(2, 3, 4), mk(4)])            # bias-style broadcast
    sample(op, [U(3, 1), mk(1, 4)])            # both broadcast
    sample(op, [U(1, 4), mk(5, 1, 4)])         # batch of 1 broadcast up
    sample(op, [U(), mk(2, 3)])                # 0-d against a matrix
    sample(op, [U(2, 3)], scalar=2.5)
for op in ['neg', 'exp', 'abs', 'tanh', 'sigmoid', 'softplus', 'relu', 'gelu', 'erf']:
    sample(op, [U(3, 4)])
    sample(op, [U(1, 5)])
sample('softplus', [{'shape': [6], 'values': [-40.0, -3.0, -0.1, 0.2, 5.0, 40.0]}])
sample('sigmoid', [{'shape': [4], 'values': [-50.0, -2.0, 3.0, 50.0]}])
sample('gelu', [{'shape': [6], 'values': [-7.0, -3.5, -1.0, 0.3, 2.9, 4.0]}])
sample('erf', [{'shape': [6], 'values': [-6.5, -3.2, -2.99, 0.01, 3.01, 5.0]}])
for op in ['log', 'sqrt']:
    sample(op, [P(3, 4)])
    sample(op, [P(1)])
sample('leakyRelu', [U(3, 4)])
sample('leakyRelu', [U(2, 5)], slope=0.2)
sample('pow', [U(3, 4)], p=3)
sample('pow', [P(2, 3)], p=0.5)
sample('pow', [P(2, 3)], p=-1.5)
sample('pow', [U(4)], p=2)
sample('clamp', [U(4, 5)], min=-0.5, max=0.7)
sample('reshape', [U(2, 3, 4)], shape=[6, 4])
sample('reshape', [U(2, 3, 4)], shape=[4, -1])
sample('reshape', [U(1, 5)], shape=[5])
sample('permute', [U(2, 3, 4)], perm=[2, 0, 1])
sample('permute', [U(1, 3)], perm=[1, 0])
sample('transpose', [U(3, 4)], a=0, b=1)
sample('transpose', [U(2, 3, 4)], a=-1, b=-2)
sample('broadcastTo', [U(3, 1)], shape=[2, 3, 4])
sample('broadcastTo', [U(4)], shape=[3, 4])
sample('sumTo', [U(2, 3, 4)], shape=[3, 1])
sample('sumTo', [U(5, 4)], shape=[4])
for op in ['sum', 'mean', 'max']:
    sample(op, [U(3, 4)])
    sample(op, [U(3, 4)], axes=[1], keepdim=False)
    sample(op, [U(2, 3, 4)], axes=[0, 2], keepdim=True)
    sample(op, [U(1, 5)], axes=[0], keepdim=False)
    sample(op, [U(2, 3, 4)], axes=[-2], keepdim=False)
sample('matmul', [U(3, 4), U(4, 5)])
sample('matmul', [U(1, 4), U(4, 1)])
sample('matmul', [U(1, 1), U(1, 7)])
sample('matmul', [U(2, 3, 4), U(4, 5)])
sample('matmul', [U(3, 4), U(2, 4, 5)])
sample('matmul', [U(2, 1, 3, 4), U(3, 4, 2)])
sample('matmul', [U(9, 13), U(13, 6)])
for ta in [False, True]:
    for tb in [False, True]:
        sample('matmulT', [U(*([4, 3] if ta else [3, 4])), U(*([5, 4] if tb else [4, 5]))], transA=ta, transB=tb)
        sample('matmulT', [U(2, *([4, 3] if ta else [3, 4])), U(*([5, 4] if tb else [4, 5]))], transA=ta, transB=tb)
for op in ['softmax', 'logSoftmax']:
    sample(op, [U(3, 5)], axis=-1)
    sample(op, [U(3, 5)], axis=0)
    sample(op, [U(2, 3, 4)], axis=1)
    sample(op, [U(1, 4)], axis=-1)
    sample(op, [{'shape': [2, 3], 'values': [1000.0, 1001.0, 999.0, -1000.0, -1002.0, -1001.0]}], axis=-1)
sample('pick', [U(4, 3)], labels=[0, 2, 1, 2])
sample('pick', [U(2, 3, 5)], labels=[4, 0, 1, 3, 2, 2])
sample('pick', [U(1, 3)], labels=[1])
sample('binaryCrossEntropy', [Q(3, 4), Q(3, 4)])
sample('binaryCrossEntropy', [Q(1, 5), {'shape': [1, 5], 'values': [0.0, 1.0, 1.0, 0.0, 0.5]}])
sample('unpick', [U(4)], labels=[0, 2, 1, 2], classes=3)
sample('unpick', [U(2, 3)], labels=[4, 0, 1, 3, 2, 2], classes=5)


def make_ops():
    cases = []
    for op, specs, args in SAMPLES:
        inputs = []
        for s in specs:
            if 'values' in s:
                t = torch.tensor(s['values'], dtype=torch.float64).reshape(s['shape'])
            elif s.get('unit'):
                t = torch.rand(s['shape'], dtype=torch.float64) * 0.9 + 0.05
            else:
                t = randn(*s['shape'], positive=s.get('positive', False))
            inputs.append(t.requires_grad_(True))
        out = TORCH_OPS[op](inputs, args)
        upstream = torch.randn(out.shape, dtype=torch.float64)
        (out * upstream).sum().backward()
        cases.append({
            'op': op, 'args': args,
            'inputs': [{'shape': list(t.shape), 'values': flat(t)} for t in inputs],
            'output': {'shape': list(out.shape), 'values': flat(out)},
            'upstream': flat(upstream),
            'grads': [flat(t.grad) for t in inputs],
        })
    return cases


# ---- MLPs ----

ACTS = {
    'relu': torch.nn.ReLU(), 'sigmoid': torch.nn.Sigmoid(), 'tanh': torch.nn.Tanh(),
    'leakyRelu': torch.nn.LeakyReLU(0.01), 'gelu': torch.nn.GELU(),
}


def make_mlp(depth, act, loss, reduction, dtype):
    g = torch.Generator().manual_seed(zlib.crc32(repr((depth, act, loss, reduction)).encode()))
    n, sizes = 6, [4] + [5] * (depth - 1) + [3]
    x = torch.randn(n, sizes[0], generator=g, dtype=torch.float64)
    weights = [torch.randn(i, o, generator=g, dtype=torch.float64) * 0.7 for i, o in zip(sizes, sizes[1:])]
    biases = [torch.randn(o, generator=g, dtype=torch.float64) * 0.3 for o in sizes[1:]]
    if loss == 'crossEntropy':
        target = torch.randint(0, sizes[-1], (n,), generator=g)
    elif loss in ('bce', 'bceWithLogits'):
        target = torch.randint(0, 2, (n, sizes[-1]), generator=g).double()
    else:
        target = torch.randn(n, sizes[-1], generator=g, dtype=torch.float64)

    layers = []
    for i, (w, b) in enumerate(zip(weights, biases)):
        lin = torch.nn.Linear(w.shape[0], w.shape[1]).to(dtype)
        with torch.no_grad():
            lin.weight.copy_(w.T)
            lin.bias.copy_(b)
        layers.append(lin)
        if i < depth - 1:
            layers.append(ACTS[act])
    if loss == 'bce':
        layers.append(torch.nn.Sigmoid())
    model = torch.nn.Sequential(*layers)
    xt = x.to(dtype).requires_grad_(True)
    out = model(xt)
    fn = {
        'mse': torch.nn.MSELoss(reduction=reduction), 'crossEntropy': torch.nn.CrossEntropyLoss(reduction=reduction),
        'bce': torch.nn.BCELoss(reduction=reduction), 'bceWithLogits': torch.nn.BCEWithLogitsLoss(reduction=reduction),
    }[loss]
    tgt = target if loss == 'crossEntropy' else target.to(dtype)
    value = fn(out, tgt)
    upstream = torch.randn(value.shape, generator=g, dtype=torch.float64).to(dtype) if reduction == 'none' else None
    value.backward(upstream if upstream is not None else None)
    lins = [l for l in layers if isinstance(l, torch.nn.Linear)]
    return {
        'depth': depth, 'activation': act, 'loss': loss, 'reduction': reduction,
        'dtype': 'float64' if dtype == torch.float64 else 'float32',
        'sizes': sizes, 'x': flat(x), 'target': flat(target),
        'weights': [flat(w) for w in weights], 'biases': [flat(b) for b in biases],
        'upstream': flat(upstream) if upstream is not None else None,
        'output': flat(out), 'lossValue': flat(value),
        'weightGrads': [flat(l.weight.grad.T) for l in lins], 'biasGrads': [flat(l.bias.grad) for l in lins],
        'inputGrad': flat(xt.grad),
    }


def make_mlps():
    cases = []
    for dtype in (torch.float64, torch.float32):
        for depth in (1, 2, 3):
            for act in ACTS:
                if depth == 1 and act != 'relu':
                    continue  # a single layer has no activation
                for loss in ('mse', 'crossEntropy', 'bce', 'bceWithLogits'):
                    reductions = ('mean', 'sum', 'none') if (depth == 2 and act == 'relu') else ('mean',)
                    for reduction in reductions:
                        cases.append(make_mlp(depth, act, loss, reduction, dtype))
    return cases


# ---- optimizers ----

OPTIMIZERS = [
    ('SGD', {'lr': 0.2}),
    ('SGD', {'lr': 0.1, 'momentum': 0.9, 'dampening': 0.1, 'weightDecay': 0.01}),
    ('SGD', {'lr': 0.1, 'momentum': 0.8, 'nesterov': True, 'weightDecay': 0.05}),
    ('Adam', {'lr': 0.05, 'betas': [0.8, 0.9], 'eps': 1e-6, 'weightDecay': 0.02}),
    ('Adam', {'lr': 0.05, 'amsgrad': True}),
    ('AdamW', {'lr': 0.05, 'betas': [0.85, 0.95], 'weightDecay': 0.1}),
    ('AdamW', {'lr': 0.03, 'amsgrad': True, 'eps': 1e-5}),
    ('RMSprop', {'lr': 0.01}),
    ('RMSprop', {'lr': 0.01, 'alpha': 0.9, 'eps': 1e-6, 'momentum': 0.5, 'centered': True, 'weightDecay': 0.01}),
]

TORCH_NAMES = {'weightDecay': 'weight_decay'}


def make_optim(name, opts, dtype):
    g = torch.Generator().manual_seed(7)
    x = torch.randn(4, 3, generator=g, dtype=torch.float64)
    t = torch.randn(4, 2, generator=g, dtype=torch.float64)
    w0 = torch.randn(3, 2, generator=g, dtype=torch.float64)
    b0 = torch.randn(2, generator=g, dtype=torch.float64)
    w = w0.to(dtype).clone().requires_grad_(True)
    b = b0.to(dtype).clone().requires_grad_(True)
    kwargs = {TORCH_NAMES.get(k, k): (tuple(v) if k == 'betas' else v) for k, v in opts.items()}
    opt = getattr(torch.optim, name)([w, b], **kwargs)
    steps = []
    for i in range(6):
        opt.zero_grad(set_to_none=True)
        # Step 1 leaves the bias out, so it has no gradient: optimizers count steps per parameter.
        bias = b if i > 0 else b.detach()
        loss = ((torch.tanh(x.to(dtype) @ w + bias) - t.to(dtype)) ** 2).mean()
        loss.backward()
        opt.step()
        steps.append({'weight': flat(w), 'bias': flat(b)})
    return {
        'optimizer': name, 'options': opts, 'dtype': 'float64' if dtype == torch.float64 else 'float32',
        'x': flat(x), 'target': flat(t), 'weight': flat(w0), 'bias': flat(b0), 'steps': steps,
    }


def make_optims():
    return [make_optim(n, o, d) for d in (torch.float64, torch.float32) for n, o in OPTIMIZERS]


def write(name, data):
    path = os.path.join(OUT, name)
    with open(path, 'w') as f:
        json.dump({'torch': torch.__version__, 'cases': data}, f)
    print(f'wrote {path}: {len(data)} cases')


if __name__ == '__main__':
    os.makedirs(OUT, exist_ok=True)
    write('ops.json', make_ops())
    write('mlp.json', make_mlps())
    write('optim.json', make_optims())
