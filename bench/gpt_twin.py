#!/usr/bin/env python3
"""PyTorch twin of nabla's GPT training: the same model (token + position embeddings, pre-norm
blocks of torch.nn.MultiheadAttention and a 4x GELU MLP, final LayerNorm, a bias-free head;
GPT-2 initialisation) and recipe (AdamW, weight decay 0.1, clip 1), on either task:

  addition  `nabla train --data addition`: minGPT's adder encoding (a's and b's digits, then the
            sum's digits least significant first, loss on the answer digits), batch 64, lr 1e-3;
            prints the exact match on held-out sums every --report steps.
            /usr/bin/python3 bench/gpt_twin.py addition --digits 3 --steps 1000 --threads 1
  text      `nabla train --data FILE --model gpt`: characters (vocabulary sorted by code point),
            windows of --context at stride --context, the last tenth validates, batch 32, lr 1e-3;
            prints the validation loss after --epochs passes over the shuffled windows.
            /usr/bin/python3 bench/gpt_twin.py text FILE --context 128 --layers 4 --epochs 1
            With --model lstm, `nabla train --data FILE --model lstm`'s character LSTM (CharLSTM
            below) on the same data and recipe (bench/RESULTS-lstm.md):
            /usr/bin/python3 bench/gpt_twin.py text FILE --model lstm --context 64 --layers 2 --dim 256
  speed     training tokens/s on random tokens, as JSON (bench/gpt.ts and, with --model lstm,
            bench/lstm.ts run it)
"""
import argparse
import json
import math
import random
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, e, h):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(e), nn.LayerNorm(e)
        self.attn = nn.MultiheadAttention(e, h, batch_first=True)
        self.fc, self.proj = nn.Linear(e, 4 * e), nn.Linear(4 * e, e)

    def forward(self, x, mask):
        h = self.ln1(x)
        x = x + self.attn(h, h, h, attn_mask=mask, need_weights=False)[0]
        return x + self.proj(F.gelu(self.fc(self.ln2(x))))


class GPT(nn.Module):
    def __init__(self, vocab, context, e, layers, heads):
        super().__init__()
        self.tok, self.pos = nn.Embedding(vocab, e), nn.Embedding(context, e)
        self.blocks = nn.ModuleList(Block(e, heads) for _ in range(layers))
        self.ln_f, self.head = nn.LayerNorm(e), nn.Linear(e, vocab, bias=False)
        for name, p in self.named_parameters():
            if name.endswith('bias'):
                nn.init.zeros_(p)
            elif 'ln' not in name:
                std = 0.02 / math.sqrt(2 * layers) if name.endswith(('out_proj.weight', 'proj.weight')) else 0.02
                nn.init.normal_(p, 0, std)

    def forward(self, idx):
        t = idx.shape[1]
        mask = torch.ones(t, t, dtype=torch.bool).triu(1)
        x = self.tok(idx) + self.pos(torch.arange(t))
        for b in self.blocks:
            x = b(x, mask)
        return self.head(self.ln_f(x))


class CharLSTM(nn.Module):
    """nabla's --model lstm: Embedding(vocab, dim) -> LSTM(dim, dim, layers, batch_first) -> Linear(dim, vocab).
    The embedding (N(0, 1)) and the LSTM (U(-1/sqrt(dim), 1/sqrt(dim))) start as torch's defaults,
    which nabla's nn.Embedding and nn.LSTM share; nabla's nn.Linear starts He-uniform with a zero
    bias where torch's starts U(-1/sqrt(in), 1/sqrt(in)), so the head is re-drawn as nabla's."""

    def __init__(self, vocab, dim, layers):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim)
        self.lstm = nn.LSTM(dim, dim, layers, batch_first=True)
        self.head = nn.Linear(dim, vocab)
        nn.init.kaiming_uniform_(self.head.weight, nonlinearity='relu')
        nn.init.zeros_(self.head.bias)

    def forward(self, idx):
        return self.head(self.lstm(self.emb(idx))[0])


def make_model(a, vocab):
    if a.model == 'lstm':
        return CharLSTM(vocab, a.dim, a.layers)
    return GPT(vocab, a.context, a.dim, a.layers, a.heads)


def tokens(a, b, n):
    return [int(c) for c in f'{a:0{n}d}{b:0{n}d}'] + [int(c) for c in f'{a + b:0{n + 1}d}'][::-1]


def batch(pairs, n):
    base = 10 ** n
    seqs = torch.tensor([tokens(p // base, p % base, n) for p in pairs])
    x, y = seqs[:, :-1], seqs[:, 1:].clone()
    y[:, :2 * n - 1] = -1
    return x, y


def addition(a):
    rng = random.Random(a.seed)
    n, pairs = a.digits, 10 ** (2 * a.digits)
    held = set()
    while len(held) < min(1000, pairs // 5):
        held.add(rng.randrange(pairs))
    test_x, test_y = batch(sorted(held), n)
    model = GPT(10, 3 * n, a.dim, a.layers, a.heads)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.1)
    start = time.perf_counter()
    for step in range(1, a.steps + 1):
        chosen = []
        while len(chosen) < 64:
            p = rng.randrange(pairs)
            if p not in held:
                chosen.append(p)
        x, y = batch(chosen, n)
        loss = F.cross_entropy(model(x).reshape(-1, 10), y.reshape(-1), ignore_index=-1)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if step % a.report == 0 or step == a.steps:
            seconds = time.perf_counter() - start
            with torch.no_grad():
                pred = model(test_x).argmax(-1)
                ok = ((pred == test_y) | (test_y == -1)).all(-1).float().mean().item()
            print(f'step {step}  loss {loss.item():.4f}  exact match {100 * ok:.2f}%  {step / seconds:.1f} steps/s  '
                  f'{step * 64 * 3 * n / seconds:.0f} tokens/s (threads {a.threads}, torch {torch.__version__})', flush=True)


def windows(ids, t):
    starts = range(0, len(ids) - t, t)
    return torch.stack([ids[s:s + t] for s in starts]), torch.stack([ids[s + 1:s + t + 1] for s in starts])


def text(a):
    with open(a.file, encoding='utf-8') as f:
        data = f.read()
    chars = sorted(set(data))
    index = {c: i for i, c in enumerate(chars)}
    ids = torch.tensor([index[c] for c in data])
    cut = int(len(ids) * 0.9)
    train_x, train_y = windows(ids[:cut], a.context)
    val_x, val_y = windows(ids[cut:], a.context)
    model = make_model(a, len(chars))
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=0.1)
    start, steps = time.perf_counter(), 0
    for epoch in range(a.epochs):
        order, total = torch.randperm(len(train_x)), 0.0
        for i in range(0, len(order), 32):
            idx = order[i:i + 32]
            loss = F.cross_entropy(model(train_x[idx]).reshape(-1, len(chars)), train_y[idx].reshape(-1))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            steps += 1
            total += loss.item() * len(idx)
        seconds = time.perf_counter() - start
        with torch.no_grad():
            val = sum(F.cross_entropy(model(val_x[i:i + 32]).reshape(-1, len(chars)), val_y[i:i + 32].reshape(-1), reduction='sum').item()
                      for i in range(0, len(val_x), 32)) / val_y.numel()
        print(f'epoch {epoch + 1}  steps {steps}  loss {total / len(order):.4f}  val_loss {val:.4f}  {val / math.log(2):.3f} bits/char  '
              f'{steps * 32 * a.context / seconds:.0f} tokens/s (threads {a.threads}, torch {torch.__version__})', flush=True)


def speed(a):
    model = make_model(a, a.vocab)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.1)
    g = torch.Generator().manual_seed(7)
    data = [torch.randint(0, a.vocab, (a.batch, a.context + 1), generator=g) for _ in range(4)]
    times = []
    for i in range(a.steps + 2):
        seq = data[i % len(data)]
        start = time.perf_counter()
        loss = F.cross_entropy(model(seq[:, :-1]).reshape(-1, a.vocab), seq[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if i >= 2:
            times.append(time.perf_counter() - start)
    times.sort()
    print(json.dumps({'tokensPerSec': a.batch * a.context / times[len(times) // 2], 'torch': torch.__version__, 'threads': a.threads}))
    if a.profile:
        # The same steps under torch.profiler: self CPU time by op, for the table beside nabla's
        # `node --cpu-prof` shares (bench/RESULTS-native-maps.md).
        with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
            for i in range(a.steps):
                seq = data[i % len(data)]
                loss = F.cross_entropy(model(seq[:, :-1]).reshape(-1, a.vocab), seq[:, 1:].reshape(-1))
                opt.zero_grad(set_to_none=True)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                opt.step()
        print(prof.key_averages().table(sort_by='self_cpu_time_total', row_limit=25))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest='task', required=True)
    add = sub.add_parser('addition')
    add.add_argument('--digits', type=int, default=3)
    add.add_argument('--steps', type=int, default=1000)
    add.add_argument('--report', type=int, default=250)
    txt = sub.add_parser('text')
    txt.add_argument('file')
    txt.add_argument('--context', type=int, default=128)
    txt.add_argument('--epochs', type=int, default=1)
    spd = sub.add_parser('speed')
    spd.add_argument('--context', type=int, default=64)
    spd.add_argument('--batch', type=int, default=32)
    spd.add_argument('--vocab', type=int, default=65)
    spd.add_argument('--steps', type=int, default=8)
    spd.add_argument('--profile', action='store_true', help='also print torch.profiler\'s table of the steps')
    for p in (txt, spd):
        p.add_argument('--model', choices=('gpt', 'lstm'), default='gpt')
    txt.add_argument('--lr', type=float, default=1e-3)
    for p, layers in ((add, 2), (txt, 4), (spd, 4)):
        p.add_argument('--layers', type=int, default=layers)
        p.add_argument('--heads', type=int, default=4)
        p.add_argument('--dim', type=int, default=128)
        p.add_argument('--threads', type=int, default=1)
        p.add_argument('--seed', type=int, default=0)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    {'addition': addition, 'text': text, 'speed': speed}[a.task](a)


if __name__ == '__main__':
    main()
