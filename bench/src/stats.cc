#include "stats.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace ffbench {

double median(std::vector<double> values)
{
	if (values.empty())
		return 0;
	std::sort(values.begin(), values.end());
	const std::size_t mid = values.size() / 2;
	if (values.size() % 2)
		return values[mid];
	return (values[mid - 1] + values[mid]) / 2;
}

Summary summarize(std::vector<double> values)
{
	Summary s;
	s.n = values.size();
	if (values.empty())
		return s;
	const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
	s.min = *lo;
	s.max = *hi;
	s.mean = std::accumulate(values.begin(), values.end(), 0.0) / values.size();
	if (values.size() > 1) {
		double sq = 0;
		for (double v : values)
			sq += (v - s.mean) * (v - s.mean);
		s.stddev = std::sqrt(sq / (values.size() - 1));
	}
	s.median = median(std::move(values));
	return s;
}

}  // namespace ffbench
