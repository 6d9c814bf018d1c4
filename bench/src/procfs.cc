#include "procfs.h"

#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <sstream>

namespace ffbench {

std::optional<Statm> parse_statm(std::string_view text)
{
	std::uint64_t v[7];
	const char *p = text.data();
	const char *end = text.data() + text.size();

	for (auto &field : v) {
		while (p < end && *p == ' ')
			p++;
		auto [next, ec] = std::from_chars(p, end, field);
		if (ec != std::errc() || next == p)
			return std::nullopt;
		p = next;
	}
	while (p < end && (*p == ' ' || *p == '\n'))
		p++;
	if (p != end)
		return std::nullopt;
	return Statm{v[0], v[1], v[2], v[3], v[4], v[5], v[6]};
}

std::optional<std::string> read_text_file(const std::string &path)
{
	std::ifstream in(path);
	if (!in)
		return std::nullopt;
	std::ostringstream ss;
	ss << in.rdbuf();
	return ss.str();
}

std::optional<std::uint64_t> self_rss_kb()
{
	const auto text = read_text_file("/proc/self/statm");
	if (!text)
		return std::nullopt;
	const auto statm = parse_statm(*text);
	if (!statm)
		return std::nullopt;
	return statm->resident * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE)) / 1024;
}

static double tv_s(const timeval &tv)
{
	return tv.tv_sec + tv.tv_usec / 1e6;
}

Usage self_usage()
{
	rusage ru{};
	getrusage(RUSAGE_SELF, &ru);
	return Usage{static_cast<std::uint64_t>(ru.ru_minflt),
		     static_cast<std::uint64_t>(ru.ru_majflt), tv_s(ru.ru_utime),
		     tv_s(ru.ru_stime)};
}

Usage operator-(const Usage &a, const Usage &b)
{
	return Usage{a.minflt - b.minflt, a.majflt - b.majflt, a.user_s - b.user_s,
		     a.sys_s - b.sys_s};
}

double now_s()
{
	timespec ts{};
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

}  // namespace ffbench
