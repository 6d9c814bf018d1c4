// Reads of the process's own resource use: /proc/self/statm and getrusage.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ffbench {

// /proc/<pid>/statm, in pages.
struct Statm {
	std::uint64_t size = 0;
	std::uint64_t resident = 0;
	std::uint64_t shared = 0;
	std::uint64_t text = 0;
	std::uint64_t lib = 0;
	std::uint64_t data = 0;
	std::uint64_t dirty = 0;
};

// Parse the seven numbers of a statm line; nullopt if it is malformed.
std::optional<Statm> parse_statm(std::string_view text);

// Resident set of this process in KiB, from /proc/self/statm; nullopt on error.
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
