// The workspace behind the horkd_workspace handle: device arenas and pinned host buffers that only grow,
// so that after the first call of a size no call allocates, and the workspace's own stream.
#pragma once

#include <cstddef>
#include <cuda_runtime.h>
#if defined(HORKD_WORKSPACE_GUARD)
#include <sanitizer/asan_interface.h>
#endif

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

    // The guards of the last layout lifted (before a new layout, or the release).
    void unguard() {
#if defined(HORKD_WORKSPACE_GUARD)
        if (ptr) ASAN_UNPOISON_MEMORY_REGION(ptr, bytes);
#endif
    }

    void release() {
        unguard();
        if (ptr) pinned ? cudaFreeHost(ptr) : cudaFree(ptr);
        ptr = nullptr;
        bytes = 0;
    }
};

// Hands out aligned pieces of a buffer, front to back. Used twice per call: once with a null base to
// measure, once on the buffer. A piece of no elements is nullptr, never a pointer into the buffer, so a
// caller cannot write through it by mistake. With HORKD_WORKSPACE_GUARD (the ASan build of the emulated
// device) each piece is followed by kGuard bytes that AddressSanitizer reports any access to.
class Carver {
  public:
#if defined(HORKD_WORKSPACE_GUARD)
    static constexpr size_t kGuard = 256;
#else
    static constexpr size_t kGuard = 0;
#endif

    explicit Carver(void* base) : base_(static_cast<char*>(base)) {}

    template <typename T>
    T* take(long long count) {
        if (count <= 0) return nullptr;
        const size_t at = (used_ + 255) & ~static_cast<size_t>(255);
        const size_t bytes = sizeof(T) * static_cast<size_t>(count);
        used_ = at + bytes + kGuard;
        if (!base_) return nullptr;
#if defined(HORKD_WORKSPACE_GUARD)
        ASAN_POISON_MEMORY_REGION(base_ + at + bytes, kGuard);
#endif
        return reinterpret_cast<T*>(base_ + at);
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
