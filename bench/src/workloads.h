// The benchmark workloads. Each runs in a fresh child process (see runner.h)
// and brackets what it measures with Meter::start() and Meter::stop().
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace ffbench {

struct Params {
	std::uint64_t bytes = 64ull << 20;  // memory per workload (per thread: see each)
	std::uint64_t thread_bytes = 8ull << 20;
	unsigned iterations = 16;           // touch/discard rounds of the threads-* workloads
	unsigned threads = 0;               // 0: one per online CPU
	std::uint64_t seed = 1;
	std::string file_dir = "/dev/shm";  // tmpfs for file-read
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
	std::uint64_t ops = 0;    // page touches done while measured
	std::uint64_t bytes = 0;  // memory the workload covered
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

}  // namespace ffbench
