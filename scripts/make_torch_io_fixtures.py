#!/usr/bin/python3
"""PyTorch fixtures for nabla's model files (test/io). Run with Debian's python3-torch:

    /usr/bin/python3 scripts/make_torch_io_fixtures.py      (or: npm run fixtures:io)

1. Writes PyTorch models as safetensors with a few lines of our own (no Python safetensors
   package is available), plus the inputs and PyTorch's outputs as JSON:
     torch_mlp_f32.safetensors  plain PyTorch file (only {"format": "pt"} metadata)
     torch_mlp_f64.safetensors  with nabla.architecture metadata, so nabla rebuilds it with no code
     torch_cnn_f32.safetensors  a CNN (Conv2d, BatchNorm2d/1d trained a few SGD steps, so their running
                                statistics are real, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, Linear), plain
     torch_cnn_f64.safetensors  the same in float64, with nabla.architecture
     torch_dtypes.safetensors   F32, F64 and I64 tensors, to check the decoder against numpy
   and torch_batchnorm.json: BatchNorm2d's running statistics and outputs after three training steps.
2. Loads nabla_torch_layout.safetensors and nabla_torch_cnn.safetensors (written by nabla with
   layout 'torch', by test/io/fixtures.ts) into a torch.nn.Sequential built from each file's
   nabla.architecture (load_state_dict strict), runs the inputs from the matching .json and records
   the verdicts in torch_verdict.json.
3. Runs onnx.checker (Debian's python3-onnx, full_check) on the nabla_*.onnx exports (python3-onnxruntime
   is not packaged: test/io/onnx.test.ts runs them in onnxruntime-node), into the
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


def pair(v):
    return list(v) if isinstance(v, (tuple, list)) else [v, v]


def nabla_layer(m):
    """nabla's spec of one torch layer (the fields of its entry in src/nn/layers/)."""
    if isinstance(m, nn.Linear):
        return {'type': 'Linear', 'inFeatures': m.in_features, 'outFeatures': m.out_features, 'bias': m.bias is not None}
    if isinstance(m, nn.LeakyReLU):
        return {'type': 'LeakyReLU', 'negativeSlope': m.negative_slope}
    if isinstance(m, nn.Conv2d):
        return {'type': 'Conv2d', 'inChannels': m.in_channels, 'outChannels': m.out_channels, 'kernelSize': pair(m.kernel_size),
                'stride': pair(m.stride), 'padding': m.padding if m.padding == 'same' else pair(m.padding),
                'dilation': pair(m.dilation), 'groups': m.groups, 'bias': m.bias is not None}
    if isinstance(m, nn.Conv1d):
        return {'type': 'Conv1d', 'inChannels': m.in_channels, 'outChannels': m.out_channels, 'kernelSize': m.kernel_size[0],
                'stride': m.stride[0], 'padding': m.padding if m.padding == 'same' else m.padding[0],
                'dilation': m.dilation[0], 'groups': m.groups, 'bias': m.bias is not None}
    if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
        return {'type': type(m).__name__, 'numFeatures': m.num_features, 'eps': m.eps, 'momentum': m.momentum,
                'affine': m.affine, 'trackRunningStats': m.track_running_stats}
    if isinstance(m, nn.MaxPool2d):
        return {'type': 'MaxPool2d', 'kernelSize': pair(m.kernel_size), 'stride': pair(m.stride), 'padding': pair(m.padding),
                'dilation': pair(m.dilation), 'ceilMode': m.ceil_mode}
    if isinstance(m, nn.AvgPool2d):
        return {'type': 'AvgPool2d', 'kernelSize': pair(m.kernel_size), 'stride': pair(m.stride), 'padding': pair(m.padding),
                'ceilMode': m.ceil_mode, 'countIncludePad': m.count_include_pad}
    if isinstance(m, nn.AdaptiveAvgPool2d):
        return {'type': 'AdaptiveAvgPool2d', 'outputSize': pair(m.output_size)}
    if isinstance(m, nn.Flatten):
        return {'type': 'Flatten', 'startDim': m.start_dim, 'endDim': m.end_dim}
    if isinstance(m, (nn.Dropout, nn.Dropout2d)):
        return {'type': type(m).__name__, 'p': m.p}
    return {'type': type(m).__name__}


def nabla_spec(model, dtype):
    """nabla's architecture JSON (src/io/architecture.ts) for a torch Sequential."""
    return {'format': 'nabla.sequential', 'version': 1, 'dtype': dtype, 'layers': [nabla_layer(m) for m in model]}


def torch_model(spec):
    """A torch Sequential from nabla's architecture JSON."""
    dtype = {'float32': torch.float32, 'float64': torch.float64}[spec['dtype']]
    make = {
        'Linear': lambda l: nn.Linear(l['inFeatures'], l['outFeatures'], bias=l['bias'], dtype=dtype),
        'ReLU': lambda l: nn.ReLU(), 'Sigmoid': lambda l: nn.Sigmoid(), 'Tanh': lambda l: nn.Tanh(),
        'GELU': lambda l: nn.GELU(), 'LeakyReLU': lambda l: nn.LeakyReLU(l['negativeSlope']),
        'Softmax': lambda l: nn.Softmax(l['dim']), 'LogSoftmax': lambda l: nn.LogSoftmax(l['dim']),
        'Flatten': lambda l: nn.Flatten(l['startDim'], l['endDim']), 'Dropout': lambda l: nn.Dropout(l['p']),
        'Dropout2d': lambda l: nn.Dropout2d(l['p']),
        'Conv2d': lambda l: nn.Conv2d(l['inChannels'], l['outChannels'], l['kernelSize'], stride=l['stride'], padding=l['padding'],
                                      dilation=l['dilation'], groups=l['groups'], bias=l['bias'], dtype=dtype),
        'Conv1d': lambda l: nn.Conv1d(l['inChannels'], l['outChannels'], l['kernelSize'], stride=l['stride'], padding=l['padding'],
                                      dilation=l['dilation'], groups=l['groups'], bias=l['bias'], dtype=dtype),
        'BatchNorm1d': lambda l: nn.BatchNorm1d(l['numFeatures'], eps=l['eps'], momentum=l['momentum'], affine=l['affine'],
                                                track_running_stats=l['trackRunningStats'], dtype=dtype),
        'BatchNorm2d': lambda l: nn.BatchNorm2d(l['numFeatures'], eps=l['eps'], momentum=l['momentum'], affine=l['affine'],
                                                track_running_stats=l['trackRunningStats'], dtype=dtype),
        'MaxPool2d': lambda l: nn.MaxPool2d(l['kernelSize'], stride=l['stride'], padding=l['padding'], dilation=l['dilation'],
                                            ceil_mode=l['ceilMode']),
        'AvgPool2d': lambda l: nn.AvgPool2d(l['kernelSize'], stride=l['stride'], padding=l['padding'], ceil_mode=l['ceilMode'],
                                            count_include_pad=l['countIncludePad']),
        'AdaptiveAvgPool2d': lambda l: nn.AdaptiveAvgPool2d(l['outputSize']),
    }
    return nn.Sequential(*[make[l['type']](l) for l in spec['layers']]).eval()


def torch_cnn(dtype):
    """A PyTorch CNN trained a few SGD steps on random data, so weights and batch norm's running statistics are real."""
    model = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),           # [4,5,5]
        nn.Conv2d(4, 8, 3, padding=1, groups=2, bias=False), nn.BatchNorm2d(8, momentum=0.2), nn.ReLU(),
        nn.AvgPool2d(2, ceil_mode=True),                                                          # [8,3,3]
        nn.AdaptiveAvgPool2d(2), nn.Flatten(),                                                    # [32]
        nn.Linear(32, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Linear(16, 3),
    ).to(dtype)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model.train()
    for _ in range(4):
        x = torch.randn(8, 1, 10, 10, dtype=dtype) * 2 + 0.5
        loss = nn.functional.cross_entropy(model(x), torch.randint(0, 3, (8,)))
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model.eval()


def batchnorm_steps():
    """BatchNorm2d's running statistics after three training steps, and its outputs in both modes (float64)."""
    torch.manual_seed(3)
    bn = nn.BatchNorm2d(3, momentum=0.2, eps=1e-4, dtype=torch.float64)
    with torch.no_grad():
        bn.weight.copy_(torch.tensor([1.5, 0.5, -1.0]))
        bn.bias.copy_(torch.tensor([0.1, -0.2, 0.3]))
    batches = [torch.randn(4, 3, 2, 3, dtype=torch.float64) * (i + 1) + i for i in range(3)]
    bn.train()
    with torch.no_grad():
        train_out = [bn(x) for x in batches]
    stats = {'running_mean': bn.running_mean.tolist(), 'running_var': bn.running_var.tolist(),
             'num_batches_tracked': int(bn.num_batches_tracked)}
    bn.eval()
    x = torch.randn(2, 3, 2, 2, dtype=torch.float64)
    with torch.no_grad():
        eval_out = bn(x)
    return {'momentum': 0.2, 'eps': 1e-4, 'weight': bn.weight.tolist(), 'bias': bn.bias.tolist(),
            'batches': [b.tolist() for b in batches], 'train_last_output': train_out[-1].tolist(), **stats,
            'eval_input': x.tolist(), 'eval_output': eval_out.tolist(), 'torch': torch.__version__}


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
    torch.manual_seed(1)
    cnn32 = torch_cnn(torch.float32)
    cnn64 = torch_cnn(torch.float64)
    cases |= {
        'torch_cnn_f32': (cnn32, torch.randn(5, 1, 10, 10) * 2 + 0.5, {'format': 'pt'}),
        'torch_cnn_f64': (cnn64, torch.randn(5, 1, 10, 10, dtype=torch.float64) * 2 + 0.5,
                          {'format': 'pt', 'nabla.layout': 'torch', 'nabla.architecture': json.dumps(nabla_spec(cnn64, 'float64'))}),
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
    dump(os.path.join(HERE, 'torch_batchnorm.json'), batchnorm_steps())
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
    for key, stem in (('torch_layout', 'nabla_torch_layout'), ('torch_layout_cnn', 'nabla_torch_cnn')):
        path = os.path.join(HERE, stem + '.safetensors')
        if not os.path.exists(path):
            continue
        tensors, metadata = read_safetensors(path)
        model = torch_model(json.loads(metadata['nabla.architecture']))
        model.load_state_dict(tensors, strict=True)  # torch checks names, shapes ([out, in] Linear weights) and buffers
        with open(os.path.join(HERE, stem + '.json')) as f:
            io = json.load(f)
        with torch.no_grad():
            y = model(torch.tensor(io['input'], dtype=next(model.parameters()).dtype))
        diff = float((y - torch.tensor(io['output'], dtype=y.dtype)).abs().max())
        verdict[key] = {'file': os.path.basename(path), 'sha256': sha256(path), 'loaded': True,
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
