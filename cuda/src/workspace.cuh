// The workspace behind the horkd_workspace handle: device arenas and pinned host buffers that only grow,
// so that after the first call of a size no call allocates, and the workspace's own stream.
#pragma once

#include <cstddef>
#include <cuda_runtime.h>

namespace horkd {

// One grow-only allocation (device or pinned host).
struct Buffer {
    void* ptr = nullptr;
    size_t bytes = 0;
    bool pinned = false;

    cudaError_t ensure(size_t need) {
        if (need <= bytes) return cudaSuccess;
        release();
        cudaError_t err = pinned ? cudaHostAlloc(&ptr, need, cudaHostAllocDefault) : cudaMalloc(&ptr, need);
        if (err != cudaSuccess) {
            ptr = nullptr;
            return err;
        }
        bytes = need;
        return cudaSuccess;
    }

    void release() {
        if (ptr) pinned ? cudaFreeHost(ptr) : cudaFree(ptr);
        ptr = nullptr;
        bytes = 0;
    }
};

// Hands out aligned pieces of a buffer, front to back. Used twice per call: once with a null base to
// measure, once on the buffer.
class Carver {
  public:
    explicit Carver(void* base) : base_(static_cast<char*>(base)) {}

    template <typename T>
    T* take(long long count) {
        size_t at = (used_ + 255) & ~static_cast<size_t>(255);
        used_ = at + sizeof(T) * static_cast<size_t>(count > 0 ? count : 0);
        return base_ ? reinterpret_cast<T*>(base_ + at) : nullptr;
    }

    size_t used() const { return used_ + 256; }

  private:
    char* base_;
    size_t used_ = 0;
};

}  // namespace horkd

struct horkd_workspace {
    cudaStream_t own_stream = nullptr;
    horkd::Buffer scratch;                       // kernels' working memory
    horkd::Buffer io;                            // device copies of host arguments (host entry points)
    horkd::Buffer staging{nullptr, 0, true};     // pinned: host arguments on their way to and from io
    horkd::Buffer results{nullptr, 0, true};     // pinned: loss values on their way to the caller
    horkd::Buffer flags;                         // device: the result of argument checks made on the device
};
