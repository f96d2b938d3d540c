//===- ThreadPool.cpp - libEmberRuntime: the threads compiled code uses ---===//
//
// Compiled regions run their parallel loops through MLIR's OpenMP dialect
// (`convert-scf-to-openmp`): each becomes an `omp.parallel` region holding one
// statically scheduled `omp.wsloop`, which LLVM's OpenMPIRBuilder outlines and
// turns into calls of the OpenMP runtime ABI (`__kmpc_*`). This file is
// Ember's implementation of the part of that ABI such regions use, written for
// a process that also runs Python and forks:
//
//  * One pool of `threads - 1` workers per process. A parallel region is a
//    team of `threads` members: the calling thread runs member 0 and then runs
//    any queued member itself while it waits, so a busy pool slows a region
//    down but never stalls it, and one thread means no worker at all.
//  * Members never wait for each other: Ember marks every worksharing loop
//    `nowait` (`ember-omp-nowait`), the end of the region being the only join.
//    There is therefore no `__kmpc_barrier`; code that needs one fails to link
//    rather than run wrongly.
//  * Fork-safe: a forked child (a DataLoader worker) inherits no worker
//    threads, so it forgets the parent's pool and starts its own lazily.
//  * The thread count comes from EMBER_NUM_THREADS, else the CPUs this process
//    may run on; `emberRuntimeSetNumThreads` changes it between calls.
//
// It also owns the heap memory compiled code allocates for its temporaries
// (`finalize-memref-to-llvm{use-generic-functions}` calls the three
// `_mlir_memref_to_llvm_*` functions below): large blocks are kept for reuse,
// because a fresh multi-megabyte block from the system costs a page fault per
// 4 KiB on first touch, which measured 2-3x the time of the kernels using it.
//
//===----------------------------------------------------------------------===//

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <map>
#include <mutex>
#include <sched.h>
#include <thread>
#include <vector>

#include <pthread.h>

#define EMBER_RUNTIME_EXPORT extern "C" __attribute__((visibility("default")))

namespace {

//===----------------------------------------------------------------------===//
// The pool.
//===----------------------------------------------------------------------===//

struct Task {
  void (*fn)(void *, int);
  void *ctx;
  int index;
  void run() const { fn(ctx, index); }
};

class Pool {
public:
  explicit Pool(int threads) : threads(threads < 1 ? 1 : threads) {
    for (int i = 1; i < this->threads; ++i)
      workers.emplace_back([this] { workerLoop(); });
  }

  /// Lets the workers finish the queue, then joins them. The object itself is
  /// never freed, so a thread still waiting on it never touches freed memory.
  void shutdown() {
    {
      std::lock_guard<std::mutex> lock(mu);
      stopping = true;
    }
    cv.notify_all();
    for (std::thread &t : workers)
      t.join();
    workers.clear();
  }

  void enqueue(const Task *tasks, int n) {
    {
      std::lock_guard<std::mutex> lock(mu);
      queue.insert(queue.end(), tasks, tasks + n);
    }
    if (n == 1)
      cv.notify_one();
    else
      cv.notify_all();
  }

  /// Something became ready: wake the threads that wait for it.
  void notifyProgress() {
    {
      std::lock_guard<std::mutex> lock(mu);
    }
    cv.notify_all();
  }

  /// Runs queued tasks until `ready()` holds; sleeps only when the queue is
  /// empty. The timed wait guards against a wake-up lost to a concurrent
  /// change of the thread count (a progress notice sent to the new pool).
  template <typename Ready> void helpUntil(Ready ready) {
    std::unique_lock<std::mutex> lock(mu);
    while (!ready()) {
      if (!queue.empty()) {
        Task task = queue.front();
        queue.pop_front();
        lock.unlock();
        task.run();
        lock.lock();
        continue;
      }
      cv.wait_for(lock, std::chrono::milliseconds(1));
    }
  }

  int numThreads() const { return threads; }
  std::mutex &mutex() { return mu; }

private:
  void workerLoop() {
    std::unique_lock<std::mutex> lock(mu);
    while (true) {
      cv.wait(lock, [this] { return stopping || !queue.empty(); });
      if (queue.empty())
        return; // stopping and drained
      Task task = queue.front();
      queue.pop_front();
      lock.unlock();
      task.run();
      lock.lock();
    }
  }

  const int threads;
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Task> queue;
  std::vector<std::thread> workers;
  bool stopping = false;
};

int defaultThreadCount() {
  if (const char *env = std::getenv("EMBER_NUM_THREADS")) {
    int n = std::atoi(env);
    if (n >= 1)
      return n;
  }
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    int n = CPU_COUNT(&set);
    if (n >= 1)
      return n;
  }
  unsigned n = std::thread::hardware_concurrency();
  return n ? static_cast<int>(n) : 1;
}

std::mutex poolMu;
std::atomic<Pool *> pool{nullptr};
int requestedThreads = 0; // 0: not chosen yet

//===----------------------------------------------------------------------===//
// The block cache behind the memref allocation functions.
//===----------------------------------------------------------------------===//

/// Every block starts with a header (one cache line, so the block stays
/// 64-byte aligned) recording its size class; blocks below `kMinCached` bytes
/// are not cached (class 0) and go straight back to free().
struct BlockHeader {
  uint64_t bytes; // usable bytes after the header; 0: not cached
  uint64_t magic;
  char pad[48];
};
static_assert(sizeof(BlockHeader) == 64, "the header keeps 64-byte alignment");
constexpr uint64_t kMagic = 0x656d626572626c6bULL; // "emberblk"
constexpr uint64_t kMinCached = 64 * 1024;
constexpr uint64_t kMaxCachedTotal = uint64_t(2) << 30; // 2 GiB held at most

class BlockCache {
public:
  void *allocate(uint64_t bytes) {
    uint64_t size = bytes < kMinCached ? bytes : sizeClass(bytes);
    if (size >= kMinCached) {
      std::lock_guard<std::mutex> lock(mu);
      auto it = free.find(size);
      if (it != free.end() && !it->second.empty()) {
        BlockHeader *h = it->second.back();
        it->second.pop_back();
        held -= size;
        return h + 1;
      }
    }
    void *raw = nullptr;
    if (posix_memalign(&raw, 64, sizeof(BlockHeader) + size) != 0)
      return nullptr;
    auto *h = static_cast<BlockHeader *>(raw);
    h->bytes = size >= kMinCached ? size : 0;
    h->magic = kMagic;
    return h + 1;
  }

  void release(void *ptr) {
    if (!ptr)
      return;
    BlockHeader *h = static_cast<BlockHeader *>(ptr) - 1;
    if (h->magic != kMagic) {
      std::fprintf(stderr, "ember runtime: freeing a block it did not "
                           "allocate\n");
      std::abort();
    }
    if (h->bytes != 0) {
      std::lock_guard<std::mutex> lock(mu);
      if (held + h->bytes <= kMaxCachedTotal) {
        free[h->bytes].push_back(h);
        held += h->bytes;
        return;
      }
    }
    std::free(h);
  }

  /// Returns every held block to the system.
  void clear() {
    std::lock_guard<std::mutex> lock(mu);
    for (auto &[size, blocks] : free)
      for (BlockHeader *h : blocks)
        std::free(h);
    free.clear();
    held = 0;
  }

  uint64_t heldBytes() {
    std::lock_guard<std::mutex> lock(mu);
    return held;
  }

  std::mutex mu;

private:
  /// Sizes rounded up to 4 steps per power of two (at most 25% slack), so
  /// blocks of nearby sizes are shared.
  static uint64_t sizeClass(uint64_t bytes) {
    int top = 63 - __builtin_clzll(bytes);
    uint64_t step = uint64_t(1) << (top >= 2 ? top - 2 : 0);
    return (bytes + step - 1) / step * step;
  }

  std::map<uint64_t, std::vector<BlockHeader *>> free;
  uint64_t held = 0;
};

BlockCache &blockCache() {
  static BlockCache *cache = new BlockCache(); // never destroyed: used at exit
  return *cache;
}

void forkPrepare() {
  poolMu.lock();
  if (Pool *p = pool.load())
    p->mutex().lock();
  blockCache().mu.lock();
}

void forkParent() {
  blockCache().mu.unlock();
  if (Pool *p = pool.load())
    p->mutex().unlock();
  poolMu.unlock();
}

void forkChild() {
  // The parent's workers do not exist here; its pool (and the mutex held
  // since forkPrepare) is abandoned, and a new one starts on first use. The
  // block cache is this process's own copy.
  blockCache().mu.unlock();
  pool.store(nullptr);
  poolMu.unlock();
}

/// Registered when the library loads, before any pool or block exists.
[[maybe_unused]] const bool forkHandlersRegistered = [] {
  blockCache();
  pthread_atfork(forkPrepare, forkParent, forkChild);
  return true;
}();

Pool &currentPool() {
  if (Pool *p = pool.load(std::memory_order_acquire))
    return *p;
  std::lock_guard<std::mutex> lock(poolMu);
  if (Pool *p = pool.load())
    return *p;
  if (requestedThreads == 0)
    requestedThreads = defaultThreadCount();
  Pool *p = new Pool(requestedThreads);
  pool.store(p, std::memory_order_release);
  return *p;
}

//===----------------------------------------------------------------------===//
// Teams: one parallel region in flight.
//===----------------------------------------------------------------------===//

/// The OpenMP microtask: `fn(&global_tid, &bound_tid, shared args...)`.
using Microtask = void (*)(int32_t *, int32_t *, ...);

constexpr int kMaxArgs = 8;

struct Team {
  Microtask fn;
  int argc;
  void *args[kMaxArgs];
  int size;
  std::atomic<int> pending;
};

/// The member a thread is running (thread id and team size), for
/// `__kmpc_global_thread_num` and the static schedule.
thread_local int32_t currentTid = 0;
thread_local int32_t currentTeamSize = 1;

void invoke(Microtask fn, int32_t *gtid, int32_t *btid, int argc,
            void *const *a) {
  switch (argc) {
  case 0:
    return fn(gtid, btid);
  case 1:
    return fn(gtid, btid, a[0]);
  case 2:
    return fn(gtid, btid, a[0], a[1]);
  case 3:
    return fn(gtid, btid, a[0], a[1], a[2]);
  case 4:
    return fn(gtid, btid, a[0], a[1], a[2], a[3]);
  case 5:
    return fn(gtid, btid, a[0], a[1], a[2], a[3], a[4]);
  case 6:
    return fn(gtid, btid, a[0], a[1], a[2], a[3], a[4], a[5]);
  case 7:
    return fn(gtid, btid, a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
  default:
    return fn(gtid, btid, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]);
  }
}

void runMember(Team &team, int index) {
  int32_t savedTid = currentTid, savedSize = currentTeamSize;
  currentTid = index;
  currentTeamSize = team.size;
  int32_t gtid = index, btid = index;
  invoke(team.fn, &gtid, &btid, team.argc, team.args);
  currentTid = savedTid;
  currentTeamSize = savedSize;
}

void runQueuedMember(void *ctx, int index) {
  Team &team = *static_cast<Team *>(ctx);
  runMember(team, index);
  if (team.pending.fetch_sub(1) == 1)
    currentPool().notifyProgress();
}

} // namespace

//===----------------------------------------------------------------------===//
// The OpenMP runtime ABI subset.
//===----------------------------------------------------------------------===//

struct ident_t;

EMBER_RUNTIME_EXPORT int32_t __kmpc_global_thread_num(ident_t *) {
  return currentTid;
}

/// Runs `fn` on a team of `get_num_threads()` members and returns when all of
/// them are done. A region started inside a member runs on that member alone.
EMBER_RUNTIME_EXPORT void __kmpc_fork_call(ident_t *, int32_t argc,
                                           Microtask fn, ...) {
  if (argc < 0 || argc > kMaxArgs) {
    std::fprintf(stderr, "ember runtime: parallel region with %d arguments\n",
                 argc);
    std::abort();
  }
  Team team;
  team.fn = fn;
  team.argc = argc;
  va_list ap;
  va_start(ap, fn);
  for (int i = 0; i < argc; ++i)
    team.args[i] = va_arg(ap, void *);
  va_end(ap);

  Pool &p = currentPool();
  bool nested = currentTeamSize > 1;
  team.size = nested ? 1 : p.numThreads();
  if (team.size == 1) {
    runMember(team, 0);
    return;
  }
  team.pending.store(team.size - 1);
  std::vector<Task> tasks;
  tasks.reserve(team.size - 1);
  for (int i = 1; i < team.size; ++i)
    tasks.push_back({runQueuedMember, &team, i});
  p.enqueue(tasks.data(), static_cast<int>(tasks.size()));
  runMember(team, 0);
  p.helpUntil([&team] { return team.pending.load() == 0; });
}

/// The iterations [*lower, *upper] (inclusive, step `incr`) of the calling
/// member: contiguous, balanced blocks, as OpenMP's `schedule(static)`. The
/// loops Ember emits iterate over `index`, 64-bit, which the OpenMPIRBuilder
/// schedules as unsigned: the only `static_init` variant they call (another
/// one would fail to link, not run wrongly).
EMBER_RUNTIME_EXPORT void
__kmpc_for_static_init_8u(ident_t *, int32_t gtid, int32_t schedule,
                          int32_t *lastIter, uint64_t *lower, uint64_t *upper,
                          int64_t *stride, int64_t incr, int64_t chunk) {
  constexpr int32_t kStatic = 34;         // kmp_sch_static, without chunk size
  constexpr int32_t kModifiers = 3 << 29; // (non)monotonic
  if ((schedule & ~kModifiers) != kStatic || incr == 0) {
    std::fprintf(stderr,
                 "ember runtime: only schedule(static) loops with a nonzero "
                 "step are supported (schedule %d, step %lld)\n",
                 schedule, static_cast<long long>(incr));
    std::abort();
  }
  using W = __int128;
  int32_t tid = currentTid, size = currentTeamSize;
  W lo = static_cast<W>(*lower), hi = static_cast<W>(*upper);
  W trips = incr > 0 ? (hi >= lo ? (hi - lo) / incr + 1 : 0)
                     : (lo >= hi ? (lo - hi) / -static_cast<W>(incr) + 1 : 0);
  W per = trips / size, extra = trips % size;
  W begin = tid * per + (tid < extra ? tid : extra);
  W count = per + (tid < extra ? 1 : 0);
  *stride = static_cast<int64_t>(trips * incr);
  if (count == 0) {
    // An empty range: upper below lower (in the direction of the step).
    *lower = static_cast<uint64_t>(lo + trips * incr);
    *upper = static_cast<uint64_t>(lo + trips * incr - incr);
    if (lastIter)
      *lastIter = 0;
    return;
  }
  *lower = static_cast<uint64_t>(lo + begin * incr);
  *upper = static_cast<uint64_t>(lo + (begin + count - 1) * incr);
  if (lastIter)
    *lastIter = begin + count == trips;
}

/// The end of a statically scheduled loop: nothing to release.
EMBER_RUNTIME_EXPORT void __kmpc_for_static_fini(ident_t *, int32_t) {}

//===----------------------------------------------------------------------===//
// Ember's own controls (ember.set_num_threads / get_num_threads).
//===----------------------------------------------------------------------===//

EMBER_RUNTIME_EXPORT int emberRuntimeGetNumThreads() {
  return currentPool().numThreads();
}

/// Must not be called while a compiled region runs on another thread.
EMBER_RUNTIME_EXPORT void emberRuntimeSetNumThreads(int threads) {
  if (threads < 1)
    threads = 1;
  std::lock_guard<std::mutex> lock(poolMu);
  requestedThreads = threads;
  Pool *old = pool.load();
  if (old && old->numThreads() == threads)
    return;
  pool.store(new Pool(threads), std::memory_order_release);
  if (old)
    old->shutdown(); // drained and joined; the object is kept
}

//===----------------------------------------------------------------------===//
// Heap memory of compiled code (finalize-memref-to-llvm's generic functions).
//===----------------------------------------------------------------------===//

EMBER_RUNTIME_EXPORT void *_mlir_memref_to_llvm_alloc(uint64_t size) {
  return blockCache().allocate(size);
}

EMBER_RUNTIME_EXPORT void *
_mlir_memref_to_llvm_aligned_alloc(uint64_t alignment, uint64_t size) {
  if (alignment > sizeof(BlockHeader) ||
      (sizeof(BlockHeader) % (alignment ? alignment : 1)) != 0) {
    std::fprintf(
        stderr, "ember runtime: alignment %llu is not supported (64 at most)\n",
        static_cast<unsigned long long>(alignment));
    std::abort();
  }
  return blockCache().allocate(size);
}

EMBER_RUNTIME_EXPORT void _mlir_memref_to_llvm_free(void *ptr) {
  blockCache().release(ptr);
}

EMBER_RUNTIME_EXPORT uint64_t emberRuntimeCachedBytes() {
  return blockCache().heldBytes();
}

EMBER_RUNTIME_EXPORT void emberRuntimeEmptyCache() { blockCache().clear(); }
