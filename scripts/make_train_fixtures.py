# Reference values for the LR schedulers and gradient clipping, from PyTorch (Debian's
# python3-torch): run with /usr/bin/python3 scripts/make_train_fixtures.py; writes
# test/fixtures/train.json, which the tests read (CI needs no Python).
import json
import torch

def lrs(make, steps, metrics=None):
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=0.1)
    s = make(opt)
    out = [opt.param_groups[0]['lr']]
    for i in range(steps):
        opt.step()
        if metrics is None:
            s.step()
        else:
            s.step(metrics[i])
        out.append(opt.param_groups[0]['lr'])
    return out

S = torch.optim.lr_scheduler
plateau_metrics = [1.0, 0.9, 0.95, 0.95, 0.95, 0.95, 0.8, 0.85, 0.85, 0.85, 0.85, 0.85, 0.85, 0.85, 0.7]
fixtures = {
    'baseLr': 0.1,
    'StepLR': {'options': {'stepSize': 3, 'gamma': 0.5}, 'lrs': lrs(lambda o: S.StepLR(o, step_size=3, gamma=0.5), 10)},
    'ExponentialLR': {'options': {'gamma': 0.9}, 'lrs': lrs(lambda o: S.ExponentialLR(o, gamma=0.9), 10)},
    'CosineAnnealingLR': {'options': {'tMax': 5, 'etaMin': 0.01}, 'lrs': lrs(lambda o: S.CosineAnnealingLR(o, T_max=5, eta_min=0.01), 12)},
    'OneCycleLR': {
        'options': {'maxLr': 0.5, 'totalSteps': 20, 'pctStart': 0.3},
        'lrs': lrs(lambda o: S.OneCycleLR(o, max_lr=0.5, total_steps=20, pct_start=0.3, cycle_momentum=False), 20),
    },
    'OneCycleLR3': {
        'options': {'maxLr': 0.5, 'totalSteps': 17, 'pctStart': 0.25, 'annealStrategy': 'linear', 'threePhase': True},
        'lrs': lrs(lambda o: S.OneCycleLR(o, max_lr=0.5, total_steps=17, pct_start=0.25, anneal_strategy='linear', three_phase=True, cycle_momentum=False), 17),
    },
    'ReduceLROnPlateau': {
        'options': {'factor': 0.5, 'patience': 2, 'cooldown': 1},
        'metrics': plateau_metrics,
        'lrs': lrs(lambda o: S.ReduceLROnPlateau(o, factor=0.5, patience=2, cooldown=1), len(plateau_metrics), plateau_metrics),
    },
}

# clip_grad_norm_ over two parameters, clipping and not clipping.
torch.manual_seed(0)
grads = [torch.randn(3, 4, dtype=torch.float64), torch.randn(5, dtype=torch.float64)]
clip = []
for max_norm, norm_type in [(1.0, 2.0), (100.0, 2.0), (0.5, float('inf'))]:
    ps = [torch.nn.Parameter(torch.zeros_like(g)) for g in grads]
    for p, g in zip(ps, grads):
        p.grad = g.clone()
    total = torch.nn.utils.clip_grad_norm_(ps, max_norm, norm_type=norm_type)
    clip.append({'maxNorm': max_norm, 'normType': 'inf' if norm_type == float('inf') else norm_type, 'total': total.item(),
                 'clipped': [p.grad.flatten().tolist() for p in ps]})
fixtures['clip'] = {'grads': [g.flatten().tolist() for g in grads], 'shapes': [list(g.shape) for g in grads], 'cases': clip}

with open('test/fixtures/train.json', 'w') as f:
    json.dump(fixtures, f, indent=1)
print('wrote test/fixtures/train.json')
