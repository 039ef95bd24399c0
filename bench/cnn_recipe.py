"""PyTorch trains what `nabla train --data mnist --model cnn` trains, on the same split, so the
CLI's test accuracy has a reference (issue 10). Run by bench/cnn-recipe.ts, which writes the
split and passes the recipe; prints one JSON line {"seed", "accuracy", "epochs", "seconds"} per seed.

The recipe: Unflatten → [(Conv2d 3×3 pad 1 → BatchNorm2d → ReLU) × convs → MaxPool2d 2] per channel
count (--channels, --convs) → Dropout(d) → Flatten → Linear(·, h) → ReLU [→ Dropout(head)] →
Linear(h, 10); Adam (AdamW with that decoupled decay when weightDecay > 0) with OneCycleLR (peak lr,
cosine, 30% warm-up, div 25, final div 1e4) stepped per batch; batch 64 (or --batch) shuffled each
epoch; every training image shifted by a whole-pixel (dx, dy) uniform in ±shift, zero fill;
cross-entropy; the final model scored on the 2,000 held-out digits in eval mode. The CLI's defaults:
channels 16,32, convs 2, 20 epochs (bench/cnn-recipe.ts's defaults)."""
import json
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

spec = json.load(open(sys.argv[1] + '/spec.json'))
arr = lambda name, dt: np.fromfile(f"{sys.argv[1]}/{name}", dtype=dt)
trainX = torch.from_numpy(arr('train_x.f32', np.float32).reshape(-1, 1, 28, 28).copy())
trainY = torch.from_numpy(arr('train_y.i32', np.int32).astype(np.int64))
testX = torch.from_numpy(arr('test_x.f32', np.float32).reshape(-1, 1, 28, 28).copy())
testY = torch.from_numpy(arr('test_y.i32', np.int32).astype(np.int64))
torch.set_num_threads(spec.get('threads', 1))


def shifted(x, g, m):
    if m == 0:
        return x
    out = torch.zeros_like(x)
    d = torch.randint(-m, m + 1, (x.shape[0], 2), generator=g)
    for i in range(x.shape[0]):
        dx, dy = int(d[i, 0]), int(d[i, 1])
        h, w = x.shape[2], x.shape[3]
        out[i, :, max(0, dy):h + min(0, dy), max(0, dx):w + min(0, dx)] = x[i, :, max(0, -dy):h - max(0, dy), max(0, -dx):w - max(0, dx)]
    return out


for seed in spec['seeds']:
    t0 = time.time()
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    head = [nn.Dropout(spec['headDropout'])] if spec['headDropout'] > 0 else []
    blocks, c, side = [], 1, 28
    for out in spec['channels']:
        for k in range(spec.get('convs', 1)):
            blocks += [nn.Conv2d(c if k == 0 else out, out, 3, padding=1), nn.BatchNorm2d(out), nn.ReLU()]
        blocks += [nn.MaxPool2d(2)]
        c, side = out, side // 2
    net = nn.Sequential(
        *blocks, nn.Dropout(spec['dropout']), nn.Flatten(), nn.Linear(c * side * side, spec['hidden']), nn.ReLU(), *head,
        nn.Linear(spec['hidden'], 10))
    bs = spec['batch']
    steps = spec['epochs'] * ((trainX.shape[0] + bs - 1) // bs)
    wd = spec.get('weightDecay', 0)
    opt = torch.optim.AdamW(net.parameters(), lr=spec['lr'], weight_decay=wd) if wd > 0 else torch.optim.Adam(net.parameters(), lr=spec['lr'])
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=spec['lr'], total_steps=steps)
    for epoch in range(spec['epochs']):
        net.train()
        order = torch.randperm(trainX.shape[0], generator=g)
        for s in range(0, trainX.shape[0], bs):
            idx = order[s:s + bs]
            loss = F.cross_entropy(net(shifted(trainX[idx], g, spec['shift'])), trainY[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
    net.eval()
    with torch.no_grad():
        acc = (net(testX).argmax(1) == testY).float().mean().item()
    print(json.dumps({'seed': seed, 'accuracy': acc, 'epochs': spec['epochs'], 'seconds': round(time.time() - t0, 1)}), flush=True)
