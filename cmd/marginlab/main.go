package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// main only wires the process to run, so that everything else can be tested
// in-process with buffers in place of the standard streams.
func main() {
	// The first interrupt cancels ctx so a command can stop cleanly; stop
	// restores the default handling, so a second one kills the process.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
	}()
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
