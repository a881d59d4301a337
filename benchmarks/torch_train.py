"""PyTorch CPU reference for benchmarks/train.ts (a reference only, never a ScaleLab dependency).

torchvision's EfficientNet-B0 at the given width and depth multipliers, 10 classes, trained on random
resolution×resolution×3 batches with momentum SGD on one thread. Usage:

    torch_train.py STEPS [WIDTH DEPTH RESOLUTION BATCH]     (defaults: 0.25 0.5 64 32, the proxy)

Prints one JSON line: {"imagesPerSecond", "medianStepSeconds", "params", "torch", "torchvision"}.
Run with Debian's /usr/bin/python3 (python3-torch, python3-torchvision).
"""
import json
import sys
import time

import torch
import torchvision
from torchvision.models import efficientnet


def main() -> None:
    steps = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    width = float(sys.argv[2]) if len(sys.argv) > 2 else 0.25
    depth = float(sys.argv[3]) if len(sys.argv) > 3 else 0.5
    resolution = int(sys.argv[4]) if len(sys.argv) > 4 else 64
    batch = int(sys.argv[5]) if len(sys.argv) > 5 else 32
    torch.set_num_threads(1)
    torch.manual_seed(0)
    setting, last_channel = efficientnet._efficientnet_conf("efficientnet_b0", width_mult=width, depth_mult=depth)
    model = efficientnet.EfficientNet(setting, dropout=0.2, num_classes=10, last_channel=last_channel)
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x = torch.randn(batch, 3, resolution, resolution)
    y = torch.randint(0, 10, (batch,))
    loss_fn = torch.nn.CrossEntropyLoss()

    def step() -> None:
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

    # Two warm-up steps, as the wasm side: the first allocates and touches all memory.
    for _ in range(2):
        step()
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    times.sort()
    median = times[len(times) // 2]
    params = sum(p.numel() for p in model.parameters()) + sum(b.numel() for n, b in model.named_buffers() if not n.endswith("num_batches_tracked"))
    print(json.dumps({"imagesPerSecond": batch / median, "medianStepSeconds": median, "params": params, "torch": torch.__version__, "torchvision": torchvision.__version__}))


if __name__ == "__main__":
    main()
