package main

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"time"
)

// Server CPU time per request is the figure that holds when the machine is
// busy with other work: throughput falls with what else runs, but the CPU
// the server spends on each request moves far less. The tool reads it from
// /proc (Linux); elsewhere the column stays empty.

// clockTicks is the unit of /proc/PID/stat's CPU times: USER_HZ, 100 on
// every Linux architecture Go supports.
const clockTicks = 100

// cpuTime is the CPU (user and system) process pid has used so far, or
// false when /proc cannot tell.
func cpuTime(pid int) (time.Duration, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	// The command name, in parentheses, may hold spaces: count fields
	// after its closing one. utime and stime are fields 14 and 15.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, false
	}
	f := bytes.Fields(b[i+1:])
	if len(f) < 13 {
		return 0, false
	}
	var ticks int64
	for _, s := range f[11:13] {
		n, err := strconv.ParseInt(string(s), 10, 64)
		if err != nil {
			return 0, false
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / clockTicks, true
}

// serversCPU is the CPU all of procs have used so far, or false when one
// cannot be read.
func serversCPU(procs []*process) (time.Duration, bool) {
	var sum time.Duration
	for _, p := range procs {
		d, ok := cpuTime(p.cmd.Process.Pid)
		if !ok {
			return 0, false
		}
		sum += d
	}
	return sum, len(procs) > 0
}
