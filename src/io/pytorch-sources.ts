// The Python that `nabla export --format pytorch` writes (io/pytorch.ts puts model.py together
// from these parts and the model's layers). It needs torch ≥ 1.13 and nothing else: torch 1.13
// reads safetensors only through the `safetensors` package, so model.py carries a small reader
// (struct + json + torch.frombuffer) and writer (ctypes.string_at over the tensor's memory).

/** model.py's imports and its safetensors reader and writer. */
export const SAFETENSORS_PY = `import ctypes
import json
import math
import os
import struct
import sys

import torch
import torch.nn.functional as F
from torch import nn

if sys.byteorder != 'little':
    raise RuntimeError('model.py reads and writes safetensors (little-endian) on little-endian machines only')

_DTYPES = {'F32': torch.float32, 'F64': torch.float64, 'I64': torch.int64}
_DTYPE_NAMES = {dtype: name for name, dtype in _DTYPES.items()}


def read_safetensors(path):
    """The tensors (by name) and the __metadata__ (str -> str) of a safetensors file."""
    with open(path, 'rb') as f:
        data = f.read()
    if len(data) < 8:
        raise ValueError(f'{path}: not a safetensors file ({len(data)} bytes)')
    (size,) = struct.unpack('<Q', data[:8])
    if 8 + size > len(data):
        raise ValueError(f'{path}: header of {size} bytes in a file of {len(data)}')
    header = json.loads(data[8:8 + size])
    metadata = header.pop('__metadata__', {})
    body = 8 + size
    tensors = {}
    for name, entry in header.items():
        if entry['dtype'] not in _DTYPES:
            raise ValueError(f"{path}: tensor {name}: dtype {entry['dtype']} (this reader takes {', '.join(_DTYPES)})")
        dtype = _DTYPES[entry['dtype']]
        start, end = entry['data_offsets']
        raw = bytearray(data[body + start:body + end])
        flat = torch.frombuffer(raw, dtype=dtype) if raw else torch.empty(0, dtype=dtype)
        tensors[name] = flat.reshape(entry['shape'])
    return tensors, metadata


def write_safetensors(path, tensors, metadata):
    """Writes tensors (by name) and metadata (str -> str) as safetensors, atomically: a temp file
    beside path, fsync, rename."""
    header, blobs, offset = {'__metadata__': metadata}, [], 0
    for name, t in tensors.items():
        t = t.detach().cpu().contiguous()
        if t.dtype not in _DTYPE_NAMES:
            raise ValueError(f'{path}: tensor {name}: dtype {t.dtype} (this writer takes float32, float64, int64)')
        blob = ctypes.string_at(t.data_ptr(), t.numel() * t.element_size())
        header[name] = {'dtype': _DTYPE_NAMES[t.dtype], 'shape': list(t.shape), 'data_offsets': [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header).encode()
    text += b' ' * (-len(text) % 8)
    tmp = f'{path}.{os.getpid()}.tmp'
    with open(tmp, 'wb') as f:
        f.write(struct.pack('<Q', len(text)) + text)
        for blob in blobs:
            f.write(blob)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
`;

/** model.py's load and save, after build(). */
export const LOAD_SAVE_PY = `

def load(path='model.safetensors', device='cpu'):
    """build() with the weights of path (PyTorch's layout, as nabla export writes them), and the
    file's metadata (nabla's architecture and the model's own data), to hand back to save()."""
    tensors, metadata = read_safetensors(path)
    if metadata.get('nabla.layout') != 'torch':
        raise ValueError(f"{path}: weights in layout {metadata.get('nabla.layout')!r}, not 'torch' (nabla export --format pytorch writes them)")
    model = build()
    model.load_state_dict(tensors, strict=True)
    return model.to(device), metadata


def save(model, path, metadata):
    """Writes model's weights to path in the format load() reads, with the metadata load() gave:
    nabla's load() and \`nabla predict --model DIR\` read the file."""
    write_safetensors(path, model.state_dict(), metadata)
`;

/**
 * nabla's GPT (nn/layers/gpt.ts, nn/transformer.ts) as torch modules with nabla's parameter
 * names: pre-norm blocks, LayerNorms at eps 1e-5, one in-projection [3E, E] for q, k, v, causal
 * attention with dropout on its weights, a 4E MLP with exact or tanh GELU, dropout after the
 * embeddings and each residual branch, and a bias-free head [V, E] or the token embedding (tied).
 */
export const GPT_PY = `

class Attention(nn.Module):
    """Causal self-attention: q, k, v = inProj(x) split in three, heads of E/H, softmax(q kᵀ/√d) v."""

    def __init__(self, embed_dim, num_heads, dropout):
        super().__init__()
        self.num_heads, self.dropout = num_heads, dropout
        self.inProj = nn.Linear(embed_dim, 3 * embed_dim)
        self.outProj = nn.Linear(embed_dim, embed_dim)

    def forward(self, x):
        n, t, e = x.shape
        d = e // self.num_heads
        q, k, v = (p.reshape(n, t, self.num_heads, d).transpose(1, 2) for p in self.inProj(x).split(e, -1))
        causal = torch.ones(t, t, dtype=torch.bool, device=x.device).triu(1)
        scores = (q @ k.transpose(-2, -1) / math.sqrt(d)).masked_fill(causal, float('-inf'))
        weights = F.dropout(scores.softmax(-1), self.dropout, self.training)
        return self.outProj((weights @ v).transpose(1, 2).reshape(n, t, e))


class Block(nn.Module):
    """x + attn(ln1(x)), then + proj(gelu(fc(ln2(x)))), each branch through dropout."""

    def __init__(self, embed_dim, num_heads, dropout, gelu):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(embed_dim, eps=1e-5), nn.LayerNorm(embed_dim, eps=1e-5)
        self.attn = Attention(embed_dim, num_heads, dropout)
        self.fc, self.proj = nn.Linear(embed_dim, 4 * embed_dim), nn.Linear(4 * embed_dim, embed_dim)
        self.drop = nn.Dropout(dropout)
        self.approximate = 'tanh' if gelu == 'tanh' else 'none'

    def forward(self, x):
        x = x + self.drop(self.attn(self.ln1(x)))
        return x + self.drop(self.proj(F.gelu(self.fc(self.ln2(x)), approximate=self.approximate)))


class GPT(nn.Module):
    """tokens [N, T] (integers, or floats holding them) -> logits [N, T, vocab_size]."""

    def __init__(self, vocab_size, context_length, embed_dim, num_layers, num_heads, dropout, tied_head, gelu):
        super().__init__()
        self.tokens = nn.Embedding(vocab_size, embed_dim)
        self.positions = nn.Embedding(context_length, embed_dim)
        self.drop = nn.Dropout(dropout)
        self.blocks = nn.ModuleList(Block(embed_dim, num_heads, dropout, gelu) for _ in range(num_layers))
        self.lnF = nn.LayerNorm(embed_dim, eps=1e-5)
        self.register_parameter('head', None if tied_head else nn.Parameter(torch.zeros(vocab_size, embed_dim)))

    def forward(self, tokens):
        tokens = tokens.long()
        positions = torch.arange(tokens.shape[1], device=tokens.device)
        x = self.drop(self.tokens(tokens) + self.positions(positions))
        for block in self.blocks:
            x = block(x)
        x = self.lnF(x)
        return x @ (self.tokens.weight if self.head is None else self.head).t()
`;

/** train_ddp.py, whole. */
export const TRAIN_DDP_PY = `"""Continues training the network of model.py with PyTorch's DistributedDataParallel: one process
per GPU (NCCL) or, without GPUs, per CPU process (gloo), started by torchrun:

    torchrun --standalone --nproc_per_node 2 train_ddp.py --data data.safetensors --steps 1000

--data is a safetensors file of two tensors: \`inputs\`, as the network takes them (feature rows as
nabla fed them, images as flat rows for nabla's CNN, token ids [N, T] for a GPT), and \`targets\`
(class indices, regression targets [N, outputs], or next tokens [N, T]). Every process trains on
its share of each epoch (DistributedSampler) and DDP averages the gradients; the loss follows the
model (cross-entropy for a classifier and a GPT, mean squared error for a regressor, or --loss).
At the end rank 0 writes the weights to --out in the format it read: nabla's load() and
\`nabla predict --model DIR\` read it.
"""
import argparse
import json
import os

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.data.distributed import DistributedSampler

import model as exported  # model.py, beside this file

HERE = os.path.dirname(os.path.abspath(__file__))


def loss_kind(metadata, asked):
    """'cross-entropy', 'mse' or 'tokens' (a GPT's cross-entropy over every position)."""
    layers = json.loads(metadata.get('nabla.architecture', '{}')).get('layers', [])
    if len(layers) == 1 and layers[0].get('type') == 'GPT':
        return 'tokens'
    if asked:
        return asked
    task = json.loads(metadata.get('nabla.metadata', '{}')).get('input', {}).get('task')
    if task in ('classification', 'regression'):
        return 'cross-entropy' if task == 'classification' else 'mse'
    raise SystemExit('train_ddp.py: the model file records no task; pass --loss cross-entropy or --loss mse')


def loss_of(kind, out, targets):
    if kind == 'mse':
        return F.mse_loss(out, targets.to(out.dtype).reshape(out.shape))
    if kind == 'tokens':
        return F.cross_entropy(out.reshape(-1, out.shape[-1]), targets.reshape(-1).long())
    return F.cross_entropy(out, targets.long())


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--data', required=True, help='a safetensors file of inputs and targets')
    parser.add_argument('--weights', default=os.path.join(HERE, 'model.safetensors'), help='the weights to start from')
    parser.add_argument('--out', help='where rank 0 writes the trained weights (default: --weights, replaced atomically)')
    parser.add_argument('--steps', type=int, default=100, help='optimizer steps (default 100)')
    parser.add_argument('--batch-size', type=int, default=32, help='rows per process and step (default 32)')
    parser.add_argument('--lr', type=float, default=1e-3, help='Adam learning rate (default 1e-3)')
    parser.add_argument('--loss', choices=['cross-entropy', 'mse'], help="default: the model's task")
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--log-every', type=int, default=10, help='print the loss every N steps (rank 0)')
    args = parser.parse_args()

    cuda = torch.cuda.is_available()
    dist.init_process_group('nccl' if cuda else 'gloo')
    rank = dist.get_rank()
    local = int(os.environ.get('LOCAL_RANK', '0'))
    device = torch.device('cuda', local) if cuda else torch.device('cpu')
    if cuda:
        torch.cuda.set_device(device)
    torch.manual_seed(args.seed + rank)  # dropout masks differ per process; DDP copies rank 0's weights

    net, metadata = exported.load(args.weights, device)
    kind = loss_kind(metadata, args.loss)
    model = DistributedDataParallel(net.train(), device_ids=[local] if cuda else None)
    tensors, _ = exported.read_safetensors(args.data)
    for name in ('inputs', 'targets'):
        if name not in tensors:
            raise SystemExit(f'train_ddp.py: {args.data} has no tensor {name!r} (it has {sorted(tensors)})')
    inputs, targets = tensors['inputs'], tensors['targets']
    if len(inputs) == 0 or len(inputs) != len(targets):
        raise SystemExit(f'train_ddp.py: {args.data}: {len(inputs)} inputs and {len(targets)} targets')
    if inputs.is_floating_point():
        inputs = inputs.to(next(net.parameters()).dtype)
    data = TensorDataset(inputs, targets)
    sampler = DistributedSampler(data, shuffle=True, seed=args.seed)
    loader = DataLoader(data, batch_size=args.batch_size, sampler=sampler)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)

    step, epoch = 0, 0
    while step < args.steps:
        sampler.set_epoch(epoch)
        for x, y in loader:
            loss = loss_of(kind, model(x.to(device)), y.to(device))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            step += 1
            if rank == 0 and (step % args.log_every == 0 or step == args.steps):
                print(f'step {step}  loss {loss.item():.6f}', flush=True)
            if step == args.steps:
                break
        epoch += 1

    if rank == 0:
        out = args.out or args.weights
        exported.save(net, out, metadata)
        print(f'wrote {out}', flush=True)
    dist.barrier()
    dist.destroy_process_group()


if __name__ == '__main__':
    main()
`;
