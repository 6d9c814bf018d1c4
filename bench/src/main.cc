// ffbench: the fastfault benchmark suite. Runs each workload in a fresh
// process, prints a table, and writes the records as JSON.
#include <sys/utsname.h>

#include <cstdio>
#include <fstream>
#include <iostream>

#include "options.h"
#include "procfs.h"
#include "record.h"
#include "runner.h"

using namespace ffbench;

static std::string kernel_release()
{
	utsname u{};
	return uname(&u) ? "unknown" : u.release;
}

int main(int argc, char **argv)
{
	const auto parsed = parse_options(std::vector<std::string>(argv + 1, argv + argc));
	if (const auto *err = std::get_if<std::string>(&parsed)) {
		std::fprintf(stderr, "ffbench: %s\n%s", err->c_str(), kUsage);
		return 2;
	}
	Options opt = std::get<Options>(parsed);
	if (opt.help) {
		std::fputs(kUsage, stdout);
		return 0;
	}
	if (opt.list) {
		for (const auto &w : all_workloads())
			std::printf("%-20s %s\n", w.name.c_str(), w.description.c_str());
		return 0;
	}
	if (opt.kernel.empty())
		opt.kernel = kernel_release();
	if (opt.workloads.empty())
		for (const auto &w : all_workloads())
			opt.workloads.push_back(w.name);

	// Run first, then read what --append adds to: a child forked with the
	// records of earlier runs in its parent's heap would count them in its
	// RSS, more with each run.
	std::vector<Record> fresh;
	for (const auto &name : opt.workloads) {
		const Workload &w = *find_workload(name);
		std::vector<Sample> samples;
		try {
			for (unsigned i = 0; i < opt.runs; i++)
				samples.push_back(run_in_child(w, opt.params));
		} catch (const std::exception &e) {
			std::fprintf(stderr, "ffbench: %s\n", e.what());
			return 1;
		}
		fresh.push_back(aggregate(opt.kernel, opt.setting, name, samples));
		std::fprintf(stderr, "ffbench: %s done (%u runs)\n", name.c_str(), opt.runs);
	}

	std::vector<Record> records;
	try {
		if (opt.append)
			if (const auto text = read_text_file(opt.json_path))
				records = records_from_json(*text);
		for (const auto &r : fresh)
			add_runs(records, r);
	} catch (const std::exception &e) {
		std::fprintf(stderr, "ffbench: %s: %s\n", opt.json_path.c_str(), e.what());
		return 1;
	}
	std::fputs(format_table(records).c_str(), stdout);
	if (!opt.json_path.empty()) {
		std::ofstream out(opt.json_path);
		out << records_to_json(records);
		if (!out) {
			std::fprintf(stderr, "ffbench: cannot write %s\n", opt.json_path.c_str());
			return 1;
		}
	}
	return 0;
}
