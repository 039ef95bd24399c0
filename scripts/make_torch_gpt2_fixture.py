#!/usr/bin/env python3
"""A tiny GPT-2-shaped model written as Hugging Face writes GPT-2 (safetensors, GPT-2's tensor names
with the `transformer.` prefix, Conv1D weights [in, out], the attn.bias mask buffers), and its
logits for a batch of tokens: test/fixtures/gpt2-tiny.safetensors and gpt2-tiny.json.

The forward pass is GPT-2's (Hugging Face's modeling_gpt2 math): token + position embeddings;
per block x + attn(ln_1(x)) and x + mlp(ln_2(x)) with causal softmax(q·kᵀ/√d)·v, GELU in its tanh
form; ln_f; logits = x·wteᵀ (the tied head). Run: /usr/bin/python3 scripts/make_torch_gpt2_fixture.py
"""
import json
import math
import os
import struct

import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures')
V, C, E, H, L = 37, 12, 32, 4, 2

g = torch.Generator().manual_seed(2024)
def rand(*shape, std=0.2):
    return torch.randn(*shape, generator=g, dtype=torch.float32) * std

w = {'wte.weight': rand(V, E, std=0.5), 'wpe.weight': rand(C, E, std=0.5)}
for i in range(L):
    p = f'h.{i}.'
    w[p + 'ln_1.weight'] = 1 + rand(E, std=0.1)
    w[p + 'ln_1.bias'] = rand(E, std=0.1)
    w[p + 'attn.c_attn.weight'] = rand(E, 3 * E)
    w[p + 'attn.c_attn.bias'] = rand(3 * E, std=0.1)
    w[p + 'attn.c_proj.weight'] = rand(E, E)
    w[p + 'attn.c_proj.bias'] = rand(E, std=0.1)
    w[p + 'ln_2.weight'] = 1 + rand(E, std=0.1)
    w[p + 'ln_2.bias'] = rand(E, std=0.1)
    w[p + 'mlp.c_fc.weight'] = rand(E, 4 * E)
    w[p + 'mlp.c_fc.bias'] = rand(4 * E, std=0.1)
    w[p + 'mlp.c_proj.weight'] = rand(4 * E, E)
    w[p + 'mlp.c_proj.bias'] = rand(E, std=0.1)
w['ln_f.weight'] = 1 + rand(E, std=0.1)
w['ln_f.bias'] = rand(E, std=0.1)


def forward(tokens):
    n, t = tokens.shape
    x = w['wte.weight'][tokens] + w['wpe.weight'][:t]
    mask = torch.ones(t, t, dtype=torch.bool).tril()
    for i in range(L):
        p = f'h.{i}.'
        h = F.layer_norm(x, (E,), w[p + 'ln_1.weight'], w[p + 'ln_1.bias'], 1e-5)
        q, k, v = (h @ w[p + 'attn.c_attn.weight'] + w[p + 'attn.c_attn.bias']).split(E, -1)
        heads = lambda z: z.view(n, t, H, E // H).transpose(1, 2)
        s = (heads(q) @ heads(k).transpose(-2, -1)) / math.sqrt(E // H)
        a = torch.softmax(s.masked_fill(~mask, float('-inf')), -1) @ heads(v)
        x = x + a.transpose(1, 2).reshape(n, t, E) @ w[p + 'attn.c_proj.weight'] + w[p + 'attn.c_proj.bias']
        h = F.layer_norm(x, (E,), w[p + 'ln_2.weight'], w[p + 'ln_2.bias'], 1e-5)
        m = F.gelu(h @ w[p + 'mlp.c_fc.weight'] + w[p + 'mlp.c_fc.bias'], approximate='tanh')
        x = x + m @ w[p + 'mlp.c_proj.weight'] + w[p + 'mlp.c_proj.bias']
    x = F.layer_norm(x, (E,), w['ln_f.weight'], w['ln_f.bias'], 1e-5)
    return x @ w['wte.weight'].T


def write_safetensors(path, tensors, metadata):
    header, blobs, offset = {'__metadata__': metadata}, [], 0
    for name, t in tensors.items():
        raw = t.contiguous().numpy().tobytes()
        header[name] = {'dtype': 'F32', 'shape': list(t.shape), 'data_offsets': [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b' ' * (-len(text) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)) + text + b''.join(blobs))


tokens = torch.tensor([[3, 1, 4, 1, 5, 9, 2, 6], [36, 0, 0, 7, 7, 1, 2, 3]])
logits = forward(tokens)
files = {f'transformer.{k}': v for k, v in w.items()}
for i in range(L):  # the causal-mask buffers Hugging Face stores with each block
    files[f'transformer.h.{i}.attn.bias'] = torch.ones(1, 1, C, C).tril()
write_safetensors(os.path.join(OUT, 'gpt2-tiny.safetensors'), files, {'format': 'pt'})
with open(os.path.join(OUT, 'gpt2-tiny.json'), 'w') as f:
    json.dump({'config': {'vocabSize': V, 'contextLength': C, 'embedDim': E, 'numHeads': H, 'numLayers': L},
               'tokens': tokens.tolist(), 'logits': logits.reshape(-1).tolist()}, f)
print('wrote test/fixtures/gpt2-tiny.safetensors and gpt2-tiny.json')
