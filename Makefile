# fastfault: build, boot and test the series on arm64 Linux 6.1 under QEMU.
#
#   make run           build what is missing, boot the bench kernel, run the
#                      benchmarks, print the table and the counters
#   make check         every test: host unit tests, debug kernel, KUnit,
#                      kselftests (the reservation and block ones again on
#                      cortex-a57; reserved pages and CMA), the tree's vm
#                      selftests, console scans;
#                      ends "N passed, N failed, N skipped"
#   make bench         the benchmarks alone (out/bench/results.json)
#   make torture       randomized mm stress on the debug kernel, with memory
#                      pressure, module reloads and fuzzed input; then the
#                      auditor, leak and console checks (out/torture)
#   make gup           GUP on device memory (devmap, page-less and fsdax PMDs)
#                      on the debug kernel, every case alone; with
#                      KERNEL=base, the list of cases the series fixes
#   make compare       the full bench on 6.1, 6.1 with the series and 6.12,
#                      side by side (out/compare: JSON, Markdown, plots)
#   make series-check  each patch applies, builds, and is checkpatch --strict clean
#   make export        regenerate patches/ from the kernel tree in the cache
#   make board         a tarball of tests, benchmarks and the module for a
#                      real board (KDIR=its kernel build); board-test runs it
#                      in the guest
#   make shell         boot CONFIG with a shell on the console
#
# Every variable a user may set, with its default (make VAR=value):
CPU ?= max#            QEMU cpu: max or cortex-a57
MEM ?= 1G#             guest memory
SMP ?= 2#              guest CPUs
NODES ?= 2#            guest NUMA nodes, 1 or 2 (MEM split evenly; 2 lets tests migrate pages)
TIMEOUT ?= 900#        seconds before a boot is declared lost
APPEND ?=#             extra kernel command line
CONFIG ?= debug#       kernel config for make shell: debug or bench
KERNEL ?= series#      series (the patched tree), base (the pinned source alone, out/base)
#                      or 6.12 (Debian's linux-source-6.12, out/6.12: bench only)
SETTING ?= auto#       bench: settings to run, NAME[,NAME...]; auto: all this kernel has
RUNS ?= 3#             bench: runs per workload (the median is reported)
WORKLOAD ?=#           bench: workloads to run, NAME[,NAME...] (ffbench --list); empty: all
SECONDS ?= 600#        torture: run time (make check runs it for 60)
SEED ?=#               torture: seed to repeat a run (default: from the clock)
DEVICE_MEMORY ?= 0#    shell: 1 adds make gup's device memory (test devices, pmem)
FIRST ?=#              series-check: check from this patch on (the earlier ones built once)
KDIR ?=#               board: the board kernel's build directory (default: the debug build here)
FASTFAULT_CACHE ?= $(HOME)/.cache/fastfault#  kernel tree, builds, ccache

strip = $(strip $(1))
override CPU := $(call strip,$(CPU))
override MEM := $(call strip,$(MEM))
override SMP := $(call strip,$(SMP))
override NODES := $(call strip,$(NODES))
override TIMEOUT := $(call strip,$(TIMEOUT))
override CONFIG := $(call strip,$(CONFIG))
override KERNEL := $(call strip,$(KERNEL))
override SETTING := $(call strip,$(SETTING))
override RUNS := $(call strip,$(RUNS))
override WORKLOAD := $(call strip,$(WORKLOAD))
override SECONDS := $(call strip,$(SECONDS))
override SEED := $(call strip,$(SEED))
override DEVICE_MEMORY := $(call strip,$(DEVICE_MEMORY))
override FIRST := $(call strip,$(FIRST))
FASTFAULT_KERNEL := $(KERNEL)
export CPU MEM SMP NODES TIMEOUT APPEND FASTFAULT_CACHE FASTFAULT_KERNEL DEVICE_MEMORY

$(if $(filter $(CPU),max cortex-a57),,$(error CPU=$(CPU) is unknown: use max or cortex-a57))
$(if $(filter $(CONFIG),debug bench),,$(error CONFIG=$(CONFIG) is unknown: use debug or bench))
# The later kernel make compare measures against, as configs/pins.env pins it.
REF_SERIES := $(shell . configs/pins.env && echo "$$REF_SERIES")
$(if $(filter $(KERNEL),series base $(REF_SERIES)),,$(error KERNEL=$(KERNEL) is unknown: use series, base or $(REF_SERIES)))
$(if $(and $(filter $(REF_SERIES),$(KERNEL)),$(filter check torture gup series-check export,$(MAKECMDGOALS))),\
	$(error KERNEL=$(REF_SERIES) runs the benchmarks alone: use it with make bench, run, shell or compare))
$(if $(shell echo '$(MEM)' | grep -xE '[0-9]+[MG]'),,$(error MEM=$(MEM) is not a size like 1G or 1536M))
$(if $(shell echo '$(SMP)' | grep -xE '[1-8]'),,$(error SMP=$(SMP) is not a CPU count from 1 to 8))
$(if $(filter $(NODES),1 2),,$(error NODES=$(NODES) is unknown: use 1 or 2))
$(if $(filter $(DEVICE_MEMORY),0 1),,$(error DEVICE_MEMORY=$(DEVICE_MEMORY) is unknown: use 0 or 1))
$(if $(shell echo '$(TIMEOUT)' | grep -xE '[0-9]+'),,$(error TIMEOUT=$(TIMEOUT) is not a number of seconds))
$(if $(shell echo '$(RUNS)' | grep -xE '[1-9][0-9]?'),,$(error RUNS=$(RUNS) is not a number from 1 to 99))
$(if $(shell echo '$(SECONDS)' | grep -xE '[1-9][0-9]{0,4}'),,$(error SECONDS=$(SECONDS) is not a number of seconds))
$(if $(shell echo 'x$(SEED)' | grep -xE 'x[0-9]*'),,$(error SEED=$(SEED) is not a decimal number))
$(if $(shell echo 'x$(FIRST)' | grep -xE 'x([1-9][0-9]*)?'),,$(error FIRST=$(FIRST) is not a patch number))
$(if $(shell echo '$(SETTING)' | grep -xE '[a-z0-9][a-z0-9+._-]*(,[a-z0-9][a-z0-9+._-]*)*'),,$(error SETTING=$(SETTING) is not a list of plain names))

OUT := $(CURDIR)/out$(if $(filter-out series,$(KERNEL)),/$(KERNEL))
CHECK := $(OUT)/check
S := scripts

.PHONY: all deps tree export bench-bin host-test check bench run torture gup compare series-check shell clean board board-test
# kernel-%, module-%, selftests-%, vmtests-% and initramfs-% are pattern rules (which make
# does not apply to .PHONY targets); no file of those names is ever made.

all: run

deps:
	$(S)/deps.sh

tree: deps
	$(S)/tree.sh

export:
	$(S)/export.sh

kernel-%: tree
	$(S)/build.sh $*

module-%: kernel-%
	$(S)/module.sh $*

selftests-%: kernel-%
	$(S)/selftests.sh $*

bench-bin: deps
	$(MAKE) -s -C bench all OUT=$(OUT)/bench

vmtests-%: kernel-%
	$(S)/vmtests.sh $*

# The $(REF_SERIES) kernel runs the benchmarks alone: no tests to build for it.
initramfs-%: module-% $(if $(filter $(REF_SERIES),$(KERNEL)),,selftests-% vmtests-%) bench-bin
	$(S)/initramfs.sh $*

host-test: deps
	$(MAKE) -s -C bench OUT=$(OUT)/bench $(OUT)/bench/ffbench_test

# Tests run to the end and are counted even when some fail; summary.sh
# decides the exit status. Build failures stop make at once.
check: host-test initramfs-debug
	@rm -rf $(CHECK); mkdir -p $(CHECK)
	-$(OUT)/bench/ffbench_test >$(CHECK)/host-tests.log 2>&1
	-$(S)/test-scan-console.sh >$(CHECK)/scan-test.tap 2>&1
	-$(S)/test-summary.sh >$(CHECK)/summary-test.tap 2>&1
	-$(S)/qemu.sh debug check $(CHECK)/boot
	-$(S)/kunit.sh $(CHECK)/boot/console.log >$(CHECK)/kunit.log 2>&1
	-$(S)/scan-console.sh $(CHECK)/boot/console.log >$(CHECK)/scan.log; echo $$? >$(CHECK)/scan.exit
	@cat $(CHECK)/scan.log
	-CPU=cortex-a57 $(S)/qemu.sh debug blocks $(CHECK)/a57
	-$(S)/scan-console.sh $(CHECK)/a57/console.log >$(CHECK)/a57-scan.log; echo $$? >$(CHECK)/a57-scan.exit
	@cat $(CHECK)/a57-scan.log
	-NODES=1 APPEND=cma=512M $(S)/qemu.sh debug movable $(CHECK)/movable
	-$(S)/scan-console.sh $(CHECK)/movable/console.log >$(CHECK)/movable-scan.log; \
		echo $$? >$(CHECK)/movable-scan.exit
	@cat $(CHECK)/movable-scan.log
	-MEM=2G $(S)/qemu.sh debug vmtests $(CHECK)/vmtests
	-$(S)/scan-console.sh $(CHECK)/vmtests/console.log >$(CHECK)/vmtests-scan.log; \
		echo $$? >$(CHECK)/vmtests-scan.exit
	@cat $(CHECK)/vmtests-scan.log
	-$(S)/torture.sh 60 '' $(CHECK)/torture >$(CHECK)/torture.log 2>&1
	-$(S)/gup.sh $(CHECK)/gup >$(CHECK)/gup.log 2>&1
	@$(S)/summary.sh gtest:$(CHECK)/host-tests.log tap:$(CHECK)/scan-test.tap \
		tap:$(CHECK)/summary-test.tap \
		verdict:$(CHECK)/boot/verdict kunit:$(CHECK)/kunit.log \
		tap:$(CHECK)/boot/results.txt exit:$(CHECK)/scan.exit \
		verdict:$(CHECK)/a57/verdict tap:$(CHECK)/a57/results.txt \
		exit:$(CHECK)/a57-scan.exit \
		verdict:$(CHECK)/movable/verdict tap:$(CHECK)/movable/results.txt \
		exit:$(CHECK)/movable-scan.exit \
		verdict:$(CHECK)/vmtests/verdict tap:$(CHECK)/vmtests/results.txt \
		exit:$(CHECK)/vmtests-scan.exit \
		verdict:$(CHECK)/torture/verdict tap:$(CHECK)/torture/results.txt \
		exit:$(CHECK)/torture/scan.exit \
		verdict:$(CHECK)/gup/verdict tap:$(CHECK)/gup/results.txt \
		exit:$(CHECK)/gup/scan.exit

# The tarball for a board (out/board/fastfault-board.tar.gz), the module
# built against KDIR (default: the debug kernel built here); board-test
# runs it in the guest as a board user would (plan board).
board: initramfs-debug
	$(S)/board.sh $(if $(KDIR),$(KDIR),$(FASTFAULT_CACHE)/build/debug)

board-test: board
	$(S)/initramfs.sh debug
	-$(S)/qemu.sh debug board $(OUT)/board/boot
	@$(S)/summary.sh verdict:$(OUT)/board/boot/verdict tap:$(OUT)/board/boot/results.txt

bench: initramfs-bench
	$(S)/bench.sh '$(SETTING)' '$(RUNS)' '$(WORKLOAD)'

torture: initramfs-debug
	$(S)/torture.sh $(SECONDS) '$(SEED)' $(OUT)/torture

gup: initramfs-debug
	$(S)/gup.sh $(OUT)/gup

run: bench
	@echo; echo "counters (/sys/kernel/debug/fastfault/stats after the run):"
	@sed -n '/^fastfault-counters:/,/^fastfault-verdict/p' $(OUT)/bench/boot/results.txt | sed '1d;$$d'

# Each kernel is built (or brought up to date) by a make of its own.
compare:
	$(S)/deps.sh compare
	$(MAKE) KERNEL=base initramfs-bench
	$(MAKE) KERNEL=series initramfs-bench
	$(MAKE) KERNEL=$(REF_SERIES) initramfs-bench
	$(S)/compare.sh $(RUNS)

series-check: tree
	$(S)/series-check.sh $(FIRST)

shell: initramfs-$(CONFIG)
	$(S)/qemu-shell.sh $(CONFIG)

clean:
	rm -rf $(OUT)
