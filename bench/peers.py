"""PyTorch and NumPy twins of the bench workloads, run by bench/run.ts on the same inputs.

Usage: /usr/bin/python3 bench/peers.py DIR  (DIR holds spec.json and the raw float32/int32 files
that run.ts wrote). Prints one JSON object on stdout. spec.json's "suite": "cnn" runs the conv
table and CNN training instead of the MLP workloads. A peer that is not installed is reported as
missing rather than failing the bench.
"""
import ctypes
import json
import os
import statistics
import sys
import time

DIR = sys.argv[1]
SPEC = json.load(open(os.path.join(DIR, 'spec.json')))


def arr(name, dtype):
    import numpy as np
    return np.fromfile(os.path.join(DIR, name), dtype=dtype)


def time_runs(fn, budget=0.4, min_reps=3, max_reps=200):
    fn()
    times = []
    start = time.perf_counter()
    while len(times) < min_reps or (time.perf_counter() - start < budget and len(times) < max_reps):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return times


def blas():
    """The BLAS library this process loaded, its OpenBLAS config and core name if it is OpenBLAS,
    and the library handle (for openblas_set_num_threads)."""
    path = None
    with open('/proc/self/maps') as f:
        for line in f:
            fields = line.split()
            if len(fields) >= 6 and 'blas' in fields[-1].rsplit('/', 1)[-1]:
                path = fields[-1]
                break
    if not path:
        return {'library': 'none found'}, None
    lib = ctypes.CDLL(path)
    info = {'library': path}
    if not hasattr(lib, 'openblas_get_config'):
        info['kind'] = 'reference BLAS (not OpenBLAS)'
        return info, None
    for fn in ('openblas_get_config', 'openblas_get_corename'):
        getattr(lib, fn).restype = ctypes.c_char_p
        info[fn.replace('openblas_get_', '')] = getattr(lib, fn)().decode()
    return info, lib


def set_blas_threads(lib, threads):
    if lib is not None:
        lib.openblas_set_num_threads(threads)


def numpy_peer():
    try:
        import numpy as np
    except ImportError:
        return {'missing': 'numpy is not installed (apt-get install -y python3-numpy)'}
    np.ones((64, 64), dtype=np.float32) @ np.ones((64, 64), dtype=np.float32)  # loads the BLAS
    info, lib = blas()
    out = {'version': np.__version__, 'blas': info, 'threads': {}}
    for threads in SPEC['threads']:
        set_blas_threads(lib, threads)
        res = {}
        for m, k, n in SPEC['matmul']:
            a = arr(f'mm_a_{m}_{k}_{n}.f32', np.float32)
            b = arr(f'mm_b_{m}_{k}_{n}.f32', np.float32)
            for variant in ('plain', 'tA', 'tB'):
                A = a.reshape(k, m).T if variant == 'tA' else a.reshape(m, k)
                B = b.reshape(n, k).T if variant == 'tB' else b.reshape(k, n)
                res[f'{m}x{k}x{n} {variant}'] = statistics.median(time_runs(lambda: A @ B))
        out['threads'][str(threads)] = res
    return out


def torch_peer():
    try:
        import numpy as np
        import torch
        import torch.nn.functional as F
    except ImportError:
        return {'missing': 'PyTorch is not installed (apt-get install -y python3-torch)'}
    out = {'version': torch.__version__, 'threads': {}}
    train = SPEC['train']
    trainX = torch.from_numpy(arr('train_x.f32', np.float32).reshape(-1, 784).copy())
    trainY = torch.from_numpy(arr('train_y.i32', np.int32).astype(np.int64))
    testX = torch.from_numpy(arr('test_x.f32', np.float32).reshape(-1, 784).copy())
    testY = torch.from_numpy(arr('test_y.i32', np.int32).astype(np.int64))

    def model(layers, act):
        mods = []
        for i, l in enumerate(layers):
            lin = torch.nn.Linear(l['in'], l['out'])
            with torch.no_grad():
                lin.weight.copy_(torch.from_numpy(arr(l['w'], np.float32).reshape(l['in'], l['out']).T.copy()))
                lin.bias.copy_(torch.from_numpy(arr(l['b'], np.float32).copy()))
            mods.append(lin)
            if i + 1 < len(layers):
                mods.append(torch.nn.ReLU() if act == 'relu' else torch.nn.Tanh())
        return torch.nn.Sequential(*mods)

    lib = blas()[1]
    for threads in SPEC['threads']:
        torch.set_num_threads(threads)
        set_blas_threads(lib, threads)
        res = {'matmul': {}, 'train': {}, 'inference': {}}
        for m, k, n in SPEC['matmul']:
            a = torch.from_numpy(arr(f'mm_a_{m}_{k}_{n}.f32', np.float32))
            b = torch.from_numpy(arr(f'mm_b_{m}_{k}_{n}.f32', np.float32))
            for variant in ('plain', 'tA', 'tB'):
                A = a.reshape(k, m).t() if variant == 'tA' else a.reshape(m, k)
                B = b.reshape(n, k).t() if variant == 'tB' else b.reshape(k, n)
                res['matmul'][f'{m}x{k}x{n} {variant}'] = statistics.median(time_runs(lambda: torch.mm(A, B)))
        for t in train:
            net = model(t['layers'], 'relu')
            opt = torch.optim.SGD(net.parameters(), lr=t['lr'])
            rates = []
            N = trainX.shape[0]
            for _ in range(t['epochs']):
                t0 = time.perf_counter()
                for s in range(0, N, t['batch']):
                    loss = F.cross_entropy(net(trainX[s:s + t['batch']]), trainY[s:s + t['batch']])
                    opt.zero_grad()
                    loss.backward()
                    opt.step()
                rates.append(N / (time.perf_counter() - t0))
            with torch.no_grad():
                acc = (net(testX).argmax(1) == testY).float().mean().item()
            res['train'][t['name']] = {'samplesPerSec': max(rates), 'accuracy': acc, 'epochs': t['epochs']}
        tiny = SPEC['tiny']
        net = model(tiny['layers'], 'tanh')
        opt = torch.optim.SGD(net.parameters(), lr=tiny['lr'])
        x = torch.from_numpy(arr('rings_x.f32', np.float32).reshape(-1, 2).copy())
        y = torch.from_numpy(arr('rings_y.f32', np.float32).reshape(-1, 1).copy())
        bs = tiny['batch']
        batches = [(x[s:s + bs], y[s:s + bs]) for s in range(0, x.shape[0], bs)]
        rates = []
        t0 = time.perf_counter()
        for i in range(tiny['steps']):
            xb, yb = batches[i % len(batches)]
            loss = F.binary_cross_entropy_with_logits(net(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if (i + 1) % 200 == 0:
                t1 = time.perf_counter()
                rates.append(200 / (t1 - t0))
                t0 = t1
        res['tiny'] = {'stepsPerSec': statistics.median(rates), 'finalLoss': loss.item()}
        net = model(SPEC['inferenceLayers'], 'relu')
        for batch in SPEC['inference']:
            xb = testX[:batch]
            with torch.no_grad():
                res['inference'][str(batch)] = statistics.median(time_runs(lambda: net(xb), 0.3, 20, 2000))
        out['threads'][str(threads)] = res
    return out


def torch_cnn_peer():
    """The conv table and CNN training (SPEC['suite'] == 'cnn'). run.ts starts this with
    OMP_WAIT_POLICY=PASSIVE, so that the 2-thread figures are not spent spinning."""
    try:
        import numpy as np
        import torch
        import torch.nn.functional as F
    except ImportError:
        return {'missing': 'PyTorch is not installed (apt-get install -y python3-torch)'}
    torch.ones(64, 64) @ torch.ones(64, 64)  # loads the BLAS
    info, lib = blas()
    out = {'version': torch.__version__, 'blas': info, 'mkldnn': torch.backends.mkldnn.is_available(), 'threads': {}}
    nn = torch.nn
    for threads in SPEC['threads']:
        torch.set_num_threads(threads)
        set_blas_threads(lib, threads)
        res = {'conv': {}, 'convFwd': {}}
        for c in SPEC['conv']:
            x = torch.from_numpy(arr(c['x'], np.float32).reshape(c['n'], c['c'], c['h'], c['w']).copy()).requires_grad_()
            w = torch.from_numpy(arr(c['wt'], np.float32).reshape(c['out'], c['c'] // c['groups'], c['k'], c['k']).copy()).requires_grad_()
            b = torch.from_numpy(arr(c['b'], np.float32).copy()).requires_grad_()

            def conv():
                return F.conv2d(x, w, b, stride=c['stride'], padding=c['pad'], groups=c['groups'])

            def fwdbwd():
                x.grad = w.grad = b.grad = None
                conv().sum().backward()

            def fwd():
                with torch.no_grad():
                    conv()
            res['conv'][c['label']] = statistics.median(time_runs(fwdbwd))
            res['convFwd'][c['label']] = statistics.median(time_runs(fwd))
        spec = SPEC.get('cnn')
        if spec:
            trainX = torch.from_numpy(arr('train_x.f32', np.float32).reshape(-1, 1, 28, 28).copy())
            trainY = torch.from_numpy(arr('train_y.i32', np.int32).astype(np.int64))
            torch.manual_seed(0)
            net = nn.Sequential(
                nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
                nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
                nn.Dropout(0.25), nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10))
            net.train()
            opt = torch.optim.Adam(net.parameters(), lr=spec['lr'])
            bs = spec['batch']
            per_epoch = trainX.shape[0] // bs

            def step(i):
                s = (i % per_epoch) * bs
                loss = F.cross_entropy(net(trainX[s:s + bs]), trainY[s:s + bs])
                opt.zero_grad()
                loss.backward()
                opt.step()
                return loss
            for i in range(spec['warmup']):
                step(i)
            rates = []
            last = float('nan')
            i = 0
            while i < spec['steps']:
                n = min(spec['chunk'], spec['steps'] - i)
                t0 = time.perf_counter()
                for j in range(n):
                    loss = step(spec['warmup'] + i + j)
                rates.append(n * bs / (time.perf_counter() - t0))
                last = loss.item()
                i += n
            res['cnn'] = {'samplesPerSec': statistics.median(rates), 'finalLoss': last, 'steps': spec['steps']}
        out['threads'][str(threads)] = res
    return out


ENV = {k: os.environ.get(k) for k in ('OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE', 'OMP_WAIT_POLICY')}
if SPEC.get('suite') == 'cnn':
    print(json.dumps({'torch': torch_cnn_peer(), 'env': ENV}))
else:
    print(json.dumps({'numpy': numpy_peer(), 'torch': torch_peer(), 'env': ENV}))
