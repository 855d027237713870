package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/google/shlex"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

const (
	// defaultRunModule is the SDK's program runner; PULUMI_LANGUAGE_NODEJS_RUN_PATH overrides it as in the
	// official host.
	defaultRunModule = "@pulumi/pulumi/cmd/run"

	// exitCodeErrorAlreadyReported is what @pulumi/pulumi/cmd/run exits with when every uncaught error was
	// already sent to the engine with log.error (nodeJSProcessExitedAfterLoggingUserActionableMessage).
	// We then answer Bail so the engine does not print a second, generic error.
	exitCodeErrorAlreadyReported = 32

	// interruptGrace is how long a cancelled program gets after SIGINT before it is killed.
	interruptGrace = 5 * time.Second
)

// inspectGuard is preloaded into every program (node --require): it keeps Node's util.inspect from looping
// for seconds to minutes on the stack frames @pulumi/pulumi's source maps produce (nodejs/node#64011), which
// made a missing config value take ~20 s to report. See inspect-guard.cjs.
//
//go:embed inspect-guard.cjs
var inspectGuard []byte

// nodeOptions are the `runtime.options` of Pulumi.yaml that the Node.js host understands.
type nodeOptions struct {
	typescript     bool   // typescript: run .ts through ts-node (default true)
	tsconfigPath   string // tsconfig: tsconfig file for ts-node
	nodeargs       string // nodeargs: extra arguments for node, shell-quoted
	packageManager string // packagemanager: auto, npm, yarn, pnpm or bun
}

func parseOptions(raw map[string]any) (nodeOptions, error) {
	opts := nodeOptions{typescript: true, packageManager: "auto"}
	if v, ok := raw["typescript"]; ok {
		b, ok := v.(bool)
		if !ok {
			return opts, errors.New("typescript option must be a boolean")
		}
		opts.typescript = b
	}
	if v, ok := raw["tsconfig"]; ok {
		s, ok := v.(string)
		if !ok {
			return opts, errors.New("tsconfig option must be a string")
		}
		opts.tsconfigPath = s
	}
	if v, ok := raw["nodeargs"]; ok {
		s, ok := v.(string)
		if !ok {
			return opts, errors.New("nodeargs option must be a string")
		}
		opts.nodeargs = s
	}
	if v, ok := raw["packagemanager"]; ok {
		s, ok := v.(string)
		if !ok {
			return opts, errors.New("packagemanager option must be a string")
		}
		switch s {
		case "auto", "npm", "yarn", "pnpm", "bun":
			opts.packageManager = s
		default:
			return opts, fmt.Errorf("packagemanager option must be one of auto, npm, yarn, pnpm or bun, got %q", s)
		}
	}
	return opts, nil
}

// run starts the program and turns its exit into a RunResponse. Failures are reported in the response (not
// as gRPC errors), as the engine expects: it prints "an unhandled error occurred: <Error>".
func (h *languageHost) run(ctx context.Context, req *pulumirpc.RunRequest) *pulumirpc.RunResponse {
	fail := func(format string, args ...any) *pulumirpc.RunResponse {
		return &pulumirpc.RunResponse{Error: fmt.Sprintf(format, args...)}
	}
	if req.GetAttachDebugger() {
		return fail("attaching a debugger is not supported by this language host (tools/pulumi-cli/langhost)")
	}
	programDir := req.GetInfo().GetProgramDirectory()
	if programDir == "" {
		programDir = req.GetPwd()
	}
	opts, err := parseOptions(req.GetInfo().GetOptions().AsMap())
	if err != nil {
		return fail("%v", err)
	}
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return fail("could not find node on the $PATH: %v", err)
	}
	runModule := os.Getenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH")
	if runModule == "" {
		runModule = defaultRunModule
	}
	runPath, err := resolveModule(ctx, nodeBin, programDir, runModule)
	if err != nil {
		return fail("%v", err)
	}

	// Like the official host's --sync pipes, the preload lives in a folder of this run, removed afterwards.
	runDir, err := os.MkdirTemp("", "pulumi-language-nodejs-")
	if err != nil {
		return fail("could not create a temporary folder for the program: %v", err)
	}
	defer os.RemoveAll(runDir)
	guard := filepath.Join(runDir, "inspect-guard.cjs")
	if err := os.WriteFile(guard, inspectGuard, 0o600); err != nil {
		return fail("could not write %s: %v", guard, err)
	}

	args, err := nodeArguments(req, opts, guard, runPath, h.engine(), h.tracing)
	if err != nil {
		return fail("%v", err)
	}
	env, err := programEnv(os.Environ(), req, opts)
	if err != nil {
		return fail("%v", err)
	}

	// Interrupt node when the engine cancels (Cancel RPC) or abandons the request.
	cmdCtx, cmdCancel := context.WithCancel(h.runContext())
	defer cmdCancel()
	stop := context.AfterFunc(ctx, cmdCancel)
	defer stop()

	cmd := exec.CommandContext(cmdCtx, nodeBin, args...)
	cmd.Cancel = func() error {
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			return cmd.Process.Kill()
		}
		return nil
	}
	cmd.WaitDelay = interruptGrace
	cmd.Env = env
	// The engine shows our stdout/stderr as the program's output. Node may switch inherited descriptors to
	// non-blocking mode, so hand it pipes (the anonymous struct makes exec copy) rather than our own files.
	cmd.Stdout = struct{ io.Writer }{os.Stdout}
	cmd.Stderr = struct{ io.Writer }{os.Stderr}
	logging.V(5).Infof("Language host launching process: %s %s", nodeBin, strings.Join(args, " "))

	err = cmd.Run()
	_ = os.Stdout.Sync()
	_ = os.Stderr.Sync()
	if err == nil {
		return &pulumirpc.RunResponse{}
	}
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) {
		return fail("Problem executing program (could not run language executor): %v", err)
	}
	switch code := exitErr.ExitCode(); code {
	case exitCodeErrorAlreadyReported:
		return &pulumirpc.RunResponse{Bail: true}
	case -1:
		return fail("Program exited unexpectedly: %v", exitErr)
	default:
		return fail("Program exited with non-zero exit code: %d", code)
	}
}

// resolveModule asks node where a module resolves from the program directory, exactly as the program will
// see it (node_modules up the tree, symlinks, package exports).
func resolveModule(ctx context.Context, nodeBin, programDir, module string) (string, error) {
	const script = `const [mod, dir] = process.argv.slice(1);
try {
	console.log(require.resolve(mod, { paths: [dir] }));
} catch (err) {
	if (err.code === "MODULE_NOT_FOUND") {
		console.error("It looks like the Pulumi SDK has not been installed (cannot resolve " + mod + " from " + dir +
			"). Have you run npm install or pulumi install?");
	} else {
		console.error(err.message);
	}
	process.exit(1);
}`
	cmd := exec.CommandContext(ctx, nodeBin, "-e", script, module, programDir)
	cmd.Dir = programDir
	out, err := cmd.Output()
	if err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) && len(exitErr.Stderr) > 0 {
			return "", errors.New(strings.TrimSpace(string(exitErr.Stderr)))
		}
		return "", fmt.Errorf("could not resolve %s from %s: %w", module, programDir, err)
	}
	return strings.TrimSpace(string(out)), nil
}

// nodeArguments is node's command line: our preload, runtime `nodeargs`, then the SDK runner with the flags its
// minimist parser reads (cmd/run/index.js), then the entry point and the program's own arguments.
//
// The official host passes the address of a monitor proxy of its own plus --sync <pipes dir> for
// synchronous invokes; @pulumi/pulumi 3.276.0 never opens those pipes (tryGetSyncInvokes has no callers),
// so we hand node the engine's monitor address directly and omit --sync.
//
// The preload is passed as one `--require=<file>` argument on purpose: cmd/run treats a separate `--require`,
// `--import` or `--loader` argument in node's execArgv as the user's own TypeScript loader and then skips its
// automatic ESM mode; our preload is no loader and must not change that decision.
func nodeArguments(
	req *pulumirpc.RunRequest, opts nodeOptions, preload, runPath, engineAddress, tracing string,
) ([]string, error) {
	nodeargs, err := shlex.Split(opts.nodeargs)
	if err != nil {
		return nil, fmt.Errorf("invalid nodeargs option %q: %w", opts.nodeargs, err)
	}
	var args []string
	if preload != "" {
		args = append(args, "--require="+preload)
	}
	args = append(args, nodeargs...)
	args = append(args, runPath)
	flag := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name, value)
		}
	}
	programDir := req.GetInfo().GetProgramDirectory()
	if programDir == "" {
		programDir = req.GetPwd()
	}
	flag("monitor", req.GetMonitorAddress())
	flag("engine", engineAddress)
	flag("organization", req.GetOrganization())
	flag("project", req.GetProject())
	flag("root-directory", req.GetInfo().GetRootDirectory())
	flag("stack", req.GetStack())
	flag("pwd", programDir)
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	flag("parallel", strconv.Itoa(int(req.GetParallel())))
	flag("tracing", tracing)

	entry := req.GetInfo().GetEntryPoint()
	if entry == "" {
		entry = req.GetProgram() //nolint:staticcheck // older engines
	}
	if entry == "" {
		entry = "."
	}
	args = append(args, entry)
	return append(args, req.GetArgs()...), nil
}

// programEnv is the engine's environment plus what the SDK reads from it: config, secret config keys and
// the TypeScript settings. The PULUMI_NODEJS_{PROJECT,STACK,MONITOR,...} variables are set by cmd/run
// itself from the flags above.
func programEnv(base []string, req *pulumirpc.RunRequest, opts nodeOptions) ([]string, error) {
	cfg, err := configJSON(req.GetConfig())
	if err != nil {
		return nil, fmt.Errorf("failed to serialize configuration: %w", err)
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	keys, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, fmt.Errorf("failed to serialize configuration secret keys: %w", err)
	}
	env := append([]string{}, base...)
	env = append(env, "PULUMI_CONFIG="+cfg, "PULUMI_CONFIG_SECRET_KEYS="+string(keys))
	if opts.typescript {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if opts.tsconfigPath != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+opts.tsconfigPath)
	}
	return env, nil
}

// configJSON writes keys in the old `<namespace>:config:<name>` form, which every @pulumi/pulumi version
// understands (newer ones accept both), as the official host does.
func configJSON(cfg map[string]string) (string, error) {
	out := make(map[string]string, len(cfg))
	for k, v := range cfg {
		key, err := config.ParseKey(k)
		if err != nil {
			return "", err
		}
		out[key.Namespace()+":config:"+key.Name()] = v
	}
	b, err := json.Marshal(out)
	return string(b), err
}
