// Run a workload in a fresh child process and turn repeated runs into a Record.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "record.h"
#include "workloads.h"

namespace ffbench {

// What one run measured, between Meter::start() and Meter::stop().
struct Sample {
	std::uint64_t minflt = 0;
	std::uint64_t majflt = 0;
	std::uint64_t rss_kb = 0;
	std::int64_t cont_kb = -1;  // -1: no auditor
	double user_s = 0;
	double sys_s = 0;
	double wall_s = 0;
	std::uint64_t ops = 0;
	std::uint64_t bytes = 0;
	std::int64_t writer_loops = -1;  // -1: no thread beside the faulters
};

// Fork, run w in the child, return its sample. Throws std::runtime_error if
// the child fails (the message says why).
Sample run_in_child(const Workload &w, const Params &prm);

// Combine the samples of one workload: medians of each figure. The writer's
// rate is the median of each run's loops over its wall time, and only
// where every run had a writer.
Record aggregate(const std::string &kernel, const std::string &setting,
		 const std::string &workload, const std::vector<Sample> &samples);

}  // namespace ffbench
