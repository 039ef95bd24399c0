#!/usr/bin/env python3
"""PyTorch reference values for nabla's MultiheadAttention, written to test/fixtures/attention.json.

Run with Debian's python3-torch:  /usr/bin/python3 scripts/make_torch_attention_fixtures.py
Each case: torch.nn.MultiheadAttention(batch_first=True) with its own seeded weights, the inputs,
the mask, the output and the gradient of sum(output * upstream) for the inputs and every
parameter, in float64. Weights are in torch's layout (in_proj_weight [3E, E], out_proj.weight [E, E]).
"""
import json
import os
import zlib

import torch

OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'attention.json')

# (name, embed_dim, heads, batch, query length, key length, self-attention, mask kind)
CASES = [
    ('self, causal', 8, 2, 2, 5, 5, True, 'causal'),
    ('self, no mask, one head', 6, 1, 3, 4, 4, True, None),
    ('cross, boolean mask', 8, 4, 2, 3, 6, False, 'bool'),
    ('cross, float mask', 8, 2, 2, 4, 3, False, 'float'),
    ('self, causal, T = 1', 4, 2, 2, 1, 1, True, 'causal'),
    ('self, per-head boolean mask', 6, 3, 2, 3, 3, True, 'bool3d'),
]


def flat(t):
    return t.detach().reshape(-1).tolist()


def make(name, e, h, n, l, s, self_attn, mask_kind):
    g = torch.Generator().manual_seed(zlib.crc32(name.encode()))
    mha = torch.nn.MultiheadAttention(e, h, batch_first=True).double()
    with torch.no_grad():
        for p in mha.parameters():
            p.copy_(torch.randn(p.shape, generator=g, dtype=torch.float64) * 0.5)
    q = torch.randn(n, l, e, generator=g, dtype=torch.float64, requires_grad=True)
    if self_attn:
        k = v = q
    else:
        k = torch.randn(n, s, e, generator=g, dtype=torch.float64, requires_grad=True)
        v = torch.randn(n, s, e, generator=g, dtype=torch.float64, requires_grad=True)
    mask = None
    mask_json = None
    if mask_kind == 'causal':
        mask = torch.ones(l, s, dtype=torch.bool).triu(1)  # True = may not attend
    elif mask_kind == 'bool':
        mask = torch.rand(l, s, generator=g) < 0.3
        mask[:, 0] = False  # every query keeps a key
        mask_json = mask.tolist()
    elif mask_kind == 'bool3d':
        mask = torch.rand(n * h, l, s, generator=g) < 0.3
        mask[..., 0] = False
        mask_json = mask.tolist()
    elif mask_kind == 'float':
        mask = torch.randn(l, s, generator=g, dtype=torch.float64)
        mask_json = flat(mask)
    out, _ = mha(q, k, v, attn_mask=mask, need_weights=False)
    with torch.no_grad():
        # need_weights=True (torch's default): the attention weights, averaged over the heads or not.
        _, weights = mha(q, k, v, attn_mask=mask)
        _, head_weights = mha(q, k, v, attn_mask=mask, average_attn_weights=False)
    upstream = torch.randn(out.shape, generator=g, dtype=torch.float64)
    (out * upstream).sum().backward()
    inputs = [q] if self_attn else [q, k, v]
    return {
        'name': name, 'embedDim': e, 'numHeads': h, 'selfAttention': self_attn, 'mask': mask_kind, 'maskValues': mask_json,
        'inputs': [{'shape': list(t.shape), 'values': flat(t)} for t in inputs],
        'params': {k2: {'shape': list(p.shape), 'values': flat(p), 'grad': flat(p.grad)} for k2, p in mha.named_parameters()},
        'output': {'shape': list(out.shape), 'values': flat(out)},
        'weights': {'shape': list(weights.shape), 'values': flat(weights)},
        'headWeights': {'shape': list(head_weights.shape), 'values': flat(head_weights)},
        'upstream': flat(upstream),
        'grads': [flat(t.grad) for t in inputs],
    }


def main():
    cases = [make(*c) for c in CASES]
    with open(OUT, 'w') as f:
        json.dump({'torch': torch.__version__, 'cases': cases}, f)
    print(f'wrote {OUT}: {len(cases)} cases')


if __name__ == '__main__':
    main()
