#!/bin/sh
# Plan "shell": an interactive shell on the serial console.
setsid cttyhack sh </dev/ttyAMA0 >/dev/ttyAMA0 2>&1
