#!/usr/bin/env python3
"""PyTorch reference values for nabla's tests, written to test/fixtures/*.json.

Run with Debian's python3-torch:  /usr/bin/python3 scripts/make_torch_fixtures.py
The JSON is committed, so CI needs no Python.

ops.json    per op-table sample (test/fixtures/op-samples.json, exported by the table), the
            inputs, the output, and the gradient of sum(output * upstream) for each input, in
            float64.
mlp.json    MLPs of depth 1-3 with each activation and each loss: output, loss, every weight,
            bias and input gradient, in float64 and float32. Weights are given in nabla's
            [in, out] layout (torch's Linear stores the transpose).
optim.json  6-step trajectories of every optimizer with non-default hyper-parameters.
"""
import hashlib
import json
import os
import zlib

import torch

torch.manual_seed(0)
OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures')


def flat(t):
    return t.detach().reshape(-1).tolist()


# ---- ops ----

# The op table (src/ops/defs/*.ts) exports its samples and each op's torch counterpart, a Python
# expression in x (the inputs) and a (the attributes): `npm run fixtures` writes op-samples.json
# first. Each sample draws its values from its own generator, so adding an op or a sample leaves
# every other case as it was.

F = torch.nn.functional


def torch_op(expr):
    return eval('lambda x, a: ' + expr, {'torch': torch, 'F': F})  # the table's own text


def make_input(s, g):
    if 'values' in s:
        return torch.tensor(s['values'], dtype=torch.float64).reshape(s['shape'])
    if s.get('unit'):
        return torch.rand(s['shape'], generator=g, dtype=torch.float64) * 0.9 + 0.05
    t = torch.randn(s['shape'], generator=g, dtype=torch.float64)
    return t.abs() + 0.5 if s.get('positive') else t


def make_ops():
    with open(os.path.join(OUT, 'op-samples.json'), 'rb') as f:
        text = f.read()
    table = json.loads(text)['ops']
    cases = []
    for entry in table:
        fn = torch_op(entry['torch'])
        for index, sample in enumerate(entry['samples']):
            g = torch.Generator().manual_seed(zlib.crc32(f"{entry['name']}#{index}".encode()))
            args = sample.get('args', {})
            inputs = [make_input(s, g).requires_grad_(not s.get('constant')) for s in sample['inputs']]
            out = fn(inputs, args)
            upstream = torch.randn(out.shape, generator=g, dtype=torch.float64)
            if out.requires_grad:  # comparisons and argmax give constants, as torch's: no gradient
                (out * upstream).sum().backward()
            cases.append({
                'op': entry['name'], 'index': index, 'args': args,
                'inputs': [{'shape': list(t.shape), 'values': flat(t)} for t in inputs],
                'output': {'shape': list(out.shape), 'values': flat(out)},
                'upstream': flat(upstream),
                'grads': [flat(t.grad) if t.grad is not None else [0.0] * t.numel() for t in inputs],
            })
    return cases, hashlib.sha256(text).hexdigest()


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


def write(name, data, **extra):
    path = os.path.join(OUT, name)
    with open(path, 'w') as f:
        json.dump({'torch': torch.__version__, **extra, 'cases': data}, f)
    print(f'wrote {path}: {len(data)} cases')


if __name__ == '__main__':
    os.makedirs(OUT, exist_ok=True)
    ops, samples_sha256 = make_ops()
    write('ops.json', ops, samplesSha256=samples_sha256)  # the op-samples.json it was made from
    write('mlp.json', make_mlps())
    write('optim.json', make_optims())
