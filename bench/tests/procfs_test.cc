#include <gtest/gtest.h>

#include "procfs.h"

using ffbench::parse_rollup_rss_kb;

// As 6.1 prints it: a header line, then "Name:   value kB" lines.
constexpr const char *kRollup =
	"00400000-ffffd9fee000 ---p 00000000 00:00 0                  [rollup]\n"
	"Rss:                5316 kB\n"
	"Pss:                5316 kB\n"
	"Pss_Anon:           4176 kB\n";

TEST(Rollup, ReadsTheRssLine)
{
	const auto kb = parse_rollup_rss_kb(kRollup);
	ASSERT_TRUE(kb.has_value());
	EXPECT_EQ(5316u, *kb);
}

TEST(Rollup, IgnoresLinesThatOnlyContainRss)
{
	EXPECT_EQ(7u, parse_rollup_rss_kb("Pss_Rss: 1 kB\nRss: 7 kB\n").value_or(0));
}

TEST(Rollup, RejectsMissingOrMalformedRss)
{
	EXPECT_FALSE(parse_rollup_rss_kb("").has_value());
	EXPECT_FALSE(parse_rollup_rss_kb("Pss: 12 kB\n").has_value());
	EXPECT_FALSE(parse_rollup_rss_kb("Rss: kB\n").has_value());
	EXPECT_FALSE(parse_rollup_rss_kb("Rss: -4 kB\n").has_value());
	EXPECT_FALSE(parse_rollup_rss_kb("Rss: 12 MB\n").has_value());
}

TEST(Rollup, SelfRssIsPlausible)
{
	const auto rss = ffbench::self_rss_kb();
	ASSERT_TRUE(rss.has_value());
	EXPECT_GT(*rss, 0u);
}

TEST(Usage, SubtractionIsPerField)
{
	ffbench::Usage a{10, 2, 1.5, 0.75}, b{4, 1, 0.5, 0.25};
	const auto d = a - b;
	EXPECT_EQ(6u, d.minflt);
	EXPECT_EQ(1u, d.majflt);
	EXPECT_DOUBLE_EQ(1.0, d.user_s);
	EXPECT_DOUBLE_EQ(0.5, d.sys_s);
}
