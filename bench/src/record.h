// One benchmark result: the DESIGN.md schema of out/bench/results.json.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

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

struct Record {
	std::string kernel;    // uname -r of the kernel measured
	std::string setting;   // what was switched on; "base" for nothing
	std::string workload;
	std::uint64_t bytes = 0;     // memory the workload touches
	std::uint64_t minflt = 0;    // median over runs
	std::uint64_t rss_kb = 0;    // median over runs, at the end of the workload
	std::optional<std::uint64_t> cont_kb;  // PTE_CONT coverage; null without the auditor
	double sys_s = 0;
	double user_s = 0;
	double wall_s = 0;
	double wall_stddev_s = 0;
	std::uint64_t ops = 0;       // operations (page touches) per run
	double ops_per_s = 0;
	double faults_per_s = 0;
	// Loops per second of the thread beside the faulters (threads-fault-mmap,
	// spf-*; 0 when it sleeps); null for workloads without one.
	std::optional<double> writer_ops_per_s;
	unsigned runs = 0;
	// Each run's figures, that the medians above came from; none in
	// records written before they were kept.
	std::vector<Sample> samples;
};

// Serialize records as a JSON array, one object per record.
std::string records_to_json(const std::vector<Record> &records);

// Parse what records_to_json wrote. Throws std::runtime_error with the reason.
std::vector<Record> records_from_json(const std::string &text);

// A rate rounded to a whole number per second; "-" when absent.
std::string format_rate(const std::optional<double> &rate);

// Fixed-width table of the records, one line per record, with a header.
std::string format_table(const std::vector<Record> &records);

}  // namespace ffbench
