package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"syscall"
	"time"
)

// maxBody is the most of an answer a worker reads; a dashboard page fits.
const maxBody = 4 << 20

// tally is what one worker saw during a scenario. Each worker has its own, so
// recording takes no lock; the runner merges them when the scenario ends.
// Nothing is recorded while recording is false (the warm-up).
type tally struct {
	recording bool
	latencies []time.Duration
	statuses  map[int]int
	errors    map[string]int
	counters  map[string]int
	buf       bytes.Buffer
}

func newTally() *tally {
	return &tally{latencies: make([]time.Duration, 0, 1<<16), statuses: map[int]int{},
		errors: map[string]int{}, counters: map[string]int{}}
}

// fail counts one unexpected outcome of the given kind.
func (t *tally) fail(kind string) {
	if t.recording {
		t.errors[kind]++
	}
}

// count counts one occurrence of something worth reporting that is not an error.
func (t *tally) count(name string) {
	if t.recording {
		t.counters[name]++
	}
}

// exchange sends req, reads the whole answer (so the connection is reused)
// and records its latency and status. On a transport error it records the
// error and returns status 0. The body is valid until the next exchange.
func (t *tally) exchange(c *http.Client, req *http.Request) (int, []byte) {
	start := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		if req.Context().Err() != nil {
			return 0, nil // interrupted: neither a latency nor an error
		}
		t.observe(time.Since(start))
		t.fail("transport: " + transportKind(err))
		return 0, nil
	}
	t.buf.Reset()
	_, err = t.buf.ReadFrom(io.LimitReader(resp.Body, maxBody))
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	t.observe(time.Since(start))
	if err != nil {
		if req.Context().Err() == nil {
			t.fail("transport: reading the body: " + transportKind(err))
		}
		return 0, nil
	}
	if t.recording {
		t.statuses[resp.StatusCode]++
	}
	return resp.StatusCode, t.buf.Bytes()
}

func (t *tally) observe(d time.Duration) {
	if t.recording {
		t.latencies = append(t.latencies, d)
	}
}

// expect checks status against the wanted ones and counts anything else as
// an error of kind "<step>status N" (transport errors are already counted).
// It also notices SQLite lock errors leaking into an unexpected answer.
func expect(t *tally, step string, status int, body []byte, want ...int) bool {
	if status == 0 {
		return false
	}
	if slices.Contains(want, status) {
		return true
	}
	t.fail(fmt.Sprintf("%sstatus %d", step, status))
	if mentionsBusy(body) {
		t.count(counterBusyBody)
	}
	return false
}

var busyMarks = [][]byte{[]byte("SQLITE_BUSY"), []byte("database is locked")}

// mentionsBusy reports whether text carries one of SQLite's lock errors.
func mentionsBusy(text []byte) bool {
	for _, m := range busyMarks {
		if bytes.Contains(text, m) {
			return true
		}
	}
	return false
}

// transportKind names a transport error briefly, so errors group by cause.
func transportKind(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return "no local port free"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed early"
	case errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	}
	return "other"
}

// workerFunc makes one iteration of a worker's loop: usually one request,
// sometimes a short sequence (the mixed scenario's writers).
type workerFunc func(ctx context.Context, t *tally)

// measurement is what all the workers of one scenario saw in the measured
// window, merged; latencies are sorted.
type measurement struct {
	window time.Duration
	// serverCPU is the CPU the servers used during the window, when known.
	serverCPU time.Duration
	latencies []time.Duration
	statuses  map[int]int
	errors    map[string]int
	counters  map[string]int
}

// drive runs each worker in its own goroutine for warmup, then for duration
// while recording, and merges what they saw. Iterations started before the
// window closes finish and count; a cancelled ctx ends the run early.
func drive(ctx context.Context, warmup, duration time.Duration, workers []workerFunc, cpu func() (time.Duration, bool)) measurement {
	start := time.Now()
	from, end := start.Add(warmup), start.Add(warmup+duration)
	// The servers' CPU is read as the window opens and once every worker
	// has finished, whose last iterations count too.
	var cpuFrom time.Duration
	cpuKnown := false
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		select {
		case <-time.After(time.Until(from)):
			cpuFrom, cpuKnown = cpu()
		case <-ctx.Done():
		}
	}()
	tallies := make([]*tally, len(workers))
	var wg sync.WaitGroup
	for i, w := range workers {
		t := newTally()
		tallies[i] = t
		wg.Go(func() {
			for ctx.Err() == nil {
				now := time.Now()
				if !now.Before(end) {
					return
				}
				t.recording = !now.Before(from)
				w(ctx, t)
			}
		})
	}
	wg.Wait()
	<-sampled
	window := duration
	if ctx.Err() != nil {
		window = max(0, min(duration, time.Since(from)))
	}
	m := merge(tallies, window)
	if cpuTo, ok := cpu(); ok && cpuKnown {
		m.serverCPU = cpuTo - cpuFrom
	}
	return m
}

// mergeMeasurements adds b, a later round of the same scenario, to a.
func mergeMeasurements(a, b measurement) measurement {
	if a.statuses == nil {
		return b
	}
	a.window += b.window
	a.serverCPU += b.serverCPU
	a.latencies = append(a.latencies, b.latencies...)
	slices.Sort(a.latencies)
	for _, pair := range [][2]map[string]int{{a.errors, b.errors}, {a.counters, b.counters}} {
		for k, v := range pair[1] {
			pair[0][k] += v
		}
	}
	for k, v := range b.statuses {
		a.statuses[k] += v
	}
	return a
}

func merge(tallies []*tally, window time.Duration) measurement {
	m := measurement{window: window, statuses: map[int]int{}, errors: map[string]int{}, counters: map[string]int{}}
	n := 0
	for _, t := range tallies {
		n += len(t.latencies)
	}
	m.latencies = make([]time.Duration, 0, n)
	for _, t := range tallies {
		m.latencies = append(m.latencies, t.latencies...)
		for k, v := range t.statuses {
			m.statuses[k] += v
		}
		for k, v := range t.errors {
			m.errors[k] += v
		}
		for k, v := range t.counters {
			m.counters[k] += v
		}
	}
	slices.Sort(m.latencies)
	return m
}

// newClient is the one HTTP client every scenario uses: keep-alive with an
// idle connection kept for every worker, no proxy, no compression, and no
// redirects followed (a redirect to /login is an answer to count, not follow).
func newClient(concurrency int) *http.Client {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        4 * concurrency,
		MaxIdleConnsPerHost: 2 * concurrency,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	return &http.Client{Transport: tr, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}
