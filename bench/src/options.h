// Command line of ffbench.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "workloads.h"

namespace ffbench {

struct Options {
	std::string json_path;   // empty: do not write JSON
	std::string setting = "base";
	std::string kernel;      // empty: uname -r
	std::vector<std::string> workloads;  // empty: all
	unsigned runs = 3;
	bool append = false;    // add to the records already in json_path
	bool list = false;
	bool help = false;
	Params params;
};

// Parse argv; returns Options or an error message naming the bad argument.
std::variant<Options, std::string> parse_options(const std::vector<std::string> &args);

extern const char *const kUsage;

}  // namespace ffbench
