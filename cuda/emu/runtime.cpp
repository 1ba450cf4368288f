// The emulated CUDA device (see cuda_runtime.h for what it offers and docs/CUDA-EMULATION.md for what it
// proves). In order: settings, errors, fiber contexts, the block scheduler, kernel launches on the
// worker threads, memory, streams, the runtime API.
#include "cuda_runtime.h"

#include <link.h>
#include <sys/mman.h>
#include <ucontext.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <iterator>
#include <map>
#include <mutex>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
#define HORKD_EMU_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HORKD_EMU_ASAN 1
#endif
#endif
#if defined(HORKD_EMU_ASAN)
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

// Hand-written x86-64 switch unless HORKD_EMU_UCONTEXT is defined or the machine is another one (then
// glibc's swapcontext, which also saves the signal mask: a system call per switch, about 12x slower;
// docs/CUDA-EMULATION.md says why not Boost.Context).
#if defined(__x86_64__) && !defined(HORKD_EMU_UCONTEXT)
#define HORKD_EMU_ASM_SWITCH 1
#endif

namespace horkd_emu {
namespace detail {
__thread ThreadView* tl_thread = nullptr;
__thread const BlockView* tl_block = nullptr;
}  // namespace detail
}  // namespace horkd_emu

namespace {

using horkd_emu::Order;
using horkd_emu::detail::BlockView;
using horkd_emu::detail::Collective;
using horkd_emu::detail::ThreadView;

std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string format(const char* fmt, ...) {
    char buf[1024];
    va_list args;
    va_start(args, fmt);
    vsnprintf(buf, sizeof buf, fmt, args);
    va_end(args);
    return buf;
}

// ------------------------------------------------------------------------------------------ settings

struct Settings {
    Order blocks = Order::kForward, warps = Order::kForward, lanes = Order::kForward;
    bool warp_major = false;  // HORKD_EMU_SCHEDULE=warps
    unsigned long long seed = 1;
    bool lazy = true;
    int devices = 1;
    int threads = 1;
    bool trace = false;
};

Order parse_order(const char* name, const char* value, Order fallback) {
    if (value == nullptr || *value == '\0') return fallback;
    std::string v(value);
    if (v == "forward") return Order::kForward;
    if (v == "reverse") return Order::kReverse;
    if (v == "random") return Order::kRandom;
    std::fprintf(stderr, "horkd-emu: %s=%s is not forward, reverse or random\n", name, value);
    std::abort();
}

// A two-valued setting: false for `no` (or unset), true for `yes`; anything else stops the process.
bool env_switch(const char* name, const char* no, const char* yes) {
    const char* v = std::getenv(name);
    if (v == nullptr || *v == '\0' || std::strcmp(v, no) == 0) return false;
    if (std::strcmp(v, yes) == 0) return true;
    std::fprintf(stderr, "horkd-emu: %s=%s is not %s or %s\n", name, v, no, yes);
    std::abort();
}

Settings read_settings() {
    Settings s;
    Order all = parse_order("HORKD_EMU_ORDER", std::getenv("HORKD_EMU_ORDER"), Order::kForward);
    s.blocks = parse_order("HORKD_EMU_BLOCK_ORDER", std::getenv("HORKD_EMU_BLOCK_ORDER"), all);
    s.warps = parse_order("HORKD_EMU_WARP_ORDER", std::getenv("HORKD_EMU_WARP_ORDER"), all);
    s.lanes = parse_order("HORKD_EMU_LANE_ORDER", std::getenv("HORKD_EMU_LANE_ORDER"), all);
    if (const char* v = std::getenv("HORKD_EMU_SEED")) s.seed = std::strtoull(v, nullptr, 10);
    s.warp_major = env_switch("HORKD_EMU_SCHEDULE", "rounds", "warps");
    s.lazy = !env_switch("HORKD_EMU_STREAMS", "lazy", "eager");
    if (const char* v = std::getenv("HORKD_EMU_DEVICES")) s.devices = std::atoi(v) > 0 ? 1 : 0;
    unsigned hw = std::thread::hardware_concurrency();
    s.threads = static_cast<int>(std::min(8u, std::max(1u, hw)));
    if (const char* v = std::getenv("HORKD_EMU_THREADS")) s.threads = std::max(1, std::min(64, std::atoi(v)));
    s.trace = std::getenv("HORKD_EMU_TRACE") != nullptr && std::strcmp(std::getenv("HORKD_EMU_TRACE"), "0") != 0;
    return s;
}

Settings& settings() {
    static Settings s = read_settings();
    return s;
}

unsigned long long splitmix(unsigned long long& state) {
    unsigned long long z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// ------------------------------------------------------------------------------------------ errors

// One lock for the whole runtime: API calls, stream execution and the memory registry. Kernels run on
// the worker threads while the calling thread holds it and waits.
std::mutex g_mutex;

// A kernel fault poisons the context, as on a GPU: every later call returns it (cudaDeviceReset clears).
cudaError_t g_sticky = cudaSuccess;
std::string g_sticky_detail;

// The last error of this host thread (cudaGetLastError), with the emulator's detail of it.
thread_local cudaError_t t_last = cudaSuccess;
thread_local char t_detail[1024];
thread_local cudaError_t t_detail_code = cudaSuccess;

cudaError_t fail(cudaError_t err, const std::string& detail) {
    t_last = err;
    t_detail_code = err;
    std::snprintf(t_detail, sizeof t_detail, "%s", detail.c_str());
    if (settings().trace) std::fprintf(stderr, "horkd-emu: error %d: %s\n", static_cast<int>(err), t_detail);
    return err;
}

void set_sticky(cudaError_t err, const std::string& detail) {
    if (g_sticky != cudaSuccess) return;
    g_sticky = err;
    g_sticky_detail = detail;
    std::fprintf(stderr, "horkd-emu: %s\n", detail.c_str());
}

[[noreturn]] void host_misuse(const char* what) {
    std::fprintf(stderr, "horkd-emu: %s\n", what);
    std::abort();
}

// ------------------------------------------------------------------------------------------ fiber contexts

#if defined(HORKD_EMU_ASM_SWITCH)
// Saves the callee-saved registers of System V x86-64 on the current stack, stores the stack pointer in
// *save, loads `load` and pops the same registers from there. A new fiber's stack is laid out as if it
// had called this: six zero registers (r12 = the entry function), then the trampoline as return address.
extern "C" void horkd_emu_switch(void** save, void* load);
extern "C" void horkd_emu_trampoline();
asm(R"(
    .text
    .p2align 4
    .hidden horkd_emu_switch
    .globl horkd_emu_switch
    .type horkd_emu_switch, @function
horkd_emu_switch:
    .cfi_startproc
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .cfi_endproc
    .size horkd_emu_switch, .-horkd_emu_switch

    .p2align 4
    .hidden horkd_emu_trampoline
    .globl horkd_emu_trampoline
    .type horkd_emu_trampoline, @function
horkd_emu_trampoline:
    .cfi_startproc
    .cfi_undefined rip
    callq *%r12
    ud2
    .cfi_endproc
    .size horkd_emu_trampoline, .-horkd_emu_trampoline
)");

struct Context {
    void* sp = nullptr;
};

void context_make(Context& c, char* stack, size_t size, void (*entry)()) {
    // The trampoline is entered by `ret` with rsp 16-byte aligned, so its call sees the ABI's alignment.
    uintptr_t top = (reinterpret_cast<uintptr_t>(stack) + size) & ~static_cast<uintptr_t>(15);
    void** sp = reinterpret_cast<void**>(top - 72);
    sp[0] = nullptr;                                         // r15
    sp[1] = nullptr;                                         // r14
    sp[2] = nullptr;                                         // r13
    sp[3] = reinterpret_cast<void*>(entry);                  // r12
    sp[4] = nullptr;                                         // rbx
    sp[5] = nullptr;                                         // rbp
    sp[6] = reinterpret_cast<void*>(&horkd_emu_trampoline);  // return address
    sp[7] = nullptr;
    c.sp = sp;
}

inline void context_switch(Context& from, Context& to) { horkd_emu_switch(&from.sp, to.sp); }
#else
struct Context {
    ucontext_t uc;
};

void context_make(Context& c, char* stack, size_t size, void (*entry)()) {
    getcontext(&c.uc);
    c.uc.uc_stack.ss_sp = stack;
    c.uc.uc_stack.ss_size = size;
    c.uc.uc_link = nullptr;
    makecontext(&c.uc, entry, 0);
}

inline void context_switch(Context& from, Context& to) { swapcontext(&from.uc, &to.uc); }
#endif

// Fiber stacks: mapped once per worker and reused; a PROT_NONE page below each catches an overflow.
#if defined(HORKD_EMU_ASAN)
constexpr size_t kStackBytes = 1 << 20;
#else
constexpr size_t kStackBytes = 256 << 10;
#endif
constexpr size_t kGuardBytes = 4096;

struct Stack {
    char* base = nullptr;  // usable [base, base + kStackBytes)
    bool dirty = false;    // abandoned mid-kernel: its ASan poisoning must be cleared before reuse
};

Stack map_stack() {
    void* p = mmap(nullptr, kStackBytes + kGuardBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    if (p == MAP_FAILED) host_misuse("cannot map a fiber stack");
    if (mprotect(p, kGuardBytes, PROT_NONE) != 0) host_misuse("cannot protect a fiber stack's guard page");
    Stack s;
    s.base = static_cast<char*>(p) + kGuardBytes;
    return s;
}

// ------------------------------------------------------------------------------------------ block scheduler

enum class State : unsigned char { kRunnable, kAtBarrier, kAtWarp, kDone };

struct Fiber : ThreadView {
    Context ctx;
    State state = State::kRunnable;
    unsigned linear = 0;
    // At a warp collective: what this lane brought, and what it takes away.
    Collective op = Collective::kSyncWarp;
    unsigned mask = 0;
    unsigned long long bits = 0;
    int arg = 0;
    int width = 32;
    unsigned long long result = 0;
    void* fake_stack = nullptr;  // ASan's bookkeeping of the fiber's stack while it is switched out
};

const char* collective_name(Collective op) {
    switch (op) {
        case Collective::kSyncWarp: return "__syncwarp";
        case Collective::kShflIdx: return "__shfl_sync";
        case Collective::kShflUp: return "__shfl_up_sync";
        case Collective::kShflDown: return "__shfl_down_sync";
        case Collective::kShflXor: return "__shfl_xor_sync";
        case Collective::kBallot: return "__ballot_sync";
        case Collective::kAll: return "__all_sync";
        case Collective::kAny: return "__any_sync";
    }
    return "?";
}

struct Job;

// A worker thread runs blocks; while one runs, the worker's thread-local storage of this library holds
// that block's __shared__ variables (see cuda_runtime.h).
class Worker {
  public:
    void start(int index) {
        index_ = index;
        thread_ = std::thread([this] { loop(); });
    }

    void run_block(Job& job, unsigned long long block_linear);

    // Called from fibers (through the __thread pointer below).
    void barrier();
    unsigned long long collective(Collective op, unsigned mask, unsigned long long bits, int arg, int width);
    [[noreturn]] void fault(const char* fmt, ...) __attribute__((format(printf, 2, 3)));
    [[noreturn]] void finish();
    void enter();

  private:
    void loop();
    void find_thread_local_block();
    void resume(Fiber& f);
    void yield(Fiber& f, bool final);
    void make_order(unsigned round);
    bool complete_collectives();
    bool complete_warp(unsigned w);
    std::string where(const Fiber& f) const;
    std::string block_name() const;

    int index_ = 0;
    std::thread thread_;
    char* tls_base_ = nullptr;
    size_t tls_bytes_ = 0;
    std::vector<Stack> stacks_;
    std::vector<Fiber> fibers_;
    std::vector<unsigned> order_;
    Context host_;
    const void* host_stack_bottom_ = nullptr;
    size_t host_stack_size_ = 0;
    void* host_fake_stack_ = nullptr;
    BlockView view_{};
    Job* job_ = nullptr;
    unsigned long long block_linear_ = 0;
    unsigned threads_ = 0;
    Fiber* running_ = nullptr;
    std::string fault_;  // non-empty once a thread of the block faulted

    friend class Pool;
};

__thread Worker* tl_worker = nullptr;
__thread char tl_anchor;  // a thread-local of this library, to find its thread-local block

// One kernel launch, shared by the workers that run its blocks.
struct Job {
    const char* name = "";
    dim3 grid, block;
    std::shared_ptr<const std::function<void()>> body;
    unsigned long long blocks = 0, launch = 0;
    Order block_order = Order::kForward, warps = Order::kForward, lanes = Order::kForward;
    bool warp_major = false;
    unsigned long long seed = 1, stride = 1, offset = 0;  // the random block order: k = (stride i + offset) mod n
    std::atomic<unsigned long long> next{0};
    std::atomic<bool> failed{false};
    std::mutex fault_mutex;
    std::string fault;

    unsigned long long block_at(unsigned long long i) const {
        switch (block_order) {
            case Order::kForward: return i;
            case Order::kReverse: return blocks - 1 - i;
            case Order::kRandom: return static_cast<unsigned long long>((static_cast<unsigned __int128>(stride) * i + offset) % blocks);
        }
        return i;
    }
};

void fiber_main() {
    Worker* w = tl_worker;
    w->enter();
}

std::string Worker::block_name() const {
    return format("%s block (%u,%u,%u)", job_->name, view_.block_idx.x, view_.block_idx.y, view_.block_idx.z);
}

std::string Worker::where(const Fiber& f) const {
    return block_name() + format(" thread (%u,%u,%u)", f.thread_idx.x, f.thread_idx.y, f.thread_idx.z);
}

void Worker::find_thread_local_block() {
    tl_anchor = 1;  // makes sure this thread's block is allocated
    struct Found {
        char* base = nullptr;
        size_t bytes = 0;
    } found;
    dl_iterate_phdr(
        [](dl_phdr_info* info, size_t, void* data) {
            auto* out = static_cast<Found*>(data);
            for (int i = 0; i < info->dlpi_phnum; ++i) {
                const auto& ph = info->dlpi_phdr[i];
                if (ph.p_type != PT_TLS || info->dlpi_tls_data == nullptr) continue;
                char* base = static_cast<char*>(info->dlpi_tls_data);
                if (&tl_anchor >= base && &tl_anchor < base + ph.p_memsz) {
                    out->base = base;
                    out->bytes = ph.p_memsz;
                    return 1;
                }
            }
            return 0;
        },
        &found);
    if (found.base == nullptr) host_misuse("cannot find the thread-local block that holds __shared__ memory");
    tls_base_ = found.base;
    tls_bytes_ = found.bytes;
}

void Worker::make_order(unsigned round) {
    const unsigned warps = (threads_ + 31) / 32;
    std::vector<unsigned> w(warps);
    for (unsigned i = 0; i < warps; ++i) w[i] = i;
    unsigned long long rng = job_->seed ^ (job_->launch * 0x9e3779b97f4a7c15ULL) ^ (block_linear_ << 20) ^ round;
    if (job_->warps == Order::kReverse) std::reverse(w.begin(), w.end());
    if (job_->warps == Order::kRandom) {
        for (unsigned i = warps; i > 1; --i) std::swap(w[i - 1], w[splitmix(rng) % i]);
    }
    order_.clear();
    for (unsigned wi : w) {
        unsigned lanes[32];
        unsigned n = std::min(32u, threads_ - wi * 32);
        for (unsigned l = 0; l < n; ++l) lanes[l] = l;
        if (job_->lanes == Order::kReverse) std::reverse(lanes, lanes + n);
        if (job_->lanes == Order::kRandom) {
            for (unsigned i = n; i > 1; --i) std::swap(lanes[i - 1], lanes[splitmix(rng) % i]);
        }
        for (unsigned l = 0; l < n; ++l) order_.push_back(wi * 32 + lanes[l]);
    }
}

void Worker::resume(Fiber& f) {
    running_ = &f;
    horkd_emu::detail::tl_thread = &f;
#if defined(HORKD_EMU_ASAN)
    __sanitizer_start_switch_fiber(&host_fake_stack_, stacks_[f.linear].base, kStackBytes);
#endif
    context_switch(host_, f.ctx);
#if defined(HORKD_EMU_ASAN)
    __sanitizer_finish_switch_fiber(host_fake_stack_, nullptr, nullptr);
#endif
    running_ = nullptr;
    horkd_emu::detail::tl_thread = nullptr;
}

void Worker::yield(Fiber& f, bool final) {
#if defined(HORKD_EMU_ASAN)
    __sanitizer_start_switch_fiber(final ? nullptr : &f.fake_stack, host_stack_bottom_, host_stack_size_);
#else
    (void)final;
#endif
    context_switch(f.ctx, host_);
#if defined(HORKD_EMU_ASAN)
    __sanitizer_finish_switch_fiber(f.fake_stack, nullptr, nullptr);
#endif
}

void Worker::enter() {
#if defined(HORKD_EMU_ASAN)
    __sanitizer_finish_switch_fiber(nullptr, &host_stack_bottom_, &host_stack_size_);
#endif
    (*job_->body)();
    finish();
}

void Worker::finish() {
    Fiber& f = *running_;
    f.state = State::kDone;
    yield(f, true);
    host_misuse("a finished fiber was resumed");
}

// The fiber never returns from here, so nothing it owns may need a destructor: the message is formatted
// on its stack and copied into the worker before the switch.
void Worker::fault(const char* fmt, ...) {
    if (fault_.empty()) {
        char what[512];
        va_list args;
        va_start(args, fmt);
        vsnprintf(what, sizeof what, fmt, args);
        va_end(args);
        fault_ = where(*running_) + ": " + what;
    }
    finish();
}

void Worker::barrier() {
    Fiber& f = *running_;
    f.state = State::kAtBarrier;
    yield(f, false);
}

unsigned long long Worker::collective(Collective op, unsigned mask, unsigned long long bits, int arg, int width) {
    Fiber& f = *running_;
    const unsigned lane = f.linear % 32;
    if ((mask >> lane & 1u) == 0) fault("%s with mask 0x%08x, which leaves out the calling lane %u", collective_name(op), mask, lane);
    if (width < 1 || width > 32 || (width & (width - 1)) != 0) fault("%s with width %d (a power of 2 up to 32)", collective_name(op), width);
    f.op = op;
    f.mask = mask;
    f.bits = bits;
    f.arg = arg;
    f.width = width;
    f.state = State::kAtWarp;
    yield(f, false);
    return f.result;
}

bool Worker::complete_collectives() {
    bool progress = false;
    const unsigned warps = (threads_ + 31) / 32;
    for (unsigned w = 0; w < warps && fault_.empty(); ++w) progress = complete_warp(w) || progress;
    return progress && fault_.empty();
}

// The waiting lanes of warp w that form complete groups get their results; anything else is a named
// fault. The hardware's rule (sm_70 on): every lane of the mask that has not exited takes part, with the
// same collective, mask and width; lanes that have exited, or do not exist in a partial warp, are left
// out, and only reading a value from one of them (or from a lane outside the mask) is an error.
// Returns whether any lane can run again.
bool Worker::complete_warp(unsigned w) {
    const unsigned base = w * 32;
    const unsigned present = std::min(32u, threads_ - base);
    auto is_shuffle = [](Collective op) {
        return op == Collective::kShflIdx || op == Collective::kShflUp || op == Collective::kShflDown || op == Collective::kShflXor;
    };
    bool progress = false;
    for (unsigned l = 0; l < present; ++l) {
        const Fiber& lead = fibers_[base + l];
        if (lead.state != State::kAtWarp) continue;
        const unsigned mask = lead.mask;
        const char* name = collective_name(lead.op);
        unsigned group = 0;  // the lanes that take part: in the mask, present, not exited
        for (unsigned b = 0; b < present; ++b) {
            const Fiber& g = fibers_[base + b];
            if ((mask >> b & 1u) == 0 || g.state == State::kDone) continue;
            group |= 1u << b;
            const char* instead = nullptr;
            if (g.state == State::kAtBarrier) {
                fault_ = where(lead) + format(": %s with mask 0x%08x: lane %u waits at __syncthreads instead (divergent warp)", name, mask, b);
            } else if (g.op != lead.op || g.mask != mask) {
                instead = collective_name(g.op);
                fault_ = where(lead) + format(": %s with mask 0x%08x: lane %u waits at %s with mask 0x%08x instead (divergent warp)",
                                              name, mask, b, instead, g.mask);
            } else if (g.width != lead.width) {
                fault_ = where(lead) + format(": %s with width %d: lane %u uses width %d", name, lead.width, b, g.width);
            }
            if (!fault_.empty()) return false;
        }
        unsigned votes = 0;
        for (unsigned c = 0; c < 32; ++c) {
            if ((group >> c & 1u) && fibers_[base + c].bits) votes |= 1u << c;
        }
        for (unsigned b = 0; b < 32; ++b) {
            if ((group >> b & 1u) == 0) continue;
            Fiber& g = fibers_[base + b];
            const unsigned width = static_cast<unsigned>(g.width);
            const unsigned seg = b / width * width;
            const unsigned arg = static_cast<unsigned>(g.arg);
            unsigned src = b;
            switch (g.op) {
                case Collective::kSyncWarp: g.result = 0; break;
                case Collective::kBallot: g.result = votes; break;
                case Collective::kAll: g.result = votes == group; break;
                case Collective::kAny: g.result = votes != 0; break;
                case Collective::kShflIdx: src = seg + static_cast<unsigned>(((g.arg % g.width) + g.width) % g.width); break;
                case Collective::kShflUp: src = b >= seg + arg ? b - arg : b; break;
                case Collective::kShflDown: src = b + arg < seg + width ? b + arg : b; break;
                case Collective::kShflXor: src = (b ^ arg) < seg + width ? b ^ arg : b; break;
            }
            if (!is_shuffle(g.op)) continue;
            if (src < 32 && (group >> src & 1u)) {
                g.result = fibers_[base + src].bits;
                continue;
            }
            const char* why = src >= 32 || (mask >> src & 1u) == 0 ? "is not in the mask"
                              : src >= present                     ? "is absent"
                                                                   : "has exited";
            fault_ = where(g) + format(": %s with mask 0x%08x reads lane %u, which %s", name, mask, src, why);
            if (src < 32 && src >= present) fault_ += format(" (the block has %u threads)", threads_);
            return false;
        }
        for (unsigned b = 0; b < 32; ++b) {
            if (group >> b & 1u) fibers_[base + b].state = State::kRunnable;
        }
        progress = true;
    }
    return progress;
}

void Worker::run_block(Job& job, unsigned long long block_linear) {
    job_ = &job;
    block_linear_ = block_linear;
    const dim3 g = job.grid, b = job.block;
    view_.grid_dim = g;
    view_.block_dim = b;
    view_.block_idx = {static_cast<unsigned>(block_linear % g.x), static_cast<unsigned>(block_linear / g.x % g.y),
                       static_cast<unsigned>(block_linear / (static_cast<unsigned long long>(g.x) * g.y))};
    threads_ = b.x * b.y * b.z;
    while (stacks_.size() < threads_) stacks_.push_back(map_stack());
    if (fibers_.size() < threads_) fibers_.resize(threads_);
    for (unsigned t = 0; t < threads_; ++t) {
        Fiber& f = fibers_[t];
        f.thread_idx = {t % b.x, t / b.x % b.y, t / (b.x * b.y)};
        f.linear = t;
        f.state = State::kRunnable;
        f.fake_stack = nullptr;
        Stack& s = stacks_[t];
#if defined(HORKD_EMU_ASAN)
        if (s.dirty) ASAN_UNPOISON_MEMORY_REGION(s.base, kStackBytes);
#endif
        s.dirty = false;
        context_make(f.ctx, s.base, kStackBytes, &fiber_main);
    }
    // Fresh __shared__ memory: NaN bytes, then this library's own thread-locals set again.
    std::memset(tls_base_, 0xFF, tls_bytes_);
    tl_worker = this;
    horkd_emu::detail::tl_block = &view_;
    horkd_emu::detail::tl_thread = nullptr;
    fault_.clear();

    for (unsigned round = 0;; ++round) {
        make_order(round);
        if (job_->warp_major) {
            // Each warp as far as it goes (its collectives completed at once) before the next one starts:
            // a warp runs ahead of the others, as the hardware lets it between two barriers.
            for (size_t at = 0; at < order_.size() && fault_.empty();) {
                size_t end = at;
                while (end < order_.size() && order_[end] / 32 == order_[at] / 32) ++end;
                do {
                    for (size_t i = at; i < end && fault_.empty(); ++i) {
                        if (fibers_[order_[i]].state == State::kRunnable) resume(fibers_[order_[i]]);
                    }
                } while (fault_.empty() && complete_warp(order_[at] / 32));
                at = end;
            }
        } else {
            // Round robin: every runnable thread once, to its next barrier or collective.
            for (unsigned t : order_) {
                if (fibers_[t].state == State::kRunnable) resume(fibers_[t]);
                if (!fault_.empty()) break;
            }
        }
        if (!fault_.empty()) break;
        unsigned done = 0, at_barrier = 0, at_warp = 0;
        for (unsigned t = 0; t < threads_; ++t) {
            switch (fibers_[t].state) {
                case State::kDone: ++done; break;
                case State::kAtBarrier: ++at_barrier; break;
                case State::kAtWarp: ++at_warp; break;
                case State::kRunnable: break;
            }
        }
        if (done == threads_) break;
        if (at_warp > 0) {
            if (complete_collectives()) continue;
            if (fault_.empty()) fault_ = block_name() + ": warp collectives that cannot complete";
            break;
        }
        if (done > 0) {  // everyone else waits at __syncthreads
            const Fiber* gone = nullptr;
            for (unsigned t = 0; t < threads_ && gone == nullptr; ++t) {
                if (fibers_[t].state == State::kDone) gone = &fibers_[t];
            }
            fault_ = block_name() + format(": __syncthreads reached by %u of %u threads; thread (%u,%u,%u) and %u more have exited",
                                           at_barrier, threads_, gone->thread_idx.x, gone->thread_idx.y, gone->thread_idx.z, done - 1);
            break;
        }
        for (unsigned t = 0; t < threads_; ++t) fibers_[t].state = State::kRunnable;
    }
    if (!fault_.empty()) {
        // Abandoned fibers, and the faulting one, left frames that never returned: their ASan poisoning
        // must be lifted before the stacks serve again.
        for (unsigned t = 0; t < threads_; ++t) stacks_[t].dirty = true;
        std::lock_guard<std::mutex> lock(job.fault_mutex);
        if (job.fault.empty()) job.fault = fault_;
        job.failed = true;
    }
    job_ = nullptr;
}

// The worker threads, woken per launch; the calling thread waits until the launch's blocks are done.
class Pool {
  public:
    void run(Job& job) {
        const int want = static_cast<int>(std::min<unsigned long long>(job.blocks, settings().threads));
        std::unique_lock<std::mutex> lock(m_);
        while (static_cast<int>(workers_.size()) < want) {
            workers_.push_back(std::make_unique<Worker>());
            workers_.back()->start(static_cast<int>(workers_.size()) - 1);
        }
        job_ = &job;
        wanted_ = want;
        active_ = want;
        ++generation_;
        wake_.notify_all();
        done_.wait(lock, [&] { return active_ == 0; });
        job_ = nullptr;
    }

    void work(Worker& w) {
        unsigned long long seen = 0;
        for (;;) {
            Job* job;
            {
                std::unique_lock<std::mutex> lock(m_);
                wake_.wait(lock, [&] { return generation_ != seen && w.index_ < wanted_; });
                seen = generation_;
                job = job_;
            }
            for (;;) {
                const unsigned long long i = job->next.fetch_add(1);
                if (i >= job->blocks || job->failed) break;
                w.run_block(*job, job->block_at(i));
            }
            std::lock_guard<std::mutex> lock(m_);
            if (--active_ == 0) done_.notify_all();
        }
    }

  private:
    std::mutex m_;
    std::condition_variable wake_, done_;
    std::vector<std::unique_ptr<Worker>> workers_;
    Job* job_ = nullptr;
    int wanted_ = 0;  // workers that take part in this launch (indices below it)
    int active_ = 0;  // of those, the ones not yet done
    unsigned long long generation_ = 0;
};

// Workers live as long as the process: the pool is never destroyed (no join at exit of a JVM).
Pool& pool() {
    static Pool* p = new Pool();
    return *p;
}

void Worker::loop() {
    find_thread_local_block();
    pool().work(*this);
}

unsigned long long g_launches = 0;

void run_kernel(Job& job) {
    pool().run(job);
    if (job.failed) set_sticky(cudaErrorLaunchFailure, "kernel fault: " + job.fault);
}

// ------------------------------------------------------------------------------------------ memory

struct Allocation {
    size_t bytes;
    bool pinned;  // page-locked host memory (cudaHostAlloc), else device memory
};
std::map<uintptr_t, Allocation> g_allocations;

// The allocation holding [p, p + bytes), or nullptr. *problem is set when the range leaves the allocation
// it starts in, runs into one from outside, or wraps around the address space.
const std::pair<const uintptr_t, Allocation>* find_allocation(const void* p, size_t bytes, std::string* problem) {
    const uintptr_t at = reinterpret_cast<uintptr_t>(p);
    if (bytes > UINTPTR_MAX - at) {
        *problem = format("[%p, +%zu) wraps around the address space", p, bytes);
        return nullptr;
    }
    auto next = g_allocations.upper_bound(at);  // the first allocation starting after `at`
    if (next != g_allocations.begin()) {
        auto it = std::prev(next);
        const uintptr_t end = it->first + it->second.bytes;
        if (at < end) {
            if (at + bytes <= end) return &*it;
            *problem = format("[%p, +%zu) runs %zu bytes past the end of the %zu-byte %s allocation at %p", p, bytes,
                              at + bytes - end, it->second.bytes, it->second.pinned ? "pinned" : "device",
                              reinterpret_cast<void*>(it->first));
            return nullptr;
        }
    }
    if (next != g_allocations.end() && next->first < at + bytes) {
        *problem = format("[%p, +%zu) runs into the %s allocation at %p", p, bytes, next->second.pinned ? "pinned" : "device",
                          reinterpret_cast<void*>(next->first));
    }
    return nullptr;
}

enum class Space { kDevice, kPinned, kPageable };

// Where [p, p + bytes) lies; an error names a range that starts inside an allocation but leaves it.
cudaError_t space_of(const char* fn, const char* what, const void* p, size_t bytes, Space* out) {
    std::string problem;
    const auto* a = find_allocation(p, bytes, &problem);
    if (!problem.empty()) return fail(cudaErrorInvalidValue, format("%s: %s %s", fn, what, problem.c_str()));
    *out = a == nullptr ? Space::kPageable : a->second.pinned ? Space::kPinned : Space::kDevice;
    return cudaSuccess;
}

cudaError_t allocate(void** ptr, size_t bytes, bool pinned, const char* fn) {
    if (ptr == nullptr) return fail(cudaErrorInvalidValue, format("%s: the pointer argument is NULL", fn));
    *ptr = nullptr;
    if (bytes == 0) return cudaSuccess;
    void* p = nullptr;
    if (posix_memalign(&p, 256, bytes) != 0 || p == nullptr) {
        return fail(cudaErrorMemoryAllocation, format("%s: cannot allocate %zu bytes", fn, bytes));
    }
    std::memset(p, 0xFF, bytes);  // uninitialised memory reads as NaN
    g_allocations[reinterpret_cast<uintptr_t>(p)] = Allocation{bytes, pinned};
    *ptr = p;
    return cudaSuccess;
}

// ------------------------------------------------------------------------------------------ streams

// Work runs when something waits for it (lazy) or at once (eager). The ordering rules are CUDA's: each
// stream in order; the legacy default stream (NULL) waits for all earlier work of the blocking streams
// and they for its earlier work; non-blocking streams wait for nobody.
struct Op {
    std::function<void()> run;
    std::vector<std::pair<CUstream_st*, unsigned long long>> after;  // (stream, count of its ops)
};

}  // namespace

struct CUstream_st {
    bool blocking = true;
    bool legacy = false;
    bool live = true;
    std::deque<Op> queue;
    unsigned long long enqueued = 0, executed = 0;
};

namespace {

CUstream_st g_legacy{true, true, true, {}, 0, 0};
std::vector<std::unique_ptr<CUstream_st>> g_streams;  // every stream created; destroyed ones drained, kept

// f(stream) for the legacy default stream, then every stream created, live or not.
template <typename F>
void for_each_stream(F f) {
    f(&g_legacy);
    for (auto& s : g_streams) f(s.get());
}

void discard_all() {
    for_each_stream([](CUstream_st* s) {
        s->queue.clear();
        s->executed = s->enqueued;
    });
}

void drain(CUstream_st* s, unsigned long long upto) {
    while (s->executed < upto && g_sticky == cudaSuccess) {
        Op op = std::move(s->queue.front());
        s->queue.pop_front();
        for (auto& dep : op.after) drain(dep.first, dep.second);
        if (g_sticky == cudaSuccess) op.run();
        ++s->executed;
    }
    if (g_sticky != cudaSuccess) discard_all();
}

void drain_all() {
    for_each_stream([](CUstream_st* s) { drain(s, s->enqueued); });
}

cudaError_t stream_of(const char* fn, cudaStream_t handle, CUstream_st** out) {
    if (handle == nullptr || handle == cudaStreamLegacy) {
        *out = &g_legacy;
        return cudaSuccess;
    }
    for (auto& s : g_streams) {
        if (s.get() == handle && s->live) {
            *out = s.get();
            return cudaSuccess;
        }
    }
    return fail(cudaErrorInvalidResourceHandle, format("%s: stream %p is not a live stream", fn, static_cast<void*>(handle)));
}

void enqueue(CUstream_st* s, std::function<void()> run) {
    Op op{std::move(run), {}};
    if (s->legacy) {
        for (auto& t : g_streams) {
            if (t->blocking && t->executed < t->enqueued) op.after.emplace_back(t.get(), t->enqueued);
        }
    } else if (s->blocking && g_legacy.executed < g_legacy.enqueued) {
        op.after.emplace_back(&g_legacy, g_legacy.enqueued);
    }
    s->queue.push_back(std::move(op));
    ++s->enqueued;
    if (!settings().lazy) drain(s, s->enqueued);
}

// Every API call starts here: the settings read, and a sticky error returned.
#define HORKD_EMU_ENTER()                                 \
    std::lock_guard<std::mutex> horkd_emu_lock_(g_mutex); \
    (void)settings();                                     \
    if (g_sticky != cudaSuccess) return g_sticky

const char* error_name(cudaError_t err) {
    switch (err) {
        case cudaSuccess: return "cudaSuccess";
        case cudaErrorInvalidValue: return "cudaErrorInvalidValue";
        case cudaErrorMemoryAllocation: return "cudaErrorMemoryAllocation";
        case cudaErrorInitializationError: return "cudaErrorInitializationError";
        case cudaErrorInvalidConfiguration: return "cudaErrorInvalidConfiguration";
        case cudaErrorInvalidDevicePointer: return "cudaErrorInvalidDevicePointer";
        case cudaErrorInvalidMemcpyDirection: return "cudaErrorInvalidMemcpyDirection";
        case cudaErrorInsufficientDriver: return "cudaErrorInsufficientDriver";
        case cudaErrorNoDevice: return "cudaErrorNoDevice";
        case cudaErrorInvalidDevice: return "cudaErrorInvalidDevice";
        case cudaErrorInvalidResourceHandle: return "cudaErrorInvalidResourceHandle";
        case cudaErrorNotReady: return "cudaErrorNotReady";
        case cudaErrorIllegalAddress: return "cudaErrorIllegalAddress";
        case cudaErrorLaunchOutOfResources: return "cudaErrorLaunchOutOfResources";
        case cudaErrorLaunchFailure: return "cudaErrorLaunchFailure";
        case cudaErrorNotSupported: return "cudaErrorNotSupported";
        case cudaErrorUnknown: return "cudaErrorUnknown";
    }
    return "cudaErrorUnknown";
}

const char* error_text(cudaError_t err) {
    switch (err) {
        case cudaSuccess: return "no error";
        case cudaErrorInvalidValue: return "invalid argument";
        case cudaErrorMemoryAllocation: return "out of memory";
        case cudaErrorInitializationError: return "initialization error";
        case cudaErrorInvalidConfiguration: return "invalid configuration argument";
        case cudaErrorInvalidDevicePointer: return "invalid device pointer";
        case cudaErrorInvalidMemcpyDirection: return "invalid copy direction for memcpy";
        case cudaErrorInsufficientDriver: return "CUDA driver version is insufficient for CUDA runtime version";
        case cudaErrorNoDevice: return "no CUDA-capable device is detected";
        case cudaErrorInvalidDevice: return "invalid device ordinal";
        case cudaErrorInvalidResourceHandle: return "invalid resource handle";
        case cudaErrorNotReady: return "device not ready";
        case cudaErrorIllegalAddress: return "an illegal memory access was encountered";
        case cudaErrorLaunchOutOfResources: return "too many resources requested for launch";
        case cudaErrorLaunchFailure: return "unspecified launch failure";
        case cudaErrorNotSupported: return "operation not supported";
        case cudaErrorUnknown: return "unknown error";
    }
    return "unknown error";
}

cudaError_t copy(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind, cudaStream_t stream, const char* fn,
                 bool blocking_call) {
    HORKD_EMU_ENTER();
    CUstream_st* s;
    if (cudaError_t err = stream_of(fn, stream, &s)) return err;
    if (kind < cudaMemcpyHostToHost || kind > cudaMemcpyDefault) {
        return fail(cudaErrorInvalidMemcpyDirection, format("%s: kind %d is not a cudaMemcpyKind", fn, static_cast<int>(kind)));
    }
    if (bytes == 0) return cudaSuccess;
    if (dst == nullptr || src == nullptr) return fail(cudaErrorInvalidValue, format("%s: NULL %s", fn, dst ? "source" : "destination"));
    Space ds, ss;
    if (cudaError_t err = space_of(fn, "destination", dst, bytes, &ds)) return err;
    if (cudaError_t err = space_of(fn, "source", src, bytes, &ss)) return err;
    const bool to_device = ds == Space::kDevice, from_device = ss == Space::kDevice;
    cudaMemcpyKind actual = to_device ? (from_device ? cudaMemcpyDeviceToDevice : cudaMemcpyHostToDevice)
                                      : (from_device ? cudaMemcpyDeviceToHost : cudaMemcpyHostToHost);
    if (kind != cudaMemcpyDefault && kind != actual) {
        static const char* names[] = {"host to host", "host to device", "device to host", "device to device", "default"};
        return fail(cudaErrorInvalidValue, format("%s: asked to copy %s, but %p -> %p is %s", fn, names[kind], src, dst, names[actual]));
    }
    if (settings().trace) std::fprintf(stderr, "horkd-emu: %s %zu bytes %p -> %p stream %p\n", fn, bytes, src, dst, static_cast<void*>(stream));
    if (actual == cudaMemcpyHostToDevice && ss == Space::kPageable) {
        // Pageable memory is staged at the call (the caller may reuse it at once), copied in order.
        auto staged = std::make_shared<std::vector<char>>(static_cast<const char*>(src), static_cast<const char*>(src) + bytes);
        enqueue(s, [dst, staged] { std::memcpy(dst, staged->data(), staged->size()); });
    } else {
        enqueue(s, [dst, src, bytes] { std::memmove(dst, src, bytes); });
    }
    // To pageable memory, between host buffers, and for the synchronous calls: returns when done.
    if (blocking_call || actual == cudaMemcpyHostToHost || (actual == cudaMemcpyDeviceToHost && ds == Space::kPageable)) {
        drain(s, s->enqueued);
    }
    return g_sticky;
}

cudaError_t set(void* ptr, int value, size_t bytes, cudaStream_t stream, const char* fn, bool blocking_call) {
    HORKD_EMU_ENTER();
    CUstream_st* s;
    if (cudaError_t err = stream_of(fn, stream, &s)) return err;
    if (bytes == 0) return cudaSuccess;
    Space space;
    if (cudaError_t err = space_of(fn, "range", ptr, bytes, &space)) return err;
    if (space != Space::kDevice) return fail(cudaErrorInvalidValue, format("%s: %p is not device memory", fn, ptr));
    enqueue(s, [ptr, value, bytes] { std::memset(ptr, value, bytes); });
    if (blocking_call) drain(s, s->enqueued);
    return g_sticky;
}

}  // namespace

// ------------------------------------------------------------------------------------------ the runtime's side

namespace horkd_emu {

void set_order(Order blocks, Order warps, Order lanes, unsigned long long seed) {
    std::lock_guard<std::mutex> lock(g_mutex);
    Settings& s = settings();
    s.blocks = blocks;
    s.warps = warps;
    s.lanes = lanes;
    s.seed = seed;
}

void set_schedule(bool warp_major) {
    std::lock_guard<std::mutex> lock(g_mutex);
    settings().warp_major = warp_major;
}

void set_lazy_streams(bool lazy) {
    std::lock_guard<std::mutex> lock(g_mutex);
    settings().lazy = lazy;
}

namespace detail {

namespace {
Worker& this_worker(const char* what) {
    Worker* w = tl_worker;
    if (w == nullptr || tl_thread == nullptr) {
        std::fprintf(stderr, "horkd-emu: %s called outside a kernel\n", what);
        std::abort();
    }
    return *w;
}
}  // namespace

void syncthreads() { this_worker("__syncthreads").barrier(); }

unsigned long long warp_collective(Collective op, unsigned mask, unsigned long long bits, int arg, int width) {
    return this_worker(collective_name(op)).collective(op, mask, bits, arg, width);
}

cudaError_t launch(const char* name, dim3 grid, dim3 block, size_t shmem, cudaStream_t stream,
                   std::shared_ptr<const std::function<void()>> body) {
    HORKD_EMU_ENTER();
    CUstream_st* s;
    if (cudaError_t err = stream_of(name, stream, &s)) return err;
    const unsigned long long threads = static_cast<unsigned long long>(block.x) * block.y * block.z;
    if (block.x == 0 || block.y == 0 || block.z == 0 || block.x > 1024 || block.y > 1024 || block.z > 64 || threads > 1024) {
        return fail(cudaErrorInvalidConfiguration,
                    format("%s: block (%u,%u,%u) (limits: x, y <= 1024, z <= 64, x*y*z <= 1024, none 0)", name, block.x,
                           block.y, block.z));
    }
    if (grid.x == 0 || grid.y == 0 || grid.z == 0 || grid.x > 2147483647u || grid.y > 65535 || grid.z > 65535) {
        return fail(cudaErrorInvalidConfiguration,
                    format("%s: grid (%u,%u,%u) (limits: x <= 2^31-1, y, z <= 65535, none 0)", name, grid.x, grid.y, grid.z));
    }
    if (shmem > 0) {
        return fail(cudaErrorNotSupported, format("%s: %zu bytes of dynamic shared memory: the emulator has none", name, shmem));
    }
    const unsigned long long launch_id = ++g_launches;
    if (settings().trace) {
        std::fprintf(stderr, "horkd-emu: launch %llu %s grid (%u,%u,%u) block (%u,%u,%u) stream %p\n", launch_id, name, grid.x,
                     grid.y, grid.z, block.x, block.y, block.z, static_cast<void*>(stream));
    }
    const Settings& set = settings();
    auto job = std::make_shared<Job>();
    job->name = name;
    job->grid = grid;
    job->block = block;
    job->body = std::move(body);
    job->blocks = static_cast<unsigned long long>(grid.x) * grid.y * grid.z;
    job->launch = launch_id;
    job->block_order = set.blocks;
    job->warps = set.warps;
    job->lanes = set.lanes;
    job->warp_major = set.warp_major;
    job->seed = set.seed;
    if (set.blocks == Order::kRandom) {
        unsigned long long rng = set.seed ^ (launch_id << 32);
        job->offset = splitmix(rng) % job->blocks;
        do {
            job->stride = 1 + splitmix(rng) % job->blocks;
        } while (std::gcd(job->stride, job->blocks) != 1);
    }
    enqueue(s, [job] { run_kernel(*job); });
    return g_sticky;
}

}  // namespace detail
}  // namespace horkd_emu

// ------------------------------------------------------------------------------------------ the runtime API

cudaError_t cudaGetDeviceCount(int* count) {
    HORKD_EMU_ENTER();
    if (count == nullptr) return fail(cudaErrorInvalidValue, "cudaGetDeviceCount: count is NULL");
    *count = settings().devices;
    if (*count == 0) return fail(cudaErrorNoDevice, "cudaGetDeviceCount: HORKD_EMU_DEVICES=0");
    return cudaSuccess;
}

cudaError_t cudaSetDevice(int device) {
    HORKD_EMU_ENTER();
    if (device != 0 || settings().devices == 0) return fail(cudaErrorInvalidDevice, format("cudaSetDevice: no device %d", device));
    return cudaSuccess;
}

cudaError_t cudaGetDevice(int* device) {
    HORKD_EMU_ENTER();
    if (device == nullptr) return fail(cudaErrorInvalidValue, "cudaGetDevice: device is NULL");
    *device = 0;
    return cudaSuccess;
}

cudaError_t cudaDeviceSynchronize() {
    HORKD_EMU_ENTER();
    drain_all();
    return g_sticky;
}

cudaError_t cudaDeviceReset() {
    std::lock_guard<std::mutex> lock(g_mutex);
    if (g_sticky == cudaSuccess) drain_all();
    discard_all();
    for (auto& a : g_allocations) std::free(reinterpret_cast<void*>(a.first));
    g_allocations.clear();
    for (auto& s : g_streams) s->live = false;
    g_sticky = cudaSuccess;
    g_sticky_detail.clear();
    t_last = cudaSuccess;
    return cudaSuccess;
}

cudaError_t cudaGetLastError() {
    std::lock_guard<std::mutex> lock(g_mutex);
    if (g_sticky != cudaSuccess) return g_sticky;
    cudaError_t err = t_last;
    t_last = cudaSuccess;
    return err;
}

cudaError_t cudaPeekAtLastError() {
    std::lock_guard<std::mutex> lock(g_mutex);
    return g_sticky != cudaSuccess ? g_sticky : t_last;
}

const char* cudaGetErrorName(cudaError_t err) { return error_name(err); }

const char* cudaGetErrorString(cudaError_t err) {
    std::lock_guard<std::mutex> lock(g_mutex);
    if (err != cudaSuccess && err == g_sticky && !g_sticky_detail.empty()) return g_sticky_detail.c_str();
    if (err != cudaSuccess && err == t_detail_code && t_detail[0] != '\0') return t_detail;
    return error_text(err);
}

cudaError_t cudaMalloc(void** ptr, size_t bytes) {
    HORKD_EMU_ENTER();
    return allocate(ptr, bytes, false, "cudaMalloc");
}

cudaError_t cudaHostAlloc(void** ptr, size_t bytes, unsigned flags) {
    HORKD_EMU_ENTER();
    (void)flags;
    return allocate(ptr, bytes, true, "cudaHostAlloc");
}

cudaError_t cudaMallocHost(void** ptr, size_t bytes) { return cudaHostAlloc(ptr, bytes, cudaHostAllocDefault); }

namespace {
cudaError_t release(void* ptr, bool pinned, const char* fn) {
    HORKD_EMU_ENTER();
    if (ptr == nullptr) return cudaSuccess;
    auto it = g_allocations.find(reinterpret_cast<uintptr_t>(ptr));
    if (it == g_allocations.end() || it->second.pinned != pinned) {
        return fail(pinned ? cudaErrorInvalidValue : cudaErrorInvalidDevicePointer,
                    format("%s: %p is not the start of a live %s allocation", fn, ptr, pinned ? "pinned" : "device"));
    }
    drain_all();  // as on a GPU, freeing waits for the device
    std::free(ptr);
    g_allocations.erase(it);
    return g_sticky;
}
}  // namespace

cudaError_t cudaFree(void* ptr) { return release(ptr, false, "cudaFree"); }
cudaError_t cudaFreeHost(void* ptr) { return release(ptr, true, "cudaFreeHost"); }

cudaError_t cudaMemcpy(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind) {
    return copy(dst, src, bytes, kind, nullptr, "cudaMemcpy", true);
}

cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind, cudaStream_t stream) {
    return copy(dst, src, bytes, kind, stream, "cudaMemcpyAsync", false);
}

cudaError_t cudaMemset(void* ptr, int value, size_t bytes) { return set(ptr, value, bytes, nullptr, "cudaMemset", true); }

cudaError_t cudaMemsetAsync(void* ptr, int value, size_t bytes, cudaStream_t stream) {
    return set(ptr, value, bytes, stream, "cudaMemsetAsync", false);
}

cudaError_t cudaStreamCreate(cudaStream_t* stream) { return cudaStreamCreateWithFlags(stream, cudaStreamDefault); }

cudaError_t cudaStreamCreateWithFlags(cudaStream_t* stream, unsigned flags) {
    HORKD_EMU_ENTER();
    if (stream == nullptr) return fail(cudaErrorInvalidValue, "cudaStreamCreateWithFlags: stream is NULL");
    if (flags & ~static_cast<unsigned>(cudaStreamNonBlocking)) {
        return fail(cudaErrorInvalidValue, format("cudaStreamCreateWithFlags: unknown flags 0x%x", flags));
    }
    g_streams.push_back(std::make_unique<CUstream_st>());
    g_streams.back()->blocking = (flags & cudaStreamNonBlocking) == 0;
    *stream = g_streams.back().get();
    return cudaSuccess;
}

cudaError_t cudaStreamDestroy(cudaStream_t stream) {
    HORKD_EMU_ENTER();
    if (stream == nullptr || stream == cudaStreamLegacy) {
        return fail(cudaErrorInvalidResourceHandle, "cudaStreamDestroy: the default stream cannot be destroyed");
    }
    CUstream_st* s;
    if (cudaError_t err = stream_of("cudaStreamDestroy", stream, &s)) return err;
    drain(s, s->enqueued);  // its work completes, as on a GPU
    s->live = false;
    return g_sticky;
}

cudaError_t cudaStreamSynchronize(cudaStream_t stream) {
    HORKD_EMU_ENTER();
    CUstream_st* s;
    if (cudaError_t err = stream_of("cudaStreamSynchronize", stream, &s)) return err;
    drain(s, s->enqueued);
    return g_sticky;
}

cudaError_t cudaStreamQuery(cudaStream_t stream) {
    // A poll must make progress: the stream's work runs now.
    return cudaStreamSynchronize(stream);
}
