#!/usr/bin/env python3
"""PyTorch twin of `nabla train --data addition`: the same task encoding (minGPT's adder: a's and b's
digits, then the sum's digits least significant first, loss on the answer digits), the same model
(token + position embeddings, pre-norm blocks of torch.nn.MultiheadAttention and a 4x GELU MLP,
final LayerNorm, a bias-free head; GPT-2 initialisation) and recipe (AdamW 1e-3, weight decay 0.1,
batch 64, clip 1). Prints steps/s, tokens/s and the exact match on held-out sums after each
--report steps. Run: /usr/bin/python3 bench/gpt_addition.py --digits 3 --steps 1000 --threads 1
"""
import argparse
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


def tokens(a, b, n):
    return [int(c) for c in f'{a:0{n}d}{b:0{n}d}'] + [int(c) for c in f'{a + b:0{n + 1}d}'][::-1]


def batch(pairs, n):
    base = 10 ** n
    seqs = torch.tensor([tokens(p // base, p % base, n) for p in pairs])
    x, y = seqs[:, :-1], seqs[:, 1:].clone()
    y[:, :2 * n - 1] = -1
    return x, y


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--digits', type=int, default=3)
    ap.add_argument('--steps', type=int, default=1000)
    ap.add_argument('--report', type=int, default=250)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--seed', type=int, default=0)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = random.Random(a.seed)
    n, pairs = a.digits, 10 ** (2 * a.digits)
    held = set()
    while len(held) < min(1000, pairs // 5):
        held.add(rng.randrange(pairs))
    test_x, test_y = batch(sorted(held), n)
    model = GPT(10, 3 * n, 128, 2, 4)
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
            print(f'step {step}  loss {loss.item():.4f}  exact match {100 * ok:.2f}%  {step / seconds:.1f} steps/s  {step * 64 * 3 * n / seconds:.0f} tokens/s (threads {a.threads}, torch {torch.__version__})', flush=True)


if __name__ == '__main__':
    main()
