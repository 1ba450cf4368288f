// The emulator's own tests: what it must catch (a missing barrier, a racy shared-memory write, warp
// collectives with exited, absent or divergent lanes, a barrier reached by part of a block, launches
// outside a GPU's limits, copies outside their allocation, missing stream dependencies) and what it
// must get exactly right (reductions with barriers and shuffles, votes, atomics, grids in three
// dimensions, NaN-filled fresh memory), in forward, reverse and random thread orders.
//   usage: emu_test [--quick]   (--quick: the kernels and faults only, for the ucontext build)
#include <cuda_runtime.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "launch.cuh"

namespace {

int failures = 0, checks = 0;

void expect(bool ok, const std::string& what) {
    ++checks;
    if (!ok) {
        ++failures;
        std::printf("FAIL %s\n", what.c_str());
    }
}

// The launch must have faulted with a message containing `needle`; the context is reset after.
void expect_fault(const char* needle, const std::string& what) {
    cudaError_t err = cudaDeviceSynchronize();
    std::string msg = cudaGetErrorString(err);
    expect(err == cudaErrorLaunchFailure && msg.find(needle) != std::string::npos,
           what + ": expected a fault naming '" + needle + "', got " + cudaGetErrorName(err) + ": " + msg);
    expect(cudaMalloc(nullptr, 0) == err || err == cudaSuccess, what + ": the fault is sticky");
    cudaDeviceReset();
}

const horkd_emu::Order kOrders[] = {horkd_emu::Order::kForward, horkd_emu::Order::kReverse, horkd_emu::Order::kRandom};
const char* kOrderNames[] = {"forward", "reverse", "random"};

void use_order(int o, bool warp_major = false) {
    horkd_emu::set_order(kOrders[o], kOrders[o], kOrders[o], 20261201 + o);
    horkd_emu::set_schedule(warp_major);
}

template <typename T>
T* device(size_t n) {
    void* p = nullptr;
    cudaMalloc(&p, n * sizeof(T));
    return static_cast<T*>(p);
}

template <typename T>
std::vector<T> fetch(const T* d, size_t n) {
    std::vector<T> h(n);
    cudaMemcpy(h.data(), d, n * sizeof(T), cudaMemcpyDeviceToHost);
    return h;
}

// ------------------------------------------------------------------------------------------ kernels

// Sum of in[0..n) per block: a shared-memory tree over warps' shuffle sums (the shape of horkd's
// block_sum). Integers in doubles, so every order must give the exact value.
__global__ void block_sum_kernel(const double* in, int n, double* out) {
    __shared__ double warp_sums[32];
    double v = 0.0;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x) v += in[i];
    for (int off = 16; off > 0; off >>= 1) v += __shfl_down_sync(0xffffffffu, v, off);
    if (threadIdx.x % 32 == 0) warp_sums[threadIdx.x / 32] = v;
    __syncthreads();
    if (threadIdx.x < 32) {
        v = threadIdx.x < blockDim.x / 32 ? warp_sums[threadIdx.x] : 0.0;
        for (int off = 16; off > 0; off >>= 1) v += __shfl_down_sync(0xffffffffu, v, off);
        if (threadIdx.x == 0) out[blockIdx.x] = v;
    }
}

// Reverses each block's tile through shared memory; `barrier` false leaves out the __syncthreads.
__global__ void reverse_kernel(const int* in, int* out, bool barrier) {
    __shared__ int tile[256];
    const int base = blockIdx.x * blockDim.x;
    tile[threadIdx.x] = in[base + threadIdx.x];
    if (barrier) __syncthreads();
    out[base + threadIdx.x] = tile[blockDim.x - 1 - threadIdx.x];
}

// Two block sums through the same 32-double scratch, as horkd's block_sum does; `barrier` false leaves
// out the barrier before the scratch is reused, so a warp that runs ahead into the second sum may
// overwrite a partial the first sum has not read yet.
__global__ void two_sums_kernel(const double* in, double* out, bool barrier) {
    __shared__ double scratch[32];
    double sums[2];
    for (int k = 0; k < 2; ++k) {
        double v = in[k * blockDim.x + threadIdx.x];
        for (int off = 16; off > 0; off >>= 1) v += __shfl_down_sync(0xffffffffu, v, off);
        if (barrier) __syncthreads();
        if (threadIdx.x % 32 == 0) scratch[threadIdx.x / 32] = v;
        __syncthreads();
        v = threadIdx.x < blockDim.x / 32 ? scratch[threadIdx.x] : 0.0;
        if (threadIdx.x < 32) {
            for (int off = 16; off > 0; off >>= 1) v += __shfl_down_sync(0xffffffffu, v, off);
        }
        sums[k] = v;
    }
    if (threadIdx.x == 0) {
        out[0] = sums[0];
        out[1] = sums[1];
    }
}

// Every thread writes the same shared word: the value read after the barrier depends on who came last.
__global__ void racy_write_kernel(int* out) {
    __shared__ int winner;
    winner = threadIdx.x;
    __syncthreads();
    out[blockIdx.x * blockDim.x + threadIdx.x] = winner;
}

// Reads a shared double nobody wrote, then writes it for the next block to (not) see.
__global__ void fresh_shared_kernel(double* out) {
    __shared__ double cell;
    out[blockIdx.x] = cell;
    __syncthreads();
    cell = 42.0;
}

__global__ void votes_kernel(int* out) {
    const int lane = threadIdx.x;
    int* o = out + 8 * lane;
    o[0] = static_cast<int>(__ballot_sync(0xffffffffu, lane % 3 == 0));
    o[1] = __all_sync(0xffffffffu, lane < 32);
    o[2] = __any_sync(0xffffffffu, lane == 17);
    o[3] = __shfl_xor_sync(0xffffffffu, lane * 10, 5);
    o[4] = __shfl_up_sync(0xffffffffu, lane * 10, 3, 8);  // within segments of 8
    o[5] = __shfl_sync(0xffffffffu, lane * 10, 6, 16);
    o[6] = __shfl_down_sync(0xffffffffu, lane * 10, 4, 8);
    __syncwarp();
    o[7] = __all_sync(0xffffffffu, lane != 9);
}

// Legal since sm_70: lanes of a full mask that have exited (or do not exist, in a partial warp) are left
// out of votes and __syncwarp, and a shuffle that reads only live lanes is fine.
__global__ void exited_lanes_kernel(unsigned* out) {
    const unsigned lane = threadIdx.x % 32;
    if (lane % 4 == 3) return;                       // a quarter of every warp leaves
    const unsigned live = __ballot_sync(0xffffffffu, 1);
    __syncwarp();
    const int all = __all_sync(0xffffffffu, lane != 40);
    const unsigned from = __shfl_sync(0xffffffffu, lane, lane & ~3u);  // lane 4k, which is live
    out[threadIdx.x] = live + (all ? 1u << 31 : 0) + (from << 24);
}

__global__ void atomics_kernel(int* count, unsigned long long* lowest, unsigned* flags) {
    const unsigned long long id = blockIdx.x * blockDim.x + threadIdx.x;
    atomicAdd(count, 1);
    atomicMin(lowest, 1000000 - id);
    atomicOr(flags + id / 32, 1u << (id % 32));
}

__global__ void grid3_kernel(int* hits) {
    const unsigned long long bx = blockIdx.x + gridDim.x * (blockIdx.y + gridDim.y * static_cast<unsigned long long>(blockIdx.z));
    const unsigned tx = threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
    atomicAdd(hits + bx * (blockDim.x * blockDim.y * blockDim.z) + tx, 1);
}

// 50 KiB of static shared memory: more than a GPU gives a block. The ctest emu_static_shared_limit runs
// check_shared.cmake on this test program and must see it fail.
__global__ void oversized_shared_kernel(float* out) {
    __shared__ float big[12800];
    big[threadIdx.x] = 1.f;
    __syncthreads();
    out[threadIdx.x] = big[31 - threadIdx.x];
}

__global__ void copy_kernel(const float* in, float* out, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) out[i] = in[i];
}

// Faults, one per mode.
__global__ void faulty_kernel(int mode, float* out) {
    float v = static_cast<float>(threadIdx.x);
    const int lane = threadIdx.x % 32;
    switch (mode) {
        case 0:  // lane 30 reads lane 31, which exited before the shuffle
            if (threadIdx.x == 63) return;
            v = __shfl_down_sync(0xffffffffu, v, 1);
            break;
        case 1:  // 48 threads: lane 15 of the second warp reads lane 16, which does not exist
            v = __shfl_down_sync(0xffffffffu, v, 1);
            break;
        case 2:  // thread 0 leaves before the barrier
            if (threadIdx.x == 0) return;
            __syncthreads();
            break;
        case 3:  // half a warp at the barrier, half at a shuffle
            if (lane < 16) {
                __syncthreads();
            } else {
                v = __shfl_xor_sync(0xffffffffu, v, 1);
            }
            break;
        case 4:  // lanes 8..15 read lanes 16..23, outside the mask
            if (lane < 16) v = __shfl_down_sync(0x0000ffffu, v, 8);
            break;
        case 5:  // the mask leaves out the caller
            if (lane == 0) v = __shfl_sync(0x2u, v, 1);
            break;
    }
    out[threadIdx.x] = v;
}

// ------------------------------------------------------------------------------------------ tests

void correct_kernels_pass_in_every_order() {
    const int n = 100003;
    std::vector<double> h(n);
    double want = 0;
    for (int i = 0; i < n; ++i) want += h[i] = static_cast<double>((i * 7919) % 1000 - 500);
    double* in = device<double>(n);
    double* out = device<double>(64);
    cudaMemcpy(in, h.data(), n * sizeof(double), cudaMemcpyHostToDevice);
    std::vector<int> tile(512), want_rev(512);
    for (int i = 0; i < 512; ++i) tile[i] = i * 3 + 1;
    for (int b = 0; b < 2; ++b)
        for (int t = 0; t < 256; ++t) want_rev[b * 256 + t] = tile[b * 256 + 255 - t];
    int* tin = device<int>(512);
    int* tout = device<int>(512);
    cudaMemcpy(tin, tile.data(), 512 * sizeof(int), cudaMemcpyHostToDevice);
    double* two = device<double>(2);
    for (int o = 0; o < 6; ++o) {
        use_order(o % 3, o >= 3);
        const std::string how = std::string(kOrderNames[o % 3]) + " order, " + (o >= 3 ? "warp-major" : "round-robin");
        HORKD_LAUNCH(block_sum_kernel, 64, 256, 0, nullptr)(in, n, out);
        std::vector<double> part = fetch(out, 64);
        double got = 0;
        for (double p : part) got += p;
        expect(got == want, "block sum exact in " + how);
        HORKD_LAUNCH(reverse_kernel, 2, 256, 0, nullptr)(tin, tout, true);
        expect(fetch(tout, 512) == want_rev, "reverse with a barrier in " + how);
        HORKD_LAUNCH(two_sums_kernel, 1, 256, 0, nullptr)(in, two, true);
        double w0 = 0, w1 = 0;
        for (int i = 0; i < 256; ++i) {
            w0 += h[i];
            w1 += h[256 + i];
        }
        std::vector<double> t = fetch(two, 2);
        expect(t[0] == w0 && t[1] == w1, "two sums through one scratch, with the barrier, in " + how);
    }
    cudaFree(two);
    use_order(0);
    cudaFree(in);
    cudaFree(out);
    cudaFree(tin);
    cudaFree(tout);
    expect(cudaGetLastError() == cudaSuccess, "no error left behind");
}

void missing_barrier_and_race_are_caught() {
    std::vector<int> tile(256);
    for (int i = 0; i < 256; ++i) tile[i] = i + 1;
    int* in = device<int>(256);
    int* out = device<int>(256);
    cudaMemcpy(in, tile.data(), sizeof(int) * 256, cudaMemcpyHostToDevice);
    std::vector<std::vector<int>> rev, race;
    for (int o = 0; o < 2; ++o) {
        use_order(o);
        HORKD_LAUNCH(reverse_kernel, 1, 256, 0, nullptr)(in, out, false);
        rev.push_back(fetch(out, 256));
        HORKD_LAUNCH(racy_write_kernel, 1, 256, 0, nullptr)(out);
        race.push_back(fetch(out, 256));
    }
    use_order(0);
    std::vector<int> want(256);
    for (int t = 0; t < 256; ++t) want[t] = tile[255 - t];
    expect(rev[0] != want && rev[1] != want && rev[0] != rev[1], "a missing __syncthreads gives wrong, order-dependent results");
    expect(rev[0][0] == -1, "and what it reads too early is the fill pattern (0xFFFFFFFF)");
    expect(race[0] != race[1], "a racy shared-memory write gives order-dependent results");
    cudaFree(in);
    cudaFree(out);
    // The scratch reused without a barrier: only a warp running ahead through its shuffles shows it.
    std::vector<double> h(512);
    for (int i = 0; i < 512; ++i) h[i] = static_cast<double>(i < 256 ? i % 7 : 100 + i % 13);
    double* din = device<double>(512);
    double* two = device<double>(2);
    cudaMemcpy(din, h.data(), sizeof(double) * 512, cudaMemcpyHostToDevice);
    int wrong = 0;
    for (int o = 0; o < 6; ++o) {
        use_order(o % 3, o >= 3);
        HORKD_LAUNCH(two_sums_kernel, 1, 256, 0, nullptr)(din, two, false);
        std::vector<double> t = fetch(two, 2);
        double w0 = 0, w1 = 0;
        for (int i = 0; i < 256; ++i) {
            w0 += h[i];
            w1 += h[256 + i];
        }
        wrong += t[0] != w0 || t[1] != w1;
    }
    expect(wrong > 0, "scratch reused without a barrier: wrong in some order and schedule (warp-major, reverse)");
    use_order(0);
    cudaFree(din);
    cudaFree(two);
}

void faults_are_named() {
    float* out = device<float>(256);
    struct {
        int mode, threads;
        const char* needle;
    } cases[] = {
        {0, 64, "thread (62,0,0): __shfl_down_sync with mask 0xffffffff reads lane 31, which has exited"},
        {1, 48, "reads lane 16, which is absent (the block has 48 threads)"},
        {2, 256, "__syncthreads reached by 255 of 256 threads"},
        {3, 32, "waits at __syncthreads instead (divergent warp)"},
        {4, 32, "reads lane 16, which is not in the mask"},
        {5, 32, "leaves out the calling lane 0"},
    };
    for (auto& c : cases) {
        for (int o = 0; o < 2; ++o) {
            use_order(o);
            HORKD_LAUNCH(faulty_kernel, 1, c.threads, 0, nullptr)(c.mode, out);
            expect_fault(c.needle, std::string("fault mode ") + std::to_string(c.mode) + " in " + kOrderNames[o] + " order");
            out = device<float>(256);  // the reset freed it
        }
    }
    use_order(0);
    cudaFree(out);
}

void launch_limits_are_a_gpus() {
    int* p = device<int>(64);
    struct {
        dim3 grid, block;
        size_t shmem;
        cudaError_t want;
        const char* needle;
    } cases[] = {
        {dim3(1, 65536), dim3(32), 0, cudaErrorInvalidConfiguration, "grid (1,65536,1)"},
        {dim3(1, 1, 65536), dim3(32), 0, cudaErrorInvalidConfiguration, "grid (1,1,65536)"},
        {dim3(0), dim3(32), 0, cudaErrorInvalidConfiguration, "grid (0,1,1)"},
        {dim3(1), dim3(1025), 0, cudaErrorInvalidConfiguration, "block (1025,1,1)"},
        {dim3(1), dim3(32, 32, 2), 0, cudaErrorInvalidConfiguration, "block (32,32,2)"},
        {dim3(1), dim3(1, 1, 65), 0, cudaErrorInvalidConfiguration, "block (1,1,65)"},
        {dim3(1), dim3(32), 1024, cudaErrorNotSupported, "dynamic shared memory"},
    };
    for (auto& c : cases) {
        HORKD_LAUNCH(atomics_kernel, c.grid, c.block, c.shmem, nullptr)(p, nullptr, nullptr);
        cudaError_t err = cudaGetLastError();
        std::string msg = cudaGetErrorString(err);
        expect(err == c.want && msg.find(c.needle) != std::string::npos && msg.find("atomics_kernel") != std::string::npos,
               std::string("launch refused naming ") + c.needle + ": " + cudaGetErrorName(err) + " " + msg);
        expect(cudaGetLastError() == cudaSuccess, "a refused launch is not sticky");
    }
    cudaFree(p);
}

void memory_is_fresh_and_fenced() {
    float* d = device<float>(100);
    std::vector<unsigned> bits(100);
    cudaMemcpy(bits.data(), d, 400, cudaMemcpyDeviceToHost);
    bool all = true;
    for (unsigned b : bits) all = all && b == 0xFFFFFFFFu;
    expect(all, "device memory starts as 0xFF bytes (NaN)");
    double* cells = device<double>(8);
    HORKD_LAUNCH(fresh_shared_kernel, 8, 32, 0, nullptr)(cells);
    std::vector<double> c = fetch(cells, 8);
    bool nan = true;
    for (double v : c) nan = nan && std::isnan(v);
    expect(nan, "every block starts with NaN shared memory, not the previous block's");
    std::vector<float> h(200, 1.f);
    cudaError_t err = cudaMemcpy(d, h.data(), 404, cudaMemcpyHostToDevice);
    expect(err == cudaErrorInvalidValue && std::string(cudaGetErrorString(err)).find("runs 4 bytes past the end of the 400-byte") != std::string::npos,
           std::string("a copy past its allocation is refused: ") + cudaGetErrorString(err));
    err = cudaMemsetAsync(d + 50, 0, 400, nullptr);
    expect(err == cudaErrorInvalidValue && std::string(cudaGetErrorString(err)).find("past the end") != std::string::npos,
           std::string("a memset past its allocation is refused: ") + cudaGetErrorString(err));
    err = cudaMemcpy(d, cells, 8, cudaMemcpyHostToDevice);
    expect(err == cudaErrorInvalidValue && std::string(cudaGetErrorString(err)).find("asked to copy host to device") != std::string::npos,
           std::string("a copy in the wrong direction is refused: ") + cudaGetErrorString(err));
    expect(cudaFree(d + 1) == cudaErrorInvalidDevicePointer, "freeing inside an allocation is refused");
    err = cudaMemcpy(reinterpret_cast<char*>(d) - 16, h.data(), 64, cudaMemcpyHostToHost);
    expect(err == cudaErrorInvalidValue && std::string(cudaGetErrorString(err)).find("runs into the device allocation") != std::string::npos,
           std::string("a range that runs into an allocation is refused: ") + cudaGetErrorString(err));
    err = cudaMemcpy(d, h.data(), 4, static_cast<cudaMemcpyKind>(7));
    expect(err == cudaErrorInvalidMemcpyDirection, "an unknown copy kind is refused");
    cudaStream_t bogus = reinterpret_cast<cudaStream_t>(0x1234);
    expect(cudaStreamSynchronize(bogus) == cudaErrorInvalidResourceHandle, "an unknown stream is refused");
    cudaGetLastError();
    cudaFree(d);
    cudaFree(cells);
}

void votes_atomics_and_grids_are_exact() {
    int* out = device<int>(8 * 32);
    HORKD_LAUNCH(votes_kernel, 1, 32, 0, nullptr)(out);
    std::vector<int> o = fetch(out, 8 * 32);
    unsigned ballot = 0;
    for (int l = 0; l < 32; ++l) ballot |= (l % 3 == 0 ? 1u : 0u) << l;
    bool ok = true;
    for (int l = 0; l < 32; ++l) {
        const int* r = &o[8 * l];
        int up = l % 8 >= 3 ? l - 3 : l, down = l % 8 + 4 < 8 ? l + 4 : l;
        ok = ok && static_cast<unsigned>(r[0]) == ballot && r[1] == 1 && r[2] == 1 && r[3] == (l ^ 5) * 10 &&
             r[4] == up * 10 && r[5] == (l / 16 * 16 + 6) * 10 && r[6] == down * 10 && r[7] == 0;
    }
    expect(ok, "ballot, all, any, and shuffles by index, up, down and xor within segments");
    cudaFree(out);

    int* count = device<int>(1);
    unsigned long long* lowest = device<unsigned long long>(1);
    unsigned* flags = device<unsigned>(64 * 256 / 32);
    cudaMemset(count, 0, sizeof(int));
    cudaMemset(flags, 0, 64 * 256 / 8);
    unsigned long long big = ~0ULL;
    cudaMemcpy(lowest, &big, sizeof big, cudaMemcpyHostToDevice);
    HORKD_LAUNCH(atomics_kernel, 64, 256, 0, nullptr)(count, lowest, flags);
    bool all = true;
    for (unsigned f : fetch(flags, 64 * 256 / 32)) all = all && f == 0xFFFFFFFFu;
    expect(fetch(count, 1)[0] == 64 * 256 && fetch(lowest, 1)[0] == 1000000 - 64 * 256 + 1 && all,
           "integer atomics across blocks running in parallel");
    cudaFree(count);
    cudaFree(lowest);
    cudaFree(flags);

    unsigned* lanes = device<unsigned>(48);
    cudaMemset(lanes, 0, sizeof(unsigned) * 48);
    HORKD_LAUNCH(exited_lanes_kernel, 1, 48, 0, nullptr)(lanes);  // a full warp and a partial one
    std::vector<unsigned> lv = fetch(lanes, 48);
    bool legal = cudaGetLastError() == cudaSuccess;
    for (unsigned t = 0; t < 48; ++t) {
        const unsigned lane = t % 32, present = t < 32 ? 32 : 16;
        unsigned live = 0;
        for (unsigned c = 0; c < present; ++c) live |= (c % 4 == 3 ? 0u : 1u) << c;
        legal = legal && lv[t] == (lane % 4 == 3 ? 0u : (live + (1u << 31) + ((lane & ~3u) << 24)));
    }
    expect(legal, "votes, __syncwarp and shuffles of live lanes with exited and absent lanes in the mask");
    cudaFree(lanes);

    float* ones = device<float>(32);
    HORKD_LAUNCH(oversized_shared_kernel, 1, 32, 0, nullptr)(ones);
    expect(fetch(ones, 32) == std::vector<float>(32, 1.f), "the oversized kernel runs (only the static check refuses it)");
    cudaFree(ones);

    const dim3 grid(3, 2, 2), block(4, 2, 2);
    const int total = 3 * 2 * 2 * 16;
    int* hits = device<int>(total);
    cudaMemset(hits, 0, sizeof(int) * total);
    HORKD_LAUNCH(grid3_kernel, grid, block, 0, nullptr)(hits);
    bool once = true;
    for (int h : fetch(hits, total)) once = once && h == 1;
    expect(once, "a 3-d grid of 3-d blocks visits every thread once");
    cudaFree(hits);
}

// The lazy streams run work only when it is waited for, so a consumer that does not wait for its
// producer reads the fill pattern; with the dependency (blocking stream, or eager mode) it reads 0.
void stream_dependencies_are_needed() {
    horkd_emu::set_lazy_streams(true);  // whatever HORKD_EMU_STREAMS says
    const int n = 64;
    float* src = device<float>(n);
    float* dst = device<float>(n);
    auto run = [&](unsigned flags) {
        cudaStream_t s;
        cudaStreamCreateWithFlags(&s, flags);
        cudaMemsetAsync(dst, 0xFF, sizeof(float) * n, s);
        cudaStreamSynchronize(s);
        cudaMemsetAsync(src, 0, sizeof(float) * n, nullptr);  // producer on the legacy stream
        HORKD_LAUNCH(copy_kernel, 1, 64, 0, s)(src, dst, n);  // consumer on s
        cudaStreamSynchronize(s);
        std::vector<float> h(n);
        cudaMemcpyAsync(h.data(), dst, sizeof(float) * n, cudaMemcpyDeviceToHost, s);
        cudaStreamSynchronize(s);
        cudaDeviceSynchronize();
        cudaStreamDestroy(s);
        return h[0];
    };
    expect(std::isnan(run(cudaStreamNonBlocking)), "non-blocking stream: the legacy-stream memset has not run for it");
    expect(run(cudaStreamDefault) == 0.f, "blocking stream: the legacy-stream memset runs first");
    horkd_emu::set_lazy_streams(false);
    expect(run(cudaStreamNonBlocking) == 0.f, "eager mode runs every call at once");
    horkd_emu::set_lazy_streams(true);
    // Host staging: pageable sources are taken at the call; pinned ones at execution.
    float* pinned = nullptr;
    cudaHostAlloc(reinterpret_cast<void**>(&pinned), sizeof(float) * n, cudaHostAllocDefault);
    std::vector<float> pageable(n, 1.f), back(n);
    cudaStream_t s;
    cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking);
    cudaMemcpyAsync(src, pageable.data(), sizeof(float) * n, cudaMemcpyHostToDevice, s);
    pageable[0] = 2.f;
    for (int i = 0; i < n; ++i) pinned[i] = 3.f;
    cudaMemcpyAsync(dst, pinned, sizeof(float) * n, cudaMemcpyHostToDevice, s);
    pinned[0] = 4.f;
    cudaStreamSynchronize(s);
    expect(fetch(src, 1)[0] == 1.f && fetch(dst, 1)[0] == 4.f, "pageable copies stage at the call, pinned ones read at execution");
    cudaStreamDestroy(s);
    cudaFreeHost(pinned);
    cudaFree(src);
    cudaFree(dst);
}

}  // namespace

int main(int argc, char** argv) {
    const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
    correct_kernels_pass_in_every_order();
    missing_barrier_and_race_are_caught();
    faults_are_named();
    if (!quick) {
        launch_limits_are_a_gpus();
        memory_is_fresh_and_fenced();
        votes_atomics_and_grids_are_exact();
        stream_dependencies_are_needed();
    }
    std::printf("%d checks, %d failures\n", checks, failures);
    return failures == 0 ? 0 : 1;
}
