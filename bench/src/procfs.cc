#include "procfs.h"

#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <sstream>

namespace ffbench {

std::optional<std::uint64_t> parse_rollup_rss_kb(std::string_view text)
{
	constexpr std::string_view key = "Rss:";
	std::size_t at = 0;

	while (at < text.size()) {
		std::size_t eol = text.find('\n', at);
		if (eol == std::string_view::npos)
			eol = text.size();
		std::string_view line = text.substr(at, eol - at);
		at = eol + 1;
		if (line.substr(0, key.size()) != key)
			continue;
		line.remove_prefix(key.size());
		while (!line.empty() && line.front() == ' ')
			line.remove_prefix(1);
		std::uint64_t kb = 0;
		auto [next, ec] = std::from_chars(line.data(), line.data() + line.size(), kb);
		if (ec != std::errc() || next == line.data())
			return std::nullopt;
		if (std::string_view(next, line.data() + line.size() - next) != " kB")
			return std::nullopt;
		return kb;
	}
	return std::nullopt;
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
	const auto text = read_text_file("/proc/self/smaps_rollup");
	if (!text)
		return std::nullopt;
	return parse_rollup_rss_kb(*text);
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
