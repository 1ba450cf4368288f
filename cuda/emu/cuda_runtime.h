// The emulated CUDA device: this header stands in for the CUDA runtime's when horkd's .cu sources are
// compiled as C++ (cmake -DHORKD_EMULATE=ON). It gives them the part of CUDA they use, executed on the
// CPU by cuda/emu/runtime.cpp:
//   - the execution model: a launch runs its blocks on worker threads, each block's threads as
//     cooperative fibers that run until they reach a barrier or a warp collective (so a missing
//     __syncthreads reads NaN or a stale value instead of passing by luck); __syncthreads, the warp
//     shuffles and votes with their mask and divergence checks; integer atomics;
//   - memory: __shared__ variables filled with 0xFF bytes (NaN in every float type) before each block;
//     device and pinned allocations filled the same way and tracked, so copies and memsets that leave
//     their allocation are refused with a named error;
//   - the runtime calls the sources use, with the launch limits a GPU checks and the stream semantics
//     of CUDA (legacy default stream, blocking and non-blocking streams), executed lazily: work runs
//     only when something waits for it, so a missing dependency between streams shows up.
// What it cannot show (timing, the memory model between blocks, registers, nvcc's rounding of the math
// library) is listed in docs/CUDA-EMULATION.md.
//
// Settings, read from the environment at the first call:
//   HORKD_EMU_ORDER=forward|reverse|random   all three levels (default forward)
//   HORKD_EMU_BLOCK_ORDER, HORKD_EMU_WARP_ORDER, HORKD_EMU_LANE_ORDER   one level each
//   HORKD_EMU_SEED=n        seed of the random orders (default 1)
//   HORKD_EMU_SCHEDULE=rounds|warps   rounds (default): every runnable thread once per round, to its next
//                           barrier or collective; warps: each warp as far as it goes before the next
//                           (a warp runs ahead of the others through its shuffles, as on a GPU)
//   HORKD_EMU_STREAMS=lazy|eager   lazy (default): run work when it is waited for; eager: at once
//   HORKD_EMU_THREADS=n     worker threads that run blocks (default: the processors, at most 8)
//   HORKD_EMU_DEVICES=0     report no device (to test callers' fallbacks)
//   HORKD_EMU_TRACE=1       print every launch and copy on stderr
#pragma once

#if defined(__CUDACC__)
#error "cuda/emu/cuda_runtime.h is the emulator's header: nvcc must use the CUDA toolkit's"
#endif

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <tuple>
#include <type_traits>
#include <utility>

#define HORKD_EMULATED 1
#define CUDART_VERSION 13000  // the API level the emulation follows

// ------------------------------------------------------------------------------------------ qualifiers
#define __global__
#define __device__
#define __host__
#define __forceinline__ inline __attribute__((always_inline))
#define __noinline__ __attribute__((noinline))
#define __launch_bounds__(...)
// __shared__ variables are thread-local statics: one copy per kernel (as in CUDA) on each of the
// emulator's worker threads, which run one block at a time, so all fibers of a block share it. Before
// each block the worker fills its whole thread-local block of this library with 0xFF bytes (a NaN in
// every float type). (A linker section would be simpler, but GCC ignores `section` on the statics of
// template functions.) Dynamic shared memory (extern __shared__) is not emulated.
#define __shared__ static thread_local

// ------------------------------------------------------------------------------------------ types
struct uint3 {
    unsigned x, y, z;
};

struct dim3 {
    unsigned x, y, z;
    constexpr dim3(unsigned vx = 1, unsigned vy = 1, unsigned vz = 1) : x(vx), y(vy), z(vz) {}
};

enum cudaError_t {  // the codes of the CUDA runtime, by value
    cudaSuccess = 0,
    cudaErrorInvalidValue = 1,
    cudaErrorMemoryAllocation = 2,
    cudaErrorInitializationError = 3,
    cudaErrorInvalidConfiguration = 9,
    cudaErrorInvalidDevicePointer = 17,
    cudaErrorInvalidMemcpyDirection = 21,
    cudaErrorInsufficientDriver = 35,
    cudaErrorNoDevice = 100,
    cudaErrorInvalidDevice = 101,
    cudaErrorInvalidResourceHandle = 400,
    cudaErrorNotReady = 600,
    cudaErrorIllegalAddress = 700,
    cudaErrorLaunchOutOfResources = 701,
    cudaErrorLaunchFailure = 719,
    cudaErrorNotSupported = 801,
    cudaErrorUnknown = 999
};

enum cudaMemcpyKind {
    cudaMemcpyHostToHost = 0,
    cudaMemcpyHostToDevice = 1,
    cudaMemcpyDeviceToHost = 2,
    cudaMemcpyDeviceToDevice = 3,
    cudaMemcpyDefault = 4
};

struct CUstream_st;
typedef CUstream_st* cudaStream_t;
#define cudaStreamLegacy ((cudaStream_t)0x1)
#define cudaStreamDefault 0x00
#define cudaStreamNonBlocking 0x01
#define cudaHostAllocDefault 0x00

// ------------------------------------------------------------------------------------------ host API
cudaError_t cudaGetDeviceCount(int* count);
cudaError_t cudaSetDevice(int device);
cudaError_t cudaGetDevice(int* device);
cudaError_t cudaDeviceSynchronize();
cudaError_t cudaDeviceReset();  // also clears a sticky error (the emulator's own tests use it)
cudaError_t cudaGetLastError();
cudaError_t cudaPeekAtLastError();
const char* cudaGetErrorName(cudaError_t err);
// For an error raised by a kernel fault, the emulator's detail (kernel, block, thread, what went wrong).
const char* cudaGetErrorString(cudaError_t err);

cudaError_t cudaMalloc(void** ptr, size_t bytes);
cudaError_t cudaFree(void* ptr);
cudaError_t cudaHostAlloc(void** ptr, size_t bytes, unsigned flags);
cudaError_t cudaMallocHost(void** ptr, size_t bytes);
cudaError_t cudaFreeHost(void* ptr);
cudaError_t cudaMemcpy(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind);
cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind, cudaStream_t stream = 0);
cudaError_t cudaMemset(void* ptr, int value, size_t bytes);
cudaError_t cudaMemsetAsync(void* ptr, int value, size_t bytes, cudaStream_t stream = 0);

cudaError_t cudaStreamCreate(cudaStream_t* stream);
cudaError_t cudaStreamCreateWithFlags(cudaStream_t* stream, unsigned flags);
cudaError_t cudaStreamDestroy(cudaStream_t stream);
cudaError_t cudaStreamSynchronize(cudaStream_t stream);
cudaError_t cudaStreamQuery(cudaStream_t stream);

// ------------------------------------------------------------------------------------------ the runtime's side
namespace horkd_emu {

enum class Order { kForward, kReverse, kRandom };

// Sets the orders for the launches that follow (overrides the environment); for the emulator's tests.
void set_order(Order blocks, Order warps, Order lanes, unsigned long long seed);
// Round-robin (false, the default) or warp-major (true) scheduling of the fibers, for the launches that follow.
void set_schedule(bool warp_major);
// Lazy (default) or eager stream execution, for the launches that follow.
void set_lazy_streams(bool lazy);

namespace detail {

struct ThreadView {
    uint3 thread_idx;
};
struct BlockView {
    uint3 block_idx;
    dim3 block_dim;
    dim3 grid_dim;
};
// The fiber running now and its block (set by the scheduler at every switch).
extern __thread ThreadView* tl_thread;
extern __thread const BlockView* tl_block;

enum class Collective { kSyncWarp, kShflIdx, kShflUp, kShflDown, kShflXor, kBallot, kAll, kAny };

void syncthreads();
// One warp collective: waits until every lane of `mask` that has not exited has reached it, then
// returns this lane's result.
unsigned long long warp_collective(Collective op, unsigned mask, unsigned long long bits, int arg, int width);

// Queues one launch on `stream` (validating the configuration first, as cudaLaunchKernel does); `body`
// runs the kernel with its copied parameters, once per thread.
cudaError_t launch(const char* name, dim3 grid, dim3 block, size_t shmem, cudaStream_t stream,
                   std::shared_ptr<const std::function<void()>> body);

template <typename T>
unsigned long long to_bits(T v) {
    static_assert(std::is_trivially_copyable<T>::value && sizeof(T) <= 8, "warp shuffles move at most 8 bytes");
    unsigned long long bits = 0;
    std::memcpy(&bits, &v, sizeof v);
    return bits;
}
template <typename T>
T from_bits(unsigned long long bits) {
    T v;
    std::memcpy(&v, &bits, sizeof v);
    return v;
}

template <typename T>
__attribute__((always_inline)) inline T shuffle(Collective op, unsigned mask, T v, int arg, int width) {
    return from_bits<T>(warp_collective(op, mask, to_bits(v), arg, width));
}

// kernel(args...) as CUDA launches it: the arguments converted to the kernel's parameter types and copied.
template <typename... P>
class Launcher {
  public:
    Launcher(void (*kernel)(P...), const char* name, dim3 grid, dim3 block, size_t shmem, cudaStream_t stream)
        : kernel_(kernel), name_(name), grid_(grid), block_(block), shmem_(shmem), stream_(stream) {}

    template <typename... A>
    void operator()(A&&... args) const {
        static_assert(sizeof...(A) == sizeof...(P), "kernel launched with the wrong number of arguments");
        auto params = std::make_shared<std::tuple<std::decay_t<P>...>>(std::forward<A>(args)...);
        auto kernel = kernel_;
        auto body = std::make_shared<const std::function<void()>>([kernel, params] { std::apply(kernel, *params); });
        launch(name_, grid_, block_, shmem_, stream_, std::move(body));
    }

  private:
    void (*kernel_)(P...);
    const char* name_;
    dim3 grid_, block_;
    size_t shmem_;
    cudaStream_t stream_;
};

template <typename... P>
Launcher<P...> make_launcher(void (*kernel)(P...), const char* name, dim3 grid, dim3 block, size_t shmem,
                             cudaStream_t stream) {
    return Launcher<P...>(kernel, name, grid, block, shmem, stream);
}

}  // namespace detail
}  // namespace horkd_emu

// ------------------------------------------------------------------------------------------ device built-ins
#define threadIdx (::horkd_emu::detail::tl_thread->thread_idx)
#define blockIdx (::horkd_emu::detail::tl_block->block_idx)
#define blockDim (::horkd_emu::detail::tl_block->block_dim)
#define gridDim (::horkd_emu::detail::tl_block->grid_dim)
#define warpSize 32

inline void __syncthreads() { ::horkd_emu::detail::syncthreads(); }
inline void __syncwarp(unsigned mask = 0xffffffffu) {
    ::horkd_emu::detail::warp_collective(::horkd_emu::detail::Collective::kSyncWarp, mask, 0, 0, 32);
}

template <typename T>
__attribute__((always_inline)) inline T __shfl_sync(unsigned mask, T v, int src_lane, int width = 32) {
    return ::horkd_emu::detail::shuffle(::horkd_emu::detail::Collective::kShflIdx, mask, v, src_lane, width);
}
template <typename T>
__attribute__((always_inline)) inline T __shfl_up_sync(unsigned mask, T v, unsigned delta, int width = 32) {
    return ::horkd_emu::detail::shuffle(::horkd_emu::detail::Collective::kShflUp, mask, v, static_cast<int>(delta), width);
}
template <typename T>
__attribute__((always_inline)) inline T __shfl_down_sync(unsigned mask, T v, unsigned delta, int width = 32) {
    return ::horkd_emu::detail::shuffle(::horkd_emu::detail::Collective::kShflDown, mask, v, static_cast<int>(delta), width);
}
template <typename T>
__attribute__((always_inline)) inline T __shfl_xor_sync(unsigned mask, T v, int lane_mask, int width = 32) {
    return ::horkd_emu::detail::shuffle(::horkd_emu::detail::Collective::kShflXor, mask, v, lane_mask, width);
}
__attribute__((always_inline)) inline unsigned __ballot_sync(unsigned mask, int predicate) {
    return static_cast<unsigned>(::horkd_emu::detail::warp_collective(::horkd_emu::detail::Collective::kBallot, mask,
                                                                       predicate != 0, 0, 32));
}
__attribute__((always_inline)) inline int __all_sync(unsigned mask, int predicate) {
    return static_cast<int>(::horkd_emu::detail::warp_collective(::horkd_emu::detail::Collective::kAll, mask,
                                                                  predicate != 0, 0, 32));
}
__attribute__((always_inline)) inline int __any_sync(unsigned mask, int predicate) {
    return static_cast<int>(::horkd_emu::detail::warp_collective(::horkd_emu::detail::Collective::kAny, mask,
                                                                  predicate != 0, 0, 32));
}

// Integer atomics (blocks run in parallel on the worker threads: these are real atomic operations). There are deliberately no float atomics: horkd's sums are fixed-order trees,
// and a kernel that reaches for atomicAdd(float*) or atomicAdd(double*) does not compile here.
#define HORKD_EMU_ATOMICS(T)                                                                              \
    inline T atomicAdd(T* p, T v) { return __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST); }                 \
    inline T atomicSub(T* p, T v) { return __atomic_fetch_sub(p, v, __ATOMIC_SEQ_CST); }                 \
    inline T atomicExch(T* p, T v) { return __atomic_exchange_n(p, v, __ATOMIC_SEQ_CST); }               \
    inline T atomicAnd(T* p, T v) { return __atomic_fetch_and(p, v, __ATOMIC_SEQ_CST); }                 \
    inline T atomicOr(T* p, T v) { return __atomic_fetch_or(p, v, __ATOMIC_SEQ_CST); }                   \
    inline T atomicXor(T* p, T v) { return __atomic_fetch_xor(p, v, __ATOMIC_SEQ_CST); }                 \
    inline T atomicCAS(T* p, T expected, T desired) {                                                     \
        __atomic_compare_exchange_n(p, &expected, desired, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);    \
        return expected;                                                                                  \
    }                                                                                                     \
    inline T atomicMin(T* p, T v) {                                                                       \
        T old = __atomic_load_n(p, __ATOMIC_SEQ_CST);                                                     \
        while (v < old && !__atomic_compare_exchange_n(p, &old, v, true, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) { \
        }                                                                                                 \
        return old;                                                                                       \
    }                                                                                                     \
    inline T atomicMax(T* p, T v) {                                                                       \
        T old = __atomic_load_n(p, __ATOMIC_SEQ_CST);                                                     \
        while (v > old && !__atomic_compare_exchange_n(p, &old, v, true, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) { \
        }                                                                                                 \
        return old;                                                                                       \
    }
HORKD_EMU_ATOMICS(int)
HORKD_EMU_ATOMICS(unsigned)
HORKD_EMU_ATOMICS(unsigned long long)
#undef HORKD_EMU_ATOMICS

// CUDA's integer min/max overloads of device code (the float ones are fmin/fmax from <cmath>).
inline int min(int a, int b) { return a < b ? a : b; }
inline int max(int a, int b) { return a > b ? a : b; }
inline unsigned min(unsigned a, unsigned b) { return a < b ? a : b; }
inline unsigned max(unsigned a, unsigned b) { return a > b ? a : b; }
inline long long min(long long a, long long b) { return a < b ? a : b; }
inline long long max(long long a, long long b) { return a > b ? a : b; }
inline unsigned long long min(unsigned long long a, unsigned long long b) { return a < b ? a : b; }
inline unsigned long long max(unsigned long long a, unsigned long long b) { return a > b ? a : b; }

// HORKD_LAUNCH (cuda/src/launch.cuh) expands to this when the sources are compiled for the emulator.
#define HORKD_EMU_LAUNCH(kernel, grid, block, shmem, stream) \
    ::horkd_emu::detail::make_launcher(kernel, #kernel, (grid), (block), (shmem), (stream))
