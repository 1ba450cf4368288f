"""PyTorch's batch norm on the CPU at the ResNet streams' shapes, training mode, float32: the other side
of io.horkd.benchmarks.BatchNormBenchmark (same shapes, same statistics convention).

Forward: torch.nn.functional.batch_norm(x, running_mean, running_var, gamma, beta, training=True).
Backward: torch.ops.aten.native_batch_norm_backward with the forward's saved statistics, dx, dgamma and
dbeta (what autograd runs, without autograd's bookkeeping). Median of 7 blocks of passes, microseconds.

    LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp /usr/bin/python3 benchmarks/torch-cpu/batch_norm.py
"""
import os
import statistics
import time

import torch

SHAPES = [(128, 16, 28, 28), (128, 32, 14, 14), (128, 64, 7, 7)]


def median_us(fn, block=0.3, blocks=7):
    for _ in range(3):
        fn()
    times = []
    for _ in range(blocks):
        n, t0 = 0, time.perf_counter()
        while True:
            fn()
            n += 1
            t = time.perf_counter() - t0
            if t >= block:
                break
        times.append(t / n * 1e6)
    return statistics.median(times)


def main():
    torch.set_num_threads(os.cpu_count())  # Debian's build counts physical cores: 1 on a 2-vCPU VM
    torch.manual_seed(1)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    print("| shape | forward us | backward us |")
    print("|---|---:|---:|")
    for shape in SHAPES:
        c = shape[1]
        x = torch.randn(shape) + 0.5
        dy = torch.randn(shape)
        gamma, beta = torch.rand(c) + 0.5, torch.randn(c)
        rm, rv = torch.zeros(c), torch.ones(c)
        fwd = median_us(lambda: torch.nn.functional.batch_norm(x, rm, rv, gamma, beta, training=True, momentum=0.1, eps=1e-5))
        _, mean, invstd = torch.ops.aten.native_batch_norm(x, gamma, beta, rm, rv, True, 0.1, 1e-5)
        bwd = median_us(lambda: torch.ops.aten.native_batch_norm_backward(
            dy, x, gamma, rm, rv, mean, invstd, True, 1e-5, [True, True, True]))
        print(f"| {shape[0]}x{shape[1]}x{shape[2]}x{shape[3]} | {fwd:.0f} | {bwd:.0f} |")


if __name__ == "__main__":
    main()
