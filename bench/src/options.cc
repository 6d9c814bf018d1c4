#include "options.h"

#include <cctype>
#include <charconv>

namespace ffbench {

const char *const kUsage =
	"usage: ffbench [--json PATH [--append]] [--setting NAME] [--kernel NAME] [--runs N]\n"
	"               [--workload NAME]... [--size-mib N] [--iterations N]\n"
	"               [--threads N] [--seed N] [--file-dir DIR] [--pin-device PATH]\n"
	"               [--list] [--help]\n";

namespace {

bool parse_uint(const std::string &s, unsigned long long lo, unsigned long long hi,
		unsigned long long &out)
{
	const char *end = s.data() + s.size();
	auto [p, ec] = std::from_chars(s.data(), end, out);
	return ec == std::errc() && p == end && !s.empty() && out >= lo && out <= hi;
}

// Settings and kernel names go into JSON and table columns: keep them plain.
bool plain_name(const std::string &s)
{
	if (s.empty() || s.size() > 64)
		return false;
	for (char c : s)
		if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ||
		      c == '.' || c == '+'))
			return false;
	return true;
}

}  // namespace

std::variant<Options, std::string> parse_options(const std::vector<std::string> &args)
{
	Options o;
	for (std::size_t i = 0; i < args.size(); i++) {
		const std::string &a = args[i];
		auto value = [&](std::string &out) -> bool {
			if (i + 1 >= args.size())
				return false;
			out = args[++i];
			return true;
		};
		std::string v;
		unsigned long long n = 0;
		if (a == "--help" || a == "-h") {
			o.help = true;
		} else if (a == "--append") {
			o.append = true;
		} else if (a == "--list") {
			o.list = true;
		} else if (a == "--json") {
			if (!value(o.json_path) || o.json_path.empty())
				return "--json needs a path";
		} else if (a == "--setting") {
			if (!value(o.setting) || !plain_name(o.setting))
				return "--setting needs a name of letters, digits, '-', '_', '.', '+'";
		} else if (a == "--kernel") {
			if (!value(o.kernel) || !plain_name(o.kernel))
				return "--kernel needs a name of letters, digits, '-', '_', '.', '+'";
		} else if (a == "--workload") {
			if (!value(v))
				return "--workload needs a name (see --list)";
			if (!find_workload(v))
				return "unknown workload '" + v + "' (see --list)";
			o.workloads.push_back(v);
		} else if (a == "--runs") {
			if (!value(v) || !parse_uint(v, 1, 100, n))
				return "--runs needs a number from 1 to 100";
			o.runs = static_cast<unsigned>(n);
		} else if (a == "--size-mib") {
			if (!value(v) || !parse_uint(v, 1, 4096, n))
				return "--size-mib needs a number from 1 to 4096";
			o.params.bytes = n << 20;
		} else if (a == "--iterations") {
			if (!value(v) || !parse_uint(v, 1, 10000, n))
				return "--iterations needs a number from 1 to 10000";
			o.params.iterations = static_cast<unsigned>(n);
		} else if (a == "--threads") {
			if (!value(v) || !parse_uint(v, 1, 256, n))
				return "--threads needs a number from 1 to 256";
			o.params.threads = static_cast<unsigned>(n);
		} else if (a == "--seed") {
			if (!value(v) || !parse_uint(v, 0, ~0ull, n))
				return "--seed needs a number";
			o.params.seed = n;
		} else if (a == "--file-dir") {
			if (!value(o.params.file_dir) || o.params.file_dir.empty())
				return "--file-dir needs a directory";
		} else if (a == "--pin-device") {
			if (!value(o.params.pin_device) || o.params.pin_device.empty())
				return "--pin-device needs a device path";
		} else {
			return "unknown argument '" + a + "'";
		}
	}
	if (o.append && o.json_path.empty())
		return "--append needs --json";
	return o;
}

}  // namespace ffbench
