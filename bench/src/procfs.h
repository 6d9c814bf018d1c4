// Reads of the process's own resource use: /proc/self/smaps_rollup and getrusage.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ffbench {

// The "Rss:" line of /proc/<pid>/smaps_rollup, in KiB; nullopt if there is
// none or it is malformed.
std::optional<std::uint64_t> parse_rollup_rss_kb(std::string_view text);

// Resident set of this process in KiB, from /proc/self/smaps_rollup, which
// walks the page tables. Not statm: 6.1 keeps RSS counts in a per-task cache
// that reaches the mm's counters only every 64 faults, and file fault-around
// adds up to 16 pages a fault, so statm may miss a megabyte.
std::optional<std::uint64_t> self_rss_kb();

// What getrusage(RUSAGE_SELF) counts, as numbers we subtract.
struct Usage {
	std::uint64_t minflt = 0;
	std::uint64_t majflt = 0;
	double user_s = 0;
	double sys_s = 0;
};

Usage self_usage();
Usage operator-(const Usage &a, const Usage &b);

// Monotonic clock in seconds.
double now_s();

// Read a whole small file; nullopt if it cannot be read.
std::optional<std::string> read_text_file(const std::string &path);

}  // namespace ffbench
