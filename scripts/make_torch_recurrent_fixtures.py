#!/usr/bin/env python3
"""PyTorch reference values for nabla's nn.RNN, nn.LSTM and nn.GRU.

Run with Debian's python3-torch:  /usr/bin/python3 scripts/make_torch_recurrent_fixtures.py
Writes
  test/fixtures/recurrent.json: per case (and per cell case: nn.RNNCell, LSTMCell, GRUCell), torch's module (float64) with weights drawn U(-1/sqrt(H), 1/sqrt(H))
    from its own seeded generator, the input, the initial states, the output and final states, and the
    gradients of sum(output*u) + sum(hN*uh) (+ sum(cN*uc)) for the input, the initial states and every
    parameter (torch's names and layout).
  test/fixtures/io/torch_lstm_f32.safetensors and torch_lstm_f32.json: the state dict of
    nn.Sequential(nn.LSTM(...)) in float32 (names "0.weight_ih_l0", ...), an input and torch's output sequence.
"""
import json
import math
import os
import sys
import zlib

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_torch_io_fixtures import write_safetensors  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures')

# name, module type, options (torch's names), time, batch (None: unbatched), initial states given
CASES = [
    ('LSTM, 2 layers, bidirectional, initial states', 'LSTM', dict(input_size=3, hidden_size=4, num_layers=2, bidirectional=True), 5, 2, True),
    ('LSTM, 2 layers, bidirectional, batchFirst, initial states', 'LSTM', dict(input_size=3, hidden_size=4, num_layers=2, bidirectional=True, batch_first=True), 4, 3, True),
    ('LSTM, no bias, zero states', 'LSTM', dict(input_size=2, hidden_size=3, bias=False), 3, 2, False),
    ('LSTM, unbatched, 2 layers', 'LSTM', dict(input_size=3, hidden_size=2, num_layers=2), 4, None, True),
    ('GRU, 2 layers, bidirectional, initial state', 'GRU', dict(input_size=3, hidden_size=4, num_layers=2, bidirectional=True), 5, 2, True),
    ('GRU, 2 layers, bidirectional, batchFirst, initial state', 'GRU', dict(input_size=3, hidden_size=4, num_layers=2, bidirectional=True, batch_first=True), 4, 3, True),
    ('GRU, no bias, zero state', 'GRU', dict(input_size=2, hidden_size=3, bias=False), 3, 2, False),
    ('RNN relu, 2 layers, initial state', 'RNN', dict(input_size=3, hidden_size=4, num_layers=2, nonlinearity='relu'), 5, 2, True),
    ('RNN tanh, bidirectional, batchFirst', 'RNN', dict(input_size=3, hidden_size=4, bidirectional=True, batch_first=True), 4, 2, False),
]


# name, cell type, options, batch (None: one sample), state given
CELLS = [
    ('LSTMCell, state given', 'LSTMCell', dict(input_size=3, hidden_size=4), 2, True),
    ('LSTMCell, one sample, no bias, zero state', 'LSTMCell', dict(input_size=3, hidden_size=2, bias=False), None, False),
    ('GRUCell, state given', 'GRUCell', dict(input_size=3, hidden_size=4), 3, True),
    ('GRUCell, one sample, state given', 'GRUCell', dict(input_size=2, hidden_size=3), None, True),
    ('RNNCell relu, state given', 'RNNCell', dict(input_size=3, hidden_size=4, nonlinearity='relu'), 2, True),
    ('RNNCell tanh, zero state', 'RNNCell', dict(input_size=3, hidden_size=4), 2, False),
]


def flat(t):
    return t.detach().reshape(-1).tolist()


def values(t):
    return {'shape': list(t.shape), 'values': flat(t)}


def camel(options):
    names = {'input_size': 'inputSize', 'hidden_size': 'hiddenSize', 'num_layers': 'numLayers',
             'batch_first': 'batchFirst'}
    return {names.get(k, k): v for k, v in options.items()}


def make(name, kind, options, time, batch, with_state):
    g = torch.Generator().manual_seed(zlib.crc32(name.encode()))
    m = getattr(torch.nn, kind)(**options).double()
    k = 1 / math.sqrt(m.hidden_size)
    with torch.no_grad():
        for p in m.parameters():
            p.uniform_(-k, k, generator=g)
    first = options.get('batch_first', False)
    shape = [time, options['input_size']] if batch is None else (
        [batch, time, options['input_size']] if first else [time, batch, options['input_size']])
    x = torch.randn(shape, generator=g, dtype=torch.float64, requires_grad=True)
    states = (2 if options.get('bidirectional') else 1) * options.get('num_layers', 1)
    state_shape = [states, m.hidden_size] if batch is None else [states, batch, m.hidden_size]
    initial = []
    if with_state:
        initial = [torch.randn(state_shape, generator=g, dtype=torch.float64, requires_grad=True)
                   for _ in range(2 if kind == 'LSTM' else 1)]
    hx = None if not initial else (tuple(initial) if kind == 'LSTM' else initial[0])
    out, final = m(x, hx)
    finals = list(final) if kind == 'LSTM' else [final]
    upstream = [torch.randn(t.shape, generator=g, dtype=torch.float64) for t in [out, *finals]]
    sum((t * u).sum() for t, u in zip([out, *finals], upstream)).backward()
    return {
        'name': name, 'type': kind, 'options': camel(options),
        'input': values(x), 'initial': [values(t) for t in initial],
        'output': values(out), 'final': [values(t) for t in finals],
        'upstream': [flat(u) for u in upstream],
        'inputGrad': flat(x.grad), 'initialGrads': [flat(t.grad) for t in initial],
        'params': {n: {'shape': list(p.shape), 'values': flat(p), 'grad': flat(p.grad)} for n, p in m.named_parameters()},
    }


def make_cell(name, kind, options, batch, with_state):
    g = torch.Generator().manual_seed(zlib.crc32(name.encode()))
    m = getattr(torch.nn, kind)(**options).double()
    k = 1 / math.sqrt(m.hidden_size)
    with torch.no_grad():
        for p in m.parameters():
            p.uniform_(-k, k, generator=g)
    lead = [] if batch is None else [batch]
    x = torch.randn(lead + [options['input_size']], generator=g, dtype=torch.float64, requires_grad=True)
    initial = []
    if with_state:
        initial = [torch.randn(lead + [m.hidden_size], generator=g, dtype=torch.float64, requires_grad=True)
                   for _ in range(2 if kind == 'LSTMCell' else 1)]
    hx = None if not initial else (tuple(initial) if kind == 'LSTMCell' else initial[0])
    result = m(x, hx)
    finals = list(result) if kind == 'LSTMCell' else [result]
    upstream = [torch.randn(t.shape, generator=g, dtype=torch.float64) for t in finals]
    sum((t * u).sum() for t, u in zip(finals, upstream)).backward()
    return {
        'name': name, 'type': kind, 'options': camel(options),
        'input': values(x), 'initial': [values(t) for t in initial],
        'final': [values(t) for t in finals], 'upstream': [flat(u) for u in upstream],
        'inputGrad': flat(x.grad), 'initialGrads': [flat(t.grad) for t in initial],
        'params': {n: {'shape': list(p.shape), 'values': flat(p), 'grad': flat(p.grad)} for n, p in m.named_parameters()},
    }


def torch_lstm_file():
    g = torch.Generator().manual_seed(31)
    options = dict(input_size=4, hidden_size=3, num_layers=2, bidirectional=True, batch_first=True)
    model = torch.nn.Sequential(torch.nn.LSTM(**options))  # state dict names "0.weight_ih_l0", ...
    k = 1 / math.sqrt(options['hidden_size'])
    with torch.no_grad():
        for p in model.parameters():
            p.uniform_(-k, k, generator=g)
        x = torch.randn(2, 5, 4, generator=g)
        out, _ = model[0](x)
    io = os.path.join(ROOT, 'io')
    write_safetensors(os.path.join(io, 'torch_lstm_f32.safetensors'), model.state_dict(), {'format': 'pt'})
    spec = {'format': 'nabla.sequential', 'version': 1, 'dtype': 'float32',
            'layers': [{'type': 'LSTM', **camel(options), 'bias': True, 'dropout': 0}]}
    with open(os.path.join(io, 'torch_lstm_f32.json'), 'w') as f:
        json.dump({'torch': torch.__version__, 'architecture': spec, 'input': x.tolist(), 'output': out.tolist()}, f)
        f.write('\n')


def main():
    cases = [make(*c) for c in CASES]
    with open(os.path.join(ROOT, 'recurrent.json'), 'w') as f:
        json.dump({'torch': torch.__version__, 'cases': cases, 'cells': [make_cell(*c) for c in CELLS]}, f)
        f.write('\n')
    torch_lstm_file()
    print('wrote', len(cases), 'cases and torch_lstm_f32.safetensors')


if __name__ == '__main__':
    main()
