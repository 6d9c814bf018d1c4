#include "workloads.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <memory>
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

// A private anonymous mapping, unmapped when it goes out of scope.
class AnonMap {
public:
	explicit AnonMap(std::uint64_t bytes) : bytes_(bytes)
	{
		void *p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			fail("mmap");
		p_ = static_cast<char *>(p);
	}
	~AnonMap() { munmap(p_, bytes_); }
	AnonMap(const AnonMap &) = delete;
	AnonMap &operator=(const AnonMap &) = delete;
	char *data() const { return p_; }
	std::uint64_t bytes() const { return bytes_; }

private:
	std::uint64_t bytes_;
	char *p_;
};

void touch_pages(char *p, std::uint64_t bytes, std::uint64_t stride)
{
	for (std::uint64_t off = 0; off < bytes; off += stride)
		p[off] = static_cast<char>(off / stride + 1);
}

WorkloadOutput dense_write(const Params &prm, Meter &m)
{
	AnonMap map(prm.bytes);
	m.start();
	touch_pages(map.data(), map.bytes(), kPage);
	m.stop();
	return {prm.bytes / kPage, prm.bytes};
}

WorkloadOutput sparse_64k(const Params &prm, Meter &m)
{
	AnonMap map(prm.bytes);
	m.start();
	touch_pages(map.data(), map.bytes(), kChunk);
	m.stop();
	return {prm.bytes / kChunk, prm.bytes};
}

WorkloadOutput random_4k(const Params &prm, Meter &m)
{
	const auto pages = random_quarter(prm.bytes / kPage, prm.seed);
	AnonMap map(prm.bytes);
	m.start();
	for (std::uint64_t pg : pages)
		map.data()[pg * kPage] = 1;
	m.stop();
	return {pages.size(), prm.bytes};
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
	std::string path = prm.file_dir + "/ffbench-file-read.XXXXXX";
	int fd = mkstemp(path.data());
	if (fd < 0)
		fail("mkstemp in file_dir");
	unlink(path.c_str());

	// Fill the page cache with write(), outside the measurement.
	std::vector<char> buf(1 << 20, 'f');
	for (std::uint64_t done = 0; done < prm.bytes; done += buf.size()) {
		if (write(fd, buf.data(), buf.size()) != static_cast<ssize_t>(buf.size())) {
			close(fd);
			fail("write to the file-read file");
		}
	}
	void *p = mmap(nullptr, prm.bytes, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
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
		touch_pages(p, bytes, kPage);
	}
}

// One mmap_lock writer: map, touch and unmap 1 MiB until told to stop.
void mmap_writer(const std::atomic<bool> &stop, std::atomic<std::uint64_t> &loops)
{
	constexpr std::uint64_t bytes = 1 << 20;
	while (!stop.load(std::memory_order_relaxed)) {
		AnonMap map(bytes);
		touch_pages(map.data(), bytes, kPage);
		loops.fetch_add(1, std::memory_order_relaxed);
	}
}

WorkloadOutput threads_fault_common(const Params &prm, Meter &m, bool with_writer)
{
	const unsigned n = thread_count(prm);
	std::vector<std::unique_ptr<AnonMap>> regions;
	for (unsigned i = 0; i < n; i++)
		regions.push_back(std::make_unique<AnonMap>(prm.thread_bytes));

	std::atomic<bool> stop{false};
	std::atomic<std::uint64_t> writer_loops{0};
	std::vector<std::thread> threads;
	m.start();
	std::thread writer;
	if (with_writer)
		writer = std::thread(mmap_writer, std::cref(stop), std::ref(writer_loops));
	for (unsigned i = 0; i < n; i++)
		threads.emplace_back(refault_loop, regions[i]->data(), prm.thread_bytes,
				     prm.iterations);
	for (auto &t : threads)
		t.join();
	stop = true;
	if (writer.joinable())
		writer.join();
	m.stop();
	return {n * prm.iterations * (prm.thread_bytes / kPage), n * prm.thread_bytes};
}

WorkloadOutput threads_fault(const Params &prm, Meter &m)
{
	return threads_fault_common(prm, m, false);
}

WorkloadOutput threads_fault_mmap(const Params &prm, Meter &m)
{
	return threads_fault_common(prm, m, true);
}

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

const std::vector<Workload> &all_workloads()
{
	static const std::vector<Workload> list = {
		{"dense-write", "first-touch writes over every 4 KiB page", dense_write},
		{"sparse-64k", "one 4 KiB write per 64 KiB", sparse_64k},
		{"random-4k", "random 4 KiB writes over a quarter of the pages", random_4k},
		{"file-read", "read faults over a tmpfs file", file_read},
		{"threads-fault", "a thread per CPU: touch 8 MiB, MADV_DONTNEED, repeat",
		 threads_fault},
		{"threads-fault-mmap", "threads-fault plus a thread looping mmap/touch/munmap",
		 threads_fault_mmap},
		{"gup-pin", "pin_user_pages_fast over the buffer, --iterations times (gup_test)",
		 gup_pin},
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
