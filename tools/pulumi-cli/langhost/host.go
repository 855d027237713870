package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
)

// languageHost serves the LanguageRuntime service. Methods it does not define (code generation, Pack,
// Link, RunPlugin, Template) answer codes.Unimplemented through the embedded type.
type languageHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	// serveCtx lives as long as the server; stopServing ends it (used by the engine health check).
	serveCtx    context.Context
	stopServing context.CancelFunc
	tracing     string

	mu            sync.Mutex
	engineAddress string
	watching      bool

	// cancelCtx is cancelled by the Cancel RPC, which interrupts the programs running at that moment.
	cancelCtx  context.Context
	cancelFunc context.CancelFunc
}

func newLanguageHost(
	serveCtx context.Context, stopServing context.CancelFunc, engineAddress, tracing string,
) *languageHost {
	cancelCtx, cancelFunc := context.WithCancel(context.Background())
	return &languageHost{
		serveCtx:      serveCtx,
		stopServing:   stopServing,
		tracing:       tracing,
		engineAddress: engineAddress,
		cancelCtx:     cancelCtx,
		cancelFunc:    cancelFunc,
	}
}

// watchEngine starts (once) the periodic health check that stops the server when the engine is gone.
func (h *languageHost) watchEngine(address string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.watching {
		return nil
	}
	if err := rpcutil.Healthcheck(h.serveCtx, address, engineHealthInterval, h.stopServing); err != nil {
		return err
	}
	h.watching = true
	return nil
}

func (h *languageHost) engine() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.engineAddress
}

// Handshake is only called when the engine attaches to an already running host (PULUMI_DEBUG_LANGUAGES);
// a host started by the engine gets the address as its positional argument instead.
func (h *languageHost) Handshake(
	ctx context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.mu.Lock()
	h.engineAddress = req.GetEngineAddress()
	h.mu.Unlock()
	if req.GetEngineAddress() != "" {
		if err := h.watchEngine(req.GetEngineAddress()); err != nil {
			return nil, fmt.Errorf("could not start health check of the engine: %w", err)
		}
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *languageHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

func (h *languageHost) GetRequiredPackages(
	ctx context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{Packages: requiredPackages(req.GetInfo().GetProgramDirectory())}, nil
}

// GetRequiredPlugins is the pre-parameterization form of GetRequiredPackages. The engine only calls it when
// GetRequiredPackages is unimplemented, but answering it costs nothing.
func (h *languageHost) GetRequiredPlugins(
	ctx context.Context, req *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	dir := req.GetInfo().GetProgramDirectory()
	if dir == "" {
		dir = req.GetProgram() //nolint:staticcheck // older engines only send the directory here
	}
	var plugins []*pulumirpc.PluginDependency
	for _, p := range requiredPackages(dir) {
		plugins = append(plugins, &pulumirpc.PluginDependency{
			Name: p.Name, Kind: p.Kind, Version: p.Version, Server: p.Server,
		})
	}
	return &pulumirpc.GetRequiredPluginsResponse{Plugins: plugins}, nil
}

func (h *languageHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	return h.run(ctx, req), nil
}

// InstallDependencies runs `npm install` when the program has no node_modules yet. An existing node_modules
// is left alone: in this repository it is often a symlink to the workspace's, and reinstalling offline would
// only fail or rewrite it.
func (h *languageHost) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest, server grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse],
) error {
	closer, stdout, stderr, err := rpcutil.MakeInstallDependenciesStreams(server, req.GetIsTerminal())
	if err != nil {
		return err
	}
	defer closer.Close()

	dir := req.GetInfo().GetProgramDirectory()
	if dir == "" {
		dir = req.GetDirectory() //nolint:staticcheck // older engines only send the directory
	}
	opts, err := parseOptions(req.GetInfo().GetOptions().AsMap())
	if err != nil {
		return err
	}
	if opts.packageManager != "auto" && opts.packageManager != "npm" {
		return fmt.Errorf("this language host installs dependencies with npm only; run `%s install` in %s yourself",
			opts.packageManager, dir)
	}

	if _, err := os.Stat(filepath.Join(dir, "node_modules")); err == nil {
		fmt.Fprintf(stdout, "node_modules already present in %s; skipping npm install\n", dir)
		return closer.Close()
	}
	if _, err := os.Stat(filepath.Join(dir, "package.json")); err != nil {
		return fmt.Errorf("cannot install dependencies: no package.json in %s", dir)
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return fmt.Errorf("cannot install dependencies: npm not found on $PATH: %w", err)
	}

	fmt.Fprintf(stdout, "Installing dependencies with npm in %s...\n\n", dir)
	cmd := exec.CommandContext(server.Context(), npm, "install")
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("npm install in %s failed: %w", dir, err)
	}
	fmt.Fprintf(stdout, "Finished installing dependencies\n\n")
	return closer.Close()
}

func (h *languageHost) RuntimeOptionsPrompts(
	context.Context, *pulumirpc.RuntimeOptionsRequest,
) (*pulumirpc.RuntimeOptionsResponse, error) {
	return &pulumirpc.RuntimeOptionsResponse{}, nil
}

// About reports node and npm; failing to run either only leaves the version empty, as `pulumi about`
// should still print what it can.
func (h *languageHost) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("could not find node on the $PATH: %w", err)
	}
	resp := &pulumirpc.AboutResponse{
		Executable: nodeBin,
		Metadata:   map[string]string{"packagemanager": "npm"},
	}
	if out, err := exec.CommandContext(ctx, nodeBin, "--version").Output(); err == nil {
		resp.Version = strings.TrimSpace(string(out))
	}
	if npm, err := exec.LookPath("npm"); err == nil {
		if out, err := exec.CommandContext(ctx, npm, "--version").Output(); err == nil {
			resp.Metadata["packagemanagerVersion"] = strings.TrimSpace(string(out))
		}
	}
	return resp, nil
}

func (h *languageHost) GetProgramDependencies(
	ctx context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	dir := req.GetInfo().GetProgramDirectory()
	if dir == "" {
		dir = req.GetPwd() //nolint:staticcheck // older engines
	}
	deps, err := programDependencies(dir)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: deps}, nil
}

// Cancel interrupts the programs running now. Unlike the official host we do not stay cancelled: the engine
// also sends Cancel whenever it releases a plugin context, and a host it attached to (PULUMI_DEBUG_LANGUAGES)
// is shared by several contexts, so a permanent cancel would fail every later Run with "context canceled".
func (h *languageHost) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.cancelFunc()
	h.cancelCtx, h.cancelFunc = context.WithCancel(context.Background())
	return &emptypb.Empty{}, nil
}

// runContext is the context a program started now runs under; Cancel ends it.
func (h *languageHost) runContext() context.Context {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.cancelCtx
}
