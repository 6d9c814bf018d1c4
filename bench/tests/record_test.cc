#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>

#include "record.h"

using ffbench::Record;
using ffbench::records_from_json;
using ffbench::records_to_json;

static Record sample_record()
{
	Record r;
	r.kernel = "6.1.192";
	r.setting = "base";
	r.workload = "dense-write";
	r.bytes = 64ull << 20;
	r.minflt = 16385;
	r.rss_kb = 65700;
	r.sys_s = 0.25;
	r.wall_s = 0.5;
	r.ops = 16384;
	r.ops_per_s = 32768;
	r.faults_per_s = 32770;
	r.runs = 3;
	return r;
}

TEST(Record, JsonRoundTripKeepsEveryField)
{
	Record a = sample_record();
	a.cont_kb = 61440;
	const auto back = records_from_json(records_to_json({a}));
	ASSERT_EQ(1u, back.size());
	const Record &b = back[0];
	EXPECT_EQ(a.kernel, b.kernel);
	EXPECT_EQ(a.setting, b.setting);
	EXPECT_EQ(a.workload, b.workload);
	EXPECT_EQ(a.bytes, b.bytes);
	EXPECT_EQ(a.minflt, b.minflt);
	EXPECT_EQ(a.rss_kb, b.rss_kb);
	EXPECT_EQ(a.cont_kb, b.cont_kb);
	EXPECT_DOUBLE_EQ(a.sys_s, b.sys_s);
	EXPECT_DOUBLE_EQ(a.wall_s, b.wall_s);
	EXPECT_EQ(a.runs, b.runs);
}

TEST(Record, SamplesRoundTrip)
{
	Record a = sample_record();
	ffbench::Sample s;
	s.minflt = 7;
	s.majflt = 1;
	s.rss_kb = 4;
	s.cont_kb = -1;
	s.user_s = 0.5;
	s.sys_s = 0.25;
	s.wall_s = 1.5;
	s.ops = 3;
	s.bytes = 4096;
	s.writer_loops = 9;
	a.samples = {s, s};
	a.samples[1].cont_kb = 64;
	const auto back = records_from_json(records_to_json({a}));
	ASSERT_EQ(1u, back.size());
	ASSERT_EQ(2u, back[0].samples.size());
	const auto &b = back[0].samples[0];
	EXPECT_EQ(7u, b.minflt);
	EXPECT_EQ(1u, b.majflt);
	EXPECT_EQ(4u, b.rss_kb);
	EXPECT_EQ(-1, b.cont_kb);
	EXPECT_DOUBLE_EQ(0.5, b.user_s);
	EXPECT_DOUBLE_EQ(0.25, b.sys_s);
	EXPECT_DOUBLE_EQ(1.5, b.wall_s);
	EXPECT_EQ(3u, b.ops);
	EXPECT_EQ(4096u, b.bytes);
	EXPECT_EQ(9, b.writer_loops);
	EXPECT_EQ(64, back[0].samples[1].cont_kb);
}

TEST(Record, RecordsWithoutSamplesStillParse)
{
	const auto back = records_from_json(
		R"([{"kernel":"k","setting":"s","workload":"w","bytes":1,"minflt":2,)"
		R"("rss_kb":3,"cont_kb":null,"sys_s":0.1,"wall_s":0.2}])");
	ASSERT_EQ(1u, back.size());
	EXPECT_TRUE(back[0].samples.empty());
}

TEST(Record, SampleOfTheWrongTypeIsAnError)
{
	EXPECT_THROW(records_from_json(
			     R"([{"kernel":"k","setting":"s","workload":"w","bytes":1,"minflt":2,)"
			     R"("rss_kb":3,"cont_kb":null,"sys_s":0.1,"wall_s":0.2,"samples":[1]}])"),
		     std::runtime_error);
}

TEST(Record, WriterRateRoundTrips)
{
	Record a = sample_record();
	a.workload = "spf-contended";
	a.writer_ops_per_s = 1234.5;
	const auto back = records_from_json(records_to_json({a}));
	ASSERT_TRUE(back[0].writer_ops_per_s.has_value());
	EXPECT_DOUBLE_EQ(1234.5, *back[0].writer_ops_per_s);

	a.writer_ops_per_s = 0.0;  // spf-alone: a sleeping sibling is not "no writer"
	EXPECT_EQ(0.0, records_from_json(records_to_json({a}))[0].writer_ops_per_s);
}

TEST(Record, MissingWriterRateIsNull)
{
	const std::string json = records_to_json({sample_record()});
	EXPECT_NE(std::string::npos, json.find("\"writer_ops_per_s\": null"));
	EXPECT_FALSE(records_from_json(json)[0].writer_ops_per_s.has_value());
}

TEST(Record, RecordsFromBeforeTheWriterRateStillParse)
{
	const auto r = records_from_json(
		R"([{"kernel":"k","setting":"s","workload":"w","bytes":1,"minflt":2,)"
		R"("rss_kb":3,"cont_kb":null,"sys_s":0.1,"wall_s":0.2}])");
	ASSERT_EQ(1u, r.size());
	EXPECT_FALSE(r[0].writer_ops_per_s.has_value());
}

TEST(Record, WriterRateOfTheWrongTypeIsAnError)
{
	EXPECT_THROW(records_from_json(
			     R"([{"kernel":"k","setting":"s","workload":"w","bytes":1,"minflt":2,)"
			     R"("rss_kb":3,"cont_kb":null,"sys_s":0.1,"wall_s":0.2,)"
			     R"("writer_ops_per_s":"fast"}])"),
		     std::runtime_error);
}

TEST(Record, MissingContKbIsNull)
{
	const std::string json = records_to_json({sample_record()});
	EXPECT_NE(std::string::npos, json.find("\"cont_kb\": null"));
	EXPECT_FALSE(records_from_json(json)[0].cont_kb.has_value());
}

TEST(Record, SchemaFieldsAreRequired)
{
	EXPECT_THROW(records_from_json(R"([{"kernel":"k","setting":"s"}])"),
		     std::runtime_error);
}

TEST(Record, WrongTypeIsAnError)
{
	std::string json = records_to_json({sample_record()});
	json.replace(json.find("16385"), 5, "\"x\"");
	EXPECT_THROW(records_from_json(json), std::runtime_error);
}

TEST(Record, NotJsonIsAnError)
{
	EXPECT_THROW(records_from_json("{oops"), std::runtime_error);
	EXPECT_THROW(records_from_json("{}"), std::runtime_error);
	EXPECT_THROW(records_from_json("[1]"), std::runtime_error);
}

TEST(Table, HasHeaderAndOneLinePerRecord)
{
	Record a = sample_record(), b = sample_record();
	b.workload = "sparse-64k";
	b.cont_kb = 64;
	const std::string t = ffbench::format_table({a, b});
	EXPECT_EQ(3, std::count(t.begin(), t.end(), '\n'));
	EXPECT_NE(std::string::npos, t.find("minflt"));
	EXPECT_NE(std::string::npos, t.find("n/a"));
	EXPECT_NE(std::string::npos, t.find("sparse-64k"));
}

TEST(Table, WriterRateIsTheLastColumnAndADashWithoutAWriter)
{
	Record a = sample_record(), b = sample_record();
	b.workload = "spf-contended";
	b.writer_ops_per_s = 4321.4;
	const std::string t = ffbench::format_table({a, b});
	const auto first_end = t.find('\n'), second_end = t.find('\n', first_end + 1);
	const std::string header = t.substr(0, first_end);
	const std::string row_a = t.substr(first_end + 1, second_end - first_end - 1);
	const std::string row_b = t.substr(second_end + 1, t.size() - second_end - 2);
	EXPECT_EQ("writer/s", header.substr(header.size() - 8));
	EXPECT_EQ(" -", row_a.substr(row_a.size() - 2));
	EXPECT_EQ(" 4321", row_b.substr(row_b.size() - 5));
	// The columns before it stay where they were.
	EXPECT_EQ(header.find("ops/s"), std::string(ffbench::format_table({})).find("ops/s"));
	EXPECT_EQ(row_a.size(), row_b.size());
}

TEST(Table, RateIsRoundedOrADash)
{
	EXPECT_EQ("-", ffbench::format_rate(std::nullopt));
	EXPECT_EQ("0", ffbench::format_rate(0.0));
	EXPECT_EQ("1235", ffbench::format_rate(1234.6));
}
