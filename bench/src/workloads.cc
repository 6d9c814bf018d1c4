#include "workloads.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <new>
#include <numeric>
#include <random>
#include <stdexcept>
#include <system_error>
#include <thread>

namespace ffbench {
namespace {

const std::uint64_t kPage = static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
constexpr std::uint64_t kChunk = 64 * 1024;

[[noreturn]] void fail(const char *what)
{
	throw std::system_error(errno, std::generic_category(), what);
}

// A read-write mapping (flags and fd as mmap takes them), unmapped when it
// goes out of scope.
class Mapping {
public:
	Mapping(std::uint64_t bytes, int flags, int fd) : bytes_(bytes)
	{
		void *p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, flags, fd, 0);
		if (p == MAP_FAILED)
			fail("mmap");
		p_ = static_cast<char *>(p);
	}
	~Mapping() { munmap(p_, bytes_); }
	Mapping(const Mapping &) = delete;
	Mapping &operator=(const Mapping &) = delete;
	char *data() const { return p_; }
	std::uint64_t bytes() const { return bytes_; }

private:
	std::uint64_t bytes_;
	char *p_;
};

// A private anonymous mapping.
class AnonMap : public Mapping {
public:
	explicit AnonMap(std::uint64_t bytes)
		: Mapping(bytes, MAP_PRIVATE | MAP_ANONYMOUS, -1)
	{
	}
};

// A new file in dir, unlinked at once so that nothing is left behind if
// the run dies; closed when it goes out of scope.
class TempFile {
public:
	explicit TempFile(const std::string &dir)
	{
		std::string path = dir + "/ffbench.XXXXXX";
		fd_ = mkstemp(path.data());
		if (fd_ < 0)
			fail("mkstemp in file_dir");
		unlink(path.c_str());
	}
	~TempFile() { close(fd_); }
	TempFile(const TempFile &) = delete;
	TempFile &operator=(const TempFile &) = delete;
	int fd() const { return fd_; }

private:
	int fd_;
};

void touch_pages(char *p, std::uint64_t bytes, std::uint64_t stride)
{
	for (std::uint64_t off = 0; off < bytes; off += stride)
		p[off] = static_cast<char>(off / stride + 1);
}

void write_pattern(char *p, std::uint64_t bytes, unsigned round)
{
	for (std::uint64_t pg = 0; pg < bytes / kPage; pg++)
		p[pg * kPage] = page_pattern(pg, round);
}

bool holds_pattern(const char *p, std::uint64_t bytes, unsigned round)
{
	for (std::uint64_t pg = 0; pg < bytes / kPage; pg++)
		if (p[pg * kPage] != page_pattern(pg, round))
			return false;
	return true;
}

// Runs body(0) .. body(n - 1), each on a thread of its own, and waits for
// them all. Rethrows the first exception a thread threw: one escaping a
// std::thread would abort the child without a report.
void run_threads(unsigned n, const std::function<void(unsigned)> &body)
{
	std::mutex mu;
	std::exception_ptr first;
	auto guarded = [&](unsigned i) {
		try {
			body(i);
		} catch (...) {
			std::lock_guard<std::mutex> lock(mu);
			if (!first)
				first = std::current_exception();
		}
	};
	std::vector<std::thread> threads;
	try {
		for (unsigned i = 0; i < n; i++)
			threads.emplace_back(guarded, i);
	} catch (...) {
		for (auto &t : threads)
			t.join();
		throw;
	}
	for (auto &t : threads)
		t.join();
	if (first)
		std::rethrow_exception(first);
}

WorkloadOutput dense_write(const Params &prm, Meter &m)
{
	AnonMap map(prm.bytes);
	m.start();
	touch_pages(map.data(), map.bytes(), kPage);
	m.stop();
	return {prm.bytes / kPage, prm.bytes};
}

// Runs touch() on `rounds` fresh mappings of prm.bytes, one after another,
// unmapping each before the next: the unmap is measured with the faults,
// since what a fault sets up (a reservation, a folio) is paid for again
// there. The last mapping stays for the RSS.
//
// The sparse workloads take as many rounds as make their faults those of
// dense-write over the same bytes (16384). One round would not measure
// system time: 1024 faults take 7 ms under TCG, and 6.1 can move up to a
// tick (4 ms at HZ=250) between the user and the system time getrusage()
// reports at each end: task_cputime() leaves out the user time not yet
// flushed to the task while it runs in the kernel, and cputime_adjust()
// hands the difference to whichever side keeps both monotonic.
WorkloadOutput touch_fresh_maps(const Params &prm, Meter &m, unsigned rounds,
				const std::function<std::uint64_t(char *)> &touch)
{
	std::optional<AnonMap> map;
	std::uint64_t ops = 0;
	m.start();
	for (unsigned r = 0; r < rounds; r++) {
		map.reset();
		map.emplace(prm.bytes);
		ops += touch(map->data());
	}
	m.stop();
	return {ops, prm.bytes};
}

WorkloadOutput sparse_64k(const Params &prm, Meter &m)
{
	return touch_fresh_maps(prm, m, kChunk / kPage, [&](char *p) {
		touch_pages(p, prm.bytes, kChunk);
		return prm.bytes / kChunk;
	});
}

WorkloadOutput random_4k(const Params &prm, Meter &m)
{
	const auto pages = random_quarter(prm.bytes / kPage, prm.seed);
	return touch_fresh_maps(prm, m, 4, [&](char *p) {
		for (std::uint64_t pg : pages)
			p[pg * kPage] = 1;
		return static_cast<std::uint64_t>(pages.size());
	});
}

// The kernel's gup_test interface (mm/gup_test.h, not uapi in 6.1).
struct GupTest {
	std::uint64_t get_delta_usec, put_delta_usec, addr, size;
	std::uint32_t nr_pages_per_call, gup_flags, test_flags;
	std::uint32_t which_pages[8];
};
const unsigned long kPinFastBenchmark = _IOWR('g', 2, GupTest);
constexpr std::uint64_t kPmd = 2ull << 20;

// The gup-pin buffer: anonymous 4 KiB PTEs (no THP), or a device's mapping
// (fastfault.ko's devmap device maps PMDs), faulted in before measuring.
class PinBuffer {
public:
	explicit PinBuffer(const Params &prm) : bytes_(prm.bytes)
	{
		int fd = -1;
		int flags = MAP_PRIVATE | MAP_ANONYMOUS;
		if (!prm.pin_device.empty()) {
			fd = open(prm.pin_device.c_str(), O_RDWR);
			if (fd < 0)
				fail("open of --pin-device");
			flags = MAP_SHARED;
		}
		void *p = mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, flags, fd, 0);
		if (fd >= 0)
			close(fd);
		if (p == MAP_FAILED)
			fail("mmap of the gup-pin buffer");
		p_ = static_cast<char *>(p);
		if (fd < 0)
			madvise(p_, bytes_, MADV_NOHUGEPAGE);
		touch_pages(p_, bytes_, kPage);
	}
	~PinBuffer() { munmap(p_, bytes_); }
	PinBuffer(const PinBuffer &) = delete;
	PinBuffer &operator=(const PinBuffer &) = delete;
	char *data() const { return p_; }

private:
	std::uint64_t bytes_;
	char *p_;
};

WorkloadOutput gup_pin(const Params &prm, Meter &m)
{
	PinBuffer buf(prm);
	int fd = open("/sys/kernel/debug/gup_test", O_RDWR);
	if (fd < 0)
		fail("open of /sys/kernel/debug/gup_test (CONFIG_GUP_TEST)");
	GupTest t{};
	std::uint64_t pinned = 0;
	m.start();
	for (unsigned i = 0; i < prm.iterations; i++) {
		t.addr = reinterpret_cast<std::uintptr_t>(buf.data());
		t.size = prm.bytes;
		t.nr_pages_per_call = kPmd / kPage;
		t.gup_flags = 1;  // FOLL_WRITE
		if (ioctl(fd, kPinFastBenchmark, &t) != 0) {
			close(fd);
			fail("PIN_FAST_BENCHMARK");
		}
		pinned += t.size / kPage;
	}
	m.stop();
	close(fd);
	if (pinned != prm.iterations * (prm.bytes / kPage))
		throw std::runtime_error("gup-pin pinned less than the whole buffer");
	return {pinned, prm.bytes};
}

WorkloadOutput file_read(const Params &prm, Meter &m)
{
	const TempFile file(prm.file_dir);

	// Fill the page cache with write(), outside the measurement.
	std::vector<char> buf(1 << 20, 'f');
	for (std::uint64_t done = 0; done < prm.bytes; done += buf.size())
		if (write(file.fd(), buf.data(), buf.size()) != static_cast<ssize_t>(buf.size()))
			fail("write to the file-read file");
	void *p = mmap(nullptr, prm.bytes, PROT_READ, MAP_SHARED, file.fd(), 0);
	if (p == MAP_FAILED)
		fail("mmap of the file-read file");

	const volatile char *c = static_cast<const char *>(p);
	unsigned sum = 0;
	m.start();
	for (std::uint64_t off = 0; off < prm.bytes; off += kPage)
		sum += static_cast<unsigned char>(c[off]);
	m.stop();
	munmap(p, prm.bytes);
	if (sum != ('f' * (prm.bytes / kPage)))
		throw std::runtime_error("file-read read back wrong data");
	return {prm.bytes / kPage, prm.bytes};
}

unsigned thread_count(const Params &prm)
{
	if (prm.threads)
		return prm.threads;
	return std::max(1u, std::thread::hardware_concurrency());
}

// Touch the region, discard it with MADV_DONTNEED, again: `iterations` rounds.
// The last round is not discarded, so RSS is read with the memory present.
void refault_loop(char *p, std::uint64_t bytes, unsigned iterations)
{
	for (unsigned it = 0; it < iterations; it++) {
		if (it && madvise(p, bytes, MADV_DONTNEED))
			fail("madvise(MADV_DONTNEED)");
		write_pattern(p, bytes, it);
	}
}

// Tells the thread beside the faulters that they are done: a writer polls
// it between loops, a parked thread sleeps on it (in futex_wait, off the CPU).
class DoneSignal {
public:
	void raise()
	{
		{
			std::lock_guard<std::mutex> lock(mu_);
			raised_.store(true, std::memory_order_relaxed);
		}
		cv_.notify_all();
	}
	bool raised() const { return raised_.load(std::memory_order_relaxed); }
	void wait()
	{
		std::unique_lock<std::mutex> lock(mu_);
		cv_.wait(lock, [this] { return raised(); });
	}

private:
	std::mutex mu_;
	std::condition_variable cv_;
	std::atomic<bool> raised_{false};
};

// One mmap_lock writer: map 1 MiB, write one byte every `stride` bytes of
// it, unmap, until done() is true.
template <typename Done>
void mmap_writer(Done done, std::atomic<std::uint64_t> &loops, std::uint64_t stride)
{
	constexpr std::uint64_t bytes = 1 << 20;
	while (!done()) {
		AnonMap map(bytes);
		touch_pages(map.data(), bytes, stride);
		loops.fetch_add(1, std::memory_order_relaxed);
	}
}

// What runs beside the faulters of refault_threads().
enum class Beside {
	nothing,
	parked,       // a thread asleep until they finish
	writer,       // mmap_writer writing every page of its MiB
	lock_writer,  // mmap_writer writing one byte of its MiB
	other_mm,     // a parked thread, and lock_writer's loop in a child process
};

// lock_writer's loop in a child process: the same system calls, page
// faults, TLB invalidations and frees, but on a mm of its own, so that the
// faulters never wait for it on mmap_lock. What the faulters lose beside it
// is what sharing the machine with such a loop costs, whatever the locking.
class WriterProcess {
public:
	WriterProcess()
	{
		void *shared = mmap(nullptr, sizeof(State), PROT_READ | PROT_WRITE,
				    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (shared == MAP_FAILED)
			fail("mmap of the writer process's state");
		state_ = new (shared) State;
		pid_ = fork();
		if (pid_ < 0) {
			munmap(state_, sizeof(State));
			fail("fork of the writer process");
		}
		if (pid_ == 0)
			_exit(run_child());
	}
	~WriterProcess()
	{
		if (pid_ > 0)
			reap();
		munmap(state_, sizeof(State));
	}
	WriterProcess(const WriterProcess &) = delete;
	WriterProcess &operator=(const WriterProcess &) = delete;

	// Stops the child and returns its loop count; throws if it failed.
	std::uint64_t stop()
	{
		if (reap() != 0)
			throw std::runtime_error("the writer process failed");
		return state_->loops.load();
	}

private:
	struct State {
		std::atomic<bool> stop{false};
		std::atomic<std::uint64_t> loops{0};
	};

	int run_child()
	{
		try {
			// lock_writer's stride: one byte of each MiB.
			mmap_writer([this] { return state_->stop.load(std::memory_order_relaxed); },
				    state_->loops, 1 << 20);
			return 0;
		} catch (...) {
			return 1;
		}
	}
	// The child's exit status (0: it stopped when told).
	int reap()
	{
		int status = 0;

		state_->stop.store(true);
		if (waitpid(pid_, &status, 0) != pid_)
			status = -1;
		pid_ = -1;
		return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	}

	State *state_;
	pid_t pid_;
};

// The thread beside the faulters. Stopped and joined by stop(), or by the
// destructor when a faulter's exception unwinds past it.
class Sibling {
public:
	explicit Sibling(Beside kind) : kind_(kind)
	{
		// Forked before any thread of ours starts.
		if (kind == Beside::other_mm)
			process_ = std::make_unique<WriterProcess>();
		if (kind == Beside::parked || kind == Beside::other_mm)
			thread_ = std::thread([this] { done_.wait(); });
		else if (kind == Beside::writer)
			thread_ = std::thread([this] { write_until_done(kPage); });
		else if (kind == Beside::lock_writer)
			thread_ = std::thread([this] { write_until_done(1 << 20); });
	}
	~Sibling() { finish(); }
	Sibling(const Sibling &) = delete;
	Sibling &operator=(const Sibling &) = delete;

	// Tells it the faulters are done, waits for it, and returns its loop
	// count: 0 for a parked thread, none without a thread. Rethrows what
	// the writer threw.
	std::optional<std::uint64_t> stop()
	{
		finish();
		if (error_)
			std::rethrow_exception(error_);
		if (kind_ == Beside::nothing)
			return std::nullopt;
		if (process_)
			return process_->stop();
		return loops_.load();
	}

private:
	void write_until_done(std::uint64_t stride)
	{
		try {
			mmap_writer([this] { return done_.raised(); }, loops_, stride);
		} catch (...) {
			error_ = std::current_exception();
		}
	}
	void finish()
	{
		done_.raise();
		if (thread_.joinable())
			thread_.join();
	}

	Beside kind_;
	DoneSignal done_;
	std::atomic<std::uint64_t> loops_{0};
	std::exception_ptr error_;  // written by the thread, read after the join
	std::unique_ptr<WriterProcess> process_;
	std::thread thread_;
};

// `faulters` threads, each running refault_loop over a thread_bytes region
// of its own, with `beside` running next to them. ops: the faulters' page
// touches; writer_loops: the sibling's.
WorkloadOutput refault_threads(const Params &prm, Meter &m, unsigned faulters, Beside beside)
{
	std::vector<std::unique_ptr<AnonMap>> regions;
	for (unsigned i = 0; i < faulters; i++)
		regions.push_back(std::make_unique<AnonMap>(prm.thread_bytes));

	m.start();
	Sibling sibling(beside);
	run_threads(faulters, [&](unsigned i) {
		refault_loop(regions[i]->data(), prm.thread_bytes, prm.iterations);
	});
	const auto writer_loops = sibling.stop();
	m.stop();

	for (const auto &r : regions)
		if (prm.iterations && !holds_pattern(r->data(), r->bytes(), prm.iterations - 1))
			throw std::runtime_error("a faulter's region lost writes of its last round");
	return {std::uint64_t{faulters} * prm.iterations * (prm.thread_bytes / kPage),
		faulters * prm.thread_bytes, writer_loops};
}

WorkloadOutput threads_fault(const Params &prm, Meter &m)
{
	return refault_threads(prm, m, thread_count(prm), Beside::nothing);
}

WorkloadOutput threads_fault_mmap(const Params &prm, Meter &m)
{
	return refault_threads(prm, m, thread_count(prm), Beside::writer);
}

// spf-alone and spf-contended differ only in what the sibling does, so the
// ratio of their rates is what a writer of mmap_lock costs the faulters
// (ffcompare prints it). spf-alone keeps its sibling, asleep, so that both
// run the same threads; with them the mm has several users, which the
// kernel needs before it tries a fault without mmap_lock.
WorkloadOutput spf_alone(const Params &prm, Meter &m)
{
	return refault_threads(prm, m, spf_faulters(thread_count(prm)), Beside::parked);
}

// The sibling maps 1 MiB, writes one byte and unmaps it, as the probe of
// issue 15 did (6.1 ran 3.3K such loops a second beside the faulters,
// 6.12 12.4K): what it costs the faulters is mmap_lock held for write,
// thousands of times a second. A sibling that writes its whole MiB
// (threads-fault-mmap's) runs 256 faults a loop, a few hundred loops a
// second here, and then measures how two faulting threads share the
// machine more than what the lock costs.
WorkloadOutput spf_contended(const Params &prm, Meter &m)
{
	return refault_threads(prm, m, spf_faulters(thread_count(prm)), Beside::lock_writer);
}

// spf-contended's sibling loop run by a child process instead, beside a
// sleeping thread: the faulters' rate with no mmap_lock writer in their mm
// but the same work on the machine, the most any locking scheme can keep
// of spf-alone's rate beside that loop (under QEMU TCG, each TLB
// invalidation the loop broadcasts stops every vCPU).
WorkloadOutput spf_other_mm(const Params &prm, Meter &m)
{
	return refault_threads(prm, m, spf_faulters(thread_count(prm)), Beside::other_mm);
}

// What pf1, pf2 and pf3 map: will-it-scale's page_fault1, 2 and 3.
enum class PfBacking {
	anon,          // pf1: private anonymous memory
	file_private,  // pf2: a tmpfs file, MAP_PRIVATE: copy-on-write of its pages
	file_shared,   // pf3: a tmpfs file, MAP_SHARED: its page cache pages
};

int pf_map_flags(PfBacking b)
{
	if (b == PfBacking::anon)
		return MAP_PRIVATE | MAP_ANONYMOUS;
	return b == PfBacking::file_private ? MAP_PRIVATE : MAP_SHARED;
}

// One pf thread: map, write every page, unmap, `loops` times. The last
// mapping is handed back still mapped, as refault_loop leaves its last round,
// so that RSS and cont_kb are read with it present and its data checked.
std::unique_ptr<Mapping> pf_loop(PfBacking b, int fd, std::uint64_t bytes, unsigned loops)
{
	for (unsigned i = 0;; i++) {
		auto map = std::make_unique<Mapping>(bytes, pf_map_flags(b), fd);
		write_pattern(map->data(), bytes, i);
		if (i + 1 >= loops)
			return map;
	}
}

// Whether the file holds at each page what the last pf round left there:
// the pattern written through a shared mapping; through a private one,
// still the zeroes ftruncate made.
bool pf_file_holds(PfBacking b, int fd, std::uint64_t bytes, unsigned round)
{
	for (std::uint64_t pg = 0; pg < bytes / kPage; pg++) {
		char c;
		if (pread(fd, &c, 1, static_cast<off_t>(pg * kPage)) != 1)
			fail("pread of a pf file");
		if (c != (b == PfBacking::file_shared ? page_pattern(pg, round) : 0))
			return false;
	}
	return true;
}

WorkloadOutput pf_run(const Params &prm, Meter &m, PfBacking backing)
{
	const unsigned n = thread_count(prm);
	const unsigned loops = pf_loops(prm);
	// pf2, pf3: a file per thread, sized but without pages: the first loop
	// faults them into the page cache, as will-it-scale's do.
	std::vector<std::unique_ptr<TempFile>> files;
	if (backing != PfBacking::anon) {
		for (unsigned i = 0; i < n; i++) {
			files.push_back(std::make_unique<TempFile>(prm.file_dir));
			if (ftruncate(files.back()->fd(), static_cast<off_t>(prm.pf_bytes)))
				fail("ftruncate of a pf file");
		}
	}
	std::vector<std::unique_ptr<Mapping>> last(n);

	m.start();
	run_threads(n, [&](unsigned i) {
		last[i] = pf_loop(backing, files.empty() ? -1 : files[i]->fd(), prm.pf_bytes, loops);
	});
	m.stop();

	for (unsigned i = 0; i < n; i++) {
		if (!holds_pattern(last[i]->data(), prm.pf_bytes, loops - 1))
			throw std::runtime_error("a pf mapping lost writes of its last loop");
		if (!files.empty() &&
		    !pf_file_holds(backing, files[i]->fd(), prm.pf_bytes, loops - 1))
			throw std::runtime_error("a pf file does not hold what its mapping wrote");
	}
	return {std::uint64_t{n} * loops * (prm.pf_bytes / kPage), n * prm.pf_bytes};
}

WorkloadOutput pf1(const Params &prm, Meter &m) { return pf_run(prm, m, PfBacking::anon); }
WorkloadOutput pf2(const Params &prm, Meter &m) { return pf_run(prm, m, PfBacking::file_private); }
WorkloadOutput pf3(const Params &prm, Meter &m) { return pf_run(prm, m, PfBacking::file_shared); }

}  // namespace

std::vector<std::uint64_t> random_quarter(std::uint64_t pages, std::uint64_t seed)
{
	std::vector<std::uint64_t> idx(pages);
	std::iota(idx.begin(), idx.end(), 0);
	std::mt19937_64 rng(seed);
	std::shuffle(idx.begin(), idx.end(), rng);
	idx.resize(pages / 4);
	return idx;
}

char page_pattern(std::uint64_t page, unsigned round)
{
	return static_cast<char>(1 + (page + round) % 255);
}

unsigned spf_faulters(unsigned threads)
{
	return threads > 1 ? threads - 1 : 1;
}

unsigned pf_loops(const Params &prm)
{
	if (!prm.pf_bytes)
		return 1;
	const std::uint64_t touched = std::uint64_t{prm.iterations} * prm.thread_bytes;
	return static_cast<unsigned>(std::max<std::uint64_t>(1, touched / prm.pf_bytes));
}

const std::vector<Workload> &all_workloads()
{
	static const std::vector<Workload> list = {
		{"dense-write", "first-touch writes over every 4 KiB page", dense_write},
		{"sparse-64k", "one 4 KiB write per 64 KiB, on 16 fresh mappings in turn", sparse_64k},
		{"random-4k", "random 4 KiB writes over a quarter of the pages, on 4 fresh mappings in turn",
		 random_4k},
		{"file-read", "read faults over a tmpfs file", file_read},
		{"threads-fault", "a thread per CPU: touch 8 MiB, MADV_DONTNEED, repeat",
		 threads_fault},
		{"threads-fault-mmap", "threads-fault plus a thread looping mmap/touch/munmap",
		 threads_fault_mmap},
		{"gup-pin", "pin_user_pages_fast over the buffer, --iterations times (gup_test)",
		 gup_pin},
		{"spf-alone", "threads-fault on a CPU fewer, beside a sleeping thread", spf_alone},
		{"spf-contended", "threads-fault on a CPU fewer, beside mmap/write a byte/munmap loops",
		 spf_contended},
		{"spf-other-mm", "spf-contended's loops run by another process, not a thread",
		 spf_other_mm},
		{"pf1", "a thread per CPU: map 16 MiB anonymous, write, unmap, repeat", pf1},
		{"pf2", "pf1 on a private mapping of a tmpfs file (copy-on-write)", pf2},
		{"pf3", "pf1 on a shared mapping of a tmpfs file", pf3},
	};
	return list;
}

const Workload *find_workload(const std::string &name)
{
	for (const auto &w : all_workloads())
		if (w.name == name)
			return &w;
	return nullptr;
}

}  // namespace ffbench
