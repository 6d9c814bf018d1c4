#include "runner.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <cstdio>
#include <exception>
#include <stdexcept>

#include "ff_util.h"
#include "procfs.h"
#include "stats.h"

namespace ffbench {
namespace {

// KiB of this process mapped by valid contiguous blocks, from fastfault.ko's
// auditor; -1 when there is no auditor (module not loaded, not root). An
// invalid block fails the run: QEMU ignores the contiguous bit, so the
// figures would not show what hardware would do with it.
std::int64_t audit_cont_kb()
{
	ff_audit a;
	if (ff_audit_run(std::to_string(getpid()).c_str(), &a))
		return -1;
	if (a.violations)
		throw std::runtime_error("the auditor found " + std::to_string(a.violations) +
					 " invalid contiguous blocks");
	return static_cast<std::int64_t>(a.cont_kb);
}

class ChildMeter : public Meter {
public:
	void start() override
	{
		// A forked child has not yet mapped the text that measuring runs:
		// run it once first, so its page faults stay out of minflt.
		(void)self_usage();
		(void)now_s();
		usage_ = self_usage();
		wall_ = now_s();
	}
	void stop() override
	{
		const double wall = now_s() - wall_;
		const Usage d = self_usage() - usage_;
		sample.minflt = d.minflt;
		sample.majflt = d.majflt;
		sample.user_s = d.user_s;
		sample.sys_s = d.sys_s;
		sample.wall_s = wall;
		sample.rss_kb = self_rss_kb().value_or(0);
		sample.cont_kb = audit_cont_kb();
	}
	Sample sample;

private:
	Usage usage_;
	double wall_ = 0;
};

// The child's report: a Sample, or an error message.
struct Report {
	Sample sample;
	char error[200];
};

bool write_all(int fd, const void *buf, std::size_t len)
{
	const char *p = static_cast<const char *>(buf);
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= static_cast<std::size_t>(n);
	}
	return true;
}

[[noreturn]] void child_main(int fd, const Workload &w, const Params &prm)
{
	Report rep{};
	try {
		ChildMeter meter;
		const WorkloadOutput out = w.run(prm, meter);
		rep.sample = meter.sample;
		rep.sample.ops = out.ops;
		rep.sample.bytes = out.bytes;
		if (out.writer_loops)
			rep.sample.writer_loops = static_cast<std::int64_t>(*out.writer_loops);
	} catch (const std::exception &e) {
		std::snprintf(rep.error, sizeof(rep.error), "%s", e.what());
	}
	_exit(write_all(fd, &rep, sizeof(rep)) ? 0 : 1);
}

std::uint64_t median_u64(const std::vector<Sample> &s, std::uint64_t Sample::*field)
{
	std::vector<double> v;
	for (const auto &x : s)
		v.push_back(static_cast<double>(x.*field));
	return static_cast<std::uint64_t>(median(v) + 0.5);
}

double median_d(const std::vector<Sample> &s, double Sample::*field)
{
	std::vector<double> v;
	for (const auto &x : s)
		v.push_back(x.*field);
	return median(v);
}

// The writer's loops per second of each run, over the same measured time as
// the faulters' ops; none unless every run had a writer (some had 0 loops
// if it was parked).
std::optional<double> median_writer_rate(const std::vector<Sample> &s)
{
	std::vector<double> rates;
	for (const auto &x : s) {
		if (x.writer_loops < 0)
			return std::nullopt;
		rates.push_back(x.wall_s > 0 ? static_cast<double>(x.writer_loops) / x.wall_s : 0);
	}
	return median(rates);
}

}  // namespace

Sample run_in_child(const Workload &w, const Params &prm)
{
	int fds[2];
	if (pipe(fds))
		throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
	const pid_t pid = fork();
	if (pid < 0)
		throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
	if (pid == 0) {
		close(fds[0]);
		child_main(fds[1], w, prm);
	}
	close(fds[1]);
	Report rep{};
	std::size_t got = 0;
	while (got < sizeof(rep)) {
		ssize_t n = read(fds[0], reinterpret_cast<char *>(&rep) + got, sizeof(rep) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += static_cast<std::size_t>(n);
	}
	close(fds[0]);
	int status = 0;
	waitpid(pid, &status, 0);
	if (got != sizeof(rep)) {
		if (WIFSIGNALED(status))
			throw std::runtime_error(w.name + ": child killed by signal " +
						 std::to_string(WTERMSIG(status)));
		throw std::runtime_error(w.name + ": child exited without a report");
	}
	if (rep.error[0])
		throw std::runtime_error(w.name + ": " + rep.error);
	return rep.sample;
}

Record aggregate(const std::string &kernel, const std::string &setting,
		 const std::string &workload, const std::vector<Sample> &samples)
{
	Record r;
	r.kernel = kernel;
	r.setting = setting;
	r.workload = workload;
	r.runs = static_cast<unsigned>(samples.size());
	if (samples.empty())
		return r;
	r.bytes = samples.front().bytes;
	r.ops = samples.front().ops;
	r.minflt = median_u64(samples, &Sample::minflt);
	r.rss_kb = median_u64(samples, &Sample::rss_kb);
	r.sys_s = median_d(samples, &Sample::sys_s);
	r.user_s = median_d(samples, &Sample::user_s);
	std::vector<double> walls;
	for (const auto &s : samples)
		walls.push_back(s.wall_s);
	const Summary wall = summarize(walls);
	r.wall_s = wall.median;
	r.wall_stddev_s = wall.stddev;

	bool have_cont = true;
	std::vector<double> cont;
	for (const auto &s : samples) {
		have_cont = have_cont && s.cont_kb >= 0;
		cont.push_back(static_cast<double>(s.cont_kb));
	}
	if (have_cont)
		r.cont_kb = static_cast<std::uint64_t>(median(cont) + 0.5);
	if (r.wall_s > 0) {
		r.ops_per_s = r.ops / r.wall_s;
		r.faults_per_s = r.minflt / r.wall_s;
	}
	r.writer_ops_per_s = median_writer_rate(samples);
	r.samples = samples;
	return r;
}

void add_runs(std::vector<Record> &records, const Record &runs)
{
	for (auto &r : records) {
		if (r.kernel != runs.kernel || r.setting != runs.setting ||
		    r.workload != runs.workload)
			continue;
		if (r.samples.empty())
			throw std::runtime_error(r.workload + ": the record there keeps no runs to add to");
		std::vector<Sample> all = r.samples;
		all.insert(all.end(), runs.samples.begin(), runs.samples.end());
		r = aggregate(r.kernel, r.setting, r.workload, all);
		return;
	}
	records.push_back(runs);
}

}  // namespace ffbench
