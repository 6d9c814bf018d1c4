// The benchmark workloads. Each runs in a fresh child process (see runner.h)
// and brackets what it measures with Meter::start() and Meter::stop().
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ffbench {

struct Params {
	std::uint64_t bytes = 64ull << 20;  // memory per workload (per thread: see each)
	std::uint64_t thread_bytes = 8ull << 20;  // threads-*, spf-*: each faulter's region
	std::uint64_t pf_bytes = 16ull << 20;     // pf1-pf3: each thread's mapping
	unsigned iterations = 16;           // touch/discard rounds of the threads-* and spf-* workloads
	unsigned threads = 0;               // 0: one per online CPU
	std::uint64_t seed = 1;
	std::string file_dir = "/dev/shm";  // tmpfs for file-read, pf2 and pf3
	std::string pin_device;             // gup-pin: a device to map; empty: anonymous memory
};

class Meter {
public:
	virtual ~Meter() = default;
	virtual void start() = 0;
	// Take the figures now, while the workload's memory is still mapped.
	virtual void stop() = 0;
};

struct WorkloadOutput {
	WorkloadOutput() = default;
	WorkloadOutput(std::uint64_t ops_, std::uint64_t bytes_,
		       std::optional<std::uint64_t> writer_loops_ = std::nullopt)
		: ops(ops_), bytes(bytes_), writer_loops(writer_loops_)
	{
	}

	std::uint64_t ops = 0;    // page touches done while measured
	std::uint64_t bytes = 0;  // memory the workload covered
	// Loops of the thread that runs beside the faulters (threads-fault-mmap,
	// spf-*), 0 when it sleeps; none for workloads without such a thread.
	std::optional<std::uint64_t> writer_loops;
};

struct Workload {
	std::string name;
	std::string description;
	std::function<WorkloadOutput(const Params &, Meter &)> run;
};

const std::vector<Workload> &all_workloads();
const Workload *find_workload(const std::string &name);

// The page indices random-4k touches: a quarter of pages, shuffled by seed.
std::vector<std::uint64_t> random_quarter(std::uint64_t pages, std::uint64_t seed);

// The byte the repeating workloads (threads-*, spf-*, pf*) write at the
// start of each page in a round, and check after the last: never 0, so
// that a page that lost its write reads wrong, and not the round before's,
// so that a page left over from it reads wrong too.
char page_pattern(std::uint64_t page, unsigned round);

// Faulter threads of spf-alone and spf-contended: one CPU is left to the
// thread beside them, at least one faulter.
unsigned spf_faulters(unsigned threads);

// Map/write/unmap loops of each pf1-pf3 thread: as many pages as a
// threads-fault thread touches (iterations rounds of thread_bytes), at least 1.
unsigned pf_loops(const Params &prm);

}  // namespace ffbench
