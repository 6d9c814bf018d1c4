// ffcompare OUTDIR RESULTS.json...: put the bench records of several kernels
// side by side (make compare). Writes OUTDIR/results.json (every record,
// tagged by kernel), OUTDIR/table.md, OUTDIR/spf-share.md (the share of the
// uncontended rate; empty without spf records) and OUTDIR/<metric>.dat for
// scripts/compare.gp; prints the table, then the share.
//
// ffcompare --combine OUT.json RESULTS.json...: the records of several boots
// of one kernel as one set, each record's runs from all of them (the boots
// of make compare take turns with the other kernels'), written to OUT.json.
#include <cstdio>
#include <exception>
#include <fstream>
#include <string>
#include <vector>

#include "compare.h"
#include "procfs.h"
#include "record.h"
#include "runner.h"

static void write_file(const std::string &path, const std::string &text)
{
	std::ofstream f(path, std::ios::binary | std::ios::trunc);
	f << text;
	f.close();
	if (!f)
		throw std::runtime_error("cannot write " + path);
}

static std::vector<ffbench::Record> read_records(const char *path)
{
	const auto text = ffbench::read_text_file(path);
	if (!text)
		throw std::runtime_error(std::string("cannot read ") + path);
	try {
		return ffbench::records_from_json(*text);
	} catch (const std::exception &e) {
		throw std::runtime_error(std::string(path) + ": " + e.what());
	}
}

static void combine(const char *out, int argc, char **argv)
{
	std::vector<ffbench::Record> all;
	for (int i = 0; i < argc; i++)
		for (const auto &r : read_records(argv[i]))
			ffbench::add_runs(all, r);
	write_file(out, ffbench::records_to_json(all));
}

int main(int argc, char **argv)
{
	if (argc >= 4 && std::string(argv[1]) == "--combine") {
		try {
			combine(argv[2], argc - 3, argv + 3);
		} catch (const std::exception &e) {
			std::fprintf(stderr, "ffcompare: %s\n", e.what());
			return 1;
		}
		return 0;
	}
	if (argc < 3 || std::string(argv[1]) == "--combine") {
		std::fprintf(stderr, "usage: ffcompare OUTDIR RESULTS.json...\n"
				     "       ffcompare --combine OUT.json RESULTS.json...\n");
		return 2;
	}
	const std::string dir = argv[1];
	try {
		std::vector<std::vector<ffbench::Record>> sets;
		for (int i = 2; i < argc; i++)
			sets.push_back(read_records(argv[i]));
		const auto all = ffbench::merge_records(sets);
		const auto table = ffbench::markdown_table(all);
		const auto share = ffbench::spf_share_table(all);
		write_file(dir + "/results.json", ffbench::records_to_json(all));
		write_file(dir + "/table.md", table);
		write_file(dir + "/spf-share.md", share);
		for (const auto &m : ffbench::compare_metrics())
			write_file(dir + "/" + m.name + ".dat", ffbench::plot_data(all, m));
		std::fputs(table.c_str(), stdout);
		if (!share.empty())
			std::printf("\n%s", share.c_str());
	} catch (const std::exception &e) {
		std::fprintf(stderr, "ffcompare: %s\n", e.what());
		return 1;
	}
	return 0;
}
