// Run a workload in a fresh child process and turn repeated runs into a Record.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "record.h"
#include "workloads.h"

namespace ffbench {

// Fork, run w in the child, return its sample. Throws std::runtime_error if
// the child fails (the message says why).
Sample run_in_child(const Workload &w, const Params &prm);

// Combine the samples of one workload: medians of each figure. The writer's
// rate is the median of each run's loops over its wall time, and only
// where every run had a writer. The record keeps the samples.
Record aggregate(const std::string &kernel, const std::string &setting,
		 const std::string &workload, const std::vector<Sample> &samples);

// Add a record of new runs to records: where one of the same kernel,
// setting and workload is there already, the runs of both are combined
// into it (ffbench --append --runs 1, once per setting in turn: a slow
// spell of the host then falls on every setting alike, not on the nine
// runs of one); otherwise it goes at the end.
void add_runs(std::vector<Record> &records, const Record &runs);

}  // namespace ffbench
