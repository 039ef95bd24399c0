# PyTorch's printing of tensors and modules, the reference for test/print.test.ts: each case's
# float32 values (exact, as Python floats; 'nan', 'inf', '-inf' as strings: JSON has none), its shape and str(torch tensor); and str() of a few
# torch.nn models. Run: /usr/bin/python3 scripts/make_torch_print_fixtures.py
import json
import math

import numpy as np
import torch

rng = np.random.default_rng(7)


def case(name, values, shape):
    t = torch.tensor(np.asarray(values, dtype=np.float32).reshape(shape))
    return {"name": name, "shape": list(shape), "values": [v if math.isfinite(v) else str(v) for v in t.reshape(-1).tolist()], "torch": str(t)}


cases = [
    case("2x2 decimals", [0.1, 0.2, 0.3, 0.4], [2, 2]),
    case("whole numbers", [1, 2, 3, -40], [4]),
    case("scalar", [3.5], []),
    case("wide range: scientific", [1e-5, 1, 100], [3]),
    case("above 1e8: scientific", [2e9, 1.5, -3], [3]),
    case("normal 4x5x6", rng.standard_normal(120), [4, 5, 6]),
    case("vector wraps at 80 columns", np.arange(30) / 7, [30]),
    case("summarized 2x1000", np.arange(2000), [2, 1000]),
    case("summarized 10x10x20", rng.standard_normal(2000), [10, 10, 20]),
    case("summarized vector", rng.uniform(-1, 1, 1500), [1500]),
    case("nan and inf", [math.nan, math.inf, -math.inf, 0.5, -2.25], [5]),
    case("ties round to even", [0.03125, 0.09375, 1.5, 2.5], [4]),
    case("all zero", [0, 0, 0], [3]),
    case("negative zero and integers", [-0.0, 1, 2], [3]),
]

mlp = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.ReLU(), torch.nn.Linear(16, 1, bias=False))
nested = torch.nn.Sequential(
    torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh()),
    torch.nn.Linear(8, 3),
)
modules = [
    {"name": "mlp", "torch": str(mlp), "parameters": sum(p.numel() for p in mlp.parameters())},
    {"name": "nested", "torch": str(nested)},
    {"name": "linear", "torch": str(torch.nn.Linear(784, 128))},
]

with open("test/fixtures/print.json", "w") as f:
    json.dump({"torch": torch.__version__, "tensors": cases, "modules": modules}, f, indent=1)
    f.write("\n")
