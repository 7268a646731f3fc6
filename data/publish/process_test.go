package publish

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestMain lets the test binary play a second process holding a lock.
func TestMain(m *testing.M) {
	if dir := os.Getenv("PUBLISH_TEST_HOLD"); dir != "" {
		l, err := LockDir(dir)
		if err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		fmt.Println("locked")
		io.Copy(io.Discard, os.Stdin) // hold until the parent closes stdin
		l.Unlock()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// A lock held by another process fails fast naming it; the lock goes with
// the process, however it ends.
func TestLockAcrossProcesses(t *testing.T) {
	dir := t.TempDir()
	for _, kill := range []bool{false, true} {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "PUBLISH_TEST_HOLD="+dir)
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if line, _ := bufio.NewReader(stdout).ReadString('\n'); line != "locked\n" {
			t.Fatalf("helper: %q", line)
		}
		_, err = LockDir(dir)
		if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), fmt.Sprintf("pid %d on host", cmd.Process.Pid)) {
			t.Errorf("LockDir while another process holds the lock = %v, want it to name pid %d", err, cmd.Process.Pid)
		}
		if kill {
			cmd.Process.Kill()
		}
		stdin.Close()
		cmd.Wait()
		l, err := LockDir(dir)
		if err != nil {
			t.Fatalf("LockDir after the holder ended (killed: %v): %v", kill, err)
		}
		l.Unlock()
	}
}
