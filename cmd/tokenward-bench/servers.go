package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// moduleRoot is the directory of the go.mod the go command sees from here,
// where the binaries are built from.
func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("not inside the tokenward module: run from the repository")
	}
	return filepath.Dir(gomod), nil
}

// goBuild builds pkg (relative to root) into out.
func goBuild(ctx context.Context, root, pkg, out string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, pkg)
	cmd.Dir = root
	cmd.Env = os.Environ()
	if os.Getenv("GOTOOLCHAIN") == "" {
		cmd.Env = append(cmd.Env, "GOTOOLCHAIN=local")
	}
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %w\n%s", pkg, err, b)
	}
	return nil
}

// buildAll builds the named packages into dir at the same time and returns
// the binaries' paths in the same order.
func buildAll(ctx context.Context, root, dir string, pkgs ...string) ([]string, error) {
	bins := make([]string, len(pkgs))
	errs := make([]error, len(pkgs))
	done := make(chan struct{})
	for i, pkg := range pkgs {
		bins[i] = filepath.Join(dir, filepath.Base(pkg))
		go func() {
			errs[i] = goBuild(ctx, root, pkg, bins[i])
			done <- struct{}{}
		}()
	}
	for range pkgs {
		<-done
	}
	return bins, errors.Join(errs...)
}

// freeAddr asks the kernel for a free port on 127.0.0.1. Another process
// could take it before the server binds it; the server's start then fails
// loudly.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// process is a server the tool started, with its output in a log file.
type process struct {
	name    string
	base    string // http://127.0.0.1:PORT
	logPath string
	cmd     *exec.Cmd
	exited  chan struct{}
	err     error // why it exited, once exited is closed
}

// startServer starts bin with args (which must include addr) and its output
// going to logPath.
func startServer(name, bin, addr, logPath string, args ...string) (*process, error) {
	log, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		log.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &process{name: name, base: "http://" + addr, logPath: logPath, cmd: cmd, exited: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		log.Close()
		close(p.exited)
	}()
	return p, nil
}

// waitReady polls path until it answers 200, the process exits, or timeout
// passes.
func (p *process) waitReady(ctx context.Context, c *http.Client, path string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.base+path, nil)
		if err != nil {
			return err
		}
		resp, err := c.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-p.exited:
			return fmt.Errorf("%s exited before it was ready (%v):\n%s", p.name, p.err, p.logTail(2000))
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready at %s%s after %s:\n%s", p.name, p.base, path, timeout, p.logTail(2000))
		}
	}
}

// stop sends SIGTERM and waits up to grace for the process to finish its
// shutdown, then kills it.
func (p *process) stop(grace time.Duration) error {
	select {
	case <-p.exited:
		return nil
	default:
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("stop %s: %w", p.name, err)
	}
	select {
	case <-p.exited:
		return nil
	case <-time.After(grace):
		p.cmd.Process.Kill()
		<-p.exited
		return fmt.Errorf("%s did not stop within %s after SIGTERM; killed it", p.name, grace)
	}
}

// logTail is the end of the process's output, for error messages.
func (p *process) logTail(n int) string {
	b, _ := os.ReadFile(p.logPath)
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

// logSince returns the output the process wrote after offset and the new
// offset, so each scenario can be checked for the server's complaints.
func (p *process) logSince(offset int64) ([]byte, int64) {
	f, err := os.Open(p.logPath)
	if err != nil {
		return nil, offset
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return nil, offset
	}
	b, _ := io.ReadAll(f)
	return b, offset + int64(len(b))
}

// logComplaints counts the server's error lines and SQLite lock errors in
// output a scenario produced.
func logComplaints(out []byte) (errorLines, busy int) {
	for line := range bytes.Lines(out) {
		if bytes.Contains(line, []byte("level=ERROR")) {
			errorLines++
		}
		if mentionsBusy(line) {
			busy++
		}
	}
	return errorLines, busy
}
