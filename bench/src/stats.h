// Summary statistics over repeated runs of one workload.
#pragma once

#include <vector>

namespace ffbench {

struct Summary {
	double median = 0;
	double mean = 0;
	double min = 0;
	double max = 0;
	double stddev = 0;  // sample standard deviation; 0 for fewer than 2 values
	std::size_t n = 0;
};

// Summarize values; an empty input gives a zero Summary with n == 0.
Summary summarize(std::vector<double> values);

// Median of values (mean of the middle two for an even count); 0 if empty.
double median(std::vector<double> values);

}  // namespace ffbench
