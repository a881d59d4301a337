"""PyTorch CPU reference for benchmarks/train.ts (a reference only, never a ScaleLab dependency).

torchvision's EfficientNet-B0 with width 0.25, depth 0.5, 10 classes, trained on random 64×64×3 batches of 32
with momentum SGD on one thread. Prints one JSON line: {"imagesPerSecond", "params", "torch", "torchvision"}.
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
    torch.set_num_threads(1)
    torch.manual_seed(0)
    setting, last_channel = efficientnet._efficientnet_conf("efficientnet_b0", width_mult=0.25, depth_mult=0.5)
    model = efficientnet.EfficientNet(setting, dropout=0.2, num_classes=10, last_channel=last_channel)
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x = torch.randn(32, 3, 64, 64)
    y = torch.randint(0, 10, (32,))
    loss_fn = torch.nn.CrossEntropyLoss()

    def step() -> None:
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

    for _ in range(3):
        step()
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    times.sort()
    median = times[len(times) // 2]
    params = sum(p.numel() for p in model.parameters()) + sum(b.numel() for n, b in model.named_buffers() if not n.endswith("num_batches_tracked"))
    print(json.dumps({"imagesPerSecond": 32 / median, "medianStepSeconds": median, "params": params, "torch": torch.__version__, "torchvision": torchvision.__version__}))


if __name__ == "__main__":
    main()
