// The one launch form of horkd's kernels: HORKD_LAUNCH(kernel, grid, block, shmem, stream)(args...).
// Under nvcc it is kernel<<<grid, block, shmem, stream>>>(args...); compiled as C++ against the emulated
// device (cuda/emu, -DHORKD_EMULATE=ON) it queues the same launch there. The kernel may be a template
// specialisation with one argument (a comma would split the macro's first argument).
#pragma once

#include <cuda_runtime.h>

#if defined(__CUDACC__)
#define HORKD_LAUNCH(kernel, grid, block, shmem, stream) kernel<<<(grid), (block), (shmem), (stream)>>>
#else
#define HORKD_LAUNCH(kernel, grid, block, shmem, stream) HORKD_EMU_LAUNCH(kernel, grid, block, shmem, stream)
#endif
