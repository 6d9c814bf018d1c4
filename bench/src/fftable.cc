// fftable: print the table of one or more results.json files (host side).
#include <cstdio>
#include <exception>
#include <vector>

#include "procfs.h"
#include "record.h"

int main(int argc, char **argv)
{
	if (argc < 2) {
		std::fprintf(stderr, "usage: fftable RESULTS.json...\n");
		return 2;
	}
	std::vector<ffbench::Record> all;
	for (int i = 1; i < argc; i++) {
		const auto text = ffbench::read_text_file(argv[i]);
		if (!text) {
			std::fprintf(stderr, "fftable: cannot read %s\n", argv[i]);
			return 1;
		}
		try {
			for (auto &r : ffbench::records_from_json(*text))
				all.push_back(std::move(r));
		} catch (const std::exception &e) {
			std::fprintf(stderr, "fftable: %s: %s\n", argv[i], e.what());
			return 1;
		}
	}
	std::fputs(ffbench::format_table(all).c_str(), stdout);
	return 0;
}
