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
import re
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

# The same model as a Hugging Face GPT-2 folder (test/fixtures/gpt2-tiny-hf): config.json,
# model.safetensors, and a byte-level BPE of 37 tokens in GPT-2's files (vocab.json, merges.txt)
# and in tokenizer.json. generate.json holds a prompt, its token ids by GPT-2's BPE (written out
# below, as openai's encoder.py does it) and torch's greedy continuation, decoded.
HF = os.path.join(OUT, 'gpt2-tiny-hf')
os.makedirs(HF, exist_ok=True)
ALPHABET = ['Ġ', 'a', 'b', 'c', 'd', 'e', 'g', 'h', 'i', 'l', 'n', 'o', 'r', 's', 't', 'u', 'w']  # 'Ġ' is the space byte
MERGES = [('t', 'h'), ('th', 'e'), ('Ġ', 't'), ('Ġ', 'th'), ('Ġth', 'e'), ('i', 'n'), ('a', 'n'), ('e', 'r'),
          ('o', 'n'), ('Ġ', 'a'), ('Ġ', 's'), ('r', 'e'), ('a', 't'), ('e', 'n'), ('Ġ', 'w'), ('o', 'r'),
          ('Ġ', 'c'), ('Ġa', 'n'), ('Ġan', 'd'), ('i', 's')]
vocab = {s: i for i, s in enumerate(ALPHABET + [a + b for a, b in MERGES])}
assert len(vocab) == V


def bpe(word):
    """GPT-2's merge loop: merge the pair of lowest rank until none is left."""
    ranks = {m: r for r, m in enumerate(MERGES)}
    parts = list(word)
    while len(parts) > 1:
        pairs = [(ranks.get((a, b), 1e9), k) for k, (a, b) in enumerate(zip(parts, parts[1:]))]
        rank, k = min(pairs)
        if rank == 1e9:
            break
        first, second = parts[k], parts[k + 1]
        out, j = [], 0
        while j < len(parts):  # every occurrence of the pair, left to right
            if j < len(parts) - 1 and parts[j] == first and parts[j + 1] == second:
                out.append(first + second)
                j += 2
            else:
                out.append(parts[j])
                j += 1
        parts = out
    return parts


def encode(text):
    words = re.findall(r' ?[a-z]+', text)  # GPT-2's pre-tokenizer on lowercase words and single spaces
    assert ''.join(words) == text
    return [vocab[p] for w in words for p in bpe(w.replace(' ', 'Ġ'))]


prompt = 'the cat and'
prompt_ids = encode(prompt)
ids = torch.tensor([prompt_ids])
with torch.no_grad():
    while ids.shape[1] < C:  # greedy, up to the context length
        ids = torch.cat([ids, forward(ids)[:, -1].argmax(-1, keepdim=True)], 1)
inverse = {i: s for s, i in vocab.items()}
text = ''.join(inverse[i] for i in ids[0].tolist()).replace('Ġ', ' ')
config = {'architectures': ['GPT2LMHeadModel'], 'model_type': 'gpt2', 'vocab_size': V, 'n_positions': C,
          'n_ctx': C, 'n_embd': E, 'n_layer': L, 'n_head': H, 'activation_function': 'gelu_new',
          'layer_norm_epsilon': 1e-5, 'tie_word_embeddings': True}
with open(os.path.join(HF, 'config.json'), 'w') as f:
    json.dump(config, f, indent=2)
write_safetensors(os.path.join(HF, 'model.safetensors'), files, {'format': 'pt'})
with open(os.path.join(HF, 'vocab.json'), 'w') as f:
    json.dump(vocab, f, ensure_ascii=False)
with open(os.path.join(HF, 'merges.txt'), 'w') as f:
    f.write('#version: 0.2\n' + ''.join(f'{a} {b}\n' for a, b in MERGES))
byte_level = {'type': 'ByteLevel', 'add_prefix_space': False, 'trim_offsets': True, 'use_regex': True}
with open(os.path.join(HF, 'tokenizer.json'), 'w') as f:
    json.dump({'version': '1.0', 'truncation': None, 'padding': None, 'added_tokens': [], 'normalizer': None,
               'pre_tokenizer': byte_level, 'post_processor': byte_level, 'decoder': byte_level,
               'model': {'type': 'BPE', 'dropout': None, 'unk_token': None, 'continuing_subword_prefix': '',
                         'end_of_word_suffix': '', 'fuse_unk': False, 'byte_fallback': False,
                         'vocab': vocab, 'merges': [f'{a} {b}' for a, b in MERGES]}}, f, ensure_ascii=False)
with open(os.path.join(HF, 'generate.json'), 'w') as f:
    json.dump({'prompt': prompt, 'promptIds': prompt_ids, 'ids': ids[0].tolist(), 'text': text}, f)
print('wrote test/fixtures/gpt2-tiny-hf/:', prompt_ids, ids[0].tolist(), repr(text))
