#!/usr/bin/python3
"""PyTorch fixtures for nabla's model files (test/io). Run with Debian's python3-torch:

    /usr/bin/python3 scripts/make_torch_io_fixtures.py      (or: npm run fixtures:io)

1. Writes PyTorch models as safetensors with a few lines of our own (no Python safetensors
   package is available), plus the inputs and PyTorch's outputs as JSON:
     torch_mlp_f32.safetensors  plain PyTorch file (only {"format": "pt"} metadata)
     torch_mlp_f64.safetensors  with nabla.architecture metadata, so nabla rebuilds it with no code
     torch_dtypes.safetensors   F32, F64 and I64 tensors, to check the decoder against numpy
2. Loads nabla_torch_layout.safetensors (written by nabla with layout 'torch', by
   test/io/fixtures.ts) into a torch.nn.Sequential built from its nabla.architecture, runs the
   inputs from nabla_torch_layout.json and records the verdict in torch_verdict.json.
3. Runs onnx.checker (Debian's python3-onnx, full_check) on the nabla_*.onnx exports, into the
   same verdict file. The committed JSON keeps CI free of Python.
"""

import hashlib
import json
import os
import struct

import numpy as np
import torch
from torch import nn

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'io')
DTYPES = {torch.float32: 'F32', torch.float64: 'F64', torch.int64: 'I64'}
NUMPY = {'F32': '<f4', 'F64': '<f8', 'I64': '<i8'}


def write_safetensors(path, tensors, metadata=None):
    header, blobs, offset = {}, [], 0
    if metadata:
        header['__metadata__'] = metadata
    for name, t in tensors.items():
        blob = t.detach().contiguous().numpy().astype(NUMPY[DTYPES[t.dtype]]).tobytes()
        header[name] = {'dtype': DTYPES[t.dtype], 'shape': list(t.shape), 'data_offsets': [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    head = json.dumps(header, separators=(',', ':')).encode('utf-8')
    head += b' ' * (-len(head) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(head)) + head + b''.join(blobs))


def read_safetensors(path):
    with open(path, 'rb') as f:
        data = f.read()
    (n,) = struct.unpack('<Q', data[:8])
    header = json.loads(data[8:8 + n])
    metadata = header.pop('__metadata__', {})
    tensors = {}
    for name, e in header.items():
        begin, end = e['data_offsets']
        arr = np.frombuffer(data[8 + n + begin:8 + n + end], dtype=NUMPY[e['dtype']]).reshape(e['shape'])
        tensors[name] = torch.from_numpy(arr.copy())
    return tensors, metadata


def nabla_spec(model, dtype):
    """nabla's architecture JSON (src/io/architecture.ts) for a torch Sequential."""
    layers = []
    for m in model:
        if isinstance(m, nn.Linear):
            layers.append({'type': 'Linear', 'inFeatures': m.in_features, 'outFeatures': m.out_features, 'bias': m.bias is not None})
        elif isinstance(m, nn.LeakyReLU):
            layers.append({'type': 'LeakyReLU', 'negativeSlope': m.negative_slope})
        else:
            layers.append({'type': type(m).__name__})
    return {'format': 'nabla.sequential', 'version': 1, 'dtype': dtype, 'layers': layers}


def torch_model(spec):
    """A torch Sequential from nabla's architecture JSON."""
    dtype = {'float32': torch.float32, 'float64': torch.float64}[spec['dtype']]
    make = {
        'Linear': lambda l: nn.Linear(l['inFeatures'], l['outFeatures'], bias=l['bias'], dtype=dtype),
        'ReLU': lambda l: nn.ReLU(), 'Sigmoid': lambda l: nn.Sigmoid(), 'Tanh': lambda l: nn.Tanh(),
        'GELU': lambda l: nn.GELU(), 'LeakyReLU': lambda l: nn.LeakyReLU(l['negativeSlope']),
        'Softmax': lambda l: nn.Softmax(l['dim']), 'LogSoftmax': lambda l: nn.LogSoftmax(l['dim']),
        'Flatten': lambda l: nn.Flatten(l['startDim'], l['endDim']), 'Dropout': lambda l: nn.Dropout(l['p']),
    }
    return nn.Sequential(*[make[l['type']](l) for l in spec['layers']]).eval()


def dump(path, obj):
    with open(path, 'w') as f:
        json.dump(obj, f, indent=1)
        f.write('\n')


def make_torch_files():
    torch.manual_seed(0)
    f32 = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.Tanh(), nn.Linear(8, 3)).eval()
    f64 = nn.Sequential(nn.Linear(5, 6), nn.GELU(), nn.Linear(6, 4, bias=False), nn.LeakyReLU(0.2),
                        nn.Linear(4, 2), nn.Sigmoid()).double().eval()
    cases = {
        'torch_mlp_f32': (f32, torch.randn(7, 4), {'format': 'pt'}),
        'torch_mlp_f64': (f64, torch.randn(6, 5, dtype=torch.float64),
                          {'format': 'pt', 'nabla.layout': 'torch', 'nabla.architecture': json.dumps(nabla_spec(f64, 'float64'))}),
    }
    for name, (model, x, metadata) in cases.items():
        write_safetensors(os.path.join(HERE, name + '.safetensors'), model.state_dict(), metadata)
        with torch.no_grad():
            y = model(x)
        dump(os.path.join(HERE, name + '.json'), {
            'architecture': nabla_spec(model, 'float64' if x.dtype == torch.float64 else 'float32'),
            'input': x.tolist(), 'output': y.tolist(), 'torch': torch.__version__,
        })
    dtypes = {
        'f32': torch.tensor([[1.5, -0.0, 3.4e38], [1e-45, float('inf'), -2.0]], dtype=torch.float32),
        'f64': torch.tensor([0.1, -1e-310, 1.7976931348623157e308], dtype=torch.float64),
        'i64': torch.tensor([0, -1, 2 ** 53, -(2 ** 53), 123456789012], dtype=torch.int64),
        'empty': torch.zeros(0, 3, dtype=torch.float32),
        'scalar': torch.tensor(2.5, dtype=torch.float64),
    }
    write_safetensors(os.path.join(HERE, 'torch_dtypes.safetensors'), dtypes, {'made_by': 'torch'})
    dump(os.path.join(HERE, 'torch_dtypes.json'), {
        name: {'dtype': DTYPES[t.dtype], 'shape': list(t.shape),
               'values': [repr(float(v)) for v in t.flatten().tolist()]} for name, t in dtypes.items()
    })


def sha256(path):
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


def check_nabla_files():
    verdict = {'torch': torch.__version__}
    path = os.path.join(HERE, 'nabla_torch_layout.safetensors')
    if os.path.exists(path):
        tensors, metadata = read_safetensors(path)
        model = torch_model(json.loads(metadata['nabla.architecture']))
        model.load_state_dict(tensors, strict=True)  # torch checks names and [out, in] shapes
        with open(os.path.join(HERE, 'nabla_torch_layout.json')) as f:
            io = json.load(f)
        with torch.no_grad():
            y = model(torch.tensor(io['input'], dtype=next(model.parameters()).dtype))
        diff = float((y - torch.tensor(io['output'], dtype=y.dtype)).abs().max())
        verdict['torch_layout'] = {'file': os.path.basename(path), 'sha256': sha256(path), 'loaded': True,
                                   'max_abs_diff': diff, 'match_1e-5': diff <= 1e-5}
        print('torch loaded', path, 'max |diff|', diff)
    try:
        import onnx
    except ImportError:
        onnx = None
    if onnx is not None:
        verdict['onnx_checker'] = {'onnx': onnx.__version__, 'files': {}}
        for name in sorted(os.listdir(HERE)):
            if name.endswith('.onnx'):
                onnx.checker.check_model(onnx.load(os.path.join(HERE, name)), full_check=True)  # raises if invalid
                verdict['onnx_checker']['files'][name] = {'sha256': sha256(os.path.join(HERE, name)), 'valid': True}
                print('onnx.checker accepts', name)
    dump(os.path.join(HERE, 'torch_verdict.json'), verdict)


if __name__ == '__main__':
    os.makedirs(HERE, exist_ok=True)
    make_torch_files()
    check_nabla_files()
