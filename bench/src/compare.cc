#include "compare.h"

#include <algorithm>
#include <cstdio>
#include <set>
#include <stdexcept>
#include <tuple>

namespace ffbench {
namespace {

std::optional<double> minflt(const Record &r) { return static_cast<double>(r.minflt); }
std::optional<double> rss_mib(const Record &r) { return r.rss_kb / 1024.0; }
std::optional<double> sys_s(const Record &r) { return r.sys_s; }
std::optional<double> faults_per_s(const Record &r) { return r.faults_per_s; }

// The share of the workload's memory mapped by contiguous blocks, in percent.
// cont_kb covers the whole process, so this can pass 100 by a little (6.12
// folds 64 KiB of the benchmark's own memory too).
std::optional<double> cont_percent(const Record &r)
{
	if (!r.cont_kb || !r.bytes)
		return std::nullopt;
	return 100.0 * static_cast<double>(*r.cont_kb) * 1024.0 / static_cast<double>(r.bytes);
}

std::string pair_name(const Record &r) { return r.kernel + " " + r.setting; }

// The distinct values of key(r), in the order they first come.
template <typename Key>
std::vector<std::string> in_first_order(const std::vector<Record> &records, Key key)
{
	std::vector<std::string> out;
	for (const auto &r : records)
		if (std::find(out.begin(), out.end(), key(r)) == out.end())
			out.push_back(key(r));
	return out;
}

std::vector<std::string> workloads_of(const std::vector<Record> &records)
{
	return in_first_order(records, [](const Record &r) { return r.workload; });
}

std::string format_value(double v)
{
	char buf[64];
	std::snprintf(buf, sizeof(buf), "%.6g", v);
	return buf;
}

}  // namespace

const std::vector<Metric> &compare_metrics()
{
	static const std::vector<Metric> metrics = {
		{"minflt", "minor faults", minflt},
		{"rss_mib", "RSS at the end (MiB)", rss_mib},
		{"cont_percent", "memory in contiguous blocks (%)", cont_percent},
		{"sys_s", "system time (s)", sys_s},
		{"faults_per_s", "faults per second", faults_per_s},
	};
	return metrics;
}

std::vector<Record> merge_records(const std::vector<std::vector<Record>> &sets)
{
	std::vector<Record> all;
	std::set<std::tuple<std::string, std::string, std::string>> seen;
	for (const auto &set : sets) {
		for (const auto &r : set) {
			if (!seen.emplace(r.kernel, r.setting, r.workload).second)
				throw std::runtime_error("two records of kernel \"" + r.kernel +
							 "\", setting \"" + r.setting +
							 "\", workload \"" + r.workload + "\"");
			all.push_back(r);
		}
	}
	return all;
}

std::string markdown_table(const std::vector<Record> &records)
{
	std::string out = "| workload | kernel | setting | minflt | RSS KiB | cont KiB | sys s "
			  "| faults/s | ops/s | writer ops/s |\n"
			  "|---|---|---|--:|--:|--:|--:|--:|--:|--:|\n";
	char line[512];
	for (const auto &w : workloads_of(records)) {
		for (const auto &r : records) {
			if (r.workload != w)
				continue;
			const std::string cont = r.cont_kb ? std::to_string(*r.cont_kb) : "n/a";
			std::snprintf(line, sizeof(line),
				      "| %s | %s | %s | %llu | %llu | %s | %.3f | %.0f | %.0f | %s |\n",
				      r.workload.c_str(), r.kernel.c_str(), r.setting.c_str(),
				      static_cast<unsigned long long>(r.minflt),
				      static_cast<unsigned long long>(r.rss_kb), cont.c_str(),
				      r.sys_s, r.faults_per_s, r.ops_per_s,
				      format_rate(r.writer_ops_per_s).c_str());
			out += line;
		}
	}
	return out;
}

std::vector<SpfShare> spf_shares(const std::vector<Record> &records)
{
	std::vector<SpfShare> shares;
	for (const auto &pair : in_first_order(records, pair_name)) {
		const Record *alone = nullptr, *contended = nullptr, *other_mm = nullptr;
		for (const auto &r : records) {
			if (pair_name(r) != pair)
				continue;
			if (r.workload == "spf-alone")
				alone = &r;
			else if (r.workload == "spf-contended")
				contended = &r;
			else if (r.workload == "spf-other-mm")
				other_mm = &r;
		}
		if (!alone || !contended || alone->ops_per_s <= 0)
			continue;
		SpfShare s;
		s.kernel = alone->kernel;
		s.setting = alone->setting;
		s.alone_ops_per_s = alone->ops_per_s;
		s.contended_ops_per_s = contended->ops_per_s;
		s.share = contended->ops_per_s / alone->ops_per_s;
		s.writer_ops_per_s = contended->writer_ops_per_s;
		if (other_mm)
			s.other_mm_share = other_mm->ops_per_s / alone->ops_per_s;
		shares.push_back(s);
	}
	return shares;
}

std::string spf_share_table(const std::vector<Record> &records)
{
	const auto shares = spf_shares(records);
	if (shares.empty())
		return "";
	std::string out =
		"Share of the uncontended rate: the faulters' pages per second in spf-contended "
		"(beside a thread looping mmap/touch/munmap) over spf-alone (beside a sleeping "
		"one), and the looping thread's loops per second; beside another mm: the "
		"same share with the loop run by another process (spf-other-mm), which the "
		"faulters never wait for on mmap_lock, the most any locking could keep:\n\n"
		"| kernel | setting | spf-alone ops/s | spf-contended ops/s | share | writer ops/s "
		"| beside another mm |\n"
		"|---|---|--:|--:|--:|--:|--:|\n";
	char line[512];
	for (const auto &s : shares) {
		char other[32] = "-";
		if (s.other_mm_share)
			std::snprintf(other, sizeof(other), "%.1f%%", 100.0 * *s.other_mm_share);
		std::snprintf(line, sizeof(line), "| %s | %s | %.0f | %.0f | %.1f%% | %s | %s |\n",
			      s.kernel.c_str(), s.setting.c_str(), s.alone_ops_per_s,
			      s.contended_ops_per_s, 100.0 * s.share,
			      format_rate(s.writer_ops_per_s).c_str(), other);
		out += line;
	}
	return out;
}

std::string plot_data(const std::vector<Record> &records, const Metric &m)
{
	const auto pairs = in_first_order(records, pair_name);
	std::string out = "workload";
	for (const auto &p : pairs)
		out += "\t\"" + p + "\"";
	out += "\n";
	for (const auto &w : workloads_of(records)) {
		out += w;
		for (const auto &p : pairs) {
			auto it = std::find_if(records.begin(), records.end(), [&](const Record &r) {
				return r.workload == w && pair_name(r) == p;
			});
			const auto v = it == records.end() ? std::nullopt : m.value(*it);
			out += "\t" + (v ? format_value(*v) : std::string("-"));
		}
		out += "\n";
	}
	return out;
}

}  // namespace ffbench
