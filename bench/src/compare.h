// make compare: the bench records of several kernels side by side, as one
// JSON file, a Markdown table and the data files of the plots.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "record.h"

namespace ffbench {

// One plotted figure of a record: `name` names its data file, `title` its panel.
struct Metric {
	const char *name;
	const char *title;
	std::optional<double> (*value)(const Record &r);
};

// minflt, RSS, contiguous coverage, system time and fault throughput.
const std::vector<Metric> &compare_metrics();

// The records of every kernel, in order. Throws std::runtime_error when two
// records have the same kernel, setting and workload: the kernels of a
// comparison need names of their own (ffbench --kernel).
std::vector<Record> merge_records(const std::vector<std::vector<Record>> &sets);

// A Markdown table, a row per record, grouped by workload (in the order the
// workloads first come), each group in the order of the records.
std::string markdown_table(const std::vector<Record> &records);

// The share of the uncontended rate of one kernel and setting: the faulters'
// pages per second in spf-contended (beside a thread looping mmap/touch/
// munmap) over spf-alone (beside a sleeping one).
struct SpfShare {
	std::string kernel;
	std::string setting;
	double alone_ops_per_s = 0;
	double contended_ops_per_s = 0;
	double share = 0;  // contended over alone
	std::optional<double> writer_ops_per_s;  // spf-contended's
	// spf-other-mm over spf-alone: the same loop in another process, which
	// the faulters never wait for; none where spf-other-mm did not run.
	std::optional<double> other_mm_share;
};

// The shares of every kernel and setting that ran both spf workloads (and
// got a rate from spf-alone), in the order the pairs first come.
std::vector<SpfShare> spf_shares(const std::vector<Record> &records);

// The shares as a Markdown section: a sentence and a table; empty when no
// kernel and setting ran both spf workloads.
std::string spf_share_table(const std::vector<Record> &records);

// Plot data for gnuplot: a header line, then a row per workload with a
// column per "kernel setting" pair; "-" where that pair did not run it.
std::string plot_data(const std::vector<Record> &records, const Metric &m);

}  // namespace ffbench
