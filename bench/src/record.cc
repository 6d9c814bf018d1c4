#include "record.h"

#include <cstdio>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace ffbench {

using nlohmann::json;

static json sample_to_json(const Sample &s)
{
	return json{
		{"minflt", s.minflt},	   {"majflt", s.majflt}, {"rss_kb", s.rss_kb},
		{"cont_kb", s.cont_kb},	   {"user_s", s.user_s}, {"sys_s", s.sys_s},
		{"wall_s", s.wall_s},	   {"ops", s.ops},	 {"bytes", s.bytes},
		{"writer_loops", s.writer_loops},
	};
}

template <typename T> static T field(const json &j, const char *name);

static Sample sample_from_json(const json &j)
{
	if (!j.is_object())
		throw std::runtime_error("a sample is not a JSON object");
	Sample s;
	s.minflt = field<std::uint64_t>(j, "minflt");
	s.majflt = field<std::uint64_t>(j, "majflt");
	s.rss_kb = field<std::uint64_t>(j, "rss_kb");
	s.cont_kb = field<std::int64_t>(j, "cont_kb");
	s.user_s = field<double>(j, "user_s");
	s.sys_s = field<double>(j, "sys_s");
	s.wall_s = field<double>(j, "wall_s");
	s.ops = field<std::uint64_t>(j, "ops");
	s.bytes = field<std::uint64_t>(j, "bytes");
	s.writer_loops = field<std::int64_t>(j, "writer_loops");
	return s;
}

static json to_json(const Record &r)
{
	json samples = json::array();
	for (const auto &s : r.samples)
		samples.push_back(sample_to_json(s));
	return json{
		{"kernel", r.kernel},
		{"setting", r.setting},
		{"workload", r.workload},
		{"bytes", r.bytes},
		{"minflt", r.minflt},
		{"rss_kb", r.rss_kb},
		{"cont_kb", r.cont_kb ? json(*r.cont_kb) : json(nullptr)},
		{"sys_s", r.sys_s},
		{"user_s", r.user_s},
		{"wall_s", r.wall_s},
		{"wall_stddev_s", r.wall_stddev_s},
		{"ops", r.ops},
		{"ops_per_s", r.ops_per_s},
		{"faults_per_s", r.faults_per_s},
		{"writer_ops_per_s", r.writer_ops_per_s ? json(*r.writer_ops_per_s) : json(nullptr)},
		{"runs", r.runs},
		{"samples", samples},
	};
}

std::string records_to_json(const std::vector<Record> &records)
{
	json array = json::array();
	for (const auto &r : records)
		array.push_back(to_json(r));
	return array.dump(1) + "\n";
}

template <typename T> static T field(const json &j, const char *name)
{
	if (!j.contains(name))
		throw std::runtime_error(std::string("record without \"") + name + "\"");
	try {
		return j.at(name).get<T>();
	} catch (const json::exception &) {
		throw std::runtime_error(std::string("record field \"") + name +
					 "\" has the wrong type");
	}
}

std::vector<Record> records_from_json(const std::string &text)
{
	json doc;
	try {
		doc = json::parse(text);
	} catch (const json::parse_error &e) {
		throw std::runtime_error(std::string("not JSON: ") + e.what());
	}
	if (!doc.is_array())
		throw std::runtime_error("results are not a JSON array");

	std::vector<Record> records;
	for (const auto &j : doc) {
		if (!j.is_object())
			throw std::runtime_error("a result is not a JSON object");
		Record r;
		r.kernel = field<std::string>(j, "kernel");
		r.setting = field<std::string>(j, "setting");
		r.workload = field<std::string>(j, "workload");
		r.bytes = field<std::uint64_t>(j, "bytes");
		r.minflt = field<std::uint64_t>(j, "minflt");
		r.rss_kb = field<std::uint64_t>(j, "rss_kb");
		if (!j.contains("cont_kb"))
			throw std::runtime_error("record without \"cont_kb\"");
		if (!j.at("cont_kb").is_null())
			r.cont_kb = field<std::uint64_t>(j, "cont_kb");
		r.sys_s = field<double>(j, "sys_s");
		r.wall_s = field<double>(j, "wall_s");
		r.user_s = j.value("user_s", 0.0);
		r.wall_stddev_s = j.value("wall_stddev_s", 0.0);
		r.ops = j.value("ops", std::uint64_t{0});
		r.ops_per_s = j.value("ops_per_s", 0.0);
		r.faults_per_s = j.value("faults_per_s", 0.0);
		// Records written before the field came have none: no writer.
		if (j.contains("writer_ops_per_s") && !j.at("writer_ops_per_s").is_null())
			r.writer_ops_per_s = field<double>(j, "writer_ops_per_s");
		r.runs = j.value("runs", 0u);
		if (j.contains("samples")) {
			if (!j.at("samples").is_array())
				throw std::runtime_error("record field \"samples\" is not an array");
			for (const auto &s : j.at("samples"))
				r.samples.push_back(sample_from_json(s));
		}
		records.push_back(std::move(r));
	}
	return records;
}

std::string format_rate(const std::optional<double> &rate)
{
	if (!rate)
		return "-";
	char buf[32];
	std::snprintf(buf, sizeof(buf), "%.0f", *rate);
	return buf;
}

std::string format_table(const std::vector<Record> &records)
{
	std::string out;
	char line[256];

	// writer/s is last, so that the columns before it stay where they were.
	std::snprintf(line, sizeof(line), "%-14s %-18s %-20s %9s %9s %9s %8s %8s %12s %12s %10s\n",
		      "kernel", "setting", "workload", "minflt", "rss_kb", "cont_kb",
		      "sys_s", "wall_s", "faults/s", "ops/s", "writer/s");
	out += line;
	for (const auto &r : records) {
		const std::string cont = r.cont_kb ? std::to_string(*r.cont_kb) : "n/a";
		std::snprintf(line, sizeof(line),
			      "%-14.14s %-18.18s %-20.20s %9llu %9llu %9s %8.3f %8.3f %12.0f %12.0f %10s\n",
			      r.kernel.c_str(), r.setting.c_str(), r.workload.c_str(),
			      static_cast<unsigned long long>(r.minflt),
			      static_cast<unsigned long long>(r.rss_kb), cont.c_str(), r.sys_s,
			      r.wall_s, r.faults_per_s, r.ops_per_s,
			      format_rate(r.writer_ops_per_s).c_str());
		out += line;
	}
	return out;
}

}  // namespace ffbench
