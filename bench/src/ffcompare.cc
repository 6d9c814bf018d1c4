// ffcompare OUTDIR RESULTS.json...: put the bench records of several kernels
// side by side (make compare). Writes OUTDIR/results.json (every record,
// tagged by kernel), OUTDIR/table.md, OUTDIR/spf-share.md (the share of the
// uncontended rate; empty without spf records) and OUTDIR/<metric>.dat for
// scripts/compare.gp; prints the table, then the share.
#include <cstdio>
#include <exception>
#include <fstream>
#include <string>
#include <vector>

#include "compare.h"
#include "procfs.h"
#include "record.h"

static void write_file(const std::string &path, const std::string &text)
{
	std::ofstream f(path, std::ios::binary | std::ios::trunc);
	f << text;
	f.close();
	if (!f)
		throw std::runtime_error("cannot write " + path);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		std::fprintf(stderr, "usage: ffcompare OUTDIR RESULTS.json...\n");
		return 2;
	}
	const std::string dir = argv[1];
	try {
		std::vector<std::vector<ffbench::Record>> sets;
		for (int i = 2; i < argc; i++) {
			const auto text = ffbench::read_text_file(argv[i]);
			if (!text)
				throw std::runtime_error(std::string("cannot read ") + argv[i]);
			try {
				sets.push_back(ffbench::records_from_json(*text));
			} catch (const std::exception &e) {
				throw std::runtime_error(std::string(argv[i]) + ": " + e.what());
			}
		}
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
