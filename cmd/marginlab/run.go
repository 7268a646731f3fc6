package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Exit statuses.
const (
	exitOK     = 0
	exitFailed = 1 // the command ran but something failed
	exitUsage  = 2 // unknown command or flag, bad flag value, missing argument
)

const programName = "marginlab"

// command is one subcommand. Its flags are registered by setup, which
// returns the function that runs it; keeping flags and run together in one
// closure lets each command hold its flag values in local variables, and
// lets help and the tests build a command's FlagSet without running it.
type command struct {
	name     string   // words after "marginlab", e.g. "data inspect"
	args     string   // positional arguments in the synopsis, e.g. "FILE..."
	summary  string   // one line for the overview
	about    string   // what the command does, for its help
	examples []string // command lines, each optionally followed by "  # comment"
	setup    func(fs *flag.FlagSet) runFunc
}

// runFunc runs a command with its positional arguments.
type runFunc func(ctx context.Context, sio *stdio, args []string) error

// stdio holds the streams a command reads and writes.
type stdio struct {
	in          io.Reader
	out, errOut io.Writer
}

// commands is the dispatch table: adding a command is adding a line here.
var commands = []*command{
	dataInspectCmd,
	dataConvertCmd,
	dataSynthCmd,
	dataFetchCmd,
	demoCmd,
	initCmd,
	runCmd,
	sweepCmd,
	mergeCmd,
	reportCmd,
	compareCmd,
	liqCmd,
	venueImportCmd,
}

// usageError is a mistake in the command line: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// run runs marginlab with the arguments after the program name and returns
// the exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	sio := &stdio{in: stdin, out: stdout, errOut: stderr}
	if len(args) == 0 {
		printOverview(stdout)
		return exitOK
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		return help(sio, args[1:])
	}
	c, rest := lookup(args)
	if c == nil {
		return unknown(sio, args)
	}
	return c.run(ctx, sio, rest)
}

// lookup finds the command named by the leading words of args, the longest
// match winning, and returns it with the arguments that follow its name.
func lookup(args []string) (*command, []string) {
	var best *command
	var n int
	for _, c := range commands {
		w := strings.Fields(c.name)
		if len(w) > n && len(args) >= len(w) && slices.Equal(args[:len(w)], w) {
			best, n = c, len(w)
		}
	}
	return best, args[n:]
}

// group returns the commands whose name starts with the given words, for
// "marginlab data" and "marginlab help data".
func group(words []string) []*command {
	var out []*command
	for _, c := range commands {
		w := strings.Fields(c.name)
		if len(words) > 0 && len(w) > len(words) && slices.Equal(w[:len(words)], words) {
			out = append(out, c)
		}
	}
	return out
}

// unknown reports args that name no command: a group name alone, a
// group's unknown member, or an unknown command.
func unknown(sio *stdio, args []string) int {
	if strings.HasPrefix(args[0], "-") {
		fmt.Fprintf(sio.errOut, "%s: unknown flag %s\nRun '%s help' for usage.\n", programName, args[0], programName)
		return exitUsage
	}
	if g := group(args[:1]); g != nil {
		if len(args) > 1 && (args[1] == "-h" || args[1] == "-help" || args[1] == "--help") {
			printGroup(sio.out, args[0], g)
			return exitOK
		}
		if len(args) == 1 {
			fmt.Fprintf(sio.errOut, "%s %s: missing subcommand\n\n", programName, args[0])
		} else {
			fmt.Fprintf(sio.errOut, "%s %s: unknown subcommand %q\n\n", programName, args[0], args[1])
		}
		printGroup(sio.errOut, args[0], g)
		return exitUsage
	}
	fmt.Fprintf(sio.errOut, "%s: unknown command %q\nRun '%s help' for a list of commands.\n", programName, args[0], programName)
	return exitUsage
}

// help serves "marginlab help [topic...]".
func help(sio *stdio, topic []string) int {
	if len(topic) == 0 || (len(topic) == 1 && topic[0] == "help") {
		printOverview(sio.out)
		return exitOK
	}
	if c, rest := lookup(topic); c != nil && len(rest) == 0 {
		c.printHelp(sio.out)
		return exitOK
	}
	if g := group(topic); g != nil {
		printGroup(sio.out, strings.Join(topic, " "), g)
		return exitOK
	}
	fmt.Fprintf(sio.errOut, "%s help: unknown help topic %q\nRun '%s help' for a list of commands.\n",
		programName, strings.Join(topic, " "), programName)
	return exitUsage
}

// run parses the command's flags and runs it, turning the outcome into an
// exit status.
func (c *command) run(ctx context.Context, sio *stdio, args []string) int {
	fs := c.newFlagSet(sio.errOut)
	fn := c.setup(fs)
	pos, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		c.printHelp(sio.out)
		return exitOK
	}
	if err != nil {
		// The flag package has already printed what was wrong.
		c.printUsageHint(sio.errOut)
		return exitUsage
	}
	err = fn(ctx, sio, pos)
	var ue *usageError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(sio.errOut, "%s %s: %v\n", programName, c.name, err)
		c.printUsageHint(sio.errOut)
		return exitUsage
	case errors.Is(err, context.Canceled):
		fmt.Fprintf(sio.errOut, "%s: interrupted\n", programName)
		return exitFailed
	default:
		fmt.Fprintf(sio.errOut, "%s: %v\n", programName, err)
		return exitFailed
	}
}

// newFlagSet returns the command's empty FlagSet. Its errors go to stderr
// prefixed with the command's name, like every other error. Its Usage does
// nothing: run prints a short hint after a parse error, and the full help
// on stdout for -h.
func (c *command) newFlagSet(stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(programName+" "+c.name, flag.ContinueOnError)
	fs.SetOutput(&prefixWriter{w: stderr, prefix: fs.Name() + ": "})
	fs.Usage = func() {}
	return fs
}

func (c *command) synopsis() string {
	s := programName + " " + c.name + " [flags]"
	if c.args != "" {
		s += " " + c.args
	}
	return s
}

func (c *command) printUsageHint(w io.Writer) {
	fmt.Fprintf(w, "usage: %s\nRun '%s help %s' for details.\n", c.synopsis(), programName, c.name)
}

// printHelp prints the command's full help: synopsis, description, every
// flag with its default, and examples.
func (c *command) printHelp(w io.Writer) {
	fmt.Fprintf(w, "usage: %s\n\n%s\n", c.synopsis(), strings.TrimSpace(c.about))
	fs := c.newFlagSet(io.Discard)
	c.setup(fs)
	fmt.Fprintf(w, "\nFlags:\n")
	printFlags(w, fs)
	fmt.Fprintf(w, "\nExamples:\n")
	for _, e := range c.examples {
		fmt.Fprintf(w, "  %s\n", e)
	}
}

const overviewIntro = `marginlab is a batch backtester for perpetual futures, built to compare
isolated and cross margin on the same strategy and data: one strategy's
intents are replayed under each margin mode, and the run reports how often
each mode liquidates, what each liquidation costs, and how efficiently each
uses capital. Start with "marginlab demo", or "marginlab init" and
"marginlab run -c marginlab.yaml".`

func printOverview(w io.Writer) {
	fmt.Fprintf(w, "%s\n\nUsage:\n\n  %s <command> [arguments]\n\nCommands:\n\n", overviewIntro, programName)
	width := len("help")
	for _, c := range commands {
		width = max(width, len(c.name))
	}
	for _, c := range commands {
		fmt.Fprintf(w, "  %-*s  %s\n", width, c.name, c.summary)
	}
	fmt.Fprintf(w, "  %-*s  %s\n", width, "help", "show help for a command")
	fmt.Fprintf(w, "\nExamples:\n\n")
	fmt.Fprintf(w, "  %s demo\n", programName)
	fmt.Fprintf(w, "  %s data synth --out market --symbols BTC,ETH,SOL --timeframe 5m\n", programName)
	fmt.Fprintf(w, "  %s data inspect market/*.parquet --json\n", programName)
	fmt.Fprintf(w, "  %s help data inspect\n", programName)
	fmt.Fprintf(w, "\nRun '%s help <command>' for details on a command.\n", programName)
}

// printGroup lists the commands of a group such as "data".
func printGroup(w io.Writer, name string, cmds []*command) {
	fmt.Fprintf(w, "usage: %s %s <subcommand> [arguments]\n\nSubcommands:\n\n", programName, name)
	width := 0
	for _, c := range cmds {
		width = max(width, len(c.name))
	}
	for _, c := range cmds {
		fmt.Fprintf(w, "  %-*s  %s\n", width, c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun '%s help %s <subcommand>' for details.\n", programName, name)
}

// prefixWriter starts every write with prefix. The flag package writes each
// message with one Fprintln, so each message gets the prefix once.
type prefixWriter struct {
	w      io.Writer
	prefix string
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	if _, err := io.WriteString(p.w, p.prefix); err != nil {
		return 0, err
	}
	return p.w.Write(b)
}
